"""Shared helpers for the learning tests: the demo catalogue (loaded with the world), a clock the tests
move by hand, and "study this course to the end" in as many heartbeats as the server needs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from accounts.models import Organisation, User
from hours.models import LedgerEntry
from learning.demo import QUICK_COURSE_TITLE
from learning.models import Course, CourseKind, Enrolment
from learning.services import study

YEAR = 2024
# Local (Asia/Shanghai) times: public study opens on 2024-05-10.
OPEN_DAY = timezone.make_aware(datetime.datetime(2024, 6, 3, 9, 0))


def at(seconds: float, start: datetime.datetime = OPEN_DAY) -> datetime.datetime:
    return start + datetime.timedelta(seconds=seconds)


def quick_course(provider: Organisation) -> Course:
    return Course.objects.get(provider=provider, year=YEAR, title=QUICK_COURSE_TITLE)


def public_courses(provider: Organisation, kind: str) -> list[Course]:
    return list(Course.objects.filter(provider=provider, year=YEAR, kind=kind).order_by("sort_order", "pk"))


def correct_answers(course: Course) -> dict[int, list[int]]:
    return {
        question.pk: [choice.pk for choice in question.choices.all() if choice.is_correct]
        for question in course.questions.prefetch_related("choices")
    }


def wrong_answers(course: Course) -> dict[int, list[int]]:
    return {
        question.pk: [next(choice.pk for choice in question.choices.all() if not choice.is_correct)]
        for question in course.questions.prefetch_related("choices")
    }


def study_to_end(
    person: User, course: Course, start: datetime.datetime, *, quiz: bool = True
) -> datetime.datetime:
    """Enrols, watches every lesson in real time (heartbeats every 10 s), passes the quiz; returns
    the clock after it."""
    enrolment = Enrolment.objects.filter(person=person, course=course).first()
    if enrolment is None:
        study.course_enrol(actor=person, course=course)
    now = start
    for lesson in course.lessons.order_by("order"):
        study.study_open(actor=person, lesson=lesson, now=now)
        position = 0
        while position < lesson.duration_seconds:
            position = min(position + 10, lesson.duration_seconds)
            now += datetime.timedelta(seconds=10)
            result = study.study_heartbeat(
                actor=person, token=_token(person), position_seconds=position, now=now
            )
            assert result.accepted
        now += datetime.timedelta(seconds=1)
    if quiz and course.questions.exists():
        study.quiz_submit(actor=person, course=course, answers=correct_answers(course), now=now)
    return now


def _token(person: User) -> str:
    from learning.models import StudyLease

    return StudyLease.objects.select_related("session").get(person=person).session.token


def token_of(person: User) -> str:
    return _token(person)


def ledger_total(person: User, category: str, year: int = YEAR) -> Decimal:
    total = LedgerEntry.objects.filter(person=person, year=year, category=category).aggregate(
        total=Sum("hours")
    )
    return Decimal(total["total"] or 0)


COMPULSORY = CourseKind.PUBLIC_COMPULSORY
ELECTIVE = CourseKind.PUBLIC_ELECTIVE
PROFESSIONAL = CourseKind.PROFESSIONAL
