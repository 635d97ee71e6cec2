"""How claims, rules and ledger entries read on a page: Chinese labels for codes, hours as people
write them. Pure presentation, shared by pages, the API and templates."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import SourceType
from .rules import RULES, FieldSpec, RuleSpec, format_hours
from .rules.messages import RULE_NOT_CLAIMABLE_TRAINING
from .rules.specs import CATEGORY_PROFESSIONAL, CATEGORY_PUBLIC, NOT_CLAIMABLE, PRO_2, R1


def status_badge_classes(status: str) -> str:
    """A claim's status badge in the platform's shared colours (static/css/site.css, badge-status-*),
    as every other status badge (templates/includes/status_badge.html)."""
    return f"badge-status badge-status-{status}"


PRO_2_TITLE = _("培训进修（由单位统一备案）")


@dataclass(frozen=True)
class RuleChoice:
    code: str
    title: str
    claimable: bool
    explanation: str = ""


@dataclass(frozen=True)
class RuleGroup:
    title: str
    rules: tuple[RuleChoice, ...]


def rule_groups() -> list[RuleGroup]:
    """The claim chooser: 公需科目, 专业科目 (PRO-2 shown, not claimable, with the reason), 其他."""
    public = [
        RuleChoice(spec.code, spec.title, True) for spec in RULES.values() if spec.category == CATEGORY_PUBLIC
    ]
    professional = [
        RuleChoice(spec.code, spec.title, True)
        for spec in RULES.values()
        if spec.category == CATEGORY_PROFESSIONAL
    ]
    professional.insert(1, RuleChoice(PRO_2, str(PRO_2_TITLE), False, RULE_NOT_CLAIMABLE_TRAINING))
    assert PRO_2 in NOT_CLAIMABLE
    other = [RuleChoice(R1, RULES[R1].title, True)]
    return [
        RuleGroup(str(_("公需科目")), tuple(public)),
        RuleGroup(str(_("专业科目")), tuple(professional)),
        RuleGroup(str(_("其他")), tuple(other)),
    ]


def field_value_display(field_spec: FieldSpec, value: object) -> str:
    if value is None or value == "":
        return "—"
    if field_spec.kind == "choice":
        try:
            return field_spec.choice_label(str(value))
        except KeyError:
            return str(value)
    if field_spec.kind == "month":
        return f"{value}月"
    if field_spec.kind == "date":
        try:
            date = datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{date.year}年{date.month}月{date.day}日"
    if field_spec.kind == "decimal":
        try:
            return format_hours(Decimal(str(value)))
        except ArithmeticError:
            return str(value)
    return str(value)


def field_rows(spec: RuleSpec, fields: Mapping[str, object]) -> list[tuple[str, str]]:
    """(label, value as read) for every field of the rule, in the spec's order."""
    return [
        (field_spec.label, field_value_display(field_spec, fields.get(field_spec.name)))
        for field_spec in spec.fields
    ]


def source_label(source_type: str) -> str:
    try:
        return str(SourceType(source_type).label)
    except ValueError:
        return source_type
