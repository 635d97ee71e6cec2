from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from .models import (
    DESCRIPTION_MAX_LENGTH,
    Course,
    CourseKind,
    DigitalApplication,
    DigitalCohort,
    Enrolment,
    Lesson,
    LessonKind,
    Notice,
    PremiumCourse,
    PremiumEnrolment,
    ProviderChoice,
)

# Choice fields are plain strings here (each has a *_display twin where people read it): the schema
# stays free of enum-name collisions with the other apps' "kind" and "status" fields.


class LessonSerializer(serializers.ModelSerializer[Lesson]):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    video_file_url = serializers.SerializerMethodField(
        help_text="Where the uploaded video streams from (HTTP Range supported), or null."
    )

    class Meta:
        model = Lesson
        fields = [
            "id",
            "order",
            "title",
            "kind",
            "kind_display",
            "duration_seconds",
            "video_url",
            "video_file_url",
            "video_size",
        ]
        read_only_fields = fields

    def get_video_file_url(self, lesson: Lesson) -> str | None:
        return reverse("learning_lesson_video", args=[lesson.pk]) if lesson.video_file else None


class CourseUpdateIn(serializers.Serializer):  # type: ignore[type-arg]
    """Only the fields sent change. Kind, year, hours and pass mark are refused once learners enrolled."""

    title = serializers.CharField(max_length=120, required=False)
    topic = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    instructor = serializers.CharField(max_length=60, required=False, allow_blank=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal("0.1"), required=False)
    pass_mark = serializers.IntegerField(min_value=1, max_value=100, required=False)
    kind = serializers.CharField(
        max_length=20, required=False, help_text=f"One of {', '.join(CourseKind.values)}."
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class LessonIn(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=120)
    kind = serializers.CharField(
        max_length=20, default=LessonKind.DOCUMENT, help_text=f"One of {', '.join(LessonKind.values)}."
    )
    duration_seconds = serializers.IntegerField(min_value=1, max_value=6 * 60 * 60)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    video_url = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    video = serializers.FileField(
        required=False, help_text="MP4 or WebM (checked by content), for a video lesson (multipart)."
    )


class LessonUpdateIn(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=120, required=False)
    kind = serializers.CharField(
        max_length=20, required=False, help_text=f"One of {', '.join(LessonKind.values)}."
    )
    duration_seconds = serializers.IntegerField(min_value=1, max_value=6 * 60 * 60, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    video_url = serializers.CharField(max_length=255, required=False, allow_blank=True)


class LessonOrderIn(serializers.Serializer):  # type: ignore[type-arg]
    lessons = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every lesson id of the course, in the new order."
    )


class VideoUploadIn(serializers.Serializer):  # type: ignore[type-arg]
    video = serializers.FileField(help_text="MP4 or WebM (checked by content), within the size limit.")


class CourseSerializer(serializers.ModelSerializer[Course]):
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    provider = serializers.CharField(source="provider.name", read_only=True)
    provider_id = serializers.IntegerField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "year",
            "kind",
            "kind_display",
            "topic",
            "title",
            "hours",
            "provider",
            "provider_id",
            "instructor",
            "pass_mark",
            "status",
        ]
        read_only_fields = fields


class CourseDetailSerializer(CourseSerializer):
    lessons = LessonSerializer(many=True, read_only=True)
    question_count = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "description", "lessons", "question_count"]
        read_only_fields = fields

    def get_question_count(self, course: Course) -> int:
        return course.questions.count()


class ProviderChoiceSerializer(serializers.ModelSerializer[ProviderChoice]):
    provider = serializers.CharField(source="provider.name", read_only=True)
    provider_id = serializers.IntegerField()
    is_locked = serializers.SerializerMethodField()

    class Meta:
        model = ProviderChoice
        fields = ["year", "provider_id", "provider", "chosen_at", "is_locked"]
        read_only_fields = ["provider", "chosen_at", "is_locked"]

    def get_is_locked(self, choice: ProviderChoice) -> bool:
        return choice.locked_at is not None


class LessonProgressOut(serializers.Serializer):  # type: ignore[type-arg]
    lesson_id = serializers.IntegerField()
    watched_seconds = serializers.FloatField()
    position = serializers.FloatField()
    is_completed = serializers.BooleanField()


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    course = CourseSerializer(read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "enrolled_at",
            "quiz_passed_at",
            "completed_at",
            "credited_hours",
            "progress",
        ]
        read_only_fields = fields

    def get_progress(self, enrolment: Enrolment) -> list[dict[str, Any]]:
        return [
            {
                "lesson_id": progress.lesson_id,
                "watched_seconds": progress.watched_ms / 1000,
                "position": progress.resume_ms / 1000,
                "is_completed": progress.completed_at is not None,
            }
            for progress in enrolment.progress.all()
        ]


class StudySessionOut(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField()
    position = serializers.FloatField()
    watched_seconds = serializers.FloatField()
    duration_seconds = serializers.IntegerField()
    is_completed = serializers.BooleanField()


class HeartbeatIn(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(max_length=64)
    position = serializers.FloatField(min_value=0, max_value=24 * 60 * 60)


class HeartbeatOut(serializers.Serializer):  # type: ignore[type-arg]
    accepted = serializers.BooleanField()
    credited_seconds = serializers.FloatField()
    watched_seconds = serializers.FloatField()
    position = serializers.FloatField()
    duration_seconds = serializers.FloatField()
    lesson_completed = serializers.BooleanField()
    course_completed = serializers.BooleanField()
    detail = serializers.CharField()


class QuizIn(serializers.Serializer):  # type: ignore[type-arg]
    answers = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class QuizOut(serializers.Serializer):  # type: ignore[type-arg]
    score = serializers.IntegerField()
    is_passed = serializers.BooleanField()
    correct_count = serializers.IntegerField()
    question_count = serializers.IntegerField()
    course_completed = serializers.BooleanField()


class PremiumSerializer(serializers.ModelSerializer[PremiumCourse]):
    status = serializers.CharField(read_only=True)
    organiser = serializers.CharField(source="organiser.name", read_only=True)
    self_study_course_id = serializers.IntegerField(read_only=True, allow_null=True)
    live_sessions = serializers.SerializerMethodField()

    class Meta:
        model = PremiumCourse
        fields = [
            "id",
            "year",
            "title",
            "description",
            "experts",
            "organiser",
            "status",
            "self_study_course_id",
            "live_sessions",
        ]
        read_only_fields = fields

    def get_live_sessions(self, premium: PremiumCourse) -> list[dict[str, Any]]:
        return [
            {
                "id": s.pk,
                "title": s.title,
                "starts_at": s.starts_at.isoformat(),
                "hours": str(s.hours),
                "place": s.place,
            }
            for s in premium.live_sessions.all()
        ]


class PremiumEnrolmentSerializer(serializers.ModelSerializer[PremiumEnrolment]):
    class Meta:
        model = PremiumEnrolment
        fields = ["id", "premium_id", "enrolled_at", "completed_at", "credited_hours"]
        read_only_fields = fields


class CohortSerializer(serializers.ModelSerializer[DigitalCohort]):
    status = serializers.CharField(read_only=True)
    organiser = serializers.CharField(source="organiser.name", read_only=True)
    eligible_category_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DigitalCohort
        fields = [
            "id",
            "year",
            "title",
            "direction",
            "organiser",
            "hours",
            "days",
            "registration_opens",
            "registration_closes",
            "eligible_categories",
            "eligible_category_labels",
            "status",
            "notice_id",
        ]
        read_only_fields = fields


class ApplyIn(serializers.Serializer):  # type: ignore[type-arg]
    category = serializers.CharField(max_length=30)


class DigitalApplicationSerializer(serializers.ModelSerializer[DigitalApplication]):
    category = serializers.CharField(read_only=True)
    result = serializers.CharField(read_only=True)
    technical_level = serializers.CharField(read_only=True)

    class Meta:
        model = DigitalApplication
        fields = [
            "id",
            "cohort_id",
            "category",
            "applied_at",
            "result",
            "certificate_number",
            "credited_hours",
            "technical_level",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer[Notice]):
    region = serializers.CharField(source="region.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Notice
        fields = ["id", "title", "body", "body_html", "region", "published_at"]
        read_only_fields = fields
