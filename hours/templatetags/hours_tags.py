"""Template helpers for hours: hours as people write them, status badges, the dashboard's summary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from .. import display, policies, selectors
from ..rules import format_hours

register = template.Library()


@register.filter
def hours(value: Decimal | int | str | None) -> str:
    """12.5 → "12.5", 20.0 → "20"; None → "—"."""
    if value is None or value == "":
        return "—"
    return format_hours(Decimal(str(value)))


@register.filter
def claim_badge(status: str) -> str:
    return display.status_badge_classes(status)


@register.filter
def source_label(source_type: str) -> str:
    return display.source_label(source_type)


@register.simple_tag
def current_year_summary(user: Any) -> selectors.YearSummary | None:
    """The summary of the year the dashboard shows (the current one, else the latest with rules), or
    None for someone who keeps no hours or when no year has a rule set."""
    if not policies.can_file_claims(user):
        return None
    year = selectors.default_year()
    if year is None:
        return None
    return selectors.year_summary(user, year)
