"""The append-only ledger: course caps, idempotent postings, reversals, the database constraints, and
(on PostgreSQL) the trigger and concurrent postings that cannot pass a cap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import astuple, dataclass
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, User
from hours import selectors, services
from hours.models import LedgerEntry
from hours.services import ledger as ledger_module
from tests.fixtures import World

from .helpers import D, ledger_rows, total

COMPULSORY = "public_compulsory"
ELECTIVE = "public_elective"
PROFESSIONAL = "professional"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and triggers: PostgreSQL only (CI, scripts/test)"
)


def post(person, year, category, hours, source_id, **extra):  # type: ignore[no-untyped-def]
    return services.ledger_post_credit(
        person=person,
        year=year,
        category=category,
        hours=D(hours),
        source_type=extra.pop("source_type", "course"),
        source_id=source_id,
        memo=extra.pop("memo", "完成课程"),
        actor=extra.pop("actor", None),
        **extra,
    )


def test_course_route_caps(world: World, open_year: int) -> None:
    person = world.professional
    assert post(person, open_year, COMPULSORY, "12", "c1").hours == D(12)
    capped = post(person, open_year, COMPULSORY, "12", "c2")
    assert capped.hours == D(8)
    assert capped.memo == "完成课程；公需科目必修课本年度最多计20学时，本次计入8学时（完成12学时）"
    assert post(person, open_year, COMPULSORY, "2", "c3") is None
    assert post(person, open_year, ELECTIVE, "6", "e1").hours == D(6)
    assert post(person, open_year, ELECTIVE, "6", "e2").hours == D(4)
    assert post(person, open_year, ELECTIVE, "0.5", "e3") is None
    # Professional hours have no yearly cap, and another year has its own caps.
    assert post(person, open_year, PROFESSIONAL, "80", "p1", source_type="import").hours == D(80)
    assert post(person, 2024, COMPULSORY, "20", "c1-2024").hours == D(20)
    assert total(person, open_year, [COMPULSORY]) == D(20)
    assert total(person, open_year, [ELECTIVE]) == D(10)


def test_posting_is_idempotent_per_source_and_category(world: World, open_year: int) -> None:
    person = world.professional
    first = post(person, open_year, COMPULSORY, "3", "enrolment-7")
    again = post(person, open_year, COMPULSORY, "3", "enrolment-7")
    assert again == first
    assert LedgerEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="hours.ledger.credit").count() == 1
    # The database refuses a second credit from one source in one category.
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            person=person,
            year=open_year,
            category=COMPULSORY,
            hours=D(1),
            source_type="course",
            source_id="enrolment-7",
        )
    # Another person, or another category, is another credit.
    post(world.pending_professional, open_year, COMPULSORY, "3", "enrolment-7")
    post(person, open_year, PROFESSIONAL, "3", "enrolment-7")
    assert LedgerEntry.objects.count() == 3


def test_rule_caps_and_evidence_apply_to_generic_postings(world: World, open_year: int) -> None:
    person = world.professional
    post(
        person,
        open_year,
        PROFESSIONAL,
        "20",
        "r1",
        source_type="import",
        rule_code="PRO-4",
        evidence_key="number:A",
    )
    entry = post(
        person,
        open_year,
        PROFESSIONAL,
        "20",
        "r2",
        source_type="import",
        rule_code="PRO-4",
        evidence_key="number:B",
    )
    assert entry.hours == D(10)
    assert (
        post(person, open_year, PROFESSIONAL, "5", "r3", source_type="import", evidence_key="number:A")
        is None
    )


def test_bad_postings_are_programming_errors(world: World, open_year: int) -> None:
    person = world.professional
    for hours in ("0", "-1", "1.25"):
        with pytest.raises(ValueError):
            post(person, open_year, COMPULSORY, hours, "x")
    with pytest.raises(ValueError):
        post(person, open_year, "public", "1", "x")
    with pytest.raises(ValueError):
        post(person, open_year, COMPULSORY, "1", "x", source_type="gift")
    with pytest.raises(selectors.YearRulesMissingError):
        post(person, 1999, COMPULSORY, "1", "x")
    assert LedgerEntry.objects.count() == 0


def test_reversal(world: World, open_year: int) -> None:
    person = world.professional
    credit = post(person, open_year, PROFESSIONAL, "24", "roster-3", source_type="import")
    reversal = services.ledger_reverse(entry=credit, actor=world.county_staff, reason="导入名单有误")
    assert (reversal.hours, reversal.reverses, reversal.source_id, reversal.memo) == (
        D(-24),
        credit,
        "roster-3",
        "冲销：导入名单有误",
    )
    assert total(person, open_year) == D(0)
    with pytest.raises(ValidationError) as error:
        services.ledger_reverse(entry=credit, actor=world.county_staff, reason="再冲一次")
    assert error.value.messages == [str(services.LEDGER_ALREADY_REVERSED)]
    with pytest.raises(ValidationError) as error:
        services.ledger_reverse(entry=reversal, actor=world.county_staff, reason="冲销冲销")
    assert error.value.messages == [str(services.LEDGER_CANNOT_REVERSE_REVERSAL)]
    # The source stays spent: posting it again does nothing.
    assert post(person, open_year, PROFESSIONAL, "24", "roster-3", source_type="import") == credit
    assert ledger_rows(person) == [
        (PROFESSIONAL, "", D(24), "import", ""),
        (PROFESSIONAL, "", D(-24), "import", ""),
    ]
    # An entry is reversed at most once, in the database too.
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            person=person,
            year=open_year,
            category=PROFESSIONAL,
            hours=D(-24),
            source_type="import",
            source_id="roster-3",
            reverses=credit,
        )


def test_reversal_is_for_the_persons_bureau(world: World, open_year: int) -> None:
    credit = post(world.professional, open_year, PROFESSIONAL, "8", "roster-1", source_type="import")
    for role in ("professional", "unit_admin", "department_reviewer", "other_county_staff", "provider_staff"):
        with pytest.raises(PermissionDenied):
            services.ledger_reverse(entry=credit, actor=getattr(world, role), reason="x")
    with pytest.raises(ValidationError):
        services.ledger_reverse(entry=credit, actor=world.county_staff, reason=" ")
    assert LedgerEntry.objects.count() == 1
    services.ledger_reverse(entry=credit, actor=world.platform_admin, reason="更正")
    assert LedgerEntry.objects.count() == 2


def test_sign_constraint(world: World, open_year: int) -> None:
    person = world.professional
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            person=person,
            year=open_year,
            category=PROFESSIONAL,
            hours=D(-1),
            source_type="adjustment",
            source_id="1",
        )
    credit = post(person, open_year, PROFESSIONAL, "2", "a1", source_type="adjustment")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            person=person,
            year=open_year,
            category=PROFESSIONAL,
            hours=D(2),
            source_type="adjustment",
            source_id="a1",
            reverses=credit,
        )


@postgresql_only
def test_trigger_refuses_update_and_delete(world: World, open_year: int) -> None:
    credit = post(world.professional, open_year, PROFESSIONAL, "2", "a1", source_type="adjustment")
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=credit.pk).update(hours=D(20))
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=credit.pk).delete()
    assert LedgerEntry.objects.get().hours == D(2)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_cannot_pass_a_cap(world: World, open_year: int) -> None:
    """Eight compulsory-course completions of 5 hours each, posted at the same moment from eight
    connections: the person's row lock makes them run one after the other, so exactly 20 count."""
    person = world.professional
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            post(person, open_year, COMPULSORY, "5", f"course-{number}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert total(person, open_year, [COMPULSORY]) == D(20)
    assert LedgerEntry.objects.filter(person=person).count() == 4
    assert sum(entry.hours for entry in LedgerEntry.objects.all()) == Decimal(20)


# --- Bulk postings (roster imports) ------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    person_id: int
    year: int
    category: str
    hours: Decimal
    source_type: str
    source_id: str
    memo: str
    rule_code: str = ""


def test_bulk_posting_applies_caps_and_skips_posted_sources(world: World, open_year: int) -> None:
    person, other = world.professional, world.pending_professional
    post(person, open_year, COMPULSORY, "12", "c0")
    credits = [
        Credit(person.pk, open_year, COMPULSORY, D(5), "course", "c1", "课程1"),
        Credit(person.pk, open_year, COMPULSORY, D(5), "course", "c2", "课程2"),  # 3 of 5: the cap is 20
        Credit(person.pk, open_year, COMPULSORY, D(5), "course", "c3", "课程3"),  # nothing left
        Credit(person.pk, open_year, COMPULSORY, D(5), "course", "c0", "再次导入"),  # already posted
        Credit(person.pk, open_year, PROFESSIONAL, D(24), "import", "r1", "培训"),
        Credit(person.pk, open_year, PROFESSIONAL, D(24), "import", "r1", "同一行两次"),
        Credit(other.pk, open_year, PROFESSIONAL, D("7.5"), "import", "r1", "培训"),
        (other.pk, open_year, PROFESSIONAL, D(20), "import", "r2", "科研", "PRO-4"),  # a plain tuple
        Credit(other.pk, open_year, PROFESSIONAL, D(20), "import", "r3", "科研", "PRO-4"),  # 10 of 20: cap 30
    ]
    assert services.ledger_post_credits_bulk(credits=credits, actor=world.county_staff) == 6
    assert ledger_rows(person) == [
        (COMPULSORY, "", D(12), "course", ""),
        (COMPULSORY, "", D(5), "course", ""),
        (COMPULSORY, "", D(3), "course", ""),
        (PROFESSIONAL, "", D(24), "import", ""),
    ]
    assert ledger_rows(other) == [
        (PROFESSIONAL, "", D("7.5"), "import", ""),
        (PROFESSIONAL, "PRO-4", D(20), "import", ""),
        (PROFESSIONAL, "PRO-4", D(10), "import", ""),
    ]
    capped = LedgerEntry.objects.get(person=person, source_id="c2")
    assert capped.memo == "课程2；公需科目必修课本年度最多计20学时，本次计入3学时（完成5学时）"
    assert AuditEvent.objects.filter(action="hours.ledger.credit_bulk").count() == 1
    # Re-running the same import writes nothing.
    assert services.ledger_post_credits_bulk(credits=credits, actor=world.county_staff) == 0
    assert LedgerEntry.objects.count() == 7


def test_bulk_posting_takes_a_fixed_number_of_queries(world: World, open_year: int) -> None:
    people = [world.professional, world.pending_professional, world.unit_admin]

    def batch(size: int, prefix: str) -> list[Credit]:
        return [
            Credit(people[n % 3].pk, open_year, PROFESSIONAL, D(1), "import", f"{prefix}-{n}", "培训")
            for n in range(size)
        ]

    services.year_rules_load_defaults()
    selectors.year_figures(open_year)
    with CaptureQueriesContext(connection) as small:
        services.ledger_post_credits_bulk(credits=batch(3, "a"), actor=None)
    with CaptureQueriesContext(connection) as large:
        # 60 rows fit in one INSERT on SQLite too (999 parameters); PostgreSQL takes 1000 at a time.
        services.ledger_post_credits_bulk(credits=batch(60, "b"), actor=None)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert LedgerEntry.objects.count() == 63


def test_bulk_reversal(world: World, open_year: int) -> None:
    person = world.professional
    post(person, open_year, PROFESSIONAL, "24", "r1", source_type="import")
    post(person, open_year, PROFESSIONAL, "8", "r2", source_type="import")
    reversals = [(person.pk, "import", "r1", PROFESSIONAL), (person.pk, "import", "missing", PROFESSIONAL)]
    assert (
        services.ledger_reverse_credits_bulk(reversals=reversals, actor=world.county_staff, reason="更正名单")
        == 1
    )
    assert total(person, open_year) == D(8)
    reversal = LedgerEntry.objects.get(reverses__isnull=False)
    assert (reversal.hours, reversal.memo, reversal.source_id) == (D(-24), "冲销：更正名单", "r1")
    assert services.ledger_reverse_credits_bulk(reversals=reversals, actor=None, reason="再次") == 0
    with pytest.raises(ValidationError):
        services.ledger_reverse_credits_bulk(reversals=reversals, actor=None, reason=" ")
    # The source stays spent: importing it again does nothing.
    again = [Credit(person.pk, open_year, PROFESSIONAL, D(24), "import", "r1", "培训")]
    assert services.ledger_post_credits_bulk(credits=again, actor=None) == 0


def test_bulk_refuses_bad_items(world: World, open_year: int) -> None:
    for item in (
        Credit(world.professional.pk, open_year, PROFESSIONAL, D(0), "import", "x", "m"),
        Credit(world.professional.pk, open_year, "public", D(1), "import", "x", "m"),
        (world.professional.pk, open_year),
    ):
        with pytest.raises(ValueError):
            services.ledger_post_credits_bulk(credits=[item], actor=None)
    with pytest.raises(selectors.YearRulesMissingError):
        services.ledger_post_credits_bulk(
            credits=[Credit(world.professional.pk, 1999, PROFESSIONAL, D(1), "import", "x", "m")], actor=None
        )
    assert LedgerEntry.objects.count() == 0


# --- The COPY fast path of bulk postings (PostgreSQL) -------------------------------------------------


class NamedCredit(NamedTuple):
    person_id: int
    year: int
    category: str
    hours: object
    source_type: str
    source_id: object
    memo: str
    rule_code: str = ""


def ledger_snapshot() -> list[tuple[object, ...]]:
    """Every column of every entry but the id and the time, in posting order."""
    return [
        (
            e.person_id,
            e.year,
            e.category,
            e.hours,
            e.rule_code,
            e.source_type,
            e.source_id,
            e.evidence_key,
            e.memo,
            e.created_by_id,
            e.reverses_id,
        )
        for e in LedgerEntry.objects.order_by("id")
    ]


def bulk_audit_details() -> list[dict[str, object]]:
    return list(
        AuditEvent.objects.filter(action="hours.ledger.credit_bulk")
        .order_by("id")
        .values_list("detail", flat=True)
    )


def uncapped_batch(world: World, year: int) -> list[object]:
    """PRO-2 and channel credits in two years, in every item shape, with text COPY must escape."""
    first, second, third = world.professional, world.pending_professional, world.unit_admin
    return [
        Credit(first.pk, year, PROFESSIONAL, D(8), "import", "filing:1:p1:r1", "培训备案：甲\t乙", "PRO-2"),
        Credit(second.pk, year, PROFESSIONAL, D("7.5"), "import", "filing:1:p2\\r1", "长" * 400, "PRO-2"),
        NamedCredit(third.pk, 2024, PROFESSIONAL, 16, "import", "health:2024:p3\nr1", "卫健学时导入"),
        (first.pk, year, PROFESSIONAL, "3.0", "import", 42, "会计学时导入\\", ""),  # a plain tuple
        Credit(third.pk, year, "public_conversion", D("0.5"), "adjustment", "adj-1", "折算\r调整"),
    ]


def run_and_roll_back(post: Callable[[], int | None]) -> tuple[int | None, list[tuple[object, ...]], list]:
    """Posts, reads what was written, and undoes it, so another path can post the same input."""
    savepoint = transaction.savepoint()
    try:
        written = post()
        return written, ledger_snapshot(), bulk_audit_details()
    finally:
        transaction.savepoint_rollback(savepoint)


@postgresql_only
@pytest.mark.parametrize("with_actor", [True, False])
def test_copy_fast_path_writes_what_the_checked_path_writes(
    world: World, open_year: int, with_actor: bool
) -> None:
    actor = world.county_staff if with_actor else None
    credits = uncapped_batch(world, open_year)
    fast = run_and_roll_back(lambda: ledger_module._post_credits_by_copy(credits, actor))
    checked = run_and_roll_back(lambda: ledger_module._post_credits_checked(credits, actor))
    assert fast[0] == checked[0] == 5
    assert fast[1] == checked[1]
    assert fast[2] == checked[2] and len(fast[2]) == 1
    # Spot checks of what both wrote: escaped text back intact, the memo cut at 300, hours quantized.
    rows = {row[6]: row for row in fast[1]}
    assert rows["filing:1:p1:r1"][8] == "培训备案：甲\t乙"
    assert rows["filing:1:p2\\r1"][8] == "长" * 300
    assert rows["health:2024:p3\nr1"][1:4] == (2024, PROFESSIONAL, D("16.0"))
    assert rows["42"][8] == "会计学时导入\\"
    assert rows["adj-1"][8] == "折算\r调整"
    assert {row[9] for row in fast[1]} == {actor.pk if actor else None}
    assert fast[2][0]["hours"] == "35.0" and fast[2][0]["people"] == 3


@postgresql_only
def test_bulk_posting_takes_the_copy_path_when_nothing_can_be_capped(
    world: World, open_year: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(credits: object, actor: object) -> int:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(ledger_module, "_post_credits_checked", must_not_run)
    credits = uncapped_batch(world, open_year)
    assert services.ledger_post_credits_bulk(credits=credits, actor=world.county_staff) == 5
    assert LedgerEntry.objects.count() == 5
    # COPY goes through the same append-only trigger as every other row.
    entry = LedgerEntry.objects.first()
    assert entry is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(hours=D(1))


@postgresql_only
def test_copy_path_hands_over_when_a_source_already_posted_or_repeats(world: World, open_year: int) -> None:
    person, other = world.professional, world.pending_professional
    post(person, open_year, PROFESSIONAL, "24", "r1", source_type="import")
    credits = [
        Credit(person.pk, open_year, PROFESSIONAL, D(24), "import", "r1", "再次导入"),  # posted before
        Credit(other.pk, open_year, PROFESSIONAL, D(8), "import", "r2", "培训"),
        Credit(other.pk, open_year, PROFESSIONAL, D(8), "import", "r2", "同一行两次"),  # twice here
        Credit(other.pk, open_year, PROFESSIONAL, D(4), "import", "r3", "培训"),
    ]
    # The unique index refuses the COPY; its savepoint leaves nothing behind.
    assert ledger_module._post_credits_by_copy(credits, None) is None
    assert LedgerEntry.objects.count() == 1
    checked = run_and_roll_back(lambda: ledger_module._post_credits_checked(credits, None))
    assert services.ledger_post_credits_bulk(credits=credits, actor=None) == 2
    assert ledger_snapshot()[1:] == checked[1][1:]
    assert [row[6] for row in ledger_snapshot()] == ["r1", "r2", "r3"]
    # The same batch again: nothing.
    assert services.ledger_post_credits_bulk(credits=credits, actor=None) == 0
    assert LedgerEntry.objects.count() == 3


@postgresql_only
@pytest.mark.parametrize(
    "item",
    [
        Credit(0, 0, COMPULSORY, D(5), "course", "c1", "课程"),  # the course route's cap
        Credit(0, 0, ELECTIVE, D(5), "course", "e1", "课程"),
        Credit(0, 0, PROFESSIONAL, D(10), "import", "k1", "科研", "PRO-4"),  # a rule with a yearly cap
        Credit(0, 0, PROFESSIONAL, D(10), "import", "k2", "援派", "PRO-1"),
    ],
    ids=["compulsory", "elective", "PRO-4", "PRO-1"],
)
def test_capped_credits_never_take_the_copy_path(
    world: World, open_year: int, item: Credit, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_copy(*args: object) -> int:
        raise AssertionError("COPY ran")

    monkeypatch.setattr(ledger_module, "_copy_credits", must_not_copy)
    item = Credit(world.professional.pk, open_year, *astuple(item)[2:])
    uncapped = Credit(world.pending_professional.pk, open_year, PROFESSIONAL, D(8), "import", "p", "培训")
    assert ledger_module._post_credits_by_copy([uncapped, item], None) is None
    assert services.ledger_post_credits_bulk(credits=[uncapped, item], actor=None) == 2


@postgresql_only
def test_copy_path_leaves_evidence_keys_and_bad_items_to_the_checked_path(
    world: World, open_year: int
) -> None:
    person = world.professional

    @dataclass(frozen=True)
    class WithEvidence(Credit):
        evidence_key: str = "paper:10.1000/1"

    assert (
        ledger_module._post_credits_by_copy(
            [WithEvidence(person.pk, open_year, PROFESSIONAL, D(8), "import", "x", "m")], None
        )
        is None
    )
    with pytest.raises(User.DoesNotExist):
        services.ledger_post_credits_bulk(
            credits=[Credit(10**9, open_year, PROFESSIONAL, D(8), "import", "x", "m")], actor=None
        )
    for bad in (
        Credit(person.pk, open_year, PROFESSIONAL, D("0.25"), "import", "x", "m"),
        Credit(person.pk, open_year, PROFESSIONAL, D(8), "nowhere", "x", "m"),
        (person.pk, open_year, PROFESSIONAL),
    ):
        with pytest.raises(ValueError):
            services.ledger_post_credits_bulk(credits=[bad], actor=None)
    with pytest.raises(selectors.YearRulesMissingError):
        services.ledger_post_credits_bulk(
            credits=[Credit(person.pk, 1999, PROFESSIONAL, D(8), "import", "x", "m")], actor=None
        )
    assert LedgerEntry.objects.count() == 0
