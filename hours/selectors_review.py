"""Reads of the review workflow, scoped to who is asking.

The queue is one indexed range of ``hours_claim`` (``review_organisation, status, submitted_at``): the
claims whose open stage belongs to an organisation where the user holds a reviewing role. Each page
costs the same few queries whatever its length (count, rows with person/unit/organisation joined,
evidence, open stages). "Handled" lists come from the stages the user's organisations decided.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import identity
from accounts import policies as account_policies
from accounts.models import Role
from accounts.selectors import path_filter
from jinan_ce.params import parse_int

from . import review_policies as policies
from .models import Claim, ClaimStatus
from .review_models import ClaimReviewStage, IntegrityRecord, ReviewRecord, ReviewStageState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

PAGE_SIZE = 50
#: The queue's page sizes: 20 by default (a fast first page), more for a reviewer approving in bulk.
QUEUE_PAGE_SIZES = (20, 50, 100)


class QueueStatus:
    PENDING = "pending"
    OVERDUE = "overdue"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"


QUEUE_STATUS_CHOICES = [
    (QueueStatus.PENDING, _("待审核")),
    (QueueStatus.OVERDUE, _("已逾期")),
    (QueueStatus.APPROVED, _("本机构已通过")),
    (QueueStatus.RETURNED, _("本机构已退回")),
    (QueueStatus.REJECTED, _("本机构未通过")),
]
HANDLED_STATES = {
    QueueStatus.APPROVED: ReviewStageState.APPROVED,
    QueueStatus.RETURNED: ReviewStageState.RETURNED,
    QueueStatus.REJECTED: ReviewStageState.REJECTED,
}


@dataclass(frozen=True)
class QueueFilters:
    status: str = QueueStatus.PENDING
    stage: int | None = None
    year: int | None = None
    rule_code: str = ""
    unit_id: int | None = None
    submitted_from: datetime.date | None = None
    submitted_to: datetime.date | None = None
    search: str = ""
    #: A search by a full ID number: its keyed digest (the number itself never travels in a URL).
    id_number_digest: str = ""

    @property
    def is_pending(self) -> bool:
        return self.status in (QueueStatus.PENDING, QueueStatus.OVERDUE)


def _open_stages() -> Prefetch[Any]:
    return Prefetch(
        "review_stages",
        queryset=ClaimReviewStage.objects.filter(state=ReviewStageState.OPEN),
        to_attr="open_stages",
    )


def _search(claims: QuerySet[Claim], text: str) -> QuerySet[Claim]:
    """By a full ID number (matched through its digest: numbers are stored encrypted), a claim number
    (#123 or 123), or part of the claimant's name."""
    text = text.strip()
    if not text:
        return claims
    normalised = identity.normalise_id_number(text)
    if identity.looks_like_id_number(normalised):
        return claims.filter(person__id_number_digest=identity.id_number_digest(normalised))
    claim_number = parse_int(identity.to_half_width(text.lstrip("#＃")), max_digits=12)
    if claim_number is not None:
        return claims.filter(Q(pk=claim_number) | Q(person__real_name__contains=text))
    return claims.filter(person__real_name__contains=text)


def review_queue(user: User | AnonymousUser, filters: QueueFilters | None = None) -> QuerySet[Claim]:
    """Claims waiting at the user's stages (or, for the handled statuses, decided by the user's
    organisations), oldest first; never the user's own."""
    filters = filters or QueueFilters()
    organisation_ids = policies.acting_organisation_ids(user)
    if not organisation_ids or not user.is_authenticated:
        return Claim.objects.none()
    if filters.is_pending:
        claims = Claim.objects.filter(
            status=ClaimStatus.SUBMITTED, review_organisation_id__in=organisation_ids
        )
        if filters.status == QueueStatus.OVERDUE:
            claims = claims.filter(review_due_at__lt=timezone.now())
        if filters.stage is not None:
            claims = claims.filter(current_stage=filters.stage)
        claims = claims.order_by("submitted_at", "id")
    else:
        state = HANDLED_STATES.get(filters.status, ReviewStageState.APPROVED)
        stages = ClaimReviewStage.objects.filter(organisation_id__in=organisation_ids, state=state)
        if filters.stage is not None:
            stages = stages.filter(kind=filters.stage)
        claims = Claim.objects.filter(pk__in=stages.values("claim_id")).order_by("-updated_at", "-id")
    claims = claims.exclude(person_id=user.pk)
    if filters.year is not None:
        claims = claims.filter(year=filters.year)
    if filters.rule_code:
        claims = claims.filter(rule_code=filters.rule_code)
    if filters.unit_id is not None:
        claims = claims.filter(unit_id=filters.unit_id)
    if filters.submitted_from is not None:
        claims = claims.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to is not None:
        claims = claims.filter(submitted_at__date__lte=filters.submitted_to)
    if filters.id_number_digest:
        claims = claims.filter(person__id_number_digest=filters.id_number_digest)
    else:
        claims = _search(claims, filters.search)
    return claims.select_related("person", "unit", "review_organisation").prefetch_related(
        "evidence", _open_stages()
    )


def open_stage_of(claim: Claim) -> ClaimReviewStage | None:
    """The open stage (from the queue's prefetch when there, else one query)."""
    prefetched = getattr(claim, "open_stages", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return claim.review_stages.select_related("organisation").filter(state=ReviewStageState.OPEN).first()


@dataclass(frozen=True)
class ReviewCounts:
    pending: int
    overdue: int
    approved: int
    returned: int
    rejected: int
    by_stage: list[tuple[int, int, int]]  # (kind, waiting, overdue)

    @property
    def handled(self) -> int:
        return self.approved + self.returned + self.rejected


#: Counts per organisation are kept this long; every stage that opens or closes at an organisation
#: drops its entry at once (``forget_review_counts``), so only "overdue" can lag, by at most this.
COUNTS_CACHE_SECONDS = 60
_COUNTS_KEY = "hours:review:counts:v1:{organisation}"
_UNITS_KEY = "hours:review:units:v1:{paths}"
UNITS_CACHE_SECONDS = 10 * 60
HANDLED = (ReviewStageState.APPROVED, ReviewStageState.RETURNED, ReviewStageState.REJECTED)


def forget_review_counts(organisation_id: int) -> None:
    cache.delete(_COUNTS_KEY.format(organisation=organisation_id))


def _organisation_counts(organisation_ids: list[int]) -> dict[int, dict[str, dict[Any, Any]]]:
    """Per organisation: {"stages": {kind: (waiting, overdue)}, "handled": {state: total}}, from the
    cache or from two aggregate queries (index-only scans) for those missing."""
    keys = {pk: _COUNTS_KEY.format(organisation=pk) for pk in organisation_ids}
    cached = cache.get_many(list(keys.values()))
    figures = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in organisation_ids if pk not in figures]
    if missing:
        now = timezone.now()
        fresh: dict[int, dict[str, dict[Any, Any]]] = {pk: {"stages": {}, "handled": {}} for pk in missing}
        waiting = (
            Claim.objects.filter(status=ClaimStatus.SUBMITTED, review_organisation_id__in=missing)
            .values("review_organisation_id", "current_stage")
            .annotate(waiting=Count("pk"), overdue=Count("pk", filter=Q(review_due_at__lt=now)))
            .order_by()
        )
        for row in waiting:
            fresh[row["review_organisation_id"]]["stages"][row["current_stage"]] = (
                row["waiting"],
                row["overdue"],
            )
        handled = (
            ClaimReviewStage.objects.filter(organisation_id__in=missing, state__in=HANDLED)
            .values("organisation_id", "state")
            .annotate(total=Count("pk"))
            .order_by()
        )
        for handled_row in handled:
            fresh[handled_row["organisation_id"]]["handled"][handled_row["state"]] = handled_row["total"]
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, COUNTS_CACHE_SECONDS)
        figures.update(fresh)
    return figures


def review_counts(user: User | AnonymousUser) -> ReviewCounts:
    """Counts per status at the user's stages (the dashboard panel, the queue's tabs), without the
    user's own claims: per-organisation figures (cached) less the user's own claims waiting there."""
    organisation_ids = policies.acting_organisation_ids(user)
    if not organisation_ids or not user.is_authenticated:
        return ReviewCounts(0, 0, 0, 0, 0, [])
    by_kind: dict[int, list[int]] = {}
    handled: dict[str, int] = {}
    for figures in _organisation_counts(organisation_ids).values():
        for kind, (waiting, overdue) in figures["stages"].items():
            totals = by_kind.setdefault(kind, [0, 0])
            totals[0] += waiting
            totals[1] += overdue
        for state, total in figures["handled"].items():
            handled[state] = handled.get(state, 0) + total
    if account_policies.has_role(user, Role.PROFESSIONAL):
        now = timezone.now()
        own = (
            Claim.objects.filter(
                person_id=user.pk, status=ClaimStatus.SUBMITTED, review_organisation_id__in=organisation_ids
            )
            .values("current_stage")
            .annotate(waiting=Count("pk"), overdue=Count("pk", filter=Q(review_due_at__lt=now)))
            .order_by()
        )
        for row in own:
            totals = by_kind.setdefault(cast(int, row["current_stage"]), [0, 0])
            totals[0] -= row["waiting"]
            totals[1] -= row["overdue"]
    stages = [
        (kind, waiting, overdue) for kind, (waiting, overdue) in sorted(by_kind.items()) if kind and waiting
    ]
    return ReviewCounts(
        pending=sum(waiting for _kind, waiting, _overdue in stages),
        overdue=sum(overdue for _kind, _waiting, overdue in stages),
        approved=handled.get(ReviewStageState.APPROVED, 0),
        returned=handled.get(ReviewStageState.RETURNED, 0),
        rejected=handled.get(ReviewStageState.REJECTED, 0),
        by_stage=stages,
    )


def queue_units(user: User | AnonymousUser) -> list[tuple[int, str]]:
    """Units the queue's unit filter offers: those under the user's reviewing organisations."""
    from accounts.models import Organisation, OrganisationKind

    paths = sorted(
        {a.organisation.path for a in policies.reviewer_assignments(user) if a.organisation is not None}
    )
    condition = path_filter(paths, "path")
    if condition is None:
        return []
    key = _UNITS_KEY.format(paths=hashlib.sha256("|".join(paths).encode()).hexdigest()[:32])
    units = cache.get(key)
    if units is None:
        units = list(
            Organisation.objects.filter(condition, kind=OrganisationKind.UNIT)
            .order_by("name")
            .values_list("pk", "name")[:500]
        )
        cache.set(key, units, UNITS_CACHE_SECONDS)
    return [(pk, name) for pk, name in units]


# --- The trail ------------------------------------------------------------------------------------------


def claim_trail(claim: Claim) -> list[ReviewRecord]:
    """Every move of the claim in review, oldest first (names and organisations as they were)."""
    return list(ReviewRecord.objects.filter(claim=claim).order_by("created_at", "id"))


def claim_stages(claim: Claim) -> list[ClaimReviewStage]:
    """The stages of the claim's latest round, in order."""
    stages = list(
        ClaimReviewStage.objects.filter(claim=claim)
        .select_related("organisation", "decided_by")
        .order_by("-round", "position")
    )
    if not stages:
        return []
    latest = stages[0].round
    return [stage for stage in stages if stage.round == latest]


# --- The integrity archive ----------------------------------------------------------------------------


def integrity_records_visible_to(user: User | AnonymousUser) -> QuerySet[IntegrityRecord]:
    """Bureau staff: the records of people whose claim's unit lies in their jurisdiction."""
    records = IntegrityRecord.objects.select_related("person", "unit", "claim", "organisation")
    if not policies.can_view_integrity_archive(user):
        return records.none()
    condition = path_filter(account_policies.governed_paths(user, account_policies.BUREAU_ROLES), "unit_path")
    if condition is None:
        return records.none()
    return records.filter(condition).order_by("-created_at", "-id")


def integrity_records_of_person(person: User) -> QuerySet[IntegrityRecord]:
    return IntegrityRecord.objects.filter(person=person).select_related("claim").order_by("-created_at")
