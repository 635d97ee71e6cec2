"""Learning's acceptance path, in real Chromium against the live server: a professional picks a public-
subject provider, watches the demo catalogue's 10-second lesson to the end (the player's heartbeats,
credited by the server's clock), passes the quiz, and sees the course hours on the hours page. A second
tab on the same lesson takes the lease; the first one is told its time no longer counts."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_demo
from hours.models import LedgerEntry
from learning.demo import QUICK_COURSE_TITLE
from learning.models import Enrolment, StudyFlag

PROFESSIONAL_MOBILE = "13800000005"
PROVIDER = "济宁职业技术学院"


def log_in(page: Any, login: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^身份证号或手机号\s*\*?$")).fill(login)
    page.get_by_label(re.compile(r"^密码\s*\*?$")).fill(password)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_pick_provider_watch_lesson_pass_quiz_and_see_hours(
    page: Any, new_page: Any, live_server: Any, transactional_db: None, results_dir: Path
) -> None:
    load_demo()
    log_in(page, PROFESSIONAL_MOBILE, DEMO_PASSWORD)

    # The dashboard's learner panel leads to the catalogue.
    learner_panel = page.locator('[data-panel="learner"]')
    expect(learner_panel).to_contain_text("尚未选择")
    learner_panel.get_by_role("link", name="选择施教机构，开始学习").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024年度在线学习")

    # 1. Pick the provider.
    page.get_by_label(PROVIDER).check()
    page.get_by_role("button", name="确定选择").click()
    expect(page.get_by_test_id("chosen-provider")).to_have_text(PROVIDER)

    # 2. Enrol in the demo course and open its only lesson (10 s).
    page.get_by_role("link", name=QUICK_COURSE_TITLE).click()
    page.get_by_role("button", name="选课").click()
    expect(page.get_by_role("alert").filter(has_text="已选课")).to_be_visible()
    page.get_by_role("link", name="开始学习").click()
    player = page.locator("#player")
    expect(player.locator("[data-player-status]")).to_contain_text("学习中")

    # A second tab on the same lesson takes over; the first is told its time no longer counts.
    second = new_page()
    second.context.add_cookies(page.context.cookies())
    second.goto(page.url)
    expect(second.locator("[data-player-status]")).to_contain_text("学习中")
    superseded = player.locator("[data-player-error]")
    expect(superseded).to_contain_text("您已在其他页面或设备上开始学习", timeout=15_000)
    second.close()
    page.reload()  # back in the first tab: a new session, resuming where the credited time stopped

    # 3. Watch to the end: the server credits the real elapsed time only.
    expect(player.locator("[data-player-done]")).to_be_visible(timeout=30_000)
    expect(player.locator("[data-player-watched]")).to_have_text("10")
    page.screenshot(path=str(results_dir / "learning-player-done.png"), full_page=True)

    # 4. The quiz, checked on the server.
    player.get_by_role("link", name="参加结课测验").click()
    page.get_by_label("公需科目·必修课").check()
    page.get_by_role("button", name="提交答卷").click()
    expect(page.get_by_role("alert").filter(has_text="测验通过")).to_be_visible()
    expect(page.get_by_test_id("course-status")).to_have_text("已完成")
    expect(page.get_by_test_id("credited-hours")).to_have_text("2")

    # 5. The hours page shows the course hours.
    page.get_by_role("link", name="查看我的学时").click()
    expect(page).to_have_url(re.compile(r"/hours/"))
    expect(page.get_by_test_id("public-progress")).to_contain_text("2 / 30")
    expect(page.get_by_test_id("ledger")).to_contain_text(QUICK_COURSE_TITLE)
    page.screenshot(path=str(results_dir / "learning-hours.png"), full_page=True)

    entry = LedgerEntry.objects.get(person__mobile=PROFESSIONAL_MOBILE)
    assert (entry.year, entry.category, entry.hours) == (2024, "public_compulsory", Decimal("2.0"))
    assert Enrolment.objects.get(person__mobile=PROFESSIONAL_MOBILE).completed_at is not None
    assert StudyFlag.objects.filter(person__mobile=PROFESSIONAL_MOBILE, kind="concurrent_session").exists()
