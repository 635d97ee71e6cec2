"""Fixtures for the hours tests: a clean cache and private storage per test, an open claim year, and
small evidence files (real magic bytes, generated here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from hours import services


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """The year's figures are cached; a test that edits them must not leak into the next test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def open_year(db: None) -> int:
    """The current year, with a rule set copied from 2024's (claim window: 1 January of this year to
    31 March of the next), so submissions are open whenever the tests run."""
    from hours.models import YearRuleSet

    year = timezone.localdate().year
    services.year_rules_load_defaults()
    # The demo world already copies the rules up to this year; a flushed database does not have them.
    if year != 2024 and not YearRuleSet.objects.filter(year=year).exists():
        services.year_rules_copy(actor=None, from_year=2024, to_year=year)
    return year
