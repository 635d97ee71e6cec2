"""Reads scoped to who is asking. Views and APIs build on these and never on Model.objects directly;
whatever a selector does not return does not exist for that user (a 404)."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from . import policies
from .models import (
    BUREAU_KINDS,
    AuditEvent,
    Membership,
    MembershipStatus,
    Notification,
    Organisation,
    OrganisationKind,
    PlatformContact,
    Role,
    User,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _path_filter(paths: list[str], field: str) -> Q | None:
    """Q matching objects whose organisation path lies under any of the given prefixes; None for none."""
    if not paths:
        return None
    if "" in paths:
        # Everything (a platform admin). Not the empty Q(): OR-ed with another condition it vanishes
        # (Q(a) | Q() == Q(a)), and the admin would see only that other condition.
        return Q(**{f"{field}__isnull": False})
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def organisations_visible_to(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """Bureaus and departments see their subtree; unit admins and provider staff their organisation;
    a professional their own unit."""
    organisations = Organisation.objects.select_related("parent", "bureau")
    paths = policies.governed_paths(user)
    paths += policies.governed_paths(user, (Role.PROVIDER_STAFF,))
    condition = _path_filter(paths, "path")
    if user.is_authenticated and user.unit_id:  # type: ignore[union-attr]
        own = Q(pk=user.unit_id)  # type: ignore[union-attr]
        condition = own if condition is None else condition | own
    if condition is None:
        return organisations.none()
    return organisations.filter(condition)


def people_visible_to(user: User | AnonymousUser) -> QuerySet[User]:
    """People whose current unit lies in the user's jurisdiction, and the user themself."""
    if not user.is_authenticated:
        return User.objects.none()
    condition = _path_filter(policies.governed_paths(user), "unit__path")
    own = Q(pk=user.pk)
    return User.objects.select_related("unit").filter(own if condition is None else condition | own)


def memberships_to_decide(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Pending requests to join a unit the user administers."""
    memberships = Membership.objects.select_related("user", "unit", "user__unit").filter(
        status=MembershipStatus.PENDING
    )
    if policies.is_platform_admin(user):
        return memberships
    unit_ids = [a.organisation_id for a in policies.active_roles(user) if a.role == Role.UNIT_ADMIN]
    return memberships.filter(unit_id__in=unit_ids)


def memberships_of_unit_visible_to(user: User | AnonymousUser, unit: Organisation) -> QuerySet[Membership]:
    if not policies.governs(user, unit):
        return Membership.objects.none()
    return Membership.objects.select_related("user", "unit", "decided_by").filter(unit=unit)


def membership_history(user: User) -> QuerySet[Membership]:
    return Membership.objects.select_related("unit", "decided_by").filter(user=user)


def current_membership(user: User) -> Membership | None:
    return (
        Membership.objects.select_related("unit")
        .filter(user=user, status__in=[MembershipStatus.CONFIRMED, MembershipStatus.PENDING])
        .order_by("-requested_at")
        .first()
    )


def units_matching(query: str, limit: int = 20) -> QuerySet[Organisation]:
    """Public unit search for registration: by part of the name or by the whole credit code."""
    query = query.strip()
    units = Organisation.objects.filter(kind=OrganisationKind.UNIT, is_active=True).select_related("bureau")
    if not query:
        return units.none()
    return units.filter(Q(name__icontains=query) | Q(credit_code=query.upper())).order_by("name")[:limit]


def contacts_directory() -> tuple[list[Organisation], list[PlatformContact]]:
    """Annex 2: the HR bureaus with their phones, then the other lines (technical support)."""
    bureaus = list(
        Organisation.objects.filter(kind__in=BUREAU_KINDS, is_active=True)
        .exclude(phone="")
        .order_by("depth", "sort_order", "id")
    )
    return bureaus, list(PlatformContact.objects.all())


def unread_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def person_visible_to(user: User | AnonymousUser, person_id: int) -> User | None:
    """A person's record for someone who governs their unit (not just themself)."""
    condition = _path_filter(policies.governed_paths(user), "unit__path")
    if condition is None:
        return None
    return User.objects.select_related("unit", "unit__bureau").filter(condition, pk=person_id).first()


def audit_events_visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Bureau staff read (and export) the audit trail of their jurisdiction; platform admins all of it."""
    events = AuditEvent.objects.select_related("actor", "actor_organisation")
    if policies.is_platform_admin(user):
        return events
    condition = _path_filter(policies.governed_paths(user, policies.BUREAU_ROLES), "organisation_path")
    if condition is None:
        return events.none()
    return events.filter(condition)
