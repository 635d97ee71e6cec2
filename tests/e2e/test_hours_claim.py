"""Hours in real Chromium against the live server: a professional files a PUB-2 claim (grade B) with a
small generated PDF, previews it (HTMX: 20 学时, no page load), submits it and sees it as 审核中."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_demo
from hours import services
from hours.models import Claim, YearRuleSet

PROFESSIONAL_MOBILE = "13800000005"  # 张敏, 任城区实验中学
# A minimal, well-formed one-page PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def field(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page: Any) -> None:
    page.goto("/accounts/login/")
    field(page, "身份证号或手机号").fill(PROFESSIONAL_MOBILE)
    field(page, "密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_file_a_pub_2_claim_preview_and_submit(
    page: Any,
    phone_page: Any,
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
        services.year_rules_copy(actor=None, from_year=2024, to_year=year)  # claims for this year are open
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )

    log_in(page)
    expect(page.locator('[data-panel="hours"]')).to_contain_text(f"{year}年度学时")

    page.get_by_role("navigation").get_by_role("link", name="学时申报").click()
    page.get_by_role("link", name="新建申报").click()
    expect(page.locator('[data-rule="PRO-2"]')).to_contain_text("个人无需申报")
    page.get_by_role("link", name="全国职称外语考试").click()
    expect(page.get_by_test_id("quote")).to_contain_text(
        "A、B、C 级可分别认定当年度公需科目 30 学时、20 学时、10 学时"
    )

    form_url = page.url
    expect(field(page, "申报年度")).to_have_value(str(year))
    field(page, "合格级别").select_option("B")
    field(page, "成绩通知书编号").fill("2024-WY-0001")
    page.get_by_label(re.compile("^证明材料")).set_input_files(
        files=[{"name": "成绩通知书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="预览学时").click()
    expect(page.get_by_test_id("preview-hours")).to_have_text("20")
    expect(page.locator("#claim-preview")).to_contain_text("预计认定 20 学时")
    assert page.url == form_url  # the preview came through HTMX, not a page load
    assert Claim.objects.count() == 0  # a preview writes nothing
    page.screenshot(path=str(results_dir / "hours-claim-preview.png"), full_page=True)

    page.get_by_role("button", name="提交审核").click()
    expect(page).to_have_url(re.compile(r"/hours/claims/\d+/$"))
    expect(page.get_by_test_id("claim-status")).to_have_text("审核中")
    expect(page.get_by_test_id("preview-hours")).to_have_text("20")
    expect(page.get_by_test_id("evidence")).to_contain_text("成绩通知书.pdf")

    page.get_by_role("navigation").get_by_role("link", name="学时申报").click()
    expect(page.get_by_test_id("claims").locator("tbody tr").first).to_contain_text("审核中")

    claim = Claim.objects.get()
    assert (claim.status, claim.rule_code, claim.year, claim.fields["grade"]) == (
        "submitted",
        "PUB-2",
        year,
        "B",
    )
    assert claim.evidence.get().content_type == "application/pdf"
    assert console_errors == []

    # The same pages on a phone: the claim in the list, and 我的学时 with its progress.
    log_in(phone_page)
    phone_page.goto("/hours/claims/")
    expect(phone_page.get_by_test_id("claims")).to_contain_text("审核中")
    phone_page.screenshot(path=str(results_dir / "phone-hours-claims.png"), full_page=True)
    phone_page.goto("/hours/")
    expect(phone_page.get_by_test_id("compliance")).to_have_text("未达标")
    expect(phone_page.get_by_test_id("missing")).to_contain_text("公需科目还差 30 学时")
    phone_page.screenshot(path=str(results_dir / "phone-my-hours.png"), full_page=True)
