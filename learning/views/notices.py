"""Notices (通知公告): public list and detail, attachments served through a view, and bureau staff's
publishing pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation

from .. import policies, selectors
from ..forms import AttachmentForm, NoticeForm
from ..services import notices as notice_services
from .common import acting_user, add_errors, flash_errors


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = selectors.notices_for(request.user)
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/notice_list.html",
        {"page": page, "can_publish": policies.can_publish_notices(request.user)},
    )


@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.notice_visible(request.user), pk=pk)
    return render(
        request,
        "learning/notice_detail.html",
        {"notice": notice, "can_edit": policies.can_edit_notice(request.user, notice)},
    )


@require_GET
def notice_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    notice = get_object_or_404(selectors.notice_visible(request.user), pk=pk)
    attachment = get_object_or_404(notice.attachments.all(), pk=attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _regions(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Regions a notice may target: the bureaus the user works at and the bureaus under them."""
    paths = [region.path for region in policies.notice_regions(request.user)]
    regions = Organisation.objects.filter(kind__in=["city_bureau", "county_bureau", "zone_bureau"])
    if "" in paths or not paths:
        return (
            regions.order_by("path")
            if not paths and request.user.is_superuser
            else regions.filter(pk__in=[r.pk for r in policies.notice_regions(request.user)])
        )
    from django.db.models import Q

    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return regions.filter(condition).order_by("path")


def _require_publisher(request: HttpRequest) -> None:
    if not policies.can_publish_notices(request.user):
        raise Http404


@login_required
@require_GET
def notice_manage_list(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    page = Paginator(selectors.notices_managed_by(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "learning/manage/notice_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_publisher(request)
    notice = get_object_or_404(selectors.notices_managed_by(request.user), pk=pk) if pk else None
    regions = _regions(request)
    if request.method == "POST":
        form = NoticeForm(request.POST, regions=regions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if notice is None:
                    notice = notice_services.notice_publish(actor=acting_user(request), **data)
                else:
                    notice = notice_services.notice_update(actor=acting_user(request), notice=notice, **data)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                form.add_error("region", str(error) or _("无权操作。"))
            else:
                messages.success(request, _("通知公告已保存。"))
                return redirect("learning_notice_edit", pk=notice.pk)
    elif notice is not None:
        form = NoticeForm(
            regions=regions,
            initial={
                "title": notice.title,
                "region": notice.region,
                "body_html": notice.body_html or notice.body,
                "published_at": timezone.localtime(notice.published_at),
                "is_published": notice.is_published,
            },
        )
    else:
        form = NoticeForm(
            regions=regions,
            initial={
                "published_at": timezone.localtime().replace(second=0, microsecond=0),
                "is_published": True,
            },
        )
    return render(
        request,
        "learning/manage/notice_form.html",
        {"form": form, "notice": notice, "attachment_form": AttachmentForm() if notice else None},
    )


@login_required
@require_POST
def notice_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    notice = get_object_or_404(selectors.notices_managed_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            notice_services.notice_attachment_add(
                actor=acting_user(request), notice=notice, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            flash_errors(request, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, _("附件已上传。"))
    return redirect("learning_notice_edit", pk=notice.pk)


@login_required
@require_POST
def notice_attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    _require_publisher(request)
    notice = get_object_or_404(selectors.notices_managed_by(request.user), pk=pk)
    attachment = get_object_or_404(notice.attachments.all(), pk=attachment_pk)
    try:
        notice_services.notice_attachment_remove(actor=acting_user(request), attachment=attachment)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("learning_notice_edit", pk=notice.pk)
