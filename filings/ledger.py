"""The one door from filings into the hours ledger. Roster imports post professional hours (PRO-2,
and the industry channels' hours) and reverse them for corrections only through here, and here only
through the hours app's services.

The import writes thousands of rows per batch, so this uses the hours app's bulk functions,
``ledger_post_credits_bulk(*, credits, actor, on_record)`` and ``ledger_reverse_credits_bulk(*,
reversals, actor, reason, on_record)``, with ``BulkCredit`` / ``BulkReversal`` items as below; were they
missing, it would post row by row through ``ledger_post_credit`` (correct, slower). On PostgreSQL the
ledger writes a batch of PRO-2 or channel credits (no yearly cap, no evidence key) with COPY, which is
what keeps a 100,000-row import within seconds (tests/benchmarks/bench_roster_import.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from hours import services as hours_services
from hours.models import LedgerCategory, LedgerEntry, SourceType

if TYPE_CHECKING:
    from accounts.models import User

    from .models import RosterImport

PRO_2_RULE_CODE = "PRO-2"


class BulkCredit(NamedTuple):
    """A named tuple, not a dataclass: a 100,000-row import makes 100,000 of them."""

    person_id: int
    year: int
    category: str
    hours: Decimal
    source_type: str
    source_id: str
    memo: str
    rule_code: str = ""


class BulkReversal(NamedTuple):
    person_id: int
    source_type: str
    source_id: str
    category: str


def credit(
    *, person_id: int, year: int, hours: Decimal, source_id: str, memo: str, rule_code: str
) -> BulkCredit:
    return BulkCredit(
        person_id=person_id,
        year=year,
        category=LedgerCategory.PROFESSIONAL,
        hours=hours,
        source_type=SourceType.IMPORT,
        source_id=source_id,
        memo=memo,
        rule_code=rule_code,
    )


def credit_maker(*, year: int, memo: str, rule_code: str) -> Callable[[int, Decimal, str], BulkCredit]:
    """``credit`` for the many credits of one batch, which share their year, memo and rule: positional
    and without keywords, a third of the cost per credit."""
    category, source_type = LedgerCategory.PROFESSIONAL, SourceType.IMPORT
    new = tuple.__new__  # what BulkCredit._make does

    def make(person_id: int, hours: Decimal, source_id: str) -> BulkCredit:
        return new(BulkCredit, (person_id, year, category, hours, source_type, source_id, memo, rule_code))

    return make


def reversal(*, person_id: int, source_id: str) -> BulkReversal:
    return BulkReversal(
        person_id=person_id,
        source_type=SourceType.IMPORT,
        source_id=source_id,
        category=LedgerCategory.PROFESSIONAL,
    )


def on_record_for(roster_import: RosterImport) -> hours_services.BulkOnRecord:
    """The ledger's audit record of an import's postings names the importing bureau and the role its
    staff member imported in, as the import's own record does, so the bureau sees both in its audit view."""
    from accounts.policies import BUREAU_ROLES

    from .policies import acting_assignment

    return hours_services.BulkOnRecord(
        organisation=roster_import.bureau,
        assignment=acting_assignment(roster_import.created_by, roster_import.bureau_id, BUREAU_ROLES),
    )


def _bulk(name: str) -> Any:
    return getattr(hours_services, name, None)


def post_credits(
    credits: Sequence[BulkCredit], *, actor: User | None, on_record: hours_services.BulkOnRecord
) -> None:
    """Posts every credit, inside the caller's transaction. A credit whose source already posted is
    skipped by the ledger (one credit per source), which is what makes a re-run harmless."""
    if not credits:
        return
    bulk = _bulk("ledger_post_credits_bulk")
    if bulk is not None:
        bulk(credits=credits, actor=actor, on_record=on_record)
        return
    from accounts.models import User

    people = User.objects.select_related("unit").in_bulk([line.person_id for line in credits])
    for line in credits:
        hours_services.ledger_post_credit(
            person=people[line.person_id],
            year=line.year,
            category=line.category,
            hours=line.hours,
            source_type=line.source_type,
            source_id=line.source_id,
            memo=line.memo,
            actor=actor,
            rule_code=line.rule_code,
        )


def reverse_credits(
    reversals: Sequence[BulkReversal],
    *,
    actor: User | None,
    reason: str,
    on_record: hours_services.BulkOnRecord,
) -> None:
    """Reverses the current credit of each source (a correction file replacing hours). The importing
    bureau has been authorized by the filings service; the person may live in another jurisdiction,
    so the ledger's own bureau check (for hand corrections) does not apply here."""
    if not reversals:
        return
    bulk = _bulk("ledger_reverse_credits_bulk")
    if bulk is not None:
        bulk(reversals=reversals, actor=actor, reason=reason, on_record=on_record)
        return
    from hours.services.ledger import reverse_entry

    for line in reversals:
        hours_services.lock_person(line.person_id)
        entry = LedgerEntry.objects.filter(
            person_id=line.person_id,
            source_type=line.source_type,
            source_id=line.source_id,
            category=line.category,
            reverses__isnull=True,
            reversal__isnull=True,
        ).first()
        if entry is not None:
            reverse_entry(entry=entry, actor=actor, reason=reason)
