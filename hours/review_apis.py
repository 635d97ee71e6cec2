"""REST API of the review workflow: the reviewer's queue and counts, decisions (one or in bulk), the
trail of a claim, revocation and the integrity archive. Querysets come from the selectors; a claim the
caller may not see is a 404, a decision they may not take a 403 with the service's message."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.request_context import signed_in_user
from jinan_ce.params import parse_int

from . import review, selectors, selectors_review
from . import review_policies as policies
from .models import Claim
from .review_models import (
    REVIEWER_DECISIONS,
    ClaimReviewStage,
    IntegrityRecord,
    ReviewDecision,
    ReviewRecord,
    ReviewStageKind,
)
from .review_views import id_search_from_token, id_search_token, looks_like_id_number, queue_filters
from .serializers import ClaimSerializer, EvidenceSerializer, hours_field

# --- Shapes -------------------------------------------------------------------------------------------


class ReviewStageSerializer(serializers.ModelSerializer[ClaimReviewStage]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.CharField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ClaimReviewStage
        fields = [
            "id", "round", "position", "kind", "kind_display", "organisation_id", "organisation_name",
            "deadline_days", "state", "state_display", "opened_at", "due_at", "decided_at", "is_overdue",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {"kind": {"help_text": "1 unit, 2 department, 3 HR bureau, 4 city bureau."}}


class ReviewRecordSerializer(serializers.ModelSerializer[ReviewRecord]):
    decision = serializers.CharField(read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    stage_kind_display = serializers.SerializerMethodField()
    role_display = serializers.SerializerMethodField()
    ip_address = serializers.SerializerMethodField()

    class Meta:
        model = ReviewRecord
        fields = [
            "id", "round", "stage_id", "stage_kind", "stage_kind_display", "decision", "decision_display",
            "from_status", "to_status", "comment", "actor_name", "role", "role_display",
            "organisation_id", "organisation_name", "created_at", "ip_address",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_stage_kind_display(self, record: ReviewRecord) -> str:
        return str(ReviewStageKind(record.stage_kind).label) if record.stage_kind else ""

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_role_display(self, record: ReviewRecord) -> str:
        from accounts.models import Role

        try:
            return str(Role(record.role).label)
        except ValueError:
            return record.role

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_ip_address(self, record: ReviewRecord) -> str | None:
        """Reviewers' addresses, for other reviewers only (``review_policies.shown_ip_address``)."""
        claim, viewer = self.context.get("claim"), self.context.get("viewer")
        if claim is None or viewer is None:
            return None
        return policies.shown_ip_address(record, claim, viewer)


class TrailSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    stages = ReviewStageSerializer(many=True, help_text="The stages of the latest round, in order.")
    records = ReviewRecordSerializer(many=True, help_text="Every move of the claim in review, oldest first.")


class QueueItemSerializer(serializers.ModelSerializer[Claim]):
    rule_title = serializers.CharField(read_only=True)
    person_name = serializers.CharField(source="person.real_name", read_only=True)
    person_id_number = serializers.CharField(source="person.id_number_masked", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True, default=None)
    preview_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    current_stage_display = serializers.SerializerMethodField()
    review_organisation_name = serializers.CharField(
        source="review_organisation.name", read_only=True, allow_null=True, default=None
    )
    stage_id = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id", "year", "rule_code", "rule_title", "status", "person_name", "person_id_number",
            "unit_id", "unit_name", "preview_hours", "preview_reasons", "credited_hours", "submitted_at",
            "current_stage", "current_stage_display", "review_organisation_id", "review_organisation_name",
            "review_due_at", "is_overdue", "stage_id", "evidence",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_current_stage_display(self, claim: Claim) -> str:
        return str(ReviewStageKind(claim.current_stage).label) if claim.current_stage else ""

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_stage_id(self, claim: Claim) -> int | None:
        """The open stage: pass it back with a decision, so a claim that moved meanwhile is not decided."""
        stage = selectors_review.open_stage_of(claim)
        return stage.pk if stage else None

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, claim: Claim) -> bool:
        return claim.review_due_at is not None and claim.review_due_at < timezone.now()


class CountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    approved = serializers.IntegerField(help_text="Stages the caller's organisations approved.")
    returned = serializers.IntegerField()
    rejected = serializers.IntegerField()
    by_stage = serializers.ListField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per stage kind: {kind, waiting, overdue}.",
    )


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(value, ReviewDecision(value).label) for value in REVIEWER_DECISIONS],
        help_text="approve (to the next stage; the last approval posts the hours), return (to the claimant "
        "for revision), reject (final).",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=review.COMMENT_LIMIT,
        help_text="Required to return or reject: the claimant reads it.",
    )
    stage_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The open stage the reviewer saw (stage_id of the queue item); if the claim has moved "
        "since, nothing changes and the answer is 400.",
    )


class DecisionSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    record = ReviewRecordSerializer()
    next_stage = ReviewStageSerializer(allow_null=True)
    credited_hours = hours_field(allow_null=True)


class BulkItemSerializer(serializers.Serializer):
    claim_id = serializers.IntegerField()
    stage_id = serializers.IntegerField(required=False, allow_null=True)


class BulkInputSerializer(serializers.Serializer):
    items = BulkItemSerializer(many=True, allow_empty=False, max_length=review.BULK_LIMIT)  # type: ignore[call-arg]
    comment = serializers.CharField(required=False, allow_blank=True, max_length=review.COMMENT_LIMIT)


class BulkRefusalSerializer(serializers.Serializer):
    claim_id = serializers.IntegerField()
    reason = serializers.CharField()


class BulkSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    refused = BulkRefusalSerializer(many=True)


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=review.COMMENT_LIMIT)


class IntegrityRecordSerializer(serializers.ModelSerializer[IntegrityRecord]):
    person_name = serializers.CharField(source="person.real_name", read_only=True)
    person_id_number = serializers.CharField(source="person.id_number_masked", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    rule_code = serializers.CharField(source="claim.rule_code", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = IntegrityRecord
        fields = [
            "id", "person_id", "person_name", "person_id_number", "year", "claim_id", "rule_code", "reason",
            "unit_id", "unit_name", "reversed_hours", "revoked_by_name", "role", "organisation_name",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


QUEUE_PARAMETERS = [
    OpenApiParameter(
        "status",
        str,
        enum=[value for value, _label in selectors_review.QUEUE_STATUS_CHOICES],
        description="pending (default) and overdue: at the caller's stages now; approved, returned, "
        "rejected: decided by the caller's organisations.",
    ),
    OpenApiParameter(
        "stage", int, description="Stage kind: 1 unit, 2 department, 3 HR bureau, 4 city bureau."
    ),
    OpenApiParameter("year", int),
    OpenApiParameter("rule", str, description="Rule code, e.g. PUB-2."),
    OpenApiParameter("unit", int, description="The claimant's unit (organisation id)."),
    OpenApiParameter("from", str, description="Submitted on or after (YYYY-MM-DD)."),
    OpenApiParameter("to", str, description="Submitted on or before (YYYY-MM-DD)."),
    OpenApiParameter(
        "q",
        str,
        description="A claim number or part of a name. A full ID number is refused here (it would be in "
        "the URL): exchange it for a qid at POST review/queue/id-search/.",
    ),
    OpenApiParameter("qid", str, description="The token of a search by full ID number (valid 12 hours)."),
]

ID_NUMBER_IN_URL = gettext_lazy(
    "为保护个人信息，身份证号码不能放在网址中：请先提交到 /api/hours/review/queue/id-search/ 换取 qid，"
    "再用 qid 查询。"
)
NOT_AN_ID_NUMBER = gettext_lazy("请输入完整的18位身份证号码。")


class IdSearchInputSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=50, help_text="A full ID number (18 characters).")


class IdSearchSerializer(serializers.Serializer[Any]):
    qid = serializers.CharField(help_text="Pass as ?qid= to the queue; valid 12 hours.")
    display = serializers.CharField(help_text="The number masked, for showing what is searched.")


# --- Views ----------------------------------------------------------------------------------------------


class ReviewQueueApi(generics.ListAPIView):
    """The caller's review queue, oldest first, 50 a page (the same filters as the 审核工作台 page)."""

    serializer_class = QueueItemSerializer

    @extend_schema(parameters=QUEUE_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policies.is_reviewer(request.user):
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Claim]:
        if looks_like_id_number(self.request.query_params.get("q")):
            raise ValidationError({"q": [ID_NUMBER_IN_URL]})
        return selectors_review.review_queue(self.request.user, queue_filters(self.request.query_params))


class ReviewQueueIdSearchApi(APIView):
    """Exchanges a full ID number (in the body, never in a URL) for the token the queue is searched with."""

    @extend_schema(request=IdSearchInputSerializer, responses={200: IdSearchSerializer})
    def post(self, request: Request) -> Response:
        if not policies.is_reviewer(request.user):
            raise Http404
        serializer = IdSearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = id_search_token(serializer.validated_data["q"])
        search = id_search_from_token(token or "")
        if search is None:
            raise ValidationError({"q": [NOT_AN_ID_NUMBER]})
        return Response(IdSearchSerializer({"qid": token, "display": search.masked}).data)


class ReviewCountsApi(APIView):
    """Claims per status at the caller's stages (the dashboard's figures)."""

    @extend_schema(responses={200: CountsSerializer})
    def get(self, request: Request) -> Response:
        if not policies.is_reviewer(request.user):
            raise Http404
        counts = selectors_review.review_counts(request.user)
        data = {
            "pending": counts.pending,
            "overdue": counts.overdue,
            "approved": counts.approved,
            "returned": counts.returned,
            "rejected": counts.rejected,
            "by_stage": [
                {"kind": kind, "waiting": waiting, "overdue": overdue}
                for kind, waiting, overdue in counts.by_stage
            ],
        }
        return Response(CountsSerializer(data).data)


class ReviewDecisionApi(APIView):
    """Approve, return or reject a claim at the caller's stage."""

    @extend_schema(request=DecisionInputSerializer, responses={200: DecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = review.review_decide(
            actor=signed_in_user(request),
            claim_id=claim.pk,
            decision=data["decision"],
            comment=data.get("comment", ""),
            stage_id=data.get("stage_id"),
        )
        claim = Claim.objects.select_related("person", "unit").prefetch_related("evidence").get(pk=claim.pk)
        payload = {
            "claim": claim,
            "record": outcome.record,
            "next_stage": outcome.next_stage,
            "credited_hours": outcome.credited_hours,
        }
        context = {"claim": claim, "viewer": request.user}
        return Response(DecisionSerializer(payload, context=context).data)


class ReviewBulkApproveApi(APIView):
    """Approve several claims with one comment; each on its own, so one refusal leaves the others."""

    @extend_schema(request=BulkInputSerializer, responses={200: BulkSerializer})
    def post(self, request: Request) -> Response:
        if not policies.is_reviewer(request.user):
            raise Http404
        serializer = BulkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = review.review_bulk_approve(
            actor=signed_in_user(request),
            items=[(item["claim_id"], item.get("stage_id")) for item in data["items"]],
            comment=data.get("comment", ""),
        )
        payload = {
            "approved": outcome.approved,
            "refused": [{"claim_id": claim_id, "reason": reason} for claim_id, reason in outcome.refused],
        }
        return Response(BulkSerializer(payload).data)


class ClaimTrailApi(APIView):
    """A claim's review trail: the stages of its latest round and every record (claimant and reviewers)."""

    @extend_schema(responses={200: TrailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(
            selectors.claims_visible_to(request.user).prefetch_related("evidence"), pk=pk
        )
        payload = {
            "claim": claim,
            "stages": selectors_review.claim_stages(claim),
            "records": selectors_review.claim_trail(claim),
        }
        return Response(TrailSerializer(payload, context={"claim": claim, "viewer": request.user}).data)


class ClaimRevokeApi(APIView):
    """一票否决: bureau staff revoke an approved claim; the hours are reversed and the archive records it."""

    @extend_schema(request=RevokeInputSerializer, responses={200: IntegrityRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
        serializer = RevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = review.claim_revoke(
            actor=signed_in_user(request), claim_id=claim.pk, reason=serializer.validated_data["reason"]
        )
        return Response(IntegrityRecordSerializer(record).data)


class IntegrityListApi(generics.ListAPIView):
    """The integrity archive (诚信档案) of the caller's jurisdiction, newest first."""

    serializer_class = IntegrityRecordSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policies.can_view_integrity_archive(request.user):
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[IntegrityRecord]:
        records = selectors_review.integrity_records_visible_to(self.request.user)
        if (year := parse_int(self.request.query_params.get("year"), max_digits=4)) is not None:
            records = records.filter(year=year)
        return records
