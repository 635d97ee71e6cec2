"""Editing courses and their lessons: the page and the API for the provider's own staff, an
authorization matrix (another provider's staff and everyone else get 404; bureau staff read only), what
may change once learners enrolled or started studying, and the audit trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services as account_services
from accounts.models import AuditEvent, Organisation, Role
from accounts.policies import forget_roles
from learning.models import Course, Lesson
from learning.services import catalogue, study
from tests.fixtures import World, client_for

from .helpers import OPEN_DAY, YEAR, at, token_of

OTHER_PROVIDER = "山东理工职业学院"


def draft_course(world: World, title: str = "编辑用课程", lessons: int = 3) -> Course:
    course = catalogue.course_create(
        actor=world.provider_staff,
        provider=world.provider,
        year=YEAR,
        kind="public_elective",
        title=title,
        hours=Decimal(2),
        instructor="李老师",
    )
    for number in range(1, lessons + 1):
        catalogue.lesson_add(
            actor=world.provider_staff, course=course, title=f"第{number}讲", duration_seconds=10 * number
        )
    return course


def published_course(world: World, lessons: int = 3) -> Course:
    return catalogue.course_publish(actor=world.provider_staff, course=draft_course(world, lessons=lessons))


def lesson_titles(course: Course) -> list[str]:
    return list(course.lessons.order_by("order").values_list("title", flat=True))


def snapshot(course: Course) -> tuple[Any, ...]:
    course.refresh_from_db()
    return (
        course.title,
        course.topic,
        course.instructor,
        course.description,
        course.hours,
        course.kind,
        course.year,
        course.pass_mark,
        lesson_titles(course),
        list(course.lessons.order_by("order").values_list("duration_seconds", flat=True)),
    )


@pytest.fixture
def other_provider_staff(world: World):  # type: ignore[no-untyped-def]
    account_services.role_grant(
        actor=None,
        user=world.other_unit_admin,
        role=Role.PROVIDER_STAFF,
        organisation=Organisation.objects.get(name=OTHER_PROVIDER),
    )
    forget_roles(world.other_unit_admin)
    return world.other_unit_admin


EDIT = {
    "title": "编辑后的课程",
    "kind": "public_elective",
    "year": YEAR,
    "topic": "数字经济",
    "hours": "3.0",
    "instructor": "王老师",
    "pass_mark": 70,
    "description": "新的简介",
}


# --- The course edit page and API ---------------------------------------------------------------------


def test_provider_staff_edit_their_course_through_the_page_with_audit(world: World) -> None:
    course = published_course(world)
    client = client_for(world.provider_staff)
    detail = client.get(reverse("learning_manage_course", args=[course.pk])).content.decode()
    assert reverse("learning_manage_course_edit", args=[course.pk]) in detail
    page = client.get(reverse("learning_manage_course_edit", args=[course.pk]))
    assert page.status_code == 200 and 'value="李老师"' in page.content.decode()
    response = client.post(reverse("learning_manage_course_edit", args=[course.pk]), EDIT)
    assert response.status_code == 302 and response["Location"] == reverse(
        "learning_manage_course", args=[course.pk]
    )
    course.refresh_from_db()
    assert (
        course.title,
        course.topic,
        course.hours,
        course.instructor,
        course.pass_mark,
        course.description,
    ) == (
        "编辑后的课程",
        "数字经济",
        Decimal("3.0"),
        "王老师",
        70,
        "新的简介",
    )
    event = AuditEvent.objects.get(action="learning.course.update", object_id=str(course.pk))
    assert event.actor == world.provider_staff
    assert event.detail["fields"] == ["title", "topic", "description", "instructor", "hours", "pass_mark"]
    assert event.detail["previous"]["title"] == "编辑用课程" and event.detail["current"]["hours"] == "3.0"


def test_course_edit_page_shows_chinese_errors(world: World) -> None:
    course = draft_course(world)
    before = snapshot(course)
    client = client_for(world.provider_staff)
    response = client.post(
        reverse("learning_manage_course_edit", args=[course.pk]), {**EDIT, "title": "", "hours": "0"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "该字段是必填项。" in page and "确保该值大于或等于0.1。" in page
    # A company-only course kind for a public-subject package: the service's own message.
    association = Organisation.objects.get(name="济宁市继续教育协会")
    professional = catalogue.course_create(
        actor=None, provider=association, year=YEAR, kind="professional", title="协会专业课", hours=Decimal(2)
    )
    account_services.role_grant(
        actor=None, user=world.other_unit_admin, role=Role.PROVIDER_STAFF, organisation=association
    )
    forget_roles(world.other_unit_admin)
    response = client_for(world.other_unit_admin).post(
        reverse("learning_manage_course_edit", args=[professional.pk]),
        {**EDIT, "kind": "public_compulsory"},
    )
    assert response.status_code == 200
    assert str(catalogue.COURSE_PUBLIC_PROVIDER_ONLY) in response.content.decode()
    professional.refresh_from_db()
    assert (professional.kind, professional.title) == ("professional", "协会专业课")
    assert snapshot(course) == before


def test_kind_year_hours_and_pass_mark_are_fixed_once_learners_enrolled(world: World) -> None:
    course = published_course(world)
    study.provider_choose(actor=world.professional, year=YEAR, provider=world.provider)
    study.course_enrol(actor=world.professional, course=course)
    client = client_for(world.provider_staff)
    page = client.get(reverse("learning_manage_course_edit", args=[course.pk])).content.decode()
    assert 'data-testid="rules-fixed"' in page and 'name="hours"' in page and "disabled" in page
    with pytest.raises(ValidationError) as error:
        catalogue.course_update(actor=world.provider_staff, course=course, hours=Decimal(5))
    assert error.value.messages == [str(catalogue.COURSE_RULES_FIXED)]
    # Through the API: 400 with the same message, nothing changed.
    response = client.patch(
        reverse("api_learning_course", args=[course.pk]), {"hours": "5.0"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json() == {"detail": [str(catalogue.COURSE_RULES_FIXED)]}
    course.refresh_from_db()
    assert course.hours == Decimal(2)
    # The page's disabled fields keep their values; the name still changes.
    response = client.post(reverse("learning_manage_course_edit", args=[course.pk]), {**EDIT, "hours": "9.0"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.hours, course.pass_mark) == ("编辑后的课程", Decimal(2), 60)


def test_course_patch_api(world: World) -> None:
    course = published_course(world)
    client = client_for(world.provider_staff)
    response = client.patch(
        reverse("api_learning_course", args=[course.pk]),
        {"title": "  接口改名  ", "hours": "1.5", "description": "简介"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["title"], data["hours"], data["description"], len(data["lessons"])) == (
        "接口改名",
        "1.5",
        "简介",
        3,
    )
    bad = client.patch(
        reverse("api_learning_course", args=[course.pk]),
        {"kind": "nonsense"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "kind" in bad.json()
    course.refresh_from_db()
    assert (course.title, course.kind) == ("接口改名", "public_elective")
    assert AuditEvent.objects.filter(action="learning.course.update", object_id=str(course.pk)).count() == 1


@pytest.mark.parametrize(
    ("who", "page_status", "api_status"),
    [
        ("provider_staff", 302, 200),
        ("other_provider_staff", 404, 404),
        ("city_staff", 404, 403),
        ("county_staff", 404, 403),
        ("department_reviewer", 404, 404),
        ("unit_admin", 404, 404),
        ("professional", 404, 404),
    ],
)
def test_course_edit_authorization_matrix(
    world: World, other_provider_staff: Any, who: str, page_status: int, api_status: int
) -> None:
    course = published_course(world)
    before = snapshot(course)
    person = other_provider_staff if who == "other_provider_staff" else getattr(world, who)
    client = client_for(person)
    get_status = client.get(reverse("learning_manage_course_edit", args=[course.pk])).status_code
    assert get_status == (200 if page_status == 302 else 404)
    assert (
        client.post(reverse("learning_manage_course_edit", args=[course.pk]), EDIT).status_code == page_status
    )
    if page_status != 302:
        assert snapshot(course) == before
    response = client.patch(
        reverse("api_learning_course", args=[course.pk]),
        {"title": "越权改名"},
        content_type="application/json",
    )
    assert response.status_code == api_status
    lesson = course.lessons.order_by("order").first()
    lesson_urls = [
        reverse("learning_manage_lesson_edit", args=[course.pk, lesson.pk]),
        reverse("learning_manage_lesson_move", args=[course.pk, lesson.pk]),
        reverse("learning_manage_lesson_remove", args=[course.pk, lesson.pk]),
        reverse("learning_manage_lesson_video", args=[course.pk, lesson.pk]),
    ]
    if who != "provider_staff":
        for url in lesson_urls:
            assert (
                client.post(url, {"title": "x", "kind": "document", "duration_seconds": 5}).status_code == 404
            ), url
        assert client.delete(reverse("api_learning_lesson", args=[lesson.pk])).status_code == api_status
        assert (
            client.post(
                reverse("api_learning_lesson_order", args=[course.pk]),
                {"lessons": list(reversed([lesson.pk for lesson in course.lessons.all()]))},
                content_type="application/json",
            ).status_code
            == api_status
        )
        assert snapshot(course) == before
        assert not AuditEvent.objects.filter(actor=person, action__startswith="learning.").exists()


# --- Lessons: add, edit, reorder, remove until anyone studied ---------------------------------------------


def test_lessons_are_edited_reordered_and_removed_through_the_pages(world: World) -> None:
    course = published_course(world)  # published, nobody studying yet: lessons may still change
    client = client_for(world.provider_staff)
    first, second, third = course.lessons.order_by("order")
    detail = client.get(reverse("learning_manage_course", args=[course.pk])).content.decode()
    assert "上移" in detail and "下移" in detail and "添加课时" in detail
    assert client.get(reverse("learning_manage_lesson_edit", args=[course.pk, second.pk])).status_code == 200
    response = client.post(
        reverse("learning_manage_lesson_edit", args=[course.pk, second.pk]),
        {
            "title": "第二讲（修订）",
            "kind": "document",
            "duration_seconds": 25,
            "body": "讲稿",
            "video_url": "",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.title, second.duration_seconds, second.body) == ("第二讲（修订）", 25, "讲稿")
    # A video lesson needs a file or a same-site address: the page says so in Chinese.
    response = client.post(
        reverse("learning_manage_lesson_edit", args=[course.pk, second.pk]),
        {
            "title": "第二讲",
            "kind": "video",
            "duration_seconds": 25,
            "body": "",
            "video_url": "https://example.com/v.mp4",
        },
    )
    assert response.status_code == 200 and str(catalogue.VIDEO_URL_SAME_SITE) in response.content.decode()
    assert (
        client.post(
            reverse("learning_manage_lesson_move", args=[course.pk, third.pk]), {"direction": "up"}
        ).status_code
        == 302
    )
    assert lesson_titles(course) == ["第1讲", "第3讲", "第二讲（修订）"]
    client.post(reverse("learning_manage_lesson_move", args=[course.pk, first.pk]), {"direction": "down"})
    assert lesson_titles(course) == ["第3讲", "第1讲", "第二讲（修订）"]
    client.post(
        reverse("learning_manage_lesson_move", args=[course.pk, third.pk]), {"direction": "up"}
    )  # already first
    assert lesson_titles(course) == ["第3讲", "第1讲", "第二讲（修订）"]
    assert (
        client.post(reverse("learning_manage_lesson_remove", args=[course.pk, first.pk])).status_code == 302
    )
    assert lesson_titles(course) == ["第3讲", "第二讲（修订）"]
    assert list(course.lessons.order_by("order").values_list("order", flat=True)) == [1, 2]
    actions = list(
        AuditEvent.objects.filter(actor=world.provider_staff, object_id=str(course.pk))
        .exclude(action__in=["learning.course.create", "learning.lesson.add", "learning.course.publish"])
        .order_by("pk")
        .values_list("action", flat=True)
    )
    # The refused video edit and the move of the first lesson up changed nothing and left no record.
    assert actions == [
        "learning.lesson.update",
        "learning.lesson.reorder",
        "learning.lesson.reorder",
        "learning.lesson.remove",
    ]


def test_lessons_api_add_edit_reorder_remove(world: World) -> None:
    course = draft_course(world, lessons=2)
    client = client_for(world.provider_staff)
    added = client.post(
        reverse("api_learning_course_lessons", args=[course.pk]),
        {"title": "第三讲", "duration_seconds": 40},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["order"] == 3
    third = Lesson.objects.get(pk=added.json()["id"])
    edited = client.patch(
        reverse("api_learning_lesson", args=[third.pk]),
        {"duration_seconds": 45},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["duration_seconds"] == 45
    assert client.get(reverse("api_learning_lesson", args=[third.pk])).json()["title"] == "第三讲"
    ids = list(course.lessons.order_by("order").values_list("pk", flat=True))
    reordered = client.post(
        reverse("api_learning_lesson_order", args=[course.pk]),
        {"lessons": list(reversed(ids))},
        content_type="application/json",
    )
    assert reordered.status_code == 200
    assert [lesson["title"] for lesson in reordered.json()] == ["第三讲", "第2讲", "第1讲"]
    incomplete = client.post(
        reverse("api_learning_lesson_order", args=[course.pk]),
        {"lessons": ids[:2]},
        content_type="application/json",
    )
    assert incomplete.status_code == 400 and incomplete.json() == {
        "lessons": [str(catalogue.LESSON_ORDER_MISMATCH)]
    }
    assert client.delete(reverse("api_learning_lesson", args=[third.pk])).status_code == 204
    assert lesson_titles(course) == ["第2讲", "第1讲"]


def test_lessons_are_fixed_once_anyone_started_studying(world: World) -> None:
    course = published_course(world)
    learner = world.professional
    study.provider_choose(actor=learner, year=YEAR, provider=world.provider)
    study.course_enrol(actor=learner, course=course)
    first = course.lessons.order_by("order").first()
    session = study.study_open(actor=learner, lesson=first, now=OPEN_DAY)
    study.study_heartbeat(actor=learner, token=session.token, position_seconds=5, now=at(5))
    assert token_of(learner) == session.token
    before = snapshot(course)
    staff = world.provider_staff
    refusals = [
        lambda: catalogue.lesson_add(actor=staff, course=course, title="加一讲", duration_seconds=5),
        lambda: catalogue.lesson_update(actor=staff, lesson=first, duration_seconds=1),
        lambda: catalogue.lesson_move(actor=staff, lesson=first, step=1),
        lambda: catalogue.lessons_reorder(
            actor=staff, course=course, lesson_ids=list(reversed(lesson_ids(course)))
        ),
        lambda: catalogue.lesson_remove(actor=staff, lesson=first),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError) as error:
            refuse()
        assert error.value.messages == [str(catalogue.LESSONS_STUDIED)]
    client = client_for(staff)
    page = client.get(reverse("learning_manage_course", args=[course.pk])).content.decode()
    assert 'data-testid="lessons-studied"' in page and "上移" not in page and "添加课时" not in page
    edit_page = client.get(
        reverse("learning_manage_lesson_edit", args=[course.pk, first.pk])
    ).content.decode()
    assert "已有学员开始学习本课程" in edit_page and 'type="submit">保存' not in edit_page
    response = client.post(reverse("learning_manage_lesson_remove", args=[course.pk, first.pk]), follow=True)
    assert str(catalogue.LESSONS_STUDIED) in response.content.decode()
    api = client.delete(reverse("api_learning_lesson", args=[first.pk]))
    assert api.status_code == 400 and api.json() == {"detail": [str(catalogue.LESSONS_STUDIED)]}
    assert snapshot(course) == before
    assert (
        study.study_heartbeat(actor=learner, token=session.token, position_seconds=10, now=at(10)).watched_ms
        == 10_000
    )


def lesson_ids(course: Course) -> list[int]:
    return list(course.lessons.order_by("order").values_list("pk", flat=True))


def test_a_premium_courses_self_study_part_keeps_its_kind_and_year(world: World) -> None:
    from learning.models import PremiumCourse

    part = PremiumCourse.objects.filter(self_study_course__isnull=False).first().self_study_course
    with pytest.raises(ValidationError) as error:
        catalogue.course_update(actor=None, course=part, year=YEAR + 1)  # type: ignore[arg-type]
    assert error.value.messages == [str(catalogue.COURSE_PREMIUM_PART_FIXED)]
    part.refresh_from_db()
    assert part.year == YEAR
    assert (
        catalogue.course_update(actor=None, course=part, title="自学部分（新名）").title == "自学部分（新名）"
    )  # type: ignore[arg-type]


def test_a_course_description_is_held_to_its_limit(world: World) -> None:
    """A 3,000,000-character description used to be accepted by PATCH; the API, the page and the service
    hold it to 5,000 characters (the column is TEXT without a limit)."""
    course = draft_course(world)
    before = snapshot(course)
    client = client_for(world.provider_staff)
    response = client.patch(
        reverse("api_learning_course", args=[course.pk]),
        {"description": "x" * 3_000_000},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"description": ["请确保这个字段不能超过 5000 个字符。"]}
    response = client.post(
        reverse("learning_manage_course_edit", args=[course.pk]), {**EDIT, "description": "简" * 5001}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "description": ["确保该变量包含不超过 5000 字符 (目前字符数 5001)。"]
    }
    with pytest.raises(ValidationError) as error:
        catalogue.course_update(actor=world.provider_staff, course=course, description="简" * 5001)
    assert error.value.message_dict == {"description": ["不能超过 5000 个字（现为 5001 个字）。"]}
    with pytest.raises(ValidationError) as error:
        catalogue.course_create(
            actor=world.provider_staff,
            provider=world.provider,
            year=YEAR,
            kind="public_elective",
            title="简介过长的课程",
            hours=Decimal(1),
            description="简" * 5001,
        )
    assert error.value.message_dict == {"description": ["不能超过 5000 个字（现为 5001 个字）。"]}
    assert not Course.objects.filter(title="简介过长的课程").exists()
    assert snapshot(course) == before
    response = client.patch(
        reverse("api_learning_course", args=[course.pk]),
        {"description": "简" * 5000},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert len(response.json()["description"]) == 5000
