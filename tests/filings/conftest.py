"""Fixtures for the filings tests: the current year's rule set, private storage per test (except for
tests that need the real worker, which reads the configured storage), and filings in each state."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache

from filings import clock, services
from filings.models import TrainingFiling
from hours import services as hours_services
from tests.fixtures import World


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_storage(request: pytest.FixtureRequest, settings, tmp_path: Path) -> Path | None:  # type: ignore[no-untyped-def]
    if request.node.get_closest_marker("celery_worker") is not None:
        return None  # the worker process reads the configured storage
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Outside the real-worker tests, the import task runs in the test's process and transaction (with
    scripts/test a broker is configured, and the worker could not see uncommitted rows)."""
    if request.node.get_closest_marker("celery_worker") is not None:
        yield
        return
    from jinan_ce.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


def ensure_year_rules(*years: int) -> None:
    hours_services.year_rules_load_defaults()
    from hours.models import YearRuleSet

    for year in years:
        if year != 2024 and not YearRuleSet.objects.filter(year=year).exists():
            hours_services.year_rules_copy(actor=None, from_year=2024, to_year=year)


@pytest.fixture
def year_rules(db: None) -> int:
    """Rule sets for last, this and next year, so filings around today can be imported."""
    year = clock.today().year
    ensure_year_rules(year - 1, year, year + 1)
    return year


def filing_data(**overrides: object) -> services.FilingData:
    today = clock.today()
    values: dict[str, object] = {
        "title": "2026年中小学教师信息技术应用能力提升培训",
        "kind": "full_time",
        "organiser": "任城区教育和体育局",
        "start_date": today + datetime.timedelta(days=10),
        "end_date": today + datetime.timedelta(days=12),
        "training_days": 3,
        "planned_hours": Decimal("24"),
        "place": "任城区教师发展中心",
        "expected_participants": 60,
        "instructors": "王教授\n李老师",
        "description": "信息技术与学科教学融合",
    }
    values.update(overrides)
    return services.FilingData(**values)  # type: ignore[arg-type]


@pytest.fixture
def submitted_filing(world: World, year_rules: int) -> TrainingFiling:
    return services.filing_submit(actor=world.unit_admin, organisation=world.school, data=filing_data())


def move_clock(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


@pytest.fixture
def ended_filing(world: World, year_rules: int, monkeypatch: pytest.MonkeyPatch) -> TrainingFiling:
    """An approved three-day training of 任城区实验中学 that has ended (the clock moved past it)."""
    filing = services.filing_submit(actor=world.unit_admin, organisation=world.school, data=filing_data())
    services.filing_approve(actor=world.county_staff, filing_id=filing.pk)
    move_clock(monkeypatch, filing.end_date + datetime.timedelta(days=1))
    filing.refresh_from_db()
    return filing
