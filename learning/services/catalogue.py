"""The catalogue: providers' staff create, fill, edit and publish their own courses.

What may change when:
* a course's name, topic, instructor and description: always (ledger memos already written keep the
  old name);
* its kind, year, hours and pass mark: until the first learner enrols (the hours are what completing
  it credits; kind and year decide the ledger category and the year); a premium course's self-study
  part keeps the premium course's kind and year for good;
* its lessons (add, edit, reorder, remove): until the first learner starts studying one of them (their
  order and durations are what progress is measured against); a lesson's video file may be replaced
  at any time (the credited time is the lesson's duration, not the file's);
* its quiz: while the course is not published.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Organisation, OrganisationKind, User

from .. import policies
from ..models import (
    DESCRIPTION_MAX_LENGTH,
    PUBLIC_COURSE_KINDS,
    Choice,
    Course,
    CourseStatus,
    Enrolment,
    Lesson,
    LessonKind,
    LessonProgress,
    PremiumCourse,
    Question,
)
from . import videos

COURSE_NOT_YOURS = _("您无权管理该机构的课程。")
COURSE_PUBLIC_PROVIDER_ONLY = _("公需科目课程只能由本年度公需科目施教机构开设。")
COURSE_NOT_EDITABLE = _("课程已发布，不能再修改测验；如需修改，请先下架。")
COURSE_RULES_FIXED = _(
    "已有学员选课，课程的科目类别、年度、学时和测验合格分不能再修改；课程名称、专题、主讲人和简介仍可修改。"
)
COURSE_PREMIUM_PART_FIXED = _("该课程是精品专业课的自学部分，科目类别和年度须与精品专业课一致，不能修改。")
COURSE_FIELD_UNKNOWN = _("不能修改该项：%(field)s。")
LESSONS_STUDIED = _(
    "已有学员开始学习本课程，课时不能再增加、修改、调整顺序或删除。如需调整课程内容，请另开新课程。"
)
LESSON_ORDER_MISMATCH = _("课时顺序须包含本课程的全部课时，且每个课时只出现一次。")
LESSON_NOT_VIDEO = _("只有视频形式的课时可以上传视频文件。")
COURSE_VIDEO_MISSING = _("视频课时“%(titles)s”还没有视频，请上传视频文件后再发布。")
COURSE_NEEDS_LESSONS = _("请先为课程添加至少一个课时，再发布。")
COURSE_ALREADY_PUBLISHED = _("课程已发布。")
COURSE_NOT_PUBLISHED = _("课程未发布。")
QUESTION_NEEDS_CHOICES = _("每道测验题至少需要两个选项。")
QUESTION_NEEDS_CORRECT = _("请至少标出一个正确答案。")
VIDEO_URL_SAME_SITE = _("视频地址须为本站路径（以 / 开头）。")
VIDEO_URL_REQUIRED = _("视频课时须上传视频文件或填写视频地址。")
DESCRIPTION_TOO_LONG = _("不能超过 %(limit)s 个字（现为 %(length)s 个字）。")


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
    """The quiz: only while the course is not published."""
    if course.status == CourseStatus.PUBLISHED:
        raise ValidationError(COURSE_NOT_EDITABLE)


def lessons_studied(course: Course) -> bool:
    return LessonProgress.objects.filter(lesson__course_id=course.pk).exists()


def _check_lessons_changeable(course: Course) -> None:
    if lessons_studied(course):
        raise ValidationError(LESSONS_STUDIED)


def _locked_course(course_id: int) -> Course:
    return Course.objects.select_for_update(of=("self",)).select_related("provider").get(pk=course_id)


def _clean_video_url(kind: str, video_url: str, has_file: bool) -> str:
    video_url = video_url.strip()
    if video_url and (not video_url.startswith("/") or video_url.startswith("//")):
        raise ValidationError({"video_url": VIDEO_URL_SAME_SITE})
    if kind == LessonKind.VIDEO and not video_url and not has_file:
        raise ValidationError({"video_url": VIDEO_URL_REQUIRED})
    return video_url


def check_description_length(description: str) -> None:
    """The limit the forms and the API hold a description to, for every other caller too."""
    length = len(description)
    if length > DESCRIPTION_MAX_LENGTH:
        message = DESCRIPTION_TOO_LONG % {"limit": DESCRIPTION_MAX_LENGTH, "length": length}
        raise ValidationError({"description": message})


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
    check_description_length(description.strip())
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


COURSE_TEXT_FIELDS = ("title", "topic", "description", "instructor")
COURSE_RULE_FIELDS = ("hours", "pass_mark", "kind", "year")
COURSE_EDITABLE_FIELDS = (*COURSE_TEXT_FIELDS, *COURSE_RULE_FIELDS)


def course_rules_fixed(course: Course) -> bool:
    """Kind, year, hours and pass mark are fixed once anyone has enrolled."""
    return Enrolment.objects.filter(course_id=course.pk).exists()


@transaction.atomic
def course_update(*, actor: User, course: Course, **changes: Any) -> Course:
    """Edits a course's details (see the module's docstring for what may change when)."""
    unknown = sorted(set(changes) - set(COURSE_EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(COURSE_FIELD_UNKNOWN % {"field": ", ".join(unknown)})
    course = _locked_course(course.pk)
    _check_manager(actor, course)
    for field in COURSE_TEXT_FIELDS:
        if isinstance(changes.get(field), str):
            changes[field] = changes[field].strip()
    if isinstance(changes.get("description"), str):
        check_description_length(changes["description"])
    if "hours" in changes and changes["hours"] is not None:
        changes["hours"] = Decimal(changes["hours"])
    changed = [
        field
        for field in COURSE_EDITABLE_FIELDS
        if field in changes and getattr(course, field) != changes[field]
    ]
    rule_changes = [field for field in changed if field in COURSE_RULE_FIELDS]
    if rule_changes and course_rules_fixed(course):
        raise ValidationError(COURSE_RULES_FIXED)
    if {"kind", "year"} & set(changed) and PremiumCourse.objects.filter(self_study_course=course).exists():
        raise ValidationError(COURSE_PREMIUM_PART_FIXED)
    previous = {field: str(getattr(course, field)) for field in changed}
    for field in changed:
        setattr(course, field, changes[field])
    if course.kind in PUBLIC_COURSE_KINDS and not (
        course.provider.kind == OrganisationKind.PROVIDER and course.provider.is_public_subject_provider
    ):
        raise ValidationError({"kind": COURSE_PUBLIC_PROVIDER_ONLY})
    course.full_clean()
    if changed:
        course.save(update_fields=changed)
        _audit(
            actor,
            "learning.course.update",
            course,
            fields=changed,
            previous=previous,
            current={field: str(getattr(course, field)) for field in changed},
        )
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
    video: UploadedFile | None = None,
) -> Lesson:
    """Adds a lesson at the end (with its video file, for a video lesson, in the same transaction)."""
    course = _locked_course(course.pk)
    _check_manager(actor, course)
    _check_lessons_changeable(course)
    video_url = _clean_video_url(kind, video_url, has_file=video is not None)
    video_type = videos.check_video(video) if video is not None else None
    if video_type is not None and kind != LessonKind.VIDEO:
        raise ValidationError({"video": LESSON_NOT_VIDEO})
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
    if video is not None and video_type is not None:
        videos.store_video(lesson, video, video_type)
    lesson.save()
    _audit(
        actor,
        "learning.lesson.add",
        course,
        lesson=lesson.pk,
        duration_seconds=duration_seconds,
        video_size=lesson.video_size,
    )
    return lesson


LESSON_EDITABLE_FIELDS = ("title", "kind", "duration_seconds", "body", "video_url")


@transaction.atomic
def lesson_update(*, actor: User, lesson: Lesson, **changes: Any) -> Lesson:
    """Edits a lesson until anyone has started studying the course."""
    unknown = sorted(set(changes) - set(LESSON_EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(COURSE_FIELD_UNKNOWN % {"field": ", ".join(unknown)})
    course = _locked_course(lesson.course_id)
    _check_manager(actor, course)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk, course=course)
    _check_lessons_changeable(course)
    for field in ("title", "body"):
        if isinstance(changes.get(field), str):
            changes[field] = changes[field].strip()
    changed = [
        field
        for field in LESSON_EDITABLE_FIELDS
        if field in changes and getattr(lesson, field) != changes[field]
    ]
    for field in changed:
        setattr(lesson, field, changes[field])
    lesson.video_url = _clean_video_url(lesson.kind, lesson.video_url, has_file=bool(lesson.video_file))
    lesson.full_clean()
    if changed:
        lesson.save(update_fields=changed)
        _audit(actor, "learning.lesson.update", course, lesson=lesson.pk, fields=changed)
    return lesson


def _renumber(course: Course, lesson_ids: list[int]) -> None:
    """Gives the lessons the orders 1..n in the sequence given; two steps, because (course, order) is
    unique and a swap would otherwise collide halfway."""
    offset = 10_000
    for position, lesson_id in enumerate(lesson_ids, start=1):
        Lesson.objects.filter(pk=lesson_id, course=course).update(order=offset + position)
    for position, lesson_id in enumerate(lesson_ids, start=1):
        Lesson.objects.filter(pk=lesson_id, course=course).update(order=position)


@transaction.atomic
def lessons_reorder(*, actor: User, course: Course, lesson_ids: list[int]) -> list[Lesson]:
    """Puts the course's lessons in the order given (every lesson, each once)."""
    course = _locked_course(course.pk)
    _check_manager(actor, course)
    _check_lessons_changeable(course)
    current = list(course.lessons.order_by("order", "pk").values_list("pk", flat=True))
    if len(lesson_ids) != len(current) or set(lesson_ids) != set(current):
        raise ValidationError({"lessons": LESSON_ORDER_MISMATCH})
    if lesson_ids != current:
        _renumber(course, lesson_ids)
        _audit(actor, "learning.lesson.reorder", course, previous=current, current=lesson_ids)
    return list(course.lessons.order_by("order", "pk"))


@transaction.atomic
def lesson_move(*, actor: User, lesson: Lesson, step: int) -> list[Lesson]:
    """Moves a lesson one place up (step -1) or down (+1); at either end nothing moves."""
    current = list(
        Lesson.objects.filter(course_id=lesson.course_id).order_by("order", "pk").values_list("pk", flat=True)
    )
    index = current.index(lesson.pk)
    target = min(max(index + (1 if step > 0 else -1), 0), len(current) - 1)
    current.insert(target, current.pop(index))
    return lessons_reorder(actor=actor, course=lesson.course, lesson_ids=current)


@transaction.atomic
def lesson_remove(*, actor: User, lesson: Lesson) -> None:
    course = _locked_course(lesson.course_id)
    _check_manager(actor, course)
    # The lesson's lock first, then the check: a study session opening on it holds a key-share lock
    # (learning.services.study.study_open) until it commits, so its progress row is visible here and
    # the removal is refused instead of cascading into a learner's progress.
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk, course=course)
    _check_lessons_changeable(course)
    lesson_id, video_name = lesson.pk, lesson.video_file.name or ""
    lesson.delete()
    remaining = list(course.lessons.order_by("order", "pk").values_list("pk", flat=True))
    _renumber(course, remaining)
    videos.delete_after_commit(lesson, video_name)
    _audit(actor, "learning.lesson.remove", course, lesson=lesson_id, title=lesson.title)


@transaction.atomic
def lesson_video_upload(*, actor: User, lesson: Lesson, upload: UploadedFile | None) -> Lesson:
    """Stores (or replaces) a video lesson's file. Allowed after study started: the credited time is the
    lesson's duration, and a broken file must be replaceable on a live course."""
    course = _locked_course(lesson.course_id)
    _check_manager(actor, course)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk, course=course)
    if lesson.kind != LessonKind.VIDEO:
        raise ValidationError({"video": LESSON_NOT_VIDEO})
    video_type = videos.check_video(upload)
    assert upload is not None  # checked above
    previous = videos.store_video(lesson, upload, video_type)
    lesson.save(update_fields=["video_file", "video_content_type", "video_size", "video_original_name"])
    videos.delete_after_commit(lesson, previous)
    _audit(
        actor,
        "learning.lesson.video_upload",
        course,
        lesson=lesson.pk,
        content_type=video_type.content_type,
        size=lesson.video_size,
        replaced=bool(previous),
    )
    return lesson


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
    missing = [
        lesson.title
        for lesson in course.lessons.all()
        if lesson.kind == LessonKind.VIDEO and not lesson.has_video
    ]
    if missing:
        raise ValidationError(COURSE_VIDEO_MISSING % {"titles": "、".join(missing)})
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
