"""Reads for hours, scoped to who is asking. Views and APIs build on these and never on Model.objects;
whatever a selector does not return does not exist for that user (a 404)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policies as account_policies
from accounts.selectors import path_filter

from .models import (
    PREMIUM_COURSE_RULE_CODE,
    Claim,
    ClaimStatus,
    LedgerCategory,
    LedgerEntry,
    RequirementReduction,
    SourceType,
    YearRuleSet,
)
from .rules import PriorCredits, RuleFigures
from .rules.specs import COMPETITION_RULES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

YEAR_RULES_MISSING = _("%(year)s年度学时规则尚未发布。")
ZERO = Decimal("0.0")
YEAR_RULES_CACHE_SECONDS = 60 * 60
#: Years the platform can hold a rule set for; anything else is refused before it reaches the database.
YEAR_RANGE = range(2000, 2101)
_FIGURES_CACHE_KEY = "hours:year-figures:v1:{year}"
_YEARS_CACHE_KEY = "hours:years:v1"


class YearRulesMissingError(ValidationError):
    """No rule set for the year: nothing about that year's hours can be computed."""

    def __init__(self, year: int) -> None:
        super().__init__(YEAR_RULES_MISSING, params={"year": year}, code="year_rules_missing")
        self.year = year


# --- The year's rule set (cached: read on every hours page) ----------------------------------------


def year_figures(year: int) -> RuleFigures:
    """The figures of ``year``'s rule set, from the cache when possible; ``YearRulesMissingError`` if none.

    The cache holds the JSON dict (``RuleFigures`` holds read-only mappings, which do not pickle);
    ``services.year_rules_*`` delete the entry whenever a rule set changes.
    """
    if year not in YEAR_RANGE:
        raise YearRulesMissingError(year)
    key = _FIGURES_CACHE_KEY.format(year=year)
    data = cache.get(key)
    if data is None:
        data = YearRuleSet.objects.filter(year=year).values_list("figures", flat=True).first()
        if data is None:
            raise YearRulesMissingError(year)
        cache.set(key, data, YEAR_RULES_CACHE_SECONDS)
    parsed = _parsed_figures.get(year)
    if parsed is None or parsed[0] != data:
        # Parsing and validating the figures costs more than the rest of an hours page's Python: keep the
        # last parse per year in the process, reused while the cached figures are equal to what it read.
        parsed = (data, RuleFigures.from_dict(data))
        _parsed_figures[year] = parsed
    return parsed[1]


_parsed_figures: dict[int, tuple[object, RuleFigures]] = {}


def years_with_rules() -> list[int]:
    """Every year with a rule set, newest first (cached with the figures)."""
    years = cache.get(_YEARS_CACHE_KEY)
    if years is None:
        years = list(YearRuleSet.objects.order_by("-year").values_list("year", flat=True))
        cache.set(_YEARS_CACHE_KEY, years, YEAR_RULES_CACHE_SECONDS)
    return list(years)


def forget_year_rules(year: int) -> None:
    """Drop the cached rule set of ``year`` and the list of years (called by the services)."""
    cache.delete_many([_FIGURES_CACHE_KEY.format(year=year), _YEARS_CACHE_KEY])


def default_year() -> int | None:
    """The year pages open on: the current year if it has a rule set, else the latest year before it
    that has one, else the earliest later one; None when no year has a rule set."""
    years = years_with_rules()
    if not years:
        return None
    current = timezone.localdate().year
    earlier = [year for year in years if year <= current]
    return max(earlier) if earlier else min(years)


def years_open_for_claims() -> list[int]:
    """Years whose claim window contains today, newest first."""
    today = timezone.localdate()
    open_years = []
    for year in years_with_rules():
        figures = year_figures(year)
        if figures.claim_window_opens <= today <= figures.claim_window_closes:
            open_years.append(year)
    return open_years


def year_rule_sets() -> QuerySet[YearRuleSet]:
    return YearRuleSet.objects.select_related("updated_by").order_by("-year")


# --- Claims ------------------------------------------------------------------------------------------


def claims_visible_to(user: User | AnonymousUser) -> QuerySet[Claim]:
    """The user's own claims, and the submitted claims of units in their jurisdiction (reviewers).

    A draft is its author's alone. Jurisdiction is ``claim.unit`` (the unit at submission), the same
    test as ``accounts.policies.governs(user, claim.unit)``.
    """
    if not user.is_authenticated:
        return Claim.objects.none()
    condition = Q(person=user)
    governed = path_filter(account_policies.governed_paths(user), "unit__path")
    if governed is not None:
        condition |= governed & ~Q(status=ClaimStatus.DRAFT) & Q(unit__isnull=False)
    return Claim.objects.select_related("person", "unit").filter(condition)


def own_claims(user: User | AnonymousUser) -> QuerySet[Claim]:
    if not user.is_authenticated:
        return Claim.objects.none()
    return Claim.objects.select_related("unit").filter(person=user)


# --- The ledger --------------------------------------------------------------------------------------


def ledger_entries_of(person: User, year: int | None = None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(person=person)
    if year is not None:
        entries = entries.filter(year=year)
    return entries.order_by("created_at", "id")


def prior_credits(person_id: int, year: int) -> PriorCredits:
    """What the person has approved, as the conversion rules need it (see ``hours.rules.PriorCredits``).

    Hours per rule are the year's net sums (a reversal cancels its credit); evidence keys are those of
    credits not reversed, any year, plus the keys of active R1 reductions. The posting services call
    this after locking the person's row, so the answer cannot change before they write.
    """
    by_rule = (
        LedgerEntry.objects.filter(person_id=person_id, year=year)
        .exclude(rule_code="")
        .values("rule_code")
        .annotate(total=Sum("hours"))
    )
    hours_by_rule = {row["rule_code"]: Decimal(row["total"]) for row in by_rule}
    live = (
        LedgerEntry.objects.filter(person_id=person_id, reverses__isnull=True, reversal__isnull=True)
        .exclude(evidence_key="")
        .values_list("evidence_key", "rule_code")
    )
    evidence_keys: set[str] = set()
    competition_keys: dict[str, str] = {}
    for key, rule_code in live:
        evidence_keys.add(key)
        if rule_code in COMPETITION_RULES:
            competition_keys[key] = rule_code
    reductions = RequirementReduction.objects.filter(person_id=person_id, is_active=True).values_list(
        "claim__evidence_key", flat=True
    )
    evidence_keys.update(key for key in reductions if key)
    return PriorCredits(
        hours_by_rule=hours_by_rule, evidence_keys=frozenset(evidence_keys), competition_keys=competition_keys
    )


@dataclass(frozen=True)
class YearSummary:
    """Required against earned for one person and year, and whether the year is complete.

    Compliance (rules-2024.md and the notice, 五(二)): public hours >= the public requirement, and
    professional hours >= the professional requirement or a premium professional course completed that
    year ("视同完成当年度专业科目培训任务": it satisfies the professional part, not the public one).
    Requirements are the year's figures, or the reduced ones of an approved R1 claim.
    """

    year: int
    figures: RuleFigures
    public_required: Decimal
    professional_required: Decimal
    reduction: RequirementReduction | None
    compulsory: Decimal
    elective: Decimal
    conversion: Decimal
    professional: Decimal
    premium_course_completed: bool

    @property
    def public(self) -> Decimal:
        return self.compulsory + self.elective + self.conversion

    @property
    def total(self) -> Decimal:
        return self.public + self.professional

    @property
    def missing_public(self) -> Decimal:
        return max(self.public_required - self.public, ZERO)

    @property
    def missing_professional(self) -> Decimal:
        if self.premium_course_completed:
            return ZERO
        return max(self.professional_required - self.professional, ZERO)

    @property
    def is_public_complete(self) -> bool:
        return self.missing_public == 0

    @property
    def is_professional_complete(self) -> bool:
        return self.missing_professional == 0

    @property
    def is_compliant(self) -> bool:
        return self.is_public_complete and self.is_professional_complete

    @property
    def compulsory_room(self) -> Decimal:
        """Compulsory-course hours that can still count this year (the route's cap)."""
        return max(self.figures.compulsory_course_cap - self.compulsory, ZERO)

    @property
    def elective_room(self) -> Decimal:
        return max(self.figures.elective_course_cap - self.elective, ZERO)

    @property
    def public_progress(self) -> Decimal:
        """Hours shown on the progress bar: earned, but never more than the bar's length."""
        return min(self.public, self.public_required)

    @property
    def professional_progress(self) -> Decimal:
        if self.premium_course_completed:
            return self.professional_required
        return min(self.professional, self.professional_required)


def year_summary(person: User, year: int, entries: Iterable[LedgerEntry] | None = None) -> YearSummary:
    """One aggregate query over the ledger (whatever the number of entries), one for R1, and the
    cached figures. ``YearRulesMissingError`` when the year has no rule set.

    ``entries``: the person's ledger entries of the year, when the caller has them anyway (我的学时
    lists them all); the totals are then summed from them, the same figures without the aggregate.
    """
    figures = year_figures(year)
    totals = {category: ZERO for category in LedgerCategory.values}
    premium_net = 0
    if entries is None:
        premium = Q(source_type=SourceType.PROGRAMME, rule_code=PREMIUM_COURSE_RULE_CODE)
        rows = (
            LedgerEntry.objects.filter(person=person, year=year)
            .values("category")
            .annotate(
                total=Sum("hours"),
                premium_credits=Count("pk", filter=premium & Q(reverses__isnull=True)),
                premium_reversals=Count("pk", filter=premium & Q(reverses__isnull=False)),
            )
            .order_by()
        )
        for row in rows:
            totals[row["category"]] = Decimal(row["total"] or 0)
            premium_net += row["premium_credits"] - row["premium_reversals"]
    else:
        for entry in entries:
            if entry.person_id != person.pk or entry.year != year:
                raise ValueError(f"ledger entry {entry.pk} is not {person.pk}'s for {year}")
            totals[entry.category] += entry.hours
            if entry.source_type == SourceType.PROGRAMME and entry.rule_code == PREMIUM_COURSE_RULE_CODE:
                premium_net += 1 if entry.reverses_id is None else -1
    reduction = RequirementReduction.objects.filter(person=person, year=year, is_active=True).first()
    return YearSummary(
        year=year,
        figures=figures,
        public_required=reduction.public_required if reduction else figures.public_required,
        professional_required=reduction.professional_required if reduction else figures.professional_required,
        reduction=reduction,
        compulsory=totals[LedgerCategory.PUBLIC_COMPULSORY],
        elective=totals[LedgerCategory.PUBLIC_ELECTIVE],
        conversion=totals[LedgerCategory.PUBLIC_CONVERSION],
        professional=totals[LedgerCategory.PROFESSIONAL],
        premium_course_completed=premium_net > 0,
    )


def claim_ids_of_entries(entries: Iterable[LedgerEntry]) -> set[str]:
    return {entry.source_id for entry in entries if entry.source_type == SourceType.CLAIM}
