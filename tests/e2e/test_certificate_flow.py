"""The certificate in real Chromium against the live server: a professional with a complete year opens
学时证明 from the menu, generates the year's certificate, downloads the PDF (its text names them), and
opens its public verification page, which a visitor without an account can open too."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD, load_demo
from accounts.models import User
from hours import services
from hours.models import Certificate, LedgerCategory, SourceType, YearRuleSet

PROFESSIONAL_MOBILE = "13800000005"  # 张敏, 任城区实验中学


def field(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def test_professional_downloads_certificate_and_opens_verification(
    page: Any, new_page: Any, live_server: Any, transactional_db: None, settings: Any, tmp_path: Path
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
    person = User.objects.get(mobile=PROFESSIONAL_MOBILE)
    for category, hours, source in (
        (LedgerCategory.PUBLIC_COMPULSORY, "20", SourceType.COURSE),
        (LedgerCategory.PUBLIC_ELECTIVE, "10", SourceType.COURSE),
        (LedgerCategory.PROFESSIONAL, "60", SourceType.IMPORT),
    ):
        services.ledger_post_credit(
            person=person,
            year=year,
            category=category,
            hours=Decimal(hours),
            source_type=source,
            source_id=f"e2e-{category}",
            memo=f"{category} e2e",
            actor=None,
        )
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )

    page.goto("/accounts/login/")
    field(page, "身份证号或手机号").fill(PROFESSIONAL_MOBILE)
    field(page, "密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.get_by_role("navigation").get_by_role("link", name="学时证明", exact=True).click()
    expect(page.get_by_role("heading", name="学时证明")).to_be_visible()
    page.get_by_test_id(f"obtain-{year}").click()
    expect(page.get_by_test_id("standing")).to_have_attribute("data-standing", "valid")
    expect(page.get_by_test_id("record-total")).to_have_text("90")
    certificate = Certificate.objects.get(person=person, year=year)
    expect(page.get_by_test_id("verification-code")).to_have_text(certificate.grouped_code)

    download_link = page.get_by_test_id("certificate-download")
    expect(download_link).to_be_visible(timeout=20_000)
    with page.expect_download() as download_info:
        download_link.click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages))
    assert "张敏" in text and certificate.number in text and certificate.grouped_code in text

    page.get_by_test_id("verify-link").click()
    expect(page).to_have_url(re.compile(rf"/hours/verify/{certificate.verification_code}/$"))
    expect(page.get_by_test_id("standing")).to_have_attribute("data-standing", "valid")
    expect(page.get_by_test_id("record-name")).to_have_text("张敏")
    expect(page.get_by_test_id("certificate-number")).to_have_text(certificate.number)

    # A visitor with only the code (as typed from paper, lowercase with spaces) sees the same record.
    visitor = new_page()
    visitor.goto("/hours/verify/")
    visitor.get_by_label(re.compile("验证码")).fill(certificate.grouped_code.lower().replace("-", " "))
    visitor.get_by_role("button", name="核验").click()
    expect(visitor.get_by_test_id("standing")).to_have_attribute("data-standing", "valid")
    expect(visitor.get_by_test_id("record-name")).to_have_text("张敏")
    visitor.goto("/hours/verify/AAAA-BBBB-CCCC-DDDD/")
    expect(visitor.get_by_test_id("not-found")).to_be_visible()
    assert not [error for error in console_errors if "Content Security Policy" in error], console_errors
