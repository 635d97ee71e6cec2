"""API shapes for filings and imports. ID numbers appear masked only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organisation

from .models import (
    CHANNEL_SOURCES,
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTORS_MAX_LENGTH,
    FilingAttachment,
    FilingDecision,
    FilingStatus,
    ImportSource,
    RosterImport,
    RosterIssue,
    TrainingFiling,
    TrainingKind,
)


class FilingDecisionSerializer(serializers.ModelSerializer[FilingDecision]):
    # Blank on a filing's first decision (submitted or entered on paper: it came from nowhere), as the
    # model allows; without allow_blank the schema's enum left "" out and the response broke it.
    from_status = serializers.ChoiceField(
        choices=FilingStatus.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("变更前的状态；首次提交（或代录纸质备案）时为空字符串。"),
    )
    actor_name = serializers.CharField(source="actor.real_name", read_only=True)
    actor_organisation = serializers.CharField(
        source="actor_organisation.name", read_only=True, allow_null=True
    )
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)

    class Meta:
        model = FilingDecision
        fields = [
            "id",
            "action",
            "from_status",
            "to_status",
            "to_status_display",
            "actor_name",
            "actor_role",
            "actor_organisation",
            "reason",
            "occurred_at",
        ]
        read_only_fields = fields


class FilingAttachmentSerializer(serializers.ModelSerializer[FilingAttachment]):
    class Meta:
        model = FilingAttachment
        fields = ["id", "original_name", "size", "uploaded_at"]
        read_only_fields = fields


class FilingSerializer(serializers.ModelSerializer[TrainingFiling]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    bureau_name = serializers.CharField(source="bureau.name", read_only=True)
    year = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingFiling
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "organiser",
            "organisation",
            "organisation_name",
            "bureau",
            "bureau_name",
            "start_date",
            "end_date",
            "training_days",
            "planned_hours",
            "place",
            "instructors",
            "expected_participants",
            "description",
            "channel",
            "paper_received_on",
            "status",
            "status_display",
            "year",
            "return_reason",
            "submitted_at",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class FilingDetailSerializer(FilingSerializer):
    decisions = FilingDecisionSerializer(many=True, read_only=True)
    attachments = FilingAttachmentSerializer(many=True, read_only=True)

    class Meta(FilingSerializer.Meta):
        fields = [*FilingSerializer.Meta.fields, "decisions", "attachments"]
        read_only_fields = fields


class FilingInputSerializer(serializers.Serializer[dict[str, Any]]):
    """A new filing (or the corrected one of a resubmission). ``organisation`` is where the caller files
    from; bureau staff typing in a paper filing name the unit or department and ``paper_received_on``."""

    organisation = serializers.IntegerField(required=False, help_text=_("备案单位；重新提交时不填"))
    paper_received_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("代录纸质备案时的材料收到日期")
    )
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=TrainingKind.choices)
    organiser = serializers.CharField(max_length=200)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    training_days = serializers.IntegerField(min_value=1, max_value=366)
    planned_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    place = serializers.CharField(max_length=200)
    instructors = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=INSTRUCTORS_MAX_LENGTH
    )
    expected_participants = serializers.IntegerField(min_value=1, max_value=1_000_000)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH
    )


class ReasonSerializer(serializers.Serializer[dict[str, str]]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttachmentUploadSerializer(serializers.Serializer[dict[str, Any]]):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class RosterUploadSerializer(serializers.Serializer[dict[str, Any]]):
    file = serializers.FileField()
    is_correction = serializers.BooleanField(required=False, default=False)


class ChannelUploadSerializer(RosterUploadSerializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        choices=[(v, label) for v, label in ImportSource.choices if v in CHANNEL_SOURCES]
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class RosterImportSerializer(serializers.ModelSerializer[RosterImport]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    phase_display = serializers.CharField(source="get_phase_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = RosterImport
        fields = [
            "id",
            "source",
            "source_display",
            "filing",
            "year",
            "is_correction",
            "original_name",
            "file_size",
            "status",
            "status_display",
            "phase",
            "phase_display",
            "progress",
            "total_rows",
            "checkpoint",
            "credited_count",
            "updated_count",
            "revoked_count",
            "unchanged_count",
            "held_count",
            "error_count",
            "failure_message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class RosterIssueSerializer(serializers.ModelSerializer[RosterIssue]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RosterIssue
        fields = ["row_number", "kind", "kind_display", "id_number_masked", "name", "hours_text", "message"]
        read_only_fields = fields


class PaperUnitSerializer(serializers.ModelSerializer[Organisation]):
    """A unit or department bureau staff can type in a paper filing for."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "credit_code", "kind", "kind_display", "parent_name"]
        read_only_fields = fields
