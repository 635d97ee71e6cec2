"""Dashboards (compliance by county, department and unit; month by month; claims waiting per stage
and overdue), the professional's forecast, the list of people behind, and the scheduled reminders."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from hours import dashboards
from hours.models import Claim, LedgerCategory, LedgerEntry, ReminderRun, SourceType
from tests.fixtures import World, client_for

from .helpers import file_claim, research
from .test_reports import credit, make_professional


@pytest.fixture
def people(world: World, open_year: int) -> dict[str, User]:
    year = open_year
    done = world.professional
    credit(done, year, LedgerCategory.PUBLIC_COMPULSORY, "20", "c1", SourceType.COURSE)
    credit(done, year, LedgerCategory.PUBLIC_ELECTIVE, "10", "e1", SourceType.COURSE)
    credit(done, year, LedgerCategory.PROFESSIONAL, "60", "p1")
    # the credits of the compliant person were posted in March (backdated here with the append-only
    # trigger set aside for this test's transaction only; the platform itself never updates entries)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred checks before the ALTER
            cursor.execute("ALTER TABLE hours_ledgerentry DISABLE TRIGGER hours_ledgerentry_append_only")
        LedgerEntry.objects.filter(person=done).update(
            created_at=datetime.datetime(year, 3, 15, 10, tzinfo=timezone.get_current_timezone())
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE hours_ledgerentry ENABLE TRIGGER hours_ledgerentry_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    behind = make_professional("孙落后", world.school)
    credit(behind, year, LedgerCategory.PUBLIC_COMPULSORY, "12", "c2", SourceType.COURSE)
    far = make_professional("周未学", world.yanzhou_hospital)
    return {"done": done, "behind": behind, "far": far}


def test_jurisdiction_figures(world: World, people: dict[str, User], open_year: int) -> None:
    figures = dashboards.jurisdiction_figures(world.city, open_year)
    assert (figures.overall.headcount, figures.overall.compliant) == (4, 1)  # with 陈静 (pending, 鲁科公司)
    counties = {row["label"]: (row["headcount"], row["compliant"], row["value"]) for row in figures.by_county}
    assert counties == {
        "任城区人力资源和社会保障局": (3, 1, Decimal("33.3")),
        "兖州区人力资源和社会保障局": (1, 0, Decimal("0.0")),
    }
    units = {row["label"]: (row["headcount"], row["compliant"]) for row in figures.by_unit}
    assert units["任城区实验中学"] == (2, 1)
    # month by month up to this month (the credits were posted in March); no month of the future
    monthly = [row["compliant"] for row in figures.monthly]
    assert monthly == ([0, 0] + [1] * 10)[: timezone.localdate().month]
    if timezone.localdate().month >= 3:
        assert figures.monthly[2]["value"] == Decimal("25.0")


def test_dashboard_page_draws_charts_with_their_tables(
    world: World, people: dict[str, User], open_year: int
) -> None:
    claim = file_claim(people["behind"], open_year, "PRO-4", research(open_year))
    Claim.objects.filter(pk=claim.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=30),
        review_due_at=timezone.now() - datetime.timedelta(days=1),
    )
    other = file_claim(people["far"], open_year, "PRO-4", research(open_year, "另一篇论文"))
    Claim.objects.filter(pk=other.pk).update(review_due_at=timezone.now() + datetime.timedelta(days=5))
    response = client_for(world.city_staff).get(reverse("hours_dashboard"), {"year": open_year})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") >= 4  # counties, departments, units, months, pending claims
    assert body.count('data-testid="chart-table"') == body.count("<svg")
    assert "任城区人力资源和社会保障局" in body and "33.3%" in body
    assert 'data-testid="rate">25.0%<' in body  # 1 of 4
    assert "<script" not in body.split("<footer")[0].split("<main")[1]  # no inline scripts
    pending = dashboards.pending_claims_by_stage(world.city_staff)
    # both wait at their unit; one is past its stage's deadline
    assert pending == [{"label": "单位审核", "value": 2, "overdue": 1}]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("professional", False),
        ("provider_staff", False),
        ("unit_admin", True),
        ("other_unit_admin", True),
        ("department_reviewer", True),
        ("county_staff", True),
        ("other_county_staff", True),
        ("city_staff", True),
    ],
)
def test_dashboard_and_behind_pages_matrix(
    world: World, people: dict[str, User], open_year: int, role: str, allowed: bool
) -> None:
    client = client_for(getattr(world, role))
    for name in ("hours_dashboard", "hours_behind"):
        assert client.get(reverse(name), {"year": open_year}).status_code == (200 if allowed else 404), name
    # nobody sees another jurisdiction's figures, whatever they put in the address
    if allowed and role != "city_staff":
        assert (
            client.get(
                reverse("hours_dashboard"), {"year": open_year, "organisation": world.city.pk}
            ).status_code
            == 404
        )
        assert (
            client.get(
                reverse("hours_behind"), {"year": open_year, "organisation": world.city.pk}
            ).status_code
            == 404
        )


def test_unit_admin_sees_who_is_behind(world: World, people: dict[str, User], open_year: int) -> None:
    body = client_for(world.unit_admin).get(reverse("hours_behind"), {"year": open_year}).content.decode()
    assert "孙落后" in body and "周未学" not in body and world.professional.real_name not in body
    assert "18" in body and "60" in body  # 30 - 12 public, 60 professional
    rows = dashboards.people_behind([world.school.path], open_year)
    assert [(row.name, dashboards.missing_of(row)) for row in rows] == [
        ("孙落后", (Decimal(18), Decimal(60)))
    ]


def test_forecast_for_a_professional(world: World, people: dict[str, User], open_year: int) -> None:
    forecast = dashboards.forecast_for(people["behind"], open_year, today=datetime.date(open_year, 10, 1))
    assert forecast.deadline == datetime.date(open_year, 12, 31)
    assert forecast.days_left == 91
    assert (forecast.missing_public, forecast.missing_professional) == (Decimal(18), Decimal(60))
    assert (forecast.missing_compulsory_courses, forecast.missing_elective_courses) == (
        Decimal(8),
        Decimal(10),
    )
    body = client_for(people["behind"]).get(reverse("hours_forecast"), {"year": open_year}).content.decode()
    assert 'data-testid="missing-public">18<' in body
    assert 'data-testid="missing-professional">60<' in body
    done = client_for(people["done"]).get(reverse("hours_forecast"), {"year": open_year}).content.decode()
    assert "已完成" in done


def test_reminders_go_to_those_behind_once_per_date(
    world: World, people: dict[str, User], open_year: int
) -> None:
    day = datetime.date(open_year, 11, 1)
    from accounts.selectors import unread_count

    unread_before = unread_count(people["behind"])  # cached now: the reminders must drop it
    assert dashboards.reminders_send_due(month_days=["11-01"], today=day - datetime.timedelta(days=1)) == 0
    assert not ReminderRun.objects.exists()
    sent = dashboards.reminders_send_due(month_days=["11-01"], today=day)
    assert sent == 3  # 孙落后, 周未学, 陈静; not 张敏
    reminded = set(
        Notification.objects.filter(title="继续教育学时提醒").values_list("recipient__real_name", flat=True)
    )
    assert reminded == {"孙落后", "周未学", world.pending_professional.real_name}
    body = Notification.objects.get(recipient=people["behind"], title="继续教育学时提醒").body
    assert "公需科目还需18学时" in body and "专业科目还需60学时" in body and f"{open_year}年12月31日" in body
    assert unread_count(people["behind"]) == unread_before + 1  # the badge shows it at once
    assert dashboards.reminders_send_due(month_days=["11-01"], today=day) == 0  # the same date again
    assert Notification.objects.filter(title="继续教育学时提醒").count() == 3


def test_beat_schedule_runs_the_reminder_task(settings) -> None:  # type: ignore[no-untyped-def]
    entry = settings.CELERY_BEAT_SCHEDULE["hours-reminders"]
    assert entry["task"] == "hours.tasks.hours_reminders_task"
    from hours.tasks import hours_reminders_task

    assert hours_reminders_task.name == entry["task"]


def test_beat_schedule_precomputes_the_dashboard_figures(settings) -> None:  # type: ignore[no-untyped-def]
    entry = settings.CELERY_BEAT_SCHEDULE["hours-dashboard-figures"]
    from hours.tasks import dashboard_figures_task

    assert entry["task"] == dashboard_figures_task.name == "hours.tasks.dashboard_figures_task"
    assert entry["schedule"] == dashboards.DASHBOARD_PRECOMPUTE_EVERY_SECONDS
    assert entry["options"]["queue"] == "reports"
    assert entry["schedule"] < dashboards.DASHBOARD_PRECOMPUTE_SECONDS  # a missed run leaves them there


def test_dashboard_reads_the_precomputed_figures(
    world: World, people: dict[str, User], open_year: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dashboards.dashboard_figures_precompute(year=open_year) == len(
        dashboards.precomputed_jurisdictions()
    )
    assert {organisation.pk for organisation in dashboards.precomputed_jurisdictions()} >= {
        world.city.pk,
        world.rencheng.pk,
        world.yanzhou.pk,
    }
    precomputed = cache.get(dashboards.figures_cache_key(world.city, open_year, "zh-hans"))
    assert (precomputed.overall.headcount, precomputed.overall.compliant) == (4, 1)

    def cold(*args: object, **kwargs: object) -> None:
        raise AssertionError("the dashboard computed the figures although they were precomputed")

    monkeypatch.setattr(dashboards, "jurisdiction_figures_compute", cold)
    for staff, headcount, compliant in ((world.city_staff, 4, 1), (world.county_staff, 3, 1)):
        response = client_for(staff).get(reverse("hours_dashboard"), {"year": open_year})
        assert response.status_code == 200
        assert response.context["figures"].computed_at is not None
        assert (
            response.context["figures"].overall.headcount,
            response.context["figures"].overall.compliant,
        ) == (
            headcount,
            compliant,
        )
        assert 'data-testid="computed-at"' in response.content.decode()


def test_a_visit_in_another_language_computes_its_own_figures(
    world: World, people: dict[str, User], open_year: int, settings: Any
) -> None:
    """The precomputed figures are in the platform's language; an English page does not show them."""
    dashboards.dashboard_figures_precompute(year=open_year)
    client = client_for(world.city_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("hours_dashboard"), {"year": open_year})
    assert response.status_code == 200
    departments = [row["label"] for row in response.context["figures"].by_department]
    assert "(No supervising department)" in departments and "（无主管部门）" not in departments
    assert cache.get(dashboards.figures_cache_key(world.city, open_year, "en")) is not None


def test_dashboard_computes_when_nothing_was_precomputed(
    world: World, people: dict[str, User], open_year: int
) -> None:
    key = dashboards.figures_cache_key(world.city, open_year, "zh-hans")
    assert cache.get(key) is None
    response = client_for(world.city_staff).get(reverse("hours_dashboard"), {"year": open_year})
    assert response.status_code == 200
    assert response.context["figures"].overall.headcount == 4
    assert cache.get(key).overall.headcount == 4  # and kept for the next visit


def test_precompute_without_any_year_rules_does_nothing(db: None) -> None:
    from hours.models import YearRuleSet

    YearRuleSet.objects.all().delete()
    assert dashboards.dashboard_figures_precompute() == 0


@pytest.mark.celery_worker
def test_the_worker_precomputes_the_dashboard_figures(transactional_db: None) -> None:
    """On the real stack (scripts/test): the beat task runs on the Celery worker, which writes the
    bureaus' figures into the shared cache, where the page then finds them."""
    import time

    from accounts.models import Organisation, OrganisationKind
    from hours import services
    from hours.tasks import dashboard_figures_task
    from tests.fixtures import build_world

    build_world()
    services.year_rules_load_defaults()
    person = User.objects.get(mobile="13800000005")
    credit(person, 2024, LedgerCategory.PUBLIC_COMPULSORY, "20", "c1", SourceType.COURSE)
    credit(person, 2024, LedgerCategory.PUBLIC_ELECTIVE, "10", "e1", SourceType.COURSE)
    credit(person, 2024, LedgerCategory.PROFESSIONAL, "60", "p1")
    city = Organisation.objects.get(kind=OrganisationKind.CITY_BUREAU)
    key = dashboards.figures_cache_key(city, 2024, "zh-hans")
    assert cache.get(key) is None
    dashboard_figures_task.delay(year=2024)
    deadline = time.monotonic() + 60
    while cache.get(key) is None:
        assert time.monotonic() < deadline, "the worker did not precompute the figures within 60 s"
        time.sleep(0.5)
    figures = cache.get(key)
    expected = dashboards.jurisdiction_figures_compute(city, 2024)
    assert figures.overall.headcount == expected.overall.headcount > 0
    assert figures.overall.compliant == expected.overall.compliant >= 1
    assert figures.by_unit == expected.by_unit


def test_nav_entries(world: World, open_year: int) -> None:
    professional = client_for(world.professional).get(reverse("dashboard")).content.decode()
    assert reverse("certificate_home") in professional and reverse("hours_reports") not in professional
    staff = client_for(world.county_staff).get(reverse("dashboard")).content.decode()
    assert reverse("hours_dashboard") in staff and reverse("hours_reports") in staff
