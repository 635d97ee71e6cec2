"""Digital Technology Engineer training (数字技术工程师, notice 四): city bureau staff publish a cohort's
registration notice (with who may apply); people apply; the organiser records the final assessment
(by hand or from an xlsx file). A pass issues the training certificate record and credits the
programme's hours as professional hours (at most 8 a day, rules-2024.md); a passed grade evaluation
records the junior or intermediate technical level."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Education, Organisation, OrganisationKind, Role, UnitType, User
from hours import selectors as hours_selectors
from hours import services as hours_services
from hours.models import LedgerCategory, SourceType
from hours.rules import digital_engineer_hours
from hours.services.ledger import stored_text

from .. import policies, spreadsheets
from ..models import (
    ENTERPRISE_CATEGORIES,
    ApplicantCategory,
    AssessmentResult,
    CohortStatus,
    DigitalApplication,
    DigitalCohort,
    Notice,
    TechnicalLevel,
)
from .catalogue import check_description_length
from .study import LEARNER_ONLY

COHORT_NOT_ALLOWED = _("只有市人力资源和社会保障局工作人员可以发布数字技术工程师培训。")
COHORT_NOT_DRAFT = _("该培训班已发布，不能重复发布。")
COHORT_DATES = _("报名截止日期不能早于开始日期。")
COHORT_CATEGORIES_REQUIRED = _("请至少选择一类报名对象。")
COHORT_ORGANISER_INVALID = _("承训机构须为继续教育基地。")
REGISTRATION_CLOSED = _("该培训班不在报名时间内（%(opens)s至%(closes)s）。")
CATEGORY_NOT_ELIGIBLE = _("本期培训不面向“%(category)s”报名。")
ENTERPRISE_REQUIRED = _("以企业类别报名，您所在的工作单位须为企业。")
GRADUATE_REQUIRED = _("以高校毕业生报名，学历须为大学专科及以上。")
ALREADY_APPLIED = _("您已报名本期培训。")
RESULT_NOT_ALLOWED = _("只有承训机构或市人力资源和社会保障局工作人员可以登记考核结果。")
RESULT_FINAL = _("该学员已考核合格并发证，结果不能更改。")
LEVEL_NEEDS_PASS = _("结业考核合格后才能登记专业技术等级。")
RESULT_ROW_UNKNOWN = _("第%(row)s行：未找到该人员或其未报名本期培训（%(value)s）。")
RESULT_ROW_VALUE = _("第%(row)s行：结业考核请填写“合格”或“不合格”。")
LEVEL_ROW_VALUE = _("第%(row)s行：等级评价请填写“初级”“中级”或留空。")
CREDIT_MEMO = _("数字技术工程师培训《%(title)s》结业考核合格（证书编号%(number)s）")
NOTICE_TITLE = _("%(year)s年度“数字技术工程师”培训报名通知：%(title)s")
NOTICE_BODY = _(
    "专业方向：%(direction)s。承训机构：%(organiser)s。培训%(days)s天，共%(hours)s学时。"
    "报名时间：%(opens)s至%(closes)s。报名对象：%(categories)s。"
    "完成学习并经结业考核合格可获得培训合格证书，相应学时记入个人继续教育学时；"
    "参加考核评价取得中级、初级专业技术等级证书的视同获得相应职称。请登录平台“在线学习—数字技术工程师”报名。"
)
PASSED_WORDS = {"合格", "通过", "passed", "pass"}
FAILED_WORDS = {"不合格", "未通过", "failed", "fail"}
LEVEL_WORDS = {"": TechnicalLevel.NONE, "初级": TechnicalLevel.JUNIOR, "中级": TechnicalLevel.INTERMEDIATE}
HIGHER_EDUCATION = (Education.COLLEGE, Education.BACHELOR, Education.MASTER, Education.DOCTORATE)


def _audit(actor: User, action: str, target: Any, organisation: Organisation | None, **detail: Any) -> None:
    assignment = policies.city_bureau_assignment(actor)
    if organisation is not None:
        assignment = policies.acting_assignment(actor, organisation.pk, policies.COURSE_ROLES) or assignment
    audit_record(
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        assignment=assignment,
        detail=detail,
    )


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "Y年n月j日")


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    year: int,
    title: str,
    direction: str,
    organiser: Organisation,
    hours: Decimal,
    days: int,
    registration_opens: datetime.date,
    registration_closes: datetime.date,
    eligible_categories: list[str],
    description: str = "",
) -> DigitalCohort:
    if not policies.can_manage_cohorts(actor):
        raise PermissionDenied(COHORT_NOT_ALLOWED)
    if organiser.kind != OrganisationKind.PROVIDER:
        raise ValidationError({"organiser": COHORT_ORGANISER_INVALID})
    if registration_closes < registration_opens:
        raise ValidationError({"registration_closes": COHORT_DATES})
    categories = [code for code in ApplicantCategory.values if code in set(eligible_categories)]
    if not categories:
        raise ValidationError({"eligible_categories": COHORT_CATEGORIES_REQUIRED})
    hours_selectors.year_figures(year)
    check_description_length(description.strip())
    cohort = DigitalCohort(
        year=year,
        title=title.strip(),
        direction=direction.strip(),
        organiser=organiser,
        hours=Decimal(hours),
        days=days,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
        eligible_categories=categories,
        description=description.strip(),
        created_by=actor,
    )
    cohort.full_clean()
    cohort.save()
    _audit(actor, "learning.digital.cohort_create", cohort, organiser)
    return cohort


@transaction.atomic
def cohort_publish(*, actor: User, cohort: DigitalCohort) -> DigitalCohort:
    """Publishes the cohort with its registration notice (通知公告, city-wide)."""
    if not policies.can_manage_cohorts(actor):
        raise PermissionDenied(COHORT_NOT_ALLOWED)
    cohort = DigitalCohort.objects.select_for_update().select_related("organiser").get(pk=cohort.pk)
    if cohort.status != CohortStatus.DRAFT:
        raise ValidationError(COHORT_NOT_DRAFT)
    city = Organisation.objects.filter(kind=OrganisationKind.CITY_BUREAU).first()
    with translation.override(settings.LANGUAGE_CODE):  # a stored notice: the platform's language
        body = str(
            NOTICE_BODY
            % {
                "direction": cohort.direction,
                "organiser": cohort.organiser.name,
                "days": cohort.days,
                "hours": cohort.hours,
                "opens": _date(cohort.registration_opens),
                "closes": _date(cohort.registration_closes),
                "categories": "、".join(cohort.eligible_category_labels()),
            }
        )
        title = str(NOTICE_TITLE % {"year": cohort.year, "title": cohort.title})[:200]
    if cohort.description:
        body = f"{body}\n{cohort.description}"
    notice = Notice.objects.create(
        title=title,
        body=body,
        region=None,
        publisher=city,
        author=actor,
        published_at=timezone.now(),
    )
    cohort.notice = notice
    cohort.status = CohortStatus.PUBLISHED
    cohort.save(update_fields=["notice", "status"])
    _audit(actor, "learning.digital.cohort_publish", cohort, cohort.organiser, notice=notice.pk)
    return cohort


@transaction.atomic
def digital_apply(
    *, actor: User, cohort: DigitalCohort, category: str, today: datetime.date | None = None
) -> DigitalApplication:
    if not policies.is_learner(actor):
        raise PermissionDenied(LEARNER_ONLY)
    today = today or timezone.localdate()
    cohort = DigitalCohort.objects.get(pk=cohort.pk)
    if cohort.status != CohortStatus.PUBLISHED or not (
        cohort.registration_opens <= today <= cohort.registration_closes
    ):
        raise ValidationError(
            REGISTRATION_CLOSED
            % {"opens": _date(cohort.registration_opens), "closes": _date(cohort.registration_closes)}
        )
    if category not in cohort.eligible_categories:
        label = dict(ApplicantCategory.choices).get(category, category)
        raise ValidationError({"category": CATEGORY_NOT_ELIGIBLE % {"category": label}})
    if category in ENTERPRISE_CATEGORIES and not (actor.unit and actor.unit.unit_type == UnitType.ENTERPRISE):
        raise ValidationError({"category": ENTERPRISE_REQUIRED})
    if category == ApplicantCategory.GRADUATE and actor.education not in HIGHER_EDUCATION:
        raise ValidationError({"category": GRADUATE_REQUIRED})
    try:
        with transaction.atomic():
            application = DigitalApplication.objects.create(cohort=cohort, person=actor, category=category)
    except IntegrityError as error:
        raise ValidationError(ALREADY_APPLIED) from error
    audit_record(
        actor=actor,
        action="learning.digital.apply",
        target=application,
        organisation=actor.unit,
        role=Role.PROFESSIONAL,
        detail={"cohort": cohort.pk, "category": category},
    )
    return application


def certificate_number(application: DigitalApplication) -> str:
    return f"SZGCS{application.cohort.year}{application.cohort_id:03d}{application.pk:06d}"


def _apply_result(
    *,
    actor: User,
    application: DigitalApplication,
    passed: bool,
    technical_level: str,
    now: datetime.datetime,
) -> None:
    """The caller holds the application's lock and has authorized."""
    cohort = application.cohort
    if application.result == AssessmentResult.PASSED:
        if not passed:
            raise ValidationError(RESULT_FINAL)
    else:
        application.result = AssessmentResult.PASSED if passed else AssessmentResult.FAILED
        application.assessed_at = now
        application.assessed_by = actor
        if passed:
            application.certificate_number = certificate_number(application)
            application.certificate_issued_at = now
            figures = hours_selectors.year_figures(cohort.year)
            hours = digital_engineer_hours(cohort.hours, cohort.days, figures)
            entry = hours_services.ledger_post_credit(
                person=application.person,
                year=cohort.year,
                category=LedgerCategory.PROFESSIONAL,
                hours=hours,
                source_type=SourceType.PROGRAMME,
                source_id=f"digital:{application.pk}",
                memo=stored_text(
                    CREDIT_MEMO, {"title": cohort.title, "number": application.certificate_number}
                ),
                actor=actor,
            )
            application.credited_hours = entry.hours if entry is not None else Decimal("0.0")
    if technical_level:
        if application.result != AssessmentResult.PASSED:
            raise ValidationError(LEVEL_NEEDS_PASS)
        if technical_level != application.technical_level:
            application.technical_level = technical_level
            application.technical_level_at = now
    application.save()
    _audit(
        actor,
        "learning.digital.result",
        application,
        cohort.organiser,
        passed=passed,
        technical_level=technical_level,
        certificate=application.certificate_number,
    )


@transaction.atomic
def digital_record_result(
    *,
    actor: User,
    application: DigitalApplication,
    passed: bool,
    technical_level: str = "",
    now: datetime.datetime | None = None,
) -> DigitalApplication:
    application = (
        DigitalApplication.objects.select_for_update(of=("self",))
        .select_related("cohort__organiser", "person")
        .get(pk=application.pk)
    )
    if not policies.can_record_digital_results(actor, application.cohort):
        raise PermissionDenied(RESULT_NOT_ALLOWED)
    if technical_level not in TechnicalLevel.values:
        raise ValidationError({"technical_level": LEVEL_ROW_VALUE % {"row": 1}})
    _apply_result(
        actor=actor,
        application=application,
        passed=passed,
        technical_level=technical_level,
        now=now or timezone.now(),
    )
    return application


@dataclass
class ResultImportReport:
    recorded: int = 0
    passed: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def digital_import_results(
    *, actor: User, cohort: DigitalCohort, upload: IO[bytes], size: int | None = None
) -> ResultImportReport:
    """Columns: A ID number or mobile number, B 合格/不合格, C 初级/中级/empty. All rows or none."""
    if not policies.can_record_digital_results(actor, cohort):
        raise PermissionDenied(RESULT_NOT_ALLOWED)
    rows = spreadsheets.read_rows(upload, size=size)
    people = spreadsheets.people_by_key([row[0] for row in rows])
    applications = {
        a.person_id: a
        for a in DigitalApplication.objects.select_for_update(of=("self",))
        .filter(cohort=cohort)
        .select_related("cohort__organiser", "person")
    }
    report = ResultImportReport()
    parsed: list[tuple[DigitalApplication, bool, str]] = []
    for number, row in enumerate(rows, start=2):
        person = people.get(row[0])
        application = applications.get(person.pk) if person else None
        if application is None:
            report.errors.append(
                str(RESULT_ROW_UNKNOWN % {"row": number, "value": spreadsheets.shown_key(row[0])})
            )
            continue
        result = (row[1] if len(row) > 1 else "").lower()
        level = row[2] if len(row) > 2 else ""
        if result not in PASSED_WORDS | FAILED_WORDS:
            report.errors.append(str(RESULT_ROW_VALUE % {"row": number}))
            continue
        if level not in LEVEL_WORDS:
            report.errors.append(str(LEVEL_ROW_VALUE % {"row": number}))
            continue
        parsed.append((application, result in PASSED_WORDS, LEVEL_WORDS[level]))
    if report.errors:
        return report
    now = timezone.now()
    try:
        with transaction.atomic():
            for application, passed, level in parsed:
                _apply_result(
                    actor=actor, application=application, passed=passed, technical_level=level, now=now
                )
                report.recorded += 1
                report.passed += int(passed)
    except ValidationError as error:
        report.errors.extend(str(message) for message in error.messages)
        report.recorded = report.passed = 0
    return report
