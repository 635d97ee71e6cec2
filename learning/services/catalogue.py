"""The catalogue: providers' staff create, fill and publish their own courses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Organisation, OrganisationKind, User

from .. import policies
from ..models import (
    PUBLIC_COURSE_KINDS,
    Choice,
    Course,
    CourseStatus,
    Lesson,
    LessonKind,
    Question,
)

COURSE_NOT_YOURS = _("您无权管理该机构的课程。")
COURSE_PUBLIC_PROVIDER_ONLY = _("公需科目课程只能由本年度公需科目施教机构开设。")
COURSE_NOT_EDITABLE = _("课程已发布，不能再修改课时和测验；如需修改，请先下架。")
COURSE_NEEDS_LESSONS = _("请先为课程添加至少一个课时，再发布。")
COURSE_ALREADY_PUBLISHED = _("课程已发布。")
COURSE_NOT_PUBLISHED = _("课程未发布。")
QUESTION_NEEDS_CHOICES = _("每道测验题至少需要两个选项。")
QUESTION_NEEDS_CORRECT = _("请至少标出一个正确答案。")
VIDEO_URL_SAME_SITE = _("视频地址须为本站路径（以 / 开头）。")
VIDEO_URL_REQUIRED = _("视频课时须填写视频地址。")


def _check_manager(actor: User | None, course_or_provider: Course | Organisation) -> None:
    """``actor`` is None only for data loading (the demo catalogue)."""
    if actor is None:
        return
    if isinstance(course_or_provider, Course):
        allowed = policies.can_manage_course(actor, course_or_provider)
    else:
        allowed = policies.can_manage_provider(actor, course_or_provider)
    if not allowed:
        raise PermissionDenied(COURSE_NOT_YOURS)


def _audit(actor: User | None, action: str, course: Course, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=course,
        organisation=course.provider,
        assignment=policies.acting_assignment(actor, course.provider_id, policies.COURSE_ROLES)
        if actor
        else None,
        detail=detail,
    )


def _check_editable(course: Course) -> None:
    if course.status == CourseStatus.PUBLISHED:
        raise ValidationError(COURSE_NOT_EDITABLE)


@transaction.atomic
def course_create(
    *,
    actor: User | None,
    provider: Organisation,
    year: int,
    kind: str,
    title: str,
    hours: Decimal,
    topic: str = "",
    description: str = "",
    instructor: str = "",
    pass_mark: int = 60,
    sort_order: int = 0,
) -> Course:
    _check_manager(actor, provider)
    if kind in PUBLIC_COURSE_KINDS and not (
        provider.kind == OrganisationKind.PROVIDER and provider.is_public_subject_provider
    ):
        raise ValidationError({"kind": COURSE_PUBLIC_PROVIDER_ONLY})
    course = Course(
        provider=provider,
        year=year,
        kind=kind,
        title=title.strip(),
        hours=Decimal(hours),
        topic=topic.strip(),
        description=description.strip(),
        instructor=instructor.strip(),
        pass_mark=pass_mark,
        sort_order=sort_order,
        created_by=actor,
    )
    course.full_clean()
    course.save()
    _audit(actor, "learning.course.create", course, kind=kind, year=year, hours=str(course.hours))
    return course


COURSE_EDITABLE_FIELDS = ("title", "topic", "description", "instructor", "hours", "pass_mark", "kind", "year")


@transaction.atomic
def course_update(*, actor: User, course: Course, **changes: Any) -> Course:
    course = Course.objects.select_for_update().select_related("provider").get(pk=course.pk)
    _check_manager(actor, course)
    _check_editable(course)
    changed = []
    for field in COURSE_EDITABLE_FIELDS:
        if field in changes and getattr(course, field) != changes[field]:
            setattr(course, field, changes[field])
            changed.append(field)
    if course.kind in PUBLIC_COURSE_KINDS and not course.provider.is_public_subject_provider:
        raise ValidationError({"kind": COURSE_PUBLIC_PROVIDER_ONLY})
    course.full_clean()
    course.save()
    if changed:
        _audit(actor, "learning.course.update", course, fields=changed)
    return course


@transaction.atomic
def lesson_add(
    *,
    actor: User | None,
    course: Course,
    title: str,
    duration_seconds: int,
    kind: str = LessonKind.DOCUMENT,
    body: str = "",
    video_url: str = "",
) -> Lesson:
    course = Course.objects.select_for_update().select_related("provider").get(pk=course.pk)
    _check_manager(actor, course)
    _check_editable(course)
    video_url = video_url.strip()
    if kind == LessonKind.VIDEO and not video_url:
        raise ValidationError({"video_url": VIDEO_URL_REQUIRED})
    if video_url and (not video_url.startswith("/") or video_url.startswith("//")):
        raise ValidationError({"video_url": VIDEO_URL_SAME_SITE})
    order = (course.lessons.aggregate(last=Max("order"))["last"] or 0) + 1
    lesson = Lesson(
        course=course,
        order=order,
        title=title.strip(),
        kind=kind,
        duration_seconds=duration_seconds,
        body=body.strip(),
        video_url=video_url,
    )
    lesson.full_clean()
    lesson.save()
    _audit(actor, "learning.lesson.add", course, lesson=lesson.pk, duration_seconds=duration_seconds)
    return lesson


@transaction.atomic
def lesson_remove(*, actor: User, lesson: Lesson) -> None:
    course = Course.objects.select_for_update().select_related("provider").get(pk=lesson.course_id)
    _check_manager(actor, course)
    _check_editable(course)
    lesson_id = lesson.pk
    Lesson.objects.filter(pk=lesson_id).delete()
    _audit(actor, "learning.lesson.remove", course, lesson=lesson_id)


@transaction.atomic
def question_add(
    *, actor: User | None, course: Course, text: str, choices: list[tuple[str, bool]]
) -> Question:
    course = Course.objects.select_for_update().select_related("provider").get(pk=course.pk)
    _check_manager(actor, course)
    _check_editable(course)
    choices = [
        (choice_text.strip(), is_correct) for choice_text, is_correct in choices if choice_text.strip()
    ]
    if len(choices) < 2:
        raise ValidationError({"choices": QUESTION_NEEDS_CHOICES})
    if not any(is_correct for _text, is_correct in choices):
        raise ValidationError({"choices": QUESTION_NEEDS_CORRECT})
    order = (course.questions.aggregate(last=Max("order"))["last"] or 0) + 1
    question = Question(course=course, order=order, text=text.strip())
    question.full_clean()
    question.save()
    Choice.objects.bulk_create(
        [
            Choice(question=question, order=number, text=choice_text, is_correct=is_correct)
            for number, (choice_text, is_correct) in enumerate(choices, start=1)
        ]
    )
    _audit(actor, "learning.question.add", course, question=question.pk)
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    course = Course.objects.select_for_update().select_related("provider").get(pk=question.course_id)
    _check_manager(actor, course)
    _check_editable(course)
    question_id = question.pk
    Question.objects.filter(pk=question_id).delete()
    _audit(actor, "learning.question.remove", course, question=question_id)


@transaction.atomic
def course_publish(*, actor: User | None, course: Course) -> Course:
    course = Course.objects.select_for_update().select_related("provider").get(pk=course.pk)
    _check_manager(actor, course)
    if course.status == CourseStatus.PUBLISHED:
        raise ValidationError(COURSE_ALREADY_PUBLISHED)
    if not course.lessons.exists():
        raise ValidationError(COURSE_NEEDS_LESSONS)
    course.status = CourseStatus.PUBLISHED
    course.published_at = course.published_at or timezone.now()
    course.save(update_fields=["status", "published_at"])
    _audit(actor, "learning.course.publish", course)
    return course


@transaction.atomic
def course_withdraw(*, actor: User, course: Course) -> Course:
    """Takes a course off the catalogue; learners already enrolled keep their progress and hours."""
    course = Course.objects.select_for_update().select_related("provider").get(pk=course.pk)
    _check_manager(actor, course)
    if course.status != CourseStatus.PUBLISHED:
        raise ValidationError(COURSE_NOT_PUBLISHED)
    course.status = CourseStatus.WITHDRAWN
    course.save(update_fields=["status"])
    _audit(actor, "learning.course.withdraw", course)
    return course
