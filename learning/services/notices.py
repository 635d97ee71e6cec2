"""Notices (通知公告): bureau staff publish for their region; rich text is sanitised here, attachments
are stored privately and served only through a view."""

from __future__ import annotations

import datetime
import mimetypes
import secrets
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import Organisation, User

from .. import policies, richtext
from ..models import Notice, NoticeAttachment

NOTICE_NOT_ALLOWED = _("您无权发布或修改该通知公告。")
NOTICE_REGION_NOT_ALLOWED = _("只能向本部门管辖范围发布通知公告。")
NOTICE_BODY_REQUIRED = _("请填写通知正文。")
ATTACHMENT_TOO_LARGE = _("附件不能超过 10 MB。")
ATTACHMENT_TYPE_REFUSED = _("附件只能是 PDF、Word、Excel、图片或压缩包。")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def _publisher_for(actor: User, region: Organisation | None) -> Organisation | None:
    """The bureau on whose behalf ``actor`` publishes for ``region`` (None = the whole city)."""
    regions = policies.notice_regions(actor)
    if region is None:
        city = next((r for r in regions if r.parent_id is None), None)
        if city is None and not account_policies.is_platform_admin(actor):
            raise PermissionDenied(NOTICE_REGION_NOT_ALLOWED)
        return city
    matches = [r for r in regions if region.path.startswith(r.path)]
    if not matches:
        if account_policies.is_platform_admin(actor):
            return region.bureau
        raise PermissionDenied(NOTICE_REGION_NOT_ALLOWED)
    return max(matches, key=lambda r: len(r.path))


def _audit(actor: User, action: str, notice: Notice, **detail: Any) -> None:
    assignment = policies.acting_assignment(actor, notice.publisher_id, account_policies.BUREAU_ROLES)
    audit_record(
        actor=actor,
        action=action,
        target=notice,
        organisation=notice.region or notice.publisher,
        assignment=assignment,
        detail=detail,
    )


def _apply_body(notice: Notice, body_html: str) -> None:
    safe_html, text = richtext.sanitise(body_html)
    if not text.strip():
        raise ValidationError({"body_html": NOTICE_BODY_REQUIRED})
    notice.body_html = safe_html
    notice.body = text


@transaction.atomic
def notice_publish(
    *,
    actor: User,
    title: str,
    body_html: str,
    region: Organisation | None = None,
    published_at: datetime.datetime | None = None,
    is_published: bool = True,
) -> Notice:
    if not policies.can_publish_notices(actor):
        raise PermissionDenied(NOTICE_NOT_ALLOWED)
    publisher = _publisher_for(actor, region)
    notice = Notice(
        title=title.strip(),
        region=region,
        publisher=publisher,
        author=actor,
        published_at=published_at or timezone.now(),
        is_published=is_published,
    )
    _apply_body(notice, body_html)
    notice.full_clean()
    notice.save()
    _audit(actor, "learning.notice.publish", notice, region=region.pk if region else None)
    return notice


@transaction.atomic
def notice_update(
    *,
    actor: User,
    notice: Notice,
    title: str,
    body_html: str,
    region: Organisation | None,
    published_at: datetime.datetime,
    is_published: bool,
) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not policies.can_edit_notice(actor, notice):
        raise PermissionDenied(NOTICE_NOT_ALLOWED)
    notice.publisher = _publisher_for(actor, region)
    notice.title = title.strip()
    notice.region = region
    notice.published_at = published_at
    notice.is_published = is_published
    notice.updated_at = timezone.now()
    _apply_body(notice, body_html)
    notice.full_clean()
    notice.save()
    _audit(actor, "learning.notice.update", notice, is_published=is_published)
    return notice


def _check_file(upload: UploadedFile) -> str:
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(ATTACHMENT_TOO_LARGE)
    extension = Path(upload.name or "").suffix.lower()
    signatures = ATTACHMENT_TYPES.get(extension)
    head = upload.read(8)
    upload.seek(0)
    if not signatures or not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(ATTACHMENT_TYPE_REFUSED)
    return extension


@transaction.atomic
def notice_attachment_add(*, actor: User, notice: Notice, upload: UploadedFile) -> NoticeAttachment:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not policies.can_edit_notice(actor, notice):
        raise PermissionDenied(NOTICE_NOT_ALLOWED)
    extension = _check_file(upload)
    original = Path(upload.name or "").name[:200]
    attachment = NoticeAttachment(
        notice=notice,
        original_name=original,
        content_type=mimetypes.types_map.get(extension, "application/octet-stream")
        if extension not in {".docx", ".xlsx"}
        else {
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[extension],
        size=upload.size or 0,
    )
    attachment.file.save(f"{secrets.token_hex(16)}{extension}", upload, save=False)
    attachment.save()
    _audit(actor, "learning.notice.attachment_add", notice, attachment=attachment.pk, name=original)
    return attachment


@transaction.atomic
def notice_attachment_remove(*, actor: User, attachment: NoticeAttachment) -> None:
    notice = Notice.objects.select_for_update().get(pk=attachment.notice_id)
    if not policies.can_edit_notice(actor, notice):
        raise PermissionDenied(NOTICE_NOT_ALLOWED)
    name = attachment.original_name
    attachment_id = attachment.pk
    attachment.file.delete(save=False)
    attachment.delete()
    _audit(actor, "learning.notice.attachment_remove", notice, attachment=attachment_id, name=name)
