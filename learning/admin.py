"""Read-mostly admin for platform administrators. Changes users can make go through the pages and
services (with their audit records); rich text is sanitised there, so it is read-only here."""

from django.contrib import admin

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


class NoticeAttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    extra = 0
    readonly_fields = ("original_name", "content_type", "size", "uploaded_at")
    fields = ("original_name", "content_type", "size", "uploaded_at")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "published_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title"]
    readonly_fields = ["body_html"]
    inlines = [NoticeAttachmentInline]


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "year", "kind", "hours", "status"]
    list_filter = ["year", "kind", "status"]
    search_fields = ["title", "provider__name"]
    inlines = [LessonInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["person", "course", "enrolled_at", "completed_at", "credited_hours"]
    readonly_fields = ["person", "course", "enrolled_at", "quiz_passed_at", "completed_at", "credited_hours"]
    search_fields = ["course__title"]


@admin.register(ProviderChoice)
class ProviderChoiceAdmin(admin.ModelAdmin):
    list_display = ["person", "year", "provider", "chosen_at", "locked_at"]
    list_filter = ["year", "provider"]


@admin.register(StudyFlag)
class StudyFlagAdmin(admin.ModelAdmin):
    list_display = ["person", "course", "lesson", "kind", "occurrences", "last_at"]
    list_filter = ["kind"]


admin.site.register(PremiumCourse)
admin.site.register(QualityCourseDeclaration)
admin.site.register(DigitalCohort)
admin.site.register(DigitalApplication)
