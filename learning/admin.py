"""Read-only admin for platform administrators. Everything here changes through the pages and
services (the rules, the audit record); rich text is sanitised there. The admin lists and shows."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Course,
    DigitalApplication,
    DigitalCohort,
    Enrolment,
    Lesson,
    Notice,
    NoticeAttachment,
    PremiumCourse,
    ProviderChoice,
    QualityCourseDeclaration,
    StudyFlag,
)


class NoticeAttachmentInline(ReadOnlyInline):
    model = NoticeAttachment
    fields = ("original_name", "content_type", "size", "uploaded_at")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "region", "published_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title"]
    inlines = [NoticeAttachmentInline]


class LessonInline(ReadOnlyInline):
    model = Lesson


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "provider", "year", "kind", "hours", "status"]
    list_filter = ["year", "kind", "status"]
    search_fields = ["title", "provider__name"]
    inlines = [LessonInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "course", "enrolled_at", "completed_at", "credited_hours"]
    search_fields = ["course__title"]


@admin.register(ProviderChoice)
class ProviderChoiceAdmin(ReadOnlyAdmin):
    list_display = ["person", "year", "provider", "chosen_at", "locked_at"]
    list_filter = ["year", "provider"]


@admin.register(StudyFlag)
class StudyFlagAdmin(ReadOnlyAdmin):
    list_display = ["person", "course", "lesson", "kind", "occurrences", "last_at"]
    list_filter = ["kind"]


@admin.register(PremiumCourse)
class PremiumCourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "organiser", "year", "status"]
    list_filter = ["year", "status"]
    search_fields = ["title"]


@admin.register(QualityCourseDeclaration)
class QualityCourseDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["course", "instructor", "year", "status", "credited_hours"]
    list_filter = ["year", "status"]


@admin.register(DigitalCohort)
class DigitalCohortAdmin(ReadOnlyAdmin):
    list_display = ["title", "year", "status"]
    list_filter = ["year", "status"]


@admin.register(DigitalApplication)
class DigitalApplicationAdmin(ReadOnlyAdmin):
    list_display = ["person", "cohort", "category", "result", "certificate_number"]
    list_filter = ["result"]
