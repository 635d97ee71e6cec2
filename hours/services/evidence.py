"""Evidence files of a claim: PDF, JPG or PNG, recognised by their first bytes (never by their name),
stored under a random name on the private default storage, at most ``MAX_EVIDENCE_FILES`` per claim
and ``MAX_EVIDENCE_BYTES`` each."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Role, User

from ..models import ClaimEvidence
from .claims import CLAIM_NOT_EDITABLE, locked_own_claim

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 5

EVIDENCE_TYPE_REFUSED = _("“%(name)s”不是PDF、JPG或PNG文件。证明材料只能上传PDF、JPG或PNG格式的文件。")
EVIDENCE_TOO_LARGE = _("“%(name)s”超过10MB，请压缩后再上传。")
EVIDENCE_EMPTY = _("“%(name)s”是空文件。")
EVIDENCE_TOO_MANY = _("每项申报最多上传5个证明材料文件。")
EVIDENCE_SAME_FILE = _("“%(name)s”已经上传过。")
EVIDENCE_NOT_FOUND = _("未找到该证明材料。")


@dataclass(frozen=True)
class FileType:
    signature: bytes
    content_type: str
    extension: str
    label: str


FILE_TYPES = (
    FileType(b"%PDF-", "application/pdf", "pdf", "PDF"),
    FileType(b"\xff\xd8\xff", "image/jpeg", "jpg", "JPG"),
    FileType(b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG"),
)
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def detect_file_type(head: bytes) -> FileType | None:
    """The type the content says, whatever the name: a PNG named .pdf is a PNG, an .exe is nothing."""
    for file_type in FILE_TYPES:
        if head.startswith(file_type.signature):
            return file_type
    return None


def clean_file_name(name: str | None) -> str:
    """The name to show: no directories, no control characters, at most 200 characters."""
    text = PurePath((name or "").replace("\\", "/")).name
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    if len(text) > 200:
        suffix = PurePath(text).suffix[:10]
        text = text[: 200 - len(suffix)] + suffix
    return text or "evidence"


def _read_head_and_digest(upload: UploadedFile) -> tuple[bytes, str]:
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
    upload.seek(0)
    return head, digest.hexdigest()


@transaction.atomic
def claim_evidence_add(*, actor: User, claim_id: int, upload: UploadedFile) -> ClaimEvidence:
    """Attaches one evidence file to the actor's draft or returned claim."""
    claim = locked_own_claim(actor, claim_id)
    if not claim.is_editable:
        raise ValidationError(CLAIM_NOT_EDITABLE)
    name = clean_file_name(upload.name)
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"evidence": EVIDENCE_EMPTY % {"name": name}})
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": EVIDENCE_TOO_LARGE % {"name": name}})
    if claim.evidence.count() >= MAX_EVIDENCE_FILES:
        raise ValidationError({"evidence": EVIDENCE_TOO_MANY})
    head, sha256 = _read_head_and_digest(upload)
    file_type = detect_file_type(head)
    if file_type is None:
        raise ValidationError({"evidence": EVIDENCE_TYPE_REFUSED % {"name": name}})
    if claim.evidence.filter(sha256=sha256).exists():
        raise ValidationError({"evidence": EVIDENCE_SAME_FILE % {"name": name}})
    evidence = ClaimEvidence(
        claim=claim,
        original_name=name,
        content_type=file_type.content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    evidence.file.save(f"{uuid.uuid4().hex}.{file_type.extension}", upload, save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action="hours.claim.evidence_add",
        target=claim,
        organisation=claim.unit or actor.unit,
        role=Role.PROFESSIONAL,
        detail={
            "evidence": evidence.pk,
            "content_type": file_type.content_type,
            "size": size,
            "sha256": sha256,
        },
    )
    return evidence


@transaction.atomic
def claim_evidence_remove(*, actor: User, claim_id: int, evidence_id: int) -> None:
    """Removes a file from the actor's draft or returned claim (the stored file goes after commit)."""
    claim = locked_own_claim(actor, claim_id)
    if not claim.is_editable:
        raise ValidationError(CLAIM_NOT_EDITABLE)
    evidence = claim.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise ValidationError(EVIDENCE_NOT_FOUND)
    storage, path = evidence.file.storage, evidence.file.name
    evidence.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))
    audit_record(
        actor=actor,
        action="hours.claim.evidence_remove",
        target=claim,
        organisation=claim.unit or actor.unit,
        role=Role.PROFESSIONAL,
        detail={"evidence": evidence_id, "name": evidence.original_name},
    )
