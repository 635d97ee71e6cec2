"""Authorization answers for learning. Views, APIs and services ask here; selectors build on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts import policies as account_policies
from accounts.models import Organisation, OrganisationKind, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .models import Course, DigitalCohort, Notice, PremiumCourse

# Roles through which an organisation offers courses: a CE base's staff; for a premium course's
# self-study part, also the organising department's reviewer.
COURSE_ROLES = (Role.PROVIDER_STAFF, Role.DEPARTMENT_REVIEWER)
PREMIUM_ORGANISER_KINDS = (OrganisationKind.PROVIDER, OrganisationKind.DEPARTMENT)


def is_learner(user: User | AnonymousUser) -> bool:
    return account_policies.has_role(user, Role.PROFESSIONAL)


def assignments_at(user: User | AnonymousUser, roles: tuple[str, ...]) -> list[RoleAssignment]:
    return [
        assignment
        for assignment in account_policies.active_roles(user)
        if assignment.role in roles and assignment.organisation_id is not None
    ]


def course_organisation_ids(user: User | AnonymousUser) -> list[int]:
    """Organisations whose courses the user manages."""
    return [assignment.organisation_id for assignment in assignments_at(user, COURSE_ROLES)]  # type: ignore[misc]


def provider_staff_organisations(user: User | AnonymousUser) -> list[Organisation]:
    return [a.organisation for a in assignments_at(user, (Role.PROVIDER_STAFF,))]  # type: ignore[misc]


def acting_assignment(
    user: User | AnonymousUser, organisation_id: int | None, roles: tuple[str, ...]
) -> RoleAssignment | None:
    """The user's assignment at exactly that organisation through one of the roles (for the audit)."""
    for assignment in assignments_at(user, roles):
        if assignment.organisation_id == organisation_id:
            return assignment
    return None


def city_bureau_assignment(user: User | AnonymousUser) -> RoleAssignment | None:
    for assignment in assignments_at(user, (Role.CITY_BUREAU_STAFF,)):
        return assignment
    return None


def is_bureau_staff(user: User | AnonymousUser) -> bool:
    return account_policies.is_platform_admin(user) or account_policies.has_role(
        user, *account_policies.BUREAU_ROLES
    )


def is_city_bureau_staff(user: User | AnonymousUser) -> bool:
    return account_policies.is_platform_admin(user) or account_policies.has_role(user, Role.CITY_BUREAU_STAFF)


def can_see_all_courses(user: User | AnonymousUser) -> bool:
    """Bureau staff see every course of every provider (read only)."""
    return is_bureau_staff(user)


def can_manage_courses(user: User | AnonymousUser) -> bool:
    return account_policies.is_platform_admin(user) or bool(course_organisation_ids(user))


def can_manage_course(user: User | AnonymousUser, course: Course) -> bool:
    return account_policies.is_platform_admin(user) or course.provider_id in course_organisation_ids(user)


def can_open_course_management(user: User | AnonymousUser) -> bool:
    return can_manage_courses(user) or can_see_all_courses(user)


# --- Premium professional courses --------------------------------------------------------------------


def is_city_level(organisation: Organisation) -> bool:
    """ "市级及以上": the organisation sits directly in the city bureau's jurisdiction."""
    return organisation.bureau is not None and organisation.bureau.kind == OrganisationKind.CITY_BUREAU


def premium_organisations(user: User | AnonymousUser) -> list[Organisation]:
    """City-level bases, departments and associations the user may declare premium courses for."""
    return [
        assignment.organisation
        for assignment in assignments_at(user, COURSE_ROLES)
        if assignment.organisation is not None
        and assignment.organisation.kind in PREMIUM_ORGANISER_KINDS
        and is_city_level(assignment.organisation)
    ]


def can_declare_premium(user: User | AnonymousUser, organiser: Organisation) -> bool:
    return any(organisation.pk == organiser.pk for organisation in premium_organisations(user))


def can_manage_premium(user: User | AnonymousUser, premium: PremiumCourse) -> bool:
    return account_policies.is_platform_admin(user) or premium.organiser_id in course_organisation_ids(user)


def can_review_premium(user: User | AnonymousUser) -> bool:
    return is_city_bureau_staff(user)


# --- Quality online public courses and the digital engineer programme -----------------------------------


def can_record_quality_results(user: User | AnonymousUser) -> bool:
    return is_city_bureau_staff(user)


def can_be_instructor(person: User) -> bool:
    """Who a base may declare as a quality course's instructor: the selection credits the instructor
    professional hours, so an active professional registered under their real name. Any base may
    declare any of them (a base's teachers belong to units of their own); staff-only accounts and
    deactivated ones cannot be declared."""
    return person.is_active and is_learner(person)


def can_open_quality_list(user: User | AnonymousUser) -> bool:
    """Whether the quality online public course page (learning_quality) opens for the user: they record
    the selection results, may declare one of their CE base's public courses, or see a declaration.
    The page asks this too, so its links show exactly when it opens."""
    if can_record_quality_results(user):
        return True
    from . import selectors  # selectors build on this module

    return (
        selectors.quality_declarable_courses(user).exists()
        or selectors.quality_declarations_visible_to(user).exists()
    )


def can_manage_cohorts(user: User | AnonymousUser) -> bool:
    return is_city_bureau_staff(user)


def can_record_digital_results(user: User | AnonymousUser, cohort: DigitalCohort) -> bool:
    return is_city_bureau_staff(user) or cohort.organiser_id in course_organisation_ids(user)


# --- Notices ------------------------------------------------------------------------------------------


def notice_regions(user: User | AnonymousUser) -> list[Organisation]:
    """The bureaus the user may publish notices for (their own bureau, whose subtree it reaches)."""
    return [
        assignment.organisation
        for assignment in assignments_at(user, account_policies.BUREAU_ROLES)
        if assignment.organisation is not None
    ]


def can_publish_notices(user: User | AnonymousUser) -> bool:
    return account_policies.is_platform_admin(user) or bool(notice_regions(user))


def can_edit_notice(user: User | AnonymousUser, notice: Notice) -> bool:
    if account_policies.is_platform_admin(user):
        return True
    if notice.publisher_id is None:
        return account_policies.has_role(user, Role.CITY_BUREAU_STAFF)
    return any(region.pk == notice.publisher_id for region in notice_regions(user))


def can_manage_provider(user: User | AnonymousUser, provider: Organisation) -> bool:
    return account_policies.is_platform_admin(user) or provider.pk in course_organisation_ids(user)
