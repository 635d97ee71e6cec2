"""Pages of the review workflow: the reviewer's queue (审核工作台) with bulk approval, a claim under
review with its evidence inline and the decision form, revocation, the integrity archive (诚信档案) and
the bureau's chain settings. Thin: parse, call one service or selector, render. A claim the user may not
see is a 404; a decision they may not take is refused with the service's message and changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import identity
from accounts.models import Organisation
from accounts.request_context import signed_in_user
from jinan_ce.params import parse_int

from . import display, review, selectors, selectors_review
from . import review_policies as policies
from .models import Claim
from .review_models import (
    FINAL_STAGE_KINDS,
    ReviewDecision,
    ReviewStageKind,
    ReviewStageTemplate,
)
from .rules import RULES, compute_credit, format_hours


def _date_or_none(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


# --- Searching by ID number without putting it in a URL ---------------------------------------------
# The queue's filters live in its URL (bookmarks, pagination, the "next" link back from a claim), and
# URLs end up in access logs, proxies and browser history. So the search form is posted, and a full ID
# number in it becomes a signed token carrying only the number's keyed digest (what the database
# matches on) and its masked form (what the page shows): the number itself is never in a URL.

_ID_SEARCH_SALT = "hours.review.queue.id-search"
#: As long as the longest session: a bookmarked search expires with the sign-in it was made in.
ID_SEARCH_MAX_AGE = 12 * 3600
QUEUE_PARAMETERS = ("status", "stage", "year", "rule", "unit", "from", "to", "per_page")


@dataclass(frozen=True)
class IdSearch:
    digest: str
    masked: str


def id_search_token(text: str) -> str | None:
    """The token standing for a full ID number in the queue's URLs; None when the text is not one."""
    normalised = identity.normalise_id_number(text)
    if not identity.looks_like_id_number(normalised):
        return None
    payload = {"d": identity.id_number_digest(normalised), "m": identity.mask_id_number(normalised)}
    return signing.dumps(payload, salt=_ID_SEARCH_SALT, compress=True)


def id_search_from_token(token: str) -> IdSearch | None:
    """The search a token stands for; None for a token that is not ours, tampered with or expired."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=_ID_SEARCH_SALT, max_age=ID_SEARCH_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("d"), str):
        return None
    return IdSearch(digest=payload["d"], masked=str(payload.get("m", "")))


def looks_like_id_number(text: str | None) -> bool:
    return identity.looks_like_id_number(identity.normalise_id_number((text or "").strip()))


def queue_url(params: Any) -> str:
    """The queue's URL for posted (or hand-typed) filters, with a full ID number replaced by its token.
    Text equal to the masked number of the current ID search keeps that search (the box shows it)."""
    query = {name: params.get(name, "").strip() for name in QUEUE_PARAMETERS}
    text = params.get("q", "").strip()[:50]
    current = id_search_from_token(params.get("qid", ""))
    if current is not None and text == current.masked:
        query["qid"] = params["qid"]
    elif text:
        query["qid" if looks_like_id_number(text) else "q"] = id_search_token(text) or text
    return reverse("hours_review_queue") + "?" + urlencode({k: v for k, v in query.items() if v})


def queue_filters(params: Any) -> selectors_review.QueueFilters:
    """The queue's filters from a query string; anything malformed is ignored, never an error."""
    statuses = {value for value, _label in selectors_review.QUEUE_STATUS_CHOICES}
    status = params.get("status", "")
    stage = parse_int(params.get("stage"))
    year = parse_int(params.get("year"))
    rule = params.get("rule", "").strip()
    id_search = id_search_from_token(params.get("qid", ""))
    return selectors_review.QueueFilters(
        status=status if status in statuses else selectors_review.QueueStatus.PENDING,
        stage=stage if stage in ReviewStageKind.values else None,
        year=year if year is not None and year in selectors.YEAR_RANGE else None,
        rule_code=rule if rule in RULES else "",
        unit_id=parse_int(params.get("unit")),
        submitted_from=_date_or_none(params.get("from")),
        submitted_to=_date_or_none(params.get("to")),
        search=id_search.masked if id_search else params.get("q", "").strip()[:50],
        id_number_digest=id_search.digest if id_search else "",
    )


def unit_options(units: list[tuple[int, str]], selected: int | None) -> SafeString:
    """The unit filter's <option>s, built in Python: up to 500 of them for a bureau, which the
    template language renders many times slower than one join (each part escaped by format_html)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, " selected" if pk == selected else "", name) for pk, name in units),
    )


def _require_reviewer(request: HttpRequest) -> None:
    if not policies.is_reviewer(request.user):
        raise Http404


def _flash(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    texts = error.messages if isinstance(error, ValidationError) else [str(error)]
    for text in texts:
        messages.error(request, text)


def _safe_next(request: HttpRequest, target: str) -> str:
    """A same-site path to return to, or ""."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _back(request: HttpRequest, default: str) -> str:
    return _safe_next(request, request.POST.get("next", "")) or default


# --- The queue --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    """审核工作台: the claims at the reviewer's stages, filtered, 50 a page, overdue ones highlighted.
    The filter form is posted and answered with a redirect to the filtered URL (see ``queue_url``)."""
    _require_reviewer(request)
    if request.method == "POST":
        return redirect(queue_url(request.POST))
    if looks_like_id_number(request.GET.get("q")):  # typed into the address bar: out of later links
        return redirect(queue_url(request.GET))
    filters = queue_filters(request.GET)
    claims = selectors_review.review_queue(request.user, filters)
    counts = selectors_review.review_counts(request.user)
    per_page = parse_int(request.GET.get("per_page"))
    if per_page not in selectors_review.QUEUE_PAGE_SIZES:
        per_page = selectors_review.QUEUE_PAGE_SIZES[0]
    paginator = Paginator(claims, per_page)
    if filters == selectors_review.QueueFilters():
        # Nothing narrows the queue: its length is the pending count just read, not a second count.
        paginator.__dict__["count"] = counts.pending
    page = paginator.get_page(request.GET.get("page"))
    rows = [(claim, selectors_review.open_stage_of(claim)) for claim in page]
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    stage_kinds = policies.stage_kinds_of(request.user)
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "counts": counts,
            "status_choices": selectors_review.QUEUE_STATUS_CHOICES,
            "stage_choices": [(kind, ReviewStageKind(kind).label) for kind in stage_kinds],
            "years": selectors.years_with_rules(),
            "rules": list(RULES.values()),
            "per_page": per_page,
            "page_sizes": selectors_review.QUEUE_PAGE_SIZES,
            "unit_options": unit_options(selectors_review.queue_units(request.user), filters.unit_id),
            "query_string": urlencode(query),
            "this_url": request.get_full_path(),
            "id_search_token": request.GET.get("qid", "") if filters.id_number_digest else "",
            "can_edit_chain": bool(policies.chain_bureaus_editable_by(request.user)),
        },
    )


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    """批量通过: the ticked claims (each "claim:stage" as shown), one comment, a summary of results."""
    _require_reviewer(request)
    items: list[tuple[int, int | None]] = []
    for value in request.POST.getlist("items"):
        claim_text, _sep, stage_text = value.partition(":")
        claim_id = parse_int(claim_text)
        if claim_id is not None:
            items.append((claim_id, parse_int(stage_text)))
    try:
        outcome = review.review_bulk_approve(
            actor=signed_in_user(request), items=items, comment=request.POST.get("comment", "")
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        if outcome.approved:
            messages.success(
                request,
                _("已通过%(count)s项申报：%(numbers)s。")
                % {"count": len(outcome.approved), "numbers": "、".join(f"#{n}" for n in outcome.approved)},
            )
        for claim_id, reason in outcome.refused:
            messages.error(
                request, _("申报#%(number)s未处理：%(reason)s") % {"number": claim_id, "reason": reason}
            )
    return redirect(_back(request, reverse("hours_review_queue")))


# --- One claim ----------------------------------------------------------------------------------------


def _credit_now(claim: Claim) -> dict[str, Any] | None:
    """What the final approval would credit now (caps may have moved since submission)."""
    try:
        figures = selectors.year_figures(claim.year)
        result = compute_credit(
            claim.rule_code, claim.fields, figures, selectors.prior_credits(claim.person_id, claim.year)
        )
    except (ValidationError, KeyError, ValueError, ArithmeticError):
        return None
    from .services import credit_messages

    return {"result": result, "reasons": credit_messages(result, claim.year)}


@login_required
@require_GET
def review_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim under review: its fields, the hours computed and why, the evidence inline, the stages and
    the trail, and the decision form when the claim is at the user's stage."""
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    stage = selectors_review.open_stage_of(claim)
    can_act = policies.can_act_on(request.user, claim)
    spec = claim.spec
    return render(
        request,
        "review/claim.html",
        {
            "claim": claim,
            "spec": spec,
            "rows": display.field_rows(spec, claim.fields),
            "evidence": list(claim.evidence.all()),
            "badge": display.status_badge_classes(claim.status),
            "stage": stage,
            "stages": selectors_review.claim_stages(claim),
            "trail": selectors_review.claim_trail(claim),
            "can_act": can_act,
            "can_revoke": policies.can_revoke(request.user, claim),
            "is_final_stage": stage is not None and stage.kind in FINAL_STAGE_KINDS and can_act,
            "credit_now": _credit_now(claim) if can_act else None,
            "show_addresses": claim.person_id != request.user.pk,
            "decisions": ReviewDecision,
            "next": _safe_next(request, request.GET.get("next", "")),
        },
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    here = reverse("hours_review_claim", args=[claim.pk])
    try:
        outcome = review.review_decide(
            actor=signed_in_user(request),
            claim_id=claim.pk,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
            stage_id=parse_int(request.POST.get("stage")),
        )
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
        return redirect(here)
    labels: dict[str, str] = {
        ReviewDecision.APPROVE: _("已审核通过，申报已转至%(stage)s。"),
        ReviewDecision.RETURN: _("已退回申报人修改。"),
        ReviewDecision.REJECT: _("已作出不予通过的决定。"),
    }
    if outcome.decision == ReviewDecision.APPROVE and outcome.next_stage is None:
        messages.success(
            request,
            _("已审批通过，认定%(hours)s学时，已记入申报人的学时记录。")
            % {"hours": format_hours(outcome.credited_hours or Decimal(0))},
        )
    else:
        stage_label = ReviewStageKind(outcome.next_stage.kind).label if outcome.next_stage else ""
        messages.success(request, labels[outcome.decision] % {"stage": stage_label})
    return redirect(_back(request, reverse("hours_review_queue")))


@login_required
@require_POST
def review_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """一票否决: bureau staff revoke an approved claim found false."""
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    try:
        review.claim_revoke(
            actor=signed_in_user(request), claim_id=claim.pk, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        _flash(request, error)
    else:
        messages.success(request, _("申报已撤销，学时已冲销，并已记入诚信档案。"))
    return redirect("hours_review_claim", pk=claim.pk)


# --- The integrity archive ----------------------------------------------------------------------------


@login_required
@require_GET
def integrity_archive(request: HttpRequest) -> HttpResponse:
    """诚信档案 of the bureau's jurisdiction; ?format=xlsx exports it (masked ID numbers, audited)."""
    if not policies.can_view_integrity_archive(request.user):
        raise Http404
    records = selectors_review.integrity_records_visible_to(request.user)
    year = parse_int(request.GET.get("year"))
    search = request.GET.get("q", "").strip()[:50]
    if year is not None:
        records = records.filter(year=year)
    if search:
        records = records.filter(person__real_name__contains=search)
    if request.GET.get("format") == "xlsx":
        content = review.integrity_export(actor=signed_in_user(request), records=records)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="integrity-archive.xlsx"'
        return response
    page = Paginator(records, selectors_review.PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in request.GET.items() if key not in ("page", "format") and value}
    return render(
        request,
        "review/integrity.html",
        {
            "page": page,
            "year": year,
            "search": search,
            "years": selectors.years_with_rules(),
            "query_string": urlencode(query),
        },
    )


# --- The chain's settings ----------------------------------------------------------------------------


class ChainForm(forms.Form):
    """One row per stage kind: whether the chain has it, and its deadline."""

    def __init__(self, *args: Any, current: list[tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = dict(current)
        for kind in ReviewStageKind:
            self.fields[f"use_{kind.value}"] = forms.BooleanField(
                label=kind.label, required=False, initial=kind.value in days
            )
            self.fields[f"days_{kind.value}"] = forms.IntegerField(
                label=gettext_lazy("审核时限（天）"),
                min_value=1,
                max_value=365,
                initial=days.get(kind.value, 7 if kind.value not in FINAL_STAGE_KINDS else 10),
            )

    def stages(self) -> list[tuple[int, int]]:
        return [
            (kind.value, self.cleaned_data[f"days_{kind.value}"])
            for kind in ReviewStageKind
            if self.cleaned_data.get(f"use_{kind.value}")
        ]

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"use_{kind.value}"], self[f"days_{kind.value}"]) for kind in ReviewStageKind]


@login_required
@require_http_methods(["GET", "POST"])
def review_chain(request: HttpRequest) -> HttpResponse:
    """审核流程设置: a bureau's chain of stages and their deadlines (city staff: also the default)."""
    editable = policies.chain_bureaus_editable_by(request.user)
    if not editable:
        raise Http404
    bureau_id = parse_int(request.GET.get("bureau") or request.POST.get("bureau"))
    if bureau_id is None and None not in editable:
        bureau_id = next(pk for pk in editable if pk is not None)
    bureau = get_object_or_404(Organisation, pk=bureau_id) if bureau_id is not None else None
    if not policies.can_edit_chain(request.user, bureau):
        raise Http404
    own_rows = ReviewStageTemplate.objects.filter(bureau=bureau).exists()
    current = review.chain_template(bureau.pk if bureau else None)
    form = ChainForm(request.POST or None, current=current)
    if request.method == "POST":
        stages: list[tuple[int, int]] | None = None
        if request.POST.get("action") == "reset" and bureau is not None:
            stages = []
        elif form.is_valid():
            stages = form.stages()
        if stages is not None:
            try:
                review.review_chain_set(actor=signed_in_user(request), bureau=bureau, stages=stages)
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(request, _("审核流程已保存；已在审核中的申报仍按提交时的流程办理。"))
                query = f"?bureau={bureau.pk}" if bureau else ""
                return redirect(reverse("hours_review_chain") + query)
    bureaus: list[Organisation] = []
    if None in editable:
        from accounts.models import BUREAU_KINDS

        bureaus = list(
            Organisation.objects.filter(kind__in=BUREAU_KINDS).order_by("depth", "sort_order", "id")
        )
    else:
        bureaus = list(Organisation.objects.filter(pk__in=[pk for pk in editable if pk is not None]))
    return render(
        request,
        "review/chain.html",
        {
            "form": form,
            "bureau": bureau,
            "bureaus": bureaus,
            "can_edit_default": None in editable,
            "own_rows": own_rows,
            "current": [(ReviewStageKind(kind).label, days) for kind, days in current],
        },
    )
