"""The foundation's acceptance path, in real Chromium against the live server: a professional registers
(ID number typed the way people type it: full-width digits, lowercase x), waits for the unit, the unit
admin confirms them, and they log in again with their ID number and see that they are confirmed."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from accounts import identity
from accounts.demo import DEMO_PASSWORD, load_demo, make_id_number

REAL_NAME = "李晓明"
MOBILE = "13966668888"
PASSWORD = "Qinghe-Study-2024!"
UNIT = "任城区实验中学"
UNIT_ADMIN_MOBILE = "13800000004"
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def id_number_ending_in_x() -> str:
    """An ID number of a 任城区 resident whose check character is X, so the test can type it lowercase."""
    for sequence in range(100, 1000):
        candidate = make_id_number("370811", datetime.date(1992, 5, 17), sequence)
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no sequence gives the check character X")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出", exact=True).click()
    expect(page.get_by_role("link", name="登录", exact=True).first).to_be_visible()


def field(page: Any, label: str) -> Any:
    """The input labelled exactly `label` (required fields add a " *" the label's text includes)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page: Any, login: str, password: str) -> None:
    """Logs in through the login form, which takes an ID number or a mobile number."""
    page.goto("/accounts/login/")
    field(page, "身份证号或手机号").fill(login)
    field(page, "密码").fill(password)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_register_confirm_and_log_in_with_id_number(
    page: Any, phone_page: Any, live_server: Any, transactional_db: None, results_dir: Path
) -> None:
    load_demo()
    id_number = id_number_ending_in_x()
    typed_id_number = id_number.lower().translate(FULL_WIDTH_DIGITS)  # "３７０８１１…x"
    masked = identity.mask_id_number(id_number)
    dashboard_url = f"{live_server.url}/dashboard/"

    # A phone-sized look at the public home page before anyone logs in.
    phone_page.goto("/")
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("继续教育")
    phone_page.screenshot(path=str(results_dir / "phone-home.png"), full_page=True)
    phone_page.goto("/accounts/signup/")
    phone_page.screenshot(path=str(results_dir / "phone-signup.png"), full_page=True)

    # 1. Registration.
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="专业技术人员实名注册")).to_be_visible()
    field(page, "真实姓名").fill(REAL_NAME)
    field(page, "身份证号码").fill(typed_id_number)
    field(page, "手机号码").fill(MOBILE)
    field(page, "密码").fill(PASSWORD)
    field(page, "确认密码").fill(PASSWORD)
    field(page, "工作单位").fill(UNIT)
    page.locator("main").get_by_role("button", name="注册", exact=True).click()

    expect(page).to_have_url(dashboard_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(REAL_NAME)
    professional_panel = page.locator('[data-panel="professional"]')
    expect(professional_panel).to_contain_text(UNIT)
    expect(professional_panel).to_contain_text(masked)
    expect(professional_panel).to_contain_text("待单位确认")
    expect(page.locator("body")).not_to_contain_text(id_number)  # never the full number on screen
    log_out(page)

    # 2. The unit admin confirms the new member.
    log_in(page, UNIT_ADMIN_MOBILE, DEMO_PASSWORD)
    page.goto("/unit/members/")
    row = page.locator("#pending tr", has_text=REAL_NAME)
    expect(row).to_contain_text(masked)
    row.get_by_role("button", name="确认", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=REAL_NAME)).to_contain_text("已确认")
    expect(page.locator("#pending tr", has_text=REAL_NAME)).to_have_count(0)
    log_out(page)

    # 3. The professional logs in with the ID number this time and sees the confirmation.
    log_in(page, id_number, PASSWORD)
    professional_panel = page.locator('[data-panel="professional"]')
    expect(professional_panel).to_contain_text("已确认")
    expect(professional_panel).not_to_contain_text("待单位确认")

    # The same dashboard on a phone.
    log_in(phone_page, MOBILE, PASSWORD)
    expect(phone_page.locator('[data-panel="professional"]')).to_contain_text("已确认")
    phone_page.screenshot(path=str(results_dir / "phone-dashboard.png"), full_page=True)
