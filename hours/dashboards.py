"""Dashboards, the deadline forecast and the reminders to those behind.

Reads here are selectors (scoped to who asks). The compliance figures of a jurisdiction come from the
same streamed pass as the compliance report (``reports.detail_rows``), so a chart and the report can
never disagree. A city-wide pass reads every professional (half a million), so the figures of the
bureaus (the city, each county and functional zone) are precomputed into the cache by Celery beat
(``dashboard_figures_precompute``) and a dashboard visit reads them; any other jurisdiction, or a
bureau whose figures are not in the cache yet, is computed on the visit and cached for a few minutes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import policies as account_policies
from accounts.audit import audit_record
from accounts.models import BUREAU_KINDS, Notification, Organisation, User
from accounts.selectors import forget_unread_count

from . import selectors
from .models import (
    PREMIUM_COURSE_RULE_CODE,
    PUBLIC_CATEGORIES,
    ClaimStatus,
    LedgerCategory,
    LedgerEntry,
    ReminderRun,
    RequirementReduction,
    SourceType,
)
from .reports import (
    ReportRow,
    Tally,
    professionals_in,
    reductions_in,
    report_rows,
    report_summaries,
    report_values,
    row_is_compliant,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

DASHBOARD_CACHE_SECONDS = 10 * 60
#: How often beat precomputes the bureaus' figures (the schedule in settings uses this) and how long
#: they stay: three runs, so one slow or missed run never leaves a bureau's dashboard to compute cold.
DASHBOARD_PRECOMPUTE_EVERY_SECONDS = 15 * 60
DASHBOARD_PRECOMPUTE_SECONDS = 3 * DASHBOARD_PRECOMPUTE_EVERY_SECONDS
#: A claim waiting longer than this at one stage is overdue.
OVERDUE_REVIEW_DAYS = 15
#: Default reminder dates (month-day) when the beat schedule passes none.
DEFAULT_REMINDER_DATES = ("09-01", "11-01", "12-01")
NOTIFICATION_BATCH = 2000

REMINDER_TITLE = _("继续教育学时提醒")
REMINDER_BODY = _(
    "您%(year)s年度的继续教育学时尚未完成：公需科目还需%(public)s学时，专业科目还需%(professional)s学时。"
    "请在%(deadline)s前完成。"
)
STAGE_LABELS = {1: _("单位审核"), 2: _("主管部门审核"), 3: _("人社部门审批"), 4: _("市人社局审批")}
STAGE_UNASSIGNED = _("待分配")
MONTH_LABELS = [f"{month}月" for month in range(1, 13)]


def can_see_dashboard(user: User | AnonymousUser) -> bool:
    return bool(account_policies.governed_paths(user))


def dashboard_scopes(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations the user's dashboard can show (each organisation of a governing role)."""
    from .reports import report_organisations

    return report_organisations(user)


# --- Compliance figures of a jurisdiction -----------------------------------------------------------


@dataclass
class Chart:
    """A bar chart and its table: labels, values (percent or hours) and the counts behind them."""

    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    unit: str = "%"
    maximum: Decimal = Decimal(100)

    def bars(self, width: int = 100) -> list[dict[str, Any]]:
        """Each row with its bar length (0..width) for the server-drawn SVG."""
        maximum = self.maximum or Decimal(1)
        return [
            {**row, "length": float(min(Decimal(row["value"]) / maximum, Decimal(1)) * width)}
            for row in self.rows
        ]

    @property
    def height(self) -> int:
        """The SVG's height in CSS pixels: a row of label and value above its bar per row."""
        return 44 * len(self.rows)


def _tally_rows(tallies: Iterable[Tally]) -> list[dict[str, Any]]:
    return [
        {
            "label": tally.label,
            "value": tally.rate,
            "headcount": tally.headcount,
            "compliant": tally.compliant,
        }
        for tally in sorted(tallies, key=lambda tally: (-tally.rate, tally.label))
    ]


@dataclass
class JurisdictionFigures:
    year: int
    organisation_name: str
    overall: Tally
    by_county: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    by_unit: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    computed_at: datetime.datetime | None = None


def monthly_progress(path: str, year: int, headcount: int) -> list[dict[str, Any]]:
    """Share of the jurisdiction's professionals compliant at the end of each month of the year (by
    when the hours were credited; credits posted after the year count in December)."""
    figures = selectors.year_figures(year)
    reductions = dict(
        (person_id, (public, professional))
        for person_id, public, professional in RequirementReduction.objects.filter(
            year=year, is_active=True, person__unit__path__startswith=path
        ).values_list("person_id", "public_required", "professional_required")
    )
    premium = Q(source_type=SourceType.PROGRAMME, rule_code=PREMIUM_COURSE_RULE_CODE)
    rows = (
        LedgerEntry.objects.filter(year=year, person__in=professionals_in(path).values("pk"))
        .annotate(
            credited_year=ExtractYear("created_at", tzinfo=timezone.get_current_timezone()),
            credited_month=ExtractMonth("created_at", tzinfo=timezone.get_current_timezone()),
        )
        .values("person_id", "credited_year", "credited_month")
        .annotate(
            public=Sum("hours", filter=Q(category__in=PUBLIC_CATEGORIES)),
            professional=Sum("hours", filter=Q(category=LedgerCategory.PROFESSIONAL)),
            premium_net=Count("pk", filter=premium & Q(reverses__isnull=True))
            - Count("pk", filter=premium & Q(reverses__isnull=False)),
            credited=Sum("hours"),
        )
        .order_by("person_id", "credited_year", "credited_month")
    )
    compliant_from = [0] * 13  # people who became compliant in month m (and stayed so at the end)
    credited = [Decimal(0)] * 13
    current: int | None = None
    buckets: dict[int, list[Decimal]] = {}

    def settle(person_id: int | None) -> None:
        if person_id is None:
            return
        public_required, professional_required = reductions.get(
            person_id, (figures.public_required, figures.professional_required)
        )
        public = professional = Decimal(0)
        premium_net = 0
        first_compliant = None
        for month in range(1, 13):
            if month in buckets:
                public += buckets[month][0]
                professional += buckets[month][1]
                premium_net += int(buckets[month][2])
            compliant = row_is_compliant(
                public=public,
                professional=professional,
                public_required=public_required,
                professional_required=professional_required,
                premium_course_completed=premium_net > 0,
            )
            if compliant and first_compliant is None:
                first_compliant = month
            elif not compliant:
                first_compliant = None
        if first_compliant is not None:
            compliant_from[first_compliant] += 1

    for row in rows.iterator(chunk_size=5000):
        if row["person_id"] != current:
            settle(current)
            current = row["person_id"]
            buckets = {}
        month = (
            row["credited_month"]
            if row["credited_year"] == year
            else (12 if row["credited_year"] > year else 1)
        )
        bucket = buckets.setdefault(month, [Decimal(0), Decimal(0), Decimal(0)])
        bucket[0] += Decimal(row["public"] or 0)
        bucket[1] += Decimal(row["professional"] or 0)
        bucket[2] += row["premium_net"] or 0
        credited[month] += Decimal(row["credited"] or 0)
    settle(current)
    result = []
    running = 0
    today = timezone.localdate()
    last_month = today.month if today.year == year else (0 if today.year < year else 12)
    for month in range(1, last_month + 1):
        running += compliant_from[month]
        rate = (Decimal(running) * 100 / headcount).quantize(Decimal("0.1")) if headcount else Decimal("0.0")
        result.append(
            {
                "label": MONTH_LABELS[month - 1],
                "value": rate,
                "compliant": running,
                "headcount": headcount,
                "credited": credited[month],
            }
        )
    return result


def figures_cache_key(organisation: Organisation, year: int, language: str | None = None) -> str:
    """Per language too (the active one by default): a label ("no department") is translated when
    the figures are computed."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return f"hours:dashboard:v2:{language}:{organisation.path}:{year}"


def jurisdiction_figures_compute(organisation: Organisation, year: int) -> JurisdictionFigures:
    """Compliance by county, department and unit, and month by month, from the ledger now."""
    summaries = report_summaries(organisation.path, year)
    return JurisdictionFigures(
        year=year,
        organisation_name=organisation.name,
        overall=summaries.overall,
        by_county=_tally_rows(summaries.counties.values()),
        by_department=_tally_rows(summaries.departments.values()),
        by_unit=_tally_rows(summaries.units.values()),
        monthly=monthly_progress(organisation.path, year, summaries.overall.headcount),
        computed_at=timezone.now(),
    )


def jurisdiction_figures(organisation: Organisation, year: int) -> JurisdictionFigures:
    """The figures from the cache (precomputed for bureaus), else computed now and cached."""
    key = figures_cache_key(organisation, year)
    cached = cache.get(key)
    if cached is not None:
        return cached
    figures = jurisdiction_figures_compute(organisation, year)
    cache.set(key, figures, DASHBOARD_CACHE_SECONDS)
    return figures


def precomputed_jurisdictions() -> list[Organisation]:
    """The bureaus (city, counties, functional zones): the dashboards with the most people behind them."""
    return list(Organisation.objects.filter(kind__in=BUREAU_KINDS, is_active=True).order_by("depth", "path"))


def dashboard_figures_precompute(*, year: int | None = None) -> int:
    """Computes every bureau's figures for the dashboards' default year (or ``year``) into the cache,
    in the platform's language (a visit in another language computes its own); returns how many.
    Run by Celery beat every ``DASHBOARD_PRECOMPUTE_EVERY_SECONDS``; a run without any year rule set
    does nothing. Idempotent: a second run overwrites with the same figures."""
    year = year or selectors.default_year()
    if year is None:
        return 0
    organisations = precomputed_jurisdictions()
    with translation.override(settings.LANGUAGE_CODE):  # the platform's language: nearly every visit
        for organisation in organisations:
            figures = jurisdiction_figures_compute(organisation, year)
            cache.set(figures_cache_key(organisation, year), figures, DASHBOARD_PRECOMPUTE_SECONDS)
    return len(organisations)


# --- Claims waiting for review ------------------------------------------------------------------------


def pending_claims_by_stage(user: User | AnonymousUser) -> list[dict[str, Any]]:
    """Claims in review in the user's jurisdiction, per stage, with how many are overdue: past the
    stage's deadline (``Claim.review_due_at``, set by the review workflow), or, for a claim without
    one, waiting more than ``OVERDUE_REVIEW_DAYS`` since submission."""
    now = timezone.now()
    overdue = Q(review_due_at__lt=now) | Q(
        review_due_at__isnull=True, submitted_at__lt=now - datetime.timedelta(days=OVERDUE_REVIEW_DAYS)
    )
    claims = selectors.claims_visible_to(user).filter(status=ClaimStatus.SUBMITTED)
    if isinstance(user, User):
        claims = claims.exclude(person=user)  # one's own claims are not one's to review
    rows = (
        claims.values("current_stage")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("current_stage")
    )
    return [
        {
            "label": str(STAGE_LABELS.get(row["current_stage"] or 0, STAGE_UNASSIGNED)),
            "value": row["waiting"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]


# --- The professional's forecast ---------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    year: int
    deadline: datetime.date
    days_left: int
    summary: selectors.YearSummary

    @property
    def missing_public(self) -> Decimal:
        return self.summary.missing_public

    @property
    def missing_professional(self) -> Decimal:
        return self.summary.missing_professional

    @property
    def missing_compulsory_courses(self) -> Decimal:
        """Compulsory-course hours the route still credits, up to what public hours still lack."""
        return min(self.summary.compulsory_room, self.missing_public)

    @property
    def missing_elective_courses(self) -> Decimal:
        return min(
            self.summary.elective_room, max(self.missing_public - self.missing_compulsory_courses, Decimal(0))
        )

    @property
    def is_behind(self) -> bool:
        return not self.summary.is_compliant

    @property
    def weeks_left(self) -> int:
        return max(0, self.days_left // 7)


def deadline_of(year: int) -> datetime.date:
    """Hours count for the calendar year in which they are earned (Annex 1, "当年度")."""
    return datetime.date(year, 12, 31)


def forecast_for(person: User, year: int, today: datetime.date | None = None) -> Forecast:
    today = today or timezone.localdate()
    deadline = deadline_of(year)
    return Forecast(
        year=year,
        deadline=deadline,
        days_left=max(0, (deadline - today).days),
        summary=selectors.year_summary(person, year),
    )


# --- People behind (unit admins; the reminders) ------------------------------------------------------


def people_behind(paths: Iterable[str], year: int) -> list[ReportRow]:
    rows: list[ReportRow] = []
    for path in paths:
        rows.extend(row for row in report_rows(path, year) if not row.is_compliant)
    return rows


def people_behind_page(path: str, year: int, limit: int) -> tuple[list[ReportRow], int]:
    """The first ``limit`` people behind under ``path`` and how many there are, without holding the
    whole list (a city has hundreds of thousands)."""
    shown: list[ReportRow] = []
    count = 0
    for row in report_rows(path, year):
        if row.is_compliant:
            continue
        count += 1
        if len(shown) < limit:
            shown.append(row)
    return shown, count


def behind_paths(user: User | AnonymousUser) -> list[str]:
    """Unit admins see their own units' people; other governing roles their whole jurisdiction."""
    return account_policies.governed_paths(user)


def missing_of(row: ReportRow) -> tuple[Decimal, Decimal]:
    public = max(row.public_required - row.public, Decimal(0))
    professional = (
        Decimal(0)
        if row.premium_course_completed
        else max(row.professional_required - row.professional, Decimal(0))
    )
    return public, professional


def _person_ids_behind(year: int) -> Iterable[tuple[int, Decimal, Decimal]]:
    """(person id, public hours missing, professional hours missing) of everyone behind, city-wide."""
    figures = selectors.year_figures(year)
    defaults = (figures.public_required, figures.professional_required)
    reductions = reductions_in("", year)
    for (
        pk,
        _name,
        _masked,
        _unit,
        compulsory,
        elective,
        conversion,
        professional,
        premium_net,
    ) in report_values("", year):
        public = compulsory + elective + conversion
        public_required, professional_required = reductions.get(pk, defaults)
        premium = premium_net > 0
        if row_is_compliant(
            public=public,
            professional=professional,
            public_required=public_required,
            professional_required=professional_required,
            premium_course_completed=premium,
        ):
            continue
        yield (
            pk,
            max(public_required - public, Decimal(0)),
            Decimal(0) if premium else max(professional_required - professional, Decimal(0)),
        )


def _send(notifications: list[Notification]) -> None:
    Notification.objects.bulk_create(notifications)
    # The unread badge is cached per person (accounts.selectors.unread_count): show the reminder now.
    forget_unread_count(*(notification.recipient_id for notification in notifications))


def reminders_send(*, year: int, scheduled_for: datetime.date) -> int:
    """Reminds every professional behind for ``year``, once per date (a second run does nothing).

    Notifications are written in batches (``bulk_create``): a city-wide run reaches hundreds of
    thousands of people, one ``notify`` call each would take hours.
    """
    from .rules import format_hours

    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(year=year, scheduled_for=scheduled_for)
    except IntegrityError:
        return 0
    deadline = deadline_of(year)
    sent = 0
    batch: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        title = str(REMINDER_TITLE)
        deadline_text = f"{deadline.year}年{deadline.month}月{deadline.day}日"
        for person_id, public, professional in _person_ids_behind(year):
            batch.append(
                Notification(
                    recipient_id=person_id,
                    title=title,
                    body=str(REMINDER_BODY)
                    % {
                        "year": year,
                        "public": format_hours(public),
                        "professional": format_hours(professional),
                        "deadline": deadline_text,
                    },
                    link="/hours/forecast/",
                )
            )
            if len(batch) >= NOTIFICATION_BATCH:
                _send(batch)
                sent += len(batch)
                batch = []
        if batch:
            _send(batch)
            sent += len(batch)
    ReminderRun.objects.filter(pk=run.pk).update(sent_count=sent, finished_at=timezone.now())
    audit_record(
        actor=None,
        action="hours.reminders.send",
        target=run,
        detail={"year": year, "date": scheduled_for.isoformat(), "sent": sent},
    )
    return sent


def reminders_send_due(*, month_days: Iterable[str] | None = None, today: datetime.date | None = None) -> int:
    """Called daily by Celery beat: when today is one of the reminder dates (month-day, configured in
    the beat schedule), reminds those behind for this year."""
    today = today or timezone.localdate()
    dates = set(month_days or DEFAULT_REMINDER_DATES)
    if today.strftime("%m-%d") not in dates:
        return 0
    try:
        selectors.year_figures(today.year)
    except selectors.YearRulesMissingError:
        return 0
    return reminders_send(year=today.year, scheduled_for=today)
