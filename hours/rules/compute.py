"""The Annex 1 arithmetic: pure functions over a rule spec, a claim's fields and a year's figures.

Nothing here touches the database. The caller (the claims service, inside the transaction that locks
the person's row) reads what the person already has approved into ``PriorCredits``, calls
``compute_credit`` and posts ``CreditResult.hours`` to the ledger; the same call on the same inputs
always gives the same answer, which is what makes caps and "credited once only" testable in isolation.

Decisions taken where the notice is silent (each also documented where it is applied):

- A claim that would pass a yearly cap is credited up to the cap, with a reason. A claim made when the
  cap is already reached is *refused* with a message rather than credited 0 hours: an approved claim
  worth nothing would look like a success to the claimant and clutter the ledger.
- The evidence key identifies what may be credited once only, whichever rule or year. Numbers are
  normalised (NFKC, so full-width digits and letters become half-width; whitespace, dashes and quote
  marks removed; upper-case). A dispatch document is the evidence for every year of a long assignment
  ("援派期间每年"), so its key includes the year and the side (public/professional): one PUB-1 and one
  PRO-1 credit per document per year. A competition is keyed by its name and date, never by the optional
  proof number, so that PUB-4 and PRO-7 claims for the same competition always meet.
- An event dated outside the rule set's year is refused ("当年度").
- R1 credits no hours; it gives the reduced requirement. Months away = 12 - months on post, whole months.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

from . import messages
from .figures import RuleFigures
from .specs import (
    COMPETITION_RULES,
    PRO_1,
    PRO_3,
    PRO_4,
    PRO_5,
    PRO_6,
    PRO_7,
    PRO_8,
    PUB_1,
    PUB_2,
    PUB_3,
    PUB_4,
    R1,
    RULES,
    Category,
    FieldSpec,
    RuleSpec,
    get_spec,
    subject_of,
)

FieldValue = int | Decimal | datetime.date | str | None
_Number = TypeVar("_Number", int, Decimal)
ONE_DECIMAL_PLACE = Decimal("0.1")
ZERO = Decimal("0.0")
MONTHS_PER_YEAR = 12

_INTEGER_PATTERN = re.compile(r"[+-]?\d+")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHITESPACE = re.compile(r"\s+")
# Characters that vary between two writings of the same number or title and carry no meaning.
_IGNORED_IN_KEYS = str.maketrans("", "", "-‐‑‒–—―_'\"“”‘’《》〈〉「」『』")


class ClaimFieldError(ValueError):
    """Every bad field of a claim at once, as {field name: Chinese message}, so a form shows them all."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("；".join(self.errors.values()))


class _FieldProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PriorCredits:
    """What the person already has approved, read by the caller under a lock before computing a claim.

    ``hours_by_rule``: approved hours per rule code in the claim's year (the yearly caps apply to these).
    ``evidence_keys``: every evidence key ever credited to the person, any year, any rule.
    ``competition_keys``: competition evidence keys credited under PUB-4 or PRO-7, mapped to that code, so
    a refusal can name the rule the competition was already credited under.
    """

    hours_by_rule: Mapping[str, Decimal] = field(default_factory=dict)
    evidence_keys: AbstractSet[str] = frozenset()
    competition_keys: Mapping[str, str] = field(default_factory=dict)

    def hours_for(self, code: str) -> Decimal:
        return self.hours_by_rule.get(code, ZERO)

    def with_credit(self, result: CreditResult) -> PriorCredits:
        """The prior credits after ``result`` is approved; a refused result changes nothing.

        This is how a sequence of approvals folds; the ledger does the same with rows.
        """
        if result.refused:
            return self
        hours = dict(self.hours_by_rule)
        hours[result.code] = hours.get(result.code, ZERO) + result.hours
        competitions = dict(self.competition_keys)
        if result.code in COMPETITION_RULES:
            competitions[result.evidence_key] = result.code
        return PriorCredits(
            hours_by_rule=hours,
            evidence_keys=frozenset(self.evidence_keys) | {result.evidence_key},
            competition_keys=competitions,
        )


@dataclass(frozen=True)
class CreditResult:
    """The outcome of one claim under one rule.

    ``claimed`` is what the evidence is worth before any cap; ``hours`` is what is credited (one decimal
    place, 0 when refused). ``reasons`` explain every cut (a tuple, so the result stays immutable).
    For R1, ``reduced_public_required``/``reduced_professional_required`` are the year's requirements
    once the claim is approved; for every other rule they are None.
    """

    code: str
    category: Category
    evidence_key: str
    hours: Decimal
    claimed: Decimal
    capped: bool = False
    reasons: tuple[str, ...] = ()
    refused: bool = False
    refusal: str = ""
    reduced_public_required: Decimal | None = None
    reduced_professional_required: Decimal | None = None


# ---------------------------------------------------------------------------------------------------
# Numbers and text


def quantize_hours(value: Decimal) -> Decimal:
    """One decimal place, half up: 30 x 5 / 12 = 12.5, and a third of an hour shows as 0.3."""
    return value.quantize(ONE_DECIMAL_PLACE, rounding=ROUND_HALF_UP)


def format_hours(value: Decimal | int) -> str:
    """Hours as a person writes them: 15, 12.5 (no trailing .0)."""
    text = f"{quantize_hours(Decimal(value)):f}"
    return text.removesuffix(".0")


def format_date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def normalise_evidence_text(value: str) -> str:
    """Two writings of the same number or title give the same string.

    NFKC turns full-width digits, letters and spaces into half-width ones; then whitespace, dashes and
    quote marks go and letters are upper-cased, so "ｚｓ 2024－001" and "ZS2024001" meet.
    """
    text = unicodedata.normalize("NFKC", value)
    text = _WHITESPACE.sub("", text).translate(_IGNORED_IN_KEYS)
    return text.upper()


# ---------------------------------------------------------------------------------------------------
# Field validation


def validate_fields(code: str, raw: Mapping[str, object]) -> dict[str, FieldValue]:
    """Typed values for every field of ``code``'s spec, from form strings or already typed values.

    Missing optional fields become None; keys the spec does not know are ignored. Idempotent: passing
    the result back in returns it unchanged. Raises ``ClaimFieldError`` listing every bad field, and
    ``RuleNotClaimableError`` for PRO-2 or an unknown code.
    """
    spec = get_spec(code)
    values: dict[str, FieldValue] = {}
    errors: dict[str, str] = {}
    for field_spec in spec.fields:
        try:
            values[field_spec.name] = _convert(field_spec, raw.get(field_spec.name))
        except _FieldProblem as problem:
            errors[field_spec.name] = problem.message
    from_month, to_month = values.get("from_month"), values.get("to_month")
    if isinstance(from_month, int) and isinstance(to_month, int) and from_month > to_month:
        errors["to_month"] = messages.MONTH_ORDER
    if errors:
        raise ClaimFieldError(errors)
    return values


def _convert(spec: FieldSpec, value: object) -> FieldValue:
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise _FieldProblem(messages.FIELD_REQUIRED.format(label=spec.label))
        return None
    if spec.kind == "text":
        return _convert_text(spec, value)
    if spec.kind in ("int", "month"):
        return _check_range(spec, _convert_int(spec, value))
    if spec.kind == "decimal":
        return _check_range(spec, _convert_decimal(spec, value))
    if spec.kind == "choice":
        return _convert_choice(spec, value)
    return _convert_date(spec, value)


def _convert_text(spec: FieldSpec, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _FieldProblem(messages.FIELD_NOT_TEXT.format(label=spec.label))
    text = str(value).strip()
    if "\x00" in text:  # PostgreSQL stores no NUL, in text or jsonb
        raise _FieldProblem(messages.FIELD_NOT_TEXT.format(label=spec.label))
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _FieldProblem(messages.FIELD_TOO_LONG.format(label=spec.label, max_length=spec.max_length))
    return text


def _convert_int(spec: FieldSpec, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _INTEGER_PATTERN.fullmatch(text):
            try:
                return int(text)
            except ValueError:  # more digits than Python will parse
                pass
    raise _FieldProblem(messages.FIELD_NOT_INTEGER.format(label=spec.label))


def _convert_decimal(spec: FieldSpec, value: object) -> Decimal:
    number: Decimal | None = None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = Decimal(unicodedata.normalize("NFKC", value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise _FieldProblem(messages.FIELD_NOT_NUMBER.format(label=spec.label))
    if number != quantize_hours(number):
        raise _FieldProblem(messages.FIELD_TOO_MANY_DECIMAL_PLACES.format(label=spec.label))
    return quantize_hours(number)


def _check_range(spec: FieldSpec, number: _Number) -> _Number:
    low, high = spec.min_value, spec.max_value
    too_low = low is not None and number < low
    too_high = high is not None and number > high
    if too_low or too_high:
        if low is not None and high is not None:
            message = messages.FIELD_OUT_OF_RANGE.format(label=spec.label, minimum=low, maximum=high)
        elif too_low:
            message = messages.FIELD_BELOW_MINIMUM.format(label=spec.label, minimum=low)
        else:
            message = messages.FIELD_ABOVE_MAXIMUM.format(label=spec.label, maximum=high)
        raise _FieldProblem(message)
    return number


def _convert_choice(spec: FieldSpec, value: object) -> str:
    if isinstance(value, str):
        code = value.strip()
        if code in dict(spec.choices):
            return code
    raise _FieldProblem(messages.FIELD_UNKNOWN_CHOICE.format(label=spec.label))


def _convert_date(spec: FieldSpec, value: object) -> datetime.date:
    # A datetime is a date subclass, but a time of day (and its time zone) has no place in a claim.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _DATE_PATTERN.fullmatch(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
    raise _FieldProblem(messages.FIELD_NOT_DATE.format(label=spec.label))


# ---------------------------------------------------------------------------------------------------
# Evidence keys


def evidence_key(code: str, fields: Mapping[str, object], *, year: int) -> str:
    """The key under which this evidence may be credited only once, whichever rule or year.

    ``year`` is the year the claim counts for; only dispatch documents (PUB-1/PRO-1, credited every year
    of an assignment) and R1 (one reduction per year) use it. See the module docstring for the reading.
    """
    values = validate_fields(code, fields)
    if code in (PUB_1, PRO_1):
        side = "public" if code == PUB_1 else "professional"
        return f"dispatch:{side}:{year}:{_normalised(values, 'document_number')}"
    if code in COMPETITION_RULES:
        return f"competition:{_normalised(values, 'competition_name')}:{_date(values, 'held_on').isoformat()}"
    if code == R1:
        return f"reduction:{year}"
    if code == PRO_4:
        item_number = values["item_number"]
        if isinstance(item_number, str):
            return f"number:{normalise_evidence_text(item_number)}"
        return f"item:{_normalised(values, 'title')}:{_date(values, 'published_on').isoformat()}"
    if code == PRO_5:
        return f"number:{_normalised(values, 'invitation_number')}"
    return f"number:{_normalised(values, 'certificate_number')}"


def _normalised(values: Mapping[str, FieldValue], name: str) -> str:
    return normalise_evidence_text(_text(values, name))


# Typed access to validated values: validate_fields guarantees these types, the asserts tell mypy.
def _text(values: Mapping[str, FieldValue], name: str) -> str:
    value = values[name]
    assert isinstance(value, str)
    return value


def _int(values: Mapping[str, FieldValue], name: str) -> int:
    value = values[name]
    assert isinstance(value, int)
    return value


def _decimal(values: Mapping[str, FieldValue], name: str) -> Decimal:
    value = values[name]
    assert isinstance(value, Decimal)
    return value


def _date(values: Mapping[str, FieldValue], name: str) -> datetime.date:
    value = values[name]
    assert isinstance(value, datetime.date)
    return value


# ---------------------------------------------------------------------------------------------------
# Credits


def yearly_cap(code: str, figures: RuleFigures) -> Decimal | None:
    """The most a person can be credited under ``code`` in one year, or None where Annex 1 sets none.

    PUB-1/PRO-1's "每年 30/60 学时" is both the full-year value and the cap: two overlapping assignments
    in one year cannot give more than a year's worth.
    """
    caps = {
        PUB_1: figures.dispatch_public_hours_per_year,
        PRO_1: figures.dispatch_professional_hours_per_year,
        PUB_3: figures.computer_exam_yearly_cap,
        PRO_3: figures.self_study_exam_yearly_cap,
        PRO_4: figures.research_yearly_cap,
    }
    return caps.get(code)


def pro_rata_hours(full_year: Decimal, months: int) -> Decimal:
    """``full_year`` x months / 12, one decimal place: 30 x 5 / 12 = 12.5, 60 x 6 / 12 = 30."""
    return quantize_hours(full_year * months / MONTHS_PER_YEAR)


def daily_capped_hours(hours: Decimal, days: int, hours_per_day: Decimal) -> Decimal:
    """Actual hours, but at most ``hours_per_day`` for each day (PRO-2, PRO-5, the digital engineer)."""
    return quantize_hours(min(hours, hours_per_day * days))


def training_hours(hours: Decimal, days: int, figures: RuleFigures) -> Decimal:
    """PRO-2, for the roster import of a filed training: actual hours, at most 8 a day."""
    return daily_capped_hours(hours, days, figures.training_hours_per_day)


def digital_engineer_hours(hours: Decimal, days: int, figures: RuleFigures) -> Decimal:
    """Digital Technology Engineer programme hours (professional); reading: capped as PRO-2 per day."""
    return daily_capped_hours(hours, days, figures.digital_engineer_hours_per_day)


def quality_online_course_hours(course_hours: Decimal, figures: RuleFigures) -> Decimal:
    """A selected quality online public course counts twice its hours for its instructor."""
    return quantize_hours(course_hours * figures.quality_online_course_multiplier)


def reduced_requirements(months_on_post: int, figures: RuleFigures) -> tuple[Decimal, Decimal]:
    """(public, professional) requirement for a year with ``months_on_post`` months on post (R1)."""
    return (
        pro_rata_hours(figures.public_required, months_on_post),
        pro_rata_hours(figures.professional_required, months_on_post),
    )


def _claimed_hours(code: str, values: Mapping[str, FieldValue], figures: RuleFigures) -> Decimal:
    """What the evidence is worth under ``code`` before any cap (PRO-5's daily cap is applied later)."""
    if code in (PUB_1, PRO_1):
        months = _int(values, "to_month") - _int(values, "from_month") + 1
        full_year = (
            figures.dispatch_public_hours_per_year
            if code == PUB_1
            else figures.dispatch_professional_hours_per_year
        )
        return pro_rata_hours(full_year, months)
    if code == PUB_2:
        return figures.foreign_language_exam_hours[_text(values, "grade")]
    if code == PUB_3:
        return figures.computer_exam_hours_per_module * _int(values, "modules")
    if code == PUB_4:
        return figures.competition_public_hours[_text(values, "level")]
    if code == PRO_3:
        return figures.self_study_exam_hours_per_course * _int(values, "courses")
    if code == PRO_4:
        return figures.research_hours_per_item
    if code == PRO_5:
        return _decimal(values, "hours")
    if code == PRO_6:
        return figures.qualification_exam_hours
    if code == PRO_7:
        return figures.competition_professional_hours[_text(values, "level")]
    if code == PRO_8:
        return figures.skill_evaluation_hours[_text(values, "grade")]
    return ZERO  # R1 credits no hours.


_EVENT_DATE_FIELDS = {PUB_4: "held_on", PRO_7: "held_on", PRO_4: "published_on"}


def compute_credit(
    code: str,
    fields: Mapping[str, object],
    figures: RuleFigures,
    prior: PriorCredits,
) -> CreditResult:
    """What approving this claim credits, given the person's prior approved credits.

    Checks, in order: the fields (``ClaimFieldError``); an event date inside the year; R1's eligibility
    and one R1 per year; a competition already credited under the other of PUB-4/PRO-7; the same
    evidence already credited; then PRO-5's 8 hours a day and the rule's yearly cap. Refusals credit 0
    hours and carry one message. At a yearly cap already reached the claim is refused, not credited 0
    (see the module docstring). The claim window is not checked here: it governs submission
    (``check_claim_window``), while approval may come after the window closes.
    """
    spec = get_spec(code)
    values = validate_fields(code, fields)
    key = evidence_key(code, values, year=figures.year)
    claimed = quantize_hours(_claimed_hours(code, values, figures))

    def refuse(message: str, *, capped: bool = False) -> CreditResult:
        return CreditResult(
            code=code,
            category=spec.category,
            evidence_key=key,
            hours=ZERO,
            claimed=claimed,
            capped=capped,
            refused=True,
            refusal=message,
        )

    date_field = _EVENT_DATE_FIELDS.get(code)
    if date_field is not None:
        event_date = _date(values, date_field)
        if event_date.year != figures.year:
            return refuse(
                messages.EVENT_OUTSIDE_YEAR.format(
                    label=spec.field(date_field).label, event_date=format_date(event_date), year=figures.year
                )
            )

    if code == R1:
        refusal = _reduction_refusal(spec, values, figures)
        if refusal is None and key in prior.evidence_keys:
            refusal = messages.REDUCTION_ALREADY_CREDITED
        if refusal is not None:
            return refuse(refusal)
        public, professional = reduced_requirements(_int(values, "months_on_post"), figures)
        return CreditResult(
            code=code,
            category=spec.category,
            evidence_key=key,
            hours=ZERO,
            claimed=ZERO,
            reduced_public_required=public,
            reduced_professional_required=professional,
        )

    credited_under = prior.competition_keys.get(key) if code in COMPETITION_RULES else None
    if credited_under is not None and credited_under != code:
        other = RULES[credited_under]
        return refuse(
            messages.COMPETITION_CREDITED_UNDER_OTHER_RULE.format(
                other_code=other.code, other_title=other.title, subject=subject_of(spec.category)
            )
        )
    if key in prior.evidence_keys or credited_under is not None:
        return refuse(messages.EVIDENCE_ALREADY_CREDITED)

    hours = claimed
    reasons: list[str] = []
    if code == PRO_5:
        days = _int(values, "days")
        limit = quantize_hours(figures.expert_work_hours_per_day * days)
        if hours > limit:
            reasons.append(
                messages.DAILY_CAP_APPLIED.format(
                    title=spec.title,
                    per_day=format_hours(figures.expert_work_hours_per_day),
                    days=days,
                    limit=format_hours(limit),
                    claimed=format_hours(claimed),
                )
            )
            hours = limit

    cap = yearly_cap(code, figures)
    if cap is not None:
        already = prior.hours_for(code)
        remaining = max(cap - already, ZERO)
        if remaining <= 0:
            return refuse(
                messages.YEARLY_CAP_REACHED.format(
                    title=spec.title, cap=format_hours(cap), prior=format_hours(already)
                ),
                capped=True,
            )
        if hours > remaining:
            reasons.append(
                messages.YEARLY_CAP_APPLIED.format(
                    title=spec.title,
                    cap=format_hours(cap),
                    prior=format_hours(already),
                    credited=format_hours(remaining),
                    claimed=format_hours(hours),
                )
            )
            hours = remaining

    return CreditResult(
        code=code,
        category=spec.category,
        evidence_key=key,
        hours=quantize_hours(hours),
        claimed=claimed,
        capped=bool(reasons),
        reasons=tuple(reasons),
    )


def _reduction_refusal(spec: RuleSpec, values: Mapping[str, FieldValue], figures: RuleFigures) -> str | None:
    """Why an R1 claim does not qualify, or None. "超过6个月" is read in whole months: 7 or more away."""
    months_on_post = _int(values, "months_on_post")
    if months_on_post >= MONTHS_PER_YEAR:
        return messages.REDUCTION_NOT_NEEDED.format(months_on_post=months_on_post)
    reason = _text(values, "reason")
    months_away = MONTHS_PER_YEAR - months_on_post
    months_away_over = figures.reduction_months_away_over[reason]
    if months_away > months_away_over:
        return None
    return messages.REDUCTION_NOT_ELIGIBLE.format(
        reason=spec.field("reason").choice_label(reason),
        months_away_over=months_away_over,
        months_on_post=months_on_post,
        months_away=months_away,
    )


# ---------------------------------------------------------------------------------------------------
# Claim window


def check_claim_window(figures: RuleFigures, year: int, today: datetime.date) -> str | None:
    """The refusal for a claim for ``year`` submitted on ``today``, or None while the window is open.

    ``today`` is the local date (``timezone.localdate()``), both ends inclusive. ``figures`` must be the
    rule set of ``year``: a mismatch is a programming error, not a user's.
    """
    if figures.year != year:
        raise ValueError(messages.FIGURES_YEAR_MISMATCH.format(figures_year=figures.year, year=year))
    if isinstance(today, datetime.datetime):
        raise TypeError("check_claim_window takes the local date, not a datetime")
    if today < figures.claim_window_opens:
        return messages.CLAIM_WINDOW_NOT_OPEN.format(year=year, opens=format_date(figures.claim_window_opens))
    if today > figures.claim_window_closes:
        return messages.CLAIM_WINDOW_CLOSED.format(year=year, closes=format_date(figures.claim_window_closes))
    return None
