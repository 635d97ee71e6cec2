"""Issue 9's acceptance path in real Chromium against the live server: a unit admin files a training
before it starts, the county bureau approves it, and once the training is over the bureau uploads the
roster (with some bad rows), watches the progress bar finish, sees every bad row with its reason, and
downloads the report; then a professional on the roster sees the hours, on the filings page and in 我的学时.

The roster is imported by the real Celery worker under scripts/test (and in-process without a broker),
so the roster file goes to the configured private storage, which this test cleans up."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo, make_id_number
from filings import clock
from filings.models import FilingAttachment, RosterImport
from hours import services as hours_services
from hours.models import YearRuleSet

UNIT_ADMIN = "13800000004"  # 实验中学孙主任
COUNTY_STAFF = "13800000002"  # 任城区李干事
PROFESSIONAL = "13800000005"  # 张敏
ZHANG_MIN_ID = next(account.id_number for account in DEMO_ACCOUNTS if account.mobile == PROFESSIONAL)
TITLE = "2026年班主任能力提升专题培训"


def field(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page: Any, login: str) -> None:
    page.goto("/accounts/login/")
    field(page, "身份证号或手机号").fill(login)
    field(page, "密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def roster_file(path: Path, start: datetime.date, end: datetime.date) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "学员名单"
    sheet.append(["身份证号码", "姓名", "学时", "开始日期", "结束日期", "工作单位", "备注"])
    rows = [
        [ZHANG_MIN_ID.lower(), "张敏", 16, start, end, "任城区实验中学", ""],  # credited
        [make_id_number("370811", datetime.date(1995, 7, 1), 321), "韩梅梅", 12, None, None, "", ""],  # held
        ["370811199507013219", "李雷", 8, None, None, "", ""],  # wrong check digit
        [
            make_id_number("370811", datetime.date(1994, 3, 9), 322),
            "王芳",
            20,
            None,
            None,
            "",
            "",
        ],  # 2 days x 8
        [make_id_number("370811", datetime.date(1993, 1, 9), 323), "", 8, None, None, "", ""],  # no name
    ]
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_file_approve_import_roster_and_see_the_hours(
    page: Any,
    new_page: Any,
    live_server: Any,
    transactional_db: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    results_dir: Path,
) -> None:
    load_demo()
    hours_services.year_rules_load_defaults()
    today = clock.today()
    start, end = today + datetime.timedelta(days=3), today + datetime.timedelta(days=4)
    for year in {today.year, end.year}:
        if not YearRuleSet.objects.filter(year=year).exists():
            hours_services.year_rules_copy(actor=None, from_year=2024, to_year=year)
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )

    try:
        # 1. The unit admin files the training before it starts.
        log_in(page, UNIT_ADMIN)
        page.get_by_role("navigation").get_by_role("link", name="培训备案", exact=True).click()
        page.get_by_role("link", name="新建培训备案").click()
        field(page, "培训名称").fill(TITLE)
        field(page, "培训类型").select_option(label="脱产培训")
        field(page, "主办单位").fill("任城区教育和体育局")
        field(page, "开始日期").fill(start.isoformat())
        field(page, "结束日期").fill(end.isoformat())
        field(page, "培训天数").fill("2")
        field(page, "计划学时").fill("16")
        field(page, "培训地点").fill("任城区教师发展中心")
        field(page, "授课教师").fill("王教授（正高级）")
        field(page, "预计参训人数").fill("50")
        pdf = tmp_path / "培训通知.pdf"
        pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
        field(page, "附件").set_input_files(str(pdf))
        page.screenshot(path=str(results_dir / "filing-form.png"), full_page=True)
        page.get_by_role("button", name="提交备案").click()
        expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(page.locator("[data-status]").first).to_have_attribute("data-status", "submitted")
        expect(page.get_by_text("备案已提交，等待 任城区人力资源和社会保障局 审核。")).to_be_visible()

        # 2. The county bureau approves it.
        bureau = new_page()
        log_in(bureau, COUNTY_STAFF)
        bureau.get_by_role("navigation").get_by_role("link", name="培训备案", exact=True).click()
        bureau.get_by_role("link", name=re.compile("待我审核")).click()
        bureau.get_by_role("link", name=TITLE).click()
        bureau.get_by_role("button", name="审核通过").click()
        expect(bureau.get_by_text("已审核通过。")).to_be_visible()
        expect(bureau.locator("h1 + [data-status]")).to_have_attribute("data-status", "approved")
        expect(bureau.get_by_test_id("not-ended")).to_be_visible()  # no roster before the training ends
        bureau.screenshot(path=str(results_dir / "filing-approved.png"), full_page=True)

        # 3. The training is over (the live server runs in this process, so its clock moves too).
        monkeypatch.setattr(clock, "today", lambda: end + datetime.timedelta(days=1))
        bureau.reload()
        with bureau.expect_download() as template:
            bureau.get_by_role("link", name="下载名单模板").click()
        headers = next(
            load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))["学员名单"].iter_rows(
                values_only=True
            )
        )
        assert headers[:3] == ("身份证号码", "姓名", "学时")
        field(bureau, "学员名单文件（.xlsx）").set_input_files(
            str(roster_file(tmp_path / "学员名单.xlsx", start, end))
        )
        bureau.get_by_role("button", name="上传并导入").click()

        # 4. The progress bar runs to the end (polled through HTMX) and the bad rows are listed.
        expect(bureau).to_have_url(re.compile(r"/filings/imports/\d+/$"))
        status = bureau.locator("#import-status")
        expect(status).to_have_attribute("data-status", "finished", timeout=30_000)
        bar = status.locator(".progress-bar")
        expect(bar).to_have_attribute("data-progress", "100")
        expect(bar).to_have_text("100%")
        assert (
            bar.evaluate("element => element.style.width") == "100%"
        )  # painted by filings.js, no inline style
        expect(status.locator('[data-count="credited"]')).to_have_text("1")
        expect(status.locator('[data-count="held"]')).to_have_text("1")
        expect(status.locator('[data-count="error"]')).to_have_text("3")
        issues = bureau.get_by_test_id("issues")
        expect(issues.locator('[data-row="4"]')).to_contain_text("身份证号码校验位不正确")
        expect(issues.locator('[data-row="5"]')).to_contain_text(
            "超过上限：本次培训 2 天，每天至多 8 学时，共 16 学时"
        )
        expect(issues.locator('[data-row="6"]')).to_contain_text("姓名为空")
        bureau.get_by_role("link", name="待注册暂存").click()
        expect(bureau.get_by_test_id("issues")).to_contain_text("韩梅梅")
        with bureau.expect_download() as report:
            bureau.get_by_role("link", name="下载导入结果（.xlsx）").click()
        bad_rows = list(
            load_workbook(io.BytesIO(Path(report.value.path()).read_bytes()))["问题行"].iter_rows(
                values_only=True
            )
        )
        assert [row[0] for row in bad_rows[1:]] == [4, 5, 6]
        assert ZHANG_MIN_ID not in str(bad_rows)
        bureau.screenshot(path=str(results_dir / "filing-import-result.png"), full_page=True)

        # 5. The professional on the roster sees the hours.
        professional = new_page()
        log_in(professional, PROFESSIONAL)
        professional.goto("/filings/mine/")
        credits = professional.get_by_test_id("my-credits")
        expect(credits).to_contain_text(TITLE)
        expect(credits.locator("[data-hours]")).to_have_attribute("data-hours", "16.0")
        professional.get_by_role("navigation").get_by_role("link", name="我的学时", exact=True).click()
        expect(professional.get_by_test_id("ledger")).to_contain_text(f"培训备案：{TITLE}")
        assert console_errors == []
    finally:
        for name in RosterImport.objects.values_list("file", flat=True):
            default_storage.delete(name)
        for name in FilingAttachment.objects.values_list("file", flat=True):
            default_storage.delete(name)


def test_bureau_staff_type_in_a_paper_filing_picking_the_unit_by_search_on_a_phone(
    phone_page: Any, live_server: Any, transactional_db: None, results_dir: Path
) -> None:
    """The paper-filing form's unit picker: staff search by name (HTMX fills the results; Enter searches
    and does not submit), pick the unit, and the filing is recorded for it, approved at once."""
    load_demo()
    hours_services.year_rules_load_defaults()
    page = phone_page
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    today = clock.today()
    log_in(page, COUNTY_STAFF)
    page.goto("/filings/new/")
    search = page.get_by_label("查找单位（名称或统一社会信用代码）")
    search.fill("实验中")
    search.press("Enter")
    results = page.locator("#paper-unit-results")
    expect(results.get_by_text("任城区实验中学", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/filings/new/$"))  # Enter did not submit the form
    results.get_by_text("任城区实验中学", exact=True).click()
    expect(results.locator('input[type="radio"]:checked')).to_have_count(1)
    field(page, "纸质材料收到日期").fill((today - datetime.timedelta(days=20)).isoformat())
    field(page, "培训名称").fill("纸质备案：实验中学校本研修")
    field(page, "培训类型").select_option(label="脱产培训")
    field(page, "主办单位").fill("任城区实验中学")
    field(page, "开始日期").fill((today - datetime.timedelta(days=5)).isoformat())
    field(page, "结束日期").fill((today - datetime.timedelta(days=4)).isoformat())
    field(page, "培训天数").fill("2")
    field(page, "计划学时").fill("16")
    field(page, "培训地点").fill("学校报告厅")
    field(page, "预计参训人数").fill("40")
    page.screenshot(path=str(results_dir / "filing-paper-form-phone.png"), full_page=True)
    page.get_by_role("button", name="提交备案").click()
    expect(page.get_by_text("培训已备案。")).to_be_visible()
    expect(page.get_by_role("heading", name="纸质备案：实验中学校本研修")).to_be_visible()
    expect(page.locator("main")).to_contain_text("任城区实验中学")
    assert console_errors == []
