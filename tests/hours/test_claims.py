"""Claims through the services: drafts, evidence, submission, withdrawal, and the final approval that
posts exact hours to the ledger for every rule and every example of the notice."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent
from hours import selectors, services
from hours.models import Claim, ClaimEvidence, ClaimStatus, LedgerEntry, RequirementReduction
from hours.rules import messages
from tests.fixtures import World

from .helpers import (
    EXE_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    D,
    approve,
    competition,
    dispatch,
    evidence_file,
    expert,
    file_and_approve,
    file_claim,
    ledger_rows,
    reduction,
    research,
    total,
)

PUBLIC = "public_conversion"
PROFESSIONAL = "professional"


def error_text(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(str(message) for message in error.value.messages)


# --- Drafts, evidence, submission ------------------------------------------------------------------


def test_draft_then_submit(world: World, open_year: int) -> None:
    person = world.professional
    claim = services.claim_create_draft(
        actor=person,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "B", "certificate_number": " ｗｙ-2024 001"},
    )
    assert claim.status == ClaimStatus.DRAFT
    assert claim.fields == {"grade": "B", "certificate_number": "ｗｙ-2024 001"}
    assert claim.evidence_key == "number:WY2024001"
    assert claim.unit is None
    services.claim_evidence_add(actor=person, claim_id=claim.pk, upload=evidence_file("成绩通知书.pdf"))
    claim = services.claim_submit(actor=person, claim_id=claim.pk)
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.get_status_display() == "审核中"
    assert claim.preview_hours == D(20)
    assert claim.preview_reasons == []
    assert claim.unit == world.school
    assert claim.submitted_at is not None
    assert claim.review_started is False
    assert LedgerEntry.objects.count() == 0  # a claim credits nothing until approved
    actions = list(AuditEvent.objects.filter(object_type="hours.claim").values_list("action", flat=True))
    assert sorted(actions) == ["hours.claim.create", "hours.claim.evidence_add", "hours.claim.submit"]


def test_draft_fields_are_validated_with_every_message(world: World, open_year: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(
            actor=world.professional,
            year=open_year,
            rule_code="PUB-1",
            fields={"from_month": "7", "to_month": "3"},
        )
    assert error.value.message_dict == {
        "to_month": [messages.MONTH_ORDER],
        "document_number": [messages.FIELD_REQUIRED.format(label="援派文件文号")],
    }
    assert Claim.objects.count() == 0


def test_pro_2_is_not_claimable(world: World, open_year: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(actor=world.professional, year=open_year, rule_code="PRO-2", fields={})
    assert error.value.message_dict == {"rule_code": [messages.RULE_NOT_CLAIMABLE_TRAINING]}


def test_year_without_rules_is_refused(world: World, open_year: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(
            actor=world.professional,
            year=1999,
            rule_code="PUB-2",
            fields={"grade": "A", "certificate_number": "1"},
        )
    assert error.value.message_dict == {"year": ["1999年度学时规则尚未发布。"]}


@pytest.mark.parametrize(
    "role", ["unit_admin", "county_staff", "city_staff", "provider_staff", "platform_admin"]
)
def test_only_professionals_file_claims(world: World, open_year: int, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.claim_create_draft(
            actor=getattr(world, role),
            year=open_year,
            rule_code="PUB-2",
            fields={"grade": "A", "certificate_number": "1"},
        )
    assert Claim.objects.count() == 0


def test_window_closed_refuses_submission(world: World, open_year: int) -> None:
    person = world.professional
    # 2024's window closed on 2025-03-31.
    claim = services.claim_save(
        actor=person,
        rule_code="PUB-2",
        year=2024,
        fields={"grade": "A", "certificate_number": "WY1"},
        uploads=[evidence_file()],
    )
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=person, claim_id=claim.pk)
    assert error_text(error) == messages.CLAIM_WINDOW_CLOSED.format(year=2024, closes="2025年3月31日")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT
    assert not AuditEvent.objects.filter(action="hours.claim.submit").exists()


def test_window_not_yet_open_refuses_submission(world: World, open_year: int) -> None:
    figures = selectors.year_figures(open_year).to_dict()
    next_year = open_year + 1
    services.year_rules_copy(actor=world.city_staff, from_year=open_year, to_year=next_year)
    claim = services.claim_save(
        actor=world.professional,
        rule_code="PUB-2",
        year=next_year,
        fields={"grade": "A", "certificate_number": "WY1"},
        uploads=[evidence_file()],
    )
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=world.professional, claim_id=claim.pk)
    opens = datetime.date.fromisoformat(figures["claim_window_opens"]).replace(year=next_year)
    assert error_text(error) == messages.CLAIM_WINDOW_NOT_OPEN.format(
        year=next_year, opens=f"{opens.year}年{opens.month}月{opens.day}日"
    )


def test_submission_needs_evidence(world: World, open_year: int) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PRO-6",
        fields={"qualification_name": "一级建造师", "certificate_number": "JZ1"},
    )
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=world.professional, claim_id=claim.pk)
    assert error.value.message_dict == {"evidence": ["请先上传证明材料（资格证书），再提交审核。"]}


def test_submission_needs_a_unit(world: World, open_year: int) -> None:
    person = world.professional
    claim = services.claim_save(
        actor=person,
        rule_code="PRO-6",
        year=open_year,
        fields={"qualification_name": "一级建造师", "certificate_number": "JZ1"},
        uploads=[evidence_file()],
    )
    type(person).objects.filter(pk=person.pk).update(unit=None)
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=person, claim_id=claim.pk)
    assert error_text(error) == str(services.CLAIM_UNIT_REQUIRED)


def test_submission_refused_when_the_claim_could_credit_nothing(world: World, open_year: int) -> None:
    claim = services.claim_save(
        actor=world.professional,
        rule_code="PRO-4",
        year=open_year,
        fields=research(open_year - 1),
        uploads=[evidence_file()],
    )
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=world.professional, claim_id=claim.pk)
    assert error_text(error) == messages.EVENT_OUTSIDE_YEAR.format(
        label="发表或获得日期", event_date=f"{open_year - 1}年3月1日", year=open_year
    )


def test_someone_elses_claim_is_refused(world: World, open_year: int) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    other = world.pending_professional
    for call in (
        lambda: services.claim_submit(actor=other, claim_id=claim.pk),
        lambda: services.claim_withdraw(actor=other, claim_id=claim.pk),
        lambda: services.claim_update_draft(
            actor=other, claim_id=claim.pk, fields={"grade": "C", "certificate_number": "1"}
        ),
        lambda: services.claim_evidence_add(actor=other, claim_id=claim.pk, upload=evidence_file()),
    ):
        with pytest.raises(PermissionDenied):
            call()
    claim.refresh_from_db()
    assert (claim.status, claim.fields["grade"], claim.evidence.count()) == (ClaimStatus.DRAFT, "A", 0)


def test_update_draft_and_returned_only(world: World, open_year: int) -> None:
    person = world.professional
    claim = file_claim(person, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    with pytest.raises(ValidationError) as error:
        services.claim_update_draft(
            actor=person, claim_id=claim.pk, fields={"grade": "C", "certificate_number": "WY1"}
        )
    assert error_text(error) == str(services.CLAIM_NOT_EDITABLE)
    with pytest.raises(ValidationError):
        services.claim_evidence_add(actor=person, claim_id=claim.pk, upload=evidence_file())
    # The review workflow returns it: the claimant may edit and resubmit.
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.RETURNED, review_started=True)
    claim = services.claim_update_draft(
        actor=person, claim_id=claim.pk, fields={"grade": "C", "certificate_number": "WY1"}
    )
    claim = services.claim_submit(actor=person, claim_id=claim.pk)
    assert (claim.status, claim.preview_hours, claim.review_started) == (ClaimStatus.SUBMITTED, D(10), False)


# --- Withdrawal -------------------------------------------------------------------------------------


def test_withdraw_before_review(world: World, open_year: int) -> None:
    person = world.professional
    claim = file_claim(person, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    claim = services.claim_withdraw(actor=person, claim_id=claim.pk)
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.get_status_display() == "已撤回"
    # The evidence is free again: a new claim may use it.
    again = file_claim(person, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    assert again.status == ClaimStatus.SUBMITTED


def test_withdraw_refused_once_review_started(world: World, open_year: int) -> None:
    person = world.professional
    claim = file_claim(person, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    Claim.objects.filter(pk=claim.pk).update(review_started=True, current_stage=2)
    with pytest.raises(ValidationError) as error:
        services.claim_withdraw(actor=person, claim_id=claim.pk)
    assert error_text(error) == str(services.CLAIM_NOT_WITHDRAWABLE)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


@pytest.mark.parametrize(
    "status", [ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN, ClaimStatus.REVOKED]
)
def test_withdraw_refused_when_decided(world: World, open_year: int, status: str) -> None:
    claim = file_claim(world.professional, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    Claim.objects.filter(pk=claim.pk).update(status=status)
    with pytest.raises(ValidationError):
        services.claim_withdraw(actor=world.professional, claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.status == status


def test_transition_table_refuses_unlisted_moves(world: World, open_year: int) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    with pytest.raises(ValidationError) as error:
        services.claim_move(claim, ClaimStatus.APPROVED)
    assert error_text(error) == "申报当前状态为“草稿”，不能变为“已通过”。"


# --- Evidence files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("成绩通知书.pdf", PDF_BYTES, "application/pdf"),
        ("scan.JPG", JPEG_BYTES, "image/jpeg"),
        ("photo.png", PNG_BYTES, "image/png"),
        ("看起来是PDF.pdf", PNG_BYTES, "image/png"),  # the content decides, not the name
        ("no-extension", JPEG_BYTES, "image/jpeg"),
    ],
)
def test_evidence_type_is_detected_from_content(
    world: World, open_year: int, name: str, content: bytes, content_type: str, private_storage
) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    evidence = services.claim_evidence_add(
        actor=world.professional, claim_id=claim.pk, upload=evidence_file(name, content)
    )
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    assert evidence.file.name.startswith(f"hours/evidence/{open_year}/{claim.pk}/")
    assert evidence.file.name.endswith(f".{extension}")
    assert name not in evidence.file.name
    assert (private_storage / evidence.file.name).exists()
    assert len(evidence.sha256) == 64


def test_executable_renamed_pdf_is_refused(world: World, open_year: int, private_storage) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    with pytest.raises(ValidationError) as error:
        services.claim_evidence_add(
            actor=world.professional, claim_id=claim.pk, upload=evidence_file("成绩.pdf", EXE_BYTES)
        )
    assert error.value.message_dict == {
        "evidence": ["“成绩.pdf”不是PDF、JPG或PNG文件。证明材料只能上传PDF、JPG或PNG格式的文件。"]
    }
    assert ClaimEvidence.objects.count() == 0
    assert not private_storage.exists() or not any(private_storage.rglob("*.*"))


def test_evidence_size_and_count_limits(
    world: World, open_year: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = world.professional
    claim = services.claim_create_draft(
        actor=person, year=open_year, rule_code="PUB-2", fields={"grade": "A", "certificate_number": "1"}
    )
    big = evidence_file("大文件.pdf", PDF_BYTES + b"0" * services.MAX_EVIDENCE_BYTES)
    with pytest.raises(ValidationError) as error:
        services.claim_evidence_add(actor=person, claim_id=claim.pk, upload=big)
    assert error.value.message_dict == {"evidence": ["“大文件.pdf”超过10MB，请压缩后再上传。"]}
    with pytest.raises(ValidationError) as error:
        services.claim_evidence_add(actor=person, claim_id=claim.pk, upload=SimpleUploadedFile("空.pdf", b""))
    assert error.value.message_dict == {"evidence": ["“空.pdf”是空文件。"]}
    for number in range(services.MAX_EVIDENCE_FILES):
        services.claim_evidence_add(actor=person, claim_id=claim.pk, upload=evidence_file(f"{number}.pdf"))
    with pytest.raises(ValidationError) as error:
        services.claim_evidence_add(actor=person, claim_id=claim.pk, upload=evidence_file("6.pdf"))
    assert error.value.message_dict == {"evidence": ["每项申报最多上传5个证明材料文件。"]}
    assert claim.evidence.count() == 5


def test_same_file_twice_on_one_claim_is_refused(world: World, open_year: int) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    services.claim_evidence_add(
        actor=world.professional, claim_id=claim.pk, upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    with pytest.raises(ValidationError) as error:
        services.claim_evidence_add(
            actor=world.professional, claim_id=claim.pk, upload=SimpleUploadedFile("b.pdf", PDF_BYTES)
        )
    assert error.value.message_dict == {"evidence": ["“b.pdf”已经上传过。"]}


def test_remove_evidence_from_draft(world: World, open_year: int, private_storage) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    evidence = services.claim_evidence_add(
        actor=world.professional, claim_id=claim.pk, upload=evidence_file()
    )
    path = private_storage / evidence.file.name
    assert path.exists()
    services.claim_evidence_remove(actor=world.professional, claim_id=claim.pk, evidence_id=evidence.pk)
    assert claim.evidence.count() == 0


def test_claim_save_is_all_or_nothing(world: World, open_year: int) -> None:
    with pytest.raises(ValidationError):
        services.claim_save(
            actor=world.professional,
            rule_code="PUB-2",
            year=open_year,
            fields={"grade": "A", "certificate_number": "1"},
            uploads=[evidence_file(), evidence_file("病毒.pdf", EXE_BYTES)],
        )
    assert Claim.objects.count() == 0
    assert ClaimEvidence.objects.count() == 0


# --- Duplicate evidence -------------------------------------------------------------------------


def test_one_open_claim_per_evidence(world: World, open_year: int) -> None:
    person = world.professional
    first = services.claim_create_draft(
        actor=person, year=open_year, rule_code="PUB-2", fields={"grade": "A", "certificate_number": "WY-1"}
    )
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(
            actor=person,
            year=open_year,
            rule_code="PUB-2",
            fields={"grade": "B", "certificate_number": "wy 1"},
        )
    assert error.value.message_dict == {
        "evidence": [f"该证明材料已在您的另一项申报（编号{first.pk}）中，不能重复申报。"]
    }
    # The database says the same, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            person=person, year=open_year, rule_code="PUB-2", evidence_key=first.evidence_key
        )
    # Someone else may hold the same competition (many people take part in one).
    other = world.pending_professional
    services.claim_create_draft(
        actor=person, year=open_year, rule_code="PUB-4", fields=competition("city", open_year)
    )
    services.claim_create_draft(
        actor=other, year=open_year, rule_code="PUB-4", fields=competition("city", open_year)
    )


def test_credited_evidence_cannot_be_claimed_again_under_any_rule(world: World, open_year: int) -> None:
    person, approver = world.professional, world.county_staff
    file_and_approve(person, approver, open_year, "PUB-4", competition("national", open_year))
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(
            actor=person, year=open_year, rule_code="PRO-7", fields=competition("national", open_year)
        )
    assert error.value.message_dict == {
        "evidence": [
            messages.COMPETITION_CREDITED_UNDER_OTHER_RULE.format(
                other_code="PUB-4", other_title="技能竞赛（抵扣公需科目）", subject="专业科目"
            )
        ]
    }
    file_and_approve(
        person,
        approver,
        open_year,
        "PRO-6",
        {"qualification_name": "注册会计师", "certificate_number": "CPA-9"},
    )
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(
            actor=person,
            year=open_year,
            rule_code="PRO-8",
            fields={"grade": "technician", "certificate_number": "cpa9"},
        )
    assert error.value.message_dict == {"evidence": [messages.EVIDENCE_ALREADY_CREDITED]}


# --- Final approval posts exact hours -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "fields", "category", "hours"),
    [
        # The notice's examples: 6 months of assignment = 15 public + 30 professional.
        ("PUB-1", dispatch(1, 6), PUBLIC, "15"),
        ("PRO-1", dispatch(1, 6), PROFESSIONAL, "30"),
        ("PUB-1", dispatch(3, 7), PUBLIC, "12.5"),  # 30 x 5/12, the decimal half
        ("PUB-1", dispatch(1, 12), PUBLIC, "30"),
        ("PRO-1", dispatch(12, 12), PROFESSIONAL, "5"),
        # Foreign-language exam: grade A/B/C = 30/20/10.
        ("PUB-2", {"grade": "A", "certificate_number": "WY1"}, PUBLIC, "30"),
        ("PUB-2", {"grade": "B", "certificate_number": "WY1"}, PUBLIC, "20"),
        ("PUB-2", {"grade": "C", "certificate_number": "WY1"}, PUBLIC, "10"),
        ("PUB-3", {"modules": 3, "certificate_number": "JSJ1"}, PUBLIC, "15"),
        ("PUB-3", {"modules": 8, "certificate_number": "JSJ1"}, PUBLIC, "30"),  # the yearly cap
        ("PRO-3", {"courses": 3, "certificate_number": "ZK1"}, PROFESSIONAL, "30"),
        ("PRO-3", {"courses": 5, "certificate_number": "ZK1"}, PROFESSIONAL, "40"),
        ("PRO-5", expert(2, "12.5"), PROFESSIONAL, "12.5"),
        ("PRO-5", expert(2, "20"), PROFESSIONAL, "16"),  # 8 hours a day
        ("PRO-6", {"qualification_name": "一级建造师", "certificate_number": "JZ1"}, PROFESSIONAL, "16"),
        ("PRO-8", {"grade": "chief_technician", "certificate_number": "JN1"}, PROFESSIONAL, "30"),
        ("PRO-8", {"grade": "special_technician", "certificate_number": "JN1"}, PROFESSIONAL, "25"),
        ("PRO-8", {"grade": "senior_technician", "certificate_number": "JN1"}, PROFESSIONAL, "20"),
        ("PRO-8", {"grade": "technician", "certificate_number": "JN1"}, PROFESSIONAL, "15"),
        ("PRO-8", {"grade": "senior_worker", "certificate_number": "JN1"}, PROFESSIONAL, "10"),
    ],
)
def test_every_rule_posts_exact_hours(
    world: World, open_year: int, code: str, fields: dict[str, object], category: str, hours: str
) -> None:
    claim = file_claim(world.professional, open_year, code, fields)
    assert claim.preview_hours == D(hours)
    result = approve(claim, world.county_staff)
    assert result.hours == D(hours)
    claim.refresh_from_db()
    assert (claim.status, claim.credited_hours) == (ClaimStatus.APPROVED, D(hours))
    entry = LedgerEntry.objects.get()
    assert (entry.person, entry.year, entry.category, entry.hours, entry.rule_code) == (
        world.professional,
        open_year,
        category,
        D(hours),
        code,
    )
    assert (entry.source_type, entry.source_id, entry.evidence_key) == (
        "claim",
        str(claim.pk),
        claim.evidence_key,
    )
    assert entry.memo.startswith(f"学时申报（编号{claim.pk}）：{code} ")
    assert entry.created_by == world.county_staff


@pytest.mark.parametrize(
    ("level", "public", "professional"),
    [("national", "5", "30"), ("provincial", "4", "20"), ("city", "3", "10"), ("county", "3", "5")],
)
def test_competition_levels(world: World, open_year: int, level: str, public: str, professional: str) -> None:
    person, other = world.professional, world.pending_professional
    file_and_approve(person, world.county_staff, open_year, "PUB-4", competition(level, open_year))
    file_and_approve(other, world.county_staff, open_year, "PRO-7", competition(level, open_year))
    assert ledger_rows(person) == [
        (PUBLIC, "PUB-4", D(public), "claim", f"competition:济宁市第五届职业技能大赛:{open_year}-06-18")
    ]
    assert ledger_rows(other)[0][2] == D(professional)


def test_dispatch_credits_public_and_professional_for_the_same_document(world: World, open_year: int) -> None:
    person = world.professional
    file_and_approve(person, world.county_staff, open_year, "PUB-1", dispatch(1, 6))
    file_and_approve(person, world.county_staff, open_year, "PRO-1", dispatch(1, 6))
    assert total(person, open_year, [PUBLIC]) == D(15)
    assert total(person, open_year, [PROFESSIONAL]) == D(30)


def test_caps_across_several_claims(world: World, open_year: int) -> None:
    person, approver = world.professional, world.county_staff
    # PUB-3: 5 per module, at most 30 a year.
    assert file_and_approve(
        person, approver, open_year, "PUB-3", {"modules": 4, "certificate_number": "J1"}
    ).hours == D(20)
    result = file_and_approve(
        person, approver, open_year, "PUB-3", {"modules": 3, "certificate_number": "J2"}
    )
    assert (result.hours, result.claimed, result.capped) == (D(10), D(15), True)
    assert result.reasons == (
        messages.YEARLY_CAP_APPLIED.format(
            title="计算机应用能力考试", cap="30", prior="20", credited="10", claimed="15"
        ),
    )
    # The third is refused at submission: the cap is reached.
    claim = services.claim_save(
        actor=person,
        rule_code="PUB-3",
        year=open_year,
        fields={"modules": 1, "certificate_number": "J3"},
        uploads=[evidence_file()],
    )
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=person, claim_id=claim.pk)
    assert error_text(error) == messages.YEARLY_CAP_REACHED.format(
        title="计算机应用能力考试", cap="30", prior="30"
    )
    # PRO-4: 10 per item, 30 a year, outcomes and publications together.
    for number in range(3):
        file_and_approve(person, approver, open_year, "PRO-4", research(open_year, title=f"论文{number}"))
    # PRO-3: 40 a year.
    file_and_approve(person, approver, open_year, "PRO-3", {"courses": 3, "certificate_number": "Z1"})
    assert file_and_approve(
        person, approver, open_year, "PRO-3", {"courses": 3, "certificate_number": "Z2"}
    ).hours == D(10)
    # PUB-1: two assignments in one year give at most a year's worth.
    file_and_approve(person, approver, open_year, "PUB-1", dispatch(1, 8, "援1"))
    assert file_and_approve(person, approver, open_year, "PUB-1", dispatch(5, 12, "援2")).hours == D(10)
    rows = ledger_rows(person, open_year)
    assert [(code, hours) for _category, code, hours, _source, _key in rows] == [
        ("PUB-3", D(20)),
        ("PUB-3", D(10)),
        ("PRO-4", D(10)),
        ("PRO-4", D(10)),
        ("PRO-4", D(10)),
        ("PRO-3", D(30)),
        ("PRO-3", D(10)),
        ("PUB-1", D(20)),
        ("PUB-1", D(10)),
    ]


def test_cap_reached_between_submission_and_approval(world: World, open_year: int) -> None:
    """Caps may move after the preview: the final approval computes again and refuses with the message."""
    person, approver = world.professional, world.county_staff
    waiting = [
        file_claim(person, open_year, "PRO-4", research(open_year, title=f"论文{number}"))
        for number in range(4)
    ]
    assert [claim.preview_hours for claim in waiting] == [D(10)] * 4
    for claim in waiting[:3]:
        approve(claim, approver)
    with pytest.raises(ValidationError) as error:
        approve(waiting[3], approver)
    assert error_text(error) == messages.YEARLY_CAP_REACHED.format(
        title="科研成果及论文著作", cap="30", prior="30"
    )
    waiting[3].refresh_from_db()
    assert waiting[3].status == ClaimStatus.SUBMITTED
    assert total(person, open_year) == D(30)


def test_posting_twice_is_refused_and_the_ledger_has_one_entry(world: World, open_year: int) -> None:
    claim = file_claim(world.professional, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    approve(claim, world.county_staff)
    with pytest.raises(ValidationError) as error:
        approve(claim, world.county_staff)
    assert error_text(error) == str(services.CLAIM_ALREADY_POSTED)
    assert LedgerEntry.objects.count() == 1
    # The database refuses a second credit from the same source, whatever the code does.
    entry = LedgerEntry.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            person=entry.person,
            year=entry.year,
            category=entry.category,
            hours=D(1),
            source_type=entry.source_type,
            source_id=entry.source_id,
        )
    assert LedgerEntry.objects.count() == 1


def test_only_the_governing_bureau_gives_final_approval(world: World, open_year: int) -> None:
    claim = file_claim(world.professional, open_year, "PUB-2", {"grade": "A", "certificate_number": "WY1"})
    for role in (
        "professional",
        "unit_admin",
        "department_reviewer",
        "other_county_staff",
        "provider_staff",
        "other_unit_admin",
    ):
        with pytest.raises(PermissionDenied):
            approve(claim, getattr(world, role))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert LedgerEntry.objects.count() == 0
    for role in ("city_staff",):
        assert approve(claim, getattr(world, role)).hours == D(30)


def test_draft_cannot_be_posted(world: World, open_year: int) -> None:
    claim = services.claim_create_draft(
        actor=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "A", "certificate_number": "1"},
    )
    Claim.objects.filter(pk=claim.pk).update(unit=world.school)
    with pytest.raises(ValidationError) as error:
        approve(claim, world.county_staff)
    assert error_text(error) == str(services.CLAIM_NOT_IN_REVIEW)
    assert LedgerEntry.objects.count() == 0


def test_approval_notifies_and_audits(world: World, open_year: int) -> None:
    claim = file_claim(world.professional, open_year, "PUB-2", {"grade": "B", "certificate_number": "WY1"})
    approve(claim, world.county_staff)
    notification = world.professional.notifications.get()
    assert notification.title == "学时申报已通过"
    assert notification.body == f"您的{open_year}年度“全国职称外语考试”申报已审核通过，认定20学时。"
    event = AuditEvent.objects.get(action="hours.claim.post_approved")
    assert (event.actor, event.actor_role, event.actor_organisation) == (
        world.county_staff,
        "county_bureau_staff",
        world.rencheng,
    )
    assert event.organisation_path == world.school.path


# --- Revocation ------------------------------------------------------------------------------------


def test_revocation_reverses_the_credit(world: World, open_year: int) -> None:
    person = world.professional
    claim = file_claim(
        person, open_year, "PRO-6", {"qualification_name": "一级建造师", "certificate_number": "JZ1"}
    )
    approve(claim, world.county_staff)
    services.claim_reverse_posting(claim=claim, actor=world.city_staff, reason="职称申报抽查发现证书不实")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVOKED
    credit, reversal = LedgerEntry.objects.order_by("id")
    assert (reversal.hours, reversal.reverses, reversal.category) == (D(-16), credit, PROFESSIONAL)
    assert reversal.memo == "冲销：职称申报抽查发现证书不实"
    assert total(person, open_year) == D(0)
    with pytest.raises(ValidationError):
        services.claim_reverse_posting(claim=claim, actor=world.city_staff, reason="再次")
    assert LedgerEntry.objects.count() == 2


def test_revocation_needs_a_reason_and_the_bureau(world: World, open_year: int) -> None:
    claim = file_claim(
        world.professional,
        open_year,
        "PRO-6",
        {"qualification_name": "一级建造师", "certificate_number": "JZ1"},
    )
    approve(claim, world.county_staff)
    with pytest.raises(ValidationError):
        services.claim_reverse_posting(claim=claim, actor=world.city_staff, reason="  ")
    with pytest.raises(PermissionDenied):
        services.claim_reverse_posting(claim=claim, actor=world.unit_admin, reason="x")
    with pytest.raises(PermissionDenied):
        services.claim_reverse_posting(claim=claim, actor=world.other_county_staff, reason="x")
    assert LedgerEntry.objects.count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


# --- R1: the reduced requirement ---------------------------------------------------------------------


def test_r1_four_months_on_post(world: World, open_year: int) -> None:
    """The notice's example: 4 months on post, so 10 public and 20 professional hours are required."""
    person = world.professional
    claim = file_claim(person, open_year, "R1", reduction("sick_leave", 4))
    assert claim.preview_hours == D(0)
    assert claim.preview_reasons == [f"审核通过后，{open_year}年度仅需完成公需科目10学时、专业科目20学时。"]
    result = approve(claim, world.county_staff)
    assert (result.reduced_public_required, result.reduced_professional_required) == (D(10), D(20))
    assert LedgerEntry.objects.count() == 0
    reduction_row = RequirementReduction.objects.get()
    assert (
        reduction_row.months_on_post,
        reduction_row.reason,
        reduction_row.public_required,
        reduction_row.professional_required,
    ) == (4, "sick_leave", D(10), D(20))
    summary = selectors.year_summary(person, open_year)
    assert (summary.public_required, summary.professional_required) == (D(10), D(20))
    # The other years keep the full requirement.
    assert selectors.year_summary(person, 2024).public_required == D(30)
    # One reduction per year.
    with pytest.raises(ValidationError) as error:
        services.claim_create_draft(
            actor=person, year=open_year, rule_code="R1", fields=reduction("maternity", 9)
        )
    assert error.value.message_dict == {"evidence": [messages.REDUCTION_ALREADY_CREDITED]}
    # Revoked: the full requirement again.
    services.claim_reverse_posting(claim=claim, actor=world.county_staff, reason="材料不实")
    summary = selectors.year_summary(person, open_year)
    assert (summary.public_required, summary.professional_required) == (D(30), D(60))


@pytest.mark.parametrize(
    ("reason", "months_on_post", "public", "professional"),
    [("maternity", 11, "27.5", "55"), ("abroad", 5, "12.5", "25"), ("sick_leave", 0, "0", "0")],
)
def test_r1_pro_rata(
    world: World, open_year: int, reason: str, months_on_post: int, public: str, professional: str
) -> None:
    approve(
        file_claim(world.professional, open_year, "R1", reduction(reason, months_on_post)), world.county_staff
    )
    summary = selectors.year_summary(world.professional, open_year)
    assert (summary.public_required, summary.professional_required) == (D(public), D(professional))


@pytest.mark.parametrize(
    ("reason", "months_on_post", "message"),
    [
        (
            "sick_leave",
            6,
            messages.REDUCTION_NOT_ELIGIBLE.format(
                reason="因伤病请病假", months_away_over=6, months_on_post=6, months_away=6
            ),
        ),
        (
            "abroad",
            8,
            messages.REDUCTION_NOT_ELIGIBLE.format(
                reason="因公派出境外工作", months_away_over=6, months_on_post=8, months_away=4
            ),
        ),
        ("maternity", 12, messages.REDUCTION_NOT_NEEDED.format(months_on_post=12)),
    ],
)
def test_r1_refusals(world: World, open_year: int, reason: str, months_on_post: int, message: str) -> None:
    claim = services.claim_save(
        actor=world.professional,
        rule_code="R1",
        year=open_year,
        fields=reduction(reason, months_on_post),
        uploads=[evidence_file()],
    )
    with pytest.raises(ValidationError) as error:
        services.claim_submit(actor=world.professional, claim_id=claim.pk)
    assert error_text(error) == message


def test_preview_is_pure(world: World, open_year: int) -> None:
    result = services.claim_preview(
        person=world.professional, year=open_year, rule_code="PRO-5", fields=expert(2, "20")
    )
    assert (result.hours, result.claimed, result.capped) == (D(16), D(20), True)
    assert services.credit_messages(result, open_year) == [
        messages.DAILY_CAP_APPLIED.format(title="受邀专家活动", per_day="8", days=2, limit="16", claimed="20")
    ]
    assert Claim.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "fields", "errors"),
    [
        ("PUB-3", {"modules": 10**12, "certificate_number": "J"}, {"modules": ["合格模块数不能大于9999"]}),
        ("PRO-5", {**expert(2, "1e999999")}, {"fields": [str(services.CLAIM_NUMBER_INVALID)]}),
        ("PRO-5", {**expert(2, "123456.5")}, {"hours": ["实际工作学时不能大于9999"]}),
    ],
)
def test_absurd_numbers_are_refused(
    world: World, open_year: int, code: str, fields: dict[str, object], errors: dict[str, list[str]]
) -> None:
    for call in (
        lambda: services.claim_create_draft(
            actor=world.professional, year=open_year, rule_code=code, fields=fields
        ),
        lambda: services.claim_preview(
            person=world.professional, year=open_year, rule_code=code, fields=fields
        ),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.message_dict == errors
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("year", [0, 1999, 2101, 32768, 10**12])
def test_years_outside_the_range_never_reach_the_database(
    world: World, open_year: int, year: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0), pytest.raises(selectors.YearRulesMissingError):
        selectors.year_figures(year)
