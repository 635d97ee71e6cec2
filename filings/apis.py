"""REST API for training filings, their decisions, and roster imports (upload, status, report).

Scoped like the pages: a filing or import the caller cannot see is a 404; an action the caller may not
take on one they can see is a 403 with the reason; a refused input is a 400 with Chinese messages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation
from accounts.request_context import signed_in_user

from . import messages, policies, reports, selectors, services
from .models import FilingStatus, IssueKind, RosterImport, RosterIssue, TrainingFiling
from .serializers import (
    AttachmentUploadSerializer,
    ChannelUploadSerializer,
    FilingAttachmentSerializer,
    FilingDetailSerializer,
    FilingInputSerializer,
    FilingSerializer,
    PaperUnitSerializer,
    ReasonSerializer,
    RosterImportSerializer,
    RosterIssueSerializer,
    RosterUploadSerializer,
)


def _filing_data(validated: dict) -> services.FilingData:
    return services.FilingData(**{name: validated[name] for name in services.FILING_FIELDS})


def _visible_filing(request: Request, pk: int) -> TrainingFiling:
    return get_object_or_404(selectors.filings_visible_to(request.user), pk=pk)


def _visible_import(request: Request, pk: int) -> RosterImport:
    return get_object_or_404(selectors.imports_visible_to(request.user), pk=pk)


class FilingListApi(generics.ListCreateAPIView):
    """Filings the caller can see (filter by status, or ``to_decide`` for the caller's bureau); POST
    files a training (a unit, department or bureau), or types in a paper filing (bureau staff, with
    ``paper_received_on``)."""

    serializer_class = FilingSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[*FilingStatus.values, "to_decide"])])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[TrainingFiling]:
        status_filter = self.request.query_params.get("status", "")
        if status_filter == "to_decide":
            return selectors.filings_to_decide(self.request.user).order_by("-created_at", "-id")
        filings = selectors.filings_visible_to(self.request.user)
        if status_filter in FilingStatus.values:
            filings = filings.filter(status=status_filter)
        return filings.order_by("-created_at", "-id")

    @extend_schema(request=FilingInputSerializer, responses={201: FilingDetailSerializer})
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        actor = signed_in_user(request)
        serializer = FilingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation_id = data.get("organisation")
        if organisation_id is None:
            raise ValidationError({"organisation": [str(messages.NOT_A_FILING_ORGANISATION)]})
        organisation = Organisation.objects.filter(pk=organisation_id).select_related("bureau").first()
        if organisation is None:
            raise ValidationError({"organisation": [str(messages.NOT_A_FILING_ORGANISATION)]})
        if "paper_received_on" in data and not policies.can_file_for(actor, organisation):
            filing = services.filing_enter_paper(
                actor=actor,
                organisation=organisation,
                data=_filing_data(data),
                paper_received_on=data["paper_received_on"],
            )
        else:
            filing = services.filing_submit(actor=actor, organisation=organisation, data=_filing_data(data))
        return Response(FilingDetailSerializer(filing).data, status=status.HTTP_201_CREATED)


class PaperUnitListApi(generics.ListAPIView):
    """For bureau staff typing in a paper filing: the units and departments whose filings come to their
    bureau, whose name contains ``search`` or whose unified social credit code starts with it (an empty
    search lists them all, by name). Then POST the filing with ``organisation`` and ``paper_received_on``."""

    serializer_class = PaperUnitSerializer

    @extend_schema(parameters=[OpenApiParameter("search", str)])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        if not policies.staff_bureaus(self.request.user):
            raise NotFound
        return selectors.paper_filing_organisations_search(
            self.request.user, self.request.query_params.get("search", "")
        )


class FilingDetailApi(generics.RetrieveAPIView):
    """One filing with its decisions (every move on record) and attachments."""

    serializer_class = FilingDetailSerializer

    def get_queryset(self) -> QuerySet[TrainingFiling]:
        return selectors.filings_visible_to(self.request.user).prefetch_related(
            "decisions__actor", "decisions__actor_organisation", "attachments"
        )


class FilingApproveApi(APIView):
    @extend_schema(request=ReasonSerializer, responses={200: FilingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        filing = _visible_filing(request, pk)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filing = services.filing_approve(
            actor=signed_in_user(request), filing_id=filing.pk, comment=serializer.validated_data["reason"]
        )
        return Response(FilingDetailSerializer(filing).data)


class FilingReturnApi(APIView):
    @extend_schema(request=ReasonSerializer, responses={200: FilingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        filing = _visible_filing(request, pk)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filing = services.filing_return(
            actor=signed_in_user(request), filing_id=filing.pk, reason=serializer.validated_data["reason"]
        )
        return Response(FilingDetailSerializer(filing).data)


class FilingWithdrawApi(APIView):
    @extend_schema(request=ReasonSerializer, responses={200: FilingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        filing = _visible_filing(request, pk)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filing = services.filing_withdraw(
            actor=signed_in_user(request), filing_id=filing.pk, reason=serializer.validated_data["reason"]
        )
        return Response(FilingDetailSerializer(filing).data)


class FilingResubmitApi(APIView):
    @extend_schema(request=FilingInputSerializer, responses={200: FilingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        filing = _visible_filing(request, pk)
        serializer = FilingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filing = services.filing_resubmit(
            actor=signed_in_user(request), filing_id=filing.pk, data=_filing_data(serializer.validated_data)
        )
        return Response(FilingDetailSerializer(filing).data)


class FilingAttachmentApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=AttachmentUploadSerializer, responses={201: FilingAttachmentSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        filing = _visible_filing(request, pk)
        serializer = AttachmentUploadSerializer(data={"files": request.FILES.getlist("files")})
        serializer.is_valid(raise_exception=True)
        stored = services.filing_attachment_add(
            actor=signed_in_user(request), filing_id=filing.pk, uploads=serializer.validated_data["files"]
        )
        return Response(FilingAttachmentSerializer(stored, many=True).data, status=status.HTTP_201_CREATED)


class FilingImportListApi(generics.ListAPIView):
    """The roster imports of a filing; POST uploads a roster (multipart: ``file``, ``is_correction``)."""

    serializer_class = RosterImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[RosterImport]:
        filing = _visible_filing(self.request, self.kwargs["pk"])
        return selectors.imports_of_filing(filing).order_by("-created_at", "-id")

    @extend_schema(request=RosterUploadSerializer, responses={202: RosterImportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        filing = _visible_filing(request, pk)
        serializer = RosterUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        roster_import = services.roster_import_create(
            actor=signed_in_user(request),
            filing_id=filing.pk,
            upload=serializer.validated_data["file"],
            is_correction=serializer.validated_data["is_correction"],
        )
        roster_import.refresh_from_db()
        return Response(RosterImportSerializer(roster_import).data, status=status.HTTP_202_ACCEPTED)


class ChannelImportListApi(generics.ListAPIView):
    """Industry channel imports (health, accounting, education); POST uploads one (city bureau staff)."""

    serializer_class = RosterImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[RosterImport]:
        return selectors.channel_imports_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=ChannelUploadSerializer, responses={202: RosterImportSerializer})
    def post(self, request: Request) -> Response:
        serializer = ChannelUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        roster_import = services.channel_import_create(
            actor=signed_in_user(request),
            source=data["source"],
            year=data["year"],
            upload=data["file"],
            is_correction=data["is_correction"],
        )
        roster_import.refresh_from_db()
        return Response(RosterImportSerializer(roster_import).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(generics.RetrieveAPIView):
    """An import's status and counts: poll it until ``status`` is finished, failed or cancelled."""

    serializer_class = RosterImportSerializer

    def get_queryset(self) -> QuerySet[RosterImport]:
        return selectors.imports_visible_to(self.request.user)


class ImportCancelApi(APIView):
    @extend_schema(request=None, responses={200: RosterImportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        roster_import = _visible_import(request, pk)
        roster_import = services.roster_import_cancel(
            actor=signed_in_user(request), import_id=roster_import.pk
        )
        return Response(RosterImportSerializer(roster_import).data)


class ImportRetryApi(APIView):
    @extend_schema(request=None, responses={202: RosterImportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        roster_import = _visible_import(request, pk)
        roster_import = services.roster_import_retry(
            actor=signed_in_user(request), import_id=roster_import.pk
        )
        roster_import.refresh_from_db()
        return Response(RosterImportSerializer(roster_import).data, status=status.HTTP_202_ACCEPTED)


class ImportIssueListApi(generics.ListAPIView):
    """The rows the report lists: bad rows with their reasons (``kind=error``), held rows, corrections."""

    serializer_class = RosterIssueSerializer

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=IssueKind.values)])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[RosterIssue]:
        roster_import = _visible_import(self.request, self.kwargs["pk"])
        kind = self.request.query_params.get("kind") or None
        if kind is not None and kind not in IssueKind.values:
            raise NotFound
        return selectors.issues_of(roster_import, kind)


class ImportReportApi(APIView):
    """The .xlsx report: summary, every bad row with its reason, held rows, corrections."""

    @extend_schema(responses={(200, reports.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        roster_import = _visible_import(request, pk)
        data = reports.import_report(roster_import, selectors.issues_of(roster_import))
        response = HttpResponse(data, content_type=reports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="import-{roster_import.pk}.xlsx"'
        return response
