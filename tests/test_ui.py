"""The shared page furniture: what every page's markup promises, whatever the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.test import Client
from django.urls import reverse

from accounts.context_processors import MAX_FLAT, MAX_PRIMARY, nav_entries
from accounts.models import MembershipStatus
from filings.models import CreditStatus, FilingStatus, ImportStatus
from hours.models import ClaimStatus
from jinan_ce.forms import BootstrapFormRenderer
from learning.models import (
    AssessmentResult,
    CohortStatus,
    Course,
    CourseStatus,
    ReviewStatus,
    SelectionStatus,
)
from learning.selectors import notices_for, notices_published
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


# --- form controls -----------------------------------------------------------------------------------


class Controls(HTMLParser):
    """The form controls inside <main>: (tag, attributes) of every input, select and textarea."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        elif self.depth and tag in ("input", "select", "textarea"):
            self.found.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1


def controls_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Controls()
    parser.feed(html)
    return parser.found


BOOTSTRAP_CONTROL = {"form-control", "form-select", "form-check-input", "form-range", "btn-check"}


class SampleForm(forms.Form):
    name = forms.CharField(label="名称")
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲"), ("b", "乙")])
    many = forms.MultipleChoiceField(label="多选", choices=[("a", "甲")], widget=forms.SelectMultiple)
    agree = forms.BooleanField(label="同意", required=False)
    options = forms.MultipleChoiceField(
        label="选项", choices=[("1", "一"), ("2", "二")], widget=forms.CheckboxSelectMultiple
    )
    level = forms.ChoiceField(label="级别", choices=[("1", "一")], widget=forms.RadioSelect)
    note = forms.CharField(label="说明", widget=forms.Textarea, required=False)
    file = forms.FileField(label="附件", required=False)
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    small = forms.CharField(
        label="小", widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def classes(html: str, name: str) -> list[set[str]]:
    return [
        set(attrs.get("class", "").split())
        for _tag, attrs in controls_of(f"<main>{html}</main>")
        if attrs.get("name") == name
    ]


def test_the_form_renderer_gives_every_widget_bootstraps_class_for_its_kind() -> None:
    assert isinstance(get_default_renderer(), BootstrapFormRenderer)
    html = str(SampleForm())
    assert classes(html, "name") == [{"form-control"}]
    assert classes(html, "kind") == [{"form-select"}]
    assert classes(html, "many") == [{"form-select"}]
    assert classes(html, "agree") == [{"form-check-input"}]
    assert classes(html, "options") == [{"form-check-input"}, {"form-check-input"}]
    assert classes(html, "level") == [{"form-check-input"}]
    assert classes(html, "note") == [{"form-control"}]
    assert classes(html, "file") == [{"form-control"}]
    assert classes(html, "day") == [{"form-control"}]
    assert classes(html, "small") == [{"form-control", "form-control-sm"}]  # the form's own class stays
    assert classes(html, "token") == [set()]


def test_a_field_with_errors_is_marked_invalid() -> None:
    form = SampleForm(data={"kind": "x", "small": "", "options": ["1"], "level": "1"})
    assert not form.is_valid()
    html = str(form)
    assert classes(html, "name") == [{"form-control", "is-invalid"}]
    assert classes(html, "kind") == [{"form-select", "is-invalid"}]
    assert classes(html, "small") == [{"form-control", "form-control-sm", "is-invalid"}]
    assert classes(html, "note") == [{"form-control"}]


FORM_PAGES = [
    ("professional", "/profile/"),
    ("professional", "/accounts/password/change/"),
    ("professional", "/accounts/email/"),
    ("professional", "/hours/claims/new/PUB-2/"),
    ("provider_staff", "/learning/manage/courses/?year=2024"),
    ("provider_staff", "/learning/premium/"),
    ("provider_staff", "/learning/quality/"),
    ("city_staff", "/learning/digital/"),
    ("city_staff", "/learning/manage/notices/new/"),
    ("city_staff", "/hours/rules/"),
    ("unit_admin", "/filings/new/"),
    (None, "/accounts/signup/"),
    (None, "/accounts/login/"),
    (None, "/accounts/password/reset/"),
]


@pytest.mark.parametrize(("role", "path"), FORM_PAGES)
def test_every_form_control_on_the_pages_is_styled(world: World, role: str | None, path: str) -> None:
    response = client_for(getattr(world, role) if role else None).get(path, follow=True)
    assert response.status_code == 200
    controls = [
        (tag, attrs) for tag, attrs in controls_of(response.content.decode()) if attrs.get("type") != "hidden"
    ]
    assert controls, f"no form on {path}"
    unstyled = [
        attrs.get("name")
        for tag, attrs in controls
        if not BOOTSTRAP_CONTROL & set(attrs.get("class", "").split())
    ]
    assert not unstyled, f"unstyled controls on {path}: {unstyled}"


def test_the_course_form_of_a_course_page_is_styled(world: World) -> None:
    course = Course.objects.filter(provider=world.provider).order_by("pk").first()
    assert course is not None
    html = client_for(world.provider_staff).get(f"/learning/manage/courses/{course.pk}/").content.decode()
    kinds = {attrs.get("name"): attrs.get("class") for _tag, attrs in controls_of(html)}
    assert (
        kinds["kind"] == "form-select"
        and kinds["body"] == "form-control"
        and kinds["video"] == "form-control"
    )


def test_no_script_patches_form_controls() -> None:
    script = (Path(settings.BASE_DIR) / "static" / "js" / "site.js").read_text(encoding="utf-8")
    assert "form-control" not in script


# --- public links: notices and certificate verification ----------------------------------------------


def footer_of(html: str) -> str:
    match = re.search(r"<footer.*?</footer>", html, re.S)
    assert match, "page has no <footer>"
    return match.group(0)


def test_the_home_page_links_each_notice_the_notice_list_and_certificate_verification(world: World) -> None:
    visitor = Client()
    html = visitor.get("/").content.decode()
    notices = list(notices_published(limit=8))
    assert notices
    for notice in notices:
        href = reverse("learning_notice", args=[notice.pk])
        assert f'<a class="fw-semibold" href="{href}">{notice.title}</a>' in html
        assert visitor.get(href).status_code == 200
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/learning/notices/" aria-label="更多通知公告">更多</a>' in main
    assert f'href="{reverse("certificate_verify_form")}">学时证明核验</a>' in main
    assert visitor.get(reverse("learning_notices")).status_code == 200
    assert visitor.get(reverse("certificate_verify_form")).status_code == 200


@pytest.mark.parametrize("role", [None, "professional", "city_staff", "provider_staff"])
def test_every_footer_links_the_notices_and_certificate_verification(world: World, role: str | None) -> None:
    client = client_for(getattr(world, role) if role else None)
    for path in ("/", "/accounts/login/") if role is None else ("/dashboard/", "/profile/"):
        footer = footer_of(client.get(path).content.decode())
        assert '<a href="/learning/notices/">通知公告</a>' in footer
        assert f'<a href="{reverse("certificate_verify_form")}">学时证明核验</a>' in footer


@pytest.mark.parametrize("role", ["professional", "city_staff", "department_reviewer", "unit_admin"])
def test_dashboard_notices_link_to_their_pages(world: World, role: str) -> None:
    person = getattr(world, role)
    client = client_for(person)
    html = client.get("/dashboard/").content.decode()
    notices = list(notices_for(person, limit=5))
    assert notices
    for notice in notices:
        href = reverse("learning_notice", args=[notice.pk])
        assert f'<a class="fw-semibold" href="{href}">{notice.title}</a>' in html
        assert client.get(href).status_code == 200
    assert 'href="/learning/notices/" aria-label="更多通知公告">更多</a>' in html


# --- charts ------------------------------------------------------------------------------------------


def test_bar_charts_are_drawn_unscaled_so_their_text_stays_readable_on_a_phone(world: World) -> None:
    html = client_for(world.city_staff).get(reverse("hours_dashboard")).content.decode()
    charts = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert charts
    for chart in charts:
        assert chart.startswith('<svg class="bar-chart" width="100%" height="')
        assert "viewBox" not in chart and "font-size" not in chart  # no scaling; the text size is the CSS's
        labels = re.findall(r'<text class="bar-label" x="0" y="15">', chart)
        fills = re.findall(r'<rect class="bar-fill" x="0" y="22" height="12" width="([\d.]+)%"', chart)
        assert labels and len(fills) == len(
            labels
        )  # each bar under its label, its length a share of the width
        assert all(0 <= float(width) <= 100 for width in fills)
    css = SITE_CSS.read_text(encoding="utf-8")
    assert ".bar-chart { display: block; max-width: 48rem; overflow: visible; font-size: .875rem; }" in css


# --- buttons and the login page ----------------------------------------------------------------------


def test_button_labels_do_not_break() -> None:
    css = SITE_CSS.read_text(encoding="utf-8")
    rule = re.search(r"^\.btn \{([^}]*)\}", css, re.M)
    assert rule
    for declaration in (
        "display: inline-flex",
        "align-items: center",
        "justify-content: center",
        "white-space: nowrap",
    ):
        assert declaration in rule.group(1)


def test_the_login_page_offers_the_password_reset_once(world: World) -> None:
    html = Client().get(reverse("account_login")).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count(f'href="{reverse("account_reset_password")}"') == 1
    assert main.count("忘记密码") == 1
