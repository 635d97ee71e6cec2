"""The programmes the notice names: premium professional courses (satisfying the professional part with
fewer than 60 hours), quality online public courses (twice the hours for the instructor), and the
Digital Technology Engineer training (certificate, hours, technical level; by hand and by xlsx)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import AuditEvent, Organisation, UnitType
from hours.models import PREMIUM_COURSE_RULE_CODE, LedgerEntry
from hours.selectors import year_summary
from learning import spreadsheets
from learning.demo import PREMIUM_TITLE
from learning.models import (
    ApplicantCategory,
    AssessmentResult,
    CohortStatus,
    DigitalApplication,
    DigitalCohort,
    LiveAttendance,
    Notice,
    PremiumCourse,
    QualityCourseDeclaration,
    ReviewStatus,
    SelectionStatus,
    TechnicalLevel,
)
from learning.services import catalogue, digital, premium, quality, study
from tests.fixtures import World

from .helpers import OPEN_DAY, YEAR, ledger_total, quick_course, study_to_end

ASSOCIATION = "济宁市继续教育协会"


def association() -> Organisation:
    return Organisation.objects.get(name=ASSOCIATION)


def xlsx(rows: list[list[object]]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def association_staff(world: World):  # type: ignore[no-untyped-def]
    from accounts import services as account_services
    from accounts.models import Role

    account_services.role_grant(
        actor=None, user=world.other_unit_admin, role=Role.PROVIDER_STAFF, organisation=association()
    )
    from accounts.policies import forget_roles

    forget_roles(world.other_unit_admin)
    return world.other_unit_admin


# --- Premium professional courses --------------------------------------------------------------------


def test_premium_declare_review_publish_enrol_attend_and_satisfy_professional_part(
    world: World, association_staff
) -> None:  # type: ignore[no-untyped-def]
    staff = association_staff
    self_study = catalogue.course_create(
        actor=staff,
        provider=association(),
        year=YEAR,
        kind="professional",
        title="精品课·自学",
        hours=Decimal(4),
    )
    catalogue.lesson_add(actor=staff, course=self_study, title="第一讲", duration_seconds=20)
    course = premium.premium_declare(
        actor=staff,
        organiser=association(),
        year=YEAR,
        title="新能源汽车技术精品专业课",
        experts="王教授",
        self_study_course=self_study,
    )
    start = timezone.make_aware(datetime.datetime(2024, 9, 1, 9, 0))
    premium.live_session_add(actor=staff, premium=course, title="第一场", starts_at=start, hours=Decimal(4))
    with pytest.raises(ValidationError) as error:
        premium.premium_submit(actor=staff, premium=course)
    assert error.value.messages == ["现场授课（直播）合计不少于8学时，目前为4学时。"]
    second = premium.live_session_add(
        actor=staff,
        premium=course,
        title="第二场",
        starts_at=start + datetime.timedelta(days=1),
        hours=Decimal(4),
    )
    premium.premium_submit(actor=staff, premium=course)
    # Only city bureau staff review; the county bureau cannot.
    with pytest.raises(PermissionDenied):
        premium.premium_publish(actor=world.county_staff, premium=course)
    with pytest.raises(ValidationError):
        premium.premium_enrol(actor=world.professional, premium=course)
    premium.premium_publish(actor=world.city_staff, premium=course)
    course.refresh_from_db()
    assert course.status == ReviewStatus.PUBLISHED
    self_study.refresh_from_db()
    assert self_study.status == "published"

    person = world.professional
    enrolment = premium.premium_enrol(actor=person, premium=course)
    # The self-study part is entered only through the premium course.
    with pytest.raises(ValidationError) as error:
        study.course_enrol(actor=world.pending_professional, course=self_study)
    assert error.value.messages == [str(study.COURSE_PREMIUM_PART)]
    study_to_end(person, self_study, OPEN_DAY)
    assert not LedgerEntry.objects.filter(person=person).exists()  # the self-study part posts nothing itself
    first = course.live_sessions.order_by("starts_at").first()
    premium.attendance_record(actor=staff, session=first, person=person)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    report = premium.attendance_import(
        actor=staff, session=second, upload=xlsx([["身份证号码", "出勤"], [person.mobile, "是"]])
    )
    assert (report.recorded, report.errors) == (1, [])

    enrolment.refresh_from_db()
    assert enrolment.credited_hours == Decimal("12.0")
    entry = LedgerEntry.objects.get(person=person)
    assert (entry.category, entry.hours, entry.source_type, entry.rule_code, entry.source_id) == (
        "professional",
        Decimal("12.0"),
        "programme",
        PREMIUM_COURSE_RULE_CODE,
        f"premium:{course.pk}",
    )
    summary = year_summary(person, YEAR)
    assert summary.professional == Decimal("12.0") < summary.professional_required == Decimal(60)
    assert summary.premium_course_completed and summary.is_professional_complete
    assert summary.missing_professional == Decimal(0)
    # Recording attendance again completes and posts nothing more.
    premium.attendance_record(actor=staff, session=second, person=person)
    assert LedgerEntry.objects.filter(person=person).count() == 1


def test_premium_needs_a_city_level_organiser(world: World) -> None:
    county_base = Organisation.objects.create(
        name="任城区培训中心",
        kind="provider",
        parent=world.rencheng,
        path=world.rencheng.path + "999/",
        bureau=world.rencheng,
    )
    from accounts import services as account_services

    account_services.role_grant(
        actor=None, user=world.other_unit_admin, role="provider_staff", organisation=county_base
    )
    with pytest.raises(PermissionDenied) as error:
        premium.premium_declare(
            actor=world.other_unit_admin, organiser=county_base, year=YEAR, title="x", experts="y"
        )
    assert str(error.value) == str(premium.PREMIUM_NOT_CITY_LEVEL)
    assert not PremiumCourse.objects.filter(organiser=county_base).exists()


def test_attendance_import_refuses_unknown_people_and_non_xlsx(world: World, association_staff) -> None:  # type: ignore[no-untyped-def]
    demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    session = demo.live_sessions.first()
    report = premium.attendance_import(
        actor=association_staff,
        session=session,
        upload=xlsx([["手机号码"], ["13999999999"], [world.professional.mobile]]),
    )
    assert report.recorded == 0
    assert report.errors == [
        "第2行：未找到该人员或其未报名本课程（13999999999）。",
        f"第3行：未找到该人员或其未报名本课程（{world.professional.mobile}）。",
    ]
    with pytest.raises(ValidationError) as error:
        premium.attendance_import(
            actor=association_staff, session=session, upload=io.BytesIO(b"name,present\n")
        )
    assert error.value.messages == [str(spreadsheets.XLSX_NOT_XLSX)]
    with pytest.raises(PermissionDenied):
        premium.attendance_import(actor=world.provider_staff, session=session, upload=xlsx([["x"], ["y"]]))


def test_attendance_list_marks_every_learner_in_one_transaction(world: World, association_staff) -> None:  # type: ignore[no-untyped-def]
    demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    session = demo.live_sessions.order_by("starts_at").first()
    teacher, engineer = world.professional, world.pending_professional
    for person in (teacher, engineer):
        premium.premium_enrol(actor=person, premium=demo)

    def marks() -> list[dict[str, object]]:
        return list(
            LiveAttendance.objects.filter(session=session)
            .order_by("enrolment__person_id")
            .values("enrolment__person_id", "is_present", "source", "recorded_by_id", "recorded_at")
        )

    def audited() -> list[tuple[object, ...]]:
        return [
            (event.actor_id, event.actor_role, event.actor_organisation_id, event.detail)
            for event in AuditEvent.objects.filter(action="learning.premium.attendance").order_by("pk")
        ]

    premium.attendance_set(actor=association_staff, session=session, present_person_ids={teacher.pk})
    assert [(mark["enrolment__person_id"], mark["is_present"], mark["source"]) for mark in marks()] == [
        (teacher.pk, True, "manual"),
        (engineer.pk, False, "manual"),
    ]
    staff = (association_staff.pk, "provider_staff", association().pk)
    assert sorted(audited(), key=lambda event: event[3]["person"]) == [
        (*staff, {"session": session.pk, "person": teacher.pk, "present": True}),
        (*staff, {"session": session.pk, "person": engineer.pk, "present": False}),
    ]

    # The second learner's mark fails: the first one's is not kept either, nor any audit record.
    before = (marks(), audited(), AuditEvent.objects.count())
    record = premium._record
    calls: list[int] = []

    def failing_second(**arguments):  # type: ignore[no-untyped-def]
        calls.append(arguments["enrolment"].person_id)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return record(**arguments)

    with mock.patch.object(premium, "_record", failing_second), pytest.raises(RuntimeError):
        premium.attendance_set(actor=association_staff, session=session, present_person_ids={engineer.pk})
    assert calls == [teacher.pk, engineer.pk]
    assert (marks(), audited(), AuditEvent.objects.count()) == before

    # Someone not enrolled, or another provider's staff: refused, nothing changed.
    with pytest.raises(ValidationError) as error:
        premium.attendance_set(
            actor=association_staff, session=session, present_person_ids={engineer.pk, world.city_staff.pk}
        )
    assert error.value.messages == [str(premium.PREMIUM_NOT_ENROLLED)]
    with pytest.raises(PermissionDenied):
        premium.attendance_set(actor=world.provider_staff, session=session, present_person_ids=set())
    assert (marks(), audited(), AuditEvent.objects.count()) == before


# --- Quality online public courses -------------------------------------------------------------------------


def test_selected_quality_course_credits_its_instructor_twice_the_hours(world: World) -> None:
    course = quick_course(world.provider)  # 2 hours
    instructor = world.pending_professional
    declaration = quality.quality_declare(
        actor=world.provider_staff, course=course, instructor=instructor, year=YEAR
    )
    with pytest.raises(ValidationError):
        quality.quality_declare(actor=world.provider_staff, course=course, instructor=instructor, year=YEAR)
    with pytest.raises(PermissionDenied):
        quality.quality_record_result(actor=world.provider_staff, declaration=declaration, is_selected=True)
    quality.quality_record_result(actor=world.city_staff, declaration=declaration, is_selected=True)
    declaration.refresh_from_db()
    assert (declaration.status, declaration.credited_hours) == (SelectionStatus.SELECTED, Decimal("4.0"))
    entry = LedgerEntry.objects.get(person=instructor)
    assert (entry.category, entry.hours, entry.source_type, entry.source_id) == (
        "professional",
        Decimal("4.0"),
        "programme",
        f"quality:{declaration.pk}",
    )
    with pytest.raises(ValidationError):
        quality.quality_record_result(actor=world.city_staff, declaration=declaration, is_selected=True)
    assert LedgerEntry.objects.filter(person=instructor).count() == 1
    assert (
        AuditEvent.objects.filter(action="learning.quality.result", object_id=str(declaration.pk)).count()
        == 1
    )


def test_not_selected_credits_nothing_and_other_providers_cannot_declare(world: World) -> None:
    other = quick_course(Organisation.objects.get(name="山东理工职业学院"))
    with pytest.raises(PermissionDenied):
        quality.quality_declare(
            actor=world.provider_staff, course=other, instructor=world.professional, year=YEAR
        )
    declaration = quality.quality_declare(
        actor=world.provider_staff,
        course=quick_course(world.provider),
        instructor=world.professional,
        year=YEAR,
    )
    quality.quality_record_result(actor=world.city_staff, declaration=declaration, is_selected=False)
    assert not LedgerEntry.objects.filter(person=world.professional).exists()


def test_only_an_active_professional_can_be_declared_instructor(world: World) -> None:
    for person in (world.city_staff, world.provider_staff):  # staff-only accounts
        with pytest.raises(ValidationError) as error:
            quality.quality_declare(
                actor=world.provider_staff, course=quick_course(world.provider), instructor=person, year=YEAR
            )
        assert error.value.message_dict == {"instructor": [str(quality.QUALITY_INSTRUCTOR_NOT_ELIGIBLE)]}
    assert not QualityCourseDeclaration.objects.exists()
    assert not AuditEvent.objects.filter(action="learning.quality.declare").exists()


def test_a_premium_course_description_is_held_to_its_limit(world: World, association_staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        premium.premium_declare(
            actor=association_staff,
            organiser=association(),
            year=YEAR,
            title="简介过长的精品课",
            experts="王教授",
            description="简" * 5001,
        )
    assert error.value.message_dict == {"description": ["不能超过 5000 个字（现为 5001 个字）。"]}
    assert not PremiumCourse.objects.filter(title="简介过长的精品课").exists()


# --- Digital Technology Engineer ------------------------------------------------------------------------


def make_cohort(world: World, **extra) -> DigitalCohort:  # type: ignore[no-untyped-def]
    values = {
        "year": YEAR,
        "title": "大数据工程技术人员培训班",
        "direction": "大数据",
        "organiser": world.provider,
        "hours": Decimal(80),
        "days": 8,
        "registration_opens": datetime.date(2024, 6, 1),
        "registration_closes": datetime.date(2024, 6, 30),
        "eligible_categories": [ApplicantCategory.DIGITAL_TRANSFORMATION, ApplicantCategory.GRADUATE],
    }
    values.update(extra)
    cohort = digital.cohort_create(actor=world.city_staff, **values)
    return digital.cohort_publish(actor=world.city_staff, cohort=cohort)


def test_digital_cohort_notice_application_assessment_certificate_and_level(world: World) -> None:
    with pytest.raises(PermissionDenied):
        digital.cohort_create(
            actor=world.county_staff,
            year=YEAR,
            title="x",
            direction="y",
            organiser=world.provider,
            hours=Decimal(8),
            days=1,
            registration_opens=datetime.date(2024, 6, 1),
            registration_closes=datetime.date(2024, 6, 2),
            eligible_categories=[ApplicantCategory.GRADUATE],
        )
    cohort = make_cohort(world)
    assert cohort.status == CohortStatus.PUBLISHED
    notice = Notice.objects.get(pk=cohort.notice_id)
    assert notice.title == "2024年度“数字技术工程师”培训报名通知：大数据工程技术人员培训班"
    assert "报名对象：数字化转型企业、高校毕业生" in notice.body

    teacher = world.professional  # a school teacher with a bachelor's degree
    company_engineer = world.pending_professional  # 鲁科智能科技, an enterprise
    with pytest.raises(ValidationError) as error:
        digital.digital_apply(
            actor=teacher, cohort=cohort, category="digital_transformation", today=datetime.date(2024, 6, 5)
        )
    assert error.value.messages == [str(digital.ENTERPRISE_REQUIRED)]
    with pytest.raises(ValidationError) as error:
        digital.digital_apply(
            actor=teacher, cohort=cohort, category="specialised", today=datetime.date(2024, 6, 5)
        )
    assert error.value.messages == ["本期培训不面向““专精特新”企业”报名。"]
    with pytest.raises(ValidationError) as error:
        digital.digital_apply(
            actor=teacher, cohort=cohort, category="graduate", today=datetime.date(2024, 7, 1)
        )
    assert error.value.messages == ["该培训班不在报名时间内（2024年6月1日至2024年6月30日）。"]
    graduate = digital.digital_apply(
        actor=teacher, cohort=cohort, category="graduate", today=datetime.date(2024, 6, 5)
    )
    engineer = digital.digital_apply(
        actor=company_engineer,
        cohort=cohort,
        category="digital_transformation",
        today=datetime.date(2024, 6, 5),
    )
    assert company_engineer.unit.unit_type == UnitType.ENTERPRISE

    # A failed assessment credits nothing; the organiser (provider staff) records it.
    digital.digital_record_result(actor=world.provider_staff, application=engineer, passed=False)
    with pytest.raises(ValidationError) as error:
        digital.digital_record_result(
            actor=world.provider_staff, application=graduate, passed=False, technical_level="junior"
        )
    assert error.value.messages == [str(digital.LEVEL_NEEDS_PASS)]
    digital.digital_record_result(
        actor=world.provider_staff, application=graduate, passed=True, technical_level="intermediate"
    )
    graduate.refresh_from_db()
    assert graduate.result == AssessmentResult.PASSED
    assert graduate.certificate_number == f"SZGCS2024{cohort.pk:03d}{graduate.pk:06d}"
    assert (graduate.credited_hours, graduate.technical_level) == (
        Decimal("64.0"),
        TechnicalLevel.INTERMEDIATE,
    )
    # 80 hours over 8 days is capped at 8 hours a day.
    assert ledger_total(teacher, "professional") == Decimal("64.0")
    assert ledger_total(company_engineer, "professional") == Decimal(0)
    with pytest.raises(ValidationError):
        digital.digital_record_result(actor=world.provider_staff, application=graduate, passed=False)
    with pytest.raises(PermissionDenied):
        digital.digital_record_result(actor=world.other_county_staff, application=engineer, passed=True)


def test_digital_results_by_xlsx(world: World) -> None:
    cohort = make_cohort(world, eligible_categories=list(ApplicantCategory.values))
    teacher = digital.digital_apply(
        actor=world.professional, cohort=cohort, category="graduate", today=datetime.date(2024, 6, 5)
    )
    engineer = digital.digital_apply(
        actor=world.pending_professional,
        cohort=cohort,
        category="advanced_manufacturing",
        today=datetime.date(2024, 6, 5),
    )
    bad = digital.digital_import_results(
        actor=world.provider_staff,
        cohort=cohort,
        upload=xlsx(
            [
                ["证件号", "结业考核", "等级"],
                [world.professional.mobile, "优秀", ""],
                ["13911112222", "合格", ""],
            ]
        ),
    )
    assert bad.errors == [
        "第2行：结业考核请填写“合格”或“不合格”。",
        "第3行：未找到该人员或其未报名本期培训（13911112222）。",
    ]
    assert DigitalApplication.objects.filter(cohort=cohort, result="pending").count() == 2
    report = digital.digital_import_results(
        actor=world.provider_staff,
        cohort=cohort,
        upload=xlsx(
            [
                ["证件号", "结业考核", "等级"],
                [world.professional.mobile, "合格", "初级"],
                [world.pending_professional.mobile, "不合格", None],
            ]
        ),
    )
    assert (report.recorded, report.passed, report.errors) == (2, 1, [])
    teacher.refresh_from_db()
    engineer.refresh_from_db()
    assert (teacher.result, teacher.technical_level, teacher.credited_hours) == (
        "passed",
        "junior",
        Decimal("64.0"),
    )
    assert (engineer.result, engineer.credited_hours) == ("failed", None)
    # Re-importing the same file changes nothing and posts nothing more.
    again = digital.digital_import_results(
        actor=world.provider_staff,
        cohort=cohort,
        upload=xlsx([["证件号", "结业考核", "等级"], [world.professional.mobile, "合格", "初级"]]),
    )
    assert again.errors == []
    assert LedgerEntry.objects.filter(person=world.professional).count() == 1


# --- Stored text is in the platform's language ----------------------------------------------------------


def test_notifications_and_memos_are_stored_in_chinese_whatever_the_actors_language(world: World) -> None:
    """A reviewer working in English still leaves Chinese notifications, ledger memos and notices."""
    from django.utils import translation

    from accounts.models import Notification

    declaration = quality.quality_declare(
        actor=world.provider_staff,
        course=quick_course(world.provider),
        instructor=world.pending_professional,
        year=YEAR,
    )
    with translation.override("en"):
        assert str(quality.QUALITY_SELECTED_TITLE) == (
            "Your course has been selected as a quality online public course"
        )  # the catalogue does translate it: the override below is what keeps it Chinese
        quality.quality_record_result(actor=world.city_staff, declaration=declaration, is_selected=True)
        demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
        PremiumCourse.objects.filter(pk=demo.pk).update(status=ReviewStatus.SUBMITTED)
        premium.premium_publish(actor=world.city_staff, premium=demo)
        cohort = make_cohort(world)
    instructor_note = Notification.objects.get(recipient=world.pending_professional)
    assert (instructor_note.title, instructor_note.body) == (
        "您的课程入选优质在线公需课",
        quick_course(world.provider).title,
    )
    declarer_note = Notification.objects.filter(recipient=demo.declared_by).latest("pk")
    assert (declarer_note.title, declarer_note.body) == ("精品专业课已发布", demo.title)
    memo = LedgerEntry.objects.get(person=world.pending_professional).memo
    assert (
        memo == f"优质在线公需课《{quick_course(world.provider).title}》入选，按课程学时的2倍计入授课教师学时"
    )
    assert cohort.notice is not None
    assert cohort.notice.title == "2024年度“数字技术工程师”培训报名通知：大数据工程技术人员培训班"
    assert cohort.notice.body.startswith(
        "专业方向：大数据。承训机构：济宁职业技术学院。培训8天，共80.0学时。"
    )


def test_a_cohort_description_is_held_to_its_limit(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_cohort(world, title="说明过长的培训班", description="简" * 5001)
    assert error.value.message_dict == {"description": ["不能超过 5000 个字（现为 5001 个字）。"]}
    assert not DigitalCohort.objects.filter(title="说明过长的培训班").exists()
    assert len(make_cohort(world, description="简" * 5000).description) == 5000
