"""Compliance reports (继续教育完成情况统计表) and the export jobs that run long exports in Celery.

The report is one streamed query: people of the jurisdiction joined to their year's ledger entries
(a ``FilteredRelation``, so only that year's rows join), summed per category in the database, read
through a server-side cursor in chunks and written row by row to a write-only workbook. Memory stays
flat whatever the size: only the per-county, per-department and per-unit counters are kept, and the
summary sheets (placed first, for the reader) are filled at the end.

Compliance is computed per row by ``row_is_compliant``, the same rule as ``selectors.YearSummary``:
public hours >= the public requirement, and professional hours >= the professional requirement or a
premium professional course completed that year; requirements are the R1-reduced ones where active.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial, reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connections, transaction
from django.db.models import Count, DecimalField, Exists, FilteredRelation, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import BUREAU_KINDS, Organisation, OrganisationKind, Role, RoleAssignment, User
from accounts.selectors import path_filter
from accounts.services import notify
from jinan_ce.db_routers import report_database
from jinan_ce.queue import enqueue_on_commit
from jinan_ce.spreadsheets import safe_cell

from . import selectors
from .models import (
    PREMIUM_COURSE_RULE_CODE,
    ExportJob,
    ExportKind,
    ExportStatus,
    LedgerCategory,
    RequirementReduction,
    SourceType,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

REPORT_NOT_ALLOWED = _("您无权导出该范围的统计报表。")
EXPORT_FAILED = _("生成失败，请稍后重试或联系技术支持。")
EXPORT_NO_LONGER_ALLOWED = _("申请人已不再管辖该范围，本次导出已取消。")
EXPORT_DONE_TITLE = _("导出文件已生成")
EXPORT_DONE_BODY = _("您申请的“%(kind)s”（%(year)s年度，%(scope)s）已生成，请在%(days)s天内下载。")
#: An export's file is kept this long after it is written, as the notification says, then deleted
#: (``exports_expire``): it holds personal data, and the same export can always be asked for again.
EXPORT_KEEP_DAYS = 7

#: Exports expired per run of ``exports_expire`` (the next run takes the rest).
EXPIRE_BATCH = 1000
#: Up to this many people a report is written during the request; above, a Celery job with progress.
SMALL_REPORT_PEOPLE = 2000
PROGRESS_EVERY = 5000
CHUNK_SIZE = 5000
#: Excel's limit is 1,048,576 rows a sheet: the details continue on a new sheet past this.
ROWS_PER_SHEET = 1_000_000
ZERO = Decimal("0.0")

DETAIL_HEADER = [
    _("姓名"),
    _("身份证号码"),
    _("工作单位"),
    _("主管部门"),
    _("县（市、区）"),
    _("公需科目应修"),
    _("专业科目应修"),
    _("必修课"),
    _("自选课"),
    _("公需学时折算"),
    _("公需科目合计"),
    _("专业科目"),
    _("总学时"),
    _("是否完成"),
]
SUMMARY_HEADER = [_("人数"), _("已完成"), _("未完成"), _("完成率")]
YES, NO = _("是"), _("否")
NO_DEPARTMENT = _("（无主管部门）")


# --- Scope ----------------------------------------------------------------------------------------


def can_report(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return account_policies.governs(user, organisation)


def report_organisations(user: User | AnonymousUser) -> list[Organisation]:
    """Where a report can be asked for: each organisation the user governs through a role, and the
    bureaus and departments under a bureau they staff."""
    if not user.is_authenticated:
        return []
    paths = account_policies.governed_paths(user)
    if not paths:
        return []
    roots = (
        list(Organisation.objects.filter(parent__isnull=True).order_by("path"))
        if "" in paths
        else [
            assignment.organisation
            for assignment in account_policies.active_roles(user)
            if assignment.role in account_policies.GOVERNING_ROLES and assignment.organisation is not None
        ]
    )
    seen = {organisation.pk for organisation in roots}
    result = list(roots)
    for root in roots:
        if root.kind in BUREAU_KINDS:
            below = Organisation.objects.filter(
                path__startswith=root.path,
                kind__in=[*BUREAU_KINDS, OrganisationKind.DEPARTMENT],
            ).exclude(pk__in=seen)
            for organisation in below.order_by("path"):
                seen.add(organisation.pk)
                result.append(organisation)
    return result


def professionals_in(path: str) -> QuerySet[User]:
    is_professional = RoleAssignment.objects.filter(
        user=OuterRef("pk"), role=Role.PROFESSIONAL, is_active=True
    )
    return User.objects.filter(is_active=True, unit__path__startswith=path).filter(Exists(is_professional))


# --- Rows ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ReportRow:
    """One person's line; the sums and compliance are worked out once, at construction (the report
    reads them twice per row, at 500,000 rows)."""

    name: str
    id_number_masked: str
    unit: str
    department: str
    county: str
    unit_id: int
    department_id: int | None
    county_id: int | None
    public_required: Decimal
    professional_required: Decimal
    compulsory: Decimal
    elective: Decimal
    conversion: Decimal
    professional: Decimal
    premium_course_completed: bool
    public: Decimal = field(init=False)
    total: Decimal = field(init=False)
    is_compliant: bool = field(init=False)

    def __post_init__(self) -> None:
        self.public = self.compulsory + self.elective + self.conversion
        self.total = self.public + self.professional
        self.is_compliant = row_is_compliant(
            public=self.public,
            professional=self.professional,
            public_required=self.public_required,
            professional_required=self.professional_required,
            premium_course_completed=self.premium_course_completed,
        )


def row_is_compliant(
    *,
    public: Decimal,
    professional: Decimal,
    public_required: Decimal,
    professional_required: Decimal,
    premium_course_completed: bool,
) -> bool:
    return public >= public_required and (premium_course_completed or professional >= professional_required)


def _decimal(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(value)


def report_queryset(path: str, year: int) -> QuerySet[User]:
    """One row per professional under ``path`` with the year's sums per category (see module doc).

    Only what differs person by person comes from here: where a unit sits (``unit_places``) and the
    R1 reductions (``reductions_in``) are read once, not joined into half a million rows.
    """
    premium = Q(
        year_entries__source_type=SourceType.PROGRAMME, year_entries__rule_code=PREMIUM_COURSE_RULE_CODE
    )

    def category_sum(category: str) -> Coalesce:
        return Coalesce(
            Sum("year_entries__hours", filter=Q(year_entries__category=category)),
            Value(ZERO),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        )

    return (
        professionals_in(path)
        .annotate(year_entries=FilteredRelation("ledger_entries", condition=Q(ledger_entries__year=year)))
        .annotate(
            compulsory=category_sum(LedgerCategory.PUBLIC_COMPULSORY),
            elective=category_sum(LedgerCategory.PUBLIC_ELECTIVE),
            conversion=category_sum(LedgerCategory.PUBLIC_CONVERSION),
            professional_hours=category_sum(LedgerCategory.PROFESSIONAL),
            premium_net=Count("year_entries", filter=premium & Q(year_entries__reverses__isnull=True))
            - Count("year_entries", filter=premium & Q(year_entries__reverses__isnull=False)),
        )
        .order_by("unit__path", "real_name", "pk")
    )


REPORT_COLUMNS = (
    "pk",
    "real_name",
    "id_number_masked",
    "unit_id",
    "compulsory",
    "elective",
    "conversion",
    "professional_hours",
    "premium_net",
)


def report_values(path: str, year: int) -> Iterator[tuple[Any, ...]]:
    """The report query's rows as tuples (``REPORT_COLUMNS``), streamed through a server-side cursor.

    On PostgreSQL the rows come straight from the driver, which already gives ``Decimal`` sums and
    ``int`` counts: Django's iterator would copy each row into a list, call a converter per sum and
    make a tuple again, a few microseconds a row at half a million rows. SQLite (quick local test
    runs) needs Django's converters to turn its sums into ``Decimal``.
    """
    # The replica when one is configured (docs/scaling.md): the city-wide scan never loads the primary.
    alias = report_database()
    queryset = report_queryset(path, year).using(alias).values_list(*REPORT_COLUMNS)
    if connections[alias].vendor != "postgresql":
        yield from queryset.iterator(chunk_size=CHUNK_SIZE)
        return
    sql, params = queryset.query.sql_with_params()
    with connections[alias].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            yield from rows


@dataclass(frozen=True, slots=True)
class UnitPlace:
    """Where a unit sits: its name, its supervising department's and its county's (bureau's)."""

    unit: str
    department: str
    department_id: int | None
    county: str
    county_id: int | None


def unit_places(path: str) -> dict[int, UnitPlace]:
    """Every organisation under ``path`` (people belong to units; a few thousand rows for a city)."""
    places: dict[int, UnitPlace] = {}
    rows = Organisation.objects.filter(path__startswith=path).values_list(
        "pk", "name", "parent_id", "parent__kind", "parent__name", "bureau_id", "bureau__name"
    )
    for pk, name, parent_id, parent_kind, parent_name, county_id, county_name in rows:
        is_department = parent_kind == OrganisationKind.DEPARTMENT
        places[pk] = UnitPlace(
            unit=name,
            department=parent_name if is_department else "",
            department_id=parent_id if is_department else None,
            county=county_name or "",
            county_id=county_id,
        )
    return places


def reductions_in(path: str, year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """person id -> (public, professional) required after an active R1 reduction (one at most)."""
    return {
        person_id: (public, professional)
        for person_id, public, professional in RequirementReduction.objects.filter(
            year=year, is_active=True, person__unit__path__startswith=path
        ).values_list("person_id", "public_required", "professional_required")
    }


def report_rows(path: str, year: int) -> Iterator[ReportRow]:
    """The report's people as ``ReportRow`` objects (the pages that list people behind use these)."""
    figures = selectors.year_figures(year)
    defaults = (figures.public_required, figures.professional_required)
    places = unit_places(path)
    reductions = reductions_in(path, year)
    for (
        pk,
        name,
        masked,
        unit_id,
        compulsory,
        elective,
        conversion,
        professional,
        premium_net,
    ) in report_values(path, year):
        place = places[unit_id]
        public_required, professional_required = reductions.get(pk, defaults)
        yield ReportRow(
            name=name,
            id_number_masked=masked,
            unit=place.unit,
            department=place.department,
            county=place.county,
            unit_id=unit_id,
            department_id=place.department_id,
            county_id=place.county_id,
            public_required=public_required,
            professional_required=professional_required,
            compulsory=compulsory,
            elective=elective,
            conversion=conversion,
            professional=professional,
            premium_course_completed=premium_net > 0,
        )


@dataclass
class Tally:
    label: str
    headcount: int = 0
    compliant: int = 0

    def add(self, is_compliant: bool) -> None:
        self.headcount += 1
        if is_compliant:
            self.compliant += 1

    @property
    def rate(self) -> Decimal:
        if not self.headcount:
            return ZERO
        return (Decimal(self.compliant) * 100 / self.headcount).quantize(Decimal("0.1"))


@dataclass
class Summaries:
    counties: dict[Any, Tally] = field(default_factory=dict)
    departments: dict[Any, Tally] = field(default_factory=dict)
    units: dict[Any, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=lambda: Tally(label=""))

    def add(self, row: ReportRow) -> None:
        compliant = row.is_compliant
        self.overall.add(compliant)
        for tallies, key, label in (
            (self.counties, row.county_id, row.county),
            (self.departments, row.department_id, row.department or str(NO_DEPARTMENT)),
            (self.units, row.unit_id, row.unit),
        ):
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally(label)
            tally.add(compliant)

    def add_unit(self, place: UnitPlace, unit_id: int, headcount: int, compliant: int) -> None:
        """A run of people of one unit at once (the report's rows come unit by unit)."""
        self.overall.headcount += headcount
        self.overall.compliant += compliant
        for tallies, key, label in (
            (self.counties, place.county_id, place.county),
            (self.departments, place.department_id, place.department or str(NO_DEPARTMENT)),
            (self.units, unit_id, place.unit),
        ):
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally(label)
            tally.headcount += headcount
            tally.compliant += compliant


def detail_values(row: ReportRow) -> list[Any]:
    """A ``ReportRow`` as its line on the detail sheet (the same cells ``detail_rows`` makes)."""
    return [
        safe_cell(row.name),
        safe_cell(row.id_number_masked),
        safe_cell(row.unit),
        safe_cell(row.department),
        safe_cell(row.county),
        row.public_required,
        row.professional_required,
        row.compulsory,
        row.elective,
        row.conversion,
        row.public,
        row.professional,
        row.total,
        str(YES if row.is_compliant else NO),
    ]


def detail_rows(path: str, year: int, summaries: Summaries) -> Iterator[list[Any]]:
    """The detail sheet's lines, one per person, in the report's order; fills ``summaries`` as it goes.

    This is ``report_rows`` + ``detail_values`` + ``Summaries.add`` without a per-row object: at
    500,000 rows every call and allocation per row shows against the xlsx writer's own time
    (tests/benchmarks/bench_report.py), and the tests hold both paths to the same figures. Per row
    it unpacks a tuple, adds three sums, compares with the requirement and builds the list the writer
    takes; names of units, departments and counties are looked up (and neutralised) once per unit,
    the R1 reductions once per report, and the tallies are counted per run of one unit's people.
    """
    figures = selectors.year_figures(year)
    defaults = (figures.public_required, figures.professional_required)
    places = unit_places(path)
    reductions = reductions_in(path, year)
    yes, no = str(YES), str(NO)
    unit_id_now: int | None = None
    place: UnitPlace | None = None
    unit = department = county = ""
    headcount = compliant_count = 0
    for (
        pk,
        name,
        masked,
        unit_id,
        compulsory,
        elective,
        conversion,
        professional,
        premium_net,
    ) in report_values(path, year):
        if unit_id != unit_id_now:
            if place is not None and unit_id_now is not None:
                summaries.add_unit(place, unit_id_now, headcount, compliant_count)
            unit_id_now, place = unit_id, places[unit_id]
            unit, department, county = (
                safe_cell(place.unit),
                safe_cell(place.department),
                safe_cell(place.county),
            )
            headcount = compliant_count = 0
        public_required, professional_required = reductions.get(pk, defaults) if reductions else defaults
        public = compulsory + elective + conversion
        compliant = public >= public_required and (premium_net > 0 or professional >= professional_required)
        headcount += 1
        compliant_count += compliant
        yield [
            safe_cell(name),
            safe_cell(masked),
            unit,
            department,
            county,
            public_required,
            professional_required,
            compulsory,
            elective,
            conversion,
            public,
            professional,
            public + professional,
            yes if compliant else no,
        ]
    if place is not None and unit_id_now is not None:
        summaries.add_unit(place, unit_id_now, headcount, compliant_count)


def _summary_rows(tallies: dict[Any, Tally]) -> Iterator[list[Any]]:
    for tally in sorted(tallies.values(), key=lambda tally: tally.label):
        yield [
            safe_cell(tally.label),
            tally.headcount,
            tally.compliant,
            tally.headcount - tally.compliant,
            tally.rate,
        ]


def report_summaries(path: str, year: int) -> Summaries:
    """The report's tallies alone (the dashboards): the same pass, nothing written."""
    summaries = Summaries()
    for _row in detail_rows(path, year, summaries):
        pass
    return summaries


def write_report(destination: Any, path: str, year: int, progress: Any = None) -> Summaries:
    """Writes the workbook to ``destination`` (a path or a binary file); returns the tallies."""
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook(write_only=True)
        sheets = {
            "counties": (workbook.create_sheet(str(_("按县（市、区）汇总"))), _("县（市、区）")),
            "departments": (workbook.create_sheet(str(_("按主管部门汇总"))), _("主管部门")),
            "units": (workbook.create_sheet(str(_("按单位汇总"))), _("工作单位")),
        }
        detail_title = str(_("人员明细"))
        details = workbook.create_sheet(detail_title)
        header = [str(label) for label in DETAIL_HEADER]
        details.append(header)
        summaries = Summaries()
        rows_on_sheet = 0
        sheet_number = 1
        append = details.append
        for count, cells in enumerate(detail_rows(path, year, summaries), start=1):
            if rows_on_sheet >= ROWS_PER_SHEET:
                sheet_number += 1
                details = workbook.create_sheet(f"{detail_title}（{sheet_number}）")
                details.append(header)
                append = details.append
                rows_on_sheet = 0
            append(cells)
            rows_on_sheet += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        for key, (sheet, first_column) in sheets.items():
            sheet.append([str(first_column), *(str(label) for label in SUMMARY_HEADER)])
            for values in _summary_rows(getattr(summaries, key)):
                sheet.append(values)
            overall = summaries.overall
            sheet.append(
                [
                    str(_("合计")),
                    overall.headcount,
                    overall.compliant,
                    overall.headcount - overall.compliant,
                    overall.rate,
                ]
            )
        workbook.save(destination)
    return summaries


def report_file_name(organisation: Organisation, year: int) -> str:
    return f"继续教育完成情况-{year}-{organisation.name}.xlsx"


# --- Services ------------------------------------------------------------------------------------


def _check_report(actor: User, organisation: Organisation, year: int) -> None:
    if not can_report(actor, organisation):
        raise PermissionDenied(REPORT_NOT_ALLOWED)
    selectors.year_figures(year)  # refuses a year without a rule set


def _audit_report(
    actor: User, organisation: Organisation, year: int, people: int, target: Any = None
) -> None:
    audit_record(
        actor=actor,
        action="hours.report.compliance",
        target=target,
        organisation=organisation,
        assignment=account_policies.governing_assignment(actor, organisation),
        detail={"year": year, "people": people, "organisation": organisation.pk},
    )


def compliance_report_is_small(organisation: Organisation) -> bool:
    return professionals_in(organisation.path).count() <= SMALL_REPORT_PEOPLE


@transaction.atomic
def compliance_report_now(*, actor: User, organisation: Organisation, year: int) -> bytes:
    """A small report, written during the request (audited)."""
    _check_report(actor, organisation, year)
    with tempfile.TemporaryFile() as handle:
        summaries = write_report(handle, organisation.path, year)
        handle.seek(0)
        content = handle.read()
    _audit_report(actor, organisation, year, summaries.overall.headcount)
    return content


@transaction.atomic
def compliance_report_start(*, actor: User, organisation: Organisation, year: int) -> ExportJob:
    """A large report as a Celery job with progress (audited)."""
    _check_report(actor, organisation, year)
    count = professionals_in(organisation.path).count()
    job = ExportJob.objects.create(
        kind=ExportKind.COMPLIANCE_REPORT,
        year=year,
        organisation=organisation,
        requested_by=actor,
        total=count,
    )
    _audit_report(actor, organisation, year, count, target=job)
    from .tasks import export_run_task

    enqueue_on_commit(export_run_task, job_id=job.pk)
    return job


def compliance_report_run(*, job: ExportJob) -> None:
    def progress(count: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=count)

    with tempfile.TemporaryFile() as handle:
        summaries = write_report(handle, job.organisation.path, job.year, progress)
        handle.seek(0)
        name = report_file_name(job.organisation, job.year)
        job.file.save(f"compliance-{job.year}-{job.pk}.xlsx", File(handle), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name,
        file_name=name,
        done=summaries.overall.headcount,
        total=summaries.overall.headcount,
    )


def _export_roles(kind: str) -> tuple[str, ...]:
    from .certificates import BATCH_ROLES

    return BATCH_ROLES if kind == ExportKind.CERTIFICATE_ZIP else account_policies.GOVERNING_ROLES


def may_keep_export(user: User, job: ExportJob) -> bool:
    """Whether the requester still governs the job's organisation in a role that may ask for its kind:
    the same test as when it was asked for (``can_report``, ``can_batch``)."""
    return account_policies.governs(user, job.organisation, _export_roles(job.kind))


def exports_visible_to(user: User | AnonymousUser) -> QuerySet[ExportJob]:
    """A job's file is for the person who asked for it, and only while they still govern its organisation
    in a role that may ask for it: a role revoked since (a move, a retirement) takes the files with it."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    conditions = []
    for kind in ExportKind.values:
        paths = account_policies.governed_paths(user, _export_roles(kind))
        governed = path_filter(paths, "organisation__path")
        if governed is not None:
            conditions.append(Q(kind=kind) & governed)
    if not conditions:
        return ExportJob.objects.none()
    return (
        ExportJob.objects.select_related("organisation")
        .filter(requested_by=user)
        .filter(reduce(or_, conditions))
    )


def export_run(*, job_id: int) -> None:
    """Runs a job once: a finished job is left alone, so a redelivered task does nothing."""
    from .certificates import certificate_batch_run

    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .select_related("organisation", "requested_by")
            .get(pk=job_id)
        )
        if job.is_finished:
            return
        if not may_keep_export(job.requested_by, job):
            # Queued before the requester's role was revoked: the data is no longer theirs to take.
            job.status = ExportStatus.FAILED
            job.finished_at = timezone.now()
            with translation.override(settings.LANGUAGE_CODE):
                job.error = str(EXPORT_NO_LONGER_ALLOWED)
            job.save(update_fields=["status", "error", "finished_at"])
            audit_record(
                actor=job.requested_by,
                action="hours.export.cancel",
                target=job,
                organisation=job.organisation,
                result="failure",
                reason=job.error,
                detail={"kind": job.kind, "year": job.year},
            )
            return
        job.status = ExportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        if job.kind == ExportKind.CERTIFICATE_ZIP:
            certificate_batch_run(job=job)
        else:
            compliance_report_run(job=job)
    except Exception:
        logger.exception("export job %s failed", job_id)
        with translation.override(settings.LANGUAGE_CODE):
            ExportJob.objects.filter(pk=job_id).update(
                status=ExportStatus.FAILED, error=str(EXPORT_FAILED), finished_at=timezone.now()
            )
        return
    ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.DONE, finished_at=timezone.now())
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipient=job.requested_by,
            title=str(EXPORT_DONE_TITLE),
            body=str(EXPORT_DONE_BODY)
            % {
                "kind": job.get_kind_display(),
                "year": job.year,
                "scope": job.organisation.name,
                "days": EXPORT_KEEP_DAYS,
            },
            link=f"/hours/exports/{job.pk}/",
        )


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Deletes the files of exports finished more than ``EXPORT_KEEP_DAYS`` ago; each job then reads
    已过期 (audited, the file deleted once that is committed). Run daily by Celery beat; returns how
    many expired."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=EXPORT_KEEP_DAYS)
    due = list(
        ExportJob.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff)
        .order_by("finished_at", "id")
        .values_list("pk", flat=True)[:EXPIRE_BATCH]
    )
    expired = 0
    for job_id in due:
        with transaction.atomic():
            job = (
                ExportJob.objects.select_for_update()
                .select_related("organisation")
                .filter(pk=job_id, status=ExportStatus.DONE)
                .first()
            )
            if job is None:
                continue
            storage, name = job.file.storage, job.file.name
            job.status = ExportStatus.EXPIRED
            job.file = ""
            job.save(update_fields=["status", "file"])
            audit_record(
                actor=None,
                action="hours.export.expire",
                target=job,
                organisation=job.organisation,
                detail={"kind": job.kind, "year": job.year, "file": bool(name)},
            )
            if name:
                transaction.on_commit(partial(storage.delete, name))
        expired += 1
    return expired
