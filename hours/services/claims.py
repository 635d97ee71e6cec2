"""Claims (学时申报): draft, evidence, preview, submit, withdraw; and, for the review workflow, the
final approval that posts the credit and the revocation that reverses it.

A claim credits nothing until ``claim_post_approved`` runs at the final approval. That function
computes the credit again, under the person's lock, against what is approved at that moment: caps
may have moved since the claimant's preview.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import Role, User
from accounts.services import notify

from .. import policies, selectors
from ..models import (
    CLAIM_TRANSITIONS,
    OPEN_CLAIM_STATUSES,
    Claim,
    ClaimStatus,
    LedgerCategory,
    LedgerEntry,
    RequirementReduction,
    SourceType,
)
from ..rules import (
    ClaimFieldError,
    CreditResult,
    RuleNotClaimableError,
    check_claim_window,
    compute_credit,
    evidence_key,
    format_hours,
    get_spec,
    validate_fields,
)
from ..rules import messages as rule_messages
from ..rules.specs import CATEGORY_PUBLIC, CATEGORY_REQUIREMENT_REDUCTION
from .ledger import lock_person, reverse_entry, stored_text, write_credit

CLAIM_NOT_ALLOWED = _("只有专业技术人员可以申报学时。")
CLAIM_NOT_YOURS = _("这不是您的申报。")
CLAIM_NOT_EDITABLE = _("只有草稿或已退回的申报可以修改。")
CLAIM_NOT_SUBMITTABLE = _("该申报已提交或已办结，不能再次提交。")
CLAIM_NOT_WITHDRAWABLE = _("审核已经开始或申报已办结，不能撤回。")
CLAIM_BAD_TRANSITION = _("申报当前状态为“%(from)s”，不能变为“%(to)s”。")
CLAIM_EVIDENCE_REQUIRED = _("请先上传证明材料（%(label)s），再提交审核。")
CLAIM_EVIDENCE_IN_OPEN_CLAIM = _("该证明材料已在您的另一项申报（编号%(number)s）中，不能重复申报。")
CLAIM_UNIT_REQUIRED = _("请先在“个人信息”中加入工作单位，再提交申报：申报由所在单位首先审核。")
CLAIM_NOT_IN_REVIEW = _("该申报不在审核中，不能审批。")
CLAIM_ALREADY_POSTED = _("该申报已审批通过并记入学时，不能重复记入。")
CLAIM_NOT_APPROVABLE = _("只有申报单位所在地的人力资源社会保障部门可以终审学时申报。")
CLAIM_NOT_APPROVED = _("只有已通过的申报可以撤销。")
CLAIM_REVOKE_REASON_REQUIRED = _("请填写撤销原因。")
CLAIM_NUMBER_INVALID = _("填写的数值无效，请检查后重新填写。")
CLAIM_LEDGER_MEMO = _("学时申报（编号%(number)s）：%(code)s %(title)s")
CLAIM_REDUCTION_PREVIEW = _(
    "审核通过后，%(year)s年度仅需完成公需科目%(public)s学时、专业科目%(professional)s学时。"
)
CLAIM_APPROVED_TITLE = _("学时申报已通过")
CLAIM_APPROVED_BODY = _("您的%(year)s年度“%(title)s”申报已审核通过，认定%(hours)s学时。")
CLAIM_REDUCTION_APPROVED_BODY = _("您的%(year)s年度“%(title)s”申报已审核通过。%(detail)s")
CLAIM_REVOKED_TITLE = _("学时申报已撤销")
CLAIM_REVOKED_BODY = _("您的%(year)s年度“%(title)s”申报已被撤销，原认定的学时已冲销。原因：%(reason)s")


# --- Helpers shared by the claim services ----------------------------------------------------------


def _json_safe(values: Mapping[str, object]) -> dict[str, Any]:
    """Typed values from ``validate_fields`` as JSON (``validate_fields`` reads them back unchanged)."""
    safe: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            safe[name] = str(value)
        elif isinstance(value, datetime.date):
            safe[name] = value.isoformat()
        else:
            safe[name] = value
    return safe


#: No count or number of hours on a claim is this large; larger ones are typing mistakes (or attacks).
MAX_CLAIM_NUMBER = 9999


def typed_fields(rule_code: str, fields: Mapping[str, object]) -> dict[str, Any]:
    """``validate_fields`` with the errors as a ValidationError naming each bad field, and numbers
    bounded (at most ``MAX_CLAIM_NUMBER``) so that nothing absurd reaches the arithmetic or the database."""
    try:
        spec = get_spec(rule_code)
    except RuleNotClaimableError as error:
        raise ValidationError({"rule_code": str(error)}) from error
    try:
        values = validate_fields(rule_code, fields)
    except ClaimFieldError as error:
        raise ValidationError(error.errors) from error
    except ArithmeticError as error:  # e.g. "1e999999": a number too large to round to tenths
        raise ValidationError({"fields": CLAIM_NUMBER_INVALID}) from error
    errors = {}
    for field_spec in spec.fields:
        value = values.get(field_spec.name)
        if isinstance(value, int | Decimal) and abs(Decimal(value)) > MAX_CLAIM_NUMBER:
            errors[field_spec.name] = rule_messages.FIELD_ABOVE_MAXIMUM.format(
                label=field_spec.label, maximum=MAX_CLAIM_NUMBER
            )
    if errors:
        raise ValidationError(errors)
    return values


def _validated(rule_code: str, fields: Mapping[str, object], year: int) -> tuple[dict[str, Any], str]:
    """(JSON-safe fields, evidence key), or a ValidationError naming each bad field."""
    values = typed_fields(rule_code, fields)
    return _json_safe(values), evidence_key(rule_code, values, year=year)


def _check_year(year: int) -> None:
    try:
        selectors.year_figures(year)
    except selectors.YearRulesMissingError as error:
        raise ValidationError({"year": error.messages}) from error


def _check_filer(actor: User) -> None:
    if not policies.can_file_claims(actor):
        raise PermissionDenied(CLAIM_NOT_ALLOWED)


def locked_own_claim(actor: User, claim_id: int) -> Claim:
    """The actor's claim, locked for the rest of the transaction; PermissionDenied for anyone else's."""
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None or claim.person_id != actor.pk:
        raise PermissionDenied(CLAIM_NOT_YOURS)
    return claim


def _check_evidence_free(claim: Claim) -> None:
    """The evidence is neither credited already (the rules' own message: "already credited", or "this
    competition was credited under the other rule") nor held by another open claim of the person (the
    partial unique constraint says the same; this gives the message before the database does)."""
    if not claim.evidence_key:
        return
    prior = selectors.prior_credits(claim.person_id, claim.year)
    if claim.evidence_key in prior.evidence_keys:
        result = compute_credit(claim.rule_code, claim.fields, selectors.year_figures(claim.year), prior)
        if result.refused:
            raise ValidationError({"evidence": result.refusal})
    other = (
        Claim.objects.filter(
            person_id=claim.person_id, evidence_key=claim.evidence_key, status__in=OPEN_CLAIM_STATUSES
        )
        .exclude(pk=claim.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if other is not None:
        raise ValidationError({"evidence": CLAIM_EVIDENCE_IN_OPEN_CLAIM % {"number": other}})


def _save_claim(claim: Claim) -> None:
    claim.updated_at = timezone.now()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as error:  # the partial unique constraint, under a race
        raise ValidationError({"evidence": CLAIM_EVIDENCE_IN_OPEN_CLAIM % {"number": "—"}}) from error


def claim_move(claim: Claim, to_status: str) -> None:
    """The one place that changes ``Claim.status``: refuses a move ``CLAIM_TRANSITIONS`` does not list.
    Does not save; the calling service does, with its audit record."""
    if to_status not in CLAIM_TRANSITIONS[claim.status]:
        raise ValidationError(
            CLAIM_BAD_TRANSITION
            % {"from": ClaimStatus(claim.status).label, "to": ClaimStatus(to_status).label}
        )
    claim.status = to_status


def _audit_claimant(actor: User, action: str, claim: Claim, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=claim,
        organisation=claim.unit or actor.unit,
        role=Role.PROFESSIONAL,
        detail={"rule_code": claim.rule_code, "year": claim.year, **detail},
    )


def credit_messages(result: CreditResult, year: int) -> list[str]:
    """What the claimant reads under the hours: why they were cut, why refused, or R1's new requirement."""
    if result.refused:
        return [result.refusal]
    if result.reduced_public_required is not None and result.reduced_professional_required is not None:
        return [
            stored_text(
                CLAIM_REDUCTION_PREVIEW,
                {
                    "year": year,
                    "public": format_hours(result.reduced_public_required),
                    "professional": format_hours(result.reduced_professional_required),
                },
            )
        ]
    return list(result.reasons)


# --- Drafts ----------------------------------------------------------------------------------------


@transaction.atomic
def claim_create_draft(*, actor: User, year: int, rule_code: str, fields: Mapping[str, object]) -> Claim:
    """A draft under one rule: its fields must already be valid (the form is short), evidence can follow."""
    _check_filer(actor)
    try:
        get_spec(rule_code)
    except RuleNotClaimableError as error:
        raise ValidationError({"rule_code": str(error)}) from error
    _check_year(year)
    safe, key = _validated(rule_code, fields, year)
    claim = Claim(person=actor, year=year, rule_code=rule_code, fields=safe, evidence_key=key)
    _check_evidence_free(claim)
    _save_claim(claim)
    _audit_claimant(actor, "hours.claim.create", claim)
    return claim


@transaction.atomic
def claim_update_draft(
    *, actor: User, claim_id: int, fields: Mapping[str, object], year: int | None = None
) -> Claim:
    """Changes the fields (and the year) of the actor's draft or returned claim."""
    claim = locked_own_claim(actor, claim_id)
    if not claim.is_editable:
        raise ValidationError(CLAIM_NOT_EDITABLE)
    if year is not None and year != claim.year:
        _check_year(year)
        claim.year = year
    claim.fields, claim.evidence_key = _validated(claim.rule_code, fields, claim.year)
    _check_evidence_free(claim)
    _save_claim(claim)
    _audit_claimant(actor, "hours.claim.update", claim)
    return claim


def claim_save(
    *,
    actor: User,
    rule_code: str,
    year: int,
    fields: Mapping[str, object],
    uploads: Iterable[UploadedFile] = (),
    claim_id: int | None = None,
) -> Claim:
    """What a claim form does on 保存草稿 / 提交审核: create or update the draft and attach the new files,
    all or nothing (a refused file leaves no half-saved draft behind)."""
    from .evidence import claim_evidence_add

    with transaction.atomic():
        if claim_id is None:
            claim = claim_create_draft(actor=actor, year=year, rule_code=rule_code, fields=fields)
        else:
            claim = claim_update_draft(actor=actor, claim_id=claim_id, fields=fields, year=year)
        for upload in uploads:
            claim_evidence_add(actor=actor, claim_id=claim.pk, upload=upload)
    return claim


# --- Preview, submit, withdraw ---------------------------------------------------------------------


def claim_preview(*, person: User, year: int, rule_code: str, fields: Mapping[str, object]) -> CreditResult:
    """What approving this claim now would credit, against the person's approved credits. Writes
    nothing; the same computation runs again at submission and at the final approval."""
    _check_year(year)
    values = typed_fields(rule_code, fields)
    figures = selectors.year_figures(year)
    return compute_credit(rule_code, values, figures, selectors.prior_credits(person.pk, year))


@transaction.atomic
def claim_submit(*, actor: User, claim_id: int) -> Claim:
    """Sends a draft or returned claim to review. Refused while the year's claim window is closed,
    without evidence, without a unit, or when the claim could credit nothing (its message says why)."""
    claim = locked_own_claim(actor, claim_id)
    if not claim.is_editable:
        raise ValidationError(CLAIM_NOT_SUBMITTABLE)
    figures = selectors.year_figures(claim.year)
    refusal = check_claim_window(figures, claim.year, timezone.localdate())
    if refusal:
        raise ValidationError(refusal)
    if not claim.evidence.exists():
        raise ValidationError({"evidence": CLAIM_EVIDENCE_REQUIRED % {"label": claim.spec.evidence_label}})
    person = User.objects.select_related("unit").get(pk=actor.pk)
    if person.unit is None:
        raise ValidationError(CLAIM_UNIT_REQUIRED)
    claim.fields, claim.evidence_key = _validated(claim.rule_code, claim.fields, claim.year)
    _check_evidence_free(claim)
    result = compute_credit(
        claim.rule_code, claim.fields, figures, selectors.prior_credits(person.pk, claim.year)
    )
    if result.refused:
        raise ValidationError(result.refusal)
    from ..review import review_chain_start

    from_status = claim.status
    claim_move(claim, ClaimStatus.SUBMITTED)
    claim.preview_hours = result.hours
    claim.preview_reasons = credit_messages(result, claim.year)
    claim.unit = person.unit
    claim.submitted_at = timezone.now()
    claim.review_started = False
    # The review chain of the unit, from its first stage (after a return too): sets current_stage.
    review_chain_start(claim=claim, actor=actor, from_status=from_status)
    _save_claim(claim)
    _audit_claimant(actor, "hours.claim.submit", claim, preview_hours=str(result.hours))
    return claim


@transaction.atomic
def claim_withdraw(*, actor: User, claim_id: int) -> Claim:
    """The claimant takes a claim back: a draft, a returned claim, or a submitted one before any review
    decision (``review_started`` is set by the review workflow's first decision)."""
    from ..review import review_chain_end

    claim = locked_own_claim(actor, claim_id)
    if not claim.is_withdrawable:
        raise ValidationError(CLAIM_NOT_WITHDRAWABLE)
    from_status = claim.status
    claim_move(claim, ClaimStatus.WITHDRAWN)
    claim.decided_at = timezone.now()
    review_chain_end(claim=claim, actor=actor, from_status=from_status)
    _save_claim(claim)
    _audit_claimant(actor, "hours.claim.withdraw", claim)
    return claim


# --- For the review workflow: final approval and revocation ------------------------------------------


def _locked_for_decision(claim: Claim, actor: User) -> Claim:
    lock_person(claim.person_id)  # always the person first, then the claim: one lock order everywhere
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    locked = Claim.objects.select_related("person", "unit").get(pk=locked.pk)
    if not policies.can_give_final_approval(actor, locked):
        raise PermissionDenied(CLAIM_NOT_APPROVABLE)
    return locked


def _audit_decision(actor: User, action: str, claim: Claim, **detail: Any) -> None:
    assignment = account_policies.governing_assignment(actor, claim.unit, account_policies.BUREAU_ROLES)
    audit_record(
        actor=actor,
        action=action,
        target=claim,
        organisation=claim.unit,
        assignment=assignment,
        role="" if assignment else Role.PLATFORM_ADMIN,
        detail={"rule_code": claim.rule_code, "year": claim.year, "person": claim.person_id, **detail},
    )


@transaction.atomic
def claim_post_approved(*, claim: Claim, actor: User) -> CreditResult:
    """The final approval's effect: computes the credit now, under the person's lock, writes the ledger
    entry (or, for R1, the requirement reduction), and marks the claim approved.

    Raises ValidationError with the rules' message when the claim can credit nothing any more (a cap
    reached or the evidence credited by another claim since submission): the reviewer then rejects it
    instead. Posting a claim twice is refused, and the ledger's unique constraint refuses it again
    should two approvals race.
    """
    claim = _locked_for_decision(claim, actor)
    if claim.status == ClaimStatus.APPROVED:
        raise ValidationError(CLAIM_ALREADY_POSTED)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ValidationError(CLAIM_NOT_IN_REVIEW)
    figures = selectors.year_figures(claim.year)
    result = compute_credit(
        claim.rule_code, claim.fields, figures, selectors.prior_credits(claim.person_id, claim.year)
    )
    if result.refused:
        raise ValidationError(result.refusal)
    spec = claim.spec
    if spec.category == CATEGORY_REQUIREMENT_REDUCTION:
        assert result.reduced_public_required is not None and result.reduced_professional_required is not None
        try:
            with transaction.atomic():
                RequirementReduction.objects.create(
                    person_id=claim.person_id,
                    year=claim.year,
                    reason=str(claim.fields["reason"]),
                    months_on_post=int(claim.fields["months_on_post"]),
                    public_required=result.reduced_public_required,
                    professional_required=result.reduced_professional_required,
                    claim=claim,
                    created_by=actor,
                )
        except IntegrityError as error:
            raise ValidationError(CLAIM_ALREADY_POSTED) from error
    else:
        category = (
            LedgerCategory.PUBLIC_CONVERSION
            if spec.category == CATEGORY_PUBLIC
            else LedgerCategory.PROFESSIONAL
        )
        memo = stored_text(CLAIM_LEDGER_MEMO, {"number": claim.pk, "code": spec.code, "title": spec.title})
        _entry, created = write_credit(
            person=claim.person,
            year=claim.year,
            category=category,
            hours=result.hours,
            source_type=SourceType.CLAIM,
            source_id=str(claim.pk),
            memo="；".join([memo, *result.reasons]),
            actor=actor,
            rule_code=claim.rule_code,
            evidence_key=result.evidence_key,
        )
        if not created:
            raise ValidationError(CLAIM_ALREADY_POSTED)
    claim_move(claim, ClaimStatus.APPROVED)
    claim.credited_hours = result.hours
    claim.credit_reasons = credit_messages(result, claim.year)
    claim.decided_at = timezone.now()
    claim.review_started = True
    _save_claim(claim)
    _audit_decision(actor, "hours.claim.post_approved", claim, credited_hours=str(result.hours))
    if spec.category == CATEGORY_REQUIREMENT_REDUCTION:
        body = stored_text(
            CLAIM_REDUCTION_APPROVED_BODY,
            {"year": claim.year, "title": spec.title, "detail": "".join(claim.credit_reasons)},
        )
    else:
        body = stored_text(
            CLAIM_APPROVED_BODY,
            {"year": claim.year, "title": spec.title, "hours": format_hours(result.hours)},
        )
    notify(
        recipient=claim.person,
        title=stored_text(CLAIM_APPROVED_TITLE),
        body=body,
        link=f"/hours/claims/{claim.pk}/",
    )
    return result


@transaction.atomic
def claim_reverse_posting(*, claim: Claim, actor: User, reason: str) -> Claim:
    """Revokes an approved claim (a false claim found in a spot check, an approval in error): its
    credit is reversed in the ledger (or its R1 reduction ends) and the claim becomes 已撤销."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": CLAIM_REVOKE_REASON_REQUIRED})
    claim = _locked_for_decision(claim, actor)
    if claim.status != ClaimStatus.APPROVED:
        raise ValidationError(CLAIM_NOT_APPROVED)
    reversed_hours = Decimal(0)
    if claim.spec.category == CATEGORY_REQUIREMENT_REDUCTION:
        RequirementReduction.objects.filter(claim=claim, is_active=True).update(
            is_active=False, revoked_at=timezone.now(), revoked_by=actor
        )
    else:
        credits = LedgerEntry.objects.filter(
            person_id=claim.person_id,
            source_type=SourceType.CLAIM,
            source_id=str(claim.pk),
            reverses__isnull=True,
            reversal__isnull=True,
        )
        for entry in credits:
            reverse_entry(entry=entry, actor=actor, reason=reason)
            reversed_hours += entry.hours
    claim_move(claim, ClaimStatus.REVOKED)
    claim.decided_at = timezone.now()
    _save_claim(claim)
    _audit_decision(actor, "hours.claim.revoke", claim, reversed_hours=str(reversed_hours), reason=reason)
    notify(
        recipient=claim.person,
        title=stored_text(CLAIM_REVOKED_TITLE),
        body=stored_text(
            CLAIM_REVOKED_BODY, {"year": claim.year, "title": claim.spec.title, "reason": reason}
        ),
        link=f"/hours/claims/{claim.pk}/",
    )
    return claim
