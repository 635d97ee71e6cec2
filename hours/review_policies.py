"""Who may act in the review workflow. Every page, API and service of the workflow asks here.

Jurisdiction at a stage is exact, not inherited (谁审核，谁负责: the organisation named by the stage
answers for it):
- unit stage: the unit admins of that unit;
- department stage: the reviewers of that department;
- bureau stage: the staff of that HR bureau (county staff for a county or zone bureau, city staff when
  the stage's bureau is the city bureau, for city-level units);
- city-bureau stage (a bureau may add one to its chain): city bureau staff.
A city bureau does not act at a county bureau's stage, and a platform admin acts at none: reviewing is
the named organisation's responsibility, not a technical role's. Nobody reviews their own claim.

Revocation (一票否决) belongs to bureau staff whose jurisdiction covers the claim's unit: the county
bureau, and the city bureau over every county (title spot checks are run by the city).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts import policies as account_policies
from accounts.models import Role, RoleAssignment

from .models import Claim, ClaimStatus
from .review_models import ReviewRecord, ReviewStageKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import Organisation, User

#: The roles that act at each kind of stage (held AT the stage's organisation).
STAGE_ROLES: dict[int, tuple[str, ...]] = {
    ReviewStageKind.UNIT: (Role.UNIT_ADMIN,),
    ReviewStageKind.DEPARTMENT: (Role.DEPARTMENT_REVIEWER,),
    ReviewStageKind.BUREAU: (Role.COUNTY_BUREAU_STAFF, Role.CITY_BUREAU_STAFF),
    ReviewStageKind.CITY_BUREAU: (Role.CITY_BUREAU_STAFF,),
}
#: The stage kinds each role acts at.
ROLE_STAGE_KINDS: dict[str, tuple[int, ...]] = {
    Role.UNIT_ADMIN: (ReviewStageKind.UNIT,),
    Role.DEPARTMENT_REVIEWER: (ReviewStageKind.DEPARTMENT,),
    Role.COUNTY_BUREAU_STAFF: (ReviewStageKind.BUREAU,),
    Role.CITY_BUREAU_STAFF: (ReviewStageKind.BUREAU, ReviewStageKind.CITY_BUREAU),
}
REVIEWER_ROLES = tuple(ROLE_STAGE_KINDS)


def reviewer_assignments(user: User | AnonymousUser) -> list[RoleAssignment]:
    """The user's assignments that make them a reviewer somewhere."""
    return [
        assignment
        for assignment in account_policies.active_roles(user)
        if assignment.role in REVIEWER_ROLES and assignment.organisation_id is not None
    ]


def is_reviewer(user: User | AnonymousUser) -> bool:
    return bool(reviewer_assignments(user))


def acting_organisation_ids(user: User | AnonymousUser) -> list[int]:
    """Organisations at whose stages the user acts (their queue: claims whose current stage is there)."""
    return sorted({assignment.organisation_id for assignment in reviewer_assignments(user)})  # type: ignore[misc]


def stage_kinds_of(user: User | AnonymousUser) -> list[int]:
    """The stage kinds the user acts at, in chain order (the queue's tabs)."""
    kinds = {kind for assignment in reviewer_assignments(user) for kind in ROLE_STAGE_KINDS[assignment.role]}
    return sorted(kinds)


def stage_assignment(
    user: User | AnonymousUser, kind: int | None, organisation_id: int | None
) -> RoleAssignment | None:
    """The assignment through which the user acts at a stage of this kind at this organisation."""
    if kind is None or organisation_id is None:
        return None
    roles = STAGE_ROLES.get(kind, ())
    for assignment in account_policies.active_roles(user):
        if assignment.role in roles and assignment.organisation_id == organisation_id:
            return assignment
    return None


def can_act_on(user: User | AnonymousUser, claim: Claim) -> bool:
    """The claim is in review, at a stage of the user's organisation and role, and not their own."""
    if not user.is_authenticated or claim.person_id == user.pk or claim.status != ClaimStatus.SUBMITTED:
        return False
    return stage_assignment(user, claim.current_stage, claim.review_organisation_id) is not None


def revoking_assignment(user: User | AnonymousUser, unit: Organisation | None) -> RoleAssignment | None:
    return account_policies.governing_assignment(user, unit, account_policies.BUREAU_ROLES)


def can_revoke(user: User | AnonymousUser, claim: Claim) -> bool:
    """Bureau staff over the claim's unit revoke an approved claim (not their own)."""
    if not user.is_authenticated or claim.person_id == user.pk or claim.status != ClaimStatus.APPROVED:
        return False
    return revoking_assignment(user, claim.unit) is not None


def can_view_integrity_archive(user: User | AnonymousUser) -> bool:
    """Bureau staff read and export the archive of their jurisdiction."""
    return account_policies.has_role(user, *account_policies.BUREAU_ROLES)


def chain_bureaus_editable_by(user: User | AnonymousUser) -> list[int | None]:
    """Bureaus whose chain the user may set (``None``: the city-wide default). County staff set their own
    bureau's; city staff set the default, the city bureau's own and any county's."""
    editable: list[int | None] = []
    for assignment in account_policies.active_roles(user):
        if assignment.role == Role.COUNTY_BUREAU_STAFF and assignment.organisation_id:
            editable.append(assignment.organisation_id)
        elif assignment.role == Role.CITY_BUREAU_STAFF:
            editable.append(None)
    return editable


def can_edit_chain(user: User | AnonymousUser, bureau: Organisation | None) -> bool:
    editable = chain_bureaus_editable_by(user)
    if None in editable:  # city staff
        return bureau is None or bureau.is_bureau
    return bureau is not None and bureau.pk in editable


def shown_ip_address(record: ReviewRecord, claim: Claim, viewer: User | AnonymousUser) -> str | None:
    """The address a review record shows the viewer: a reviewer's address is on record for the other
    reviewers (who reviewed is accountable), never for the claimant; the claimant's own address (their
    submissions and withdrawals) is shown to nobody."""
    if claim.person_id == viewer.pk or record.actor_id == claim.person_id:
        return None
    return record.ip_address
