"""The shared page furniture: what every page's markup promises, whatever the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.context_processors import MAX_FLAT, MAX_PRIMARY, nav_entries
from accounts.models import MembershipStatus
from filings.models import CreditStatus, FilingStatus, ImportStatus
from hours.models import ClaimStatus
from learning.models import AssessmentResult, CohortStatus, CourseStatus, ReviewStatus, SelectionStatus
from tests.fixtures import World, client_for


def header_of(html: str) -> str:
    match = re.search(r"<header.*?</header>", html, re.S)
    assert match, "page has no <header>"
    return match.group(0)


def header_links(html: str) -> tuple[list[str], list[str]]:
    """The header's own entries (shown) and those under "更多", as hrefs."""
    header = header_of(html)
    shown = re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', header)
    more = re.findall(r'<a class="dropdown-item[^"]*" href="([^"]+)"', header)
    return shown, more


# --- navigation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["city_staff", "county_staff", "department_reviewer"])
def test_a_crowded_menu_keeps_the_everyday_entries_and_groups_the_rest_under_more(
    world: World, role: str
) -> None:
    person = getattr(world, role)
    entries = nav_entries(person)
    assert len(entries) > MAX_FLAT

    html = client_for(person).get("/dashboard/").content.decode()
    shown, more = header_links(html)
    shown = [href for href in shown if href != "/notifications/"]
    assert len(shown) <= MAX_PRIMARY
    assert shown[0] == "/dashboard/"
    # every destination is still in the header, exactly once
    assert sorted(shown + more) == sorted(entry.href for entry in entries)
    header = header_of(html)
    assert re.search(r'<button class="nav-link dropdown-toggle" type="button" id="nav-more-toggle"', header)
    assert 'data-bs-toggle="dropdown" aria-expanded="false">更多</button>' in header
    # grouped by area, each group under its heading
    assert '<span class="dropdown-header">个人中心</span>' in header


def test_the_more_toggle_is_marked_when_the_current_page_is_under_it(world: World) -> None:
    html = client_for(world.city_staff).get("/hours/reports/").content.decode()
    header = header_of(html)
    assert 'class="nav-link dropdown-toggle active"' in header
    assert '<a class="dropdown-item active" href="/hours/reports/" aria-current="page">' in header


@pytest.mark.parametrize("role", ["professional", "unit_admin", "provider_staff"])
def test_a_short_menu_is_shown_in_full(world: World, role: str) -> None:
    person = getattr(world, role)
    html = client_for(person).get("/dashboard/").content.decode()
    shown, more = header_links(html)
    assert more == []
    assert "nav-more-toggle" not in html
    assert [href for href in shown if href != "/notifications/"] == [
        entry.href for entry in nav_entries(person)
    ]


def test_the_header_collapses_to_the_menu_button_below_desktop_width(world: World) -> None:
    html = client_for(world.city_staff).get("/dashboard/").content.decode()
    assert '<nav class="navbar navbar-expand-xl navbar-dark"' in html


# --- status badges -----------------------------------------------------------------------------------

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"
STATUS_CHOICES = (
    MembershipStatus,
    ClaimStatus,
    FilingStatus,
    ImportStatus,
    CreditStatus,
    CourseStatus,
    ReviewStatus,
    SelectionStatus,
    CohortStatus,
    AssessmentResult,
)


def test_every_status_badge_has_a_visible_style() -> None:
    css = SITE_CSS.read_text(encoding="utf-8")
    # the default: any status, known or not, is dark text on a light ground
    default = re.search(r"^\.badge-status \{([^}]*)\}", css, re.M)
    assert default and "background:" in default.group(1) and "color: #343a40" in default.group(1)
    styled = set(re.findall(r"\.badge-status-([a-z_]+)", css))
    missing = {value for choices in STATUS_CHOICES for value in choices.values if value} - styled
    assert not missing, f"statuses without a colour: {sorted(missing)}"


def test_the_status_badge_names_its_status(world: World) -> None:
    html = client_for(world.provider_staff).get("/learning/manage/courses/?year=2024").content.decode()
    badge = '<span class="badge badge-status badge-status-published" data-status="published">已发布</span>'
    assert badge in html
