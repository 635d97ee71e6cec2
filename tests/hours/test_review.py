"""The review workflow through its services: every path a claim can take (three stages; a unit without a
department in two; return and resubmit; reject at each stage; revoke after approval), with the ledger
and the trail asserted exactly; jurisdiction, stale forms, bulk approval, deadlines, the chain as data,
notifications and e-mail. Concurrency on PostgreSQL is in test_review_concurrency.py."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Organisation, Role, User
from accounts.services import role_grant
from hours import review, selectors_review, services
from hours.models import (
    Claim,
    ClaimReviewStage,
    ClaimStatus,
    IntegrityRecord,
    LedgerEntry,
    ReviewDecision,
    ReviewRecord,
    ReviewStageKind,
    ReviewStageState,
    ReviewStageTemplate,
)
from tests.fixtures import World

from .helpers import D, file_claim, research

UNIT, DEPARTMENT, BUREAU, CITY_BUREAU = (
    ReviewStageKind.UNIT,
    ReviewStageKind.DEPARTMENT,
    ReviewStageKind.BUREAU,
    ReviewStageKind.CITY_BUREAU,
)
PUB_2_B = {"grade": "B", "certificate_number": "WY-2024-0001"}


# --- Helpers (imported by the other test_review_* modules) ------------------------------------------------


def submit(person: User, year: int, fields: dict[str, Any] | None = None, code: str = "PUB-2") -> Claim:
    """A submitted PUB-2 claim (grade B: 20 hours) with one PDF."""
    return file_claim(person, year, code, fields or PUB_2_B)


def open_stage(claim: Claim) -> ClaimReviewStage:
    return ClaimReviewStage.objects.get(claim=claim, state=ReviewStageState.OPEN)


def decide(actor: User, claim: Claim, decision: str = ReviewDecision.APPROVE, comment: str = "") -> Claim:
    """A decision through the service, with the stage the reviewer sees now."""
    outcome = review.review_decide(
        actor=actor, claim_id=claim.pk, decision=decision, comment=comment, stage_id=open_stage(claim).pk
    )
    return outcome.claim


def trail(claim: Claim) -> list[tuple[str, str, str, int | None, str, str, str]]:
    """(decision, actor, organisation, stage kind, from, to, comment) per record, oldest first."""
    return [
        (r.decision, r.actor_name, r.organisation_name, r.stage_kind, r.from_status, r.to_status, r.comment)
        for r in ReviewRecord.objects.filter(claim=claim).order_by("id")
    ]


def stages(claim: Claim) -> list[tuple[int, int, int, str, str]]:
    """(round, position, kind, organisation, state) per stage row."""
    return [
        (s.round, s.position, s.kind, s.organisation.name, s.state)
        for s in ClaimReviewStage.objects.filter(claim=claim).select_related("organisation").order_by("id")
    ]


def ledger(person: User) -> list[tuple[str, str, Decimal, str, str]]:
    return [
        (e.category, e.rule_code, e.hours, e.source_type, e.source_id)
        for e in LedgerEntry.objects.filter(person=person).order_by("id")
    ]


def snapshot(claim: Claim) -> tuple[Any, ...]:
    """Everything a refused decision must leave as it was."""
    claim.refresh_from_db()
    return (
        claim.status,
        claim.current_stage,
        claim.review_organisation_id,
        claim.review_due_at,
        claim.review_started,
        tuple(stages(claim)),
        ReviewRecord.objects.filter(claim=claim).count(),
        LedgerEntry.objects.count(),
        IntegrityRecord.objects.count(),
    )


def names(world: World) -> dict[str, str]:
    return {
        "school": world.school.name,
        "department": world.education_department.name,
        "rencheng": world.rencheng.name,
        "company": world.company.name,
        "city": world.city.name,
    }


# --- The chain from the unit's place in the tree ----------------------------------------------------------


def test_chain_unit_department_bureau(world: World) -> None:
    plan = review.review_chain_plan(world.school)
    assert [(p.kind, p.organisation, p.deadline_days) for p in plan] == [
        (UNIT, world.school, 7),
        (DEPARTMENT, world.education_department, 7),
        (BUREAU, world.rencheng, 10),
    ]


def test_chain_without_department_goes_from_unit_to_bureau(world: World) -> None:
    plan = review.review_chain_plan(world.company)
    assert [(p.kind, p.organisation) for p in plan] == [(UNIT, world.company), (BUREAU, world.rencheng)]


def test_chain_of_a_city_level_unit_ends_at_the_city_bureau(world: World) -> None:
    hospital = Organisation.objects.get(name="济宁市第一人民医院")
    plan = review.review_chain_plan(hospital)
    assert [(p.kind, p.organisation.name) for p in plan] == [
        (UNIT, "济宁市第一人民医院"),
        (DEPARTMENT, "济宁市卫生健康委员会"),
        (BUREAU, "济宁市人力资源和社会保障局"),
    ]


# --- Every path -------------------------------------------------------------------------------------------


def test_three_stages_approve_posts_once_with_the_whole_trail(world: World, open_year: int) -> None:
    person, n = world.professional, names(world)
    claim = submit(person, open_year)
    assert (claim.status, claim.current_stage, claim.review_organisation) == (
        ClaimStatus.SUBMITTED,
        UNIT,
        world.school,
    )
    assert claim.review_due_at == open_stage(claim).due_at
    assert open_stage(claim).due_at - open_stage(claim).opened_at == datetime.timedelta(days=7)

    claim = decide(world.unit_admin, claim, comment="材料齐全")
    assert (claim.status, claim.current_stage, claim.review_organisation, claim.review_started) == (
        ClaimStatus.SUBMITTED,
        DEPARTMENT,
        world.education_department,
        True,
    )
    assert LedgerEntry.objects.filter(person=person).count() == 0
    claim = decide(world.department_reviewer, claim)
    assert (claim.current_stage, claim.review_organisation) == (BUREAU, world.rencheng)
    assert LedgerEntry.objects.filter(person=person).count() == 0
    claim = decide(world.county_staff, claim, comment="同意")

    claim.refresh_from_db()
    assert (claim.status, claim.credited_hours, claim.current_stage, claim.review_organisation_id) == (
        ClaimStatus.APPROVED,
        D(20),
        None,
        None,
    )
    assert ledger(person) == [("public_conversion", "PUB-2", D(20), "claim", str(claim.pk))]
    assert stages(claim) == [
        (1, 1, UNIT, n["school"], "approved"),
        (1, 2, DEPARTMENT, n["department"], "approved"),
        (1, 3, BUREAU, n["rencheng"], "approved"),
    ]
    assert trail(claim) == [
        ("submit", "张敏", n["school"], None, "draft", "submitted", ""),
        ("approve", "实验中学孙主任", n["school"], UNIT, "submitted", "submitted", "材料齐全"),
        ("approve", "教体局赵老师", n["department"], DEPARTMENT, "submitted", "submitted", ""),
        ("approve", "任城区李干事", n["rencheng"], BUREAU, "submitted", "approved", "同意"),
    ]
    roles = list(ReviewRecord.objects.filter(claim=claim).order_by("id").values_list("role", flat=True))
    assert roles == [Role.PROFESSIONAL, Role.UNIT_ADMIN, Role.DEPARTMENT_REVIEWER, Role.COUNTY_BUREAU_STAFF]
    actions = list(
        AuditEvent.objects.filter(object_type="hours.claim", object_id=str(claim.pk))
        .filter(action__startswith="hours.review.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["hours.review.approve"] * 3
    # New work was announced at each stage; the claimant heard of the approval once.
    assert Notification.objects.filter(recipient=world.unit_admin, title="有新的学时申报待审核").count() == 1
    assert (
        Notification.objects.filter(recipient=world.department_reviewer, title="有新的学时申报待审核").count()
        == 1
    )
    assert (
        Notification.objects.filter(recipient=world.county_staff, title="有新的学时申报待审核").count() == 1
    )
    assert list(Notification.objects.filter(recipient=person).values_list("title", "body")) == [
        ("学时申报已通过", f"您的{open_year}年度“全国职称外语考试”申报已审核通过，认定20学时。")
    ]


def test_unit_without_department_takes_two_stages(world: World, open_year: int) -> None:
    person, n = world.pending_professional, names(world)
    claim = submit(person, open_year)
    assert (claim.current_stage, claim.review_organisation) == (UNIT, world.company)
    claim = decide(world.other_unit_admin, claim)
    assert (claim.current_stage, claim.review_organisation) == (BUREAU, world.rencheng)
    claim = decide(world.county_staff, claim)
    assert claim.status == ClaimStatus.APPROVED
    assert ledger(person) == [("public_conversion", "PUB-2", D(20), "claim", str(claim.pk))]
    assert stages(claim) == [
        (1, 1, UNIT, n["company"], "approved"),
        (1, 2, BUREAU, n["rencheng"], "approved"),
    ]
    assert [(t[0], t[3], t[5]) for t in trail(claim)] == [
        ("submit", None, "submitted"),
        ("approve", UNIT, "submitted"),
        ("approve", BUREAU, "approved"),
    ]


def test_return_then_resubmit_restarts_at_the_first_stage(world: World, open_year: int) -> None:
    person, n = world.professional, names(world)
    claim = submit(person, open_year)
    claim = decide(world.unit_admin, claim)
    with pytest.raises(ValidationError) as error:
        decide(world.department_reviewer, claim, ReviewDecision.RETURN, comment="  ")
    assert error.value.message_dict == {"comment": [str(review.REVIEW_COMMENT_REQUIRED)]}
    claim = decide(
        world.department_reviewer, claim, ReviewDecision.RETURN, comment="成绩通知书不清晰，请重新上传"
    )
    assert (claim.status, claim.current_stage, claim.review_organisation_id) == (
        ClaimStatus.RETURNED,
        None,
        None,
    )
    assert claim.is_editable and claim.decided_at is None
    assert stages(claim) == [
        (1, 1, UNIT, n["school"], "approved"),
        (1, 2, DEPARTMENT, n["department"], "returned"),
        (1, 3, BUREAU, n["rencheng"], "cancelled"),
    ]
    returned = Notification.objects.get(recipient=person, title="学时申报已退回")
    assert returned.body == (
        f"您的{open_year}年度“全国职称外语考试”申报被任城区教育和体育局退回修改。"
        "意见：成绩通知书不清晰，请重新上传。请修改后重新提交。"
    )

    # The claimant edits and resubmits: a new round from the unit.
    services.claim_update_draft(
        actor=person, claim_id=claim.pk, fields={"grade": "C", "certificate_number": "WY-2024-0001"}
    )
    claim = services.claim_submit(actor=person, claim_id=claim.pk)
    assert (claim.status, claim.current_stage, claim.review_organisation, claim.review_started) == (
        ClaimStatus.SUBMITTED,
        UNIT,
        world.school,
        False,
    )
    for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
        claim = decide(reviewer, claim)
    assert claim.status == ClaimStatus.APPROVED
    assert ledger(person) == [("public_conversion", "PUB-2", D(10), "claim", str(claim.pk))]
    assert stages(claim)[3:] == [
        (2, 1, UNIT, n["school"], "approved"),
        (2, 2, DEPARTMENT, n["department"], "approved"),
        (2, 3, BUREAU, n["rencheng"], "approved"),
    ]
    assert [(t[0], t[3], t[4], t[5]) for t in trail(claim)] == [
        ("submit", None, "draft", "submitted"),
        ("approve", UNIT, "submitted", "submitted"),
        ("return", DEPARTMENT, "submitted", "returned"),
        ("submit", None, "returned", "submitted"),
        ("approve", UNIT, "submitted", "submitted"),
        ("approve", DEPARTMENT, "submitted", "submitted"),
        ("approve", BUREAU, "submitted", "approved"),
    ]
    assert list(ReviewRecord.objects.filter(claim=claim).order_by("id").values_list("round", flat=True)) == [
        1,
        1,
        1,
        2,
        2,
        2,
        2,
    ]


@pytest.mark.parametrize("at_stage", [1, 2, 3])
def test_reject_at_each_stage_is_final_with_the_reason(world: World, open_year: int, at_stage: int) -> None:
    person = world.professional
    reviewers = [world.unit_admin, world.department_reviewer, world.county_staff]
    claim = submit(person, open_year)
    for reviewer in reviewers[: at_stage - 1]:
        claim = decide(reviewer, claim)
    claim = decide(
        reviewers[at_stage - 1], claim, ReviewDecision.REJECT, comment="证书编号与考试机构记录不符"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.current_stage, claim.review_organisation_id) == (
        ClaimStatus.REJECTED,
        None,
        None,
    )
    assert claim.decided_at is not None
    assert ledger(person) == []
    assert [s[4] for s in stages(claim)] == (
        ["approved"] * (at_stage - 1) + ["rejected"] + ["cancelled"] * (3 - at_stage)
    )
    assert trail(claim)[-1][0::3] == ("reject", at_stage, "证书编号与考试机构记录不符")
    organisation = [world.school, world.education_department, world.rencheng][at_stage - 1].name
    assert Notification.objects.get(recipient=person, title="学时申报未通过").body == (
        f"您的{open_year}年度“全国职称外语考试”申报经{organisation}审核未通过。原因：证书编号与考试机构记录不符"
    )
    # Final: nothing more can be decided, and the claimant can neither edit nor withdraw it.
    with pytest.raises(ValidationError):
        review.review_decide(actor=world.county_staff, claim_id=claim.pk, decision=ReviewDecision.APPROVE)
    assert not claim.is_editable and not claim.is_withdrawable


def test_revoke_after_approval_reverses_and_enters_the_archive(world: World, open_year: int) -> None:
    person = world.professional
    claim = submit(person, open_year)
    for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
        claim = decide(reviewer, claim)
    record = review.claim_revoke(
        actor=world.city_staff, claim_id=claim.pk, reason="职称申报抽查发现成绩通知书系伪造"
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVOKED
    assert ledger(person) == [
        ("public_conversion", "PUB-2", D(20), "claim", str(claim.pk)),
        ("public_conversion", "PUB-2", D(-20), "claim", str(claim.pk)),
    ]
    assert sum(e.hours for e in LedgerEntry.objects.filter(person=person)) == 0
    assert (
        record.person,
        record.year,
        record.claim,
        record.reason,
        record.unit,
        record.revoked_by,
        record.role,
        record.organisation,
        record.reversed_hours,
    ) == (
        person,
        open_year,
        claim,
        "职称申报抽查发现成绩通知书系伪造",
        world.school,
        world.city_staff,
        Role.CITY_BUREAU_STAFF,
        world.city,
        D(20),
    )
    assert trail(claim)[-1] == (
        "revoke",
        "市局王科长",
        world.city.name,
        None,
        "approved",
        "revoked",
        "职称申报抽查发现成绩通知书系伪造",
    )
    assert Notification.objects.filter(recipient=person, title="学时申报已撤销").count() == 1
    unit_notice = Notification.objects.get(recipient=world.unit_admin, title="本单位人员的学时申报被撤销")
    assert "张敏" in unit_notice.body and "职称申报抽查发现成绩通知书系伪造" in unit_notice.body
    assert AuditEvent.objects.filter(action="hours.integrity.record", object_id=str(record.pk)).count() == 1
    # Once only.
    with pytest.raises(ValidationError):
        review.claim_revoke(actor=world.county_staff, claim_id=claim.pk, reason="再次")
    assert IntegrityRecord.objects.count() == 1


@pytest.mark.parametrize(
    "revoker", ["other_county_staff", "unit_admin", "department_reviewer", "platform_admin", "professional"]
)
def test_revoke_refused_outside_bureau_jurisdiction(world: World, open_year: int, revoker: str) -> None:
    claim = submit(world.professional, open_year)
    for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
        claim = decide(reviewer, claim)
    before = snapshot(claim)
    with pytest.raises(PermissionDenied):
        review.claim_revoke(actor=getattr(world, revoker), claim_id=claim.pk, reason="核查")
    assert snapshot(claim) == before


def test_revoke_needs_a_reason_and_an_approved_claim(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    with pytest.raises(ValidationError) as error:
        review.claim_revoke(actor=world.county_staff, claim_id=claim.pk, reason=" ")
    assert error.value.message_dict == {"reason": [str(review.REVOKE_REASON_REQUIRED)]}
    with pytest.raises(ValidationError):
        review.claim_revoke(actor=world.county_staff, claim_id=claim.pk, reason="核查")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED


# --- Jurisdiction and moved claims ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage_reached", "actor"),
    [
        (1, "county_staff"),  # governs the unit, but the unit stage is the unit's
        (1, "department_reviewer"),
        (1, "other_unit_admin"),
        (1, "city_staff"),
        (1, "platform_admin"),
        (2, "unit_admin"),  # its stage is done
        (2, "county_staff"),
        (3, "city_staff"),  # a county bureau's stage is the county's
        (3, "other_county_staff"),
        (3, "department_reviewer"),
    ],
)
def test_only_the_stage_organisation_acts(
    world: World, open_year: int, stage_reached: int, actor: str
) -> None:
    claim = submit(world.professional, open_year)
    for reviewer in [world.unit_admin, world.department_reviewer][: stage_reached - 1]:
        claim = decide(reviewer, claim)
    before = snapshot(claim)
    for decision in (ReviewDecision.APPROVE, ReviewDecision.RETURN, ReviewDecision.REJECT):
        with pytest.raises(PermissionDenied) as error:
            decide(getattr(world, actor), claim, decision, comment="意见")
        assert str(error.value) == str(review.REVIEW_NOT_YOUR_STAGE)
    assert snapshot(claim) == before


def test_nobody_reviews_their_own_claim(world: World, open_year: int) -> None:
    role_grant(actor=None, user=world.professional, role=Role.UNIT_ADMIN, organisation=world.school)
    claim = submit(world.professional, open_year)
    before = snapshot(claim)
    with pytest.raises(PermissionDenied) as error:
        decide(world.professional, claim)
    assert str(error.value) == str(review.REVIEW_OWN_CLAIM)
    assert snapshot(claim) == before
    assert not selectors_review.review_queue(world.professional).filter(pk=claim.pk).exists()
    assert selectors_review.review_queue(world.unit_admin).filter(pk=claim.pk).exists()
    assert selectors_review.review_counts(world.unit_admin).pending == 1
    assert selectors_review.review_counts(world.professional).pending == 0


def test_a_stale_form_changes_nothing(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    seen = open_stage(claim).pk
    review.review_decide(actor=world.unit_admin, claim_id=claim.pk, decision="approve", stage_id=seen)
    before = snapshot(claim)
    # A second unit admin's form still shows the unit stage.
    with pytest.raises(ValidationError) as error:
        review.review_decide(actor=world.unit_admin, claim_id=claim.pk, decision="approve", stage_id=seen)
    assert error.value.messages == [str(review.REVIEW_ALREADY_HANDLED)]
    # Any form showing the old stage is refused, whoever sends it.
    with pytest.raises(ValidationError):
        review.review_decide(
            actor=world.department_reviewer, claim_id=claim.pk, decision="reject", stage_id=seen
        )
    assert snapshot(claim) == before


def test_withdrawal_before_review_cancels_the_chain(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    seen = open_stage(claim).pk
    claim = services.claim_withdraw(actor=world.professional, claim_id=claim.pk)
    assert (claim.status, claim.current_stage, claim.review_organisation_id) == (
        ClaimStatus.WITHDRAWN,
        None,
        None,
    )
    assert [s[4] for s in stages(claim)] == ["cancelled"] * 3
    assert [t[0] for t in trail(claim)] == ["submit", "withdraw"]
    assert not selectors_review.review_queue(world.unit_admin).exists()
    with pytest.raises(ValidationError) as error:
        review.review_decide(actor=world.unit_admin, claim_id=claim.pk, decision="approve", stage_id=seen)
    assert error.value.messages == [str(review.REVIEW_ALREADY_HANDLED)]


def test_withdrawal_refused_after_the_first_decision(world: World, open_year: int) -> None:
    claim = decide(world.unit_admin, submit(world.professional, open_year))
    with pytest.raises(ValidationError):
        services.claim_withdraw(actor=world.professional, claim_id=claim.pk)
    assert Claim.objects.get(pk=claim.pk).current_stage == DEPARTMENT


def test_final_approval_refused_when_nothing_can_be_credited_any_more(world: World, open_year: int) -> None:
    """Two papers claimed under PRO-4 (30 a year): the cap is passed by the time the third is approved."""
    person = world.professional
    claims = [
        submit(
            person, open_year, research(open_year, title=f"论文{number}", number=f"ISSN-{number}"), "PRO-4"
        )
        for number in range(4)
    ]
    for claim in claims[:3]:
        for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
            claim = decide(reviewer, claim)
    last = claims[3]
    for reviewer in (world.unit_admin, world.department_reviewer):
        last = decide(reviewer, last)
    before = snapshot(last)
    with pytest.raises(ValidationError) as error:
        decide(world.county_staff, last)
    assert "30" in " ".join(error.value.messages)
    assert snapshot(last) == before
    # The reviewer rejects it instead.
    last = decide(world.county_staff, last, ReviewDecision.REJECT, comment="本年度论文学时已达上限")
    assert last.status == ClaimStatus.REJECTED
    assert sum(e.hours for e in LedgerEntry.objects.filter(person=person)) == D(30)


def test_bulk_approve_each_on_its_own(world: World, open_year: int) -> None:
    person = world.professional
    claims = [
        submit(person, open_year, {"grade": "C", "certificate_number": f"WY-{number}"}) for number in range(3)
    ]
    items: list[tuple[int, int | None]] = [(c.pk, open_stage(c).pk) for c in claims]
    decide(world.unit_admin, claims[1])  # moved meanwhile
    outcome = review.review_bulk_approve(actor=world.unit_admin, items=items, comment="批量审核：材料齐全")
    assert outcome.approved == [claims[0].pk, claims[2].pk]
    assert outcome.refused == [(claims[1].pk, str(review.REVIEW_ALREADY_HANDLED))]
    for claim in (claims[0], claims[2]):
        claim.refresh_from_db()
        assert claim.current_stage == DEPARTMENT
        assert trail(claim)[-1][0::6] == ("approve", "批量审核：材料齐全")
    with pytest.raises(ValidationError):
        review.review_bulk_approve(actor=world.unit_admin, items=[], comment="")
    too_many: list[tuple[int, int | None]] = [(number, None) for number in range(review.BULK_LIMIT + 1)]
    with pytest.raises(ValidationError):
        review.review_bulk_approve(actor=world.unit_admin, items=too_many)


def test_bulk_approve_at_the_bureau_posts_each(world: World, open_year: int) -> None:
    person = world.pending_professional
    claims = [submit(person, open_year, {"grade": "C", "certificate_number": f"WY-{n}"}) for n in range(2)]
    for claim in claims:
        decide(world.other_unit_admin, claim)
    outcome = review.review_bulk_approve(
        actor=world.county_staff, items=[(c.pk, None) for c in claims], comment="同意"
    )
    assert outcome.approved == [c.pk for c in claims] and outcome.refused == []
    assert sorted(e.hours for e in LedgerEntry.objects.filter(person=person)) == [D(10), D(10)]


# --- Queues and counts ------------------------------------------------------------------------------------


def test_queues_hold_what_waits_at_each_stage(world: World, open_year: int) -> None:
    school_claim = submit(world.professional, open_year)
    company_claim = submit(world.pending_professional, open_year)
    assert list(selectors_review.review_queue(world.unit_admin)) == [school_claim]
    assert list(selectors_review.review_queue(world.other_unit_admin)) == [company_claim]
    for nobody in (
        "department_reviewer",
        "county_staff",
        "city_staff",
        "other_county_staff",
        "platform_admin",
    ):
        assert list(selectors_review.review_queue(getattr(world, nobody))) == []
    decide(world.other_unit_admin, company_claim)
    decide(world.unit_admin, school_claim)
    assert list(selectors_review.review_queue(world.department_reviewer)) == [school_claim]
    assert list(selectors_review.review_queue(world.county_staff)) == [company_claim]
    counts = selectors_review.review_counts(world.unit_admin)
    assert (counts.pending, counts.overdue, counts.approved, counts.returned, counts.rejected) == (
        0,
        0,
        1,
        0,
        0,
    )
    handled = selectors_review.QueueFilters(status=selectors_review.QueueStatus.APPROVED)
    assert list(selectors_review.review_queue(world.unit_admin, handled)) == [school_claim]


def test_counts_follow_every_decision_at_once(world: World, open_year: int) -> None:
    """The counts are cached per organisation; each stage that opens or closes drops them."""
    counts = selectors_review.review_counts
    claim = submit(world.professional, open_year)
    assert (counts(world.unit_admin).pending, counts(world.department_reviewer).pending) == (1, 0)
    decide(world.unit_admin, claim)
    assert (counts(world.unit_admin).pending, counts(world.unit_admin).approved) == (0, 1)
    assert counts(world.department_reviewer).pending == 1
    decide(world.department_reviewer, claim, ReviewDecision.RETURN, comment="补充材料")
    assert (counts(world.department_reviewer).pending, counts(world.department_reviewer).returned) == (0, 1)
    assert counts(world.county_staff).pending == 0


def test_deadlines_and_overdue(world: World, open_year: int) -> None:
    fresh = submit(world.professional, open_year, {"grade": "A", "certificate_number": "WY-1"})
    late = submit(world.professional, open_year, {"grade": "B", "certificate_number": "WY-2"})
    past = timezone.now() - datetime.timedelta(days=1)
    Claim.objects.filter(pk=late.pk).update(review_due_at=past)
    ClaimReviewStage.objects.filter(claim=late, state="open").update(due_at=past)
    counts = selectors_review.review_counts(world.unit_admin)
    assert (counts.pending, counts.overdue, counts.by_stage) == (2, 1, [(UNIT, 2, 1)])
    overdue = selectors_review.QueueFilters(status=selectors_review.QueueStatus.OVERDUE)
    assert list(selectors_review.review_queue(world.unit_admin, overdue)) == [late]
    assert open_stage(late).is_overdue and not open_stage(fresh).is_overdue


def test_queue_filters_and_search(world: World, open_year: int) -> None:
    first = submit(world.professional, open_year, {"grade": "A", "certificate_number": "WY-1"})
    second = submit(world.professional, open_year, research(open_year), "PRO-4")
    queue = selectors_review.review_queue

    def filtered(**options: Any) -> list[Claim]:
        return list(queue(world.unit_admin, selectors_review.QueueFilters(**options)))

    assert filtered() == [first, second]
    assert filtered(rule_code="PRO-4") == [second]
    assert filtered(year=open_year - 1) == []
    assert filtered(unit_id=world.school.pk) == [first, second]
    assert filtered(unit_id=world.company.pk) == []
    today = timezone.localdate()
    assert filtered(submitted_from=today, submitted_to=today) == [first, second]
    assert filtered(submitted_from=today + datetime.timedelta(days=1)) == []
    assert filtered(search="张") == [first, second]
    assert filtered(search="李") == []
    assert filtered(search=f"#{second.pk}") == [second]
    from accounts.demo import DEMO_ACCOUNTS

    id_number = next(a.id_number for a in DEMO_ACCOUNTS if a.mobile == world.professional.mobile)
    assert filtered(search=id_number.lower()) == [first, second]
    assert filtered(search="370811199004230000") == []
    assert filtered(stage=DEPARTMENT) == []


# --- The chain as data ------------------------------------------------------------------------------------


def test_a_bureau_shortens_its_chain_without_rerouting_claims_in_flight(world: World, open_year: int) -> None:
    in_flight = submit(world.professional, open_year, {"grade": "A", "certificate_number": "WY-1"})
    review.review_chain_set(actor=world.county_staff, bureau=world.rencheng, stages=[(UNIT, 3), (BUREAU, 5)])
    assert list(
        ReviewStageTemplate.objects.filter(bureau=world.rencheng).values_list(
            "position", "kind", "deadline_days"
        )
    ) == [(1, UNIT, 3), (2, BUREAU, 5)]
    later = submit(world.professional, open_year, {"grade": "B", "certificate_number": "WY-2"})
    assert [s[2] for s in stages(later)] == [UNIT, BUREAU]
    assert open_stage(later).deadline_days == 3
    assert [s[2] for s in stages(in_flight)] == [UNIT, DEPARTMENT, BUREAU]
    # 兖州 keeps the default.
    assert [p.kind for p in review.review_chain_plan(world.yanzhou_hospital)] == [UNIT, DEPARTMENT, BUREAU]
    # Back to the default.
    review.review_chain_set(actor=world.county_staff, bureau=world.rencheng, stages=[])
    assert not ReviewStageTemplate.objects.filter(bureau=world.rencheng).exists()
    assert AuditEvent.objects.filter(action="hours.review.chain_set").count() == 2


def test_a_city_review_stage_lengthens_the_chain(world: World, open_year: int) -> None:
    review.review_chain_set(
        actor=world.city_staff,
        bureau=None,
        stages=[(UNIT, 7), (DEPARTMENT, 7), (BUREAU, 10), (CITY_BUREAU, 5)],
    )
    claim = submit(world.pending_professional, open_year)
    assert [(s[2], s[3]) for s in stages(claim)] == [
        (UNIT, world.company.name),
        (BUREAU, world.rencheng.name),
        (CITY_BUREAU, world.city.name),
    ]
    claim = decide(world.other_unit_admin, claim)
    claim = decide(world.county_staff, claim)
    assert (claim.status, claim.current_stage, claim.review_organisation) == (
        ClaimStatus.SUBMITTED,
        CITY_BUREAU,
        world.city,
    )
    assert LedgerEntry.objects.count() == 0
    claim = decide(world.city_staff, claim)
    assert claim.status == ClaimStatus.APPROVED
    assert ledger(world.pending_professional) == [
        ("public_conversion", "PUB-2", D(20), "claim", str(claim.pk))
    ]
    # For a city-level unit the city bureau is the bureau already: no second city stage.
    hospital = Organisation.objects.get(name="济宁市第一人民医院")
    assert [p.kind for p in review.review_chain_plan(hospital)] == [UNIT, DEPARTMENT, BUREAU]


@pytest.mark.parametrize(
    ("chain", "message"),
    [
        ([(UNIT, 7)], review.CHAIN_LAST_STAGE),
        ([(UNIT, 7), (UNIT, 7), (BUREAU, 7)], review.CHAIN_REPEATED),
        ([(BUREAU, 7), (UNIT, 7)], review.CHAIN_ORDER),
        ([(BUREAU, 0)], review.CHAIN_DEADLINE),
        ([(BUREAU, 366)], review.CHAIN_DEADLINE),
    ],
)
def test_chain_rules(world: World, chain: list[tuple[int, int]], message: object) -> None:
    with pytest.raises(ValidationError) as error:
        review.review_chain_set(actor=world.county_staff, bureau=world.rencheng, stages=chain)
    assert error.value.messages == [str(message)]
    assert not ReviewStageTemplate.objects.exists()


@pytest.mark.parametrize(
    ("actor", "bureau"),
    [
        ("other_county_staff", "rencheng"),
        ("county_staff", "yanzhou"),
        ("county_staff", None),
        ("unit_admin", "rencheng"),
        ("department_reviewer", "rencheng"),
        ("platform_admin", None),
    ],
)
def test_chain_setting_is_the_bureaus(world: World, actor: str, bureau: str | None) -> None:
    with pytest.raises(PermissionDenied):
        review.review_chain_set(
            actor=getattr(world, actor),
            bureau=getattr(world, bureau) if bureau else None,
            stages=[(UNIT, 7), (BUREAU, 7)],
        )
    assert not ReviewStageTemplate.objects.exists()


def test_backfill_gives_old_claims_their_chain(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    # As if submitted before the workflow existed, waiting at the department.
    ClaimReviewStage.objects.filter(claim=claim).update(state=ReviewStageState.CANCELLED)
    Claim.objects.filter(pk=claim.pk).update(current_stage=DEPARTMENT, review_organisation=None)
    assert review.review_chain_backfill() == 1
    claim.refresh_from_db()
    assert (claim.current_stage, claim.review_organisation) == (DEPARTMENT, world.education_department)
    assert [s[4] for s in stages(claim)][3:] == ["approved", "open", "waiting"]
    assert review.review_chain_backfill() == 0


# --- Records stay as written ------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers: PostgreSQL only (CI, scripts/test)")
def test_review_records_and_the_archive_are_append_only(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
        claim = decide(reviewer, claim)
    review.claim_revoke(actor=world.county_staff, claim_id=claim.pk, reason="虚假")
    for queryset, change in (
        (ReviewRecord.objects.filter(claim=claim), {"comment": "改过"}),
        (IntegrityRecord.objects.filter(claim=claim), {"reason": "改过"}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.delete()


# --- E-mail -----------------------------------------------------------------------------------------------


def test_email_after_commit_where_an_address_is_known(
    world: World, open_year: int, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=world.professional.pk).update(email="zhangmin@example.cn")
    User.objects.filter(pk=world.unit_admin.pk).update(email="sun@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        claim = submit(world.professional, open_year)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["sun@example.cn"], "有新的学时申报待审核")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(world.unit_admin, claim, ReviewDecision.RETURN, comment="请补充材料")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["zhangmin@example.cn"], "学时申报已退回")]
    assert "请补充材料" in mail.outbox[0].body


def test_a_broken_mail_server_never_breaks_a_decision(
    world: World, open_year: int, settings: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.hours.test_review.BrokenBackend"
    User.objects.filter(pk=world.professional.pk).update(email="zhangmin@example.cn")
    claim = submit(world.professional, open_year)
    with django_capture_on_commit_callbacks(execute=True):
        claim = decide(world.unit_admin, claim, ReviewDecision.REJECT, comment="不符合条件")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REJECTED
    assert "Review e-mail not sent" in caplog.text


class BrokenBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass
