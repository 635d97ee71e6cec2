"""Properties of the Annex 1 arithmetic over random sequences of approvals.

A sequence of approvals is simulated the way the ledger applies them: each claim is computed against
what is already approved, and its credit (if any) is folded into ``PriorCredits`` before the next.
"""

from __future__ import annotations

import datetime
import sys
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

# pytest-django puts the project root on sys.path; with ``-p no:django`` nothing does, so do it here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hours.rules import (
    FIGURES_2024,
    CreditResult,
    PriorCredits,
    compute_credit,
    messages,
    normalise_evidence_text,
    yearly_cap,
)
from hours.rules.specs import (
    COMPETITION_LEVEL_CHOICES,
    EXPERT_ACTIVITY_CHOICES,
    FOREIGN_LANGUAGE_GRADE_CHOICES,
    RESEARCH_ITEM_CHOICES,
    SKILL_GRADE_CHOICES,
)

Claim = tuple[str, dict[str, object]]
CAPPED_RULES = ("PUB-1", "PRO-1", "PUB-3", "PRO-3", "PRO-4")
HOUR_RULES = (
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
)
ZERO = Decimal("0.0")


def codes_of(choices: Sequence[tuple[str, str]]) -> list[str]:
    return [code for code, _label in choices]


def fold(claims: Sequence[Claim]) -> tuple[list[CreditResult], PriorCredits]:
    prior = PriorCredits()
    results = []
    for code, fields in claims:
        result = compute_credit(code, fields, FIGURES_2024, prior)
        results.append(result)
        prior = prior.with_credit(result)
    return results, prior


def totals_by_category(results: Sequence[CreditResult]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for result in results:
        totals[result.category] = totals.get(result.category, ZERO) + result.hours
    return totals


@st.composite
def month_span(draw: st.DrawFn) -> tuple[int, int]:
    first = draw(st.integers(1, 12))
    return first, draw(st.integers(first, 12))


def fields_for(code: str, number: str, name: str) -> st.SearchStrategy[dict[str, object]]:
    """A valid claim under ``code`` whose evidence is ``number`` (or ``name`` for titled evidence)."""
    if code in ("PUB-1", "PRO-1"):
        return month_span().map(
            lambda span: {"from_month": span[0], "to_month": span[1], "document_number": number}
        )
    if code == "PUB-2":
        return st.fixed_dictionaries(
            {
                "grade": st.sampled_from(codes_of(FOREIGN_LANGUAGE_GRADE_CHOICES)),
                "certificate_number": st.just(number),
            }
        )
    if code == "PUB-3":
        return st.fixed_dictionaries({"modules": st.integers(1, 8), "certificate_number": st.just(number)})
    if code in ("PUB-4", "PRO-7"):
        return st.fixed_dictionaries(
            {
                "level": st.sampled_from(codes_of(COMPETITION_LEVEL_CHOICES)),
                "competition_name": st.just(name),
                "held_on": st.just(datetime.date(2024, 6, 18)),
            }
        )
    if code == "PRO-3":
        return st.fixed_dictionaries({"courses": st.integers(1, 6), "certificate_number": st.just(number)})
    if code == "PRO-4":
        return st.fixed_dictionaries(
            {
                "item_kind": st.sampled_from(codes_of(RESEARCH_ITEM_CHOICES)),
                "title": st.just(name),
                "published_on": st.just(datetime.date(2024, 3, 1)),
                "item_number": st.sampled_from([number, ""]),
            }
        )
    if code == "PRO-5":
        return st.fixed_dictionaries(
            {
                "activity": st.sampled_from(codes_of(EXPERT_ACTIVITY_CHOICES)),
                "days": st.integers(1, 5),
                "hours": st.integers(1, 600).map(lambda tenths: Decimal(tenths) / 10),
                "invitation_number": st.just(number),
            }
        )
    if code == "PRO-6":
        return st.fixed_dictionaries(
            {"qualification_name": st.just(name), "certificate_number": st.just(number)}
        )
    assert code == "PRO-8"
    return st.fixed_dictionaries(
        {"grade": st.sampled_from(codes_of(SKILL_GRADE_CHOICES)), "certificate_number": st.just(number)}
    )


@st.composite
def distinct_claims(draw: st.DrawFn, codes: Sequence[str], max_size: int = 12) -> list[Claim]:
    """Claims with distinct evidence, plus some exact resubmissions of the same claim."""
    chosen = draw(st.lists(st.sampled_from(codes), max_size=max_size))
    claims = [
        (code, draw(fields_for(code, f"N{index}", f"题目{index}"))) for index, code in enumerate(chosen)
    ]
    resubmitted = draw(st.lists(st.sampled_from(claims), max_size=3)) if claims else []
    return claims + resubmitted


@st.composite
def written_differently(draw: st.DrawFn, canonical: str) -> str:
    """The same number as a person might type it: case, spaces, dashes, full-width characters."""
    written = []
    for character in canonical:
        if character.isalpha():
            character = draw(st.sampled_from([character.lower(), character.upper()]))
        if draw(st.booleans()) and character.isascii():
            character = chr(ord(character) + 0xFEE0)  # full-width form
        written.append(character + draw(st.sampled_from(["", "", " ", "-", "\u3000"])))
    return draw(st.sampled_from(["", " "])) + "".join(written) + draw(st.sampled_from(["", " "]))


@st.composite
def colliding_claims(draw: st.DrawFn) -> list[Claim]:
    """Claims under any rule whose evidence is drawn from a small pool, written in different ways."""
    claims = []
    for _ in range(draw(st.integers(0, 14))):
        code = draw(st.sampled_from(HOUR_RULES))
        number = draw(written_differently(draw(st.sampled_from(["ZS2024A1", "ZS2024A2", "JN7"]))))
        name = draw(
            st.sampled_from(["济宁市技能大赛", "济宁市 技能大赛", "《全国技术比武》", "全国技术比武"])
        )
        claims.append((code, draw(fields_for(code, number, name))))
    return claims


@given(st.sampled_from(CAPPED_RULES).flatmap(lambda code: distinct_claims([code], max_size=15)))
def test_no_yearly_cap_is_ever_passed(claims: list[Claim]) -> None:
    results, prior = fold(claims)

    running: dict[str, Decimal] = {}
    first_claimed: dict[str, Decimal] = {}
    for (code, _fields), result in zip(claims, results, strict=True):
        cap = yearly_cap(code, FIGURES_2024)
        assert cap is not None
        assert ZERO <= result.hours <= result.claimed
        running[code] = running.get(code, ZERO) + result.hours
        assert running[code] <= cap
        first_claimed.setdefault(result.evidence_key, result.claimed)
        if result.refused:
            assert result.hours == ZERO
    for code, total in running.items():
        cap = yearly_cap(code, FIGURES_2024)
        assert cap is not None
        assert prior.hours_for(code) == total == min(sum(first_claimed.values(), ZERO), cap)


@given(distinct_claims(CAPPED_RULES, max_size=20))
def test_caps_hold_for_mixed_rules(claims: list[Claim]) -> None:
    _results, prior = fold(claims)

    for code in CAPPED_RULES:
        cap = yearly_cap(code, FIGURES_2024)
        assert cap is not None
        assert prior.hours_for(code) <= cap


@given(distinct_claims(["PRO-5"]))
def test_expert_work_never_passes_eight_hours_a_day(claims: list[Claim]) -> None:
    results, _prior = fold(claims)

    for (_code, fields), result in zip(claims, results, strict=True):
        days, hours = fields["days"], fields["hours"]
        assert isinstance(days, int) and isinstance(hours, Decimal)
        if not result.refused:
            assert result.hours == min(hours, 8 * days)
            assert result.capped is (hours > 8 * days)


@given(st.data())
def test_the_years_total_does_not_depend_on_the_order_of_approval(data: st.DataObject) -> None:
    claims = data.draw(distinct_claims(HOUR_RULES, max_size=20))
    reordered = data.draw(st.permutations(claims))

    results, prior = fold(claims)
    reordered_results, reordered_prior = fold(reordered)

    assert {code: prior.hours_for(code) for code in HOUR_RULES} == {
        code: reordered_prior.hours_for(code) for code in HOUR_RULES
    }
    assert totals_by_category(results) == totals_by_category(reordered_results)
    # Which claim meets a cap first does depend on the order; how many hours the year holds does not.


@given(colliding_claims())
def test_the_same_evidence_never_credits_twice(claims: list[Claim]) -> None:
    results, prior = fold(claims)

    credited = [result for result in results if not result.refused]
    assert all(count == 1 for count in Counter(result.evidence_key for result in credited).values())
    assert len(prior.evidence_keys) == len(credited)
    seen: set[str] = set()
    for result in results:
        if result.refusal == messages.EVIDENCE_ALREADY_CREDITED or result.refusal.startswith(
            messages.COMPETITION_CREDITED_UNDER_OTHER_RULE.split("{")[0]
        ):
            assert result.evidence_key in seen
        if not result.refused:
            seen.add(result.evidence_key)
    competitions = [result for result in credited if result.code in ("PUB-4", "PRO-7")]
    assert len({result.evidence_key for result in competitions}) == len(competitions)


@given(
    st.sampled_from(["ZS2024A1", "JN7", "10.1000/XYZ", "鲁人社〔2024〕1号"]).flatmap(
        lambda canonical: st.tuples(st.just(canonical), written_differently(canonical))
    )
)
def test_a_number_however_written_normalises_to_the_same_key(pair: tuple[str, str]) -> None:
    canonical, written = pair

    assert normalise_evidence_text(written) == normalise_evidence_text(canonical)
