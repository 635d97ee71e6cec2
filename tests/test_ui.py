"""The shared page furniture: what every page's markup promises, whatever the page."""

from __future__ import annotations

import re

import pytest

from accounts.context_processors import MAX_FLAT, MAX_PRIMARY, nav_entries
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
