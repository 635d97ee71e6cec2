"""The hours certificate (学时证明): issue, render, verify, and certificates for a whole unit as a ZIP.

Why a certificate is a frozen record and its standing is computed: the document a third party holds
must read the same on the verification page as on paper, whatever happened since; and whether it
still stands follows from the ledger, which is append-only. So:

- ``certificate_obtain`` builds the record from the ledger now. If the person's latest certificate of
  that year holds exactly the same record, it is returned (the cached PDF is reused); otherwise a new
  certificate is issued, with a new number and code. "Re-rendered when the ledger changes" is this
  comparison at read time: no signal, and no call the ledger service has to remember to make.
- ``certificate_standing`` says, at read time: revoked when a claim the certificate relies on has
  since been revoked (the integrity archive's revocation reverses its credit and marks the claim
  已撤销); superseded when the year's ledger or requirement differs from the state at issue (a
  digest of entry ids, the R1 reduction and the requirement), or a newer certificate was issued.
- Rendering (WeasyPrint) runs in a Celery task queued on commit; the PDF is stored privately and
  served only through views that check who may see the certificate.
"""

from __future__ import annotations

import atexit
import datetime
import gc
import hashlib
import json
import logging
import secrets
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.selectors import path_filter
from jinan_ce.queue import enqueue_on_commit

from . import selectors
from .models import (
    Certificate,
    Claim,
    ClaimStatus,
    ExportJob,
    ExportKind,
    LedgerCategory,
    LedgerEntry,
    SourceType,
)
from .rules import format_hours
from .services.ledger import lock_person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

CERTIFICATE_NOT_ALLOWED = _("您无权出具该人员的学时证明。")
CERTIFICATE_NO_UNIT = _("该人员尚未加入工作单位，不能出具学时证明。")
BATCH_NOT_ALLOWED = _("只有单位管理员和人力资源社会保障部门可以批量下载本管辖范围内的学时证明。")
BATCH_TOO_LARGE = _("该范围内有%(count)s人，超过单次批量下载上限%(limit)s人，请选择下级单位或主管部门。")
BATCH_EMPTY = _("该范围内没有专业技术人员。")
VERIFY_RATE_LIMITED = _("查询过于频繁，请稍后再试。")

#: Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 16 characters of 5 bits: 80 random bits, far beyond guessing at any rate limit.
CODE_LENGTH = 16
_CODE_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})

#: Lookups of verification codes per client address per window (page and API together).
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 60

#: Certificates in one ZIP at most: a bigger jurisdiction chooses a unit or department.
MAX_BATCH_PEOPLE = 5000
BATCH_PROGRESS_EVERY = 10

CATEGORY_LABELS = {
    LedgerCategory.PUBLIC_COMPULSORY: _("公需科目（必修课）"),
    LedgerCategory.PUBLIC_ELECTIVE: _("公需科目（自选课）"),
    LedgerCategory.PUBLIC_CONVERSION: _("公需科目（学时折算）"),
    LedgerCategory.PROFESSIONAL: _("专业科目"),
}

#: Roles that may download certificates of everyone in their jurisdiction as one ZIP.
BATCH_ROLES = (Role.UNIT_ADMIN, *account_policies.BUREAU_ROLES)


# --- Verification codes ------------------------------------------------------------------------


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed (any case, with dashes or spaces, O for 0) as a stored code; "" if it
    cannot be one."""
    cleaned = "".join(character for character in (text or "").upper() if character.isalnum())
    cleaned = cleaned.translate(_CODE_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(character not in CODE_ALPHABET for character in cleaned):
        return ""
    return cleaned


def verification_path(code: str) -> str:
    return reverse("certificate_verify", args=[code])


def verify_rate_limited(ip_address: str | None) -> bool:
    """Counts a lookup for the address; True when it is over the limit. The window opens at the
    address's first lookup and closes ``VERIFY_WINDOW_SECONDS`` later (the key's expiry)."""
    key = f"hours:certificate-verify:{ip_address or 'unknown'}"
    if cache.add(key, 1, VERIFY_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, VERIFY_WINDOW_SECONDS)
        return False
    return count > VERIFY_LIMIT


# --- Who may see what ----------------------------------------------------------------------------


def can_obtain_certificate(user: User | AnonymousUser, person: User) -> bool:
    """The person, and whoever governs the person's unit (unit admin, department, bureau)."""
    if not user.is_authenticated:
        return False
    if user.pk == person.pk:
        return True
    return account_policies.governs(user, person.unit)


def can_batch(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return account_policies.governs(user, organisation, BATCH_ROLES)


def certificates_visible_to(user: User | AnonymousUser) -> QuerySet[Certificate]:
    """The user's own certificates, and those of people whose current unit the user governs."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    condition = Q(person=user)
    governed = path_filter(account_policies.governed_paths(user), "person__unit__path")
    if governed is not None:
        condition |= governed
    return Certificate.objects.select_related("person", "person__unit", "issuing_bureau").filter(condition)


def certificate_by_code(code: str) -> Certificate | None:
    code = normalise_code(code)
    if not code:
        return None
    return Certificate.objects.filter(verification_code=code).first()


def organisations_for_batch(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations a ZIP can be asked for: each organisation the user holds a batch role at."""
    if account_policies.is_platform_admin(user):
        return list(Organisation.objects.filter(parent__isnull=True).order_by("path"))
    return [
        assignment.organisation
        for assignment in account_policies.active_roles(user)
        if assignment.role in BATCH_ROLES and assignment.organisation is not None
    ]


# --- The record -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerState:
    """The year's ledger as the certificate saw it."""

    digest: str
    claim_ids: list[int]


def _digest(entry_ids: list[int], reduction_id: int | None, required: tuple[Decimal, Decimal]) -> str:
    payload = json.dumps(
        {"entries": entry_ids, "reduction": reduction_id, "required": [str(value) for value in required]},
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def current_digest(person: User, year: int) -> str:
    summary = selectors.year_summary(person, year)
    entry_ids = list(
        LedgerEntry.objects.filter(person=person, year=year).order_by("id").values_list("id", flat=True)
    )
    return _digest(
        entry_ids,
        summary.reduction.pk if summary.reduction else None,
        (summary.public_required, summary.professional_required),
    )


def _hours(value: Decimal) -> str:
    return format_hours(value)


def _city_bureau() -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.CITY_BUREAU).order_by("path").first()


def build_record(person: User, year: int) -> tuple[dict[str, Any], LedgerState]:
    """Everything the certificate prints, as JSON-safe values in the platform's language."""
    summary = selectors.year_summary(person, year)
    entries = list(LedgerEntry.objects.filter(person=person, year=year).order_by("created_at", "id"))
    reversed_ids = {entry.reverses_id for entry in entries if entry.reverses_id is not None}
    live = [entry for entry in entries if entry.reverses_id is None and entry.pk not in reversed_ids]
    claim_ids = sorted(
        {
            int(entry.source_id)
            for entry in live
            if entry.source_type == SourceType.CLAIM and entry.source_id.isdigit()
        }
        | ({summary.reduction.claim_id} if summary.reduction else set())
    )
    unit = person.unit
    department = unit.supervising_department if unit else None
    bureau = unit.bureau if unit and unit.bureau_id else _city_bureau()
    with translation.override(settings.LANGUAGE_CODE):
        source_labels = dict(SourceType.choices)
        items = [
            {
                "date": timezone.localdate(entry.created_at).isoformat(),
                "category": entry.category,
                "category_label": str(CATEGORY_LABELS[LedgerCategory(entry.category)]),
                "source": str(source_labels.get(entry.source_type, entry.source_type)),
                "description": entry.memo or str(source_labels.get(entry.source_type, "")),
                "hours": _hours(entry.hours),
            }
            for entry in live
        ]
        reduction = None
        if summary.reduction is not None:
            reduction = {
                "months_on_post": summary.reduction.months_on_post,
                "public_required": _hours(summary.reduction.public_required),
                "professional_required": _hours(summary.reduction.professional_required),
            }
        record = {
            "name": person.real_name,
            "id_number_masked": person.id_number_masked,
            "unit": unit.name if unit else "",
            "department": department.name if department else "",
            "bureau": bureau.name if bureau else str(settings.PLATFORM_NAME),
            "year": year,
            "required": {
                "public": _hours(summary.public_required),
                "professional": _hours(summary.professional_required),
                "total": _hours(summary.public_required + summary.professional_required),
            },
            "earned": {
                "public_compulsory": _hours(summary.compulsory),
                "public_elective": _hours(summary.elective),
                "public_conversion": _hours(summary.conversion),
                "public": _hours(summary.public),
                "professional": _hours(summary.professional),
                "total": _hours(summary.total),
            },
            "missing": {
                "public": _hours(summary.missing_public),
                "professional": _hours(summary.missing_professional),
            },
            "is_public_complete": summary.is_public_complete,
            "is_professional_complete": summary.is_professional_complete,
            "premium_course_completed": summary.premium_course_completed,
            "reduction": reduction,
            "is_compliant": summary.is_compliant,
            "items": items,
        }
    state = LedgerState(
        digest=_digest(
            [entry.pk for entry in sorted(entries, key=lambda entry: entry.pk)],
            summary.reduction.pk if summary.reduction else None,
            (summary.public_required, summary.professional_required),
        ),
        claim_ids=claim_ids,
    )
    return record, state


# --- Issue and render ------------------------------------------------------------------------------


def _issue(
    *, person: User, year: int, actor: User | None, record: dict[str, Any], state: LedgerState, base_url: str
) -> Certificate:
    unit = person.unit
    bureau = unit.bureau if unit and unit.bureau_id else _city_bureau()
    now = timezone.now()
    code = new_verification_code()
    while Certificate.objects.filter(verification_code=code).exists():  # pragma: no cover - 80 bits
        code = new_verification_code()
    certificate = Certificate(
        person=person,
        year=year,
        verification_code=code,
        unit=unit,
        issuing_bureau=bureau,
        record={**record, "issued_on": timezone.localdate(now).isoformat()},
        ledger_digest=state.digest,
        claim_ids=state.claim_ids,
        is_compliant=bool(record["is_compliant"]),
        issued_at=now,
        issued_by=actor if actor is not None and actor.pk else None,
    )
    certificate.save()
    certificate.number = f"{year}{certificate.pk:08d}"
    certificate.record = {
        **certificate.record,
        "number": certificate.number,
        "verification_code": certificate.grouped_code,
        "verification_url": base_url.rstrip("/") + verification_path(code),
    }
    certificate.save(update_fields=["number", "record"])
    audit_record(
        actor=actor if actor is not None and actor.pk else None,
        action="hours.certificate.issue",
        target=certificate,
        organisation=unit,
        assignment=(
            account_policies.governing_assignment(actor, unit)
            if actor is not None and actor.pk != person.pk
            else None
        ),
        role="" if actor is None or actor.pk != person.pk else Role.PROFESSIONAL,
        detail={
            "person": person.pk,
            "year": year,
            "number": certificate.number,
            "is_compliant": certificate.is_compliant,
            "total": record["earned"]["total"],
        },
    )
    return certificate


def _core(record: dict[str, Any]) -> dict[str, Any]:
    issued = {"issued_on", "number", "verification_code", "verification_url"}
    return {key: value for key, value in record.items() if key not in issued}


def _base_url(base_url: str) -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "") or base_url


@transaction.atomic
def certificate_obtain(
    *, actor: User | None, person: User, year: int, base_url: str, render: bool = True
) -> Certificate:
    """The person's current certificate for the year: the latest one when the ledger has not changed
    since, else a newly issued one (audited). ``actor=None`` only for system tasks.

    Rendering is queued on commit (``render=False`` lets the ZIP job render in its own loop).
    """
    if actor is not None and not can_obtain_certificate(actor, person):
        raise PermissionDenied(CERTIFICATE_NOT_ALLOWED)
    locked = lock_person(person.pk)
    locked = User.objects.select_related("unit", "unit__parent", "unit__bureau").get(pk=locked.pk)
    record, state = build_record(locked, year)
    latest = Certificate.objects.filter(person=locked, year=year).order_by("-issued_at", "-id").first()
    if latest is not None and latest.ledger_digest == state.digest and _core(latest.record) == record:
        certificate = latest
    else:
        certificate = _issue(
            person=locked, year=year, actor=actor, record=record, state=state, base_url=_base_url(base_url)
        )
    if render and not certificate.is_rendered:
        from .tasks import certificate_render_task

        enqueue_on_commit(certificate_render_task, certificate_id=certificate.pk)
    return certificate


#: The faces the certificate prints with (see static/fonts/README.md): GB 2312 faces for almost every
#: character, and the full Regular face (all of CJK Unified Ideographs and Extension A) for the rest,
#: as the fallback in every ``font-family`` list, so no name ever misses a glyph. WeasyPrint decodes,
#: copies and subsets each face a certificate uses on every render, so the small faces are cheap and
#: the full one costs only when a character outside GB 2312 appears.
FONT_REGULAR = "fonts/NotoSerifSC-Regular.gb2312.woff2"
FONT_BOLD = "fonts/NotoSerifSC-Bold.gb2312.woff2"
FONT_FALLBACK = "fonts/NotoSerifSC-Regular.subset.woff2"
_render_lock = threading.Lock()
_weasy_state: dict[str, Any] = {}
# Drop the font configuration before interpreter shutdown tears down the libraries it frees through.
atexit.register(_weasy_state.clear)


def _font_url(relative: str) -> str:
    found = finders.find(relative)
    path = Path(found if isinstance(found, str) else Path(settings.BASE_DIR) / "static" / relative)
    return path.resolve().as_uri()


def _stylesheet() -> tuple[Any, Any, Any]:
    """One font configuration and parsed stylesheets per process: decoding the bundled CJK font costs
    far more than a render, so it is done once (the caller holds ``_render_lock``)."""
    if "css" not in _weasy_state:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = render_to_string(
            "certificates/certificate.css",
            {
                "font_regular": _font_url(FONT_REGULAR),
                "font_bold": _font_url(FONT_BOLD),
                "font_fallback": _font_url(FONT_FALLBACK),
            },
        )
        _weasy_state["font_config"] = font_config
        # The stylesheet loads the bundled fonts from disk, and nothing else.
        _weasy_state["css"] = CSS(string=css, font_config=font_config, url_fetcher=_url_fetcher("file"))
        _weasy_state["ua_css"] = CSS(string=render_to_string("certificates/certificate_ua.css"))
    return _weasy_state["font_config"], _weasy_state["css"], _weasy_state["ua_css"]


def _url_fetcher(*protocols: str) -> Any:
    """A WeasyPrint URL fetcher for these protocols only, following no redirects. A certificate
    prints values people typed (names, units, course titles); they are escaped, but should markup
    ever slip through, the renderer still reaches no network address and no other file."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=set(protocols), allow_redirects=False)


def _document_url_fetcher() -> Any:
    """The certificate's markup embeds its only image (the QR code) as a data URI."""
    if "document_url_fetcher" not in _weasy_state:
        _weasy_state["document_url_fetcher"] = _url_fetcher("data")
    return _weasy_state["document_url_fetcher"]


def _tree_document_class() -> Any:
    """A WeasyPrint ``HTML`` made from an already parsed tree, styled with the certificate's cut-down
    user-agent stylesheet; it sets the attributes ``HTML.__init__`` sets after parsing."""
    if "tree_document" not in _weasy_state:
        import cssselect2
        from weasyprint import HTML

        class TreeDocument(HTML):  # type: ignore[misc]  # weasyprint ships no type hints
            def __init__(self, root: Any, base_url: str, ua_css: Any) -> None:
                self.base_url = base_url
                self.url_fetcher = _document_url_fetcher()
                self.media_type = "print"
                self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
                self.etree_element = self.wrapper_element.etree_element
                self.ua_css = ua_css

            def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                return [self.ua_css]

        _weasy_state["tree_document"] = TreeDocument
    return _weasy_state["tree_document"]


def _document(html: str, ua_css: Any) -> Any:
    """The WeasyPrint document of the certificate's markup, parsed by expat (C) instead of WeasyPrint's
    pure-Python HTML5 parser (a twentieth of a render) and styled with the certificate's own cut-down
    user-agent stylesheet (another twentieth). certificate.html is written as well-formed XHTML for
    this; should a value ever make it ill-formed, the HTML5 parser takes it as before. A test holds
    both paths' pages equal."""
    from defusedxml import DefusedXmlException, ElementTree

    base_url = Path(settings.BASE_DIR).as_uri() + "/"
    try:
        root = ElementTree.fromstring(html)
    except (ElementTree.ParseError, DefusedXmlException):
        from weasyprint import HTML

        logger.warning("certificate markup is not well-formed XML; rendering it through the HTML5 parser")
        return HTML(string=html, base_url=base_url, url_fetcher=_document_url_fetcher())
    return _tree_document_class()(root, base_url, ua_css)


def qr_data_uri(url: str) -> str:
    """A PNG of one pixel per module (WeasyPrint decodes a PNG far faster than it parses an SVG path
    of every module). The stylesheet sizes it and sets ``image-rendering: pixelated``, so the PDF
    embeds 33 x 33 pixels drawn without interpolation: as sharp as a bigger image, and at scale 8 the
    image alone was 200 KiB of pixels to re-encode on every render."""
    return segno.make_qr(url, error="m").png_data_uri(scale=1, border=0)


def certificate_html(certificate: Certificate) -> str:
    record = certificate.record
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "certificates/certificate.html",
            {
                "record": record,
                "issued_on": datetime.date.fromisoformat(record["issued_on"]),
                "qr": qr_data_uri(record["verification_url"]),
                "category_labels": {key: str(label) for key, label in CATEGORY_LABELS.items()},
            },
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector for one render, then sweeps the young generation once.

    A render makes some hundred thousand objects (boxes, computed styles, text layouts), about
    15,000 of them in reference cycles WeasyPrint leaves to the collector. Left running, the
    collector walks the live box tree dozens of times a render and promotes it to the oldest
    generation, whose full collections then cost more than a render: a third of the time on
    average and most of the slowest renders. One sweep of the young generation afterwards frees the
    render's cycles, so memory stays flat."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
            gc.collect(0)


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """Renders the certificate as issued (its record, never the live ledger)."""
    html = certificate_html(certificate)
    with _render_lock, _collector_paused():
        font_config, css, ua_css = _stylesheet()
        return _document(html, ua_css).write_pdf(stylesheets=[css], font_config=font_config)


def certificate_file_name(certificate: Certificate) -> str:
    return f"学时证明-{certificate.year}-{certificate.record.get('name', '')}-{certificate.number}.pdf"


def _pdf_stored(certificate: Certificate) -> bool:
    name = certificate.pdf.name
    return bool(certificate.is_rendered and name and certificate.pdf.storage.exists(name))


def certificate_render(*, certificate_id: int) -> Certificate:
    """Renders and stores the PDF once; a certificate already rendered is left as it is (idempotent)."""
    certificate = Certificate.objects.get(pk=certificate_id)
    if _pdf_stored(certificate):
        return certificate
    content = certificate_pdf_bytes(certificate)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if _pdf_stored(certificate):
            return certificate
        certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(content), save=False)
        certificate.rendered_at = timezone.now()
        certificate.save(update_fields=["pdf", "rendered_at"])
    return certificate


def certificate_pdf(certificate: Certificate) -> bytes:
    """The stored PDF, rendered now if the task has not run yet (or the file went missing)."""
    if not _pdf_stored(certificate):
        certificate = certificate_render(certificate_id=certificate.pk)
    with certificate.pdf.open("rb") as handle:
        return handle.read()


# --- Standing ----------------------------------------------------------------------------------------


class Standing:
    VALID = "valid"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


STANDING_LABELS = {
    Standing.VALID: _("有效"),
    Standing.SUPERSEDED: _("已被取代"),
    Standing.REVOKED: _("已撤销"),
}
STANDING_EXPLANATIONS = {
    Standing.VALID: _("该学时证明与平台当前记录一致，真实有效。"),
    Standing.SUPERSEDED: _(
        "出具该证明后，该人员本年度的学时记录已发生变化（新增或更正学时），或已出具更新的学时证明。"
        "以下为出具时的原始内容，请以最新的学时证明为准。"
    ),
    Standing.REVOKED: _(
        "该证明所依据的学时申报已被撤销（如经核查为虚假申报并计入诚信档案），该证明不再有效。"
        "以下为出具时的原始内容。"
    ),
}


@dataclass(frozen=True)
class CertificateStanding:
    status: str
    since: datetime.datetime | None = None

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self.status])

    @property
    def explanation(self) -> str:
        return str(STANDING_EXPLANATIONS[self.status])

    @property
    def is_valid(self) -> bool:
        return self.status == Standing.VALID


def certificate_standing(certificate: Certificate) -> CertificateStanding:
    """Revoked, superseded or valid, from the ledger and the claims now (see the module docstring)."""
    if certificate.claim_ids:
        revoked = (
            Claim.objects.filter(pk__in=certificate.claim_ids, status=ClaimStatus.REVOKED)
            .order_by("decided_at", "pk")
            .first()
        )
        if revoked is not None:
            return CertificateStanding(Standing.REVOKED, revoked.decided_at)
    newer = (
        Certificate.objects.filter(person_id=certificate.person_id, year=certificate.year)
        .filter(
            Q(issued_at__gt=certificate.issued_at) | Q(issued_at=certificate.issued_at, pk__gt=certificate.pk)
        )
        .order_by("issued_at")
        .values_list("issued_at", flat=True)
        .first()
    )
    if newer is not None:
        return CertificateStanding(Standing.SUPERSEDED, newer)
    person = User.objects.get(pk=certificate.person_id)
    if current_digest(person, certificate.year) != certificate.ledger_digest:
        changed = (
            LedgerEntry.objects.filter(person_id=certificate.person_id, year=certificate.year)
            .filter(created_at__gt=certificate.issued_at)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        return CertificateStanding(Standing.SUPERSEDED, changed)
    return CertificateStanding(Standing.VALID)


# --- Certificates of a whole jurisdiction as one ZIP ------------------------------------------------


def professionals_under(organisation: Organisation) -> QuerySet[User]:
    """Active people with the professional role whose unit lies in the organisation's subtree."""
    return (
        User.objects.filter(
            is_active=True,
            unit__path__startswith=organisation.path,
            role_assignments__role=Role.PROFESSIONAL,
            role_assignments__is_active=True,
        )
        .distinct()
        .order_by("unit__path", "real_name", "pk")
    )


@transaction.atomic
def certificate_batch_start(
    *, actor: User, organisation: Organisation, year: int, base_url: str
) -> ExportJob:
    """Queues a ZIP of the current certificates of everyone in the organisation's subtree (audited)."""
    if not can_batch(actor, organisation):
        raise PermissionDenied(BATCH_NOT_ALLOWED)
    selectors.year_figures(year)  # refuses a year without a rule set
    count = professionals_under(organisation).count()
    if count == 0:
        raise ValidationError(BATCH_EMPTY)
    if count > MAX_BATCH_PEOPLE:
        raise ValidationError(BATCH_TOO_LARGE, params={"count": count, "limit": MAX_BATCH_PEOPLE})
    job = ExportJob.objects.create(
        kind=ExportKind.CERTIFICATE_ZIP,
        year=year,
        organisation=organisation,
        requested_by=actor,
        total=count,
        base_url=_base_url(base_url),
    )
    audit_record(
        actor=actor,
        action="hours.certificate.batch",
        target=job,
        organisation=organisation,
        assignment=account_policies.governing_assignment(actor, organisation, BATCH_ROLES),
        detail={"year": year, "people": count},
    )
    from .tasks import export_run_task

    enqueue_on_commit(export_run_task, job_id=job.pk)
    return job


def _job_progress(job: ExportJob, done: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(done=done)


def certificate_batch_run(*, job: ExportJob) -> None:
    """Issues (or reuses) and renders each person's certificate, writing them into one ZIP on disk.

    Called by ``hours.reports.export_run`` (which owns the job's status); progress every few people.
    """
    people = list(professionals_under(job.organisation).values_list("pk", flat=True))
    ExportJob.objects.filter(pk=job.pk).update(total=len(people))
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, person_id in enumerate(people, start=1):
                person = User.objects.select_related("unit").get(pk=person_id)
                # Issued in the requester's name (``export_run`` has checked they still may), so each
                # certificate's audit record says who asked for it and in which role.
                certificate = certificate_obtain(
                    actor=job.requested_by, person=person, year=job.year, base_url=job.base_url, render=False
                )
                content = certificate_pdf(certificate)
                unit_name = (person.unit.name if person.unit else "") or "—"
                archive.writestr(f"{unit_name}/{certificate_file_name(certificate)}", content)
                if index % BATCH_PROGRESS_EVERY == 0:
                    _job_progress(job, index)
        _job_progress(job, len(people))
        handle.seek(0)
        name = f"学时证明-{job.year}-{job.organisation.name}.zip"
        job.file.save(f"certificates-{job.year}-{job.pk}.zip", File(handle), save=False)
        job.file_name = name
        ExportJob.objects.filter(pk=job.pk).update(file=job.file.name, file_name=name)
