"""A lesson removed while a learner opens it (PostgreSQL row locks): whichever comes first wins cleanly.
The removal never cascades into a learner's progress, and the learner gets a sentence, not a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from learning.models import Lesson, LessonProgress, StudySession
from learning.services import catalogue, study
from tests.fixtures import World

from .helpers import OPEN_DAY, YEAR, quick_course

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only (CI)"),
    pytest.mark.django_db(transaction=True),
]


def wait_until_someone_waits_for_a_lock() -> None:
    """Returns once another connection is blocked on a row lock (bounded: 20 s, then the test fails)."""
    with connection.cursor() as cursor:
        for _attempt in range(2000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError("the second transaction never waited for the first one's lock")


def run_in_thread(work: Callable[[], None], errors: list[str]) -> threading.Thread:
    def target() -> None:
        try:
            work()
        except ValidationError as error:
            errors.extend(error.messages)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def enrolled_lesson(world: World) -> Lesson:
    """The first lesson of a new course the professional has enrolled in."""
    study.provider_choose(actor=world.professional, year=YEAR, provider=world.provider)
    course = quick_course(world.provider)
    study.course_enrol(actor=world.professional, course=course)
    lesson = course.lessons.order_by("order").first()
    assert lesson is not None
    return lesson


def test_a_learner_opening_the_lesson_first_keeps_it(world: World) -> None:
    person = world.professional
    lesson = enrolled_lesson(world)
    opened, release = threading.Event(), threading.Event()
    learner_errors: list[str] = []
    staff_errors: list[str] = []

    def open_and_hold() -> None:
        with transaction.atomic():
            study.study_open(actor=person, lesson=lesson, now=OPEN_DAY)
            opened.set()
            release.wait(20)

    learner = run_in_thread(open_and_hold, learner_errors)
    assert opened.wait(20)
    staff = run_in_thread(
        lambda: catalogue.lesson_remove(actor=world.provider_staff, lesson=lesson), staff_errors
    )
    wait_until_someone_waits_for_a_lock()
    release.set()
    learner.join()
    staff.join()

    assert learner_errors == []
    assert staff_errors == [str(catalogue.LESSONS_STUDIED)]
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    assert LessonProgress.objects.filter(enrolment__person=person, lesson=lesson).count() == 1
    assert StudySession.objects.filter(person=person, progress__lesson=lesson).count() == 1


def test_a_lesson_removed_first_is_refused_in_words(world: World) -> None:
    person = world.professional
    lesson = enrolled_lesson(world)
    removed, release = threading.Event(), threading.Event()
    learner_errors: list[str] = []
    staff_errors: list[str] = []

    def remove_and_hold() -> None:
        with transaction.atomic():
            catalogue.lesson_remove(actor=world.provider_staff, lesson=lesson)
            removed.set()
            release.wait(20)

    staff = run_in_thread(remove_and_hold, staff_errors)
    assert removed.wait(20)
    learner = run_in_thread(
        lambda: study.study_open(actor=person, lesson=lesson, now=OPEN_DAY), learner_errors
    )
    wait_until_someone_waits_for_a_lock()
    release.set()
    staff.join()
    learner.join()

    assert staff_errors == []
    assert learner_errors == [str(study.LESSON_REMOVED)]
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    assert not LessonProgress.objects.filter(lesson_id=lesson.pk).exists()
    assert not StudySession.objects.filter(person=person).exists()
