"""Who may file, decide, import: every answer about training filings and roster imports.

- A unit admin files for their unit, a department reviewer for their department; bureau staff file
  their own bureau's trainings and type in paper filings for the organisations their bureau approves.
- Only the HR bureau of the filing's level (``filing.bureau``) approves, returns and imports; staff of a
  higher bureau can see the filing (it lies in their jurisdiction) but do not act on it.
- Industry channel imports are city-wide: only the city bureau's staff make them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts import policies
from accounts.models import Organisation, OrganisationKind, Role, RoleAssignment

from .models import FilingStatus, RosterImport, TrainingFiling

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

FILER_ROLES = (Role.UNIT_ADMIN, Role.DEPARTMENT_REVIEWER, *policies.BUREAU_ROLES)
# The role through which each kind of organisation files.
FILER_ROLE_FOR_KIND = {
    OrganisationKind.UNIT: Role.UNIT_ADMIN,
    OrganisationKind.DEPARTMENT: Role.DEPARTMENT_REVIEWER,
    OrganisationKind.CITY_BUREAU: Role.CITY_BUREAU_STAFF,
    OrganisationKind.COUNTY_BUREAU: Role.COUNTY_BUREAU_STAFF,
    OrganisationKind.ZONE_BUREAU: Role.COUNTY_BUREAU_STAFF,
}


def assignment_at(
    user: User | AnonymousUser, organisation_id: int | None, roles: tuple[str, ...]
) -> RoleAssignment | None:
    """The user's active assignment held exactly at the organisation (not above it)."""
    if organisation_id is None:
        return None
    for assignment in policies.active_roles(user):
        if assignment.role in roles and assignment.organisation_id == organisation_id:
            return assignment
    return None


def filing_organisations(user: User | AnonymousUser) -> list[Organisation]:
    """Where the user can file in their own name: their units, departments and bureaus."""
    return [
        assignment.organisation
        for assignment in policies.active_roles(user)
        if assignment.organisation is not None
        and FILER_ROLE_FOR_KIND.get(assignment.organisation.kind) == assignment.role  # type: ignore[call-overload]
    ]


def staff_bureaus(user: User | AnonymousUser) -> list[Organisation]:
    """The bureaus the user works at (as staff), the ones they approve and import for."""
    return [
        assignment.organisation
        for assignment in policies.active_roles(user)
        if assignment.role in policies.BUREAU_ROLES and assignment.organisation is not None
    ]


def can_file(user: User | AnonymousUser) -> bool:
    return bool(filing_organisations(user))


def can_file_for(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return any(candidate.pk == organisation.pk for candidate in filing_organisations(user))


def can_enter_paper_filing(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Bureau staff type in a paper filing for a unit or department whose filings their bureau approves."""
    if organisation.kind not in (OrganisationKind.UNIT, OrganisationKind.DEPARTMENT):
        return False
    return any(bureau.pk == organisation.bureau_id for bureau in staff_bureaus(user))


def is_approving_staff(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    return (
        policies.is_platform_admin(user)
        or assignment_at(user, filing.bureau_id, policies.BUREAU_ROLES) is not None
    )


def is_filer(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    """Someone who may act for the organisation that filed (edit, resubmit, withdraw)."""
    return assignment_at(user, filing.organisation_id, FILER_ROLES) is not None


def can_decide(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    return filing.status == FilingStatus.SUBMITTED and is_approving_staff(user, filing)


def can_resubmit(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    return filing.status == FilingStatus.RETURNED and is_filer(user, filing)


def can_withdraw(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    return filing.status in (FilingStatus.SUBMITTED, FilingStatus.RETURNED) and is_filer(user, filing)


def can_add_attachment(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    if filing.status == FilingStatus.WITHDRAWN:
        return False
    return is_filer(user, filing) or is_approving_staff(user, filing)


def can_import_roster(user: User | AnonymousUser, filing: TrainingFiling) -> bool:
    """Whether the import form is offered at all; the service adds the timing checks."""
    return filing.status == FilingStatus.APPROVED and is_approving_staff(user, filing)


def can_import_channel(user: User | AnonymousUser) -> bool:
    return policies.is_platform_admin(user) or policies.has_role(user, Role.CITY_BUREAU_STAFF)


def can_run_import(user: User | AnonymousUser, roster_import: RosterImport) -> bool:
    """Cancel, retry: the staff of the bureau that owns the import."""
    return (
        policies.is_platform_admin(user)
        or assignment_at(user, roster_import.bureau_id, policies.BUREAU_ROLES) is not None
    )


def acting_assignment(
    user: User, organisation_id: int | None, roles: tuple[str, ...]
) -> RoleAssignment | None:
    """The assignment to put on record for an action at an organisation (None for a platform admin)."""
    return assignment_at(user, organisation_id, roles)
