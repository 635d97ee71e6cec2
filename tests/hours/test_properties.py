"""Hypothesis properties of hours through the services and the database (the pure arithmetic has its
own properties in test_rules_properties.py): no cap is ever passed; the year's totals do not depend on
the order in which the same claims are approved; the same evidence never credits twice, whatever
people file, approve, withdraw and revoke."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from hours import services
from hours.models import Claim, LedgerEntry
from hours.rules import RULES
from hours.rules.specs import COMPETITION_RULES
from hours.selectors import year_summary
from tests.fixtures import World

from .helpers import evidence_file

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
CONVERSION_CODES = [
    "PUB-1",
    "PUB-2",
    "PUB-3",
    "PUB-4",
    "PRO-1",
    "PRO-3",
    "PRO-4",
    "PRO-5",
    "PRO-6",
    "PRO-7",
    "PRO-8",
]
YEARLY_CAPS = {"PUB-1": 30, "PRO-1": 60, "PUB-3": 30, "PRO-3": 40, "PRO-4": 30}
COURSE_CAPS = {"public_compulsory": 20, "public_elective": 10}
ClaimSpec = tuple[str, dict[str, object]]


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone afterwards, so each Hypothesis example starts from the same data."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def fields_for(code: str, year: int, number: str, name: str) -> st.SearchStrategy[dict[str, object]]:
    if code in ("PUB-1", "PRO-1"):
        return st.tuples(st.integers(1, 12), st.integers(0, 11)).map(
            lambda pair: {
                "from_month": pair[0],
                "to_month": min(12, pair[0] + pair[1]),
                "document_number": number,
            }
        )
    if code == "PUB-2":
        return st.sampled_from("ABC").map(lambda grade: {"grade": grade, "certificate_number": number})
    if code == "PUB-3":
        return st.integers(1, 8).map(lambda modules: {"modules": modules, "certificate_number": number})
    if code in COMPETITION_RULES:
        return st.sampled_from(["national", "provincial", "city", "county"]).map(
            lambda level: {"level": level, "competition_name": name, "held_on": f"{year}-06-18"}
        )
    if code == "PRO-3":
        return st.integers(1, 6).map(lambda courses: {"courses": courses, "certificate_number": number})
    if code == "PRO-4":
        return st.sampled_from([number, ""]).map(
            lambda item: {
                "item_kind": "patent",
                "title": name,
                "published_on": f"{year}-03-01",
                "item_number": item,
            }
        )
    if code == "PRO-5":
        return st.tuples(st.integers(1, 4), st.integers(1, 400)).map(
            lambda pair: {
                "activity": "exam_marking",
                "days": pair[0],
                "hours": str(Decimal(pair[1]) / 10),
                "invitation_number": number,
            }
        )
    if code == "PRO-6":
        return st.just({"qualification_name": name, "certificate_number": number})
    assert code == "PRO-8"
    return st.sampled_from(["chief_technician", "technician", "senior_worker"]).map(
        lambda grade: {"grade": grade, "certificate_number": number}
    )


@st.composite
def distinct_claims(draw: st.DrawFn, year: int) -> list[ClaimSpec]:
    """Claims whose evidence differs (the same evidence cannot be in two open claims), maybe one R1."""
    codes = draw(st.lists(st.sampled_from(CONVERSION_CODES), min_size=1, max_size=8))
    claims: list[ClaimSpec] = [
        (code, draw(fields_for(code, year, f"NO-{index}", f"成果或比赛{index}")))
        for index, code in enumerate(codes)
    ]
    if draw(st.booleans()):
        claims.append(("R1", {"reason": "maternity", "months_on_post": draw(st.integers(0, 11))}))
    return claims


def submit_all(person: User, year: int, claims: list[ClaimSpec]) -> list[Claim]:
    submitted = []
    for code, fields in claims:
        claim = services.claim_save(
            actor=person, rule_code=code, year=year, fields=fields, uploads=[evidence_file()]
        )
        submitted.append(services.claim_submit(actor=person, claim_id=claim.pk))
    return submitted


def approve_quietly(claim: Claim, approver: User) -> None:
    """The final approval; a claim that can credit nothing any more is refused (and stays in review)."""
    with suppress(ValidationError):
        services.claim_post_approved(claim=claim, actor=approver)


def totals(person: User, year: int) -> dict[tuple[str, str], Decimal]:
    rows = (
        LedgerEntry.objects.filter(person=person, year=year)
        .values("category", "rule_code")
        .annotate(total=Sum("hours"))
    )
    return {(row["category"], row["rule_code"]): Decimal(row["total"]) for row in rows if row["total"]}


def assert_no_cap_passed(person: User, year: int) -> None:
    for (category, rule_code), hours in totals(person, year).items():
        if rule_code in YEARLY_CAPS:
            assert hours <= YEARLY_CAPS[rule_code], (rule_code, hours)
        if category in COURSE_CAPS:
            assert hours <= COURSE_CAPS[category], (category, hours)
    for entry in LedgerEntry.objects.filter(person=person):
        assert entry.hours == entry.hours.quantize(Decimal("0.1"))
        assert (entry.hours > 0) == (entry.reverses_id is None)


def test_totals_do_not_depend_on_the_order_of_approvals(world: World, open_year: int) -> None:
    person, approver = world.professional, world.county_staff

    @PROPERTY_SETTINGS
    @given(claims=distinct_claims(open_year), data=st.data())
    def check(claims: list[ClaimSpec], data: st.DataObject) -> None:
        order = data.draw(st.permutations(range(len(claims))), label="order")
        outcomes = []
        for approval_order in (range(len(claims)), order):
            with rolled_back():
                submitted = submit_all(person, open_year, claims)
                for index in approval_order:
                    approve_quietly(submitted[index], approver)
                assert_no_cap_passed(person, open_year)
                summary = services_summary(person, open_year)
                outcomes.append((totals(person, open_year), summary))
        assert outcomes[0] == outcomes[1]

    check()


def services_summary(person: User, year: int) -> tuple[Decimal, Decimal, Decimal, Decimal, bool]:
    summary = year_summary(person, year)
    return (
        summary.public,
        summary.professional,
        summary.public_required,
        summary.professional_required,
        summary.is_compliant,
    )


COURSE_POSTINGS = st.lists(
    st.tuples(st.sampled_from(["public_compulsory", "public_elective"]), st.integers(1, 150)), max_size=8
)


def test_no_cap_is_ever_passed(world: World, open_year: int) -> None:
    person, approver = world.professional, world.county_staff

    @PROPERTY_SETTINGS
    @given(claims=distinct_claims(open_year), courses=COURSE_POSTINGS, data=st.data())
    def check(claims: list[ClaimSpec], courses: list[tuple[str, int]], data: st.DataObject) -> None:
        with rolled_back():
            submitted = submit_all(person, open_year, claims)
            steps: list[object] = [*submitted, *courses]
            for step in data.draw(st.permutations(steps), label="steps"):
                if isinstance(step, Claim):
                    approve_quietly(step, approver)
                else:
                    category, tenths = step  # type: ignore[misc]
                    services.ledger_post_credit(
                        person=person,
                        year=open_year,
                        category=category,
                        hours=Decimal(tenths) / 10,
                        source_type="course",
                        source_id=f"course-{id(step)}-{tenths}-{category}",
                        memo="课程",
                        actor=None,
                    )
                assert_no_cap_passed(person, open_year)

    check()


# The same evidence under different rules and numbers: certificate numbers shared across PUB-2, PUB-3,
# PRO-3, PRO-6, PRO-8; competitions shared across PUB-4 and PRO-7; written the way people write them.
NUMBERS = ["ZS-2024-001", "ｚｓ２０２４００１", "ZS2024002"]
COMPETITIONS = ["全市技能大赛", "全市 技能大赛", "全省技术比武"]
SHARED_CODES = ["PUB-2", "PUB-3", "PRO-3", "PRO-6", "PRO-8", "PUB-4", "PRO-7"]


@st.composite
def actions(draw: st.DrawFn, year: int) -> list[tuple[str, object]]:
    steps: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["file", "file", "approve", "approve", "withdraw", "revoke"]))
        if kind == "file":
            code = draw(st.sampled_from(SHARED_CODES))
            fields = draw(
                fields_for(code, year, draw(st.sampled_from(NUMBERS)), draw(st.sampled_from(COMPETITIONS)))
            )
            steps.append((kind, (code, fields)))
        else:
            steps.append((kind, draw(st.integers(0, 11))))
    return steps


def test_the_same_evidence_never_credits_twice(world: World, open_year: int) -> None:
    person, approver = world.professional, world.county_staff

    @PROPERTY_SETTINGS
    @given(steps=actions(open_year))
    def check(steps: list[tuple[str, object]]) -> None:
        with rolled_back():
            filed: list[Claim] = []
            for kind, argument in steps:
                try:
                    if kind == "file":
                        code, fields = argument  # type: ignore[misc]
                        filed.extend(submit_all(person, open_year, [(code, fields)]))
                    elif filed:
                        claim = filed[int(argument) % len(filed)]  # type: ignore[call-overload]
                        if kind == "approve":
                            services.claim_post_approved(claim=claim, actor=approver)
                        elif kind == "withdraw":
                            services.claim_withdraw(actor=person, claim_id=claim.pk)
                        else:
                            services.claim_reverse_posting(claim=claim, actor=approver, reason="抽查")
                except ValidationError:
                    pass
                live = LedgerEntry.objects.filter(person=person, reverses__isnull=True, reversal__isnull=True)
                keys = list(live.values_list("evidence_key", flat=True))
                assert len(keys) == len(set(keys)), keys
                competitions = [key for key in keys if key.startswith("competition:")]
                assert len(competitions) == len(set(competitions))
                open_keys = list(
                    Claim.objects.filter(
                        person=person, status__in=["draft", "submitted", "returned", "approved"]
                    ).values_list("evidence_key", flat=True)
                )
                assert len(open_keys) == len(set(open_keys)), open_keys
                assert_no_cap_passed(person, open_year)

    check()


def test_strategies_cover_every_claimable_rule() -> None:
    assert set(CONVERSION_CODES) | {"R1"} == set(RULES)


CREDIT_LINES = st.lists(
    st.tuples(
        st.sampled_from(["public_compulsory", "public_elective", "professional"]),
        st.integers(1, 120),
        st.integers(0, 5),  # source number: repeats are re-imports
        st.sampled_from(["", "PRO-4", "PRO-3"]),
    ),
    min_size=1,
    max_size=15,
)


def test_bulk_posting_equals_posting_one_by_one(world: World, open_year: int) -> None:
    person = world.professional

    @PROPERTY_SETTINGS
    @given(lines=CREDIT_LINES)
    def check(lines: list[tuple[str, int, int, str]]) -> None:
        credits = [
            (person.pk, open_year, category, Decimal(tenths) / 10, "import", f"row-{number}", "导入", rule)
            for category, tenths, number, rule in lines
        ]
        outcomes = []
        for bulk in (False, True):
            with rolled_back():
                if bulk:
                    services.ledger_post_credits_bulk(credits=credits, actor=None)
                else:
                    for person_id, year, category, hours, source_type, source_id, memo, rule in credits:
                        services.ledger_post_credit(
                            person=User.objects.get(pk=person_id),
                            year=year,
                            category=category,
                            hours=hours,
                            source_type=source_type,
                            source_id=source_id,
                            memo=memo,
                            actor=None,
                            rule_code=rule,
                        )
                assert_no_cap_passed(person, open_year)
                outcomes.append(
                    list(
                        LedgerEntry.objects.filter(person=person)
                        .order_by("id")
                        .values_list("category", "hours", "rule_code", "source_id", "memo")
                    )
                )
        assert outcomes[0] == outcomes[1]

    check()


UNCAPPED_LINES = st.lists(
    st.tuples(
        st.integers(0, 2),  # which person
        st.integers(1, 200),  # tenths of an hour
        st.integers(0, 40),  # source number: an occasional repeat (a re-import, or twice in the batch)
        st.sampled_from(["", "PRO-2"]),
        st.sampled_from(["培训备案：甲", "行业学时\t导入", "回车\r换行\n反斜杠\\"]),
    ),
    min_size=1,
    max_size=25,
)


def test_uncapped_bulk_posting_equals_posting_one_by_one(world: World, open_year: int) -> None:
    """PRO-2 and channel credits: on PostgreSQL the bulk posting writes them with COPY (falling back to
    the checked path when a source repeats); whatever path it takes, the ledger ends as one by one."""
    people = [world.professional, world.pending_professional, world.unit_admin]
    posted_before = (
        people[0].pk,
        open_year,
        "professional",
        Decimal(8),
        "import",
        "row-0",
        "已导入",
        "PRO-2",
    )

    @PROPERTY_SETTINGS
    @given(lines=UNCAPPED_LINES, re_import=st.booleans())
    def check(lines: list[tuple[int, int, int, str, str]], re_import: bool) -> None:
        credits = [
            (
                people[who].pk,
                open_year,
                "professional",
                Decimal(tenths) / 10,
                "import",
                f"row-{n}",
                memo,
                rule,
            )
            for who, tenths, n, rule, memo in lines
        ]
        outcomes = []
        for bulk in (False, True):
            with rolled_back():
                for person_id, year, category, hours, source_type, source_id, memo, rule in (
                    [posted_before] if re_import else []
                ) + ([] if bulk else credits):
                    services.ledger_post_credit(
                        person=User.objects.get(pk=person_id),
                        year=year,
                        category=category,
                        hours=hours,
                        source_type=source_type,
                        source_id=source_id,
                        memo=memo,
                        actor=world.county_staff,
                        rule_code=rule,
                    )
                if bulk:
                    services.ledger_post_credits_bulk(credits=credits, actor=world.county_staff)
                outcomes.append(
                    list(
                        LedgerEntry.objects.filter(person__in=people)
                        .order_by("id")
                        .values_list(
                            "person_id",
                            "year",
                            "category",
                            "hours",
                            "rule_code",
                            "source_type",
                            "source_id",
                            "evidence_key",
                            "memo",
                            "created_by_id",
                            "reverses_id",
                        )
                    )
                )
        assert outcomes[0] == outcomes[1]

    check()
