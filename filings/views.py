"""Pages for training filings and roster imports. Thin: parse, call one service or selector, render.
Whatever the selectors do not return is a 404; a refused action is a message, never a half change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policies as account_policies
from accounts.request_context import signed_in_user
from jinan_ce.params import parse_int

from . import policies, reports, selectors, services
from .forms import (
    ApproveForm,
    AttachmentForm,
    ChannelUploadForm,
    FilingForm,
    ReturnForm,
    RosterUploadForm,
    WithdrawForm,
)
from .models import (
    CHANNEL_SOURCES,
    FilingStatus,
    ImportSource,
    IssueKind,
    RosterImport,
    TrainingFiling,
)

ISSUES_PER_PAGE = 50


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=reports.XLSX_CONTENT_TYPE)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _visible_filing(request: HttpRequest, pk: int) -> TrainingFiling:
    return get_object_or_404(selectors.filings_visible_to(request.user), pk=pk)


def _visible_import(request: HttpRequest, pk: int) -> RosterImport:
    return get_object_or_404(selectors.imports_visible_to(request.user), pk=pk)


# --- Filings ------------------------------------------------------------------------------------------


@login_required
@require_GET
def filing_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.filings_visible_to(user)
    if not (policies.can_file(user) or account_policies.is_platform_admin(user)):
        raise Http404
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    filings = visible
    if status == "to_decide":
        filings = selectors.filings_to_decide(user)
    elif status in FilingStatus.values:
        filings = filings.filter(status=status)
    if query:
        filings = filings.filter(title__icontains=query)
    page = Paginator(filings.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "filings/filing_list.html",
        {
            "page": page,
            "status": status,
            "query": query,
            "statuses": FilingStatus.choices,
            "to_decide_count": selectors.filings_to_decide(user).count(),
            "can_file": policies.can_file(user),
        },
    )


@login_required
def filing_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organisations = policies.filing_organisations(user)
    paper = selectors.paper_filing_organisations(user) if policies.staff_bureaus(user) else None
    if not organisations and paper is None:
        raise Http404
    if request.method == "POST":
        form = FilingForm(request.POST, request.FILES, organisations=organisations, paper_organisations=paper)
        if form.is_valid():
            organisation, is_paper = form.selected_organisation()
            try:
                if is_paper:
                    filing = services.filing_enter_paper(
                        actor=user,
                        organisation=organisation,
                        data=form.filing_data(),
                        paper_received_on=form.cleaned_data.get("paper_received_on"),  # type: ignore[arg-type]
                        attachments=form.cleaned_data["attachments"],
                    )
                else:
                    filing = services.filing_submit(
                        actor=user,
                        organisation=organisation,
                        data=form.filing_data(),
                        attachments=form.cleaned_data["attachments"],
                    )
            except ValidationError as error:
                _form_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                if filing.status == FilingStatus.APPROVED:
                    messages.success(request, _("培训已备案。"))
                else:
                    messages.success(
                        request, _("备案已提交，等待 %(bureau)s 审核。") % {"bureau": filing.bureau.name}
                    )
                return redirect("filing_detail", pk=filing.pk)
    else:
        form = FilingForm(organisations=organisations, paper_organisations=paper)
    return render(
        request,
        "filings/filing_form.html",
        {"form": form, "filing": None, "unit_query": request.POST.get("unit_query", "")},
    )


@login_required
@require_GET
def paper_unit_search(request: HttpRequest) -> HttpResponse:
    """The paper-filing form's unit picker (HTMX): the units and departments of the user's bureau whose
    name contains the query or whose credit code starts with it, as choices of the form's radio group."""
    if not policies.staff_bureaus(request.user):
        raise Http404
    query = request.GET.get("unit_query", "")
    units = selectors.paper_filing_organisations_matching(request.user, query)
    shown = selectors.PAPER_UNITS_SHOWN
    return render(
        request,
        "filings/_paper_units.html",
        {"units": units[:shown], "more": len(units) > shown, "query": query.strip(), "selected": ""},
    )


@login_required
def filing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A returned filing, corrected and submitted again."""
    filing = _visible_filing(request, pk)
    if not policies.can_resubmit(request.user, filing):
        raise Http404
    if request.method == "POST":
        form = FilingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.filing_resubmit(
                    actor=signed_in_user(request),
                    filing_id=filing.pk,
                    data=form.filing_data(),
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("备案已重新提交。"))
                return redirect("filing_detail", pk=filing.pk)
    else:
        form = FilingForm(initial={name: getattr(filing, name) for name in services.FILING_FIELDS})
    return render(request, "filings/filing_form.html", {"form": form, "filing": filing})


@login_required
@require_GET
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = _visible_filing(request, pk)
    imports = list(selectors.imports_of_filing(filing)[:20])
    can_import = policies.can_import_roster(user, filing)
    return render(
        request,
        "filings/filing_detail.html",
        {
            "filing": filing,
            "attachments": filing.attachments.all(),
            "decisions": filing.decisions.select_related("actor", "actor_organisation"),
            "imports": imports,
            "credit_count": selectors.credits_of_filing(filing).count(),
            "can_decide": policies.can_decide(user, filing),
            "can_resubmit": policies.can_resubmit(user, filing),
            "can_withdraw": policies.can_withdraw(user, filing),
            "can_add_attachment": policies.can_add_attachment(user, filing),
            "can_import": can_import,
            "training_ended": filing.end_date <= services.clock.today(),
            "approve_form": ApproveForm(),
            "return_form": ReturnForm(),
            "withdraw_form": WithdrawForm(),
            "attachment_form": AttachmentForm(),
            "upload_form": RosterUploadForm(),
        },
    )


@login_required
@require_POST
def filing_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    filing = _visible_filing(request, pk)
    user = signed_in_user(request)
    try:
        if decision == "approve":
            approve_form = ApproveForm(request.POST)
            approve_form.is_valid()
            services.filing_approve(
                actor=user, filing_id=filing.pk, comment=approve_form.cleaned_data.get("comment", "")
            )
            messages.success(request, _("已审核通过。"))
        elif decision == "return":
            return_form = ReturnForm(request.POST)
            valid = return_form.is_valid()
            reason = return_form.cleaned_data["reason"] if valid else request.POST.get("reason", "")
            services.filing_return(actor=user, filing_id=filing.pk, reason=reason)
            messages.success(request, _("已退回。"))
        elif decision == "withdraw":
            withdraw_form = WithdrawForm(request.POST)
            withdraw_form.is_valid()
            services.filing_withdraw(
                actor=user, filing_id=filing.pk, reason=withdraw_form.cleaned_data.get("reason", "")
            )
            messages.success(request, _("备案已撤回。"))
        else:
            raise Http404
    except ValidationError as error:
        _errors_to_messages(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("filing_detail", pk=filing.pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("filing_detail", pk=filing.pk)
    try:
        services.filing_attachment_add(
            actor=signed_in_user(request), filing_id=filing.pk, uploads=form.cleaned_data["attachments"]
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("filing_detail", pk=filing.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    filing = _visible_filing(request, pk)
    attachment = get_object_or_404(filing.attachments.all(), pk=attachment_pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@login_required
@require_GET
def filing_credits(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was credited (or is held) for the training, as the imports left it."""
    filing = _visible_filing(request, pk)
    credits = selectors.credits_of_filing(filing).order_by("row_number", "id")
    page = Paginator(credits, 50).get_page(request.GET.get("page"))
    return render(request, "filings/filing_credits.html", {"filing": filing, "page": page})


# --- Imports ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def roster_template(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    return _xlsx_response(reports.roster_template(filing=filing), f"学员名单模板-{filing.title[:40]}.xlsx")


@login_required
@require_GET
def channel_template(request: HttpRequest) -> HttpResponse:
    if not policies.can_import_channel(request.user):
        raise Http404
    source = request.GET.get("source", ImportSource.HEALTH)
    if source not in CHANNEL_SOURCES:
        raise Http404
    year = parse_int(request.GET.get("year"), max_digits=4) or timezone.localdate().year
    label = ImportSource(source).label
    return _xlsx_response(
        reports.roster_template(source=source, year=year), f"行业学时导入模板-{label}-{year}.xlsx"
    )


@login_required
@require_POST
def roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    if not policies.is_approving_staff(request.user, filing):
        raise Http404
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("filing_detail", pk=filing.pk)
    try:
        roster_import = services.roster_import_create(
            actor=signed_in_user(request),
            filing_id=filing.pk,
            upload=form.cleaned_data["file"],
            is_correction=form.cleaned_data["is_correction"],
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("filing_detail", pk=filing.pk)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("import_detail", pk=roster_import.pk)


@login_required
def channel_imports(request: HttpRequest) -> HttpResponse:
    """Industry channels: hours from the health, accounting and education authorities' own systems."""
    if not policies.can_import_channel(request.user):
        raise Http404
    if request.method == "POST":
        form = ChannelUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                roster_import = services.channel_import_create(
                    actor=signed_in_user(request),
                    source=form.cleaned_data["source"],
                    year=form.cleaned_data["year"],
                    upload=form.cleaned_data["file"],
                    is_correction=form.cleaned_data["is_correction"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                return redirect("import_detail", pk=roster_import.pk)
    else:
        form = ChannelUploadForm()
    imports = selectors.channel_imports_visible_to(request.user).order_by("-created_at", "-id")
    page = Paginator(imports, 30).get_page(request.GET.get("page"))
    return render(
        request, "filings/channel_imports.html", {"form": form, "page": page, "sources": CHANNEL_SOURCES}
    )


def _import_context(request: HttpRequest, roster_import: RosterImport) -> dict[str, Any]:
    context: dict[str, Any] = {
        "roster_import": roster_import,
        "can_run": policies.can_run_import(request.user, roster_import),
    }
    if roster_import.is_done:
        kind = request.GET.get("kind", IssueKind.ERROR)
        if kind not in IssueKind.values:
            kind = IssueKind.ERROR
        issues = selectors.issues_of(roster_import, kind)
        context["issue_kind"] = kind
        context["issue_kinds"] = IssueKind.choices
        context["issues"] = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return context


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _visible_import(request, pk)
    return render(request, "filings/import_detail.html", _import_context(request, roster_import))


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block the page polls every second (HTMX) until the import is done."""
    roster_import = _visible_import(request, pk)
    return render(request, "filings/_import_status.html", _import_context(request, roster_import))


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _visible_import(request, pk)
    try:
        services.roster_import_cancel(actor=signed_in_user(request), import_id=roster_import.pk)
    except ValidationError as error:
        _errors_to_messages(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.info(request, _("已请求取消导入：正在处理的一批完成后停止。"))
    return redirect("import_detail", pk=roster_import.pk)


@login_required
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _visible_import(request, pk)
    try:
        services.roster_import_retry(actor=signed_in_user(request), import_id=roster_import.pk)
    except ValidationError as error:
        _errors_to_messages(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.info(request, _("导入已重新开始，将从中断处继续。"))
    return redirect("import_detail", pk=roster_import.pk)


@login_required
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = _visible_import(request, pk)
    data = reports.import_report(roster_import, selectors.issues_of(roster_import))
    stamp = timezone.localtime(roster_import.created_at).strftime("%Y%m%d-%H%M")
    return _xlsx_response(data, f"导入结果-{roster_import.pk}-{stamp}.xlsx")


@login_required
@require_GET
def my_credits(request: HttpRequest) -> HttpResponse:
    """A professional's hours from filed trainings and industry channels."""
    credits = selectors.credits_of_person(signed_in_user(request))
    return render(request, "filings/my_credits.html", {"credits": credits[:500]})
