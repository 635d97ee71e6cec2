"""Django admin for accounts. Organisations and role grants are made here (the platform has no other
page for them), through the same services as elsewhere: checked, placed in the tree, audited. An
organisation keeps its kind and its place in the tree, and nothing is deleted. Accounts are disabled
and enabled through actions; everything else is read-only here, as it changes through its own pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import identity, policies, services
from .models import AuditEvent, Membership, Notification, Organisation, PlatformContact, RoleAssignment, User
from .request_context import signed_in_user


class NoChanges:
    """For inspection only: no adding, changing or deleting (changes go through the services)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoChanges, admin.ModelAdmin):
    """Lists and detail pages for inspection; no adding, changing or deleting."""


class ReadOnlyInline(NoChanges, admin.TabularInline):
    extra = 0
    can_delete = False


ORGANISATION_DETAILS = (
    "name",
    "kind",
    "parent",
    "phone",
    "credit_code",
    "unit_type",
    "is_public_subject_provider",
    "address",
    "sort_order",
)
PLACEMENT = ("path", "depth", "bureau")


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [*ORGANISATION_DETAILS, "is_active"]

    def clean_credit_code(self) -> str:
        code = self.cleaned_data.get("credit_code", "")
        return identity.clean_credit_code(code) if code else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk is None and cleaned.get("kind"):
            services.organisation_placement_check(kind=cleaned["kind"], parent=cleaned.get("parent"))
        return cleaned

    def validate_unique(self) -> None:
        super().validate_unique()
        if self.instance.pk is not None:
            # The parent is read-only on change, so Django leaves out the constraints that name it: a
            # new name must still be unique under the parent.
            others = {field.name for field in Organisation._meta.fields} - {"name", "parent"}
            try:
                self.instance.validate_constraints(exclude=others)
            except ValidationError as error:
                self.add_error(None, error)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "parent", "credit_code", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["parent"]

    def get_fields(self, request: HttpRequest, obj: Organisation | None = None) -> tuple[str, ...]:
        return (*ORGANISATION_DETAILS, "is_active", *PLACEMENT) if obj else ORGANISATION_DETAILS

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None) -> tuple[str, ...]:
        # The kind and the place in the tree stay: moving an organisation would change every path below.
        return ("kind", "parent", *PLACEMENT) if obj else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        # The form has checked the fields and the placement; the service places, saves and audits.
        actor = signed_in_user(request)
        if change:
            changes = {
                field: getattr(obj, field)
                for field in form.changed_data
                if field in services.ORGANISATION_EDITABLE_FIELDS
            }
            services.organisation_update(actor=actor, organisation_id=obj.pk, **changes)
            return
        saved = services.organisation_create(
            actor=actor,
            name=obj.name,
            kind=obj.kind,
            parent=obj.parent,
            phone=obj.phone,
            credit_code=obj.credit_code,
            unit_type=obj.unit_type,
            is_public_subject_provider=obj.is_public_subject_provider,
            address=obj.address,
            sort_order=obj.sort_order,
        )
        obj.pk = saved.pk


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["real_name", "id_number_masked", "mobile", "unit", "is_active"]
    search_fields = ["real_name", "mobile"]
    list_filter = ["is_active", "is_staff"]
    exclude = ["password", "id_number_encrypted", "id_number_digest", "groups", "user_permissions"]
    raw_id_fields = ["unit"]
    actions = ["disable_accounts", "enable_accounts"]

    def has_manage_accounts_permission(self, request: HttpRequest) -> bool:
        return policies.is_platform_admin(request.user)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], is_active: bool) -> int:
        actor = signed_in_user(request)
        changed = 0
        for pk, was_active in queryset.values_list("pk", "is_active"):
            if was_active != is_active:
                services.user_set_active(actor=actor, user_id=pk, is_active=is_active)
                changed += 1
        return changed

    @admin.action(description=_("停用所选账号"), permissions=["manage_accounts"])
    def disable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = self._set_active(request, queryset, is_active=False)
        self.message_user(request, gettext("已停用 %(count)s 个账号。") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("启用所选账号"), permissions=["manage_accounts"])
    def enable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = self._set_active(request, queryset, is_active=True)
        self.message_user(request, gettext("已启用 %(count)s 个账号。") % {"count": count}, messages.SUCCESS)


class RoleAssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "organisation"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("role"):
            services.role_organisation_check(role=cleaned["role"], organisation=cleaned.get("organisation"))
        return cleaned

    def validate_unique(self) -> None:
        # One active grant per person, role and place: the constraint's condition names is_active,
        # which is not on the form, so Django would leave it out.
        super().validate_unique()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Roles are granted here and revoked with an action; an assignment itself is never edited."""

    form = RoleAssignmentAdminForm
    list_display = ["user", "role", "organisation", "is_active", "granted_at", "granted_by", "revoked_at"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user", "organisation"]
    actions = ["revoke_roles"]

    def get_fields(self, request: HttpRequest, obj: RoleAssignment | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "role", "organisation")
        return ("user", "role", "organisation", "is_active", "granted_by", "granted_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return policies.is_platform_admin(request.user)

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool) -> None:
        saved = services.role_grant(
            actor=signed_in_user(request), user=obj.user, role=obj.role, organisation=obj.organisation
        )
        obj.pk = saved.pk

    @admin.action(description=_("撤销所选角色授权"), permissions=["revoke"])
    def revoke_roles(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        actor = signed_in_user(request)
        active = list(queryset.filter(is_active=True).values_list("pk", flat=True))
        for pk in active:
            services.role_revoke(actor=actor, assignment_id=pk)
        self.message_user(
            request,
            gettext("已撤销 %(count)s 项角色授权。") % {"count": len(active)},
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "unit", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["user", "unit", "decided_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "action", "actor", "actor_role", "object_type", "object_id", "result"]
    list_filter = ["action", "result"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]
    raw_id_fields = ["recipient"]


@admin.register(PlatformContact)
class PlatformContactAdmin(admin.ModelAdmin):
    """The public contacts directory: every change through the service, so it is on record."""

    list_display = ["name", "phone", "sort_order"]
    actions = None  # no bulk delete: each deletion goes through delete_model

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_platform_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_platform_admin(request.user)

    def save_model(self, request: HttpRequest, obj: PlatformContact, form: Any, change: bool) -> None:
        saved = services.platform_contact_save(
            actor=signed_in_user(request),
            contact_id=obj.pk if change else None,
            name=obj.name,
            phone=obj.phone,
            sort_order=obj.sort_order,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: PlatformContact) -> None:
        services.platform_contact_delete(actor=signed_in_user(request), contact_id=obj.pk)
