"""The remaining pages and API endpoints, driven the way people use them: each answers 2xx/3xx for
whoever may use it and its effect is on record."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts import services as account_services
from accounts.demo import make_id_number
from accounts.models import AuditEvent, Organisation, Role
from accounts.policies import forget_roles
from learning.demo import PREMIUM_TITLE
from learning.models import (
    DigitalApplication,
    DigitalCohort,
    LiveAttendance,
    Notice,
    NoticeAttachment,
    PremiumCourse,
    PremiumEnrolment,
    QualityCourseDeclaration,
)
from learning.services import catalogue, digital, quality, study
from learning.services import premium as premium_services
from tests.fixtures import World, client_for

from .helpers import OPEN_DAY, YEAR, correct_answers, quick_course


def xlsx_upload(rows: list[list[object]], name: str = "名单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_learner_api_course_progress_and_quiz(world: World) -> None:
    person = world.professional
    study.provider_choose(actor=person, year=YEAR, provider=world.provider)
    course = quick_course(world.provider)
    client = client_for(person)
    detail = client.get(reverse("api_learning_course", args=[course.pk])).json()
    assert (detail["title"], len(detail["lessons"]), detail["question_count"]) == (course.title, 1, 1)
    client.post(reverse("api_learning_enrol", args=[course.pk]))
    lesson = course.lessons.get()
    token = study.study_open(actor=person, lesson=lesson, now=OPEN_DAY).token
    study.study_heartbeat(
        actor=person, token=token, position_seconds=10, now=OPEN_DAY + datetime.timedelta(seconds=10)
    )
    progress = client.get(reverse("api_learning_progress", args=[course.pk])).json()
    assert progress["progress"] == [
        {"lesson_id": lesson.pk, "watched_seconds": 10.0, "position": 0.0, "is_completed": True}
    ]
    answers = {str(key): value for key, value in correct_answers(course).items()}
    result = client.post(
        reverse("api_learning_quiz", args=[course.pk]), {"answers": answers}, content_type="application/json"
    )
    assert result.json() == {
        "score": 100,
        "is_passed": True,
        "correct_count": 1,
        "question_count": 1,
        "course_completed": True,
    }
    enrolments = client.get(reverse("api_learning_enrolments"), {"year": YEAR}).json()
    assert [e["credited_hours"] for e in enrolments["results"]] == ["2.0"]


def test_learner_api_programmes(world: World) -> None:
    client = client_for(world.professional)
    demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    assert client.post(reverse("api_learning_premium_enrol", args=[demo.pk])).status_code == 201
    assert PremiumEnrolment.objects.filter(premium=demo, person=world.professional).exists()
    cohort = DigitalCohort.objects.get(year=YEAR)
    response = client.post(
        reverse("api_learning_digital_apply", args=[cohort.pk]),
        {"category": "graduate"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["result"] == "pending"
    again = client.post(
        reverse("api_learning_digital_apply", args=[cohort.pk]),
        {"category": "graduate"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json() == {"detail": [str(digital.ALREADY_APPLIED)]}


@pytest.fixture
def association_staff(world: World):  # type: ignore[no-untyped-def]
    association = Organisation.objects.get(name="济宁市继续教育协会")
    account_services.role_grant(
        actor=None, user=world.other_unit_admin, role=Role.PROVIDER_STAFF, organisation=association
    )
    forget_roles(world.other_unit_admin)
    return world.other_unit_admin


def test_premium_pages_enrol_and_attendance(world: World, association_staff: Any) -> None:
    demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    learner = client_for(world.professional)
    assert learner.post(reverse("learning_premium_action", args=[demo.pk, "enrol"])).status_code == 302
    organiser = client_for(association_staff)
    page = organiser.get(reverse("learning_premium", args=[demo.pk])).content.decode()
    assert "出勤登记" in page and world.professional.real_name in page
    first, second = demo.live_sessions.order_by("starts_at")
    response = organiser.post(
        reverse("learning_premium_attendance", args=[demo.pk, first.pk]),
        {"present": [str(world.professional.pk)]},
    )
    assert response.status_code == 302
    organiser.post(
        reverse("learning_premium_attendance", args=[demo.pk, second.pk]),
        {"file": xlsx_upload([["手机号码", "出勤"], [world.professional.mobile, "是"]])},
    )
    assert LiveAttendance.objects.filter(enrolment__person=world.professional, is_present=True).count() == 2
    # Another provider's staff cannot record attendance.
    other = client_for(world.provider_staff)
    assert (
        other.post(
            reverse("learning_premium_attendance", args=[demo.pk, first.pk]), {"present": []}
        ).status_code
        == 404
    )
    assert LiveAttendance.objects.filter(enrolment__person=world.professional, is_present=True).count() == 2


def test_attendance_page_saves_the_ticked_list_whole_or_not_at_all(
    world: World, association_staff: Any
) -> None:
    demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    first = demo.live_sessions.order_by("starts_at").first()
    teacher, engineer = world.professional, world.pending_professional
    for person in (teacher, engineer):
        client_for(person).post(reverse("learning_premium_action", args=[demo.pk, "enrol"]))
    organiser = client_for(association_staff)
    url = reverse("learning_premium_attendance", args=[demo.pk, first.pk])

    def marks() -> dict[int, bool]:
        return dict(
            LiveAttendance.objects.filter(session=first).values_list("enrolment__person_id", "is_present")
        )

    assert organiser.post(url, {"present": [str(teacher.pk)]}).status_code == 302
    assert marks() == {teacher.pk: True, engineer.pk: False}
    # Ticking the other learner, and the recording fails at that second learner: the first one's
    # change (now absent) is not kept.
    record = premium_services._record
    calls: list[int] = []

    def failing_second(**arguments: Any) -> Any:
        calls.append(arguments["enrolment"].person_id)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return record(**arguments)

    events = AuditEvent.objects.count()
    with mock.patch.object(premium_services, "_record", failing_second), pytest.raises(RuntimeError):
        organiser.post(url, {"present": [str(engineer.pk)]})
    assert calls == [teacher.pk, engineer.pk]
    assert marks() == {teacher.pk: True, engineer.pk: False}
    assert AuditEvent.objects.count() == events


def test_quality_result_page(world: World) -> None:
    declaration = quality.quality_declare(
        actor=world.provider_staff,
        course=quick_course(world.provider),
        instructor=world.professional,
        year=YEAR,
    )
    assert (
        client_for(world.provider_staff)
        .post(reverse("learning_quality_result", args=[declaration.pk]), {"selected": "1"})
        .status_code
        == 404
    )
    response = client_for(world.city_staff).post(
        reverse("learning_quality_result", args=[declaration.pk]), {"selected": "1"}
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert (declaration.status, declaration.credited_hours) == ("selected", Decimal("4.0"))
    assert QualityCourseDeclaration.objects.count() == 1


def test_instructor_lookup_answers_alike_for_unregistered_and_undeclarable_numbers(world: World) -> None:
    """Provider staff declaring a quality course cannot tell an unregistered mobile number from a
    registered person who cannot be declared (a staff-only account, a deactivated professional): the
    page is the same but for the number typed, and names nobody."""
    deactivated = account_services.user_register(
        registration=account_services.Registration(
            mobile="13900000301",
            password="Instructor-2026!",
            real_name="离职的王老师",
            id_number=make_id_number("370811", datetime.date(1980, 5, 6), 33),
            unit=world.school,
            title_series="中小学教师",
            title_level="senior",
            specialty="数学",
            education="bachelor",
        )
    )
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    course = quick_course(world.provider)
    client = client_for(world.provider_staff)
    events = AuditEvent.objects.count()

    def declare(mobile: str) -> str:
        response = client.post(
            reverse("learning_quality"), {"course": course.pk, "instructor": mobile, "year": YEAR}
        )
        assert response.status_code == 200
        html = response.content.decode().replace(mobile, "<mobile>")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    unregistered = declare("13912345678")
    assert str(quality.QUALITY_INSTRUCTOR_NOT_ELIGIBLE) in unregistered
    for registered in (world.city_staff, deactivated):
        page = declare(registered.mobile)
        assert page == unregistered
        assert registered.real_name not in page
    assert not QualityCourseDeclaration.objects.exists()
    assert AuditEvent.objects.count() == events
    # By design any active registered professional may be declared, whichever unit they work at.
    response = client.post(
        reverse("learning_quality"),
        {"course": course.pk, "instructor": world.pending_professional.mobile, "year": YEAR},
    )
    assert response.status_code == 302
    assert QualityCourseDeclaration.objects.get().instructor == world.pending_professional


def test_digital_pages_publish_apply_and_record(world: World) -> None:
    city = client_for(world.city_staff)
    response = city.post(
        reverse("learning_digital"),
        {
            "title": "工业互联网工程技术人员培训",
            "year": YEAR,
            "direction": "工业互联网",
            "organiser": world.provider.pk,
            "hours": "40",
            "days": 5,
            "registration_opens": "2024-01-01",
            "registration_closes": "2030-12-31",
            "eligible_categories": ["graduate", "advanced_manufacturing"],
            "description": "",
        },
    )
    cohort = DigitalCohort.objects.get(title="工业互联网工程技术人员培训")
    assert response.status_code == 302 and cohort.status == "draft"
    assert city.post(reverse("learning_digital_action", args=[cohort.pk, "publish"])).status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == "published" and Notice.objects.filter(pk=cohort.notice_id).exists()
    learner = client_for(world.professional)
    assert (
        learner.post(
            reverse("learning_digital_action", args=[cohort.pk, "apply"]), {"category": "graduate"}
        ).status_code
        == 302
    )
    application = DigitalApplication.objects.get(cohort=cohort, person=world.professional)
    organiser = client_for(world.provider_staff)
    response = organiser.post(
        reverse("learning_digital_result", args=[cohort.pk, application.pk]),
        {"passed": "1", "technical_level": "junior"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.result, application.technical_level, application.credited_hours) == (
        "passed",
        "junior",
        Decimal("40.0"),
    )
    learner2 = client_for(world.pending_professional)
    learner2.post(
        reverse("learning_digital_action", args=[cohort.pk, "apply"]), {"category": "advanced_manufacturing"}
    )
    response = organiser.post(
        reverse("learning_digital_action", args=[cohort.pk, "import"]),
        {"file": xlsx_upload([["证件号", "结业考核"], [world.pending_professional.mobile, "不合格"]])},
    )
    assert response.status_code == 302
    assert DigitalApplication.objects.get(cohort=cohort, person=world.pending_professional).result == "failed"


def test_lesson_and_question_removal_while_draft(world: World) -> None:
    course = catalogue.course_create(
        actor=world.provider_staff,
        provider=world.provider,
        year=YEAR,
        kind="public_elective",
        title="草稿课",
        hours=Decimal(1),
    )
    lesson = catalogue.lesson_add(
        actor=world.provider_staff, course=course, title="第一讲", duration_seconds=30
    )
    question = catalogue.question_add(
        actor=world.provider_staff, course=course, text="题", choices=[("对", True), ("错", False)]
    )
    client = client_for(world.provider_staff)
    assert (
        client.post(reverse("learning_manage_lesson_remove", args=[course.pk, lesson.pk])).status_code == 302
    )
    assert (
        client.post(reverse("learning_manage_question_remove", args=[course.pk, question.pk])).status_code
        == 302
    )
    assert (course.lessons.count(), course.questions.count()) == (0, 0)


def test_notice_edit_and_attachments_pages(world: World, settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client = client_for(world.city_staff)
    client.post(
        reverse("learning_notice_new"),
        {
            "title": "全市通知",
            "region": "",
            "published_at": "2024-06-01T09:00",
            "is_published": "on",
            "body_html": "<p>一</p>",
        },
    )
    notice = Notice.objects.get(title="全市通知")
    assert client.get(reverse("learning_notice_edit", args=[notice.pk])).status_code == 200
    response = client.post(
        reverse("learning_notice_edit", args=[notice.pk]),
        {
            "title": "全市通知（更新）",
            "region": "",
            "published_at": "2024-06-01T09:00",
            "is_published": "on",
            "body_html": "<p>二</p>",
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.title, notice.body_html) == ("全市通知（更新）", "<p>二</p>")
    pdf = SimpleUploadedFile("附件.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert (
        client.post(reverse("learning_notice_attachment_add", args=[notice.pk]), {"file": pdf}).status_code
        == 302
    )
    attachment = NoticeAttachment.objects.get(notice=notice)
    assert (
        client_for(world.professional)
        .get(reverse("learning_notice_attachment", args=[notice.pk, attachment.pk]))
        .status_code
        == 200
    )
    remove = reverse("learning_notice_attachment_remove", args=[notice.pk, attachment.pk])
    assert client_for(world.county_staff).post(remove).status_code == 404
    assert client.post(remove).status_code == 302
    assert not NoticeAttachment.objects.filter(notice=notice).exists()


# --- Row errors never show a national ID number in full --------------------------------------------------


def _messages_in(response: Any) -> list[str]:
    """The messages a redirect leaves in the messages cookie, decoded (the cookie itself is compressed)."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    morsel = response.cookies.get("messages")
    if morsel is None or not morsel.value:
        return []
    return [str(message) for message in CookieStorage(HttpRequest())._decode(morsel.value) or []]


def test_upload_row_errors_mask_id_numbers_on_the_page_and_in_the_messages_cookie(
    world: World, association_staff: Any
) -> None:
    unknown = make_id_number("370811", datetime.date(1990, 1, 2), 17)  # registered by nobody
    registered = make_id_number("370811", datetime.date(1993, 2, 14), 82)  # 陈静's, who did not apply
    mistyped = unknown[:17] + ("0" if unknown[17] != "0" else "1")  # a wrong check digit
    cohort = digital.cohort_create(
        actor=world.city_staff,
        year=YEAR,
        title="大数据工程技术人员培训班",
        direction="大数据",
        organiser=world.provider,
        hours=Decimal(80),
        days=8,
        registration_opens=datetime.date(2024, 6, 1),
        registration_closes=datetime.date(2024, 6, 30),
        eligible_categories=["graduate"],
    )
    digital.cohort_publish(actor=world.city_staff, cohort=cohort)
    digital.digital_apply(
        actor=world.professional, cohort=cohort, category="graduate", today=datetime.date(2024, 6, 5)
    )
    demo = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    numbers = (unknown, registered, mistyped)
    for client, url, mark, row_message in (
        (
            client_for(world.provider_staff),
            reverse("learning_digital_action", args=[cohort.pk, "import"]),
            "合格",
            "第%(row)s行：未找到该人员或其未报名本期培训（%(value)s）。",
        ),
        (
            client_for(association_staff),
            reverse("learning_premium_attendance", args=[demo.pk, demo.live_sessions.first().pk]),
            "是",
            "第%(row)s行：未找到该人员或其未报名本课程（%(value)s）。",
        ),
    ):
        rows = [["身份证号码", "结果"], *([number, mark] for number in numbers)]
        response = client.post(url, {"file": xlsx_upload(rows)})
        assert response.status_code == 302
        expected = [
            row_message % {"row": row, "value": f"{number[:6]}********{number[14:]}"}
            for row, number in enumerate(numbers, start=2)
        ]
        assert _messages_in(response) == expected
        page = client.get(response["Location"]).content.decode()
        assert all(message in page for message in expected)
        for number in numbers:
            assert number not in page
            assert all(number not in morsel.value for morsel in response.cookies.values())
    assert DigitalApplication.objects.get(cohort=cohort).result == "pending"
    assert not LiveAttendance.objects.filter(enrolment__premium=demo).exists()
