"""Pages and API: every page renders for the roles that may see it, scoping answers 404, the heartbeat
endpoint is small and refuses a superseded tab with 409."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning import selectors
from learning.demo import PREMIUM_TITLE
from learning.models import (
    Course,
    DigitalCohort,
    Enrolment,
    LessonProgress,
    Notice,
    PremiumCourse,
    StudyFlag,
    StudySession,
)
from learning.services import study
from tests.fixtures import World, client_for

from .helpers import YEAR, at, quick_course


def other_provider_course(world: World) -> Course:
    return (
        Course.objects.filter(year=YEAR)
        .exclude(provider=world.provider)
        .filter(provider__name="山东理工职业学院")
        .first()
    )


def test_learner_pages_render(world: World) -> None:
    client = client_for(world.professional)
    home = client.get(reverse("learning_home"))
    assert home.status_code == 200
    assert "济宁职业技术学院" in home.content.decode()
    response = client.post(reverse("learning_provider_choose"), {"year": YEAR, "provider": world.provider.pk})
    assert response.status_code == 302
    course = quick_course(world.provider)
    assert course.title in client.get(reverse("learning_home")).content.decode()
    assert client.get(reverse("learning_course", args=[course.pk])).status_code == 200
    client.post(reverse("learning_enrol", args=[course.pk]))
    assert Enrolment.objects.filter(person=world.professional, course=course).exists()
    player = client.get(reverse("learning_lesson", args=[course.lessons.get().pk]))
    assert player.status_code == 200
    assert 'src="/static/js/learning-player.js"' in player.content.decode()
    assert "<script>" not in player.content.decode()
    assert client.get(reverse("learning_quiz", args=[course.pk])).status_code == 200
    for name in ("learning_premium_list", "learning_digital", "learning_notices"):
        assert client.get(reverse(name)).status_code == 200, name
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-panel="learner"' in dashboard and "济宁职业技术学院" in dashboard


def test_other_providers_courses_are_404_for_learner_and_provider_staff(world: World) -> None:
    study.provider_choose(actor=world.professional, year=YEAR, provider=world.provider)
    other = other_provider_course(world)
    lesson_count = other.lessons.count()
    assert client_for(world.professional).get(reverse("learning_course", args=[other.pk])).status_code == 404
    staff = client_for(world.provider_staff)
    assert staff.get(reverse("learning_manage_course", args=[other.pk])).status_code == 404
    assert (
        staff.post(
            reverse("learning_manage_course_publish", args=[other.pk]), {"action": "withdraw"}
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.status == "published"
    own = quick_course(world.provider)
    assert staff.get(reverse("learning_manage_course", args=[own.pk])).status_code == 200
    # Bureau staff see every course, read only.
    city = client_for(world.city_staff)
    page = city.get(reverse("learning_manage_course", args=[other.pk]))
    assert page.status_code == 200 and "添加课时" not in page.content.decode()
    assert (
        city.post(
            reverse("learning_manage_lesson_add", args=[other.pk]),
            {"title": "x", "kind": "document", "duration_seconds": 5},
        ).status_code
        == 404
    )
    assert other.lessons.count() == lesson_count


def test_provider_staff_builds_and_publishes_a_course_through_the_pages(world: World) -> None:
    client = client_for(world.provider_staff)
    assert client.get(reverse("learning_manage_courses")).status_code == 200
    response = client.post(
        reverse("learning_manage_courses"),
        {
            "provider": world.provider.pk,
            "title": "网络安全新课",
            "kind": "public_elective",
            "year": YEAR,
            "topic": "网络安全",
            "hours": "1.5",
            "pass_mark": 80,
            "instructor": "",
            "description": "",
        },
    )
    course = Course.objects.get(title="网络安全新课")
    assert (
        response.status_code == 302 and course.provider == world.provider and course.hours == Decimal("1.5")
    )
    client.post(
        reverse("learning_manage_lesson_add", args=[course.pk]),
        {"title": "第一讲", "kind": "document", "duration_seconds": 30, "body": "内容"},
    )
    client.post(
        reverse("learning_manage_question_add", args=[course.pk]),
        {"text": "题目", "choice_1": "对", "choice_2": "错", "correct": ["1"]},
    )
    client.post(reverse("learning_manage_course_publish", args=[course.pk]))
    course.refresh_from_db()
    assert (course.status, course.lessons.count(), course.questions.count()) == ("published", 1, 1)
    assert client.get(reverse("dashboard")).content.decode().count('data-panel="provider"') == 1


def test_programme_and_notice_pages_render_for_staff(world: World) -> None:
    premium = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    cohort = DigitalCohort.objects.get(year=YEAR)
    city = client_for(world.city_staff)
    for url in (
        reverse("learning_premium_list"),
        reverse("learning_premium", args=[premium.pk]),
        reverse("learning_quality"),
        reverse("learning_digital"),
        reverse("learning_digital_cohort", args=[cohort.pk]),
        reverse("learning_manage_notices"),
        reverse("learning_notice_new"),
        reverse("learning_manage_courses"),
        reverse("learning_manage_flags"),
    ):
        assert city.get(url).status_code == 200, url
    provider = client_for(world.provider_staff)
    assert provider.get(reverse("learning_quality")).status_code == 200
    assert provider.get(reverse("learning_manage_notices")).status_code == 404


def test_bureau_publishes_a_notice_with_sanitised_rich_text(world: World) -> None:
    client = client_for(world.county_staff)
    response = client.post(
        reverse("learning_notice_new"),
        {
            "title": "任城区通知",
            "region": world.rencheng.pk,
            "published_at": "2024-06-01T09:00",
            "is_published": "on",
            "body_html": '<p onclick="x()">第一段<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)">链接</a>',
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get(title="任城区通知")
    assert notice.body_html == '<p>第一段</p><a rel="noopener noreferrer">链接</a>'
    assert notice.body == "第一段\n链接" or notice.body.replace("\n", "") == "第一段链接"
    assert notice.publisher == world.rencheng
    # The county cannot target another county.
    client.post(
        reverse("learning_notice_new"),
        {
            "title": "越权通知",
            "region": world.yanzhou.pk,
            "published_at": "2024-06-01T09:00",
            "is_published": "on",
            "body_html": "x",
        },
    )
    assert not Notice.objects.filter(title="越权通知").exists()
    page = client_for(None).get(reverse("learning_notice", args=[notice.pk])).content.decode()
    assert "<script>" not in page and "第一段" in page
    # Home page and dashboards show it.
    assert "任城区通知" in client_for(None).get(reverse("home")).content.decode()
    assert "任城区通知" in client_for(world.professional).get(reverse("dashboard")).content.decode()


def _open(client, lesson_pk: int) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("api_learning_study_session", args=[lesson_pk]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_heartbeat_api_credits_server_time_and_refuses_an_older_tab(world: World) -> None:
    study.provider_choose(actor=world.professional, year=YEAR, provider=world.provider)
    course = Course.objects.filter(year=YEAR, kind="professional", premium__isnull=True).first()
    client = client_for(world.professional)
    assert client.post(reverse("api_learning_enrol", args=[course.pk])).status_code == 201
    lesson = course.lessons.order_by("order").first()
    first = _open(client, lesson.pk)
    assert (first["position"], first["watched_seconds"], first["duration_seconds"]) == (0, 0, 30)
    # Pretend the session opened 4 s ago (the server's clock, moved back in the row).
    StudySession.objects.filter(token=first["token"]).update(
        last_heartbeat_at=StudySession.objects.get(token=first["token"]).last_heartbeat_at
        - datetime.timedelta(seconds=4)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("api_learning_heartbeat"),
            {"token": first["token"], "position": 4.5},
            content_type="application/json",
        )
    assert response.status_code == 200
    data = response.json()
    assert data["accepted"] and 4 <= data["watched_seconds"] < 5 and not data["lesson_completed"]
    learning_queries = [q["sql"] for q in queries.captured_queries if "learning_" in q["sql"]]
    assert len(learning_queries) == 4, learning_queries
    second = _open(client, lesson.pk)
    assert second["token"] != first["token"]
    refused = client.post(
        reverse("api_learning_heartbeat"),
        {"token": first["token"], "position": 30},
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == str(study.SESSION_SUPERSEDED)
    progress = LessonProgress.objects.get(enrolment__person=world.professional, lesson=lesson)
    assert progress.watched_ms == round(data["watched_seconds"] * 1000)
    bad = client.post(
        reverse("api_learning_heartbeat"), {"token": "x", "position": "NaN"}, content_type="application/json"
    )
    assert bad.status_code == 400


def test_api_catalogue_and_quiz(world: World) -> None:
    client = client_for(world.professional)
    response = client.post(
        reverse("api_learning_provider_choice"),
        json.dumps({"year": YEAR, "provider_id": world.provider.pk}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["provider"] == "济宁职业技术学院"
    courses = client.get(reverse("api_learning_courses"), {"year": YEAR}).json()
    titles = {c["title"] for c in courses["results"]}
    assert quick_course(world.provider).title in titles
    assert (
        courses["count"] == 22 + 3
    )  # 10 compulsory + 12 elective + 3 professional (the premium part is hidden)
    assert (
        client.get(reverse("api_learning_course", args=[other_provider_course(world).pk])).status_code == 404
    )
    assert client.get(reverse("api_learning_premium")).status_code == 200
    assert client.get(reverse("api_learning_cohorts")).json()["count"] == 1
    assert client_for(None).get(reverse("api_learning_notices")).status_code == 200


# --- Study flags name learners: each reader sees only those in their reach --------------------------------

YANZHOU_LEARNER = "兖州区李护士"


@pytest.fixture
def two_county_flags(world: World) -> Course:
    """A position-jump flag on 职业学院's quick course for 张敏 (任城区) and for a 兖州区 nurse."""
    from accounts import services as account_services
    from accounts.demo import make_id_number

    nurse = account_services.user_register(
        registration=account_services.Registration(
            mobile="13900000201",
            password="Flags-Study-2026!",
            real_name=YANZHOU_LEARNER,
            id_number=make_id_number("370812", datetime.date(1991, 3, 9), 27),
            unit=world.yanzhou_hospital,
            title_series="卫生技术",
            title_level="intermediate",
            specialty="护理",
            education="bachelor",
        )
    )
    course = quick_course(world.provider)
    for learner in (world.professional, nurse):
        study.provider_choose(actor=learner, year=YEAR, provider=world.provider)
        study.course_enrol(actor=learner, course=course)
        token = study.study_open(actor=learner, lesson=course.lessons.get(), now=at(0)).token
        study.study_heartbeat(actor=learner, token=token, position_seconds=9, now=at(3))  # a 6 s jump
    assert StudyFlag.objects.filter(course=course).count() == 2
    return course


# Who reads the flags list and the course's management page, and whose flags each shows.
RENCHENG, YANZHOU = "张敏", YANZHOU_LEARNER
FLAG_READERS = [
    # (reader, flags list status, course page status, learners named)
    ("professional", 404, 404, set()),
    ("unit_admin", 404, 404, set()),
    ("department_reviewer", 200, 404, set()),  # the department's own courses only: none flagged
    ("county_staff", 200, 200, {RENCHENG}),  # 任城区
    ("other_county_staff", 200, 200, {YANZHOU}),  # 兖州区
    ("city_staff", 200, 200, {RENCHENG, YANZHOU}),
    ("provider_staff", 200, 200, {RENCHENG, YANZHOU}),  # the course is theirs, whoever studied it
    ("platform_admin", 200, 200, {RENCHENG, YANZHOU}),
]


@pytest.mark.parametrize(("reader", "list_status", "course_status", "named"), FLAG_READERS)
def test_study_flags_show_only_learners_in_the_readers_reach(
    world: World, two_county_flags: Course, reader: str, list_status: int, course_status: int, named: set[str]
) -> None:
    client = client_for(getattr(world, reader))
    listing = client.get(reverse("learning_manage_flags"))
    course_page = client.get(reverse("learning_manage_course", args=[two_county_flags.pk]))
    assert (listing.status_code, course_page.status_code) == (list_status, course_status)
    for response in (listing, course_page):
        if response.status_code == 200:
            html = response.content.decode()
            assert {name for name in (RENCHENG, YANZHOU) if name in html} == named
    assert selectors.flags_visible_to(getattr(world, reader)).count() == len(named)
