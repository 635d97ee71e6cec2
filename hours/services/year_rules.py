"""The year's rule set: created, edited and copied by city bureau staff (and the platform admin)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Role, User

from .. import policies, selectors
from ..models import YearRuleSet
from ..rules import FIGURES_2024, RuleFigures

YEAR_RULES_NOT_ALLOWED = _("只有市人力资源和社会保障局工作人员可以修改年度学时规则。")
YEAR_RULES_EXIST = _("%(year)s年度学时规则已存在，请直接修改。")
YEAR_RULES_COPY_BACKWARDS = _("只能把较早年度的学时规则复制到较晚的年度。")
YEAR_RULES_YEAR_MISMATCH = _("学时规则中的年度（%(figures_year)s）与所选年度（%(year)s）不一致。")
YEAR_OUT_OF_RANGE = _("年度须在2000至2100之间。")

#: Rule sets the platform ships with (the 2024 notice); the data migration loads the same figures.
DEFAULT_RULE_SETS: tuple[RuleFigures, ...] = (FIGURES_2024,)


def _check_actor(actor: User | None) -> None:
    """``actor`` is None only for data loading (migrations, demo data, management commands)."""
    if actor is not None and not policies.can_edit_year_rules(actor):
        raise PermissionDenied(YEAR_RULES_NOT_ALLOWED)


def _parse(year: int, figures: RuleFigures | Mapping[str, Any]) -> RuleFigures:
    if not isinstance(figures, RuleFigures):
        try:
            figures = RuleFigures.from_dict(figures)
        except ValueError as error:
            raise ValidationError({"figures": str(error)}) from error
    if figures.year != year:
        raise ValidationError(
            {"figures": YEAR_RULES_YEAR_MISMATCH % {"figures_year": figures.year, "year": year}}
        )
    return figures


def _check_year(year: int) -> None:
    if year not in selectors.YEAR_RANGE:
        raise ValidationError({"year": YEAR_OUT_OF_RANGE})


def _audit(actor: User | None, action: str, rule_set: YearRuleSet, detail: dict[str, Any]) -> None:
    assignment = policies.year_rules_assignment(actor) if actor is not None else None
    audit_record(
        actor=actor,
        action=action,
        target=rule_set,
        organisation=assignment.organisation if assignment else None,
        assignment=assignment,
        role="" if assignment or actor is None else Role.PLATFORM_ADMIN,
        detail=detail,
    )


def _forget(year: int) -> None:
    selectors.forget_year_rules(year)
    transaction.on_commit(lambda: selectors.forget_year_rules(year))


@transaction.atomic
def year_rules_create(
    *, actor: User | None, year: int, figures: RuleFigures | Mapping[str, Any]
) -> YearRuleSet:
    _check_actor(actor)
    _check_year(year)
    parsed = _parse(year, figures)
    if YearRuleSet.objects.filter(year=year).exists():
        raise ValidationError({"year": YEAR_RULES_EXIST % {"year": year}})
    rule_set = YearRuleSet(year=year, figures=parsed.to_dict(), updated_by=actor, updated_at=timezone.now())
    rule_set.full_clean()
    try:
        with transaction.atomic():
            rule_set.save()
    except IntegrityError as error:  # two people creating the same year at once
        raise ValidationError({"year": YEAR_RULES_EXIST % {"year": year}}) from error
    _audit(actor, "hours.year_rules.create", rule_set, {"year": year})
    _forget(year)
    return rule_set


@transaction.atomic
def year_rules_update(
    *, actor: User | None, year: int, figures: RuleFigures | Mapping[str, Any]
) -> YearRuleSet:
    """Replaces every figure of ``year``. Claims already approved keep what they were credited; the new
    figures apply to previews, submissions and approvals from now on."""
    _check_actor(actor)
    parsed = _parse(year, figures)
    rule_set = YearRuleSet.objects.select_for_update().get(year=year)
    before = rule_set.figures
    after = parsed.to_dict()
    changed = sorted(key for key in after if before.get(key) != after[key])
    rule_set.figures = after
    rule_set.updated_by = actor
    rule_set.updated_at = timezone.now()
    rule_set.full_clean()
    rule_set.save()
    _audit(
        actor,
        "hours.year_rules.update",
        rule_set,
        {"year": year, "changed": changed, "before": {key: before.get(key) for key in changed}},
    )
    _forget(year)
    return rule_set


def _shift_date(value: datetime.date, years: int) -> datetime.date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February into a year without one
        return value.replace(year=value.year + years, day=28)


def copied_figures(figures: RuleFigures, to_year: int) -> RuleFigures:
    """The figures of a later year as a copy: the same hours and caps, every date moved by the years
    between (public study opens on the same day, the claim window keeps its length)."""
    years = to_year - figures.year
    return dataclasses.replace(
        figures,
        year=to_year,
        public_study_opens=_shift_date(figures.public_study_opens, years),
        claim_window_opens=_shift_date(figures.claim_window_opens, years),
        claim_window_closes=_shift_date(figures.claim_window_closes, years),
    )


@transaction.atomic
def year_rules_copy(*, actor: User | None, from_year: int, to_year: int) -> YearRuleSet:
    """A later year starts as a copy of an earlier one (usually the previous), then is edited."""
    _check_actor(actor)
    _check_year(to_year)
    if to_year <= from_year:
        raise ValidationError({"to_year": YEAR_RULES_COPY_BACKWARDS})
    source = selectors.year_figures(from_year)
    rule_set = year_rules_create(actor=actor, year=to_year, figures=copied_figures(source, to_year))
    _audit(actor, "hours.year_rules.copy", rule_set, {"from_year": from_year, "to_year": to_year})
    return rule_set


@transaction.atomic
def year_rules_load_defaults() -> list[YearRuleSet]:
    """Creates the rule sets the platform ships with where missing (the data migration does the same;
    this is for databases flushed by tests and for demo data)."""
    created = []
    for figures in DEFAULT_RULE_SETS:
        if not YearRuleSet.objects.filter(year=figures.year).exists():
            created.append(year_rules_create(actor=None, year=figures.year, figures=figures))
    return created
