"""Authorization in one place: what an actor holds, where, and what that lets them do.

Every page and API asks here (or in selectors built on this) instead of checking roles itself.
Jurisdiction is an organisation subtree: a role held at an organisation governs every organisation
whose materialised path starts with that organisation's path. A role held at an organisation without
a well-formed path governs nothing: the empty path is a prefix of every path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Organisation, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import Membership, User

# Roles that govern the people and units under their organisation.
GOVERNING_ROLES = (
    Role.UNIT_ADMIN,
    Role.DEPARTMENT_REVIEWER,
    Role.COUNTY_BUREAU_STAFF,
    Role.CITY_BUREAU_STAFF,
)
BUREAU_ROLES = (Role.COUNTY_BUREAU_STAFF, Role.CITY_BUREAU_STAFF)
STAFF_ROLES = (*GOVERNING_ROLES, Role.PROVIDER_STAFF, Role.PLATFORM_ADMIN)


def active_roles(user: User | AnonymousUser) -> list[RoleAssignment]:
    """The user's active role assignments, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    cached: list[RoleAssignment] | None = getattr(user, "_active_roles_cache", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user, is_active=True)
            .select_related("organisation")
            .order_by("id")
        )
        user._active_roles_cache = cached  # type: ignore[union-attr,attr-defined]
    return cached


def forget_roles(user: User) -> None:
    if hasattr(user, "_active_roles_cache"):
        del user._active_roles_cache


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return any(assignment.role in roles for assignment in active_roles(user))


def is_platform_admin(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or has_role(user, Role.PLATFORM_ADMIN)))


def governed_paths(user: User | AnonymousUser, roles: tuple[str, ...] = GOVERNING_ROLES) -> list[str]:
    """Path prefixes of the subtrees the user governs through the given roles.

    A platform admin governs everything: the empty prefix matches every path.
    """
    if is_platform_admin(user):
        return [""]
    return [
        assignment.organisation.path
        for assignment in active_roles(user)
        if assignment.role in roles
        and assignment.organisation is not None
        and assignment.organisation.is_placed
    ]


def primary_assignment(user: User | AnonymousUser, roles: tuple[str, ...]) -> RoleAssignment | None:
    """The first active assignment among the given roles: the capacity in which a user acts when the
    action concerns no particular organisation (an export of their whole jurisdiction)."""
    return next((a for a in active_roles(user) if a.role in roles), None)


def governing_assignment(
    user: User | AnonymousUser, organisation: Organisation | None, roles: tuple[str, ...] = GOVERNING_ROLES
) -> RoleAssignment | None:
    """The assignment through which the user governs the organisation, the closest one if several."""
    if organisation is None or not organisation.is_placed:
        return None
    matches = [
        assignment
        for assignment in active_roles(user)
        if assignment.role in roles
        and assignment.organisation is not None
        and assignment.organisation.is_placed
        and organisation.path.startswith(assignment.organisation.path)
    ]
    if not matches:
        return None
    return max(matches, key=lambda assignment: len(assignment.organisation.path))  # type: ignore[union-attr]


def governs(
    user: User | AnonymousUser, organisation: Organisation | None, roles: tuple[str, ...] = GOVERNING_ROLES
) -> bool:
    if organisation is None:
        return False
    return is_platform_admin(user) or governing_assignment(user, organisation, roles) is not None


def can_decide_membership(user: User | AnonymousUser, membership: Membership) -> bool:
    """Only the admin of the unit the person asks to join (or a platform admin) confirms them."""
    if is_platform_admin(user):
        return True
    return any(
        assignment.role == Role.UNIT_ADMIN and assignment.organisation_id == membership.unit_id
        for assignment in active_roles(user)
    )


def can_request_employer_change(user: User | AnonymousUser) -> bool:
    """Joining or changing a unit is a professional's move; staff accounts are placed by role grants."""
    return has_role(user, Role.PROFESSIONAL)


def can_browse_organisations(user: User | AnonymousUser) -> bool:
    return is_platform_admin(user) or has_role(user, *BUREAU_ROLES, Role.DEPARTMENT_REVIEWER)


def can_manage_unit_members(user: User | AnonymousUser) -> bool:
    return is_platform_admin(user) or has_role(user, Role.UNIT_ADMIN)


def can_view_full_id_number(user: User | AnonymousUser, person: User) -> bool:
    """Bureau staff need the full number to match paper records; each such view is audited."""
    if user.is_authenticated and user.pk == person.pk:
        return True
    return governs(user, person.unit, BUREAU_ROLES)


def is_staff_user(user: User | AnonymousUser) -> bool:
    return is_platform_admin(user) or has_role(user, *STAFF_ROLES)
