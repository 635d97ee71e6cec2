from django.contrib import admin

from .models import AuditEvent, Membership, Notification, Organisation, PlatformContact, RoleAssignment, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "credit_code", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["path", "depth", "bureau"]
    raw_id_fields = ["parent"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["real_name", "id_number_masked", "mobile", "unit", "is_active"]
    search_fields = ["real_name", "mobile"]
    list_filter = ["is_active", "is_staff"]
    readonly_fields = ["id_number_masked", "last_login", "date_joined"]
    exclude = ["password", "id_number_encrypted", "id_number_digest", "groups", "user_permissions"]
    raw_id_fields = ["unit"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "is_active", "granted_at"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user", "organisation", "granted_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["user", "unit", "decided_by"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "action", "actor", "actor_role", "object_type", "object_id", "result"]
    list_filter = ["action", "result"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(PlatformContact)
admin.site.register(Notification)
