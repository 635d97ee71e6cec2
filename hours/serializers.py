"""API shapes for hours. Serializers parse and present only; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Claim, ClaimEvidence, LedgerEntry


def hours_field(**options: Any) -> serializers.DecimalField:
    """Hours: one decimal place, as the ledger stores them (rendered as a string, "12.5")."""
    return serializers.DecimalField(max_digits=6, decimal_places=1, **options)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class FieldSpecSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=["int", "decimal", "choice", "month", "date", "text"])
    required = serializers.BooleanField()  # type: ignore[assignment]
    choices = serializers.SerializerMethodField()
    min_value = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    max_value = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    max_length = serializers.IntegerField(allow_null=True)
    help = serializers.CharField()  # type: ignore[assignment]

    @extend_schema_field(ChoiceSerializer(many=True))
    def get_choices(self, field_spec: Any) -> list[dict[str, str]]:
        return [{"value": value, "label": label} for value, label in field_spec.choices]


class RuleSpecSerializer(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.ChoiceField(choices=["public_conversion", "professional", "requirement_reduction"])
    title = serializers.CharField()
    quote = serializers.CharField(help_text="The sentence of Annex 1 the rule rests on, verbatim.")
    evidence_label = serializers.CharField()
    fields = FieldSpecSerializer(many=True)  # type: ignore[assignment]


class NotClaimableSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    explanation = serializers.CharField()


class RulesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Years with a rule set.")
    open_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="Years whose claim window is open today."
    )
    figures = serializers.DictField(help_text="Every figure of the year's rule set (RuleFigures.to_dict).")
    rules = RuleSpecSerializer(many=True)
    not_claimable = NotClaimableSerializer(many=True)


class EvidenceSerializer(serializers.ModelSerializer[ClaimEvidence]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ClaimEvidence
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_url(self, evidence: ClaimEvidence) -> str:
        return reverse("api_hours_evidence_file", args=[evidence.claim_id, evidence.pk])


class ClaimSerializer(serializers.ModelSerializer[Claim]):
    rule_title = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    fields = serializers.DictField(read_only=True)  # type: ignore[assignment]
    preview_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    credit_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    person_name = serializers.CharField(source="person.real_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True, default=None)
    is_editable = serializers.BooleanField(read_only=True)
    is_withdrawable = serializers.BooleanField(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id", "year", "rule_code", "rule_title", "fields", "status", "status_display",
            "preview_hours", "preview_reasons", "credited_hours", "credit_reasons", "person_name",
            "unit_id", "unit_name", "review_started", "is_editable", "is_withdrawable", "evidence",
            "created_at", "updated_at", "submitted_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class ClaimInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    rule_code = serializers.CharField(max_length=12)
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text="The rule's fields by name (see GET /api/hours/rules/)."
    )


class ClaimUpdateSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    fields = serializers.DictField()  # type: ignore[assignment]


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPG or PNG (checked by content), at most 10 MB.")


class PreviewSerializer(serializers.Serializer):
    hours = hours_field(help_text="What approving the claim now would credit.")
    claimed = hours_field(help_text="What the evidence is worth before any cap.")
    capped = serializers.BooleanField()
    refused = serializers.BooleanField()
    refusal = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())
    reduced_public_required = hours_field(allow_null=True)
    reduced_professional_required = hours_field(allow_null=True)


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    source_display = serializers.CharField(source="get_source_type_display", read_only=True)
    reverses_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id", "year", "category", "category_display", "hours", "rule_code", "source_type",
            "source_display", "source_id", "reverses_id", "memo", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class YearSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    public_required = hours_field()
    professional_required = hours_field()
    months_on_post = serializers.IntegerField(
        allow_null=True, help_text="Set when an approved R1 claim reduced the year's requirement."
    )
    compulsory = hours_field()
    elective = hours_field()
    conversion = hours_field()
    public = hours_field()
    professional = hours_field()
    missing_public = hours_field()
    missing_professional = hours_field()
    premium_course_completed = serializers.BooleanField()
    is_compliant = serializers.BooleanField()
