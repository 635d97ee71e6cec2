"""The Django admin: organisations and role grants go through the services (placed in the tree,
checked, audited); everything else can be inspected but not changed there."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts import policies, selectors, services
from accounts.demo import DEMO_PASSWORD, make_credit_code
from accounts.models import AuditEvent, Membership, Organisation, Role, RoleAssignment, User
from learning.models import Course, DigitalApplication, DigitalCohort, PremiumCourse
from tests.fixtures import World, client_for

ADD_ORGANISATION = "/admin/accounts/organisation/add/"
ADD_ROLE = "/admin/accounts/roleassignment/add/"


def organisation_form(**values: Any) -> dict[str, Any]:
    return {"sort_order": 0, "phone": "", "credit_code": "", "unit_type": "", "address": ""} | values


def form_errors(response: Any) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


def add_unit(admin: Client, parent: Organisation, name: str = "任城区新兴幼儿园") -> Organisation:
    response = admin.post(
        ADD_ORGANISATION,
        organisation_form(name=name, kind="unit", parent=parent.pk, credit_code=make_credit_code(777001)),
    )
    assert response.status_code == 302, form_errors(response)
    return Organisation.objects.get(name=name, parent=parent)


def test_an_organisation_added_in_the_admin_is_placed_in_the_tree_and_audited(world: World) -> None:
    admin = client_for(world.platform_admin)
    assert admin.get(ADD_ORGANISATION).status_code == 200
    unit = add_unit(admin, world.rencheng)
    assert (unit.path, unit.depth, unit.bureau, unit.kind, unit.credit_code, unit.is_active) == (
        f"{world.rencheng.path}{unit.pk}/",
        world.rencheng.depth + 1,
        world.rencheng,
        "unit",
        make_credit_code(777001),
        True,
    )
    event = AuditEvent.objects.get(action="organisation.create", object_id=str(unit.pk))
    platform_role = RoleAssignment.objects.get(user=world.platform_admin, role=Role.PLATFORM_ADMIN)
    assert platform_role.organisation is None
    assert (event.actor, event.actor_role, event.actor_organisation, event.organisation_path) == (
        world.platform_admin,
        "platform_admin",
        None,
        unit.path,
    )


def test_the_admin_refuses_a_misplaced_organisation_with_the_services_message(world: World) -> None:
    admin = client_for(world.platform_admin)
    count = Organisation.objects.count()
    response = admin.post(ADD_ORGANISATION, organisation_form(name="无上级单位", kind="unit"))
    assert response.status_code == 200
    assert form_errors(response) == {"parent": [str(services.PARENT_KIND_INVALID)]}
    response = admin.post(
        ADD_ORGANISATION,
        organisation_form(name="单位下的人社局", kind="county_bureau", parent=world.school.pk),
    )
    assert form_errors(response) == {"parent": [str(services.PARENT_KIND_INVALID)]}
    # A parent outside the tree (no path: made before the admin went through the service) takes no children.
    broken = Organisation.objects.create(name="旧后台添加的单位", kind="department", parent=world.rencheng)
    response = admin.post(ADD_ORGANISATION, organisation_form(name="其下单位", kind="unit", parent=broken.pk))
    assert form_errors(response) == {"parent": [str(services.PARENT_NOT_PLACED)]}
    assert Organisation.objects.count() == count + 1


def test_a_unit_admin_of_an_organisation_added_in_the_admin_sees_only_that_unit(world: World) -> None:
    admin = client_for(world.platform_admin)
    unit = add_unit(admin, world.rencheng)
    head = User.objects.create_user("13912340001", DEMO_PASSWORD, real_name="新园长")
    response = admin.post(ADD_ROLE, {"user": head.pk, "role": "unit_admin", "organisation": unit.pk})
    assert response.status_code == 302, form_errors(response)
    assert policies.governed_paths(head) == [unit.path]
    assert list(selectors.organisations_visible_to(head)) == [unit]
    assert list(selectors.people_visible_to(head)) == [head]
    assert selectors.jurisdiction_counts(head) == (0, 1, 0)
    assert selectors.person_visible_to(head, world.professional.pk) is None
    client = client_for(head)
    assert client.get(f"/people/{world.professional.pk}/").status_code == 404
    page = client.get("/unit/members/")
    assert page.status_code == 200
    assert list(page.context["units"]) == [unit]
    assert list(page.context["page"]) == []


def test_an_organisation_without_a_path_governs_nothing(world: World) -> None:
    """An empty path is a prefix of every path: whoever held a role there would see the whole city."""
    broken = Organisation.objects.create(name="旧后台添加的单位", kind="unit", parent=world.rencheng)
    assert broken.path == "" and not broken.is_placed
    head = User.objects.create_user("13912340002", DEMO_PASSWORD, real_name="旧单位管理员")
    RoleAssignment.objects.create(user=head, role=Role.UNIT_ADMIN, organisation=broken)
    assert policies.governed_paths(head) == []
    assert policies.governing_assignment(head, world.school) is None
    assert not policies.governs(head, world.school)
    assert list(selectors.organisations_visible_to(head)) == []
    assert list(selectors.people_visible_to(head)) == [head]
    assert selectors.person_visible_to(head, world.professional.pk) is None


def test_the_repair_migration_places_organisations_added_without_a_path(world: World) -> None:
    broken = Organisation.objects.create(name="旧后台添加的部门", kind="department", parent=world.rencheng)
    # organisation_create under it (before the placement check) gave the child a path without the root.
    child = Organisation.objects.create(
        name="旧后台部门下的单位", kind="unit", parent=broken, path=f"{broken.pk}/", depth=1, bureau=None
    )
    bureau = Organisation.objects.create(name="旧后台添加的功能区", kind="zone_bureau", parent=world.city)
    untouched = {row.pk: (row.path, row.depth, row.bureau_id) for row in Organisation.objects.all()}
    migration = importlib.import_module("accounts.migrations.0005_organisation_paths_repair")
    migration.repair_organisation_paths(apps, None)
    for row in (broken, child, bureau):
        row.refresh_from_db()
    assert (broken.path, broken.depth, broken.bureau) == (
        f"{world.rencheng.path}{broken.pk}/",
        world.rencheng.depth + 1,
        world.rencheng,
    )
    assert (child.path, child.depth, child.bureau) == (
        f"{broken.path}{child.pk}/",
        broken.depth + 1,
        world.rencheng,
    )
    assert (bureau.path, bureau.depth, bureau.bureau) == (f"{world.city.path}{bureau.pk}/", 1, bureau)
    repaired = {broken.pk, child.pk, bureau.pk}
    after = {row.pk: (row.path, row.depth, row.bureau_id) for row in Organisation.objects.all()}
    assert {pk: value for pk, value in after.items() if pk not in repaired} == {
        pk: value for pk, value in untouched.items() if pk not in repaired
    }


def test_an_organisation_edited_in_the_admin_keeps_its_place_and_is_audited(world: World) -> None:
    admin = client_for(world.platform_admin)
    school = world.school
    url = f"/admin/accounts/organisation/{school.pk}/change/"
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        organisation_form(
            name="任城区实验中学（本部）",
            phone="0537-1234567",
            credit_code=school.credit_code,
            unit_type=school.unit_type,
            is_active="on",
            # Read-only on change: ignored.
            kind="county_bureau",
            parent=world.yanzhou.pk,
        ),
    )
    assert response.status_code == 302, form_errors(response)
    moved = Organisation.objects.get(pk=school.pk)
    assert (moved.name, moved.phone, moved.kind, moved.parent, moved.path, moved.bureau) == (
        "任城区实验中学（本部）",
        "0537-1234567",
        "unit",
        world.education_department,
        school.path,
        school.bureau,
    )
    event = AuditEvent.objects.get(action="organisation.update", object_id=str(school.pk))
    assert (event.actor, event.actor_role, event.organisation_path, event.detail) == (
        world.platform_admin,
        "platform_admin",
        school.path,
        {"fields": ["name", "phone"]},
    )
    # A sibling's name under the same parent is refused on the form, not with a server error.
    taken = admin.post(
        url, organisation_form(name=world.other_school.name, unit_type=school.unit_type, is_active="on")
    )
    assert taken.status_code == 200
    assert list(taken.context["adminform"].form.non_field_errors())
    assert Organisation.objects.get(pk=school.pk).name == "任城区实验中学（本部）"


def test_organisations_are_not_deleted_in_the_admin(world: World) -> None:
    admin = client_for(world.platform_admin)
    unit = add_unit(admin, world.rencheng)
    assert admin.post(f"/admin/accounts/organisation/{unit.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=unit.pk).exists()


def test_only_a_platform_admin_adds_or_edits_organisations_in_the_admin(world: World) -> None:
    staff = world.city_staff
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    client = client_for(User.objects.get(pk=staff.pk))
    count = Organisation.objects.count()
    response = client.post(
        ADD_ORGANISATION, organisation_form(name="越权单位", kind="unit", parent=world.rencheng.pk)
    )
    assert response.status_code == 403
    assert Organisation.objects.count() == count


def test_a_role_granted_in_the_admin_goes_through_the_service(world: World) -> None:
    admin = client_for(world.platform_admin)
    assert admin.get(ADD_ROLE).status_code == 200
    person = world.pending_professional
    refused = admin.post(
        ADD_ROLE, {"user": person.pk, "role": "unit_admin", "organisation": world.rencheng.pk}
    )
    assert refused.status_code == 200
    assert form_errors(refused) == {"organisation": [str(services.ROLE_ORGANISATION_INVALID)]}
    assert not RoleAssignment.objects.filter(user=person, role=Role.UNIT_ADMIN).exists()

    response = admin.post(
        ADD_ROLE, {"user": person.pk, "role": "unit_admin", "organisation": world.company.pk}
    )
    assert response.status_code == 302, form_errors(response)
    assignment = RoleAssignment.objects.get(user=person, role=Role.UNIT_ADMIN, is_active=True)
    assert (assignment.organisation, assignment.granted_by) == (world.company, world.platform_admin)
    event = AuditEvent.objects.get(action="role.grant", object_id=str(assignment.pk))
    assert (event.actor, event.actor_role, event.organisation_path) == (
        world.platform_admin,
        "platform_admin",
        world.company.path,
    )
    # The same active role again is refused by the form (one active grant per role and place).
    again = admin.post(ADD_ROLE, {"user": person.pk, "role": "unit_admin", "organisation": world.company.pk})
    assert again.status_code == 200
    assert len(again.context["adminform"].form.non_field_errors()) == 1
    assert RoleAssignment.objects.filter(user=person, role=Role.UNIT_ADMIN).count() == 1


def test_roles_are_revoked_with_the_action_and_never_edited_or_deleted(world: World) -> None:
    admin = client_for(world.platform_admin)
    assignment = RoleAssignment.objects.get(user=world.unit_admin, role=Role.UNIT_ADMIN)
    url = f"/admin/accounts/roleassignment/{assignment.pk}/change/"
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"user": world.unit_admin.pk, "role": "unit_admin"}).status_code == 403
    assert (
        admin.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert RoleAssignment.objects.get(pk=assignment.pk).is_active

    response = admin.post(
        "/admin/accounts/roleassignment/",
        {"action": "revoke_roles", "_selected_action": [assignment.pk]},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_active is False and assignment.revoked_at is not None
    event = AuditEvent.objects.get(action="role.revoke", object_id=str(assignment.pk))
    assert (event.actor, event.actor_role, event.organisation_path) == (
        world.platform_admin,
        "platform_admin",
        world.school.path,
    )


def test_accounts_are_disabled_and_enabled_with_actions_and_otherwise_read_only(world: World) -> None:
    admin = client_for(world.platform_admin)
    person = world.professional
    url = f"/admin/accounts/user/{person.pk}/change/"
    assert admin.get(url).status_code == 200
    assert (
        admin.post(url, {"real_name": "改名", "mobile": person.mobile, "is_superuser": "on"}).status_code
        == 403
    )
    person.refresh_from_db()
    assert (person.real_name, person.is_superuser) == ("张敏", False)

    session = client_for(person)
    assert session.get("/dashboard/").status_code == 200
    action = {"action": "disable_accounts", "_selected_action": [person.pk]}
    assert admin.post("/admin/accounts/user/", action).status_code == 302
    person.refresh_from_db()
    assert person.is_active is False
    assert session.get("/dashboard/").status_code == 302
    event = AuditEvent.objects.get(action="user.disable", object_id=str(person.pk))
    assert (event.actor, event.actor_role, event.organisation_path) == (
        world.platform_admin,
        "platform_admin",
        world.school.path,
    )
    assert admin.post("/admin/accounts/user/", action | {"action": "enable_accounts"}).status_code == 302
    person.refresh_from_db()
    assert person.is_active is True
    assert AuditEvent.objects.filter(action="user.enable", object_id=str(person.pk)).count() == 1


def test_memberships_are_read_only_in_the_admin(world: World) -> None:
    admin = client_for(world.platform_admin)
    membership = Membership.objects.get(user=world.pending_professional, status="pending")
    url = f"/admin/accounts/membership/{membership.pk}/change/"
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {"user": membership.user_id, "unit": world.school.pk, "status": "confirmed", "requested_at_0": ""},
    )
    assert response.status_code == 403
    assert admin.get("/admin/accounts/membership/add/").status_code == 403
    membership.refresh_from_db()
    assert (membership.status, membership.unit) == ("pending", world.company)


@pytest.mark.parametrize(
    ("model", "path", "change"),
    [
        (Course, "learning/course", {"title": "改名", "status": "published"}),
        (PremiumCourse, "learning/premiumcourse", {"title": "改名", "status": "published"}),
        (DigitalApplication, "learning/digitalapplication", {"result": "passed"}),
    ],
)
def test_learning_records_are_read_only_in_the_admin(
    world: World, model: type[Any], path: str, change: dict[str, str]
) -> None:
    if model is DigitalApplication:
        DigitalApplication.objects.create(
            cohort=DigitalCohort.objects.first(), person=world.professional, category="graduate"
        )
    record = model.objects.first()
    before = {field: getattr(record, field) for field in change}
    admin = client_for(world.platform_admin)
    assert admin.get(f"/admin/{path}/").status_code == 200
    assert admin.get(f"/admin/{path}/{record.pk}/change/").status_code == 200
    assert admin.post(f"/admin/{path}/{record.pk}/change/", change).status_code == 403
    assert admin.post(f"/admin/{path}/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get(f"/admin/{path}/add/").status_code == 403
    record.refresh_from_db()
    assert {field: getattr(record, field) for field in change} == before
    assert model.objects.filter(pk=record.pk).exists()


def test_the_contacts_directory_is_edited_through_the_service_and_on_record(world: World) -> None:
    from accounts.models import PlatformContact

    admin = client_for(world.platform_admin)
    added = admin.post(
        "/admin/accounts/platformcontact/add/",
        {"name": " 平台技术支持 ", "phone": "400-806-8255", "sort_order": 9},
    )
    assert added.status_code == 302
    contact = PlatformContact.objects.get(name="平台技术支持")
    assert (contact.phone, contact.sort_order) == ("400-806-8255", 9)
    changed = admin.post(
        f"/admin/accounts/platformcontact/{contact.pk}/change/",
        {"name": "平台技术支持", "phone": "400-806-8256", "sort_order": 9},
    )
    assert changed.status_code == 302
    assert PlatformContact.objects.get(pk=contact.pk).phone == "400-806-8256"
    deleted = admin.post(f"/admin/accounts/platformcontact/{contact.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not PlatformContact.objects.filter(pk=contact.pk).exists()
    events = AuditEvent.objects.filter(object_type="accounts.platformcontact", object_id=str(contact.pk))
    assert list(events.order_by("id").values_list("action", "actor_id", "actor_role")) == [
        ("platform_contact.save", world.platform_admin.pk, "platform_admin"),
        ("platform_contact.save", world.platform_admin.pk, "platform_admin"),
        ("platform_contact.delete", world.platform_admin.pk, "platform_admin"),
    ]
    assert events.order_by("id")[1].detail["before"]["phone"] == "400-806-8255"
    # Nobody else reaches it, not even the city bureau.
    assert client_for(world.city_staff).get("/admin/accounts/platformcontact/").status_code == 302
    with pytest.raises(PermissionDenied):
        services.platform_contact_save(actor=world.city_staff, contact_id=None, name="x", phone="1")
