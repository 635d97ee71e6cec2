"""Who may do what with hours: every page, API and service asks here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts import policies as account_policies
from accounts.models import Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .models import Claim


def can_file_claims(user: User | AnonymousUser) -> bool:
    """Professionals claim hours and keep a ledger; staff roles without the professional role do not."""
    return account_policies.has_role(user, Role.PROFESSIONAL)


def can_edit_year_rules(user: User | AnonymousUser) -> bool:
    """The year's rule set belongs to the city bureau (and the platform admin)."""
    return account_policies.is_platform_admin(user) or account_policies.has_role(user, Role.CITY_BUREAU_STAFF)


def year_rules_assignment(user: User | AnonymousUser) -> RoleAssignment | None:
    """The role through which the user edits rule sets, for the audit record."""
    for assignment in account_policies.active_roles(user):
        if assignment.role in (Role.CITY_BUREAU_STAFF, Role.PLATFORM_ADMIN):
            return assignment
    return None


def is_claimant(user: User | AnonymousUser, claim: Claim) -> bool:
    return bool(user.is_authenticated and claim.person_id == user.pk)


def can_view_claim(user: User | AnonymousUser, claim: Claim) -> bool:
    """The claimant, and reviewers whose jurisdiction covers the unit the claim was submitted from.

    The same rule as ``selectors.claims_visible_to``, for one claim already in hand.
    """
    if is_claimant(user, claim):
        return True
    if claim.unit_id is None or claim.status == "draft":
        return False
    return account_policies.governs(user, claim.unit)


def can_give_final_approval(user: User | AnonymousUser, claim: Claim) -> bool:
    """The HR bureau over the claim's unit approves finally (and may revoke); a platform admin too."""
    if claim.unit_id is None:
        return account_policies.is_platform_admin(user)
    return account_policies.governs(user, claim.unit, account_policies.BUREAU_ROLES)
