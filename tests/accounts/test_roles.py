"""Granting and revoking roles: who may, and what goes on record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.demo import DEMO_PASSWORD
from accounts.models import AuditEvent, Role, RoleAssignment, User
from tests.fixtures import World


def event_fields(action: str, assignment: RoleAssignment) -> tuple[object, ...]:
    event = AuditEvent.objects.get(action=action, object_id=str(assignment.pk))
    return event.actor, event.actor_role, event.actor_organisation, event.organisation_path, event.detail


def test_grant_and_revoke_are_recorded_with_the_platform_admins_role(world: World) -> None:
    admin, person = world.platform_admin, world.pending_professional
    assignment = services.role_grant(
        actor=admin, user=person, role=Role.UNIT_ADMIN, organisation=world.company
    )
    expected_detail = {"user": person.pk, "role": "unit_admin"}
    assert event_fields("role.grant", assignment) == (
        admin,
        "platform_admin",
        None,
        world.company.path,
        expected_detail,
    )
    services.role_revoke(actor=admin, assignment_id=assignment.pk)
    assert event_fields("role.revoke", assignment) == (
        admin,
        "platform_admin",
        None,
        world.company.path,
        expected_detail,
    )


def test_a_role_without_an_organisation_is_recorded_where_the_person_works(world: World) -> None:
    """A superuser without the platform-admin role still acts as platform admin on record; a role held
    without an organisation is filed under the person's unit, so that unit's bureau sees it."""
    superuser = User.objects.create_superuser("13912340000", DEMO_PASSWORD, real_name="运维")
    person = world.professional
    RoleAssignment.objects.filter(user=person, role=Role.PROFESSIONAL).update(is_active=False)
    assignment = services.role_grant(actor=superuser, user=person, role=Role.PROFESSIONAL)
    assert event_fields("role.grant", assignment) == (
        superuser,
        "platform_admin",
        None,
        world.school.path,
        {"user": person.pk, "role": "professional"},
    )


def test_only_a_platform_admin_grants_or_revokes(world: World) -> None:
    person = world.pending_professional
    events_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=world.city_staff, user=person, role=Role.UNIT_ADMIN, organisation=world.company
        )
    assignment = RoleAssignment.objects.get(user=world.unit_admin, role=Role.UNIT_ADMIN)
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=world.city_staff, assignment_id=assignment.pk)
    assert not RoleAssignment.objects.filter(user=person, role=Role.UNIT_ADMIN).exists()
    assert RoleAssignment.objects.get(pk=assignment.pk).is_active
    assert AuditEvent.objects.count() == events_before
