"""The review workflow (审核): unit → department → HR bureau, every move on record (谁审核，谁负责).

- ``review_chain_plan``: the stages a claim from a unit passes, from the stage templates (data) and the
  unit's place in the tree; ``review_chain_start`` snapshots them when the claim is submitted (called by
  ``claim_submit``; a resubmission after a return starts a new round at the first stage).
- ``review_decide``: one function moves a claim in review. It locks the person and the claim, checks
  that the form's stage is still the open one (else "已被其他审核人处理", nothing changed), that the
  actor holds the stage's role at the stage's organisation, and that ``DECISION_EFFECTS`` allows the
  decision; writes a ``ReviewRecord`` and an audit event; the last approval posts the hours through
  ``claim_post_approved`` in the same transaction.
- ``review_bulk_approve``: the same function per claim, each in its own transaction.
- ``claim_revoke``: 一票否决. Reverses the posting, enters the integrity archive, tells the person and
  the unit.
- ``review_chain_set``: a bureau's chain (or the city-wide default), by rows.

In-site messages are written in the transaction; e-mails (where an address is known) go after commit,
and a failing mail server is logged, never felt by the reviewer.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User
from accounts.request_context import current_ip
from accounts.services import notify
from jinan_ce.spreadsheets import xlsx_bytes

from . import policies as claim_policies
from . import review_policies as policies
from .models import Claim, ClaimStatus, LedgerEntry, SourceType
from .review_models import (
    DEFAULT_CHAIN,
    FINAL_STAGE_KINDS,
    REVIEWER_DECISIONS,
    STAGE_TRANSITIONS,
    ClaimReviewStage,
    IntegrityRecord,
    ReviewDecision,
    ReviewRecord,
    ReviewStageKind,
    ReviewStageState,
    ReviewStageTemplate,
)
from .rules import format_hours
from .selectors_review import forget_review_counts
from .services.claims import claim_move, claim_post_approved, claim_reverse_posting
from .services.ledger import lock_person, stored_text

logger = logging.getLogger(__name__)

REVIEW_ALREADY_HANDLED = _("该申报已被其他审核人处理，请刷新后查看最新状态。")
REVIEW_NOT_IN_REVIEW = _("该申报不在审核中。")
REVIEW_NOT_YOUR_STAGE = _("该申报当前不在您的审核环节，您不能审核。")
REVIEW_OWN_CLAIM = _("不能审核本人的申报。")
REVIEW_COMMENT_REQUIRED = _("退回或不予通过时，请填写意见，申报人将看到该意见。")
REVIEW_COMMENT_TOO_LONG = _("意见不能超过%(limit)s个字。")
REVIEW_UNKNOWN_DECISION = _("无效的审核操作。")
REVIEW_NOTHING_SELECTED = _("请至少选择一项申报。")
REVIEW_TOO_MANY_SELECTED = _("一次最多批量审核%(limit)s项申报。")
REVOKE_NOT_ALLOWED = _(
    "只有申报单位所在地的人力资源社会保障部门（或市人力资源社会保障局）可以撤销已通过的申报。"
)
REVOKE_REASON_REQUIRED = _("请填写撤销原因。")
CHAIN_NOT_ALLOWED = _("您不能设置该人社部门的审核流程。")
CHAIN_EMPTY = _("审核流程至少需要一个环节。")
CHAIN_REPEATED = _("同一审核环节不能出现两次。")
CHAIN_ORDER = _("审核环节应按“单位审核、主管部门审核、人社部门审批、市人社局复核”的顺序排列。")
CHAIN_LAST_STAGE = _("最后一个环节必须是人社部门审批或市人社局复核：学时由人社部门终审后记入。")
CHAIN_DEADLINE = _("审核时限应为1至365天。")

NOTICE_NEW_WORK_TITLE = _("有新的学时申报待审核")
NOTICE_NEW_WORK_BODY = _(
    "%(person)s的%(year)s年度“%(title)s”申报（编号%(number)s）已到达%(stage)s环节，请于%(due)s前审核。"
)
NOTICE_RETURNED_TITLE = _("学时申报已退回")
NOTICE_RETURNED_BODY = _(
    "您的%(year)s年度“%(title)s”申报被%(organisation)s退回修改。意见：%(comment)s。请修改后重新提交。"
)
NOTICE_REJECTED_TITLE = _("学时申报未通过")
NOTICE_REJECTED_BODY = _("您的%(year)s年度“%(title)s”申报经%(organisation)s审核未通过。原因：%(comment)s")
NOTICE_APPROVED_MAIL = _("您的%(year)s年度“%(title)s”申报已审核通过，认定%(hours)s学时。")
NOTICE_REVOKED_TITLE = _("学时申报已撤销")
NOTICE_REVOKED_BODY = _(
    "您的%(year)s年度“%(title)s”申报已被撤销，原认定的学时已冲销，并记入诚信档案。原因：%(reason)s"
)
NOTICE_UNIT_REVOKED_TITLE = _("本单位人员的学时申报被撤销")
NOTICE_UNIT_REVOKED_BODY = _(
    "%(person)s的%(year)s年度“%(title)s”申报（编号%(number)s）经%(organisation)s核查为虚假申报，已撤销并记入诚信档案。原因：%(reason)s"
)

COMMENT_LIMIT = 500
BULK_LIMIT = 100

#: What a reviewer's decision does to the open stage and to the claim. ``None`` for the claim: it stays
#: 审核中 and moves to the next stage, or, after the last stage, is approved and posted.
DECISION_EFFECTS: dict[str, tuple[str, str | None]] = {
    ReviewDecision.APPROVE: (ReviewStageState.APPROVED, None),
    ReviewDecision.RETURN: (ReviewStageState.RETURNED, ClaimStatus.RETURNED),
    ReviewDecision.REJECT: (ReviewStageState.REJECTED, ClaimStatus.REJECTED),
}


# --- The chain ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStage:
    kind: int
    organisation: Organisation
    deadline_days: int

    @property
    def label(self) -> str:
        return str(ReviewStageKind(self.kind).label)


def chain_template(bureau_id: int | None) -> list[tuple[int, int]]:
    """(kind, deadline days) in order: the bureau's own rows, else the default rows, else
    ``DEFAULT_CHAIN``."""
    rows: list[tuple[int, int]] = []
    if bureau_id is not None:
        rows = list(
            ReviewStageTemplate.objects.filter(bureau_id=bureau_id)
            .order_by("position")
            .values_list("kind", "deadline_days")
        )
    if not rows:
        rows = list(
            ReviewStageTemplate.objects.filter(bureau__isnull=True)
            .order_by("position")
            .values_list("kind", "deadline_days")
        )
    return rows or [(int(kind), days) for kind, days in DEFAULT_CHAIN]


def _ancestors(organisation: Organisation) -> list[Organisation]:
    """The organisation's ancestors from the top (one query, from the materialised path)."""
    ids = [int(part) for part in organisation.path.strip("/").split("/") if part.isdigit()]
    by_id = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id and pk != organisation.pk]


def _bureau_of(unit: Organisation, ancestors: list[Organisation]) -> Organisation | None:
    if unit.bureau_id is not None and unit.bureau is not None:
        return unit.bureau
    bureaus = [o for o in ancestors if o.is_bureau]
    return bureaus[-1] if bureaus else None


def review_chain_plan(unit: Organisation) -> list[PlannedStage]:
    """The stages a claim from ``unit`` passes, in order. A stage whose organisation does not exist for
    the unit is skipped (no supervising department; no city bureau above), as is a stage naming the same
    organisation as the one before (a city-level unit's bureau is the city bureau). The last stage is
    always an HR bureau's: if the templates end elsewhere, the unit's bureau is added."""
    ancestors = _ancestors(unit)
    bureau = _bureau_of(unit, ancestors)
    city = next((o for o in ancestors if o.kind == OrganisationKind.CITY_BUREAU), None)
    department = unit.parent if unit.parent and unit.parent.kind == OrganisationKind.DEPARTMENT else None
    organisation_of: dict[int, Organisation | None] = {
        ReviewStageKind.UNIT: unit,
        ReviewStageKind.DEPARTMENT: department,
        ReviewStageKind.BUREAU: bureau,
        ReviewStageKind.CITY_BUREAU: city,
    }
    plan: list[PlannedStage] = []
    deadline_of_bureau = 10
    for kind, days in chain_template(bureau.pk if bureau else None):
        organisation = organisation_of.get(kind)
        if kind in FINAL_STAGE_KINDS:
            deadline_of_bureau = days
        if organisation is None or (plan and plan[-1].organisation.pk == organisation.pk):
            continue
        plan.append(PlannedStage(kind=kind, organisation=organisation, deadline_days=days))
    if (not plan or plan[-1].kind not in FINAL_STAGE_KINDS) and bureau is not None:
        plan.append(PlannedStage(ReviewStageKind.BUREAU, bureau, deadline_of_bureau))
    return plan


def _stage_move(stage: ClaimReviewStage, to_state: str, *, actor: User | None = None) -> None:
    """The one place that changes ``ClaimReviewStage.state`` (and saves it). The organisation's queue
    counts are dropped now and again after commit (a count read meanwhile is not kept)."""
    if to_state not in STAGE_TRANSITIONS[stage.state]:
        raise ValidationError(REVIEW_ALREADY_HANDLED)
    organisation_id = stage.organisation_id
    forget_review_counts(organisation_id)
    transaction.on_commit(lambda: forget_review_counts(organisation_id))
    now = timezone.now()
    stage.state = to_state
    if to_state == ReviewStageState.OPEN:
        stage.opened_at = now
        stage.due_at = now + datetime.timedelta(days=stage.deadline_days)
    else:
        stage.decided_at = now
        stage.decided_by = actor if actor is not None and to_state != ReviewStageState.CANCELLED else None
    stage.save()


def _open_stage(claim: Claim, stage: ClaimReviewStage) -> None:
    _stage_move(stage, ReviewStageState.OPEN)
    claim.current_stage = stage.kind
    claim.review_organisation = stage.organisation
    claim.review_due_at = stage.due_at


def _leave_review(claim: Claim) -> None:
    claim.current_stage = None
    claim.review_organisation = None
    claim.review_due_at = None


def _cancel_unfinished(claim: Claim) -> None:
    for stage in claim.review_stages.filter(state__in=[ReviewStageState.WAITING, ReviewStageState.OPEN]):
        _stage_move(stage, ReviewStageState.CANCELLED)


def _record(
    *,
    claim: Claim,
    actor: User,
    decision: str,
    from_status: str,
    round_number: int,
    stage: ClaimReviewStage | None = None,
    assignment: RoleAssignment | None = None,
    role: str = "",
    organisation: Organisation | None = None,
    comment: str = "",
) -> ReviewRecord:
    organisation = assignment.organisation if assignment is not None else organisation
    return ReviewRecord.objects.create(
        claim=claim,
        stage=stage,
        round=round_number,
        stage_kind=stage.kind if stage is not None else None,
        decision=decision,
        from_status=from_status,
        to_status=claim.status,
        comment=comment,
        actor=actor,
        actor_name=actor.real_name,
        role=assignment.role if assignment is not None else role,
        organisation=organisation,
        organisation_name=organisation.name if organisation is not None else "",
        ip_address=current_ip.get(),
    )


def _current_round(claim: Claim) -> int:
    return claim.review_stages.order_by("-round").values_list("round", flat=True).first() or 0


def review_chain_start(*, claim: Claim, actor: User, from_status: str) -> ClaimReviewStage | None:
    """At submission (inside ``claim_submit``'s transaction, the claim locked and moved to 审核中, not yet
    saved): snapshot the chain as a new round, open its first stage, record the submission. A
    resubmission after a return thus restarts at the first stage; the earlier rounds stay on record."""
    assert claim.unit is not None
    _cancel_unfinished(claim)
    round_number = _current_round(claim) + 1
    unit = Organisation.objects.select_related("parent", "bureau").get(pk=claim.unit.pk)
    stages = [
        ClaimReviewStage.objects.create(
            claim=claim,
            round=round_number,
            position=position,
            kind=planned.kind,
            organisation=planned.organisation,
            deadline_days=planned.deadline_days,
        )
        for position, planned in enumerate(review_chain_plan(unit), start=1)
    ]
    if not stages:  # a unit outside any bureau: nobody could approve it
        _leave_review(claim)
        return None
    _open_stage(claim, stages[0])
    _record(
        claim=claim,
        actor=actor,
        decision=ReviewDecision.SUBMIT,
        from_status=from_status,
        round_number=round_number,
        role=Role.PROFESSIONAL,
        organisation=claim.unit,
    )
    _notify_stage_reviewers(claim, stages[0])
    return stages[0]


def review_chain_end(*, claim: Claim, actor: User, from_status: str) -> None:
    """When the claimant withdraws (inside ``claim_withdraw``'s transaction): the unfinished stages are
    cancelled and, for a claim that was ever submitted, the withdrawal is on the trail."""
    round_number = _current_round(claim)
    _cancel_unfinished(claim)
    _leave_review(claim)
    if round_number:
        _record(
            claim=claim,
            actor=actor,
            decision=ReviewDecision.WITHDRAW,
            from_status=from_status,
            round_number=round_number,
            role=Role.PROFESSIONAL,
            organisation=claim.unit,
        )


# --- Decisions --------------------------------------------------------------------------------------


@dataclass
class DecisionOutcome:
    claim: Claim
    decision: str
    record: ReviewRecord
    next_stage: ClaimReviewStage | None = None
    credited_hours: Decimal | None = None

    @property
    def is_final(self) -> bool:
        return self.claim.status != ClaimStatus.SUBMITTED


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ValidationError({"comment": REVIEW_COMMENT_TOO_LONG % {"limit": COMMENT_LIMIT}})
    return comment


@transaction.atomic
def review_decide(
    *, actor: User, claim_id: int, decision: str, comment: str = "", stage_id: int | None = None
) -> DecisionOutcome:
    """Approve, return or reject the claim at its open stage.

    ``stage_id`` is the stage the reviewer saw: if the claim has moved since (another reviewer acted,
    the claimant withdrew), nothing changes and the reviewer reads ``REVIEW_ALREADY_HANDLED``. Lock
    order as everywhere in hours: the person, then the claim; so two approvals of one claim run one after
    the other, and the second finds the stage moved. The final approval posts through
    ``claim_post_approved`` in this transaction: if it refuses (a cap reached, the evidence credited
    since), everything rolls back and the reviewer reads why.
    """
    if decision not in REVIEWER_DECISIONS:
        raise ValidationError({"decision": REVIEW_UNKNOWN_DECISION})
    comment = _clean_comment(comment)
    person_id = Claim.objects.filter(pk=claim_id).values_list("person_id", flat=True).first()
    if person_id is None:
        raise PermissionDenied(REVIEW_NOT_YOUR_STAGE)
    lock_person(person_id)
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if not claim_policies.can_view_claim(actor, claim):  # outside the jurisdiction: nothing to tell
        raise PermissionDenied(REVIEW_NOT_YOUR_STAGE)
    stage = (
        claim.review_stages.select_related("organisation").filter(state=ReviewStageState.OPEN).first()
        if claim.status == ClaimStatus.SUBMITTED
        else None
    )
    if stage_id is not None and (stage is None or stage.pk != stage_id):
        raise ValidationError(REVIEW_ALREADY_HANDLED)
    if stage is None:
        raise ValidationError(REVIEW_NOT_IN_REVIEW)
    if claim.person_id == actor.pk:
        raise PermissionDenied(REVIEW_OWN_CLAIM)
    assignment = policies.stage_assignment(actor, stage.kind, stage.organisation_id)
    if assignment is None:
        raise PermissionDenied(REVIEW_NOT_YOUR_STAGE)
    if decision != ReviewDecision.APPROVE and not comment:
        raise ValidationError({"comment": REVIEW_COMMENT_REQUIRED})

    from_status = claim.status
    stage_state, claim_status = DECISION_EFFECTS[decision]
    _stage_move(stage, stage_state, actor=actor)
    claim.review_started = True
    next_stage: ClaimReviewStage | None = None
    credited: Decimal | None = None
    if decision == ReviewDecision.APPROVE:
        next_stage = (
            claim.review_stages.select_related("organisation")
            .filter(round=stage.round, position__gt=stage.position, state=ReviewStageState.WAITING)
            .order_by("position")
            .first()
        )
        if next_stage is not None:
            _open_stage(claim, next_stage)
            claim.updated_at = timezone.now()
            claim.save()
        else:
            claim.save()
            result = claim_post_approved(claim=claim, actor=actor)  # moves the claim to 已通过
            credited = result.hours
            claim.refresh_from_db()
            _leave_review(claim)
            claim.save(update_fields=["current_stage", "review_organisation", "review_due_at"])
    else:
        assert claim_status is not None
        _cancel_unfinished(claim)
        claim_move(claim, claim_status)
        _leave_review(claim)
        now = timezone.now()
        claim.updated_at = now
        if claim_status == ClaimStatus.REJECTED:
            claim.decided_at = now
        claim.save()
    record = _record(
        claim=claim,
        actor=actor,
        decision=decision,
        from_status=from_status,
        round_number=stage.round,
        stage=stage,
        assignment=assignment,
        comment=comment,
    )
    audit_record(
        actor=actor,
        action=f"hours.review.{decision}",
        target=claim,
        organisation=stage.organisation,
        assignment=assignment,
        detail={
            "stage": stage.kind,
            "round": stage.round,
            "person": claim.person_id,
            "to_status": claim.status,
            **({"credited_hours": str(credited)} if credited is not None else {}),
        },
    )
    if next_stage is not None:
        _notify_stage_reviewers(claim, next_stage)
    else:
        _notify_claimant_of_decision(claim, decision, stage, comment, credited)
    return DecisionOutcome(
        claim=claim, decision=decision, record=record, next_stage=next_stage, credited_hours=credited
    )


@dataclass
class BulkOutcome:
    approved: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def review_bulk_approve(
    *, actor: User, items: Sequence[tuple[int, int | None]], comment: str = ""
) -> BulkOutcome:
    """Approve several claims with one comment. Each goes through ``review_decide`` in its own
    transaction, so one refusal (moved meanwhile, a cap reached) leaves the others approved."""
    if not items:
        raise ValidationError(REVIEW_NOTHING_SELECTED)
    if len(items) > BULK_LIMIT:
        raise ValidationError(REVIEW_TOO_MANY_SELECTED % {"limit": BULK_LIMIT})
    comment = _clean_comment(comment)
    outcome = BulkOutcome()
    seen: set[int] = set()
    for claim_id, stage_id in items:
        if claim_id in seen:
            continue
        seen.add(claim_id)
        try:
            review_decide(
                actor=actor,
                claim_id=claim_id,
                decision=ReviewDecision.APPROVE,
                comment=comment,
                stage_id=stage_id,
            )
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            outcome.refused.append((claim_id, "；".join(str(message) for message in messages)))
        else:
            outcome.approved.append(claim_id)
    return outcome


# --- Revocation (一票否决) -------------------------------------------------------------------------------


@transaction.atomic
def claim_revoke(*, actor: User, claim_id: int, reason: str) -> IntegrityRecord:
    """A false claim found (a title-application spot check): the posting is reversed, the claim becomes
    已撤销, the person's year enters the integrity archive, and the person and their unit are told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REVOKE_REASON_REQUIRED})
    if len(reason) > COMMENT_LIMIT:
        raise ValidationError({"reason": REVIEW_COMMENT_TOO_LONG % {"limit": COMMENT_LIMIT}})
    claim = Claim.objects.select_related("person", "unit").filter(pk=claim_id).first()
    if claim is None:
        raise PermissionDenied(REVOKE_NOT_ALLOWED)
    assignment = policies.revoking_assignment(actor, claim.unit)
    if assignment is None or claim.person_id == actor.pk:
        raise PermissionDenied(REVOKE_NOT_ALLOWED)
    from_status = claim.status
    claim = claim_reverse_posting(claim=claim, actor=actor, reason=reason)  # locks; refuses unless approved
    assert claim.unit is not None
    reversed_total = LedgerEntry.objects.filter(
        person_id=claim.person_id,
        source_type=SourceType.CLAIM,
        source_id=str(claim.pk),
        reverses__isnull=False,
    ).aggregate(total=Sum("hours"))["total"]
    record = IntegrityRecord.objects.create(
        person_id=claim.person_id,
        year=claim.year,
        claim=claim,
        reason=reason,
        unit=claim.unit,
        unit_path=claim.unit.path,
        revoked_by=actor,
        revoked_by_name=actor.real_name,
        role=assignment.role,
        organisation=assignment.organisation,
        reversed_hours=-(reversed_total or Decimal(0)),
    )
    _record(
        claim=claim,
        actor=actor,
        decision=ReviewDecision.REVOKE,
        from_status=from_status,
        round_number=_current_round(claim),
        assignment=assignment,
        comment=reason,
    )
    audit_record(
        actor=actor,
        action="hours.integrity.record",
        target=record,
        organisation=claim.unit,
        assignment=assignment,
        reason=reason,
        detail={"claim": claim.pk, "person": claim.person_id, "year": claim.year},
    )
    person = claim.person
    spec_title = claim.rule_title
    # claim_reverse_posting has told the person in-site; the e-mail adds the archive.
    _mail_on_commit(
        [person],
        stored_text(NOTICE_REVOKED_TITLE),
        stored_text(NOTICE_REVOKED_BODY, {"year": claim.year, "title": spec_title, "reason": reason}),
    )
    admins = _holders(Role.UNIT_ADMIN, claim.unit)
    title = stored_text(NOTICE_UNIT_REVOKED_TITLE)
    body = stored_text(
        NOTICE_UNIT_REVOKED_BODY,
        {
            "person": person.real_name,
            "year": claim.year,
            "title": spec_title,
            "number": claim.pk,
            "organisation": assignment.organisation.name if assignment.organisation else "",
            "reason": reason,
        },
    )
    for admin in admins:
        notify(recipient=admin, title=title, body=body, link=reverse("hours_claim_detail", args=[claim.pk]))
    _mail_on_commit(admins, title, body)
    return record


# --- The chain's configuration -------------------------------------------------------------------------


@transaction.atomic
def review_chain_set(
    *, actor: User, bureau: Organisation | None, stages: Sequence[tuple[int, int]]
) -> list[ReviewStageTemplate]:
    """Sets a bureau's chain (``bureau`` None: the city-wide default) as (kind, deadline days) in order.
    An empty list for a bureau drops its own chain: it follows the default again. Claims already in
    review keep the chain they were submitted with."""
    if not policies.can_edit_chain(actor, bureau):
        raise PermissionDenied(CHAIN_NOT_ALLOWED)
    stages = [(int(kind), int(days)) for kind, days in stages]
    if stages or bureau is None:
        kinds = [kind for kind, _days in stages]
        if not stages:
            raise ValidationError(CHAIN_EMPTY)
        if any(kind not in ReviewStageKind.values for kind in kinds):
            raise ValidationError(REVIEW_UNKNOWN_DECISION)
        if len(set(kinds)) != len(kinds):
            raise ValidationError(CHAIN_REPEATED)
        if kinds != sorted(kinds):
            raise ValidationError(CHAIN_ORDER)
        if kinds[-1] not in FINAL_STAGE_KINDS:
            raise ValidationError(CHAIN_LAST_STAGE)
        if any(not 1 <= days <= 365 for _kind, days in stages):
            raise ValidationError(CHAIN_DEADLINE)
    before = chain_template(bureau.pk if bureau else None)
    ReviewStageTemplate.objects.filter(bureau=bureau).delete()
    now = timezone.now()
    rows = [
        ReviewStageTemplate(
            bureau=bureau, position=position, kind=kind, deadline_days=days, updated_at=now, updated_by=actor
        )
        for position, (kind, days) in enumerate(stages, start=1)
    ]
    for row in rows:
        row.full_clean(validate_unique=False)
    ReviewStageTemplate.objects.bulk_create(rows)
    assignment = next(
        (
            a
            for a in policies.reviewer_assignments(actor)
            if a.role in (Role.COUNTY_BUREAU_STAFF, Role.CITY_BUREAU_STAFF)
        ),
        None,
    )
    audit_record(
        actor=actor,
        action="hours.review.chain_set",
        organisation=bureau or (assignment.organisation if assignment else None),
        assignment=assignment,
        detail={"bureau": bureau.pk if bureau else None, "before": before, "after": stages},
    )
    return rows


# --- The integrity archive's export ---------------------------------------------------------------------


INTEGRITY_HEADER = [
    str(_("姓名")),
    str(_("身份证号码")),
    str(_("单位")),
    str(_("年度")),
    str(_("申报编号")),
    str(_("申报事项")),
    str(_("冲销学时")),
    str(_("撤销原因")),
    str(_("撤销人")),
    str(_("撤销机构")),
    str(_("记录时间")),
]


def integrity_export(*, actor: User, records: Any) -> bytes:
    """The archive of the actor's jurisdiction as .xlsx (ID numbers masked); the export is on record."""
    rows = (
        (
            record.person.real_name,
            record.person.id_number_masked,
            record.unit.name,
            record.year,
            record.claim_id,
            f"{record.claim.rule_code} {record.claim.rule_title}",
            format_hours(record.reversed_hours),
            record.reason,
            record.revoked_by_name,
            record.organisation.name if record.organisation else "",
            timezone.localtime(record.created_at).strftime("%Y-%m-%d %H:%M"),
        )
        for record in records.iterator(chunk_size=2000)
    )
    with _platform_language():
        header = [str(label) for label in INTEGRITY_HEADER]
        content = xlsx_bytes(str(_("诚信档案")), header, rows)
    from accounts import policies as account_policies

    assignment = account_policies.primary_assignment(actor, account_policies.BUREAU_ROLES)
    audit_record(
        actor=actor,
        action="hours.integrity.export",
        assignment=assignment,
        organisation=assignment.organisation if assignment else None,
        detail={"rows": records.count()},
    )
    return content


def _platform_language() -> Any:
    from django.utils import translation

    return translation.override(settings.LANGUAGE_CODE)


# --- Notifications -------------------------------------------------------------------------------------


def _holders(role: str, organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__role=role,
            role_assignments__organisation=organisation,
            role_assignments__is_active=True,
            is_active=True,
        ).distinct()
    )


def stage_reviewers(stage: ClaimReviewStage) -> list[User]:
    """Everyone who may act at the stage."""
    people: dict[int, User] = {}
    for role in policies.STAGE_ROLES.get(stage.kind, ()):
        for person in _holders(role, stage.organisation):
            people[person.pk] = person
    return list(people.values())


def _notify_stage_reviewers(claim: Claim, stage: ClaimReviewStage) -> None:
    person = claim.person
    due = timezone.localtime(stage.due_at).strftime("%Y-%m-%d") if stage.due_at else ""
    title = stored_text(NOTICE_NEW_WORK_TITLE)
    body = stored_text(
        NOTICE_NEW_WORK_BODY,
        {
            "person": person.real_name,
            "year": claim.year,
            "title": claim.rule_title,
            "number": claim.pk,
            "stage": ReviewStageKind(stage.kind).label,
            "due": due,
        },
    )
    reviewers = [reviewer for reviewer in stage_reviewers(stage) if reviewer.pk != claim.person_id]
    link = reverse("hours_review_claim", args=[claim.pk])
    for reviewer in reviewers:
        notify(recipient=reviewer, title=title, body=body, link=link)
    _mail_on_commit(reviewers, title, body)


def _notify_claimant_of_decision(
    claim: Claim, decision: str, stage: ClaimReviewStage, comment: str, credited: Decimal | None
) -> None:
    params = {"year": claim.year, "title": claim.rule_title, "organisation": stage.organisation.name}
    link = reverse("hours_claim_detail", args=[claim.pk])
    if decision == ReviewDecision.APPROVE:
        # claim_post_approved wrote the in-site message; the e-mail says the same.
        title = stored_text(_("学时申报已通过"))
        body = stored_text(NOTICE_APPROVED_MAIL, {**params, "hours": format_hours(credited or Decimal(0))})
    elif decision == ReviewDecision.RETURN:
        title = stored_text(NOTICE_RETURNED_TITLE)
        body = stored_text(NOTICE_RETURNED_BODY, {**params, "comment": comment})
        notify(recipient=claim.person, title=title, body=body, link=link)
    else:
        title = stored_text(NOTICE_REJECTED_TITLE)
        body = stored_text(NOTICE_REJECTED_BODY, {**params, "comment": comment})
        notify(recipient=claim.person, title=title, body=body, link=link)
    _mail_on_commit([claim.person], title, body)


def _mail_on_commit(recipients: Iterable[User], subject: str, body: str) -> None:
    """E-mail to those with an address, after the transaction commits; a failure is logged only."""
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]) for person in recipients if person.email
    ]
    if messages:
        transaction.on_commit(lambda: _send(messages))


def _send(messages: list[tuple[str, str, str, list[str]]]) -> None:
    try:
        send_mass_mail(tuple(messages), fail_silently=False)
    except Exception as error:  # a mail server down must never undo or break a decision
        logger.warning("Review e-mail not sent (%s messages): %s", len(messages), error.__class__.__name__)


# --- Claims submitted before the workflow existed (or loaded in bulk) -----------------------------------


def review_chain_backfill(*, batch_size: int = 2000) -> int:
    """Gives every claim in review without an open stage its chain, opened at ``current_stage`` when it
    names a stage of the chain (else the first). For data loaded around the services (the load
    generator) and claims submitted before the workflow. Idempotent. Returns the claims completed."""
    done = 0
    after = 0
    while True:
        pending = list(
            Claim.objects.filter(status=ClaimStatus.SUBMITTED, unit__isnull=False, pk__gt=after)
            .exclude(review_stages__state=ReviewStageState.OPEN)
            .select_related("unit__parent", "unit__bureau", "person")
            .order_by("pk")[:batch_size]
        )
        if not pending:
            return done
        after = pending[-1].pk
        for claim in pending:
            with transaction.atomic():
                assert claim.unit is not None
                round_number = _current_round(claim) + 1
                plan = review_chain_plan(claim.unit)
                stages = [
                    ClaimReviewStage.objects.create(
                        claim=claim,
                        round=round_number,
                        position=position,
                        kind=planned.kind,
                        organisation=planned.organisation,
                        deadline_days=planned.deadline_days,
                    )
                    for position, planned in enumerate(plan, start=1)
                ]
                if not stages:
                    continue
                target = next((s for s in stages if s.kind == claim.current_stage), stages[0])
                for stage in stages:
                    if stage.position < target.position:
                        stage.state = ReviewStageState.APPROVED
                        stage.decided_at = claim.submitted_at
                        stage.save(update_fields=["state", "decided_at"])
                stage_opened = claim.submitted_at or timezone.now()
                target.state = ReviewStageState.OPEN
                target.opened_at = stage_opened
                target.due_at = stage_opened + datetime.timedelta(days=target.deadline_days)
                target.save(update_fields=["state", "opened_at", "due_at"])
                Claim.objects.filter(pk=claim.pk).update(
                    current_stage=target.kind,
                    review_organisation=target.organisation,
                    review_due_at=target.due_at,
                )
                done += 1
