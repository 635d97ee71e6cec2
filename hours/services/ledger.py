"""The append-only ledger: the only code that writes ``LedgerEntry`` rows.

Every posting locks the person's row first (``select_for_update``), then reads what the person already
has, applies the caps and writes. Two postings for one person therefore run one after the other and no
cap can be passed, whichever commits first. A source (claim, course completion, roster row, programme
enrolment, adjustment) posts at most one credit per category for a person: the database refuses a
second one (``hours_ledger_one_credit_per_source``), so a retried task or a double click is harmless.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import Organisation, RoleAssignment, User

from .. import selectors
from ..models import LedgerCategory, LedgerEntry, SourceType
from ..rules import RULES, RuleFigures, format_hours, quantize_hours, yearly_cap

LEDGER_ALREADY_REVERSED = gettext_lazy("该学时记录已冲销，不能重复冲销。")
LEDGER_CANNOT_REVERSE_REVERSAL = gettext_lazy("冲销记录本身不能再冲销。")
LEDGER_REASON_REQUIRED = gettext_lazy("请填写冲销原因。")
LEDGER_NOT_ALLOWED = gettext_lazy("只有人员所在地的人力资源社会保障部门可以冲销学时记录。")
LEDGER_BAD_HOURS = "ledger hours must be positive with at most one decimal place: {hours!r}"

LEDGER_CAP_APPLIED = gettext_lazy(
    "%(label)s本年度最多计%(cap)s学时，本次计入%(credited)s学时（完成%(hours)s学时）"
)
LEDGER_REVERSAL_MEMO = gettext_lazy("冲销：%(reason)s")

COURSE_CATEGORY_LABELS: dict[str, object] = {
    LedgerCategory.PUBLIC_COMPULSORY: gettext_lazy("公需科目必修课"),
    LedgerCategory.PUBLIC_ELECTIVE: gettext_lazy("公需科目自选课"),
}


def stored_text(message: object, params: dict[str, object] | None = None) -> str:
    """Text kept in the database (ledger memos, claim reasons) is in the platform's language, whatever
    the language of the request that wrote it."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text % {key: str(value) for key, value in params.items()} if params else text


def lock_person(person_id: int) -> User:
    """Serialises every posting for one person (on SQLite, which has no row locks, writes are serial)."""
    return User.objects.select_for_update().get(pk=person_id)


def _category_total(person_id: int, year: int, category: str) -> Decimal:
    total = LedgerEntry.objects.filter(person_id=person_id, year=year, category=category).aggregate(
        total=Sum("hours")
    )["total"]
    return quantize_hours(Decimal(total or 0))


def _course_cap_of(category: str, figures: RuleFigures) -> Decimal | None:
    """The course route's cap for a course category (compulsory 20, elective 10 in 2024), else None."""
    if category == LedgerCategory.PUBLIC_COMPULSORY:
        return figures.compulsory_course_cap
    if category == LedgerCategory.PUBLIC_ELECTIVE:
        return figures.elective_course_cap
    return None


def existing_credit(*, person_id: int, source_type: str, source_id: str, category: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(
        person_id=person_id,
        source_type=source_type,
        source_id=source_id,
        category=category,
        reverses__isnull=True,
    ).first()


def write_credit(
    *,
    person: User,
    year: int,
    category: str,
    hours: Decimal,
    source_type: str,
    source_id: str,
    memo: str,
    actor: User | None,
    rule_code: str = "",
    evidence_key: str = "",
) -> tuple[LedgerEntry, bool]:
    """Writes one credit (the caller holds the person's lock and has applied the caps).

    Returns (entry, created); when the source already posted to this category, that entry and False:
    the database constraint is the last word even if the caller's check raced.
    """
    entry = LedgerEntry(
        person=person,
        year=year,
        category=category,
        hours=hours,
        rule_code=rule_code,
        source_type=source_type,
        source_id=source_id,
        evidence_key=evidence_key,
        memo=memo[:300],
        created_by=actor if actor is not None and actor.pk else None,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        existing = existing_credit(
            person_id=person.pk, source_type=source_type, source_id=source_id, category=category
        )
        if existing is None:
            raise
        return existing, False
    audit_record(
        actor=actor,
        action="hours.ledger.credit",
        target=entry,
        organisation=person.unit,
        assignment=account_policies.governing_assignment(actor, person.unit) if actor is not None else None,
        detail={
            "person": person.pk,
            "year": year,
            "category": category,
            "hours": str(hours),
            "source": f"{source_type}:{source_id}",
            "rule_code": rule_code,
        },
    )
    return entry, True


@transaction.atomic
def ledger_post_credit(
    *,
    person: User,
    year: int,
    category: str,
    hours: Decimal,
    source_type: str,
    source_id: str | int,
    memo: str,
    actor: User | None,
    rule_code: str = "",
    evidence_key: str = "",
) -> LedgerEntry | None:
    """Credits hours from a course completion, a roster import, a programme or an adjustment.

    The caller authorizes (this is called by other services, and by tasks with ``actor=None``) and
    computes the hours (PRO-2's 8 hours a day through ``hours.rules.training_hours``). Here, under the
    person's lock: the course route's caps (compulsory and elective courses, the year's figures), the
    yearly cap of ``rule_code`` where Annex 1 sets one, and "one credit per piece of evidence".

    ``source_id`` names the source for this person in every year (an enrolment, a roster row, not a
    course): a second posting of the same source and category returns the first, whatever the year.

    Returns the entry; the existing one when this source already posted to this category (idempotent);
    None when nothing can be credited (cap reached, evidence already credited). A credit cut by a cap
    says so in its memo.
    """
    hours = Decimal(hours)
    if not hours.is_finite() or hours <= 0 or quantize_hours(hours) != hours:
        raise ValueError(LEDGER_BAD_HOURS.format(hours=hours))
    if category not in LedgerCategory.values:
        raise ValueError(f"unknown ledger category {category!r}")
    if source_type not in SourceType.values:
        raise ValueError(f"unknown ledger source type {source_type!r}")
    source_id = str(source_id)
    figures = selectors.year_figures(year)  # refuses a year without a rule set
    locked = lock_person(person.pk)
    existing = existing_credit(
        person_id=locked.pk, source_type=source_type, source_id=source_id, category=category
    )
    if existing is not None:
        return existing
    if evidence_key and evidence_key in selectors.prior_credits(locked.pk, year).evidence_keys:
        return None
    notes: list[str] = []
    caps: list[tuple[str, Decimal, Decimal]] = []
    course_cap = _course_cap_of(category, figures)
    if course_cap is not None:
        caps.append(
            (
                stored_text(COURSE_CATEGORY_LABELS[category]),
                course_cap,
                _category_total(locked.pk, year, category),
            )
        )
    rule_cap = yearly_cap(rule_code, figures) if rule_code in RULES else None
    if rule_cap is not None:
        prior = selectors.prior_credits(locked.pk, year).hours_for(rule_code)
        caps.append((RULES[rule_code].title, rule_cap, prior))
    credited = hours
    for label, cap, prior in caps:
        room = max(cap - prior, Decimal(0))
        if room <= 0:
            return None
        if credited > room:
            notes.append(
                stored_text(
                    LEDGER_CAP_APPLIED,
                    {
                        "label": label,
                        "cap": format_hours(cap),
                        "credited": format_hours(room),
                        "hours": format_hours(hours),
                    },
                )
            )
            credited = room
    entry, _created = write_credit(
        person=locked,
        year=year,
        category=category,
        hours=quantize_hours(credited),
        source_type=source_type,
        source_id=source_id,
        memo="；".join([memo, *notes]) if notes else memo,
        actor=actor,
        rule_code=rule_code,
        evidence_key=evidence_key,
    )
    return entry


def reverse_entry(*, entry: LedgerEntry, actor: User | None, reason: str) -> LedgerEntry:
    """Writes the reversal of ``entry`` (the caller holds the person's lock and has authorized)."""
    if entry.reverses_id is not None:
        raise ValidationError(LEDGER_CANNOT_REVERSE_REVERSAL)
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(LEDGER_ALREADY_REVERSED)
    reversal = LedgerEntry(
        person_id=entry.person_id,
        year=entry.year,
        category=entry.category,
        hours=-entry.hours,
        rule_code=entry.rule_code,
        source_type=entry.source_type,
        source_id=entry.source_id,
        evidence_key=entry.evidence_key,
        reverses=entry,
        memo=stored_text(LEDGER_REVERSAL_MEMO, {"reason": reason})[:300],
        created_by=actor if actor is not None and actor.pk else None,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError as error:  # reversed by someone else at the same moment
        raise ValidationError(LEDGER_ALREADY_REVERSED) from error
    person = User.objects.select_related("unit").get(pk=entry.person_id)
    audit_record(
        actor=actor,
        action="hours.ledger.reverse",
        target=reversal,
        organisation=person.unit,
        assignment=account_policies.governing_assignment(actor, person.unit) if actor is not None else None,
        reason=reason,
        detail={
            "reverses": entry.pk,
            "hours": str(reversal.hours),
            "source": f"{entry.source_type}:{entry.source_id}",
        },
    )
    return reversal


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, actor: User | None, reason: str) -> LedgerEntry:
    """Cancels a credit with a reversal entry: the person's HR bureau (or the platform admin) corrects
    imports and adjustments this way; ``actor=None`` for system tasks. Claims are reversed through
    ``claim_reverse_posting``, which also revokes the claim."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": LEDGER_REASON_REQUIRED})
    person = lock_person(entry.person_id)
    if actor is not None and not (
        account_policies.is_platform_admin(actor)
        or account_policies.governs(actor, person.unit, account_policies.BUREAU_ROLES)
    ):
        raise PermissionDenied(LEDGER_NOT_ALLOWED)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    return reverse_entry(entry=entry, actor=actor, reason=reason)


# --- Bulk postings (roster imports) ------------------------------------------------------------------

_CREDIT_FIELDS = ("person_id", "year", "category", "hours", "source_type", "source_id", "memo", "rule_code")
_REVERSAL_FIELDS = ("person_id", "source_type", "source_id", "category")
_BULK_BATCH = 1000


def _as_record(item: Any, names: tuple[str, ...], defaults: dict[str, Any]) -> dict[str, Any]:
    """An item by attribute (dataclass, named tuple) or by position (plain tuple)."""
    if isinstance(item, tuple) and not hasattr(item, "_fields"):
        values = dict(zip(names, item, strict=False))
    else:
        values = {name: getattr(item, name) for name in names if hasattr(item, name)}
    record = {**defaults, **values}
    missing = [name for name in names if name not in record]
    if missing:
        raise ValueError(f"bulk ledger item lacks {', '.join(missing)}: {item!r}")
    return record


def _lock_people(person_ids: set[int]) -> dict[int, User]:
    """Locks every person of a batch in one query, in id order (two imports never deadlock)."""
    people = User.objects.select_for_update().filter(pk__in=person_ids).order_by("pk")
    return {person.pk: person for person in people}


@dataclass(frozen=True)
class BulkOnRecord:
    """What a bulk posting's one audit record says besides the actor: where it was done (its
    organisation scopes the bureaus' audit view, e.g. the importing bureau) and in which role."""

    organisation: Organisation | None = None
    assignment: RoleAssignment | None = None
    role: str = ""


NOTHING_MORE_ON_RECORD = BulkOnRecord()


@transaction.atomic
def ledger_post_credits_bulk(
    *, credits: Sequence[Any], actor: User | None, on_record: BulkOnRecord | None = None
) -> int:
    """``ledger_post_credit`` for a whole roster import: the same caps, the same "one credit per source"
    and the same locks, in a fixed number of queries per batch (lock, prior sums, sources already
    posted, insert) and one audit record. Returns how many entries were written.

    Items have ``person_id, year, category, hours, source_type, source_id, memo`` and optionally
    ``rule_code``/``evidence_key`` (attributes, or a plain tuple in that order). A source already posted
    to the category, or repeated in the batch, is skipped; a credit past a cap is cut or skipped.

    On PostgreSQL a batch that no cap and no evidence key can touch (PRO-2 training, the industry
    channels) is written with COPY instead (``_post_credits_by_copy``): same rows, same audit record.
    """
    on_record = on_record or NOTHING_MORE_ON_RECORD
    written = _post_credits_by_copy(credits, actor, on_record)
    if written is not None:
        return written
    return _post_credits_checked(credits, actor, on_record)


def _post_credits_checked(
    credits: Sequence[Any], actor: User | None, on_record: BulkOnRecord = NOTHING_MORE_ON_RECORD
) -> int:
    """The general bulk posting: people locked, prior sums read, caps applied row by row in Python."""
    records = [
        _as_record(item, _CREDIT_FIELDS, {"rule_code": "", "evidence_key": getattr(item, "evidence_key", "")})
        for item in credits
    ]
    if not records:
        return 0
    for record in records:
        hours = Decimal(record["hours"])
        if not hours.is_finite() or hours <= 0 or quantize_hours(hours) != hours:
            raise ValueError(LEDGER_BAD_HOURS.format(hours=hours))
        if record["category"] not in LedgerCategory.values or record["source_type"] not in SourceType.values:
            raise ValueError(f"bad ledger category or source type: {record!r}")
        record["hours"], record["source_id"] = hours, str(record["source_id"])
    years = {record["year"] for record in records}
    figures = {year: selectors.year_figures(year) for year in years}  # refuses a year without rules
    people = _lock_people({record["person_id"] for record in records})
    person_ids = list(people)

    # What the people already have: sums per (person, year, category) and per (person, year, rule).
    category_totals: dict[tuple[int, int, str], Decimal] = {}
    rule_totals: dict[tuple[int, int, str], Decimal] = {}
    sums = (
        LedgerEntry.objects.filter(person_id__in=person_ids, year__in=years)
        .values("person_id", "year", "category", "rule_code")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in sums:
        total = Decimal(row["total"])
        by_category = (row["person_id"], row["year"], row["category"])
        by_rule = (row["person_id"], row["year"], row["rule_code"])
        category_totals[by_category] = category_totals.get(by_category, Decimal(0)) + total
        rule_totals[by_rule] = rule_totals.get(by_rule, Decimal(0)) + total
    posted = set(
        LedgerEntry.objects.filter(
            person_id__in=person_ids,
            source_type__in={record["source_type"] for record in records},
            source_id__in={record["source_id"] for record in records},
            reverses__isnull=True,
        ).values_list("person_id", "source_type", "source_id", "category")
    )
    evidence: dict[int, frozenset[str]] = {}

    entries: list[LedgerEntry] = []
    for record in records:
        person_id, year, category = record["person_id"], record["year"], record["category"]
        if person_id not in people:
            raise User.DoesNotExist(f"no person {person_id}")
        source = (person_id, record["source_type"], record["source_id"], category)
        if source in posted:
            continue
        key = record["evidence_key"]
        if key:
            if person_id not in evidence:
                evidence[person_id] = frozenset(selectors.prior_credits(person_id, year).evidence_keys)
            if key in evidence[person_id]:
                continue
        credited, notes = record["hours"], []
        caps: list[tuple[str, Decimal, Decimal]] = []
        year_figures = figures[year]
        course_cap = _course_cap_of(category, year_figures)
        if course_cap is not None:
            already = category_totals.get((person_id, year, category), Decimal(0))
            caps.append((stored_text(COURSE_CATEGORY_LABELS[category]), course_cap, already))
        rule_code = record["rule_code"]
        rule_cap = yearly_cap(rule_code, year_figures) if rule_code in RULES else None
        if rule_cap is not None:
            caps.append(
                (RULES[rule_code].title, rule_cap, rule_totals.get((person_id, year, rule_code), Decimal(0)))
            )
        skipped = False
        for label, cap, already in caps:
            room = max(cap - already, Decimal(0))
            if room <= 0:
                skipped = True
                break
            if credited > room:
                notes.append(
                    stored_text(
                        LEDGER_CAP_APPLIED,
                        {
                            "label": label,
                            "cap": format_hours(cap),
                            "credited": format_hours(room),
                            # the hours asked for, as the one-by-one path writes it
                            "hours": format_hours(record["hours"]),
                        },
                    )
                )
                credited = room
        if skipped:
            continue
        credited = quantize_hours(credited)
        posted.add(source)
        if key:
            evidence[person_id] = evidence[person_id] | {key}
        by_category, by_rule = (person_id, year, category), (person_id, year, rule_code)
        category_totals[by_category] = category_totals.get(by_category, Decimal(0)) + credited
        rule_totals[by_rule] = rule_totals.get(by_rule, Decimal(0)) + credited
        entries.append(
            LedgerEntry(
                person_id=person_id,
                year=year,
                category=category,
                hours=credited,
                rule_code=rule_code,
                source_type=record["source_type"],
                source_id=record["source_id"],
                evidence_key=key,
                memo="；".join([record["memo"], *notes])[:300],
                created_by=actor if actor is not None and actor.pk else None,
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=_BULK_BATCH)
    if entries:
        _audit_bulk_credit(
            actor,
            on_record,
            entries=len(entries),
            people={entry.person_id for entry in entries},
            hours=sum((entry.hours for entry in entries), Decimal(0)),
            sources={f"{entry.source_type}:{entry.source_id}" for entry in entries},
        )
    return len(entries)


def _audit_bulk_credit(
    actor: User | None,
    on_record: BulkOnRecord,
    *,
    entries: int,
    people: set[int],
    hours: Decimal,
    sources: set[str],
) -> None:
    audit_record(
        actor=actor,
        action="hours.ledger.credit_bulk",
        organisation=on_record.organisation,
        assignment=on_record.assignment,
        role=on_record.role,
        detail={
            "entries": entries,
            "people": len(people),
            "hours": str(hours),
            "sources": heapq.nsmallest(20, sources),  # the first 20 in sorted order
        },
    )


# --- The COPY fast path ------------------------------------------------------------------------------

# The columns the fast path writes per row, in COPY's order, and those that are the same on every row.
_COPY_COLUMNS = ("person_id", "year", "category", "hours", "rule_code", "source_type", "source_id", "memo")
_COPY_CONSTANTS = ("evidence_key", "created_at", "created_by_id")
_COPY_CHUNK = 64 * 1024  # characters sent to the server at a time
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_REQUIRED = attrgetter("person_id", "year", "category", "hours", "source_type", "source_id", "memo")


def _copy_text(value: str) -> str:
    """A string in COPY's text format (most need no escaping: tabs and newlines are not printable)."""
    return value if value.isprintable() and "\\" not in value else value.translate(_COPY_ESCAPES)


def _fields_of(item: Any) -> tuple[Any, ...]:
    """(person_id, year, category, hours, source_type, source_id, memo, rule_code, evidence_key) of an
    item, as ``_as_record`` reads it; AttributeError/IndexError when it lacks one (the general path then
    refuses it with its own message)."""
    if isinstance(item, tuple) and not hasattr(item, "_fields"):
        if len(item) < len(_CREDIT_FIELDS) - 1:
            raise IndexError(len(item))
        return (*item[:7], item[7] if len(item) > 7 else "", "")
    return (*_REQUIRED(item), getattr(item, "rule_code", ""), getattr(item, "evidence_key", ""))


def _rows_of(credits: Sequence[Any]) -> Sequence[tuple[Any, ...]]:
    """The items as tuples whose first eight values are ``_CREDIT_FIELDS`` and whose ninth, if any, is
    the evidence key. Named tuples laid out that way (the roster import's) are taken as they are; any
    other item is read by ``_fields_of``."""
    kinds = set(map(type, credits))
    if len(kinds) == 1:
        fields = getattr(next(iter(kinds)), "_fields", None)
        if isinstance(fields, tuple) and fields[:8] == _CREDIT_FIELDS and "evidence_key" not in fields:
            return [item[:8] for item in credits] if len(fields) > 8 else credits
    return [_fields_of(item) for item in credits]


def _post_credits_by_copy(
    credits: Sequence[Any], actor: User | None, on_record: BulkOnRecord = NOTHING_MORE_ON_RECORD
) -> int | None:
    """Writes ``credits`` with COPY when that provably gives what ``_post_credits_checked`` would, and
    returns how many were written; None (nothing written) when the general path must do it.

    Provably the same when: the database is PostgreSQL; every item is well formed (the general path
    refuses bad ones with its messages); no item has an evidence key or falls under a cap (a course
    category, or a rule with a yearly cap in the item's year), so no person's earlier entries can change
    an outcome and no lock on the person is needed (an uncapped credit never enters anyone else's cap
    either: caps are per course category and per rule); every person exists; and no source has posted
    before, nor twice in the batch. The last is left to the database: the COPY runs in a savepoint,
    the unique index ``hours_ledger_one_credit_per_source`` refuses it, the savepoint is rolled back and
    the general path posts the batch, skipping those sources.

    The items are checked column by column, each distinct value once: a roster batch repeats its year,
    category, hours, rule and memo on every row.
    """
    if not credits or connection.vendor != "postgresql":
        return None
    try:
        rows = _rows_of(credits)
    except (AttributeError, IndexError):
        return None
    columns = list(zip(*rows, strict=False))
    person_ids, years, categories, hours_column, source_types, source_ids, memos, rule_codes = columns[:8]
    if len(columns) > 8 and any(columns[8]):  # an evidence key
        return None
    try:
        people = set(person_ids)
        distinct_memos = set(memos)
        distinct_source_types = set(source_types)
        distinct_hours = set(hours_column)
        distinct_rules = set(zip(years, categories, rule_codes, strict=True))
    except TypeError:  # an unhashable value: the general path says what is wrong with it
        return None
    if not all(isinstance(memo, str) for memo in distinct_memos):
        return None
    if not all(isinstance(person_id, int) for person_id in people):
        return None
    allowed_source_types = set(SourceType.values)
    if not all(source_type in allowed_source_types for source_type in distinct_source_types):
        return None
    hours_text: dict[Any, str] = {}
    for hours in distinct_hours:
        try:
            value = Decimal(hours)
        except (TypeError, ArithmeticError):
            return None
        if not value.is_finite() or value <= 0 or quantize_hours(value) != value:
            return None
        hours_text[hours] = str(quantize_hours(value))
    categories_allowed = set(LedgerCategory.values)
    for year, category, rule_code in distinct_rules:
        if category not in categories_allowed or not isinstance(rule_code, str):
            return None
        try:
            figures = selectors.year_figures(year)
        except selectors.YearRulesMissingError:  # the general path raises it
            return None
        if _course_cap_of(category, figures) is not None:
            return None
        if rule_code in RULES and yearly_cap(rule_code, figures) is not None:
            return None
    if not _all_people_exist(people):
        return None
    actor_id = actor.pk if actor is not None and actor.pk else None
    try:
        with transaction.atomic():
            written = _copy_credits(rows, hours_text, actor_id)
    except IntegrityError:  # a source posted before, or twice in this batch
        return None
    total = Decimal(0)
    for hours, count in Counter(hours_column).items():
        total += Decimal(hours_text[hours]) * count
    _audit_bulk_credit(
        actor,
        on_record,
        entries=written,
        people=people,
        hours=total,
        sources={
            f"{source_type}:{source_id}"
            for source_type, source_id in zip(source_types, source_ids, strict=True)
        },
    )
    return written


def _all_people_exist(people: set[int]) -> bool:
    """One query: does every id name a person? (The general path says which one does not.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {User._meta.db_table} "  # noqa: S608  # nosec B608 - table from model meta
            "WHERE id = ANY(string_to_array(%s, ',')::bigint[])",
            [",".join(map(str, people))],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == len(people)


def _copy_credits(rows: Sequence[tuple[Any, ...]], hours_text: dict[Any, str], actor_id: int | None) -> int:
    """COPYs the rows (tuples led by ``_CREDIT_FIELDS``) into the ledger, each line formatted here in
    COPY's text format (cheaper than psycopg adapting every value); returns how many were written.
    What repeats from row to row (year, category, hours, rule, source type, memo) is formatted once."""
    now = timezone.now()
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in (*_COPY_CONSTANTS, *_COPY_COLUMNS))
    prefix = "".join(f"{value}\t" for value in ("", now.isoformat(), "\\N" if actor_id is None else actor_id))
    escape = _copy_text
    person_ids, years, categories, hours_column, source_types, source_ids, memos, rule_codes = list(
        zip(*rows, strict=False)
    )[:8]

    def middle(year: Any, category: Any, hours: Any, rule_code: Any, source_type: Any) -> str:
        return (
            f"{year}\t{escape(category)}\t{hours_text[hours]}\t{escape(rule_code)}\t{escape(source_type)}\t"
        )

    middles: dict[tuple[Any, ...], str] = {}
    middle_column: Iterable[str] = [
        middles.get(key) or middles.setdefault(key, middle(*key))
        for key in zip(years, categories, hours_column, rule_codes, source_types, strict=True)
    ]
    memo_of = {memo: escape(memo[:300]) for memo in set(memos)}
    source_texts = list(map(str, source_ids))
    joined = "".join(source_texts)
    if not joined.isprintable() or "\\" in joined:  # some need escaping (most never do)
        source_texts = list(map(escape, source_texts))

    count = 0
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,  # psycopg's errors as Django's
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        buffer: list[str] = []
        size = 0
        for person_id, middle_text, source_text, memo in zip(
            person_ids, middle_column, source_texts, memos, strict=True
        ):
            line = f"{prefix}{person_id}\t{middle_text}{source_text}\t{memo_of[memo]}\n"
            buffer.append(line)
            size += len(line)
            count += 1
            if size >= _COPY_CHUNK:
                copy.write("".join(buffer).encode())
                buffer, size = [], 0
        if buffer:
            copy.write("".join(buffer).encode())
    return count


@transaction.atomic
def ledger_reverse_credits_bulk(
    *, reversals: Sequence[Any], actor: User | None, reason: str, on_record: BulkOnRecord | None = None
) -> int:
    """Reverses the live credit of each (person, source type, source id, category), as a correction
    file does, in a fixed number of queries per batch and one audit record. The caller authorizes (the
    importing bureau may correct people of other jurisdictions). A source with no live credit is
    skipped. Returns how many reversal entries were written."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": LEDGER_REASON_REQUIRED})
    records = [_as_record(item, _REVERSAL_FIELDS, {}) for item in reversals]
    if not records:
        return 0
    wanted = {(r["person_id"], r["source_type"], str(r["source_id"]), r["category"]) for r in records}
    _lock_people({person_id for person_id, *_rest in wanted})
    live = LedgerEntry.objects.filter(
        person_id__in={item[0] for item in wanted},
        source_type__in={item[1] for item in wanted},
        source_id__in={item[2] for item in wanted},
        reverses__isnull=True,
        reversal__isnull=True,
    )
    memo = stored_text(LEDGER_REVERSAL_MEMO, {"reason": reason})[:300]
    created_by = actor if actor is not None and actor.pk else None
    entries = [
        LedgerEntry(
            person_id=entry.person_id,
            year=entry.year,
            category=entry.category,
            hours=-entry.hours,
            rule_code=entry.rule_code,
            source_type=entry.source_type,
            source_id=entry.source_id,
            evidence_key=entry.evidence_key,
            reverses_id=entry.pk,
            memo=memo,
            created_by=created_by,
        )
        for entry in live
        if (entry.person_id, entry.source_type, entry.source_id, entry.category) in wanted
    ]
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries, batch_size=_BULK_BATCH)
    except IntegrityError as error:  # one of them reversed by someone else at the same moment
        raise ValidationError(LEDGER_ALREADY_REVERSED) from error
    if entries:
        on_record = on_record or NOTHING_MORE_ON_RECORD
        audit_record(
            actor=actor,
            action="hours.ledger.reverse_bulk",
            organisation=on_record.organisation,
            assignment=on_record.assignment,
            role=on_record.role,
            reason=reason,
            detail={
                "entries": len(entries),
                "hours": str(sum((entry.hours for entry in entries), Decimal(0))),
            },
        )
    return len(entries)
