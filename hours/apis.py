"""REST API for hours: the rules, the caller's claims (create, preview, submit, withdraw, evidence),
the caller's ledger and year summary. Querysets come from selectors; anything outside the caller's
scope is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jinan_ce.params import parse_int

from . import display, policies, selectors, services
from .models import Claim, LedgerEntry
from .rules import RULES
from .rules.messages import RULE_NOT_CLAIMABLE_TRAINING
from .rules.specs import PRO_2
from .serializers import (
    ClaimInputSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    LedgerEntrySerializer,
    PreviewSerializer,
    RulesSerializer,
    YearSummarySerializer,
)
from .views import evidence_response

YEAR_PARAMETER = OpenApiParameter(
    "year",
    int,
    description="The calendar year (2000-2100); by default the current one (or the latest with a rule set).",
)


def _year(request: Request) -> int:
    year = parse_int(request.query_params.get("year"))
    if year is not None:
        if year not in selectors.YEAR_RANGE:
            raise Http404
        return year
    year = selectors.default_year()
    if year is None:
        raise Http404
    return year


def _figures_or_404(year: int) -> Any:
    try:
        return selectors.year_figures(year)
    except selectors.YearRulesMissingError as error:
        raise Http404 from error


class RulesApi(APIView):
    """The Annex 1 rules a person may claim (fields, quotes, evidence) and the year's figures."""

    @extend_schema(parameters=[YEAR_PARAMETER], responses={200: RulesSerializer})
    def get(self, request: Request) -> Response:
        year = _year(request)
        figures = _figures_or_404(year)
        data = {
            "year": year,
            "years": selectors.years_with_rules(),
            "open_years": selectors.years_open_for_claims(),
            "figures": figures.to_dict(),
            "rules": list(RULES.values()),
            "not_claimable": [
                {"code": PRO_2, "title": str(display.PRO_2_TITLE), "explanation": RULE_NOT_CLAIMABLE_TRAINING}
            ],
        }
        return Response(RulesSerializer(data).data)


class ClaimListCreateApi(generics.ListAPIView):
    """The caller's own claims, newest first; POST creates a draft."""

    serializer_class = ClaimSerializer

    def get_queryset(self) -> QuerySet[Claim]:
        return (
            selectors.own_claims(self.request.user)
            .prefetch_related("evidence")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=ClaimInputSerializer, responses={201: ClaimSerializer})
    def post(self, request: Request) -> Response:
        serializer = ClaimInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_create_draft(actor=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    """A claim the caller may see (their own, or one under review in their jurisdiction); PATCH changes
    the fields of the caller's own draft or returned claim."""

    @extend_schema(responses={200: ClaimSerializer})
    def get(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(
            selectors.claims_visible_to(request.user).prefetch_related("evidence"), pk=pk
        )
        return Response(ClaimSerializer(claim).data)

    @extend_schema(request=ClaimUpdateSerializer, responses={200: ClaimSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
        serializer = ClaimUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor: Any = request.user
        claim = services.claim_update_draft(actor=actor, claim_id=claim.pk, **serializer.validated_data)
        return Response(ClaimSerializer(claim).data)


class ClaimPreviewApi(APIView):
    """What a claim would credit if approved now (writes nothing)."""

    @extend_schema(request=ClaimInputSerializer, responses={200: PreviewSerializer})
    def post(self, request: Request) -> Response:
        if not policies.can_file_claims(request.user):
            raise Http404
        serializer = ClaimInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.claim_preview(
            person=request.user,  # type: ignore[arg-type]
            year=data["year"],
            rule_code=data["rule_code"],
            fields=data["fields"],
        )
        payload = {
            "hours": result.hours,
            "claimed": result.claimed,
            "capped": result.capped,
            "refused": result.refused,
            "refusal": result.refusal,
            "reasons": services.credit_messages(result, data["year"]),
            "reduced_public_required": result.reduced_public_required,
            "reduced_professional_required": result.reduced_professional_required,
        }
        return Response(PreviewSerializer(payload).data)


class ClaimSubmitApi(APIView):
    @extend_schema(request=None, responses={200: ClaimSerializer})
    def post(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
        claim = services.claim_submit(actor=request.user, claim_id=claim.pk)  # type: ignore[arg-type]
        return Response(ClaimSerializer(claim).data)


class ClaimWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: ClaimSerializer})
    def post(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
        claim = services.claim_withdraw(actor=request.user, claim_id=claim.pk)  # type: ignore[arg-type]
        return Response(ClaimSerializer(claim).data)


class ClaimEvidenceApi(APIView):
    """Uploads one evidence file to the caller's draft or returned claim."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evidence = services.claim_evidence_add(
            actor=request.user,  # type: ignore[arg-type]
            claim_id=claim.pk,
            upload=serializer.validated_data["file"],
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class ClaimEvidenceFileApi(APIView):
    """An evidence file, for the claimant and the reviewers who may see the claim."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
        }
    )
    def get(self, request: Request, pk: int, evidence_pk: int) -> FileResponse:
        claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
        return evidence_response(get_object_or_404(claim.evidence.all(), pk=evidence_pk))


class LedgerApi(generics.ListAPIView):
    """The caller's ledger entries for a year, in posting order (reversals included)."""

    serializer_class = LedgerEntrySerializer

    @extend_schema(parameters=[YEAR_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        if not policies.can_file_claims(self.request.user):
            return LedgerEntry.objects.none()
        return selectors.ledger_entries_of(self.request.user, _year(self.request))  # type: ignore[arg-type]


class YearSummaryApi(APIView):
    """Required against earned for the caller's year, what is missing, and compliance."""

    @extend_schema(parameters=[YEAR_PARAMETER], responses={200: YearSummarySerializer})
    def get(self, request: Request) -> Response:
        if not policies.can_file_claims(request.user):
            raise Http404
        year = _year(request)
        _figures_or_404(year)
        summary = selectors.year_summary(request.user, year)  # type: ignore[arg-type]
        data = {
            "year": summary.year,
            "public_required": summary.public_required,
            "professional_required": summary.professional_required,
            "months_on_post": summary.reduction.months_on_post if summary.reduction else None,
            "compulsory": summary.compulsory,
            "elective": summary.elective,
            "conversion": summary.conversion,
            "public": summary.public,
            "professional": summary.professional,
            "missing_public": summary.missing_public,
            "missing_professional": summary.missing_professional,
            "premium_course_completed": summary.premium_course_completed,
            "is_compliant": summary.is_compliant,
        }
        return Response(YearSummarySerializer(data).data)
