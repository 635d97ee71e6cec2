"""Figures cached because they are on every page or slow to count (docs/scaling.md, proposals 3 and 4):
the unread-notification badge and the staff dashboard's jurisdiction counts. Each test asserts the
exact figure, that it comes from the cache, and that the writes that change it are seen."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Notification, OrganisationKind, User
from tests.fixtures import World, client_for


def badge(client: Client, path: str = "/profile/") -> int | None:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'data-testid="unread-count">(\d+)<', page.content.decode())
    return int(found.group(1)) if found else None


def unread_in_database(person: User) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notification_counts(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT" in q["sql"] and "accounts_notification" in q["sql"]
    ]


def test_unread_badge_is_cached_and_follows_notify_and_reading(world: World) -> None:
    person = world.professional
    client = client_for(person)
    services.notify(recipient=person, title="第一条")
    services.notify(recipient=person, title="第二条")
    assert unread_in_database(person) >= 2
    expected = unread_in_database(person)
    assert badge(client) == expected
    with CaptureQueriesContext(connection) as second_page:
        assert badge(client) == expected
    assert notification_counts(second_page) == []  # from the cache
    services.notify(recipient=person, title="第三条")
    assert badge(client) == expected + 1
    assert client.post("/notifications/").status_code == 302  # 全部标为已读
    assert unread_in_database(person) == 0
    assert badge(client) is None


def test_notifying_a_units_admins_in_bulk_updates_their_badges(world: World) -> None:
    admin = world.other_unit_admin  # 鲁科公司
    client = client_for(admin)
    before = unread_in_database(admin)
    assert badge(client) == (before or None)
    services.employer_change_request(actor=world.professional, unit=world.company)
    assert unread_in_database(admin) == before + 1
    assert badge(client) == before + 1


def dashboard_figures(client: Client) -> tuple[int, int, int]:
    page = client.get("/dashboard/").content.decode()
    people = re.search(r'<div class="stat">(\d+)</div><div class="stat-label">管辖范围内专业技术人员', page)
    places = re.search(r"单位 (\d+) 个 · 主管部门 (\d+) 个", page)
    assert people and places, page
    return int(people.group(1)), int(places.group(1)), int(places.group(2))


def counted_directly(user: User) -> tuple[int, int, int]:
    organisations = selectors.organisations_visible_to(user)
    return (
        selectors.people_visible_to(user).exclude(pk=user.pk).count(),
        organisations.filter(kind=OrganisationKind.UNIT).count(),
        organisations.filter(kind=OrganisationKind.DEPARTMENT).count(),
    )


def jurisdiction_count_queries(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT" in q["sql"]
        and ('FROM "accounts_user"' in q["sql"] or 'FROM "accounts_organisation"' in q["sql"])
    ]


def test_staff_dashboard_counts_are_exact_and_cached_per_jurisdiction(world: World) -> None:
    county = world.county_staff  # 任城区
    # Someone else governing the same county, placed where the first is, shares the figures.
    colleague = User.objects.create(
        mobile="13900000077", real_name="任城区同事", unit=county.unit, password_changed_at=timezone.now()
    )
    services.role_grant(
        actor=world.platform_admin, user=colleague, role="county_bureau_staff", organisation=world.rencheng
    )
    expected = counted_directly(county)
    assert expected[0] > 0 and expected[1] > 0 and expected[2] > 0
    assert counted_directly(colleague) == expected
    client = client_for(county)
    assert dashboard_figures(client) == expected
    with CaptureQueriesContext(connection) as second_visit:
        assert dashboard_figures(client) == expected
    assert jurisdiction_count_queries(second_visit) == []
    with CaptureQueriesContext(connection) as colleague_visit:
        assert dashboard_figures(client_for(colleague)) == expected
    assert jurisdiction_count_queries(colleague_visit) == []
    # Another county is counted on its own.
    other = world.other_county_staff
    assert counted_directly(other) != expected
    assert dashboard_figures(client_for(other)) == counted_directly(other)
    # The figures are ten minutes old at most: a new person shows once the entry expires.
    User.objects.create(mobile="13900000078", real_name="新调入", unit=world.school)
    assert dashboard_figures(client) == expected
    cache.clear()
    assert dashboard_figures(client) == (expected[0] + 1, expected[1], expected[2])
