"""Reads scoped to who is asking. Views and APIs build on these and never on Model.objects directly;
whatever a selector does not return does not exist for that user (a 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts import policies as account_policies
from accounts.models import Organisation, OrganisationKind
from accounts.selectors import path_filter

from . import policies
from .models import (
    PUBLIC_COURSE_KINDS,
    CohortStatus,
    Course,
    CourseKind,
    CourseStatus,
    DigitalApplication,
    DigitalCohort,
    Enrolment,
    Lesson,
    LessonProgress,
    LiveSession,
    Notice,
    PremiumCourse,
    PremiumEnrolment,
    ProviderChoice,
    QualityCourseDeclaration,
    ReviewStatus,
    StudyFlag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

PUBLIC_PROVIDERS_CACHE_KEY = "learning:public-providers:v1"
CACHE_SECONDS = 10 * 60


# --- Notices ------------------------------------------------------------------------------------------


def notices_published(limit: int | None = 10) -> QuerySet[Notice]:
    notices = Notice.objects.filter(is_published=True, published_at__lte=timezone.now()).select_related(
        "region"
    )
    return notices[:limit] if limit else notices


def notices_for(user: User | AnonymousUser, limit: int | None = None) -> QuerySet[Notice]:
    """Published notices for the whole city and for the regions the user belongs to (their unit's
    bureau and the organisations above it); everyone else sees city-wide and every region's."""
    notices = notices_published(limit=None)
    unit = getattr(user, "unit", None) if user.is_authenticated else None
    if unit is not None and unit.path:
        ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        notices = notices.filter(Q(region__isnull=True) | Q(region_id__in=ancestor_ids))
    return notices[:limit] if limit else notices


def notices_managed_by(user: User | AnonymousUser) -> QuerySet[Notice]:
    notices = Notice.objects.select_related("region", "publisher", "author")
    if account_policies.is_platform_admin(user):
        return notices
    publisher_ids = [region.pk for region in policies.notice_regions(user)]
    if not publisher_ids:
        return notices.none()
    condition = Q(publisher_id__in=publisher_ids)
    if account_policies.has_role(user, "city_bureau_staff"):
        condition |= Q(publisher__isnull=True)
    return notices.filter(condition)


def notice_visible(user: User | AnonymousUser) -> QuerySet[Notice]:
    """For a detail page: published notices, and the ones the user manages."""
    return (
        (notices_published(limit=None) | notices_managed_by(user)).distinct().prefetch_related("attachments")
    )


# --- Providers and the catalogue ---------------------------------------------------------------------


def public_providers() -> list[Organisation]:
    """The public-subject providers (cached: read on every learning page)."""
    ids = cache.get(PUBLIC_PROVIDERS_CACHE_KEY)
    if ids is None:
        ids = list(
            Organisation.objects.filter(
                kind=OrganisationKind.PROVIDER, is_public_subject_provider=True, is_active=True
            )
            .order_by("sort_order", "pk")
            .values_list("pk", flat=True)
        )
        cache.set(PUBLIC_PROVIDERS_CACHE_KEY, ids, CACHE_SECONDS)
    by_id = Organisation.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def provider_choice(person: User, year: int) -> ProviderChoice | None:
    return ProviderChoice.objects.filter(person=person, year=year).select_related("provider").first()


def _premium_parts() -> QuerySet[PremiumCourse, int | None]:
    return PremiumCourse.objects.filter(self_study_course__isnull=False).values_list(
        "self_study_course_id", flat=True
    )


def catalogue_for_learner(person: User, year: int) -> QuerySet[Course]:
    """Published courses a learner may enrol in: the chosen provider's public courses and every
    professional course (premium self-study parts are entered through their premium course)."""
    choice = provider_choice(person, year)
    public = Q(kind__in=PUBLIC_COURSE_KINDS, provider_id=choice.provider_id) if choice else Q(pk__in=[])
    return (
        Course.objects.filter(year=year, status=CourseStatus.PUBLISHED)
        .filter(public | Q(kind=CourseKind.PROFESSIONAL))
        .exclude(pk__in=_premium_parts())
        .select_related("provider")
        .order_by("kind", "sort_order", "pk")
    )


def courses_managed_by(user: User | AnonymousUser) -> QuerySet[Course]:
    """Courses the user manages (their organisations'), or all of them for bureau staff (read only)."""
    courses = Course.objects.select_related("provider").annotate(lesson_count=Count("lessons", distinct=True))
    if policies.can_see_all_courses(user):
        return courses
    ids = policies.course_organisation_ids(user)
    return courses.filter(provider_id__in=ids) if ids else courses.none()


def quality_declarable_courses(user: User | AnonymousUser) -> QuerySet[Course]:
    """The public courses of the user's own CE bases, which they may declare as quality online public
    courses (the bureau staff who select them declare none; a department's courses are not a base's)."""
    if not policies.can_manage_courses(user) or policies.can_see_all_courses(user):
        return Course.objects.none()
    return (
        courses_managed_by(user)
        .filter(kind__in=PUBLIC_COURSE_KINDS)
        .exclude(provider__in=Organisation.objects.exclude(kind=OrganisationKind.PROVIDER))
    )


def courses_visible_to(user: User | AnonymousUser) -> QuerySet[Course]:
    """Any course the user may open: managed ones, and for learners the published catalogue plus the
    courses they are enrolled in (including premium self-study parts)."""
    condition = Q(pk__in=[])
    if policies.can_see_all_courses(user):
        condition = Q()
    else:
        ids = policies.course_organisation_ids(user)
        if ids:
            condition |= Q(provider_id__in=ids)
        if policies.is_learner(user):
            choices = ProviderChoice.objects.filter(person_id=user.pk).values_list("year", "provider_id")
            public = Q(pk__in=[])
            for year, provider_id in choices:
                public |= Q(year=year, provider_id=provider_id, kind__in=PUBLIC_COURSE_KINDS)
            published = Q(status=CourseStatus.PUBLISHED) & (public | Q(kind=CourseKind.PROFESSIONAL))
            # A subquery, not a join: joining every enrolment of every course (millions at year end) and
            # de-duplicating made opening a lesson take seconds under load.
            enrolled = Q(pk__in=Enrolment.objects.filter(person_id=user.pk).values("course_id"))
            condition |= published | enrolled
    return Course.objects.filter(condition).select_related("provider")


def lessons_of(course: Course) -> QuerySet[Lesson]:
    return course.lessons.order_by("order", "pk")


def enrolment_of(person: User, course: Course) -> Enrolment | None:
    return Enrolment.objects.filter(person=person, course=course).first()


def enrolments_of(person: User, year: int | None = None) -> QuerySet[Enrolment]:
    enrolments = Enrolment.objects.filter(person=person).select_related("course__provider")
    if year is not None:
        enrolments = enrolments.filter(course__year=year)
    return enrolments.prefetch_related(
        Prefetch(
            "progress",
            queryset=LessonProgress.objects.only("enrolment_id", "lesson_id", "watched_ms", "completed_at"),
        )
    ).annotate(lesson_count=Count("course__lessons", distinct=True))


def progress_by_lesson(enrolment: Enrolment | None) -> dict[int, LessonProgress]:
    if enrolment is None:
        return {}
    return {progress.lesson_id: progress for progress in enrolment.progress.all()}


def flags_visible_to(user: User | AnonymousUser) -> QuerySet[StudyFlag]:
    """Suspicious study patterns, each naming a learner. A course's provider (or organising department)
    sees the flags raised on its courses, whoever studied them; bureau staff see the flags of learners
    whose unit lies in their jurisdiction: a county bureau its county, the city bureau (and a platform
    admin) every flag."""
    flags = StudyFlag.objects.select_related("person", "course", "lesson", "session")
    if policies.is_city_bureau_staff(user):
        return flags
    condition = path_filter(
        account_policies.governed_paths(user, account_policies.BUREAU_ROLES), "person__unit__path"
    )
    ids = policies.course_organisation_ids(user)
    if ids:
        own_courses = Q(course__provider_id__in=ids)
        condition = own_courses if condition is None else condition | own_courses
    return flags.none() if condition is None else flags.filter(condition)


def course_learner_stats(course: Course) -> dict[str, int]:
    enrolments = Enrolment.objects.filter(course=course)
    return {
        "enrolled": enrolments.count(),
        "completed": enrolments.filter(completed_at__isnull=False).count(),
    }


# --- Premium courses ---------------------------------------------------------------------------------


def premium_published(year: int | None = None) -> QuerySet[PremiumCourse]:
    premiums = PremiumCourse.objects.filter(status=ReviewStatus.PUBLISHED).select_related(
        "organiser", "self_study_course"
    )
    return premiums.filter(year=year) if year else premiums


def premium_visible_to(user: User | AnonymousUser) -> QuerySet[PremiumCourse]:
    condition = Q(status=ReviewStatus.PUBLISHED)
    if policies.can_review_premium(user):
        condition = Q()
    else:
        ids = policies.course_organisation_ids(user)
        if ids:
            condition |= Q(organiser_id__in=ids)
    return (
        PremiumCourse.objects.filter(condition)
        .select_related("organiser", "self_study_course", "declared_by")
        .prefetch_related(Prefetch("live_sessions", queryset=LiveSession.objects.order_by("starts_at", "pk")))
    )


def premium_to_review(user: User | AnonymousUser) -> QuerySet[PremiumCourse]:
    if not policies.can_review_premium(user):
        return PremiumCourse.objects.none()
    return premium_visible_to(user).filter(status=ReviewStatus.SUBMITTED)


def premium_managed_by(user: User | AnonymousUser) -> QuerySet[PremiumCourse]:
    ids = policies.course_organisation_ids(user)
    if account_policies.is_platform_admin(user):
        return premium_visible_to(user)
    return premium_visible_to(user).filter(organiser_id__in=ids) if ids else PremiumCourse.objects.none()


def premium_enrolment_of(person: User, premium: PremiumCourse) -> PremiumEnrolment | None:
    return PremiumEnrolment.objects.filter(person=person, premium=premium).first()


def premium_enrolments(premium: PremiumCourse) -> QuerySet[PremiumEnrolment]:
    return (
        premium.enrolments.select_related("person")
        .prefetch_related("attendance")
        .order_by("enrolled_at", "pk")
    )


# --- Quality online public courses ---------------------------------------------------------------------


def quality_declarations_visible_to(user: User | AnonymousUser) -> QuerySet[QualityCourseDeclaration]:
    declarations = QualityCourseDeclaration.objects.select_related("course", "instructor", "provider")
    if policies.can_record_quality_results(user) or policies.can_see_all_courses(user):
        return declarations
    ids = policies.course_organisation_ids(user)
    condition = Q(provider_id__in=ids) if ids else Q(pk__in=[])
    if user.is_authenticated:
        condition |= Q(instructor=user)
    return declarations.filter(condition)


# --- Digital Technology Engineer ---------------------------------------------------------------------------


def cohorts_visible_to(user: User | AnonymousUser) -> QuerySet[DigitalCohort]:
    cohorts = DigitalCohort.objects.select_related("organiser", "notice")
    if policies.can_manage_cohorts(user):
        return cohorts
    ids = policies.course_organisation_ids(user)
    condition = Q(status__in=[CohortStatus.PUBLISHED, CohortStatus.CLOSED])
    if ids:
        condition |= Q(organiser_id__in=ids)
    return cohorts.filter(condition)


def cohort_applications(cohort: DigitalCohort) -> QuerySet[DigitalApplication]:
    return cohort.applications.select_related("person", "person__unit").order_by("applied_at", "pk")


def applications_of(person: User) -> QuerySet[DigitalApplication]:
    return DigitalApplication.objects.filter(person=person).select_related("cohort")


def lessons_visible_to(user: User | AnonymousUser) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course__in=courses_visible_to(user)).select_related("course__provider")


def with_lesson_totals(courses: QuerySet[Course]) -> QuerySet[Course]:
    return courses.annotate(lesson_count=Count("lessons"), total_seconds=Sum("lessons__duration_seconds"))


def watched_ratio(enrolment: Enrolment, total_seconds: int | None) -> int:
    """Percent of the course's lesson time watched (prefetched progress rows)."""
    if not total_seconds:
        return 0
    watched = sum(progress.watched_ms for progress in enrolment.progress.all()) / 1000
    return min(100, int(100 * watched / total_seconds))


def premium_enrolments_of(person: User) -> QuerySet[PremiumEnrolment]:
    return PremiumEnrolment.objects.filter(person=person)


def instructor_by_mobile(mobile: str) -> User | None:
    """The person with that mobile number if a base may declare them as an instructor
    (``policies.can_be_instructor``); None for anyone else, registered or not, so that the answer
    tells nothing about numbers that are not an instructor's."""
    from accounts.models import User as UserModel

    person = UserModel.objects.filter(mobile=mobile.strip(), is_active=True).first()
    return person if person is not None and policies.can_be_instructor(person) else None
