"""Studying: the public-subject provider choice, enrolment, server-verified progress, the quiz, and
completion, which posts the course hours to the ledger in the same transaction.

The time rules, in one place:
* Credit comes only from heartbeats of the learner's newest study session (``StudyLease``); one from
  an older session (another tab or device) credits nothing and is flagged for the provider.
* A heartbeat credits min(claimed advance past what was already watched, server time since the last
  accepted heartbeat, ``MAX_HEARTBEAT_INTERVAL_MS``). The client's clock and its idea of elapsed time
  are never read; its position only ever lowers the credit.
* Lock order, everywhere: study lease → lesson progress → enrolment → the person's row (the ledger).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Organisation, OrganisationKind, Role, User
from hours import selectors as hours_selectors
from hours import services as hours_services
from hours.models import LedgerCategory, SourceType
from hours.services.ledger import stored_text

from .. import policies
from ..models import (
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    Lesson,
    LessonProgress,
    PremiumCourse,
    ProviderChoice,
    QuizAttempt,
    StudyFlag,
    StudyFlagKind,
    StudyLease,
    StudySession,
)

#: The longest gap between two heartbeats that still earns credit (the player beats every 5-30 s).
MAX_HEARTBEAT_INTERVAL_MS = 60_000
#: A claimed advance beyond the credited one by more than this is recorded as a position jump.
POSITION_JUMP_TOLERANCE_MS = 5_000

LEARNER_ONLY = _("只有专业技术人员可以选课学习。")
PROVIDER_NOT_PUBLIC = _("请选择本年度的公需科目施教机构。")
PROVIDER_LOCKED = _("您已开始学习%(provider)s的公需科目课程，本年度不能再更换施教机构。")
PROVIDER_REQUIRED = _("请先选择本年度公需科目的施教机构，再选课学习。")
COURSE_NOT_YOUR_PROVIDER = _("该课程不属于您本年度选择的施教机构（%(provider)s）。")
COURSE_NOT_AVAILABLE = _("该课程未发布或已下架，不能选课。")
COURSE_PREMIUM_PART = _("该课程是精品专业课的自学部分，请报名相应的精品专业课。")
NOT_ENROLLED = _("请先选课，再开始学习。")
LESSON_REMOVED = _("该课时已被课程管理人员删除，请返回课程页面刷新后继续学习。")
STUDY_NOT_OPEN = _("%(year)s年度公需科目学习于%(date)s开始，目前尚未开放，请届时再来学习。")
SESSION_SUPERSEDED = _(
    "您已在其他页面或设备上开始学习，本页面的学习时间不再计入。如需在本页面继续学习，请刷新页面。"
)
SESSION_UNKNOWN = _("学习会话已失效，请刷新页面后继续学习。")
QUIZ_NOT_READY = _("请先学完全部课时，再参加测验。")
QUIZ_ALREADY_PASSED = _("您已通过本课程的测验。")
QUIZ_NONE = _("本课程没有测验。")
QUIZ_UNANSWERED = _("请回答全部题目后再提交。")
COURSE_COMPLETED_MEMO = _("完成课程《%(title)s》（%(provider)s）")

COURSE_LEDGER_CATEGORY: dict[str, str] = {
    CourseKind.PUBLIC_COMPULSORY: LedgerCategory.PUBLIC_COMPULSORY,
    CourseKind.PUBLIC_ELECTIVE: LedgerCategory.PUBLIC_ELECTIVE,
    CourseKind.PROFESSIONAL: LedgerCategory.PROFESSIONAL,
}


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _check_learner(actor: User) -> None:
    if not policies.is_learner(actor):
        raise PermissionDenied(LEARNER_ONLY)


def _learner_audit(actor: User, action: str, target: Any, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=target,
        organisation=actor.unit,
        role=Role.PROFESSIONAL,
        detail=detail,
    )


# --- Provider choice -----------------------------------------------------------------------------------


@transaction.atomic
def provider_choose(*, actor: User, year: int, provider: Organisation) -> ProviderChoice:
    """Picks (or changes, until study starts) the year's public-subject provider."""
    _check_learner(actor)
    if not (
        provider.kind == OrganisationKind.PROVIDER
        and provider.is_public_subject_provider
        and provider.is_active
    ):
        raise ValidationError({"provider": PROVIDER_NOT_PUBLIC})
    hours_selectors.year_figures(year)  # refuses a year without a rule set
    choice = (
        ProviderChoice.objects.select_for_update()
        .filter(person=actor, year=year)
        .select_related("provider")
        .first()
    )
    if choice is not None:
        if choice.provider_id == provider.pk:
            return choice
        if choice.locked_at is not None:
            raise ValidationError(PROVIDER_LOCKED % {"provider": choice.provider.name})
        previous = choice.provider_id
        choice.provider = provider
        choice.chosen_at = timezone.now()
        choice.save(update_fields=["provider", "chosen_at"])
        _learner_audit(
            actor, "learning.provider.change", choice, year=year, provider=provider.pk, previous=previous
        )
        return choice
    try:
        with transaction.atomic():
            choice = ProviderChoice.objects.create(person=actor, year=year, provider=provider)
    except IntegrityError:  # a double click: the other request chose first
        return ProviderChoice.objects.get(person=actor, year=year)
    _learner_audit(actor, "learning.provider.choose", choice, year=year, provider=provider.pk)
    return choice


def _check_course_open_to(actor: User, course: Course) -> None:
    if course.status != CourseStatus.PUBLISHED:
        raise ValidationError(COURSE_NOT_AVAILABLE)
    if course.is_public:
        choice = (
            ProviderChoice.objects.filter(person=actor, year=course.year).select_related("provider").first()
        )
        if choice is None:
            raise ValidationError(PROVIDER_REQUIRED)
        if choice.provider_id != course.provider_id:
            raise ValidationError(COURSE_NOT_YOUR_PROVIDER % {"provider": choice.provider.name})


def check_study_open(course: Course, now: datetime.datetime | None = None) -> None:
    """Public-subject study opens on the year's date (2024: 10 May); professional courses any time."""
    if not course.is_public:
        return
    opens = hours_selectors.year_figures(course.year).public_study_opens
    if timezone.localdate(_now(now)) < opens:
        raise ValidationError(
            STUDY_NOT_OPEN % {"year": course.year, "date": formats.date_format(opens, "Y年n月j日")},
            code="study_not_open",
        )


# --- Enrolment -------------------------------------------------------------------------------------------


@transaction.atomic
def course_enrol(*, actor: User, course: Course, via_premium: bool = False) -> Enrolment:
    """Enrols the learner (idempotent). A premium course's self-study part is entered only through
    the premium course's enrolment."""
    _check_learner(actor)
    if not via_premium and PremiumCourse.objects.filter(self_study_course=course).exists():
        raise ValidationError(COURSE_PREMIUM_PART)
    _check_course_open_to(actor, course)
    enrolment, created = Enrolment.objects.get_or_create(person=actor, course=course)
    if created:
        _learner_audit(actor, "learning.enrol", enrolment, course=course.pk)
    return enrolment


# --- Study sessions and heartbeats -------------------------------------------------------------------------


def _hold_lesson(lesson: Lesson) -> None:
    """Keeps the lesson from being removed until this transaction ends. FOR KEY SHARE blocks only a
    DELETE (or a key change), never another learner opening the same lesson, so a popular lesson does
    not serialise its learners; a lesson removed a moment ago is refused in words, not a database error.
    SQLite runs one writer at a time, which gives the same guarantee."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM learning_lesson WHERE id = %s FOR KEY SHARE", [lesson.pk])
        if cursor.fetchone() is None:
            raise ValidationError(LESSON_REMOVED)


@transaction.atomic
def study_open(
    *, actor: User, lesson: Lesson, now: datetime.datetime | None = None, user_agent: str = ""
) -> StudySession:
    """Starts or resumes playback of a lesson: a new session becomes the learner's only crediting one."""
    now = _now(now)
    course = lesson.course
    enrolment = Enrolment.objects.filter(person=actor, course=course).first()
    if enrolment is None:
        raise ValidationError(NOT_ENROLLED)
    _hold_lesson(lesson)
    if enrolment.completed_at is None:
        _check_course_open_to(actor, course)
    check_study_open(course, now)
    lease = StudyLease.objects.select_for_update().filter(person=actor).first()
    progress, _created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    session = StudySession.objects.create(
        person=actor,
        progress=progress,
        token=secrets.token_urlsafe(32),
        started_at=now,
        last_heartbeat_at=now,
        position_ms=progress.resume_ms,
        user_agent=user_agent[:200],
    )
    if lease is None:
        lease, created = StudyLease.objects.select_for_update().get_or_create(
            person=actor, defaults={"session": session, "updated_at": now}
        )
        if not created:
            lease.session = session
            lease.updated_at = now
            lease.save(update_fields=["session", "updated_at"])
    else:
        lease.session = session
        lease.updated_at = now
        lease.save(update_fields=["session", "updated_at"])
    if course.is_public:
        ProviderChoice.objects.filter(person=actor, year=course.year, locked_at__isnull=True).update(
            locked_at=now
        )
    return session


@dataclass(frozen=True)
class HeartbeatResult:
    accepted: bool
    credited_ms: int
    watched_ms: int
    resume_ms: int
    duration_ms: int
    lesson_completed: bool
    course_completed: bool
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "credited_seconds": self.credited_ms / 1000,
            "watched_seconds": self.watched_ms / 1000,
            "position": self.resume_ms / 1000,
            "duration_seconds": self.duration_ms / 1000,
            "lesson_completed": self.lesson_completed,
            "course_completed": self.course_completed,
            "detail": self.message,
        }


def _flag(
    session: StudySession, kind: str, now: datetime.datetime, *, course_id: int, lesson_id: int
) -> None:
    """One flag per session and kind, counting occurrences."""
    updated = StudyFlag.objects.filter(session=session, kind=kind).update(
        occurrences=F("occurrences") + 1, last_at=now
    )
    if updated:
        return
    try:
        with transaction.atomic():
            StudyFlag.objects.create(
                session=session,
                person_id=session.person_id,
                course_id=course_id,
                lesson_id=lesson_id,
                kind=kind,
                first_at=now,
                last_at=now,
            )
    except IntegrityError:
        StudyFlag.objects.filter(session=session, kind=kind).update(
            occurrences=F("occurrences") + 1, last_at=now
        )


def _refused(actor: User, token: str, now: datetime.datetime) -> HeartbeatResult:
    session = (
        StudySession.objects.filter(token=token, person=actor)
        .select_related("progress__lesson")
        .only(
            "pk",
            "person_id",
            "progress__watched_ms",
            "progress__resume_ms",
            "progress__lesson__course_id",
            "progress__lesson__duration_seconds",
            "progress__completed_at",
        )
        .first()
    )
    if session is None:
        return HeartbeatResult(False, 0, 0, 0, 0, False, False, str(SESSION_UNKNOWN))
    StudySession.objects.filter(pk=session.pk).update(refused_heartbeats=F("refused_heartbeats") + 1)
    lesson = session.progress.lesson
    _flag(session, StudyFlagKind.CONCURRENT_SESSION, now, course_id=lesson.course_id, lesson_id=lesson.pk)
    progress = session.progress
    return HeartbeatResult(
        False,
        0,
        progress.watched_ms,
        progress.resume_ms,
        lesson.duration_ms,
        False,
        False,
        str(SESSION_SUPERSEDED),
    )


def _synchronous_commit(on: bool) -> None:
    """PostgreSQL only, for the current transaction: a heartbeat's few seconds of watched time are
    worth less than an fsync (a crash loses at most the last ~0.6 s of commits, wal_writer_delay x 3);
    a completion, which posts to the ledger, switches durability back on first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL synchronous_commit TO {'ON' if on else 'OFF'}")


@transaction.atomic
def study_heartbeat(
    *, actor: User, token: str, position_seconds: float, now: datetime.datetime | None = None
) -> HeartbeatResult:
    """Credits watched time for one heartbeat. Four queries on learning's tables when nothing
    completes (plus, on PostgreSQL, the SET LOCAL that makes its commit asynchronous)."""
    now = _now(now)
    _synchronous_commit(False)
    lease = (
        StudyLease.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(person_id=actor.pk)
        .first()
    )
    if lease is None or not secrets.compare_digest(lease.session.token, token or ""):
        return _refused(actor, token or "", now)
    session = lease.session
    progress = (
        LessonProgress.objects.select_for_update(of=("self",))
        .select_related("lesson")
        .get(pk=session.progress_id)
    )
    lesson = progress.lesson
    duration_ms = lesson.duration_ms
    claimed_ms = min(max(round(float(position_seconds) * 1000), 0), duration_ms)
    elapsed_ms = max(int((now - session.last_heartbeat_at).total_seconds() * 1000), 0)
    allowance_ms = min(elapsed_ms, MAX_HEARTBEAT_INTERVAL_MS)
    advance_ms = max(claimed_ms - progress.watched_ms, 0)
    credit_ms = 0 if progress.completed_at else min(advance_ms, allowance_ms)
    jumped = advance_ms > allowance_ms + POSITION_JUMP_TOLERANCE_MS and not progress.completed_at

    progress.watched_ms += credit_ms
    progress.resume_ms = min(claimed_ms, progress.watched_ms)
    progress.last_studied_at = now
    lesson_completed = progress.completed_at is None and progress.watched_ms >= duration_ms
    fields = ["watched_ms", "resume_ms", "last_studied_at"]
    if lesson_completed:
        progress.completed_at = now
        progress.resume_ms = 0
        fields.append("completed_at")
    progress.save(update_fields=fields)
    StudySession.objects.filter(pk=session.pk).update(
        last_heartbeat_at=now,
        position_ms=claimed_ms,
        credited_ms=F("credited_ms") + credit_ms,
        accepted_heartbeats=F("accepted_heartbeats") + 1,
    )
    if jumped:
        _flag(session, StudyFlagKind.POSITION_JUMP, now, course_id=lesson.course_id, lesson_id=lesson.pk)
    course_completed = False
    if lesson_completed:
        _synchronous_commit(True)
        course_completed = enrolment_complete_if_done(
            enrolment_id=progress.enrolment_id, actor=actor, now=now
        )
    return HeartbeatResult(
        True,
        credit_ms,
        progress.watched_ms,
        progress.resume_ms,
        duration_ms,
        lesson_completed,
        course_completed,
    )


# --- Quiz ------------------------------------------------------------------------------------------------


def lessons_completed(enrolment: Enrolment) -> bool:
    total = Lesson.objects.filter(course_id=enrolment.course_id).count()
    done = LessonProgress.objects.filter(
        enrolment=enrolment, completed_at__isnull=False, lesson__course_id=enrolment.course_id
    ).count()
    return total > 0 and done >= total


@transaction.atomic
def quiz_submit(
    *, actor: User, course: Course, answers: dict[int, list[int]], now: datetime.datetime | None = None
) -> QuizAttempt:
    """Checks the answers on the server; a pass (score >= the course's pass mark) may complete the
    course. Every attempt is kept."""
    now = _now(now)
    enrolment = Enrolment.objects.select_for_update().filter(person=actor, course=course).first()
    if enrolment is None:
        raise ValidationError(NOT_ENROLLED)
    questions = list(course.questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError(QUIZ_NONE)
    if enrolment.quiz_passed_at is not None:
        raise ValidationError(QUIZ_ALREADY_PASSED)
    if not lessons_completed(enrolment):
        raise ValidationError(QUIZ_NOT_READY)
    if any(not answers.get(question.pk) for question in questions):
        raise ValidationError(QUIZ_UNANSWERED)
    correct = 0
    for question in questions:
        right = {choice.pk for choice in question.choices.all() if choice.is_correct}
        if set(answers[question.pk]) == right:
            correct += 1
    score = round(100 * correct / len(questions))
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        submitted_at=now,
        answers={
            str(key): sorted(value) for key, value in answers.items() if key in {q.pk for q in questions}
        },
        correct_count=correct,
        question_count=len(questions),
        score=score,
        is_passed=score >= course.pass_mark,
    )
    _learner_audit(
        actor, "learning.quiz.submit", attempt, course=course.pk, score=score, passed=attempt.is_passed
    )
    if attempt.is_passed:
        enrolment.quiz_passed_at = now
        enrolment.save(update_fields=["quiz_passed_at"])
        enrolment_complete_if_done(enrolment_id=enrolment.pk, actor=actor, now=now)
    return attempt


# --- Completion ------------------------------------------------------------------------------------------


@transaction.atomic
def enrolment_complete_if_done(
    *, enrolment_id: int, actor: User | None, now: datetime.datetime | None = None
) -> bool:
    """Completes the enrolment when every lesson is complete and the quiz (if any) is passed, and posts
    the course hours to the ledger. Returns True only for the call that completed it: however often
    this is triggered, the course completes and posts once (enrolment lock, then the ledger's own
    one-credit-per-source constraint)."""
    now = _now(now)
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("course__provider", "person")
        .get(pk=enrolment_id)
    )
    if enrolment.completed_at is not None:
        return False
    course = enrolment.course
    if not lessons_completed(enrolment):
        return False
    if enrolment.quiz_passed_at is None and course.questions.exists():
        return False
    enrolment.completed_at = now
    premium = PremiumCourse.objects.filter(self_study_course=course).first()
    if premium is None:
        entry = hours_services.ledger_post_credit(
            person=enrolment.person,
            year=course.year,
            category=COURSE_LEDGER_CATEGORY[course.kind],
            hours=course.hours,
            source_type=SourceType.COURSE,
            source_id=str(course.pk),
            memo=stored_text(
                COURSE_COMPLETED_MEMO, {"title": course.title, "provider": course.provider.name}
            ),
            actor=actor,
        )
        enrolment.credited_hours = entry.hours if entry is not None else Decimal("0.0")
    enrolment.save(update_fields=["completed_at", "credited_hours"])
    audit_record(
        actor=actor,
        action="learning.course.complete",
        target=enrolment,
        organisation=enrolment.person.unit,
        role=Role.PROFESSIONAL if actor is not None and actor.pk == enrolment.person_id else "",
        detail={
            "course": course.pk,
            "credited_hours": str(enrolment.credited_hours) if enrolment.credited_hours is not None else None,
        },
    )
    if premium is not None:
        from .premium import premium_complete_if_done

        premium_complete_if_done(premium=premium, person=enrolment.person, actor=actor, now=now)
    return True
