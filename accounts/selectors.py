"""Reads scoped to who is asking. Views and APIs build on these and never on Model.objects directly;
whatever a selector does not return does not exist for that user (a 404)."""

from __future__ import annotations

import hashlib
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
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


def path_filter(paths: list[str], field: str) -> Q | None:
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
    condition = path_filter(paths, "path")
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
    condition = path_filter(policies.governed_paths(user), "unit__path")
    own = Q(pk=user.pk)
    return User.objects.select_related("unit").filter(own if condition is None else condition | own)


JURISDICTION_COUNTS_CACHE_SECONDS = 10 * 60


def jurisdiction_counts(user: User) -> tuple[int, int, int]:
    """People (other than the user), units and departments within the user's reach, as the staff
    dashboard shows them.

    Counting the city's half a million people takes half a second, so the three figures are cached
    for ten minutes under the jurisdiction: the governed paths, the provider paths and the user's own
    unit decide the three sets (and whether the user is in the first), so everyone with the same ones
    shares the figures.
    """
    governed = sorted(policies.governed_paths(user))
    provided = sorted(policies.governed_paths(user, (Role.PROVIDER_STAFF,)))
    reach = "|".join(governed) + "#" + "|".join(provided) + "#" + str(user.unit_id or "")
    key = "accounts:jurisdiction-counts:" + hashlib.sha1(reach.encode(), usedforsecurity=False).hexdigest()
    counts = cache.get(key)
    if counts is None:
        organisations = organisations_visible_to(user)
        counts = (
            people_visible_to(user).exclude(pk=user.pk).count(),
            organisations.filter(kind=OrganisationKind.UNIT).count(),
            organisations.filter(kind=OrganisationKind.DEPARTMENT).count(),
        )
        cache.set(key, counts, JURISDICTION_COUNTS_CACHE_SECONDS)
    people, units, departments = counts
    return int(people), int(units), int(departments)


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


# The badge in the navigation is on every page: its count is cached, dropped by every writer that creates
# or reads notifications (``forget_unread_count``: notify, the bulk notices, reminders, marking read).
UNREAD_COUNT_CACHE_SECONDS = 60
_UNREAD_COUNT_KEY = "accounts:unread:{user}"


def unread_count(user: User) -> int:
    key = _UNREAD_COUNT_KEY.format(user=user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_notifications(user).count()
        cache.set(key, count, UNREAD_COUNT_CACHE_SECONDS)
    return int(count)


def forget_unread_count(*user_ids: int) -> None:
    """Drops the cached counts now (this request and this test see the change) and again once the
    transaction commits (a page rendered in between cannot keep the old count)."""
    keys = [_UNREAD_COUNT_KEY.format(user=pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def person_visible_to(user: User | AnonymousUser, person_id: int) -> User | None:
    """A person's record for someone who governs their unit (not just themself)."""
    condition = path_filter(policies.governed_paths(user), "unit__path")
    if condition is None:
        return None
    return User.objects.select_related("unit", "unit__bureau").filter(condition, pk=person_id).first()


def audit_events_visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Bureau staff read (and export) the audit trail of their jurisdiction; platform admins all of it."""
    events = AuditEvent.objects.select_related("actor", "actor_organisation")
    if policies.is_platform_admin(user):
        return events
    condition = path_filter(policies.governed_paths(user, policies.BUREAU_ROLES), "organisation_path")
    if condition is None:
        return events.none()
    return events.filter(condition)
