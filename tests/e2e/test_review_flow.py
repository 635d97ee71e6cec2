"""The review workflow in real Chromium: 张敏 files a PUB-2 claim (grade B, 20 学时) with a PDF; the unit
admin, the department reviewer and the county bureau approve it in turn from their 审核工作台 (the
evidence shown inline); 张敏's 我的学时 then shows the 20 hours, and the claim behind them shows every
decision on record (谁审核，谁负责)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_demo
from hours import services
from hours.models import Claim, LedgerEntry, ReviewRecord, YearRuleSet
from hours.review_demo import DEMO_PDF, load_review_demo

PROFESSIONAL = "13800000005"  # 张敏, 任城区实验中学
UNIT_ADMIN = "13800000004"  # 实验中学孙主任
DEPARTMENT_REVIEWER = "13800000003"  # 教体局赵老师 (任城区教育和体育局)
COUNTY_STAFF = "13800000002"  # 任城区李干事


def field(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page: Any, mobile: str) -> None:
    page.goto("/accounts/login/")
    field(page, "身份证号或手机号").fill(mobile)
    field(page, "密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def approve_from_queue(page: Any, claim: Claim, expected_message: str, results_dir: Path, name: str) -> None:
    """From the dashboard: the reviewer panel, the queue, the claim, its evidence inline, approve."""
    expect(page.locator('[data-panel="review"]')).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="审核工作台").click()
    expect(page).to_have_url(re.compile(r"/hours/review/$"))
    row = page.locator(f'[data-testid="review-queue"] tr[data-claim="{claim.pk}"]')
    expect(row).to_contain_text("张敏")
    page.screenshot(path=str(results_dir / f"review-queue-{name}.png"), full_page=True)
    expect(row).to_contain_text("全国职称外语考试")
    row.get_by_role("link", name="审核").click()
    expect(page).to_have_url(re.compile(rf"/hours/review/claims/{claim.pk}/"))
    frame = page.locator('[data-testid="evidence-inline"] iframe')
    expect(frame).to_have_attribute("src", re.compile(rf"/hours/claims/{claim.pk}/evidence/\d+/$"))
    expect(page.get_by_test_id("preview-hours")).to_contain_text("20")
    page.screenshot(path=str(results_dir / f"review-{name}.png"), full_page=True)
    form = page.get_by_test_id("decision-form")
    form.get_by_label(re.compile("^意见")).fill(f"{name}：材料齐全，同意")
    form.get_by_role("button", name=re.compile("^审(核|批)通过$")).click()
    expect(page.locator(".messages")).to_contain_text(expected_message)
    expect(page).to_have_url(re.compile(r"/hours/review/$"))
    expect(page.locator(f'[data-testid="review-queue"] tr[data-claim="{claim.pk}"]')).to_have_count(0)


def test_a_claim_approved_by_unit_department_and_county(
    new_page: Any,
    live_server: Any,
    transactional_db: None,
    settings: Any,
    tmp_path: Path,
    results_dir: Path,
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    load_demo()
    services.year_rules_load_defaults()
    year = timezone.localdate().year
    if not YearRuleSet.objects.filter(year=year).exists():
        services.year_rules_copy(actor=None, from_year=2024, to_year=year)
    load_review_demo()  # other work in every queue, as in the demo
    console_errors: list[str] = []

    def watch(page: Any) -> Any:
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        return page

    # 张敏 files and submits the claim.
    professional = watch(new_page())
    log_in(professional, PROFESSIONAL)
    professional.goto("/hours/claims/new/PUB-2/")
    field(professional, "合格级别").select_option("B")
    field(professional, "成绩通知书编号").fill("2024-WY-0001")
    professional.get_by_label(re.compile("^证明材料")).set_input_files(
        files=[{"name": "成绩通知书.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}]
    )
    professional.get_by_role("button", name="提交审核").click()
    expect(professional.get_by_test_id("claim-status")).to_have_text("审核中")
    expect(professional.get_by_test_id("review-stages")).to_contain_text("单位审核 · 任城区实验中学")
    claim = Claim.objects.get(evidence_key="number:2024WY0001")

    # Each reviewer in turn, in a browser of their own.
    for mobile, message, name in (
        (UNIT_ADMIN, "已审核通过，申报已转至主管部门审核。", "单位"),
        (DEPARTMENT_REVIEWER, "已审核通过，申报已转至人社部门审批。", "主管部门"),
        (COUNTY_STAFF, "已审批通过，认定20学时，已记入申报人的学时记录。", "人社部门"),
    ):
        reviewer = watch(new_page())
        log_in(reviewer, mobile)
        approve_from_queue(reviewer, claim, message, results_dir, name)

    # 张敏's hours: the credit, and behind it the whole trail.
    professional.get_by_role("navigation").get_by_role("link", name="我的学时").click()
    expect(professional.get_by_test_id("public-progress")).to_contain_text("学时折算（申报）")
    expect(professional.get_by_test_id("public-progress").locator("dd").nth(2)).to_have_text("20")
    ledger_row = professional.get_by_test_id("ledger").locator("tbody tr", has_text=f"#{claim.pk}")
    expect(ledger_row).to_contain_text("20")
    professional.screenshot(path=str(results_dir / "review-my-hours.png"), full_page=True)
    ledger_row.get_by_role("link", name=re.compile(rf"#{claim.pk}")).click()
    expect(professional.get_by_test_id("claim-status")).to_have_text("已通过")
    expect(professional.get_by_test_id("credited-hours")).to_contain_text("20")
    trail = professional.get_by_test_id("review-trail").locator("tbody tr")
    expect(trail).to_have_count(4)
    expect(trail.nth(0)).to_contain_text("提交审核")
    expect(trail.nth(1)).to_contain_text("实验中学孙主任")
    expect(trail.nth(1)).to_contain_text("单位：材料齐全，同意")
    expect(trail.nth(2)).to_contain_text("教体局赵老师")
    expect(trail.nth(3)).to_contain_text("任城区李干事")
    expect(trail.nth(3)).to_contain_text("人社部门审批")
    professional.screenshot(path=str(results_dir / "review-claim-trail.png"), full_page=True)

    assert [
        (e.hours, e.source_id)
        for e in LedgerEntry.objects.filter(person__mobile=PROFESSIONAL, source_type="claim")
    ] == [(20, str(claim.pk))]
    assert [r.decision for r in ReviewRecord.objects.filter(claim=claim).order_by("id")] == [
        "submit",
        "approve",
        "approve",
        "approve",
    ]
    assert all(r.ip_address == "127.0.0.1" for r in ReviewRecord.objects.filter(claim=claim))
    assert console_errors == []
