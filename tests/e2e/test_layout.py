"""Layout in real Chromium: the header fits desktop screens without breaking a label, and pages stay
within a phone's width. (The markup itself is checked in tests/test_ui.py; this is what it looks like.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_demo
from accounts.models import User
from learning import policies as learning_policies
from learning.models import Course, Notice

CITY_STAFF = "13800000001"
COUNTY_STAFF = "13800000002"
DEPARTMENT_REVIEWER = "13800000003"
UNIT_ADMIN = "13800000004"


def field(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page: Any, mobile: str) -> None:
    page.goto("/accounts/login/")
    field(page, "身份证号或手机号").fill(mobile)
    field(page, "密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


# Every label in the header: its height in lines (1 = not wrapped) and its top edge.
HEADER_LABELS = """() => [...document.querySelectorAll(
    '.site-header .navbar-nav > .nav-item > .nav-link, .site-header .user-name, .site-header .nav-user .btn')]
  .map((el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const content = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
      - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
    const lines = Math.round(content / parseFloat(style.lineHeight));
    return {text: el.textContent.trim(), lines: lines, top: box.top};
  })"""


@pytest.mark.parametrize(
    ("mobile", "widths"),
    [
        (CITY_STAFF, (1280, 1440, 1920)),
        (COUNTY_STAFF, (1280, 1440, 1920)),
        (DEPARTMENT_REVIEWER, (1280,)),
        (UNIT_ADMIN, (1280,)),
    ],
)
def test_the_header_fits_on_one_line_at_desktop_widths(
    new_page: Any, live_server: Any, transactional_db: None, mobile: str, widths: tuple[int, ...]
) -> None:
    load_demo()
    page = new_page()
    log_in(page, mobile)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/dashboard/")
        labels = page.evaluate(HEADER_LABELS)
        assert labels, "no header labels found"
        wrapped = [label["text"] for label in labels if label["lines"] != 1]
        assert not wrapped, f"labels wrap at {width}px: {wrapped}"
        rows = {round(label["top"] / 20) for label in labels if label["text"] != "退出"}
        assert len(rows) == 1, f"the header needs more than one row at {width}px: {labels}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_more_menu_opens_and_is_walked_with_the_keyboard(
    page: Any, live_server: Any, transactional_db: None
) -> None:
    load_demo()
    log_in(page, CITY_STAFF)
    more = page.get_by_role("navigation").get_by_role("button", name="更多")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="诚信档案")).to_be_focused()
    page.keyboard.press("Escape")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    page.get_by_role("link", name="审计日志").click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(more).to_have_class(re.compile(r"\bactive\b"))


def test_on_a_phone_the_menu_button_lists_every_entry(
    phone_page: Any, live_server: Any, transactional_db: None
) -> None:
    load_demo()
    log_in(phone_page, CITY_STAFF)
    navigation = phone_page.get_by_role("navigation")
    expect(navigation.get_by_role("link", name="审计日志")).to_be_hidden()
    phone_page.get_by_role("button", name="展开菜单").click()
    for name in ("审核工作台", "诚信档案", "统计报表", "审计日志", "个人信息"):
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


PROVIDER_STAFF = "13800000006"
PHONE = {"width": 390, "height": 844}
PROFESSIONAL = "13800000005"


def test_form_pages_fit_a_phone(new_page: Any, live_server: Any, transactional_db: None) -> None:
    """No horizontal scrolling at 390px: every control (long course-name selects too) stays in its card."""
    load_demo()
    city = User.objects.get(mobile=CITY_STAFF)
    course = Course.objects.filter(provider__name="济宁职业技术学院").order_by("pk").first()
    notice = next(n for n in Notice.objects.order_by("pk") if learning_policies.can_edit_notice(city, n))
    assert course is not None
    pages = {
        PROVIDER_STAFF: [
            f"/learning/manage/courses/?year={course.year}",
            f"/learning/manage/courses/{course.pk}/",
            "/learning/premium/",
            "/learning/quality/",
        ],
        CITY_STAFF: ["/learning/digital/", f"/learning/manage/notices/{notice.pk}/"],
        PROFESSIONAL: ["/profile/"],
    }
    for mobile, paths in pages.items():
        page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        log_in(page, mobile)
        for path in paths:
            page.goto(path)
            expect(page.locator("main form").first).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px phone"


# The smallest text in the dashboard's charts, as drawn on screen (CSS pixels).
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.bar-chart text')]
  .map((text) => parseFloat(getComputedStyle(text).fontSize) * text.ownerSVGElement.getScreenCTM().a))"""


def test_dashboard_charts_are_readable_on_a_phone(
    phone_page: Any, live_server: Any, transactional_db: None
) -> None:
    load_demo()
    log_in(phone_page, CITY_STAFF)
    phone_page.goto("/hours/dashboard/")
    expect(phone_page.locator("svg.bar-chart").first).to_be_visible()
    assert phone_page.evaluate(SMALLEST_CHART_TEXT) >= 13
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the numbers are also a table
    phone_page.get_by_text("查看数据表").first.click()
    expect(phone_page.get_by_test_id("chart-table").first.locator("table")).to_be_visible()


# Each body cell of the page's first stacked table: its label, where its value starts, and whether the
# cell is one line high when its value is (a label never wraps).
STACKED_CELLS = """() => [...document.querySelector('table.table-responsive-stack')
  .querySelectorAll(':scope > tbody > tr > td')]
  .filter((td) => td.offsetParent !== null)
  .map((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const value = range.getBoundingClientRect();
    const style = getComputedStyle(td);
    const content = td.getBoundingClientRect().height - parseFloat(style.paddingTop)
      - parseFloat(style.paddingBottom);
    return {
      label: td.dataset.label || '',
      valueLeft: Math.round(value.left),
      cellLeft: Math.round(td.getBoundingClientRect().left),
      extraHeight: Math.round(content - value.height),
      align: style.textAlign,
      labelWrap: getComputedStyle(td, '::before').whiteSpace,
    };
  })"""


def test_stacked_tables_align_labels_and_values_on_a_phone(
    new_page: Any, live_server: Any, transactional_db: None
) -> None:
    load_demo()
    phone_page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone_page, PROVIDER_STAFF)
    phone_page.goto("/learning/manage/courses/?year=2024")  # the demo's courses: long titles, badges
    cells = phone_page.evaluate(STACKED_CELLS)
    labelled = [cell for cell in cells if cell["label"]]
    assert len(labelled) >= 6 * 10, cells
    # one column of labels that never wrap; every value starts at the same left edge, left-aligned
    assert {cell["labelWrap"] for cell in labelled} == {"nowrap"}
    assert len({cell["valueLeft"] for cell in labelled}) == 1, labelled
    assert {cell["align"] for cell in labelled} == {"left"}
    assert all(cell["extraHeight"] < 12 for cell in labelled), labelled  # no label wraps
    assert len({cell["cellLeft"] for cell in labelled}) == 1  # no cell indented more than the others

    # an empty list's message spans the row from its left edge
    learner = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(learner, PROFESSIONAL)
    learner.goto("/learning/")
    empty = [cell for cell in learner.evaluate(STACKED_CELLS) if not cell["label"]]
    assert empty and empty[0]["align"] == "left"
    assert empty[0]["valueLeft"] - empty[0]["cellLeft"] <= 16  # only the cell's padding before it


# A button's label: the space above and below it inside the button (CSS pixels).
BUTTON_LABEL_GAPS = """(button) => {
  const range = document.createRange();
  range.selectNodeContents(button);
  const text = range.getBoundingClientRect();
  const box = button.getBoundingClientRect();
  const lines = Math.round(text.height / parseFloat(getComputedStyle(button).lineHeight));
  return {above: text.top - box.top, below: box.bottom - text.bottom, lines: lines};
}"""


def test_small_link_buttons_centre_their_label(page: Any, live_server: Any, transactional_db: None) -> None:
    load_demo()
    log_in(page, CITY_STAFF)
    buttons = page.locator("main a.btn.btn-sm, main a.btn")
    assert buttons.count() >= 3
    for index in range(buttons.count()):
        gaps = buttons.nth(index).evaluate(BUTTON_LABEL_GAPS)
        assert abs(gaps["above"] - gaps["below"]) <= 2, (buttons.nth(index).inner_text(), gaps)


def test_the_member_search_button_keeps_its_label_on_one_line_on_a_phone(
    phone_page: Any, live_server: Any, transactional_db: None
) -> None:
    load_demo()
    log_in(phone_page, UNIT_ADMIN)
    phone_page.goto("/unit/members/")
    search = phone_page.get_by_role("button", name="搜索", exact=True)
    assert search.evaluate(BUTTON_LABEL_GAPS)["lines"] == 1
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
