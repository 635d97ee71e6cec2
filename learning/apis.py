"""REST API for the catalogue, provider choice, enrolment, study sessions and heartbeats, progress,
the quiz and the programmes. Thin: parse, call one selector or service, serialize.

The heartbeat endpoint is the hot path (every learner every few seconds): no template, no pagination,
four queries in the service when nothing completes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hours import selectors as hours_selectors
from jinan_ce.params import parse_int

from . import policies, selectors
from .models import Course, DigitalCohort, Enrolment, Lesson, Notice, PremiumCourse
from .serializers import (
    ApplyIn,
    CohortSerializer,
    CourseDetailSerializer,
    CourseSerializer,
    CourseUpdateIn,
    DigitalApplicationSerializer,
    EnrolmentSerializer,
    HeartbeatIn,
    HeartbeatOut,
    LessonIn,
    LessonOrderIn,
    LessonSerializer,
    LessonUpdateIn,
    NoticeSerializer,
    PremiumEnrolmentSerializer,
    PremiumSerializer,
    ProviderChoiceSerializer,
    QuizIn,
    QuizOut,
    StudySessionOut,
    VideoUploadIn,
)
from .services import catalogue, digital, premium, study
from .views.common import acting_user


def _year(request: Request) -> int:
    year = parse_int(request.query_params.get("year"))
    if year is not None:
        return year
    return hours_selectors.default_year() or 0


def _require_learner(request: Request) -> None:
    if not policies.is_learner(request.user):
        raise Http404


class CourseListApi(generics.ListAPIView):
    """The catalogue: for a learner, what they may enrol in this year (their provider's public courses
    and professional courses); for provider staff, their own courses; for bureau staff, all."""

    serializer_class = CourseSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int), OpenApiParameter("kind", str)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Course]:
        user = self.request.user
        year = _year(self.request)
        if policies.is_learner(user):
            courses = selectors.catalogue_for_learner(acting_user(self.request), year)
        else:
            courses = selectors.courses_managed_by(user).filter(year=year)
        kind = self.request.query_params.get("kind")
        if kind:
            courses = courses.filter(kind=kind)
        return courses.order_by("kind", "sort_order", "pk")


class CourseDetailApi(generics.RetrieveAPIView):
    """A course the caller may see. PATCH edits its details: its provider's staff only (a course of
    another provider is a 404; bureau staff, who see every course, get 403)."""

    serializer_class = CourseDetailSerializer

    def get_queryset(self) -> QuerySet[Course]:
        return selectors.courses_visible_to(self.request.user).prefetch_related("lessons")

    @extend_schema(request=CourseUpdateIn, responses={200: CourseDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        course = get_object_or_404(selectors.courses_managed_by(request.user), pk=pk)
        serializer = CourseUpdateIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = catalogue.course_update(
            actor=acting_user(request), course=course, **serializer.validated_data
        )
        return Response(CourseDetailSerializer(course).data)


def _managed_lesson(request: Request, pk: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.filter(
            course__in=selectors.courses_managed_by(request.user).values("pk")
        ).select_related("course__provider"),
        pk=pk,
    )


class CourseLessonsApi(APIView):
    """Adds a lesson at the end of a course (JSON, or multipart with a video file)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=LessonIn, responses={201: LessonSerializer})
    def post(self, request: Request, pk: int) -> Response:
        course = get_object_or_404(selectors.courses_managed_by(request.user), pk=pk)
        serializer = LessonIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        lesson = catalogue.lesson_add(actor=acting_user(request), course=course, **serializer.validated_data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


class LessonOrderApi(APIView):
    @extend_schema(request=LessonOrderIn, responses={200: LessonSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        course = get_object_or_404(selectors.courses_managed_by(request.user), pk=pk)
        serializer = LessonOrderIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        lessons = catalogue.lessons_reorder(
            actor=acting_user(request), course=course, lesson_ids=serializer.validated_data["lessons"]
        )
        return Response(LessonSerializer(lessons, many=True).data)


class LessonDetailApi(APIView):
    """A lesson of a course the caller may see; its provider's staff edit or remove it until anyone has
    started studying the course."""

    @extend_schema(responses={200: LessonSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            LessonSerializer(get_object_or_404(selectors.lessons_visible_to(request.user), pk=pk)).data
        )

    @extend_schema(request=LessonUpdateIn, responses={200: LessonSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        lesson = _managed_lesson(request, pk)
        serializer = LessonUpdateIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lesson = catalogue.lesson_update(
            actor=acting_user(request), lesson=lesson, **serializer.validated_data
        )
        return Response(LessonSerializer(lesson).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        catalogue.lesson_remove(actor=acting_user(request), lesson=_managed_lesson(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonVideoApi(APIView):
    """Uploads (or replaces) a video lesson's file: MP4 or WebM by content, within the size limit."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": VideoUploadIn}, responses={200: LessonSerializer})
    def post(self, request: Request, pk: int) -> Response:
        lesson = _managed_lesson(request, pk)
        serializer = VideoUploadIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        lesson = catalogue.lesson_video_upload(
            actor=acting_user(request), lesson=lesson, upload=serializer.validated_data["video"]
        )
        return Response(LessonSerializer(lesson).data)


class ProviderChoiceApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: ProviderChoiceSerializer})
    def get(self, request: Request) -> Response:
        _require_learner(request)
        choice = selectors.provider_choice(acting_user(request), _year(request))
        if choice is None:
            raise Http404
        return Response(ProviderChoiceSerializer(choice).data)

    @extend_schema(request=ProviderChoiceSerializer, responses={200: ProviderChoiceSerializer})
    def post(self, request: Request) -> Response:
        _require_learner(request)
        serializer = ProviderChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provider_id = serializer.validated_data["provider_id"]
        provider = next((p for p in selectors.public_providers() if p.pk == provider_id), None)
        if provider is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"provider_id": [study.PROVIDER_NOT_PUBLIC]})
        choice = study.provider_choose(
            actor=acting_user(request), year=serializer.validated_data["year"], provider=provider
        )
        return Response(ProviderChoiceSerializer(choice).data)


class EnrolApi(APIView):
    @extend_schema(request=None, responses={201: EnrolmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require_learner(request)
        course = get_object_or_404(selectors.courses_visible_to(request.user), pk=pk)
        enrolment = study.course_enrol(actor=acting_user(request), course=course)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class EnrolmentListApi(generics.ListAPIView):
    """My enrolments with each lesson's credited progress (for resuming)."""

    serializer_class = EnrolmentSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Enrolment]:
        year = parse_int(self.request.query_params.get("year"))
        return selectors.enrolments_of(acting_user(self.request), year).order_by("pk")


class ProgressApi(generics.RetrieveAPIView):
    """One course's progress for the signed-in learner."""

    serializer_class = EnrolmentSerializer

    def get_object(self) -> Enrolment:
        _require_learner(self.request)
        return get_object_or_404(
            selectors.enrolments_of(acting_user(self.request)), course_id=self.kwargs["pk"]
        )


class StudySessionApi(APIView):
    """Starts or resumes playback of a lesson: returns the session token and where to resume. Opening a
    session makes every older session of the learner (other tabs, other devices) stop earning time."""

    @extend_schema(request=None, responses={201: StudySessionOut})
    def post(self, request: Request, pk: int) -> Response:
        _require_learner(request)
        lesson = get_object_or_404(selectors.lessons_visible_to(request.user), pk=pk)
        session = study.study_open(
            actor=acting_user(request),
            lesson=lesson,
            user_agent=request.headers.get("User-Agent", ""),
        )
        progress = session.progress
        data = {
            "token": session.token,
            "position": progress.resume_ms / 1000,
            "watched_seconds": progress.watched_ms / 1000,
            "duration_seconds": lesson.duration_seconds,
            "is_completed": progress.completed_at is not None,
        }
        return Response(data, status=status.HTTP_201_CREATED)


class HeartbeatApi(APIView):
    """The player's heartbeat: the session token and the position it claims. Credited time is measured
    by the server; a heartbeat of a superseded or unknown session answers 409 and credits nothing."""

    @extend_schema(request=HeartbeatIn, responses={200: HeartbeatOut, 409: HeartbeatOut})
    def post(self, request: Request) -> Response:
        serializer = HeartbeatIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = study.study_heartbeat(
            actor=acting_user(request),
            token=serializer.validated_data["token"],
            position_seconds=serializer.validated_data["position"],
        )
        return Response(
            result.as_dict(), status=status.HTTP_200_OK if result.accepted else status.HTTP_409_CONFLICT
        )


class QuizApi(APIView):
    @extend_schema(request=QuizIn, responses={200: QuizOut})
    def post(self, request: Request, pk: int) -> Response:
        _require_learner(request)
        course = get_object_or_404(selectors.courses_visible_to(request.user), pk=pk)
        serializer = QuizIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = {
            question_id: value
            for key, value in serializer.validated_data["answers"].items()
            if (question_id := parse_int(str(key))) is not None
        }
        attempt = study.quiz_submit(actor=acting_user(request), course=course, answers=answers)
        enrolment = attempt.enrolment
        enrolment.refresh_from_db(fields=["completed_at"])
        return Response(
            {
                "score": attempt.score,
                "is_passed": attempt.is_passed,
                "correct_count": attempt.correct_count,
                "question_count": attempt.question_count,
                "course_completed": enrolment.completed_at is not None,
            }
        )


class PremiumListApi(generics.ListAPIView):
    serializer_class = PremiumSerializer

    def get_queryset(self) -> QuerySet[PremiumCourse]:
        return selectors.premium_visible_to(self.request.user).order_by("-year", "pk")


class PremiumEnrolApi(APIView):
    @extend_schema(request=None, responses={201: PremiumEnrolmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        course = get_object_or_404(selectors.premium_visible_to(request.user), pk=pk)
        enrolment = premium.premium_enrol(actor=acting_user(request), premium=course)
        return Response(PremiumEnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class LiveSessionApi(APIView):
    """Removes a live session of a premium course the caller organises (not while under review, not
    one with attendance recorded, and a published course keeps at least 8 live hours)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int, session_pk: int) -> Response:
        course = get_object_or_404(selectors.premium_managed_by(request.user), pk=pk)
        session = get_object_or_404(course.live_sessions.all(), pk=session_pk)
        premium.live_session_remove(actor=acting_user(request), session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortListApi(generics.ListAPIView):
    serializer_class = CohortSerializer

    def get_queryset(self) -> QuerySet[DigitalCohort]:
        return selectors.cohorts_visible_to(self.request.user).order_by("-year", "pk")


class DigitalApplyApi(APIView):
    @extend_schema(request=ApplyIn, responses={201: DigitalApplicationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(selectors.cohorts_visible_to(request.user), pk=pk)
        serializer = ApplyIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = digital.digital_apply(
            actor=acting_user(request), cohort=cohort, category=serializer.validated_data["category"]
        )
        return Response(DigitalApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class NoticeListApi(generics.ListAPIView):
    """Published notices (public)."""

    serializer_class = NoticeSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.notices_for(self.request.user)
