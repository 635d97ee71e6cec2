"""Every write a user can cause in filings: filing a training and moving it through its workflow,
attachments, starting, cancelling and retrying roster imports, and attaching held hours when a person
registers. One function per use case, keyword-only, each in one transaction with its audit record.
The import itself runs in ``importer`` (called by the Celery task).
"""

from __future__ import annotations

import datetime
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.request_context import current_ip
from accounts.services import notify
from jinan_ce.queue import enqueue_on_commit

from . import clock, ledger, messages, policies, rules, xlsx_guard
from .models import (
    ACTIVE_IMPORT_STATUSES,
    CHANNEL_SOURCES,
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTORS_MAX_LENGTH,
    CreditStatus,
    FilingAttachment,
    FilingChannel,
    FilingDecision,
    FilingStatus,
    ImportPhase,
    ImportSource,
    ImportStatus,
    RosterCredit,
    RosterImport,
    TrainingFiling,
    ledger_source_id,
)
from .roster import normalise_name


class Action:
    FILE = "file"
    RECORD = "record"  # a bureau's own training, or a paper filing typed in: approved at once
    APPROVE = "approve"
    RETURN = "return"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"


ACTION_LABELS = {
    Action.FILE: gettext_lazy("提交"),
    Action.RECORD: gettext_lazy("备案"),
    Action.APPROVE: gettext_lazy("审核通过"),
    Action.RETURN: gettext_lazy("退回"),
    Action.RESUBMIT: gettext_lazy("重新提交"),
    Action.WITHDRAW: gettext_lazy("撤回"),
}

#: The workflow as data: from a status, which action leads where. "" is a filing not yet made.
TRANSITIONS: dict[str, dict[str, str]] = {
    "": {Action.FILE: FilingStatus.SUBMITTED, Action.RECORD: FilingStatus.APPROVED},
    FilingStatus.SUBMITTED: {
        Action.APPROVE: FilingStatus.APPROVED,
        Action.RETURN: FilingStatus.RETURNED,
        Action.WITHDRAW: FilingStatus.WITHDRAWN,
    },
    FilingStatus.RETURNED: {Action.RESUBMIT: FilingStatus.SUBMITTED, Action.WITHDRAW: FilingStatus.WITHDRAWN},
    FilingStatus.APPROVED: {},
    FilingStatus.WITHDRAWN: {},
}
#: Who moves a filing by each action: the organisation that filed it, or the approving bureau.
ACTION_ACTOR = {
    Action.FILE: "filer",
    Action.RECORD: "bureau",
    Action.APPROVE: "bureau",
    Action.RETURN: "bureau",
    Action.RESUBMIT: "filer",
    Action.WITHDRAW: "filer",
}

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"
_ATTACHMENT_SIGNATURES = (
    (b"%PDF-", ("pdf",)),
    (b"\xff\xd8\xff", ("jpg", "jpeg")),
    (b"\x89PNG\r\n\x1a\n", ("png",)),
    (b"PK\x03\x04", ("docx", "xlsx")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ("doc", "xls")),
)
FIRST_IMPORT_YEAR = 2000


@dataclass(frozen=True)
class FilingData:
    """What the filer types in; checked by ``filing_data_errors``."""

    title: str
    kind: str
    organiser: str
    start_date: datetime.date
    end_date: datetime.date
    training_days: int
    planned_hours: Decimal
    place: str
    expected_participants: int
    instructors: str = ""
    description: str = ""


FILING_FIELDS = (
    "title",
    "kind",
    "organiser",
    "start_date",
    "end_date",
    "training_days",
    "planned_hours",
    "place",
    "expected_participants",
    "instructors",
    "description",
)


def _date_text(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def filing_data_errors(
    data: FilingData,
    *,
    bureau: Organisation | None,
    paper_received_on: datetime.date | None = None,
    is_paper: bool = False,
) -> dict[str, list[str]]:
    """Field errors for a filing, in Chinese. Before the training starts, or (paper) received before it."""
    errors: dict[str, list[str]] = {}
    today = clock.today()
    for field, max_length in (
        ("instructors", INSTRUCTORS_MAX_LENGTH),
        ("description", DESCRIPTION_MAX_LENGTH),
    ):
        length = len(getattr(data, field))
        if length > max_length:
            errors.setdefault(field, []).append(
                str(messages.TEXT_TOO_LONG) % {"limit": max_length, "length": length}
            )
    if data.end_date < data.start_date:
        errors.setdefault("end_date", []).append(str(messages.END_BEFORE_START))
    else:
        span = (data.end_date - data.start_date).days + 1
        if not 1 <= data.training_days <= span:
            errors.setdefault("training_days", []).append(str(messages.DAYS_OUT_OF_RANGE) % {"days": span})
        per_day = rules.planning_hours_per_day(data.end_date.year)
        limit = per_day * max(data.training_days, 1)
        if data.planned_hours <= 0:
            errors.setdefault("planned_hours", []).append(str(messages.PLANNED_HOURS_NOT_POSITIVE))
        elif data.planned_hours > limit:
            errors.setdefault("planned_hours", []).append(
                str(messages.PLANNED_HOURS_OVER_LIMIT)
                % {"per_day": _hours_text(per_day), "days": data.training_days, "limit": _hours_text(limit)}
            )
    if is_paper:
        if paper_received_on is None:
            errors.setdefault("paper_received_on", []).append(str(messages.PAPER_RECEIVED_REQUIRED))
        elif paper_received_on > today:
            errors.setdefault("paper_received_on", []).append(str(messages.PAPER_RECEIVED_IN_FUTURE))
        elif paper_received_on >= data.start_date:
            errors.setdefault("paper_received_on", []).append(
                str(messages.PAPER_RECEIVED_AFTER_START) % {"start": _date_text(data.start_date)}
            )
    elif data.start_date <= today:
        errors.setdefault("start_date", []).append(
            str(messages.FILING_ALREADY_STARTED)
            % {"start": _date_text(data.start_date), "bureau": bureau.name if bureau else _("所在地人社部门")}
        )
    return errors


def _hours_text(value: Decimal) -> str:
    return f"{value:f}".removesuffix(".0")


def _decision_record(
    *,
    filing: TrainingFiling,
    actor: User,
    action: str,
    from_status: str,
    to_status: str,
    reason: str = "",
    detail: dict | None = None,
) -> FilingDecision:
    """The workflow's record and the audit trail, written together."""
    if ACTION_ACTOR[action] == "bureau":
        assignment = policies.acting_assignment(actor, filing.bureau_id, account_policies.BUREAU_ROLES)
    else:
        assignment = policies.acting_assignment(actor, filing.organisation_id, policies.FILER_ROLES)
    role = (
        assignment.role
        if assignment
        else (Role.PLATFORM_ADMIN if account_policies.is_platform_admin(actor) else "")
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        actor=actor,
        actor_role=role,
        actor_organisation=assignment.organisation if assignment else None,
        from_status=from_status,
        to_status=to_status,
        action=action,
        reason=reason[:500],
        ip_address=current_ip.get(),
    )
    audit_record(
        actor=actor,
        action=f"filings.filing.{action}",
        target=filing,
        organisation=filing.organisation,
        assignment=assignment,
        role=role,
        reason=reason,
        detail={"from": from_status, "to": to_status, **(detail or {})},
    )
    return decision


def _move(*, filing: TrainingFiling, actor: User, action: str, reason: str = "") -> TrainingFiling:
    """The one place a filing changes status: the table says where it may go, the policies who may move it."""
    to_status = TRANSITIONS.get(filing.status, {}).get(action)
    if to_status is None:
        raise ValidationError(
            str(messages.TRANSITION_NOT_ALLOWED)
            % {"status": filing.get_status_display(), "action": ACTION_LABELS[action]}
        )
    allowed = (
        policies.is_approving_staff(actor, filing)
        if ACTION_ACTOR[action] == "bureau"
        else policies.is_filer(actor, filing)
    )
    if not allowed:
        raise PermissionDenied(messages.NOT_YOUR_FILING)
    from_status = filing.status
    now = timezone.now()
    filing.status = to_status
    filing.updated_at = now
    fields = ["status", "updated_at"]
    if action in (Action.APPROVE, Action.RETURN):
        filing.decided_at, filing.decided_by = now, actor
        filing.return_reason = reason if action == Action.RETURN else ""
        fields += ["decided_at", "decided_by", "return_reason"]
    if action == Action.RESUBMIT:
        filing.submitted_at = now
        fields.append("submitted_at")
    filing.save(update_fields=fields)
    _decision_record(
        filing=filing, actor=actor, action=action, from_status=from_status, to_status=to_status, reason=reason
    )
    return filing


def _clean_file_name(name: str | None, fallback: str) -> str:
    text = PurePath((name or "").replace("\\", "/")).name
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return text[-200:] or fallback


def _attachment_extension(upload: UploadedFile, name: str) -> str:
    """The stored extension, from the content's signature (and the name, where a signature fits two)."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    suffix = PurePath(name).suffix.lower().lstrip(".")
    for signature, extensions in _ATTACHMENT_SIGNATURES:
        if head.startswith(signature):
            if suffix in extensions:
                return suffix
            if len(extensions) == 1 or extensions == ("jpg", "jpeg"):
                return extensions[0]
    raise ValidationError({"attachments": str(messages.ATTACHMENT_TYPE) % {"name": name}})


def _check_attachments(uploads: list[UploadedFile], existing: int = 0) -> list[tuple[UploadedFile, str, str]]:
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": str(messages.ATTACHMENT_TOO_MANY) % {"limit": MAX_ATTACHMENTS}})
    checked = []
    for upload in uploads:
        name = _clean_file_name(upload.name, "attachment")
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                {
                    "attachments": str(messages.ATTACHMENT_TOO_LARGE)
                    % {"name": name, "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
                }
            )
        checked.append((upload, name, _attachment_extension(upload, name)))
    return checked


def _store_attachments(
    filing: TrainingFiling, actor: User, checked: list[tuple[UploadedFile, str, str]]
) -> list[FilingAttachment]:
    stored = []
    for upload, name, extension in checked:
        attachment = FilingAttachment(
            filing=filing, original_name=name, size=upload.size or 0, uploaded_by=actor
        )
        upload.seek(0)
        attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def stored_language() -> translation.override:
    """Text kept in the database (notifications, decision reasons) is in the platform's language,
    whatever the language of the request that wrote it (as accounts/services.py does)."""
    return translation.override(settings.LANGUAGE_CODE)


def _notify_bureau_staff(bureau: Organisation, *, title: str, body: str, link: str) -> None:
    staff = User.objects.filter(
        role_assignments__role__in=account_policies.BUREAU_ROLES,
        role_assignments__organisation=bureau,
        role_assignments__is_active=True,
        is_active=True,
    ).distinct()
    for person in staff:
        notify(recipient=person, title=title, body=body, link=link)


def _filing_link(filing: TrainingFiling) -> str:
    return f"/filings/{filing.pk}/"


# --- Filing use cases -----------------------------------------------------------------------------


def _new_filing(
    *,
    data: FilingData,
    organisation: Organisation,
    bureau: Organisation,
    actor: User,
    channel: str,
    paper_received_on: datetime.date | None,
) -> TrainingFiling:
    now = timezone.now()
    filing = TrainingFiling(
        **{name: getattr(data, name) for name in FILING_FIELDS},
        organisation=organisation,
        bureau=bureau,
        channel=channel,
        paper_received_on=paper_received_on,
        status="",
        filed_by=actor,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    filing.full_clean(exclude=["status"])
    filing.save()
    return filing


@transaction.atomic
def filing_submit(
    *,
    actor: User,
    organisation: Organisation,
    data: FilingData,
    attachments: list[UploadedFile] | None = None,
) -> TrainingFiling:
    """A unit or department files a training with the HR bureau of its level before it starts; a bureau
    files its own training, which its own approval makes effective at once."""
    if not policies.can_file_for(actor, organisation):
        raise PermissionDenied(messages.NOT_A_FILING_ORGANISATION)
    bureau = organisation.bureau
    if bureau is None:
        raise ValidationError(messages.NOT_A_FILING_ORGANISATION)
    errors = filing_data_errors(data, bureau=bureau)
    checked = _check_attachments(attachments or [])
    if errors:
        raise ValidationError(errors)
    is_bureau = organisation.kind in (
        OrganisationKind.CITY_BUREAU,
        OrganisationKind.COUNTY_BUREAU,
        OrganisationKind.ZONE_BUREAU,
    )
    filing = _new_filing(
        data=data,
        organisation=organisation,
        bureau=bureau,
        actor=actor,
        channel=FilingChannel.BUREAU if is_bureau else FilingChannel.ONLINE,
        paper_received_on=None,
    )
    _store_attachments(filing, actor, checked)
    action = Action.RECORD if is_bureau else Action.FILE
    filing.status = TRANSITIONS[""][action]
    if is_bureau:
        filing.decided_at, filing.decided_by = filing.submitted_at, actor
    filing.save(update_fields=["status", "decided_at", "decided_by"])
    _decision_record(filing=filing, actor=actor, action=action, from_status="", to_status=filing.status)
    if not is_bureau:
        with stored_language():
            _notify_bureau_staff(
                bureau,
                title=_("新的培训备案待审核"),
                body=_("%(organisation)s 提交了培训备案“%(title)s”。")
                % {"organisation": organisation.name, "title": filing.title},
                link=_filing_link(filing),
            )
    return filing


@transaction.atomic
def filing_enter_paper(
    *,
    actor: User,
    organisation: Organisation,
    data: FilingData,
    paper_received_on: datetime.date,
    attachments: list[UploadedFile] | None = None,
) -> TrainingFiling:
    """Bureau staff type in a paper filing a unit or department handed in before the training; the
    bureau accepted it at its counter, so it is effective at once."""
    if not policies.can_enter_paper_filing(actor, organisation):
        raise PermissionDenied(messages.PAPER_ORGANISATION_OUTSIDE)
    bureau = organisation.bureau
    assert bureau is not None
    errors = filing_data_errors(data, bureau=bureau, paper_received_on=paper_received_on, is_paper=True)
    checked = _check_attachments(attachments or [])
    if errors:
        raise ValidationError(errors)
    filing = _new_filing(
        data=data,
        organisation=organisation,
        bureau=bureau,
        actor=actor,
        channel=FilingChannel.PAPER,
        paper_received_on=paper_received_on,
    )
    _store_attachments(filing, actor, checked)
    filing.status = FilingStatus.APPROVED
    filing.decided_at, filing.decided_by = filing.submitted_at, actor
    filing.save(update_fields=["status", "decided_at", "decided_by"])
    with stored_language():
        reason = _("纸质备案代录，材料收到日期 %(date)s") % {"date": paper_received_on.isoformat()}
    _decision_record(
        filing=filing,
        actor=actor,
        action=Action.RECORD,
        from_status="",
        to_status=FilingStatus.APPROVED,
        reason=reason,
        detail={"paper_received_on": paper_received_on.isoformat()},
    )
    return filing


def _locked_filing(filing_id: int) -> TrainingFiling:
    return (
        TrainingFiling.objects.select_for_update(of=("self",))
        .select_related("organisation", "bureau", "filed_by")
        .get(pk=filing_id)
    )


@transaction.atomic
def filing_approve(*, actor: User, filing_id: int, comment: str = "") -> TrainingFiling:
    filing = _move(
        filing=_locked_filing(filing_id), actor=actor, action=Action.APPROVE, reason=comment.strip()
    )
    with stored_language():
        notify(
            recipient=filing.filed_by,
            title=_("培训备案已通过"),
            body=_("培训备案“%(title)s”已由 %(bureau)s 审核通过。")
            % {"title": filing.title, "bureau": filing.bureau.name},
            link=_filing_link(filing),
        )
    return filing


@transaction.atomic
def filing_return(*, actor: User, filing_id: int, reason: str) -> TrainingFiling:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": messages.RETURN_REASON_REQUIRED})
    filing = _move(filing=_locked_filing(filing_id), actor=actor, action=Action.RETURN, reason=reason)
    with stored_language():
        notify(
            recipient=filing.filed_by,
            title=_("培训备案被退回"),
            body=_("培训备案“%(title)s”被退回，理由：%(reason)s") % {"title": filing.title, "reason": reason},
            link=_filing_link(filing),
        )
    return filing


@transaction.atomic
def filing_resubmit(
    *, actor: User, filing_id: int, data: FilingData, attachments: list[UploadedFile] | None = None
) -> TrainingFiling:
    """The filer corrects a returned filing and submits it again; it must still be before the training."""
    filing = _locked_filing(filing_id)
    if not policies.is_filer(actor, filing):
        raise PermissionDenied(messages.NOT_YOUR_FILING)
    if filing.status != FilingStatus.RETURNED:
        raise ValidationError(messages.FILING_NOT_EDITABLE)
    errors = filing_data_errors(data, bureau=filing.bureau)
    checked = _check_attachments(attachments or [], existing=filing.attachments.count())
    if errors:
        raise ValidationError(errors)
    changed = [name for name in FILING_FIELDS if getattr(filing, name) != getattr(data, name)]
    for name in FILING_FIELDS:
        setattr(filing, name, getattr(data, name))
    filing.full_clean()
    filing.save()
    _store_attachments(filing, actor, checked)
    with stored_language():
        reason = _("修改了：%(fields)s") % {"fields": "、".join(changed)} if changed else ""
    _move(filing=filing, actor=actor, action=Action.RESUBMIT, reason=reason)
    with stored_language():
        _notify_bureau_staff(
            filing.bureau,
            title=_("培训备案已重新提交"),
            body=_("%(organisation)s 修改后重新提交了培训备案“%(title)s”。")
            % {"organisation": filing.organisation.name, "title": filing.title},
            link=_filing_link(filing),
        )
    return filing


@transaction.atomic
def filing_withdraw(*, actor: User, filing_id: int, reason: str = "") -> TrainingFiling:
    return _move(
        filing=_locked_filing(filing_id), actor=actor, action=Action.WITHDRAW, reason=(reason or "").strip()
    )


@transaction.atomic
def filing_attachment_add(
    *, actor: User, filing_id: int, uploads: list[UploadedFile]
) -> list[FilingAttachment]:
    filing = _locked_filing(filing_id)
    if not policies.can_add_attachment(actor, filing):
        raise PermissionDenied(messages.NOT_YOUR_FILING)
    if not uploads:
        raise ValidationError({"attachments": messages.ATTACHMENT_NONE})
    checked = _check_attachments(uploads, existing=filing.attachments.count())
    stored = _store_attachments(filing, actor, checked)
    # The filer and the approving bureau may both add material: the record says which one did.
    assignment = policies.acting_assignment(
        actor, filing.organisation_id, policies.FILER_ROLES
    ) or policies.acting_assignment(actor, filing.bureau_id, account_policies.BUREAU_ROLES)
    audit_record(
        actor=actor,
        action="filings.filing.attachment_add",
        target=filing,
        organisation=filing.organisation,
        assignment=assignment,
        role=Role.PLATFORM_ADMIN if assignment is None and account_policies.is_platform_admin(actor) else "",
        detail={"attachments": [attachment.pk for attachment in stored]},
    )
    return stored


# --- Roster imports ---------------------------------------------------------------------------------


def _read_upload(upload: UploadedFile | None) -> tuple[bytes, str]:
    if upload is None:
        raise ValidationError({"file": messages.FILE_REQUIRED})
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(8)
    xlsx_guard.check_signature(head, size)  # size and signature before reading it all
    upload.seek(0)
    data = upload.read()
    xlsx_guard.check_archive(data)
    return data, _clean_file_name(upload.name, "roster.xlsx")


def _queue(roster_import: RosterImport) -> None:
    from .tasks import roster_import_task

    import_id = roster_import.pk
    enqueue_on_commit(roster_import_task, import_id=import_id)


def _create_import(
    *,
    actor: User,
    source: str,
    filing: TrainingFiling | None,
    scope: str,
    year: int,
    bureau: Organisation,
    is_correction: bool,
    data: bytes,
    name: str,
) -> RosterImport:
    rules.year_figures(year)  # the year's rules must be published: the ledger credits by them
    roster_import = RosterImport(
        source=source,
        filing=filing,
        scope=scope,
        year=year,
        bureau=bureau,
        is_correction=is_correction,
        original_name=name,
        file_size=len(data),
        created_by=actor,
    )
    roster_import.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            roster_import.save()
    except IntegrityError as error:
        roster_import.file.delete(save=False)
        raise ValidationError(messages.IMPORT_ALREADY_ACTIVE) from error
    audit_record(
        actor=actor,
        action="filings.roster_import.create",
        target=roster_import,
        organisation=filing.organisation if filing else bureau,
        assignment=policies.acting_assignment(actor, bureau.pk, account_policies.BUREAU_ROLES),
        detail={"scope": scope, "file": name, "size": len(data), "correction": is_correction},
    )
    _queue(roster_import)
    return roster_import


@transaction.atomic
def roster_import_create(
    *, actor: User, filing_id: int, upload: UploadedFile | None, is_correction: bool = False
) -> RosterImport:
    """The approving bureau uploads a filed training's roster after it ends; the file is checked (real
    .xlsx, size, zip bomb) before anything parses it, and the import is queued."""
    filing = _locked_filing(filing_id)
    if not policies.is_approving_staff(actor, filing):
        raise PermissionDenied(messages.IMPORT_NOT_ALLOWED)
    if filing.status != FilingStatus.APPROVED:
        raise ValidationError(messages.IMPORT_FILING_NOT_APPROVED)
    if filing.end_date > clock.today():
        raise ValidationError(str(messages.IMPORT_TRAINING_NOT_ENDED) % {"end": _date_text(filing.end_date)})
    if RosterImport.objects.filter(scope=filing.import_scope, status__in=ACTIVE_IMPORT_STATUSES).exists():
        raise ValidationError(messages.IMPORT_ALREADY_ACTIVE)
    data, name = _read_upload(upload)
    return _create_import(
        actor=actor,
        source=ImportSource.FILING,
        filing=filing,
        scope=filing.import_scope,
        year=filing.year,
        bureau=filing.bureau,
        is_correction=is_correction,
        data=data,
        name=name,
    )


def channel_scope(source: str, year: int) -> str:
    return f"{source}:{year}"


@transaction.atomic
def channel_import_create(
    *, actor: User, source: str, year: int, upload: UploadedFile | None, is_correction: bool = False
) -> RosterImport:
    """Hours from an industry authority's own system (health, accounting, education), imported by the
    city bureau as each person's professional hours of that authority for the year."""
    if not policies.can_import_channel(actor):
        raise PermissionDenied(messages.IMPORT_CHANNEL_NOT_ALLOWED)
    if source not in CHANNEL_SOURCES:
        raise ValidationError({"source": _("请选择行业。")})
    last_year = clock.today().year
    if not FIRST_IMPORT_YEAR <= year <= last_year:
        raise ValidationError(
            {"year": str(messages.IMPORT_YEAR_OUT_OF_RANGE) % {"first": FIRST_IMPORT_YEAR, "last": last_year}}
        )
    bureau = next((b for b in policies.staff_bureaus(actor) if b.kind == OrganisationKind.CITY_BUREAU), None)
    if bureau is None:
        bureau = Organisation.objects.filter(kind=OrganisationKind.CITY_BUREAU).order_by("pk").first()
    if bureau is None:
        raise PermissionDenied(messages.IMPORT_CHANNEL_NOT_ALLOWED)
    scope = channel_scope(source, year)
    if RosterImport.objects.filter(scope=scope, status__in=ACTIVE_IMPORT_STATUSES).exists():
        raise ValidationError(messages.IMPORT_ALREADY_ACTIVE)
    data, name = _read_upload(upload)
    return _create_import(
        actor=actor,
        source=source,
        filing=None,
        scope=scope,
        year=year,
        bureau=bureau,
        is_correction=is_correction,
        data=data,
        name=name,
    )


def _locked_import(import_id: int) -> RosterImport:
    return (
        RosterImport.objects.select_for_update(of=("self",))
        .select_related("filing", "bureau")
        .get(pk=import_id)
    )


@transaction.atomic
def roster_import_cancel(*, actor: User, import_id: int) -> RosterImport:
    """A queued import is cancelled at once; a running one stops before its next batch (the batches
    already written stay written: each is complete, and re-importing the file credits nobody twice)."""
    roster_import = _locked_import(import_id)
    if not policies.can_run_import(actor, roster_import):
        raise PermissionDenied(messages.IMPORT_NOT_ALLOWED)
    if not roster_import.is_active:
        raise ValidationError(messages.IMPORT_NOT_CANCELLABLE)
    roster_import.cancel_requested = True
    fields = ["cancel_requested"]
    if roster_import.status == ImportStatus.QUEUED:
        roster_import.status = ImportStatus.CANCELLED
        roster_import.phase = ImportPhase.DONE
        roster_import.finished_at = timezone.now()
        fields += ["status", "phase", "finished_at"]
    roster_import.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="filings.roster_import.cancel",
        target=roster_import,
        organisation=roster_import.filing.organisation if roster_import.filing else roster_import.bureau,
        assignment=policies.acting_assignment(actor, roster_import.bureau_id, account_policies.BUREAU_ROLES),
        detail={"checkpoint": roster_import.checkpoint, "status": roster_import.status},
    )
    return roster_import


@transaction.atomic
def roster_import_retry(*, actor: User, import_id: int) -> RosterImport:
    """Runs a failed import again; it continues after the last batch it wrote."""
    roster_import = _locked_import(import_id)
    if not policies.can_run_import(actor, roster_import):
        raise PermissionDenied(messages.IMPORT_NOT_ALLOWED)
    if roster_import.status != ImportStatus.FAILED:
        raise ValidationError(messages.IMPORT_NOT_RETRYABLE)
    if RosterImport.objects.filter(scope=roster_import.scope, status__in=ACTIVE_IMPORT_STATUSES).exists():
        raise ValidationError(messages.IMPORT_ALREADY_ACTIVE)
    roster_import.status = ImportStatus.QUEUED
    roster_import.phase = ImportPhase.WAITING
    roster_import.failure_message = ""
    roster_import.finished_at = None
    roster_import.cancel_requested = False
    roster_import.save(
        update_fields=["status", "phase", "failure_message", "finished_at", "cancel_requested"]
    )
    audit_record(
        actor=actor,
        action="filings.roster_import.retry",
        target=roster_import,
        organisation=roster_import.filing.organisation if roster_import.filing else roster_import.bureau,
        assignment=policies.acting_assignment(actor, roster_import.bureau_id, account_policies.BUREAU_ROLES),
        detail={"checkpoint": roster_import.checkpoint},
    )
    _queue(roster_import)
    return roster_import


# --- Held hours ---------------------------------------------------------------------------------------


@transaction.atomic
def held_hours_attach(*, user: User) -> list[RosterCredit]:
    """Hours imported for an ID number before its owner registered, credited to them now. Called by
    ``accounts.services.user_register`` in the registration's transaction; idempotent (a held credit is
    attached once, then it is no longer held)."""
    if not user.pk or not user.id_number_digest:
        return []
    held = list(
        RosterCredit.objects.select_for_update(of=("self",))
        .select_related("last_import__created_by", "last_import__bureau", "filing")
        .filter(id_number_digest=user.id_number_digest, status=CreditStatus.HELD, person__isnull=True)
        .order_by("id")
    )
    if not held:
        return []
    from .importer import credit_memo

    now = timezone.now()
    for credit in held:
        credit.person = user
        credit.status = CreditStatus.CREDITED
        credit.updated_at = now
        credit.save(update_fields=["person", "status", "updated_at"])
        ledger.post_credits(
            [
                ledger.credit(
                    person_id=user.pk,
                    year=credit.year,
                    hours=credit.hours,
                    source_id=ledger_source_id(credit.scope, user.pk, credit.revision),
                    memo=credit_memo(credit.last_import),
                    rule_code=ledger.PRO_2_RULE_CODE if credit.filing_id else "",
                )
            ],
            actor=credit.last_import.created_by,
            on_record=ledger.on_record_for(credit.last_import),
        )
    total = sum((credit.hours for credit in held), Decimal(0))
    audit_record(
        actor=user,
        action="filings.held_hours.attach",
        target=user,
        organisation=user.unit,
        role=Role.PROFESSIONAL,
        detail={
            "credits": [credit.pk for credit in held],
            "hours": str(total),
            "names_differ": [credit.pk for credit in held if credit.name != normalise_name(user.real_name)],
        },
    )
    with stored_language():
        notify(
            recipient=user,
            title=_("培训学时已记入"),
            body=_("您注册前已导入的 %(count)s 项培训学时（共 %(hours)s 学时）已记入您的专业科目学时。")
            % {"count": len(held), "hours": _hours_text(total)},
            link="/filings/mine/",
        )
    return held
