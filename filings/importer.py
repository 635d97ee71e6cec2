"""Running a roster import: parse, check, write, in that order, with progress on the import's row.

- Parsing and checking happen in memory (python-calamine; one query for all the file's ID numbers).
- Writing goes in batches of ``BATCH_ROWS`` data rows, in file order. Each batch is one transaction: it
  takes the batch's advisory lock, re-reads the credits already made for its ID numbers
  (``FOR UPDATE``), writes the new and changed credits, their ledger entries and the batch's report
  rows, and records itself as done with the counters on the import row. A batch is all written or not
  at all. On PostgreSQL three writers (threads with their own connections) take the batches in turn.
- A re-run (the worker was killed, the task was delivered again, staff pressed "retry") parses and
  checks again, then writes only the batches not yet done. Because the credits are also unique per
  scope and ID number, and the ledger per source, nothing can be credited twice even if runs overlap.
- The cancel flag is read at the start of every batch (and between phases).
"""

from __future__ import annotations

import bisect
import gc
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter, itemgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from accounts.services import notify

from . import bulk, ledger, messages, roster, rules, xlsx_guard
from .bulk import insert_rows
from .models import (
    CreditStatus,
    ImportPhase,
    ImportSource,
    ImportStatus,
    IssueKind,
    RosterCredit,
    RosterImport,
    RosterIssue,
    ledger_source_id,
)
from .reports import EXAMPLE_ID_NUMBER

logger = logging.getLogger(__name__)

BATCH_ROWS = 5000
DIGEST_QUERY_CHUNK = 900  # SQLite's bound-parameter limit; PostgreSQL takes them all as one array
PARSED_PROGRESS = 10
CHECKED_PROGRESS = 20


@dataclass
class ImportHooks:
    """Seams for the benchmark (timing each phase) and the tests (a worker "killed" after a batch)."""

    phase_started: Callable[[str], None] | None = None
    phase_finished: Callable[[str], None] | None = None
    after_batch: Callable[[RosterImport, int], None] | None = None


@dataclass
class BatchResult:
    credits_new: list[tuple] = field(default_factory=list)
    credits_changed: list[RosterCredit] = field(default_factory=list)
    ledger_credits: list[ledger.BulkCredit] = field(default_factory=list)
    ledger_reversals: list[ledger.BulkReversal] = field(default_factory=list)
    issues: list[tuple] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "credited": 0,
            "updated": 0,
            "revoked": 0,
            "unchanged": 0,
            "held": 0,
            "error": 0,
        }
    )


# Per new credit; the scope, source, filing, year, revision (1), import and times are the batch's constants.
CREDIT_FIELDS = ("id_number_digest", "id_number_masked", "name", "person", "hours", "status", "row_number")
ISSUE_FIELDS = ("roster_import", "row_number", "kind", "id_number_masked", "name", "hours_text", "message")


def join_reasons(reasons: list[str]) -> str:
    """Several reasons as one sentence: "身份证号码应为18位；姓名为空。"."""
    return "；".join(reason.rstrip("。") for reason in reasons) + "。"


def credit_memo(roster_import: RosterImport) -> str:
    """The ledger memo: what the hours are for, as the person reads it in their hours list."""
    if roster_import.filing_id and roster_import.filing is not None:
        filing = roster_import.filing
        return _("培训备案：%(title)s（%(start)s至%(end)s）") % {
            "title": filing.title,
            "start": filing.start_date.isoformat(),
            "end": filing.end_date.isoformat(),
        }
    return _("%(source)s学时导入（%(year)s年度）") % {
        "source": roster_import.get_source_display(),
        "year": roster_import.year,
    }


def row_rules(roster_import: RosterImport) -> roster.RowRules:
    """What each row must satisfy: PRO-2's daily cap times the filing's days and the filing's dates, or,
    for an industry channel, the year's dates and the same daily cap over the whole year."""
    figures = rules.year_figures(roster_import.year)
    per_day = figures.training_hours_per_day
    keep = {"hours": "%(hours)s", "column": "%(column)s", "value": "%(value)s"}
    if roster_import.source == ImportSource.FILING:
        filing = roster_import.filing
        assert filing is not None
        limit = per_day * filing.training_days
        hours_message = str(messages.ROW_HOURS_OVER_LIMIT) % {
            **keep,
            "days": filing.training_days,
            "per_day": roster.format_hours(per_day),
            "limit": roster.format_hours(limit),
        }
        first, last = filing.start_date, filing.end_date
        date_message = str(messages.ROW_DATE_OUTSIDE_FILING) % {
            **keep,
            "start": first.isoformat(),
            "end": last.isoformat(),
        }
    else:
        import datetime

        first = datetime.date(roster_import.year, 1, 1)
        last = datetime.date(roster_import.year, 12, 31)
        limit = per_day * ((last - first).days + 1)
        hours_message = str(messages.ROW_HOURS_TOO_LARGE) % {**keep, "limit": roster.format_hours(limit)}
        date_message = str(messages.ROW_DATE_OUTSIDE_YEAR) % {**keep, "year": roster_import.year}
    return roster.RowRules(
        hours_limit=limit,
        hours_limit_message=hours_message,
        first_date=first,
        last_date=last,
        date_message=date_message,
        allow_zero_hours=roster_import.is_correction,
        example_id_number=EXAMPLE_ID_NUMBER,
    )


def accounts_by_digest(digests: list[str]) -> dict[str, tuple[int, str]]:
    """{digest: (user id, real name)} for the digests that belong to an account: one query."""
    found: dict[str, tuple[int, str]] = {}
    if not digests:
        return found
    if connection.vendor == "postgresql":
        table = User._meta.db_table
        with connection.cursor() as cursor:
            # "<> ''" lets PostgreSQL use the partial unique index on the digest.
            # One text parameter split by the server: adapting 100,000 strings as an array costs more.
            cursor.execute(
                f"SELECT id_number_digest, id, real_name FROM {table} "  # noqa: S608  # nosec B608 - table from model meta
                "WHERE id_number_digest = ANY(string_to_array(%s, ',')) AND id_number_digest <> ''",
                [",".join(digests)],
            )
            for digest, user_id, real_name in cursor.fetchall():
                found[digest] = (user_id, real_name)
        return found
    for start in range(0, len(digests), DIGEST_QUERY_CHUNK):
        chunk = digests[start : start + DIGEST_QUERY_CHUNK]
        for digest, user_id, real_name in User.objects.filter(id_number_digest__in=chunk).values_list(
            "id_number_digest", "id", "real_name"
        ):
            found[digest] = (user_id, real_name)
    return found


def match_accounts(rows: Sequence[roster.RosterRow]) -> None:
    """Each valid row gets its account, if the ID number has one; a name that differs is a bad row.
    One query for all the rows: looked up batch by batch in the writers instead, 5,000 digests at a
    time, PostgreSQL scanned the whole user table per batch on the benchmark's 100,000 people (the
    planner's choice over 5,000 index probes) and spent more in all than the one look-up."""
    accounts = accounts_by_digest([row.digest for row in rows if row.digest and not row.errors])
    mismatch = str(messages.ROW_NAME_MISMATCH)
    normalise_name = roster.normalise_name
    for row in rows:
        if not row.digest or row.errors:
            continue
        account = accounts.get(row.digest)
        if account is None:
            continue
        row.person_id, real_name = account
        # A name equal to the row's is equal after normalising too (the row's name is normalised).
        if real_name != row.name and normalise_name(real_name) != row.name:
            row.errors.append(mismatch)


# --- Phases and bookkeeping ------------------------------------------------------------------------


def _set_phase(import_id: int, phase: str, progress: int, **fields: object) -> None:
    RosterImport.objects.filter(pk=import_id).update(phase=phase, progress=progress, **fields)


def _cancel_requested(import_id: int) -> bool:
    return bool(RosterImport.objects.filter(pk=import_id, cancel_requested=True).exists())


def _audit_organisation(roster_import: RosterImport):  # type: ignore[no-untyped-def]
    return (
        roster_import.filing.organisation
        if roster_import.filing_id and roster_import.filing
        else roster_import.bureau
    )


@transaction.atomic
def _claim(import_id: int) -> RosterImport | None:
    """Marks the import running; None when there is nothing to do (finished, failed, cancelled)."""
    roster_import = (
        RosterImport.objects.select_for_update(of=("self",))
        .select_related("filing__organisation", "bureau", "created_by")
        .get(pk=import_id)
    )
    if roster_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return None
    if roster_import.cancel_requested:
        _finish(roster_import, ImportStatus.CANCELLED)
        return None
    resumed = roster_import.status == ImportStatus.RUNNING
    roster_import.status = ImportStatus.RUNNING
    roster_import.attempts += 1
    roster_import.started_at = roster_import.started_at or timezone.now()
    roster_import.save(update_fields=["status", "attempts", "started_at"])
    audit_record(
        actor=roster_import.created_by,
        action="filings.roster_import.resume" if resumed else "filings.roster_import.start",
        target=roster_import,
        organisation=_audit_organisation(roster_import),
        detail={"attempt": roster_import.attempts, "checkpoint": roster_import.checkpoint},
    )
    return roster_import


def _finish(roster_import: RosterImport, status: str, failure_message: str = "") -> None:
    """Within the caller's transaction, with the import row locked."""
    roster_import.status = status
    roster_import.phase = ImportPhase.DONE
    roster_import.finished_at = timezone.now()
    roster_import.failure_message = failure_message[:500]
    fields = ["status", "phase", "finished_at", "failure_message"]
    if status == ImportStatus.FINISHED:
        roster_import.progress = 100
        fields.append("progress")
    roster_import.save(update_fields=fields)
    audit_record(
        actor=roster_import.created_by,
        action=f"filings.roster_import.{status}",
        target=roster_import,
        organisation=_audit_organisation(roster_import),
        result="success" if status == ImportStatus.FINISHED else status,
        reason=failure_message,
        detail={
            "total_rows": roster_import.total_rows,
            "credited": roster_import.credited_count,
            "updated": roster_import.updated_count,
            "revoked": roster_import.revoked_count,
            "unchanged": roster_import.unchanged_count,
            "held": roster_import.held_count,
            "errors": roster_import.error_count,
            "checkpoint": roster_import.checkpoint,
        },
    )


@transaction.atomic
def roster_import_fail(*, import_id: int, message: str) -> RosterImport:
    """The import stops for good (a refused file) or until retried (an unexpected error, a time-out)."""
    roster_import = (
        RosterImport.objects.select_for_update(of=("self",))
        .select_related("filing__organisation", "bureau", "created_by")
        .get(pk=import_id)
    )
    if roster_import.is_active:
        _finish(roster_import, ImportStatus.FAILED, message)
    return roster_import


@transaction.atomic
def _finish_run(import_id: int) -> RosterImport:
    roster_import = (
        RosterImport.objects.select_for_update(of=("self",))
        .select_related("filing__organisation", "filing__filed_by", "bureau", "created_by")
        .get(pk=import_id)
    )
    if roster_import.status != ImportStatus.RUNNING:
        return roster_import
    if roster_import.cancel_requested and roster_import.checkpoint < roster_import.total_rows:
        _finish(roster_import, ImportStatus.CANCELLED)
        return roster_import
    _finish(roster_import, ImportStatus.FINISHED)
    filing = roster_import.filing
    if filing is not None and not roster_import.is_correction:
        notify(
            recipient=filing.filed_by,
            title=_("培训学时已导入"),
            body=(
                _("培训“%(title)s”的学员名单已导入：")
                + _("记入 %(credited)s 人，暂存 %(held)s 人，问题行 %(errors)s 行。")
            )
            % {
                "title": filing.title,
                "credited": roster_import.credited_count,
                "held": roster_import.held_count,
                "errors": roster_import.error_count,
            },
            link=f"/filings/{filing.pk}/",
        )
    return roster_import


# --- The run ---------------------------------------------------------------------------------------------


def roster_import_run(*, import_id: int, hooks: ImportHooks | None = None) -> RosterImport:
    """Runs (or resumes) an import to its end. A refused file ends it as failed with the reason; an
    unexpected exception propagates (the task records it), leaving the written batches in place.

    The cyclic garbage collector is paused meanwhile: a 100,000-row roster makes hundreds of thousands
    of small objects, none in reference cycles, and the collector's passes over them cost about a
    third of the checking time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Everything the run stores (ledger memos, report rows, reasons, the notification) is in the
        # platform's language, also when the task runs inside a request (eager Celery).
        with translation.override(settings.LANGUAGE_CODE):
            return _run(import_id, hooks or ImportHooks())
    finally:
        if collecting:
            gc.enable()


def _run(import_id: int, hooks: ImportHooks) -> RosterImport:
    roster_import = _claim(import_id)
    if roster_import is None:
        return RosterImport.objects.get(pk=import_id)

    def started(phase: str) -> None:
        if hooks.phase_started:
            hooks.phase_started(phase)

    def finished(phase: str) -> None:
        if hooks.phase_finished:
            hooks.phase_finished(phase)

    # 1. Parse.
    started(ImportPhase.PARSING)
    _set_phase(import_id, ImportPhase.PARSING, 1)
    try:
        with default_storage.open(str(roster_import.file.name), "rb") as stored:
            data = stored.read()
        xlsx_guard.check_archive(data)
        parsed = roster.parse_workbook(data)
    except ValidationError as error:
        return roster_import_fail(import_id=import_id, message=" ".join(error.messages))
    del data
    finished(ImportPhase.PARSING)
    if _cancel_requested(import_id):
        return _finish_run(import_id)

    # 2. Check.
    started(ImportPhase.VALIDATING)
    _set_phase(import_id, ImportPhase.VALIDATING, PARSED_PROGRESS)
    checked = roster.check_rows(parsed, row_rules(roster_import))
    del parsed
    if not checked.rows:  # only the template's example row
        return roster_import_fail(import_id=import_id, message=str(messages.FILE_NO_ROWS))
    match_accounts(checked.rows)
    _set_phase(import_id, ImportPhase.VALIDATING, CHECKED_PROGRESS, total_rows=checked.total_rows)
    roster_import.total_rows = checked.total_rows
    finished(ImportPhase.VALIDATING)

    # 3. Write, batch by batch, skipping the batches an earlier run committed.
    started(ImportPhase.WRITING)
    _set_phase(import_id, ImportPhase.WRITING, CHECKED_PROGRESS)
    batch_rows = roster_import.batch_rows or BATCH_ROWS
    if not roster_import.batch_rows:
        RosterImport.objects.filter(pk=import_id).update(batch_rows=batch_rows)
    total = checked.total_rows
    done = set(roster_import.done_batches)
    pending = [
        Batch(number, start, min(start + batch_rows, total))
        for number, start in enumerate(range(0, total, batch_rows))
        if number not in done
    ]
    # A first import into an empty scope (the common case) needs no look-up of earlier credits; the
    # unique constraint on (scope, ID number) still stands behind that reasoning.
    lookup_existing = RosterCredit.objects.filter(scope=roster_import.scope).exists()
    context = WriteContext(
        import_id=import_id,
        checked=checked,
        indexes=[row.index for row in checked.rows],
        memo=credit_memo(roster_import),
        lookup_existing=lookup_existing,
    )
    completed = 0

    def batch_done() -> None:
        nonlocal completed
        completed += 1
        if hooks.after_batch:
            hooks.after_batch(roster_import, completed)

    if _writes_in_parallel():
        _write_in_parallel(pending, context, batch_done)
    else:
        for batch in pending:
            if not _write_batch(batch, context):
                break
            batch_done()
    finished(ImportPhase.WRITING)
    return _finish_run(import_id)


@dataclass(frozen=True)
class Batch:
    number: int
    start: int  # data row index, inclusive
    end: int  # exclusive


@dataclass(frozen=True)
class WriteContext:
    import_id: int
    checked: roster.CheckedRoster
    indexes: list[int]
    memo: str
    lookup_existing: bool


WRITERS = 3
_LOCK_NAMESPACE = 0x46 << 56  # advisory lock keys of roster import batches: namespace, import id, batch


def _writes_in_parallel() -> bool:
    """Writers, each with its own connection, keep both cores busy (one formats rows while the
    database indexes the others'). Three rather than two: PostgreSQL does about six times the Python
    work per batch, and with two its backends waited on Python between batches (the benchmark's
    writing phase: 4.2-5.0 s with two writers, 3.0-4.0 s with three, the same CPU in all). Only on
    PostgreSQL, and only when the caller holds no transaction: the writers' connections could not see
    its uncommitted rows (a test inside a transaction, say)."""
    return WRITERS > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block


def _write_in_parallel(pending: list[Batch], context: WriteContext, batch_done: Callable[[], None]) -> None:
    """Writes the batches on ``WRITERS`` threads, calling ``batch_done`` (on this thread) as each commits.
    An error in a writer, or in ``batch_done``, stops the others after their current batch."""
    tasks: queue.SimpleQueue[Batch] = queue.SimpleQueue()
    for batch in pending:
        tasks.put(batch)
    results: queue.SimpleQueue[tuple[Batch, bool | BaseException]] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    batch = tasks.get_nowait()
                except queue.Empty:
                    return
                try:
                    carry_on = _write_batch(batch, context)
                except BaseException as error:  # handed to the main thread, which raises it
                    results.put((batch, error))
                    return
                results.put((batch, carry_on))
                if not carry_on:
                    return
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=work, name=f"roster-import-{context.import_id}-{n}") for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    try:
        for _ in pending:
            _batch, outcome = results.get()
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is False:
                break
            batch_done()
    finally:
        stop.set()
        for thread in threads:
            thread.join()


@transaction.atomic
def _write_batch(batch: Batch, context: WriteContext) -> bool:
    """Writes the outcome of one batch of data rows; False when the run must stop (cancelled, or no
    longer running). A batch another run committed meanwhile is skipped."""
    import_id = context.import_id
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One writer per batch, whichever run it belongs to (a task delivered twice).
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [_LOCK_NAMESPACE | (import_id << 16) | batch.number]
            )
            # Foreign keys are checked row by row while COPY streams (on the database's core, as Python
            # formats the next rows) instead of all at once at commit, when Python waits.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    roster_import = RosterImport.objects.select_related("created_by", "bureau").get(pk=import_id)
    if roster_import.status != ImportStatus.RUNNING or roster_import.cancel_requested:
        return False
    if batch.number in roster_import.done_batches:
        return True
    checked, indexes = context.checked, context.indexes
    rows = checked.rows[bisect.bisect_left(indexes, batch.start) : bisect.bisect_left(indexes, batch.end)]
    result = _classify(roster_import, rows, context.memo, lookup_existing=context.lookup_existing)
    now = timezone.now()
    # In ID-number-digest order: the unique index on (scope, digest) is then filled in order, not at
    # random places, which makes the insert about a third cheaper.
    result.credits_new.sort(key=itemgetter(0))
    _insert_credits(roster_import, result.credits_new, now)
    if result.credits_changed:
        RosterCredit.objects.bulk_update(
            result.credits_changed,
            ["person", "hours", "status", "revision", "last_import", "row_number", "name", "updated_at"],
        )
    actor, on_record = roster_import.created_by, ledger.on_record_for(roster_import)
    ledger.reverse_credits(
        result.ledger_reversals,
        actor=actor,
        reason=_("更正导入：%(file)s") % {"file": roster_import.original_name},
        on_record=on_record,
    )
    result.ledger_credits.sort(key=attrgetter("person_id"))  # the ledger's indexes all lead with the person
    ledger.post_credits(result.ledger_credits, actor=actor, on_record=on_record)
    if result.issues:
        insert_rows(RosterIssue, ISSUE_FIELDS, result.issues)
    # The counters last, under the import row's lock (held until this batch commits, a moment later).
    locked = RosterImport.objects.select_for_update(of=("self",)).get(pk=import_id)
    counts = result.counts
    locked.credited_count += counts["credited"]
    locked.updated_count += counts["updated"]
    locked.revoked_count += counts["revoked"]
    locked.unchanged_count += counts["unchanged"]
    locked.held_count += counts["held"]
    locked.error_count += counts["error"]
    locked.done_batches = sorted({*locked.done_batches, batch.number})
    locked.checkpoint += batch.end - batch.start
    total = max(checked.total_rows, 1)
    locked.progress = min(99, CHECKED_PROGRESS + (100 - CHECKED_PROGRESS) * locked.checkpoint // total)
    locked.save(
        update_fields=[
            "credited_count",
            "updated_count",
            "revoked_count",
            "unchanged_count",
            "held_count",
            "error_count",
            "done_batches",
            "checkpoint",
            "progress",
        ]
    )
    return True


NULL = "\\N"


def _insert_credits(roster_import: RosterImport, credits_new: list[tuple], now: object) -> None:
    constants = {
        "scope": roster_import.scope,
        "source": roster_import.source,
        "filing": roster_import.filing_id,
        "year": roster_import.year,
        "revision": 1,
        "last_import": roster_import.pk,
        "created_at": now,
        "updated_at": now,
    }
    if connection.vendor != "postgresql":
        insert_rows(RosterCredit, CREDIT_FIELDS, credits_new, constants)
        return
    # The lines formatted here, in one f-string each: the digest, the masked number, the status and the
    # numbers need no escaping; the names rarely do (checked for the whole batch at once).
    names = [credit[2] for credit in credits_new]
    joined = "".join(names)
    if not joined.isprintable() or "\\" in joined:
        names = list(map(bulk.escape, names))
    hours_text = {hours: str(hours) for hours in {credit[4] for credit in credits_new}}
    bulk.copy_lines(
        RosterCredit._meta.db_table,
        [bulk.column_of(RosterCredit, name) for name in CREDIT_FIELDS],
        (
            f"{digest}\t{masked}\t{name}\t{NULL if person is None else person}"
            f"\t{hours_text[hours]}\t{status}\t{row}\n"
            for (digest, masked, _name, person, hours, status, row), name in zip(
                credits_new, names, strict=True
            )
        ),
        {bulk.column_of(RosterCredit, name): value for name, value in constants.items()},
    )


def _classify(
    roster_import: RosterImport, rows: list[roster.RosterRow], memo: str, *, lookup_existing: bool = True
) -> BatchResult:
    """Decides each row's outcome against the credits already made for its ID number (locked).
    ``lookup_existing=False`` when the scope had no credit at all as this run began writing: then no row
    of this run can have one (each ID number appears once), and the look-up is skipped."""
    result = BatchResult()
    scope = roster_import.scope
    valid = [row for row in rows if row.is_valid]
    existing: dict[str, RosterCredit] = {}
    if valid and lookup_existing:
        existing = {
            credit.id_number_digest: credit
            for credit in RosterCredit.objects.select_for_update().filter(
                scope=scope, id_number_digest__in=[row.digest for row in valid]
            )
        }
    now = timezone.now()
    is_correction = roster_import.is_correction
    rule_code = ledger.PRO_2_RULE_CODE if roster_import.source == ImportSource.FILING else ""
    held_text = str(messages.ROW_HELD)
    credited_value, held_value = CreditStatus.CREDITED.value, CreditStatus.HELD.value
    already_text = str(messages.ROW_ALREADY_CREDITED_DIFFERENT)
    nothing_to_revoke = str(messages.ROW_REVOKE_NOTHING)
    updated_text = str(messages.ROW_UPDATED)
    revoked_text = str(messages.ROW_REVOKED)
    zero = Decimal(0)
    counts = result.counts

    def issue(row: roster.RosterRow, kind: str, message: str) -> None:
        result.issues.append(
            (roster_import.pk, row.row_number, kind, row.masked, row.name, row.hours_text, message[:300])
        )

    year = roster_import.year
    make_credit = ledger.credit_maker(year=year, memo=memo, rule_code=rule_code)
    ledger_credits = result.ledger_credits
    source_prefix = f"{scope}:p"  # models.ledger_source_id, inlined for the new credits below

    def post(person_id: int, hours: Decimal, revision: int) -> None:
        ledger_credits.append(make_credit(person_id, hours, ledger_source_id(scope, person_id, revision)))

    credits_new = result.credits_new
    credited = held = 0
    for row in rows:
        if row.errors:
            counts["error"] += 1
            issue(row, IssueKind.ERROR, join_reasons(row.errors))
            continue
        hours = row.hours
        assert hours is not None
        credit = existing.get(row.digest) if existing else None
        if credit is None:
            if hours == zero:
                counts["error"] += 1
                issue(row, IssueKind.ERROR, nothing_to_revoke)
                continue
            person_id = row.person_id
            if person_id:
                credits_new.append(
                    (row.digest, row.masked, row.name, person_id, hours, credited_value, row.row_number)
                )
                credited += 1
                ledger_credits.append(make_credit(person_id, hours, f"{source_prefix}{person_id:010d}:r1"))
            else:
                credits_new.append(
                    (row.digest, row.masked, row.name, person_id, hours, held_value, row.row_number)
                )
                held += 1
                issue(row, IssueKind.HELD, held_text)
            continue
        current = credit.hours if credit.status != CreditStatus.REVOKED else zero
        attach_now = credit.status == CreditStatus.HELD and row.person_id is not None
        if hours == current and not attach_now:
            counts["unchanged"] += 1
            continue
        if not is_correction and hours != current:
            counts["error"] += 1
            issue(row, IssueKind.ERROR, already_text % {"hours": roster.format_hours(current)})
            continue
        # A correction, or a held credit whose person has registered meanwhile: replace the credit. What
        # was posted is reversed; what is posted now carries the next revision in its source id.
        if credit.status == CreditStatus.CREDITED and credit.person_id is not None:
            result.ledger_reversals.append(
                ledger.reversal(
                    person_id=credit.person_id,
                    source_id=ledger_source_id(scope, credit.person_id, credit.revision),
                )
            )
        if hours == zero:
            credit.status = CreditStatus.REVOKED
            credit.hours = zero
            counts["revoked"] += 1
            issue(row, IssueKind.REVOKED, revoked_text % {"old": roster.format_hours(current)})
        else:
            credit.revision += 1
            credit.hours = hours
            if row.person_id is not None:
                credit.person_id = row.person_id
                credit.status = CreditStatus.CREDITED
                post(row.person_id, hours, credit.revision)
            else:
                credit.status = CreditStatus.HELD
            if attach_now and hours == current:
                counts["credited"] += 1
            else:
                counts["updated"] += 1
                issue(
                    row,
                    IssueKind.UPDATED,
                    updated_text % {"old": roster.format_hours(current), "new": roster.format_hours(hours)},
                )
        credit.name = row.name
        credit.row_number = row.row_number
        credit.last_import_id = roster_import.pk
        credit.updated_at = now
        result.credits_changed.append(credit)
    counts["credited"] += credited
    counts["held"] += held
    return result
