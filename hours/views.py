"""Pages for hours. Thin: parse, call one service or selector, render. Whatever the selectors do not
return for the user is a 404."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jinan_ce.params import parse_int

from . import display, policies, review_policies, selectors, selectors_review, services
from .forms import ClaimForm, YearRulesCopyForm, YearRulesForm
from .models import Claim, ClaimEvidence, SourceType
from .rules import RuleNotClaimableError, RuleSpec, get_spec


def _require_filer(request: HttpRequest) -> None:
    if not policies.can_file_claims(request.user):
        raise Http404


def _require_rules_editor(request: HttpRequest) -> None:
    if not policies.can_edit_year_rules(request.user):
        raise Http404


def _spec_or_404(code: str) -> RuleSpec:
    try:
        return get_spec(code)
    except RuleNotClaimableError as error:
        raise Http404 from error


def _add_errors(form: Any, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _selected_year(request: HttpRequest, years: list[int], default: int | None) -> int | None:
    year = parse_int(request.GET.get("year"))
    return year if year in years else default


# --- My hours --------------------------------------------------------------------------------------


@login_required
@require_GET
def my_hours(request: HttpRequest) -> HttpResponse:
    """我的学时: the year's progress, every ledger entry with its source, and what is missing."""
    _require_filer(request)
    years = selectors.years_with_rules()
    year = _selected_year(request, years, selectors.default_year())
    context: dict[str, Any] = {"years": years, "year": year}
    if year is not None:
        entries = list(selectors.ledger_entries_of(request.user, year))  # type: ignore[arg-type]
        context["summary"] = selectors.year_summary(request.user, year, entries=entries)  # type: ignore[arg-type]
        context["entries"] = entries
        # The ledger table is cached under its entries: the ledger is append-only, so the set of ids
        # changes exactly when the table would (see the template's {% cache %}).
        context["ledger_version"] = ",".join(str(entry.pk) for entry in entries)
        context["claim_source"] = SourceType.CLAIM
    return render(request, "hours/my_hours.html", context)


# --- Claims ----------------------------------------------------------------------------------------


@login_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    _require_filer(request)
    claims = selectors.own_claims(request.user).order_by("-created_at", "-id")
    page = Paginator(claims, 20).get_page(request.GET.get("page"))
    return render(request, "hours/claim_list.html", {"page": page})


@login_required
@require_GET
def claim_chooser(request: HttpRequest) -> HttpResponse:
    _require_filer(request)
    return render(request, "hours/claim_chooser.html", {"groups": display.rule_groups()})


def _claim_form_context(
    request: HttpRequest, spec: RuleSpec, form: ClaimForm, claim: Claim | None, preview: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "spec": spec,
        "form": form,
        "claim": claim,
        "preview": preview,
        "rule_fields": [form[name] for name in form.rule_field_names()],
        "evidence": list(claim.evidence.all()) if claim else [],
    }


def _preview(request: HttpRequest, spec: RuleSpec, form: ClaimForm) -> dict[str, Any]:
    """The preview block's context: hours and reasons, or the errors that keep a preview from showing."""
    year = parse_int(form.data.get("year"))
    if year is None:
        return {"errors": [_("请选择申报年度")]}
    try:
        result = services.claim_preview(
            person=request.user,  # type: ignore[arg-type]
            year=year,
            rule_code=spec.code,
            fields=form.raw_rule_values(),
        )
    except ValidationError as error:
        return {"errors": error.messages}
    return {"result": result, "reasons": services.credit_messages(result, year), "spec": spec}


def _claim_form_view(request: HttpRequest, spec: RuleSpec, claim: Claim | None) -> HttpResponse:
    years = selectors.years_open_for_claims()
    if claim is not None and claim.year not in years:
        years = sorted({*years, claim.year}, reverse=True)
    initial: dict[str, Any] = {"year": years[0]} if years else {}
    if claim is not None:
        initial = {"year": claim.year, **claim.fields}
    preview = None
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES, spec=spec, years=years)
        action = request.POST.get("action", "draft")
        if action == "preview":
            preview = _preview(request, spec, form)
        elif form.is_valid():
            try:
                saved = services.claim_save(
                    actor=request.user,  # type: ignore[arg-type]
                    rule_code=spec.code,
                    year=form.cleaned_data["year"],
                    fields=form.rule_values(),
                    uploads=form.cleaned_data["evidence"],
                    claim_id=claim.pk if claim else None,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if action != "submit":
                    messages.success(request, _("草稿已保存。"))
                    return redirect("hours_claim_detail", pk=saved.pk)
                try:
                    services.claim_submit(actor=request.user, claim_id=saved.pk)  # type: ignore[arg-type]
                except ValidationError as error:
                    _flash_errors(request, error)
                    messages.info(request, _("申报已保存为草稿，请修改后再提交。"))
                    return redirect("hours_claim_edit", pk=saved.pk)
                messages.success(request, _("申报已提交，请等待审核。"))
                return redirect("hours_claim_detail", pk=saved.pk)
    else:
        form = ClaimForm(initial=initial, spec=spec, years=years)
    context = _claim_form_context(request, spec, form, claim, preview)
    context["years_open"] = bool(years)
    return render(request, "hours/claim_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, code: str) -> HttpResponse:
    _require_filer(request)
    return _claim_form_view(request, _spec_or_404(code), None)


@login_required
@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_filer(request)
    claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
    if not claim.is_editable:
        messages.error(request, str(services.CLAIM_NOT_EDITABLE))
        return redirect("hours_claim_detail", pk=claim.pk)
    return _claim_form_view(request, _spec_or_404(claim.rule_code), claim)


@login_required
@require_POST
def claim_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The 预览学时 button (HTMX): the hours this claim would credit now, and why."""
    _require_filer(request)
    spec = _spec_or_404(code)
    years = selectors.years_with_rules()
    form = ClaimForm(request.POST, spec=spec, years=years)
    return render(request, "hours/_preview.html", {"preview": _preview(request, spec, form)})


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    spec = claim.spec
    trail = selectors_review.claim_trail(claim)
    return render(
        request,
        "hours/claim_detail.html",
        {
            "claim": claim,
            "spec": spec,
            "rows": display.field_rows(spec, claim.fields),
            "evidence": list(claim.evidence.all()),
            "badge": display.status_badge_classes(claim.status),
            "is_claimant": policies.is_claimant(request.user, claim),
            # The review workflow: where the claim stands, and every decision on record.
            "stages": selectors_review.claim_stages(claim),
            "trail": trail,
            "last_comment": next(
                (record for record in reversed(trail) if record.decision in ("return", "reject")), None
            ),
            "show_addresses": not policies.is_claimant(request.user, claim),
            "can_review": review_policies.can_act_on(request.user, claim)
            or review_policies.can_revoke(request.user, claim),
        },
    )


@login_required
@require_POST
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
    try:
        services.claim_submit(actor=request.user, claim_id=claim.pk)  # type: ignore[arg-type]
    except ValidationError as error:
        _flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("申报已提交，请等待审核。"))
    return redirect("hours_claim_detail", pk=claim.pk)


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
    try:
        services.claim_withdraw(actor=request.user, claim_id=claim.pk)  # type: ignore[arg-type]
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("申报已撤回。"))
    return redirect("hours_claim_detail", pk=claim.pk)


#: Evidence is shown inline on the review pages (PDFs in an <iframe>, images in <img>): its response may
#: be framed by this site only. Chromium's PDF viewer draws its page with inline styles and an <embed>,
#: which the site-wide policy would refuse; the response is never HTML (types are checked by content
#: and sent with nosniff), so allowing them here opens nothing.
EVIDENCE_CSP = {
    "frame-ancestors": ["'self'"],
    "object-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace(EVIDENCE_CSP)  # type: ignore[arg-type]  # (django-csp types views as taking the request only)
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """An evidence file, for the claimant and the reviewers who may see the claim; 404 for anyone else."""
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    evidence: ClaimEvidence = get_object_or_404(claim.evidence.all(), pk=evidence_pk)
    return evidence_response(evidence)


def evidence_response(evidence: ClaimEvidence) -> FileResponse:
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, content_type=evidence.content_type, as_attachment=False, filename=evidence.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.own_claims(request.user), pk=pk)
    try:
        services.claim_evidence_remove(actor=request.user, claim_id=claim.pk, evidence_id=evidence_pk)  # type: ignore[arg-type]
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("证明材料已删除。"))
    return redirect("hours_claim_edit", pk=claim.pk)


# --- The year's rule set (city bureau staff) ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def year_rules_list(request: HttpRequest) -> HttpResponse:
    _require_rules_editor(request)
    years = selectors.years_with_rules()
    form = YearRulesCopyForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.year_rules_copy(
                actor=request.user,  # type: ignore[arg-type]
                from_year=form.cleaned_data["from_year"],
                to_year=form.cleaned_data["to_year"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("已创建%(year)s年度学时规则，请核对并修改。") % {"year": rule_set.year}
            )
            return redirect("hours_year_rules_edit", year=rule_set.year)
    return render(
        request, "hours/year_rules_list.html", {"rule_sets": selectors.year_rule_sets(), "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_rules_edit(request: HttpRequest, year: int) -> HttpResponse:
    _require_rules_editor(request)
    try:
        figures = selectors.year_figures(year)
    except selectors.YearRulesMissingError as error:
        raise Http404 from error
    form = YearRulesForm(request.POST or None, figures=figures)
    if request.method == "POST" and form.is_valid():
        try:
            services.year_rules_update(actor=request.user, year=year, figures=form.figures())  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(year)s年度学时规则已保存。") % {"year": year})
            return redirect("hours_year_rules_edit", year=year)
    return render(request, "hours/year_rules_edit.html", {"form": form, "year": year})
