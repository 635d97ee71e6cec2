"""Django admin for hours. Year rule sets are edited here through the same services as the bureau's
pages (audited, cache invalidated); the ledger, claims and reductions are read-only: they change only
through their services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import ReadOnlyAdmin

from . import policies, services
from .models import Claim, ClaimEvidence, LedgerEntry, RequirementReduction, YearRuleSet


@admin.register(YearRuleSet)
class YearRuleSetAdmin(admin.ModelAdmin):
    list_display = ["year", "updated_at", "updated_by"]
    readonly_fields = ["created_at", "updated_at", "updated_by"]
    fields = ["year", "figures", "created_at", "updated_at", "updated_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: YearRuleSet | None = None) -> list[str]:
        readonly = ["created_at", "updated_at", "updated_by"]
        return [*readonly, "year"] if obj else readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.can_edit_year_rules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_edit_year_rules(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: YearRuleSet, form: Any, change: bool) -> None:
        # The form has run the model's clean() (figures valid for the year); the service writes and audits.
        if change:
            saved = services.year_rules_update(actor=request.user, year=obj.year, figures=obj.figures)  # type: ignore[arg-type]
        else:
            saved = services.year_rules_create(actor=request.user, year=obj.year, figures=obj.figures)  # type: ignore[arg-type]
        obj.pk = saved.pk


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "person",
        "year",
        "category",
        "hours",
        "rule_code",
        "source_type",
        "source_id",
        "created_at",
    ]
    list_filter = ["year", "category", "source_type"]
    search_fields = ["person__real_name", "person__mobile", "source_id", "evidence_key"]
    raw_id_fields = ["person", "reverses", "created_by"]


class ClaimEvidenceInline(admin.TabularInline):
    model = ClaimEvidence
    fields = ("original_name", "content_type", "size", "sha256", "uploaded_at")
    readonly_fields = ("original_name", "content_type", "size", "sha256", "uploaded_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "person",
        "year",
        "rule_code",
        "status",
        "preview_hours",
        "credited_hours",
        "unit",
        "updated_at",
    ]
    list_filter = ["year", "status", "rule_code"]
    search_fields = ["person__real_name", "person__mobile", "evidence_key"]
    raw_id_fields = ["person", "unit"]
    inlines = [ClaimEvidenceInline]


@admin.register(RequirementReduction)
class RequirementReductionAdmin(ReadOnlyAdmin):
    list_display = [
        "person",
        "year",
        "months_on_post",
        "public_required",
        "professional_required",
        "is_active",
    ]
    list_filter = ["year", "is_active"]
    raw_id_fields = ["person", "claim", "created_by", "revoked_by"]
