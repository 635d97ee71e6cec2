"""The figures the filings apply, read from the hours app's year rule set (PRO-2: 8 hours a day)."""

from __future__ import annotations

from decimal import Decimal

from hours import selectors as hours_selectors
from hours.rules import FIGURES_2024, RuleFigures
from hours.selectors import YearRulesMissingError


def year_figures(year: int) -> RuleFigures:
    """The year's published figures; raises ``YearRulesMissingError`` (a ValidationError with the
    Chinese message) when the year has none. Imports need this: hours are credited by that year's rules."""
    return hours_selectors.year_figures(year)


def planning_hours_per_day(year: int) -> Decimal:
    """For checking a filing's planned hours, which may come before the year's rules are published:
    that year's figure, else the latest earlier year's, else the 2024 notice's."""
    try:
        return year_figures(year).training_hours_per_day
    except YearRulesMissingError:
        earlier = [candidate for candidate in hours_selectors.years_with_rules() if candidate < year]
        if earlier:
            return year_figures(max(earlier)).training_hours_per_day
        return FIGURES_2024.training_hours_per_day
