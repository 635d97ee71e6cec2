"""Pages for certificates, verification, exports, reports, dashboards and the forecast. Thin: parse,
call one service or selector, render. Whatever is not visible to the user is a 404."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies as account_policies
from accounts import selectors as account_selectors
from accounts.models import Organisation, User
from accounts.request_context import client_ip
from jinan_ce.params import parse_int

from . import certificates, dashboards, reports, selectors
from .models import Certificate, ExportJob, ExportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _year_from(request: HttpRequest, source: Any = None) -> int:
    data = source if source is not None else request.GET
    years = selectors.years_with_rules()
    year = parse_int(data.get("year"))
    if year is None:
        year = selectors.default_year() or 0
    if year not in years:
        raise Http404
    return year


def _acting_user(request: HttpRequest) -> User:
    """The signed-in user: every view using this is behind ``login_required``."""
    return cast(User, request.user)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _attachment(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    ascii_name = "download" + file_name[file_name.rfind(".") :]
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Certificates ----------------------------------------------------------------------------------


@login_required
@require_GET
def certificate_home(request: HttpRequest) -> HttpResponse:
    """A person's years with their certificates; ``?person=`` for someone who governs that person."""
    user = _acting_user(request)
    person = user
    if request.GET.get("person"):
        person_id = parse_int(request.GET["person"])
        if person_id is None:
            raise Http404
        if person_id != user.pk:
            governed = account_selectors.person_visible_to(user, person_id)
            if governed is None:
                raise Http404
            person = governed
    years = []
    for year in selectors.years_with_rules():
        latest = (
            certificates.certificates_visible_to(user)
            .filter(person=person, year=year)
            .order_by("-issued_at", "-id")
            .first()
        )
        years.append(
            {
                "year": year,
                "summary": selectors.year_summary(person, year),
                "latest": latest,
                "standing": certificates.certificate_standing(latest) if latest else None,
            }
        )
    return render(
        request,
        "certificates/home.html",
        {"person": person, "years": years, "is_self": person.pk == user.pk},
    )


@login_required
@require_POST
def certificate_obtain(request: HttpRequest) -> HttpResponse:
    year = _year_from(request, request.POST)
    user = _acting_user(request)
    person_id = parse_int(request.POST["person"]) if request.POST.get("person") else user.pk
    if person_id is None:
        raise Http404
    person = user if person_id == user.pk else account_selectors.person_visible_to(user, person_id)
    if person is None:
        raise Http404
    try:
        certificate = certificates.certificate_obtain(
            actor=user, person=person, year=year, base_url=_base_url(request)
        )
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("certificate_detail", pk=certificate.pk)


def _visible_certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_object_or_404(certificates.certificates_visible_to(request.user), pk=pk)


@login_required
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _visible_certificate(request, pk)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "record": certificate.record,
            "standing": certificates.certificate_standing(certificate),
        },
    )


@login_required
@require_GET
@never_cache
def certificate_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The download button once the PDF is rendered; polled by the detail page until then."""
    certificate = _visible_certificate(request, pk)
    return render(request, "certificates/_status.html", {"certificate": certificate})


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _visible_certificate(request, pk)
    content = certificates.certificate_pdf(certificate)
    response = _attachment(content, "application/pdf", certificates.certificate_file_name(certificate))
    if request.GET.get("inline"):
        response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    return response


# --- Public verification ---------------------------------------------------------------------------


def _rate_limited(request: HttpRequest) -> HttpResponse | None:
    if certificates.verify_rate_limited(client_ip(request)):
        return render(request, "certificates/verify_limited.html", status=429)
    return None


@require_GET
def certificate_verify_form(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if not code:
        return render(request, "certificates/verify_form.html", {})
    return certificate_verify(request, code)


@require_GET
@never_cache
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone with the code sees the record as issued and whether it still stands."""
    limited = _rate_limited(request)
    if limited is not None:
        return limited
    certificate = certificates.certificate_by_code(code)
    if certificate is None:
        return render(
            request, "certificates/verify_form.html", {"not_found": True, "code": code[:40]}, status=404
        )
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "record": certificate.record,
            "standing": certificates.certificate_standing(certificate),
        },
    )


# --- Exports (certificate ZIPs and large reports) ----------------------------------------------------


@login_required
@require_POST
def certificate_batch(request: HttpRequest) -> HttpResponse:
    year = _year_from(request, request.POST)
    organisation = _organisation_from(
        request, certificates.organisations_for_batch(request.user), request.POST
    )
    try:
        job = certificates.certificate_batch_start(
            actor=_acting_user(request), organisation=organisation, year=year, base_url=_base_url(request)
        )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect("hours_reports")
    return redirect("export_detail", pk=job.pk)


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(reports.exports_visible_to(request.user), pk=pk)
    context = {"job": job, "keep_days": reports.EXPORT_KEEP_DAYS}
    return render(request, "reports/export_detail.html", context)


@login_required
@require_GET
@never_cache
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(reports.exports_visible_to(request.user), pk=pk)
    context = {"job": job, "keep_days": reports.EXPORT_KEEP_DAYS}
    return render(request, "reports/_export_progress.html", context)


def export_file_response(job: ExportJob) -> FileResponse:
    """The export's file, streamed from storage in chunks (a ZIP of a whole county's certificates is
    hundreds of megabytes: never read into memory), under its Chinese name."""
    if not job.file:
        raise Http404
    stored_name = job.file.name or ""
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file_name or stored_name.rsplit("/", 1)[-1],
        content_type="application/zip" if stored_name.endswith(".zip") else XLSX,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(reports.exports_visible_to(request.user), pk=pk, status=ExportStatus.DONE)
    return export_file_response(job)


# --- Reports ---------------------------------------------------------------------------------------


def _organisation_from(request: HttpRequest, allowed: list[Organisation], data: Any) -> Organisation:
    try:
        organisation_id = int(data.get("organisation", ""))
    except (TypeError, ValueError):
        organisation_id = allowed[0].pk if allowed else 0
    for organisation in allowed:
        if organisation.pk == organisation_id:
            return organisation
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def hours_reports(request: HttpRequest) -> HttpResponse:
    user = _acting_user(request)
    organisations = reports.report_organisations(user)
    if not organisations:
        raise Http404
    if request.method == "POST":
        year = _year_from(request, request.POST)
        organisation = _organisation_from(request, organisations, request.POST)
        try:
            if reports.compliance_report_is_small(organisation):
                content = reports.compliance_report_now(actor=user, organisation=organisation, year=year)
                return _attachment(content, XLSX, reports.report_file_name(organisation, year))
            job = reports.compliance_report_start(actor=user, organisation=organisation, year=year)
        except PermissionDenied as error:
            raise Http404 from error
        return redirect("export_detail", pk=job.pk)
    batch_organisations = certificates.organisations_for_batch(user)
    return render(
        request,
        "reports/reports.html",
        {
            "organisations": organisations,
            "batch_organisations": batch_organisations,
            "years": selectors.years_with_rules(),
            "default_year": selectors.default_year(),
            "jobs": reports.exports_visible_to(user)[:10],
            "small_limit": reports.SMALL_REPORT_PEOPLE,
            "batch_limit": certificates.MAX_BATCH_PEOPLE,
        },
    )


# --- Dashboards, forecast, people behind -----------------------------------------------------------


@login_required
@require_GET
def hours_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    scopes = dashboards.dashboard_scopes(user)
    if not scopes:
        raise Http404
    year = _year_from(request)
    organisation = _organisation_from(request, scopes, request.GET)
    figures = dashboards.jurisdiction_figures(organisation, year)
    charts = []
    if len(figures.by_county) > 1:
        charts.append(dashboards.Chart(_("各县（市、区）完成率"), figures.by_county))
    if len(figures.by_department) > 1:
        charts.append(dashboards.Chart(_("各主管部门完成率"), figures.by_department))
    charts.append(dashboards.Chart(_("各单位完成率"), figures.by_unit[:30]))
    charts.append(dashboards.Chart(_("全年逐月完成率"), figures.monthly))
    pending = dashboards.pending_claims_by_stage(user)
    pending_maximum = max([row["value"] for row in pending] or [1])
    pending_chart = dashboards.Chart(_("待审核申报（按环节）"), pending, unit="", maximum=pending_maximum)
    return render(
        request,
        "reports/dashboard.html",
        {
            "figures": figures,
            "charts": charts,
            "pending_chart": pending_chart,
            "overdue_days": dashboards.OVERDUE_REVIEW_DAYS,
            "scopes": scopes,
            "organisation": organisation,
            "years": selectors.years_with_rules(),
            "year": year,
            "units_shown": min(len(figures.by_unit), 30),
            "units_total": len(figures.by_unit),
        },
    )


@login_required
@require_GET
def hours_forecast(request: HttpRequest) -> HttpResponse:
    year = _year_from(request)
    return render(
        request,
        "reports/forecast.html",
        {
            "forecast": dashboards.forecast_for(_acting_user(request), year),
            "years": selectors.years_with_rules(),
            "year": year,
        },
    )


@login_required
@require_GET
def hours_behind(request: HttpRequest) -> HttpResponse:
    """Who is behind, for unit admins (their units) and other governing roles (their jurisdiction)."""
    user = request.user
    scopes = dashboards.dashboard_scopes(user)
    if not scopes:
        raise Http404
    year = _year_from(request)
    organisation = _organisation_from(request, scopes, request.GET)
    if not account_policies.governs(user, organisation):
        raise Http404
    rows, count = dashboards.people_behind_page(organisation.path, year, limit=500)
    page_rows = [{"row": row, "missing": dashboards.missing_of(row)} for row in rows]
    return render(
        request,
        "reports/behind.html",
        {
            "rows": page_rows,
            "count": count,
            "scopes": scopes,
            "organisation": organisation,
            "years": selectors.years_with_rules(),
            "year": year,
            "deadline": dashboards.deadline_of(year),
        },
    )
