"""Reads scoped to who is asking. A filing is visible to the organisation subtree that filed it (so a
department sees its units' filings) and to the bureaus governing that subtree; an import to whoever
sees its filing, and channel imports to the staff of the bureau that made them. Everything else is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts import policies
from accounts.models import Organisation, OrganisationKind
from accounts.selectors import path_filter

from . import policies as filing_policies
from .models import (
    CreditStatus,
    FilingStatus,
    IssueKind,
    RosterCredit,
    RosterImport,
    RosterIssue,
    TrainingFiling,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def filings_visible_to(user: User | AnonymousUser) -> QuerySet[TrainingFiling]:
    filings = TrainingFiling.objects.select_related("organisation", "bureau", "filed_by")
    condition = path_filter(policies.governed_paths(user), "organisation__path")
    if condition is None:
        return filings.none()
    return filings.filter(condition)


def filings_to_decide(user: User | AnonymousUser) -> QuerySet[TrainingFiling]:
    """Submitted filings waiting for the user's own bureau."""
    visible = filings_visible_to(user).filter(status=FilingStatus.SUBMITTED)
    if policies.is_platform_admin(user):
        return visible
    bureau_ids = [a.organisation_id for a in policies.active_roles(user) if a.role in policies.BUREAU_ROLES]
    return visible.filter(bureau_id__in=bureau_ids)


def imports_visible_to(user: User | AnonymousUser) -> QuerySet[RosterImport]:
    imports = RosterImport.objects.select_related("filing", "bureau", "created_by")
    filing_condition = path_filter(policies.governed_paths(user), "filing__organisation__path")
    bureau_condition = path_filter(policies.governed_paths(user, policies.BUREAU_ROLES), "bureau__path")
    conditions = [condition for condition in (filing_condition, bureau_condition) if condition is not None]
    if not conditions:
        return imports.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return imports.filter(combined)


def imports_of_filing(filing: TrainingFiling) -> QuerySet[RosterImport]:
    """The imports of a filing the caller already sees."""
    return RosterImport.objects.filter(filing=filing).select_related("created_by")


def issues_of(roster_import: RosterImport, kind: str | None = None) -> QuerySet[RosterIssue]:
    issues = RosterIssue.objects.filter(roster_import=roster_import)
    if kind:
        issues = issues.filter(kind=kind)
    return issues.order_by("row_number", "id")


def error_issues_of(roster_import: RosterImport) -> QuerySet[RosterIssue]:
    return issues_of(roster_import, IssueKind.ERROR)


def credits_of_filing(filing: TrainingFiling) -> QuerySet[RosterCredit]:
    return RosterCredit.objects.filter(scope=filing.import_scope).select_related("person")


def credits_of_person(person: User) -> QuerySet[RosterCredit]:
    """The person's own imported hours (filed trainings and industry channels), newest year first."""
    return (
        RosterCredit.objects.filter(person=person, status=CreditStatus.CREDITED)
        .select_related("filing")
        .order_by("-year", "-id")
    )


def channel_imports_visible_to(user: User | AnonymousUser) -> QuerySet[RosterImport]:
    return imports_visible_to(user).filter(filing__isnull=True)


# --- The paper-filing unit picker ---------------------------------------------------------------------

PAPER_UNITS_SHOWN = 20


def paper_filing_organisations(user: User | AnonymousUser) -> QuerySet[Organisation]:
    """Units and departments whose paper filings the user's bureau types in: those whose filings go to
    that bureau (``filings.policies.can_enter_paper_filing``), which all lie in its jurisdiction."""
    bureaus = filing_policies.staff_bureaus(user)
    if not bureaus:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        bureau__in=bureaus,
        kind__in=[OrganisationKind.UNIT, OrganisationKind.DEPARTMENT],
        is_active=True,
    )


def paper_filing_organisations_search(user: User | AnonymousUser, query: str) -> QuerySet[Organisation]:
    """Those whose name contains ``query`` or whose unified social credit code starts with it (all of
    them for an empty query), by name."""
    units = paper_filing_organisations(user).select_related("parent")
    if query := query.strip():
        units = units.filter(Q(name__icontains=query) | Q(credit_code__startswith=query.upper()))
    return units.order_by("name", "pk")


def paper_filing_organisations_matching(
    user: User | AnonymousUser, query: str, limit: int = PAPER_UNITS_SHOWN
) -> list[Organisation]:
    """For the page's picker: up to ``limit`` + 1 matches (one more says "there are more: narrow the
    search"); none for an empty query."""
    if not query.strip():
        return []
    return list(paper_filing_organisations_search(user, query)[: limit + 1])
