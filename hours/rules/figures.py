"""Every figure of one year's rule set, as data.

Why data and not constants in the arithmetic: Annex 1 itself says "国家、省另有规定的从其规定" (national or
provincial rules override these figures), the next year's notice may change any of them, and another
city is a different data set. The Django model stores a year's ``RuleFigures`` in a JSONField through
``to_dict``/``from_dict``; ``compute`` reads nothing else. ``from_dict`` refuses an incomplete dict
rather than filling defaults, because a silently defaulted figure would be a rule nobody decided.
"""

from __future__ import annotations

import datetime
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from . import messages
from .specs import (
    COMPETITION_LEVEL_CHOICES,
    FOREIGN_LANGUAGE_GRADE_CHOICES,
    REDUCTION_REASON_CHOICES,
    SKILL_GRADE_CHOICES,
    Choices,
)

HoursTable = Mapping[str, Decimal]


@dataclass(frozen=True)
class RuleFigures:
    """The figures of one year's rule set. Hours are ``Decimal``; the tables are keyed by choice code.

    Readings the platform takes where the notice is silent are parameters here too (the claim window,
    and the months away that R1 requires: "over 6" is stored as 6 and compared with ``>``).
    """

    year: int
    # The year's requirement and the course route (notice, sections 二 and 三).
    public_required: Decimal
    professional_required: Decimal
    compulsory_course_cap: Decimal
    elective_course_cap: Decimal
    public_study_opens: datetime.date
    # Reading: the notice names no claim deadline; the window is the bureau's to set.
    claim_window_opens: datetime.date
    claim_window_closes: datetime.date
    # PUB-1 / PRO-1: hours for a full year of dispatched assignment (pro rata by month, and the yearly cap).
    dispatch_public_hours_per_year: Decimal
    dispatch_professional_hours_per_year: Decimal
    # PUB-2: by grade.
    foreign_language_exam_hours: HoursTable = field(hash=False)
    # PUB-3.
    computer_exam_hours_per_module: Decimal
    computer_exam_yearly_cap: Decimal
    # PUB-4 / PRO-7: by competition level.
    competition_public_hours: HoursTable = field(hash=False)
    competition_professional_hours: HoursTable = field(hash=False)
    # PRO-2 (filed trainings, imported): at most this many hours per day.
    training_hours_per_day: Decimal
    # PRO-3.
    self_study_exam_hours_per_course: Decimal
    self_study_exam_yearly_cap: Decimal
    # PRO-4: outcomes and publications together.
    research_hours_per_item: Decimal
    research_yearly_cap: Decimal
    # PRO-5: actual working time, at most this many hours per day.
    expert_work_hours_per_day: Decimal
    # PRO-6: per certificate obtained in the year (reading).
    qualification_exam_hours: Decimal
    # PRO-8: by skill grade.
    skill_evaluation_hours: HoursTable = field(hash=False)
    # R1: the reason qualifies only when the months away from post exceed this number (0 = any absence).
    reduction_months_away_over: Mapping[str, int] = field(hash=False)
    # Programmes named by the notice's body.
    quality_online_course_multiplier: Decimal
    digital_engineer_hours_per_day: Decimal

    def __post_init__(self) -> None:
        """Refuse a rule set with a wrong-typed, negative or incomplete figure, naming each one."""
        problems: list[str] = []
        for name, kind in _field_types().items():
            if name in _TABLE_CHOICES:
                continue
            problem = _value_problem(kind, name, getattr(self, name))
            if problem:
                problems.append(problem)
        for name, choices in _TABLE_CHOICES.items():
            table = getattr(self, name)
            expected = [code for code, _label in choices]
            if not isinstance(table, Mapping) or sorted(table) != sorted(expected):
                problems.append(messages.FIGURES_BAD_CHOICES.format(key=name, expected="、".join(expected)))
                continue
            value_type = int if name == "reduction_months_away_over" else Decimal
            for code in expected:
                problem = _value_problem(value_type, f"{name}.{code}", table[code])
                if problem:
                    problems.append(problem)
            # Freeze the table: a frozen dataclass holding a mutable dict would not be frozen.
            object.__setattr__(self, name, MappingProxyType({code: table[code] for code in expected}))
        if not problems and self.claim_window_closes < self.claim_window_opens:
            problems.append(messages.FIGURES_WINDOW_ORDER)
        if problems:
            raise ValueError("；".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for the model's JSONField: decimals as strings, dates as ISO strings."""
        return {item.name: _to_json(getattr(self, item.name)) for item in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RuleFigures:
        """Rebuild from ``to_dict`` output. Every key is required; unknown keys are refused too.

        Raises ``ValueError`` naming the missing or unknown keys, or the keys whose value is invalid.
        """
        hints = _field_types()
        missing = [name for name in hints if name not in data]
        unknown = sorted(set(data) - set(hints))
        problems: list[str] = []
        if missing:
            problems.append(messages.FIGURES_MISSING_KEYS.format(keys="、".join(missing)))
        if unknown:
            problems.append(messages.FIGURES_UNKNOWN_KEYS.format(keys="、".join(unknown)))
        if problems:
            raise ValueError("；".join(problems))
        values: dict[str, Any] = {}
        for name, kind in hints.items():
            try:
                values[name] = _from_json(kind, data[name])
            except (TypeError, ValueError, InvalidOperation, ArithmeticError):
                problems.append(messages.FIGURES_BAD_VALUE.format(key=name, value=repr(data[name])))
        if problems:
            raise ValueError("；".join(problems))
        return cls(**values)


_TABLE_CHOICES: dict[str, Choices] = {
    "foreign_language_exam_hours": FOREIGN_LANGUAGE_GRADE_CHOICES,
    "competition_public_hours": COMPETITION_LEVEL_CHOICES,
    "competition_professional_hours": COMPETITION_LEVEL_CHOICES,
    "skill_evaluation_hours": SKILL_GRADE_CHOICES,
    "reduction_months_away_over": REDUCTION_REASON_CHOICES,
}


def _value_problem(kind: Any, key: str, value: object) -> str | None:
    """Why ``value`` cannot be the figure ``key`` of type ``kind``, or None."""
    if kind is Decimal:
        valid = isinstance(value, Decimal) and value.is_finite()
    elif kind is int:
        valid = isinstance(value, int) and not isinstance(value, bool)
    else:  # datetime.date; a datetime would carry a meaningless time of day
        valid = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    if not valid:
        return messages.FIGURES_BAD_VALUE.format(key=key, value=repr(value))
    if isinstance(value, Decimal | int) and value < 0:
        return messages.FIGURES_NEGATIVE.format(key=key)
    return None


@functools.cache
def _field_types() -> Mapping[str, Any]:
    """The figures' names and types, worked out once per process (``get_type_hints`` evaluates every
    annotation's string: it was a fifth of the cost of reading a year's figures)."""
    hints = typing.get_type_hints(RuleFigures)
    return MappingProxyType({item.name: hints[item.name] for item in fields(RuleFigures)})


def _to_json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _to_json(item) for key, item in value.items()}
    return value


def _from_json(kind: Any, value: object) -> object:
    if kind is int:
        return _parse_int(value)
    if kind is Decimal:
        return _parse_decimal(value)
    if kind is datetime.date:
        if not isinstance(value, str):
            raise TypeError(value)
        return datetime.date.fromisoformat(value)
    if typing.get_origin(kind) is Mapping:
        if not isinstance(value, Mapping):
            raise TypeError(value)
        _key_type, value_type = typing.get_args(kind)
        return {str(key): _from_json(value_type, item) for key, item in value.items()}
    raise TypeError(kind)  # pragma: no cover - every field type is handled above


def _parse_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    return int(value)


def _parse_decimal(value: object) -> Decimal:
    """Strings as written by ``to_dict``; plain JSON numbers too, for a hand-edited rule set."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(value)
    result = Decimal(str(value))
    if not result.is_finite():
        raise ValueError(value)
    return result


def _hours(table: Mapping[str, int]) -> dict[str, Decimal]:
    return {code: Decimal(hours) for code, hours in table.items()}


#: The 2024 rule set, from the Jining notice of 2024-04-26 and its Annex 1.
FIGURES_2024 = RuleFigures(
    year=2024,
    public_required=Decimal(30),
    professional_required=Decimal(60),
    compulsory_course_cap=Decimal(20),
    elective_course_cap=Decimal(10),
    public_study_opens=datetime.date(2024, 5, 10),
    claim_window_opens=datetime.date(2024, 1, 1),
    claim_window_closes=datetime.date(2025, 3, 31),
    dispatch_public_hours_per_year=Decimal(30),
    dispatch_professional_hours_per_year=Decimal(60),
    foreign_language_exam_hours=_hours({"A": 30, "B": 20, "C": 10}),
    computer_exam_hours_per_module=Decimal(5),
    computer_exam_yearly_cap=Decimal(30),
    competition_public_hours=_hours({"national": 5, "provincial": 4, "city": 3, "county": 3}),
    competition_professional_hours=_hours({"national": 30, "provincial": 20, "city": 10, "county": 5}),
    training_hours_per_day=Decimal(8),
    self_study_exam_hours_per_course=Decimal(10),
    self_study_exam_yearly_cap=Decimal(40),
    research_hours_per_item=Decimal(10),
    research_yearly_cap=Decimal(30),
    expert_work_hours_per_day=Decimal(8),
    qualification_exam_hours=Decimal(16),
    skill_evaluation_hours=_hours(
        {
            "chief_technician": 30,
            "special_technician": 25,
            "senior_technician": 20,
            "technician": 15,
            "senior_worker": 10,
        }
    ),
    reduction_months_away_over={"abroad": 6, "sick_leave": 6, "maternity": 0},
    quality_online_course_multiplier=Decimal(2),
    digital_engineer_hours_per_day=Decimal(8),
)
