"""Premium professional courses (精品专业课, notice 五(二)): a city-level base, department or association
declares one (self-study on the platform + live sessions of at least 8 hours), city bureau staff
review and publish it, learners enrol, the organiser records live attendance (by hand or from an
xlsx file), and completing it satisfies the year's professional part.

Completion posts one professional ledger entry with ``rule_code=PREMIUM`` (the self-study course's
hours plus the live hours); ``hours.selectors.year_summary`` recognises it. The self-study course
posts nothing of its own, so no hour is counted twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Organisation, Role, User
from hours import services as hours_services
from hours.models import PREMIUM_COURSE_RULE_CODE, LedgerCategory, SourceType
from hours.rules import format_hours
from hours.services.ledger import stored_text

from .. import policies, spreadsheets
from ..models import (
    AttendanceSource,
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    LiveAttendance,
    LiveSession,
    PremiumCourse,
    PremiumEnrolment,
    ReviewStatus,
)
from .catalogue import check_description_length
from .study import LEARNER_ONLY, course_enrol

MIN_LIVE_HOURS = Decimal(8)

PREMIUM_NOT_CITY_LEVEL = _(
    "精品专业课须由市级及以上继续教育基地、行业主管部门或协会开展，您无权以该单位申报。"
)
PREMIUM_NOT_YOURS = _("您无权管理该精品专业课。")
PREMIUM_LIVE_HOURS_SHORT = _("现场授课（直播）合计不少于%(minimum)s学时，目前为%(current)s学时。")
PREMIUM_NOT_EDITABLE = _("精品专业课已提交审核或已发布，不能修改。")
PREMIUM_NOT_SUBMITTED = _("该精品专业课不在待审核状态。")
PREMIUM_REVIEW_NOT_ALLOWED = _("只有市人力资源和社会保障局工作人员可以审核精品专业课。")
PREMIUM_RETURN_COMMENT_REQUIRED = _("请填写退回意见。")
PREMIUM_NOT_PUBLISHED = _("该精品专业课尚未发布，不能报名。")
PREMIUM_NOT_ENROLLED = _("该学员未报名本精品专业课。")
PREMIUM_SELF_STUDY_INVALID = _("自学部分须为本单位开设、同一年度的专业科目课程，且未被其他精品专业课使用。")
PREMIUM_SELF_STUDY_EMPTY = _("自学部分的课程还没有课时。")
PREMIUM_COMPLETED_MEMO = _("完成精品专业课《%(title)s》（%(organiser)s），视同完成当年度专业科目培训任务")
PREMIUM_PUBLISHED_TITLE = _("精品专业课已发布")
PREMIUM_RETURNED_TITLE = _("精品专业课申报被退回")
LIVE_SESSION_UNDER_REVIEW = _(
    "精品专业课正在审核中，不能删除现场授课场次；如需调整，请联系审核人员退回后再修改。"
)
LIVE_SESSION_HAS_ATTENDANCE = _("“%(title)s”已登记出勤，不能删除。")
LIVE_SESSION_HOURS_NEEDED = _(
    "精品专业课已发布，现场授课（直播）合计须不少于%(minimum)s学时；删除“%(title)s”后只剩%(remaining)s学时，不能删除。"
)
ATTENDANCE_ROW_UNKNOWN = _("第%(row)s行：未找到该人员或其未报名本课程（%(value)s）。")
ATTENDANCE_ROW_VALUE = _("第%(row)s行：出勤一栏请填写“是”或“否”。")


def _audit(actor: User | None, action: str, premium: PremiumCourse, **detail: Any) -> None:
    assignment = None
    if actor is not None:
        assignment = policies.acting_assignment(actor, premium.organiser_id, policies.COURSE_ROLES) or (
            policies.city_bureau_assignment(actor)
        )
    audit_record(
        actor=actor,
        action=action,
        target=premium,
        organisation=premium.organiser,
        assignment=assignment,
        detail=detail,
    )


def _locked(premium: PremiumCourse) -> PremiumCourse:
    return (
        PremiumCourse.objects.select_for_update(of=("self",))
        .select_related("organiser", "self_study_course")
        .get(pk=premium.pk)
    )


def _check_organiser(actor: User, premium: PremiumCourse) -> None:
    if not policies.can_manage_premium(actor, premium):
        raise PermissionDenied(PREMIUM_NOT_YOURS)


def _check_self_study(
    course: Course | None, organiser: Organisation, year: int, premium_id: int | None
) -> None:
    if course is None:
        return
    others = PremiumCourse.objects.filter(self_study_course=course)
    used = (others.exclude(pk=premium_id) if premium_id is not None else others).exists()
    if (
        course.provider_id != organiser.pk
        or course.year != year
        or course.kind != CourseKind.PROFESSIONAL
        or used
    ):
        raise ValidationError({"self_study_course": PREMIUM_SELF_STUDY_INVALID})


def live_hours(premium: PremiumCourse) -> Decimal:
    return Decimal(premium.live_sessions.aggregate(total=Sum("hours"))["total"] or 0)


def premium_hours(premium: PremiumCourse) -> Decimal:
    self_study = premium.self_study_course.hours if premium.self_study_course else Decimal(0)
    return live_hours(premium) + self_study


@transaction.atomic
def premium_declare(
    *,
    actor: User,
    organiser: Organisation,
    year: int,
    title: str,
    experts: str,
    description: str = "",
    self_study_course: Course | None = None,
) -> PremiumCourse:
    if not policies.can_declare_premium(actor, organiser):
        raise PermissionDenied(PREMIUM_NOT_CITY_LEVEL)
    _check_self_study(self_study_course, organiser, year, None)
    check_description_length(description.strip())
    premium = PremiumCourse(
        organiser=organiser,
        year=year,
        title=title.strip(),
        experts=experts.strip(),
        description=description.strip(),
        self_study_course=self_study_course,
        declared_by=actor,
    )
    premium.full_clean()
    premium.save()
    _audit(actor, "learning.premium.declare", premium, year=year)
    return premium


@transaction.atomic
def premium_set_self_study(*, actor: User, premium: PremiumCourse, course: Course | None) -> PremiumCourse:
    premium = _locked(premium)
    _check_organiser(actor, premium)
    if premium.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise ValidationError(PREMIUM_NOT_EDITABLE)
    _check_self_study(course, premium.organiser, premium.year, premium.pk)
    premium.self_study_course = course
    premium.save(update_fields=["self_study_course"])
    _audit(actor, "learning.premium.self_study", premium, course=course.pk if course else None)
    return premium


@transaction.atomic
def live_session_add(
    *,
    actor: User,
    premium: PremiumCourse,
    title: str,
    starts_at: datetime.datetime,
    hours: Decimal,
    place: str = "",
) -> LiveSession:
    premium = _locked(premium)
    _check_organiser(actor, premium)
    if premium.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise ValidationError(PREMIUM_NOT_EDITABLE)
    session = LiveSession(
        premium=premium, title=title.strip(), starts_at=starts_at, hours=Decimal(hours), place=place.strip()
    )
    session.full_clean()
    session.save()
    _audit(actor, "learning.premium.live_session_add", premium, session=session.pk, hours=str(session.hours))
    return session


@transaction.atomic
def live_session_remove(*, actor: User, session: LiveSession) -> None:
    """Removes a live session: freely while the course is a draft or returned; never while it is under
    review; on a published course only a session nobody's attendance was recorded for, and only while
    the remaining sessions still add up to the minimum live hours. Learners who have now attended every
    remaining session (and finished the self-study part) complete in the same transaction."""
    premium = _locked(session.premium)
    _check_organiser(actor, premium)
    session = LiveSession.objects.select_for_update().get(pk=session.pk, premium=premium)
    if premium.status == ReviewStatus.SUBMITTED:
        raise ValidationError(LIVE_SESSION_UNDER_REVIEW)
    if LiveAttendance.objects.filter(session=session).exists():
        raise ValidationError(LIVE_SESSION_HAS_ATTENDANCE % {"title": session.title})
    remaining = live_hours(premium) - session.hours
    if premium.status == ReviewStatus.PUBLISHED and remaining < MIN_LIVE_HOURS:
        raise ValidationError(
            LIVE_SESSION_HOURS_NEEDED
            % {
                "minimum": format_hours(MIN_LIVE_HOURS),
                "title": session.title,
                "remaining": format_hours(remaining),
            }
        )
    detail = {
        "session": session.pk,
        "title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "hours": str(session.hours),
        "remaining_live_hours": str(remaining),
    }
    session.delete()
    _audit(actor, "learning.premium.live_session_remove", premium, **detail)
    if premium.status == ReviewStatus.PUBLISHED:
        for enrolment in premium.enrolments.filter(completed_at__isnull=True).select_related("person"):
            premium_complete_if_done(premium=premium, person=enrolment.person, actor=actor)


@transaction.atomic
def premium_submit(*, actor: User, premium: PremiumCourse) -> PremiumCourse:
    premium = _locked(premium)
    _check_organiser(actor, premium)
    if premium.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise ValidationError(PREMIUM_NOT_EDITABLE)
    current = live_hours(premium)
    if current < MIN_LIVE_HOURS:
        raise ValidationError(
            PREMIUM_LIVE_HOURS_SHORT
            % {"minimum": format_hours(MIN_LIVE_HOURS), "current": format_hours(current)}
        )
    if premium.self_study_course and not premium.self_study_course.lessons.exists():
        raise ValidationError(PREMIUM_SELF_STUDY_EMPTY)
    premium.status = ReviewStatus.SUBMITTED
    premium.submitted_at = timezone.now()
    premium.save(update_fields=["status", "submitted_at"])
    _audit(actor, "learning.premium.submit", premium, live_hours=str(current))
    return premium


def _notify_declarer(premium: PremiumCourse, title: Any, body: Any) -> None:
    """Stored text is in the platform's language, whatever the reviewer's page language."""
    from accounts.services import notify

    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipient=premium.declared_by,
            title=str(title),
            body=str(body),
            link=f"/learning/premium/{premium.pk}/",
        )


@transaction.atomic
def premium_publish(*, actor: User, premium: PremiumCourse) -> PremiumCourse:
    """City bureau staff approve and publish; the self-study part goes live with it."""
    if not policies.can_review_premium(actor):
        raise PermissionDenied(PREMIUM_REVIEW_NOT_ALLOWED)
    premium = _locked(premium)
    if premium.status != ReviewStatus.SUBMITTED:
        raise ValidationError(PREMIUM_NOT_SUBMITTED)
    now = timezone.now()
    premium.status = ReviewStatus.PUBLISHED
    premium.reviewed_by = actor
    premium.reviewed_at = now
    premium.review_comment = ""
    premium.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    if premium.self_study_course and premium.self_study_course.status != CourseStatus.PUBLISHED:
        Course.objects.filter(pk=premium.self_study_course.pk).update(
            status=CourseStatus.PUBLISHED, published_at=now
        )
    _audit(actor, "learning.premium.publish", premium)
    _notify_declarer(premium, PREMIUM_PUBLISHED_TITLE, premium.title)
    return premium


@transaction.atomic
def premium_return(*, actor: User, premium: PremiumCourse, comment: str) -> PremiumCourse:
    if not policies.can_review_premium(actor):
        raise PermissionDenied(PREMIUM_REVIEW_NOT_ALLOWED)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": PREMIUM_RETURN_COMMENT_REQUIRED})
    premium = _locked(premium)
    if premium.status != ReviewStatus.SUBMITTED:
        raise ValidationError(PREMIUM_NOT_SUBMITTED)
    premium.status = ReviewStatus.RETURNED
    premium.reviewed_by = actor
    premium.reviewed_at = timezone.now()
    premium.review_comment = comment[:300]
    premium.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    _audit(actor, "learning.premium.return", premium, comment=comment)
    _notify_declarer(premium, PREMIUM_RETURNED_TITLE, comment)
    return premium


@transaction.atomic
def premium_enrol(*, actor: User, premium: PremiumCourse) -> PremiumEnrolment:
    if not policies.is_learner(actor):
        raise PermissionDenied(LEARNER_ONLY)
    premium = PremiumCourse.objects.select_related("self_study_course").get(pk=premium.pk)
    if premium.status != ReviewStatus.PUBLISHED:
        raise ValidationError(PREMIUM_NOT_PUBLISHED)
    enrolment, created = PremiumEnrolment.objects.get_or_create(premium=premium, person=actor)
    if premium.self_study_course:
        course_enrol(actor=actor, course=premium.self_study_course, via_premium=True)
    if created:
        audit_record(
            actor=actor,
            action="learning.premium.enrol",
            target=enrolment,
            organisation=actor.unit,
            role=Role.PROFESSIONAL,
            detail={"premium": premium.pk},
        )
    return enrolment


def _record(
    *, actor: User, session: LiveSession, enrolment: PremiumEnrolment, is_present: bool, source: str
) -> LiveAttendance:
    attendance, _created = LiveAttendance.objects.update_or_create(
        enrolment=enrolment,
        session=session,
        defaults={
            "is_present": is_present,
            "source": source,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    return attendance


@transaction.atomic
def attendance_record(
    *,
    actor: User,
    session: LiveSession,
    person: User,
    is_present: bool = True,
    now: datetime.datetime | None = None,
) -> LiveAttendance:
    premium = _locked(session.premium)
    _check_organiser(actor, premium)
    enrolment = PremiumEnrolment.objects.filter(premium=premium, person=person).first()
    if enrolment is None:
        raise ValidationError(PREMIUM_NOT_ENROLLED)
    attendance = _mark(actor, premium, session, enrolment, is_present)
    if is_present:
        premium_complete_if_done(premium=premium, person=person, actor=actor, now=now)
    return attendance


def _mark(
    actor: User, premium: PremiumCourse, session: LiveSession, enrolment: PremiumEnrolment, is_present: bool
) -> LiveAttendance:
    """One learner's mark for a session, entered by hand, with its audit record."""
    attendance = _record(
        actor=actor,
        session=session,
        enrolment=enrolment,
        is_present=is_present,
        source=AttendanceSource.MANUAL,
    )
    _audit(
        actor,
        "learning.premium.attendance",
        premium,
        session=session.pk,
        person=enrolment.person_id,
        present=is_present,
    )
    return attendance


@transaction.atomic
def attendance_set(
    *,
    actor: User,
    session: LiveSession,
    present_person_ids: Collection[int],
    now: datetime.datetime | None = None,
) -> list[LiveAttendance]:
    """The organiser's list for one live session: every enrolled learner named is present, every other
    enrolled learner absent (an unticked box). The whole list or nothing: one transaction, holding the
    course's lock, with an audit record per learner as ``attendance_record`` writes; learners who have
    now attended every session (and finished the self-study part) complete in it too."""
    premium = _locked(session.premium)
    _check_organiser(actor, premium)
    session = LiveSession.objects.get(pk=session.pk, premium=premium)
    enrolments = list(
        PremiumEnrolment.objects.filter(premium=premium)
        .select_related("person")
        .order_by("enrolled_at", "pk")
    )
    present = set(present_person_ids)
    if not present <= {enrolment.person_id for enrolment in enrolments}:
        raise ValidationError(PREMIUM_NOT_ENROLLED)
    marks = [
        _mark(actor, premium, session, enrolment, enrolment.person_id in present) for enrolment in enrolments
    ]
    for enrolment in enrolments:
        if enrolment.person_id in present:
            premium_complete_if_done(premium=premium, person=enrolment.person, actor=actor, now=now)
    return marks


@dataclass
class ImportReport:
    recorded: int = 0
    errors: list[str] = field(default_factory=list)


PRESENT_WORDS = {"", "是", "出勤", "到", "√", "1", "y", "yes", "true"}
ABSENT_WORDS = {"否", "缺勤", "未到", "×", "0", "n", "no", "false"}


@transaction.atomic
def attendance_import(
    *, actor: User, session: LiveSession, upload: IO[bytes], size: int | None = None
) -> ImportReport:
    """Column A: ID number or mobile number; column B (optional): 是/否. All rows or none: a file with
    any unknown person or value is refused with every problem listed."""
    premium = _locked(session.premium)
    _check_organiser(actor, premium)
    rows = spreadsheets.read_rows(upload, size=size)
    people = spreadsheets.people_by_key([row[0] for row in rows if row])
    enrolments = {
        e.person_id: e for e in PremiumEnrolment.objects.filter(premium=premium).select_related("person")
    }
    report = ImportReport()
    parsed: list[tuple[PremiumEnrolment, bool]] = []
    for number, row in enumerate(rows, start=2):
        value = row[0]
        person = people.get(value)
        enrolment = enrolments.get(person.pk) if person else None
        if enrolment is None:
            report.errors.append(
                str(ATTENDANCE_ROW_UNKNOWN % {"row": number, "value": spreadsheets.shown_key(value)})
            )
            continue
        mark = (row[1] if len(row) > 1 else "").lower()
        if mark not in PRESENT_WORDS | ABSENT_WORDS:
            report.errors.append(str(ATTENDANCE_ROW_VALUE % {"row": number}))
            continue
        parsed.append((enrolment, mark in PRESENT_WORDS))
    if report.errors:
        return report
    for enrolment, is_present in parsed:
        _record(
            actor=actor,
            session=session,
            enrolment=enrolment,
            is_present=is_present,
            source=AttendanceSource.IMPORT,
        )
        report.recorded += 1
    _audit(actor, "learning.premium.attendance_import", premium, session=session.pk, rows=report.recorded)
    for enrolment, is_present in parsed:
        if is_present:
            premium_complete_if_done(premium=premium, person=enrolment.person, actor=actor)
    return report


@transaction.atomic
def premium_complete_if_done(
    *, premium: PremiumCourse, person: User, actor: User | None, now: datetime.datetime | None = None
) -> bool:
    """Completes the learner's premium course once every live session is attended and the self-study
    part is complete; posts the PREMIUM ledger entry (once)."""
    enrolment = PremiumEnrolment.objects.select_for_update().filter(premium=premium, person=person).first()
    if enrolment is None or enrolment.completed_at is not None:
        return False
    sessions = set(premium.live_sessions.values_list("pk", flat=True))
    attended = set(
        LiveAttendance.objects.filter(enrolment=enrolment, is_present=True).values_list(
            "session_id", flat=True
        )
    )
    if not sessions or not sessions <= attended:
        return False
    if (
        premium.self_study_course_id
        and not Enrolment.objects.filter(
            person=person, course_id=premium.self_study_course_id, completed_at__isnull=False
        ).exists()
    ):
        return False
    hours = premium_hours(premium)
    entry = hours_services.ledger_post_credit(
        person=person,
        year=premium.year,
        category=LedgerCategory.PROFESSIONAL,
        hours=hours,
        source_type=SourceType.PROGRAMME,
        source_id=f"premium:{premium.pk}",
        memo=stored_text(
            PREMIUM_COMPLETED_MEMO, {"title": premium.title, "organiser": premium.organiser.name}
        ),
        actor=actor,
        rule_code=PREMIUM_COURSE_RULE_CODE,
    )
    enrolment.completed_at = now or timezone.now()
    enrolment.credited_hours = entry.hours if entry is not None else Decimal("0.0")
    enrolment.save(update_fields=["completed_at", "credited_hours"])
    audit_record(
        actor=actor,
        action="learning.premium.complete",
        target=enrolment,
        organisation=person.unit,
        detail={"premium": premium.pk, "hours": str(hours)},
    )
    return True
