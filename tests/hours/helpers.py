"""Builders for hours tests: valid fields for every rule, and the path of a claim from draft to the
ledger (the review workflow is another issue; its final approval calls ``claim_post_approved``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from hours import services
from hours.models import Claim, LedgerEntry
from hours.rules import CreditResult

# The smallest files the type check accepts: what matters is the first bytes.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def D(value: str | int) -> Decimal:
    return Decimal(value)


def dispatch(from_month: int, to_month: int, number: str = "济组援〔2024〕1号") -> dict[str, object]:
    return {"from_month": from_month, "to_month": to_month, "document_number": number}


def competition(level: str, year: int, name: str = "济宁市第五届职业技能大赛") -> dict[str, object]:
    return {"level": level, "competition_name": name, "held_on": f"{year}-06-18"}


def research(year: int, title: str = "初中数学分层作业设计研究", number: str = "") -> dict[str, object]:
    return {
        "item_kind": "academic_paper",
        "title": title,
        "published_on": f"{year}-03-01",
        "item_number": number,
    }


def expert(days: int, hours: str, number: str = "济人社函〔2024〕8号") -> dict[str, object]:
    return {"activity": "title_evaluation", "days": days, "hours": hours, "invitation_number": number}


def reduction(reason: str, months_on_post: int) -> dict[str, object]:
    return {"reason": reason, "months_on_post": months_on_post}


def evidence_file(name: str = "证明.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    # Unique content per call: a claim refuses the same file twice, and tests add several.
    global _counter
    _counter += 1
    return SimpleUploadedFile(name, content + f"\n%{_counter}".encode(), content_type="application/pdf")


_counter = 0


def file_claim(person: User, year: int, code: str, fields: Mapping[str, object]) -> Claim:
    """A submitted claim with one PDF of evidence."""
    claim = services.claim_save(
        actor=person, rule_code=code, year=year, fields=fields, uploads=[evidence_file()]
    )
    return services.claim_submit(actor=person, claim_id=claim.pk)


def approve(claim: Claim, approver: User) -> CreditResult:
    return services.claim_post_approved(claim=claim, actor=approver)


def file_and_approve(
    person: User, approver: User, year: int, code: str, fields: Mapping[str, object]
) -> CreditResult:
    return approve(file_claim(person, year, code, fields), approver)


def ledger_rows(person: User, year: int | None = None) -> list[tuple[str, str, Decimal, str, str]]:
    """(category, rule_code, hours, source_type, evidence_key) per entry, in posting order."""
    entries = LedgerEntry.objects.filter(person=person).order_by("id")
    if year is not None:
        entries = entries.filter(year=year)
    return [(e.category, e.rule_code, e.hours, e.source_type, e.evidence_key) for e in entries]


def total(person: User, year: int, categories: Iterable[str] | None = None) -> Decimal:
    entries = LedgerEntry.objects.filter(person=person, year=year)
    if categories is not None:
        entries = entries.filter(category__in=list(categories))
    return sum((e.hours for e in entries), Decimal("0.0"))
