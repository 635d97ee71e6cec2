"""Links to learning pages show only when the page opens for the viewer (never a link to a 404): each
link asks the same policy or queryset as its page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learning.demo import PREMIUM_TITLE
from learning.models import PremiumCourse
from learning.services import quality
from tests.fixtures import World, client_for

from .helpers import YEAR, quick_course

ROLES = (
    "platform_admin",
    "city_staff",
    "county_staff",
    "department_reviewer",
    "provider_staff",
    "unit_admin",
    "professional",
)


def links_to(html: str, href: str) -> bool:
    return f'href="{href}"' in html


@pytest.mark.parametrize("declared", [False, True], ids=["no declaration", "a declaration"])
def test_the_quality_course_link_shows_exactly_when_the_page_opens(world: World, declared: bool) -> None:
    if declared:
        quality.quality_declare(
            actor=world.provider_staff,
            course=quick_course(world.provider),
            instructor=world.professional,
            year=YEAR,
        )
    quality_page = reverse("learning_quality")
    shown: dict[str, bool] = {}
    for role in ROLES:
        client = client_for(getattr(world, role))
        opens = client.get(quality_page).status_code == 200
        # the course list always offers the page to whoever may open it; no page links to it otherwise
        response = client.get(reverse("learning_manage_courses"))
        if response.status_code == 200:
            shown[role] = links_to(response.content.decode(), quality_page)
            assert shown[role] == opens, (role, opens)
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert opens or not links_to(dashboard, quality_page), role
    # The course list's button: the city bureau records results, a CE base declares; other bureau staff
    # and department reviewers only once there is a declaration they can see.
    assert shown["city_staff"] and shown["provider_staff"]
    assert shown["county_staff"] == declared
    assert not shown["department_reviewer"]


def test_the_self_study_course_link_shows_only_to_those_who_may_open_it(world: World) -> None:
    premium = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    course = premium.self_study_course
    assert course is not None
    course_page = reverse("learning_course", args=[course.pk])
    linked: dict[str, bool] = {}
    for role in ROLES:
        client = client_for(getattr(world, role))
        response = client.get(reverse("learning_premium", args=[premium.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert course.title in html
        linked[role] = links_to(html, course_page)
        assert linked[role] == (client.get(course_page).status_code == 200), role
    assert linked["professional"] and linked["city_staff"]
    assert not linked["department_reviewer"] and not linked["provider_staff"]
