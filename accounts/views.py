"""Pages for accounts and the organisation tree. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from learning.selectors import notices_for, notices_published

from . import policies, selectors, services
from .forms import EmployerChangeForm, MembershipRejectForm, ProfileForm
from .models import Membership, MembershipStatus, OrganisationKind, Role
from .request_context import signed_in_user

DATE_INVALID = gettext_lazy("“%(value)s”不是有效日期，请按 2024-05-10 的格式填写；查询未使用该日期。")


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    bureaus, other_contacts = selectors.contacts_directory()
    return render(
        request,
        "home.html",
        {"notices": notices_published(limit=8), "bureaus": bureaus, "other_contacts": other_contacts},
    )


@require_GET
def unit_search(request: HttpRequest) -> HttpResponse:
    """Options for the unit picker's datalist (HTMX); public, names and credit codes only."""
    query = request.GET.get("unit") or request.GET.get("q") or ""
    units = selectors.units_matching(query) if len(query.strip()) >= 2 else []
    return render(request, "accounts/_unit_options.html", {"units": units})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    roles = {assignment.role for assignment in policies.active_roles(user)}
    context: dict[str, object] = {
        "roles": roles,
        "Role": Role,
        "membership": selectors.current_membership(user),
        "notices": notices_for(user, limit=5),
        "notifications": selectors.unread_notifications(user)[:5],
    }
    if policies.can_manage_unit_members(user):
        context["pending_memberships"] = selectors.memberships_to_decide(user).count()
    if roles & {
        Role.UNIT_ADMIN,
        Role.DEPARTMENT_REVIEWER,
        Role.COUNTY_BUREAU_STAFF,
        Role.CITY_BUREAU_STAFF,
    } or policies.is_platform_admin(user):
        people, units, departments = selectors.jurisdiction_counts(user)
        context.update(people_count=people, unit_count=units, department_count=departments)
    context["governed"] = [a for a in policies.active_roles(user) if a.organisation_id]
    return render(request, "accounts/dashboard.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(actor=user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("个人信息已保存。"))
                return redirect("profile")
    else:
        form = ProfileForm(
            initial={field: getattr(user, field) for field in ("mobile", *services.PROFILE_FIELDS)}
        )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "change_form": EmployerChangeForm(),
            "can_change_employer": policies.can_request_employer_change(user),
            "memberships": selectors.membership_history(user),
            "current": selectors.current_membership(user),
        },
    )


@login_required
@require_POST
def employer_change(request: HttpRequest) -> HttpResponse:
    if not policies.can_request_employer_change(request.user):
        raise Http404
    form = EmployerChangeForm(request.POST)
    if form.is_valid():
        try:
            services.employer_change_request(actor=signed_in_user(request), unit=form.cleaned_data["unit"])
        except ValidationError as error:
            for message in _error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, _("申请已提交，等待新单位管理员确认。"))
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect("profile")


@login_required
@require_POST
def employer_change_cancel(request: HttpRequest) -> HttpResponse:
    try:
        services.employer_change_cancel(actor=signed_in_user(request))
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("单位变更申请已撤回。"))
    return redirect("profile")


def _require_unit_admin(request: HttpRequest) -> None:
    if not policies.can_manage_unit_members(request.user):
        raise Http404


@login_required
@require_GET
def unit_members(request: HttpRequest) -> HttpResponse:
    _require_unit_admin(request)
    user = signed_in_user(request)
    units = list(
        selectors.organisations_visible_to(user).filter(
            kind=OrganisationKind.UNIT,
            pk__in=[a.organisation_id for a in policies.active_roles(user) if a.role == Role.UNIT_ADMIN],
        )
    )
    pending = selectors.memberships_to_decide(user).order_by("requested_at")
    query = request.GET.get("q", "").strip()
    members = (
        selectors.people_visible_to(user).filter(unit__in=units).exclude(pk=user.pk).order_by("real_name")
    )
    if query:
        members = members.filter(Q(real_name__contains=query) | Q(mobile=query))
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    confirmed_ids = set(
        Membership.objects.filter(
            user_id__in=[member.pk for member in page], status=MembershipStatus.CONFIRMED, unit__in=units
        ).values_list("user_id", flat=True)
    )
    return render(
        request,
        "accounts/unit_members.html",
        {
            "units": units,
            "pending": pending,
            "page": page,
            "confirmed_ids": confirmed_ids,
            "query": query,
            "reject_form": MembershipRejectForm(),
        },
    )


@login_required
@require_POST
def membership_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    _require_unit_admin(request)
    membership = get_object_or_404(selectors.memberships_to_decide(request.user), pk=pk)
    try:
        if decision == "confirm":
            services.membership_confirm(actor=signed_in_user(request), membership_id=membership.pk)
            messages.success(
                request, _("已确认 %(name)s 为本单位人员。") % {"name": membership.user.real_name}
            )
        else:
            form = MembershipRejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(services.REJECTION_REASON_REQUIRED)
            services.membership_reject(
                actor=signed_in_user(request),
                membership_id=membership.pk,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已退回 %(name)s 的申请。") % {"name": membership.user.real_name})
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("unit_members")


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    if not policies.can_browse_organisations(request.user):
        raise Http404
    visible = selectors.organisations_visible_to(request.user)
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if query or kind:
        results = visible
        if query:
            results = results.filter(Q(name__icontains=query) | Q(credit_code=query.upper()))
        if kind in OrganisationKind.values:
            results = results.filter(kind=kind)
        page = Paginator(results.order_by("path"), 50).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/organisation_list.html",
            {"page": page, "query": query, "kind": kind, "kinds": OrganisationKind.choices},
        )
    roots = [
        a.organisation
        for a in policies.active_roles(request.user)
        if a.organisation and a.role in policies.GOVERNING_ROLES
    ]
    if policies.is_platform_admin(request.user) and not roots:
        roots = list(visible.filter(parent__isnull=True))
    return render(
        request,
        "accounts/organisation_list.html",
        {"roots": roots, "query": query, "kind": kind, "kinds": OrganisationKind.choices},
    )


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_browse_organisations(request.user):
        raise Http404
    visible = selectors.organisations_visible_to(request.user)
    organisation = get_object_or_404(visible, pk=pk)
    children = (
        visible.filter(parent=organisation)
        .annotate(people_count=Count("people", distinct=True), child_count=Count("children", distinct=True))
        .order_by("kind", "sort_order", "name")
    )
    ancestors = [
        o
        for o in visible.filter(
            pk__in=[int(p) for p in organisation.path.strip("/").split("/")[:-1]]
        ).order_by("depth")
    ]
    people_count = (
        selectors.people_visible_to(request.user).filter(unit__path__startswith=organisation.path).count()
    )
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "children": children,
            "ancestors": ancestors,
            "people_count": people_count,
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_mark_read(actor=signed_in_user(request))
        return redirect("notifications")
    page = Paginator(selectors.notifications_of(signed_in_user(request)), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/notifications.html", {"page": page})


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_visible_to(request.user, pk)
    if person is None:
        raise Http404
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "memberships": selectors.membership_history(person),
            "can_reveal": policies.can_view_full_id_number(request.user, person),
        },
    )


@login_required
@require_POST
def person_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows the full ID number once, on a page that is not cached; the view is audited."""
    person = selectors.person_visible_to(request.user, pk)
    if person is None or not policies.can_view_full_id_number(request.user, person):
        raise Http404
    full = services.id_number_reveal(actor=signed_in_user(request), person=person)
    response = render(request, "accounts/_full_id.html", {"full_id_number": full})
    response["Cache-Control"] = "no-store"
    return response


def _date_or_message(request: HttpRequest, text: str) -> datetime.date | None:
    """A date typed as YYYY-MM-DD; anything else is left out of the query, with a message saying so."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        messages.error(request, DATE_INVALID % {"value": text[:20]})
        return None


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not (
        policies.is_platform_admin(request.user) or policies.has_role(request.user, *policies.BUREAU_ROLES)
    ):
        raise Http404
    events = selectors.audit_events_visible_to(request.user)
    action = request.GET.get("action", "").strip()
    date_from, date_to = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    first_day, last_day = _date_or_message(request, date_from), _date_or_message(request, date_to)
    dates_readable = (first_day is not None or not date_from) and (last_day is not None or not date_to)
    if action:
        events = events.filter(action__startswith=action)
    if first_day is not None:
        events = events.filter(occurred_at__date__gte=first_day)
    if last_day is not None:
        events = events.filter(occurred_at__date__lte=last_day)
    # An export with a date that could not be read would hold more than was asked for: show the page.
    if request.GET.get("format") == "xlsx" and dates_readable:
        content = services.audit_export(actor=signed_in_user(request), events=events)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-log.xlsx"'
        return response
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "action": action,
            "date_from": date_from,
            "date_to": date_to,
            "query_string": request.GET.urlencode(),
        },
    )
