"""REST API for certificates, public verification, compliance reports and export jobs (under
/api/hours/). The URL patterns live here too, included once from ``hours.api_urls``.

Same rules as the pages: what the caller may not see is a 404; verification is public and
rate-limited per address (429 with a Chinese message).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from accounts.models import Organisation, User
from accounts.request_context import client_ip
from jinan_ce.params import parse_int

from . import certificates, reports, selectors
from .certificate_views import export_file_response
from .models import Certificate, ExportJob, ExportStatus

# --- Serializers ----------------------------------------------------------------------------------


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    person_id = serializers.IntegerField(read_only=True)
    verification_code = serializers.CharField(source="grouped_code", read_only=True)
    standing = serializers.SerializerMethodField()
    is_rendered = serializers.BooleanField(read_only=True)
    pdf_url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "person_id",
            "year",
            "is_compliant",
            "issued_at",
            "verification_code",
            "verification_url",
            "standing",
            "is_rendered",
            "pdf_url",
            "record",
        ]
        read_only_fields = fields

    def get_standing(self, certificate: Certificate) -> str:
        return certificates.certificate_standing(certificate).status

    def get_pdf_url(self, certificate: Certificate) -> str:
        return reverse("api_hours_certificate_pdf", args=[certificate.pk])

    def get_verification_url(self, certificate: Certificate) -> str:
        return certificates.verification_path(certificate.verification_code)


class CertificateRequestSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    person_id = serializers.IntegerField(required=False, help_text=str(_("缺省为本人")))


class VerificationSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    standing = serializers.ChoiceField(choices=["valid", "superseded", "revoked"])
    standing_label = serializers.CharField()
    standing_since = serializers.DateTimeField(allow_null=True)
    issued_at = serializers.DateTimeField()
    record = serializers.DictField()


class ExportRequestSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    organisation_id = serializers.IntegerField()


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    # Plain strings in the schema: "kind" and "status" enums of other apps would collide by name.
    kind = serializers.CharField(read_only=True, help_text="certificate_zip | compliance_report")
    status = serializers.CharField(
        read_only=True, help_text="pending | running | done | failed | expired (file deleted after 7 days)"
    )
    organisation_id = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "year",
            "organisation_id",
            "status",
            "total",
            "done",
            "percent",
            "file_name",
            "error",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return reverse("api_hours_export_download", args=[job.pk])


# --- Helpers ------------------------------------------------------------------------------------------


def _year(value: int) -> int:
    if value not in selectors.years_with_rules():
        raise Http404
    return value


def _organisation(allowed: list[Organisation], organisation_id: int) -> Organisation:
    for organisation in allowed:
        if organisation.pk == organisation_id:
            return organisation
    raise Http404


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


def _acting_user(request: Request) -> User:
    """The caller: every view here but verification requires an authenticated user (the default
    permission class), so ``request.user`` is a ``User``."""
    return cast(User, request.user)


# --- Certificates -------------------------------------------------------------------------------------


class CertificateListApi(generics.ListAPIView):
    """Certificates the caller may see: their own, and those of people in their jurisdiction.

    POST obtains the current certificate of a person and year: the latest one when the ledger has not
    changed since it was issued, else a new one (rendered by a background task; poll ``is_rendered``).
    """

    serializer_class = CertificateSerializer

    def get_queryset(self) -> QuerySet[Certificate]:
        queryset = certificates.certificates_visible_to(self.request.user)
        if (year := parse_int(self.request.query_params.get("year"))) is not None:
            queryset = queryset.filter(year=year)
        return queryset.order_by("-issued_at", "-id")

    @extend_schema(request=CertificateRequestSerializer, responses={201: CertificateSerializer})
    def post(self, request: Request) -> Response:
        serializer = CertificateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = _year(serializer.validated_data["year"])
        user = _acting_user(request)
        person_id: int = serializer.validated_data.get("person_id") or user.pk
        person = user if person_id == user.pk else account_selectors.person_visible_to(user, person_id)
        if person is None:
            raise Http404
        try:
            certificate = certificates.certificate_obtain(
                actor=user,
                person=person,
                year=year,
                base_url=_base_url(request),
            )
        except PermissionDenied as error:
            raise Http404 from error
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


class CertificateDetailApi(generics.RetrieveAPIView):
    serializer_class = CertificateSerializer

    def get_queryset(self) -> QuerySet[Certificate]:
        return certificates.certificates_visible_to(self.request.user)


class CertificatePdfApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="PDF")})
    def get(self, request: Request, pk: int) -> HttpResponse:
        certificate = get_object_or_404(certificates.certificates_visible_to(request.user), pk=pk)
        response = HttpResponse(certificates.certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class VerificationThrottled(Throttled):
    default_detail = certificates.VERIFY_RATE_LIMITED


class CertificateVerifyApi(APIView):
    """Public: the certificate's record as issued and whether it still stands. Unknown codes are a
    plain 404; lookups are limited per address."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses={200: VerificationSerializer, 404: OpenApiResponse(description="未找到")})
    def get(self, request: Request, code: str) -> Response:
        if certificates.verify_rate_limited(client_ip(request)):
            raise VerificationThrottled(detail=str(certificates.VERIFY_RATE_LIMITED))
        certificate = certificates.certificate_by_code(code)
        if certificate is None:
            raise Http404
        standing = certificates.certificate_standing(certificate)
        data = {
            "number": certificate.number,
            "standing": standing.status,
            "standing_label": standing.label,
            "standing_since": standing.since,
            "issued_at": certificate.issued_at,
            "record": {key: value for key, value in certificate.record.items() if key != "verification_url"},
        }
        return Response(VerificationSerializer(data).data)


# --- Reports and export jobs ------------------------------------------------------------------------------


class ComplianceReportApi(APIView):
    """A compliance report (.xlsx) for a year and an organisation in the caller's jurisdiction: small
    ones are returned at once, large ones answer 202 with a job to poll."""

    @extend_schema(
        request=ExportRequestSerializer,
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                description="xlsx"
            ),
            202: ExportJobSerializer,
        },
    )
    def post(self, request: Request) -> HttpResponse | Response:
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = _year(serializer.validated_data["year"])
        organisation = _organisation(
            reports.report_organisations(request.user), serializer.validated_data["organisation_id"]
        )
        actor = _acting_user(request)
        if reports.compliance_report_is_small(organisation):
            content = reports.compliance_report_now(actor=actor, organisation=organisation, year=year)
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="compliance-{year}-{organisation.pk}.xlsx"'
            )
            return response
        job = reports.compliance_report_start(actor=actor, organisation=organisation, year=year)
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class CertificateBatchApi(APIView):
    """A ZIP of the current certificates of everyone in an organisation (unit admins and bureaus)."""

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer})
    def post(self, request: Request) -> Response:
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = _year(serializer.validated_data["year"])
        organisation = _organisation(
            certificates.organisations_for_batch(request.user), serializer.validated_data["organisation_id"]
        )
        try:
            job = certificates.certificate_batch_start(
                actor=_acting_user(request),
                organisation=organisation,
                year=year,
                base_url=_base_url(request),
            )
        except PermissionDenied as error:
            raise Http404 from error
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobListApi(generics.ListAPIView):
    serializer_class = ExportJobSerializer

    def get_queryset(self) -> QuerySet[ExportJob]:
        return reports.exports_visible_to(self.request.user)


class ExportJobDetailApi(generics.RetrieveAPIView):
    serializer_class = ExportJobSerializer

    def get_queryset(self) -> QuerySet[ExportJob]:
        return reports.exports_visible_to(self.request.user)


class ExportDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="文件")})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        job = get_object_or_404(reports.exports_visible_to(request.user), pk=pk, status=ExportStatus.DONE)
        return export_file_response(job)


urlpatterns = [
    path("certificates/", CertificateListApi.as_view(), name="api_hours_certificates"),
    path("certificates/batch/", CertificateBatchApi.as_view(), name="api_hours_certificate_batch"),
    path("certificates/<int:pk>/", CertificateDetailApi.as_view(), name="api_hours_certificate"),
    path("certificates/<int:pk>/pdf/", CertificatePdfApi.as_view(), name="api_hours_certificate_pdf"),
    path("verify/<str:code>/", CertificateVerifyApi.as_view(), name="api_hours_certificate_verify"),
    path("reports/compliance/", ComplianceReportApi.as_view(), name="api_hours_compliance_report"),
    path("exports/", ExportJobListApi.as_view(), name="api_hours_exports"),
    path("exports/<int:pk>/", ExportJobDetailApi.as_view(), name="api_hours_export"),
    path("exports/<int:pk>/download/", ExportDownloadApi.as_view(), name="api_hours_export_download"),
]
