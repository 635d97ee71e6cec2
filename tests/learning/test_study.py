"""The time rules of server-verified study, the provider choice, the quiz, completion posting once and
the course caps."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from accounts.models import AuditEvent, Organisation
from hours.models import LedgerEntry
from learning.models import (
    Course,
    Enrolment,
    LessonProgress,
    ProviderChoice,
    QuizAttempt,
    StudyFlag,
    StudyFlagKind,
    StudySession,
)
from learning.services import catalogue, study
from tests.fixtures import World

from .helpers import (
    COMPULSORY,
    ELECTIVE,
    OPEN_DAY,
    YEAR,
    at,
    correct_answers,
    ledger_total,
    public_courses,
    quick_course,
    study_to_end,
    wrong_answers,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL only (CI, scripts/test)"
)


@pytest.fixture
def learner(world: World):  # type: ignore[no-untyped-def]
    study.provider_choose(actor=world.professional, year=YEAR, provider=world.provider)
    return world.professional


def other_provider(world: World) -> Organisation:
    return Organisation.objects.get(name="山东理工职业学院")


def long_lesson_course(world: World, seconds: int = 600) -> Course:
    course = catalogue.course_create(
        actor=world.provider_staff,
        provider=world.provider,
        year=YEAR,
        kind=ELECTIVE,
        title="长课时",
        hours=Decimal(1),
    )
    catalogue.lesson_add(actor=world.provider_staff, course=course, title="第一讲", duration_seconds=seconds)
    return catalogue.course_publish(actor=world.provider_staff, course=course)


# --- The time rules -----------------------------------------------------------------------------------


def test_heartbeat_claiming_more_than_elapsed_credits_only_elapsed(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = quick_course(world.provider)
    study.course_enrol(actor=learner, course=course)
    lesson = course.lessons.get()
    session = study.study_open(actor=learner, lesson=lesson, now=at(0))

    result = study.study_heartbeat(actor=learner, token=session.token, position_seconds=9, now=at(3))

    assert (result.accepted, result.credited_ms, result.watched_ms, result.resume_ms) == (
        True,
        3000,
        3000,
        3000,
    )
    assert not result.lesson_completed
    progress = LessonProgress.objects.get(enrolment__person=learner, lesson=lesson)
    assert (progress.watched_ms, progress.resume_ms, progress.completed_at) == (3000, 3000, None)
    # Claiming 9 s after 3 s is a jump of 6 s beyond the 5 s tolerance: flagged for the provider, not failed.
    flag = StudyFlag.objects.get(session=session)
    assert (flag.kind, flag.occurrences, flag.course_id) == (StudyFlagKind.POSITION_JUMP, 1, course.pk)


def test_client_position_only_lowers_credit_and_time_is_the_servers(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = long_lesson_course(world)
    study.course_enrol(actor=learner, course=course)
    lesson = course.lessons.get()
    token = study.study_open(actor=learner, lesson=lesson, now=at(0)).token

    assert (
        study.study_heartbeat(actor=learner, token=token, position_seconds=2, now=at(10)).credited_ms == 2000
    )
    # The same moment again (a retried request): no time has passed, nothing more is credited.
    assert study.study_heartbeat(actor=learner, token=token, position_seconds=12, now=at(10)).credited_ms == 0
    # A long gap (the tab slept) earns at most the maximum heartbeat interval.
    long_gap = study.study_heartbeat(actor=learner, token=token, position_seconds=500, now=at(310))
    assert long_gap.credited_ms == study.MAX_HEARTBEAT_INTERVAL_MS == 60_000
    assert long_gap.watched_ms == 62_000
    # Rewinding to rewatch credits nothing until the learner passes what was already watched.
    rewind = study.study_heartbeat(actor=learner, token=token, position_seconds=30, now=at(340))
    assert (rewind.credited_ms, rewind.watched_ms, rewind.resume_ms) == (0, 62_000, 30_000)
    session = StudySession.objects.get(token=token)
    assert (session.credited_ms, session.accepted_heartbeats, session.refused_heartbeats) == (62_000, 4, 0)


def test_two_sessions_at_once_credit_once(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = long_lesson_course(world)
    study.course_enrol(actor=learner, course=course)
    lesson = course.lessons.get()
    first_tab = study.study_open(actor=learner, lesson=lesson, now=at(0)).token
    second_tab = study.study_open(actor=learner, lesson=lesson, now=at(1)).token

    refused = study.study_heartbeat(actor=learner, token=first_tab, position_seconds=10, now=at(10))
    accepted = study.study_heartbeat(actor=learner, token=second_tab, position_seconds=9, now=at(10))
    refused_again = study.study_heartbeat(actor=learner, token=first_tab, position_seconds=20, now=at(20))
    accepted_again = study.study_heartbeat(actor=learner, token=second_tab, position_seconds=19, now=at(20))

    assert (refused.accepted, refused.credited_ms, refused.message) == (
        False,
        0,
        str(study.SESSION_SUPERSEDED),
    )
    assert not refused_again.accepted
    assert (accepted.credited_ms, accepted_again.credited_ms, accepted_again.watched_ms) == (
        9000,
        10_000,
        19_000,
    )
    assert LessonProgress.objects.get(enrolment__person=learner, lesson=lesson).watched_ms == 19_000
    flag = StudyFlag.objects.get(session__token=first_tab)
    assert (flag.kind, flag.occurrences) == (StudyFlagKind.CONCURRENT_SESSION, 2)
    assert StudySession.objects.get(token=first_tab).refused_heartbeats == 2


def test_unknown_token_is_refused_without_credit(learner) -> None:  # type: ignore[no-untyped-def]
    result = study.study_heartbeat(actor=learner, token="forged", position_seconds=5, now=at(5))
    assert (result.accepted, result.credited_ms, result.message) == (False, 0, str(study.SESSION_UNKNOWN))
    assert not StudyFlag.objects.exists()


def test_another_learners_token_is_refused(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = long_lesson_course(world)
    study.course_enrol(actor=learner, course=course)
    token = study.study_open(actor=learner, lesson=course.lessons.get(), now=at(0)).token
    study.provider_choose(actor=world.pending_professional, year=YEAR, provider=world.provider)
    result = study.study_heartbeat(
        actor=world.pending_professional, token=token, position_seconds=5, now=at(5)
    )
    assert (result.accepted, result.message) == (False, str(study.SESSION_UNKNOWN))
    assert LessonProgress.objects.get(enrolment__person=learner).watched_ms == 0


def test_resume_where_left_off(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = long_lesson_course(world)
    study.course_enrol(actor=learner, course=course)
    lesson = course.lessons.get()
    token = study.study_open(actor=learner, lesson=lesson, now=at(0)).token
    study.study_heartbeat(actor=learner, token=token, position_seconds=15, now=at(15))
    # Back the next day: a new session starts where the learner was.
    resumed = study.study_open(actor=learner, lesson=lesson, now=at(86_400))
    assert resumed.position_ms == 15_000
    result = study.study_heartbeat(actor=learner, token=resumed.token, position_seconds=25, now=at(86_410))
    assert (result.credited_ms, result.watched_ms) == (10_000, 25_000)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_heartbeats_of_one_session_credit_once(world: World) -> None:
    learner = world.professional
    study.provider_choose(actor=learner, year=YEAR, provider=world.provider)
    course = long_lesson_course(world)
    study.course_enrol(actor=learner, course=course)
    token = study.study_open(actor=learner, lesson=course.lessons.get(), now=at(0)).token
    barrier = threading.Barrier(4)
    results: list[int] = []

    def beat() -> None:
        try:
            barrier.wait()
            results.append(
                study.study_heartbeat(actor=learner, token=token, position_seconds=10, now=at(10)).credited_ms
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 10_000]
    session = StudySession.objects.get(token=token)
    assert (session.credited_ms, session.accepted_heartbeats) == (10_000, 4)


# --- Opening date, provider choice, scoping --------------------------------------------------------------


def test_study_before_the_opening_date_is_refused_with_a_clear_message(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = quick_course(world.provider)
    study.course_enrol(actor=learner, course=course)
    before = datetime.datetime(2024, 5, 9, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    with pytest.raises(ValidationError) as error:
        study.study_open(actor=learner, lesson=course.lessons.get(), now=before)
    assert error.value.messages == ["2024年度公需科目学习于2024年5月10日开始，目前尚未开放，请届时再来学习。"]
    assert not StudySession.objects.filter(person=learner).exists()
    # From midnight of the opening day (local time) it opens.
    opening = before + datetime.timedelta(minutes=1)
    assert study.study_open(actor=learner, lesson=course.lessons.get(), now=opening).position_ms == 0


def test_professional_courses_have_no_opening_date(learner) -> None:  # type: ignore[no-untyped-def]
    course = Course.objects.filter(year=YEAR, kind="professional", premium__isnull=True).first()
    study.course_enrol(actor=learner, course=course)
    early = datetime.datetime(2024, 2, 1, 9, 0, tzinfo=datetime.UTC)
    assert study.study_open(actor=learner, lesson=course.lessons.first(), now=early).token


def test_provider_is_changeable_until_study_starts(world: World) -> None:
    person = world.professional
    first = study.provider_choose(actor=person, year=YEAR, provider=world.provider)
    changed = study.provider_choose(actor=person, year=YEAR, provider=other_provider(world))
    assert changed.pk == first.pk and changed.provider == other_provider(world)
    course = quick_course(other_provider(world))
    study.course_enrol(actor=person, course=course)
    study.study_open(actor=person, lesson=course.lessons.get(), now=OPEN_DAY)
    assert ProviderChoice.objects.get(person=person, year=YEAR).locked_at == OPEN_DAY
    with pytest.raises(ValidationError) as error:
        study.provider_choose(actor=person, year=YEAR, provider=world.provider)
    assert error.value.messages == [study.PROVIDER_LOCKED % {"provider": "山东理工职业学院"}]
    assert ProviderChoice.objects.get(person=person, year=YEAR).provider == other_provider(world)
    actions = list(
        AuditEvent.objects.filter(actor=person, action__startswith="learning.provider").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["learning.provider.change", "learning.provider.choose"]


def test_only_the_chosen_providers_public_courses(world: World) -> None:
    person = world.professional
    with pytest.raises(ValidationError) as error:
        study.course_enrol(actor=person, course=quick_course(world.provider))
    assert error.value.messages == [str(study.PROVIDER_REQUIRED)]
    study.provider_choose(actor=person, year=YEAR, provider=world.provider)
    with pytest.raises(ValidationError) as error:
        study.course_enrol(actor=person, course=quick_course(other_provider(world)))
    assert error.value.messages == [study.COURSE_NOT_YOUR_PROVIDER % {"provider": "济宁职业技术学院"}]
    assert not Enrolment.objects.filter(person=person).exists()


def test_a_non_public_provider_cannot_be_chosen(world: World) -> None:
    with pytest.raises(ValidationError):
        study.provider_choose(
            actor=world.professional, year=YEAR, provider=Organisation.objects.get(name="济宁市继续教育协会")
        )
    assert not ProviderChoice.objects.exists()


def test_staff_cannot_enrol(world: World) -> None:
    with pytest.raises(PermissionDenied):
        study.provider_choose(actor=world.provider_staff, year=YEAR, provider=world.provider)


# --- Quiz and completion ---------------------------------------------------------------------------------


def test_quiz_is_checked_on_the_server_and_every_attempt_kept(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = quick_course(world.provider)
    study.course_enrol(actor=learner, course=course)
    with pytest.raises(ValidationError) as error:
        study.quiz_submit(actor=learner, course=course, answers=correct_answers(course), now=at(1))
    assert error.value.messages == [str(study.QUIZ_NOT_READY)]
    study_to_end(learner, course, OPEN_DAY, quiz=False)
    enrolment = Enrolment.objects.get(person=learner, course=course)
    assert enrolment.completed_at is None  # lessons done, quiz not yet

    failed = study.quiz_submit(actor=learner, course=course, answers=wrong_answers(course), now=at(100))
    assert (failed.score, failed.is_passed) == (0, False)
    assert not LedgerEntry.objects.filter(person=learner).exists()
    passed = study.quiz_submit(actor=learner, course=course, answers=correct_answers(course), now=at(200))
    assert (passed.score, passed.is_passed, passed.correct_count, passed.question_count) == (100, True, 1, 1)
    assert QuizAttempt.objects.filter(enrolment__person=learner).count() == 2
    enrolment.refresh_from_db()
    assert (enrolment.completed_at, enrolment.credited_hours) == (at(200), Decimal("2.0"))
    entry = LedgerEntry.objects.get(person=learner)
    assert (entry.year, entry.category, entry.hours, entry.source_type, entry.source_id) == (
        2024,
        "public_compulsory",
        Decimal("2.0"),
        "course",
        str(course.pk),
    )
    assert entry.memo == f"完成课程《{course.title}》（济宁职业技术学院）"
    with pytest.raises(ValidationError) as error:
        study.quiz_submit(actor=learner, course=course, answers=correct_answers(course), now=at(300))
    assert error.value.messages == [str(study.QUIZ_ALREADY_PASSED)]


def test_completion_posts_once_however_often_triggered(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = quick_course(world.provider)
    now = study_to_end(learner, course, OPEN_DAY)
    enrolment = Enrolment.objects.get(person=learner, course=course)
    for _ in range(3):
        assert study.enrolment_complete_if_done(enrolment_id=enrolment.pk, actor=learner, now=now) is False
    # More heartbeats on the completed lesson credit nothing and complete nothing again.
    lesson = course.lessons.get()
    token = study.study_open(actor=learner, lesson=lesson, now=now).token
    again = study.study_heartbeat(
        actor=learner, token=token, position_seconds=10, now=now + datetime.timedelta(seconds=10)
    )
    assert (again.credited_ms, again.lesson_completed, again.course_completed) == (0, False, False)
    assert LedgerEntry.objects.filter(person=learner).count() == 1
    assert (
        AuditEvent.objects.filter(action="learning.course.complete", object_id=str(enrolment.pk)).count() == 1
    )


def test_lesson_completion_by_heartbeat_completes_a_course_without_quiz(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    course = Course.objects.filter(provider=world.provider, kind=ELECTIVE, questions__isnull=True).first()
    study.course_enrol(actor=learner, course=course)
    lessons = list(course.lessons.order_by("order"))
    now = OPEN_DAY
    for number, lesson in enumerate(lessons):
        token = study.study_open(actor=learner, lesson=lesson, now=now).token
        now += datetime.timedelta(seconds=lesson.duration_seconds)
        result = study.study_heartbeat(
            actor=learner, token=token, position_seconds=lesson.duration_seconds, now=now
        )
        assert result.lesson_completed
        assert result.course_completed is (number == len(lessons) - 1)
    assert ledger_total(learner, "public_elective") == Decimal("2.0")


def test_the_20_and_10_hour_caps_hold(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    extra = catalogue.course_create(
        actor=world.provider_staff,
        provider=world.provider,
        year=YEAR,
        kind=COMPULSORY,
        title="加修必修课",
        hours=Decimal(2),
    )
    catalogue.lesson_add(actor=world.provider_staff, course=extra, title="第一讲", duration_seconds=10)
    extra = catalogue.course_publish(actor=world.provider_staff, course=extra)
    now = OPEN_DAY
    compulsory = public_courses(world.provider, COMPULSORY)
    electives = public_courses(world.provider, ELECTIVE)
    assert (len(compulsory), sum(c.hours for c in compulsory)) == (11, Decimal(22))
    assert (len(electives), sum(c.hours for c in electives)) == (12, Decimal(24))
    for course in [*compulsory, *electives]:
        now = study_to_end(learner, course, now)
    assert ledger_total(learner, "public_compulsory") == Decimal(20)
    assert ledger_total(learner, "public_elective") == Decimal(10)
    # Every course completes; once the year's cap is reached a completion credits nothing.
    credited = list(
        Enrolment.objects.filter(person=learner, course__kind=COMPULSORY)
        .order_by("completed_at")
        .values_list("credited_hours", flat=True)
    )
    assert credited == [Decimal("2.0")] * 10 + [Decimal("0.0")]
    credited = list(
        Enrolment.objects.filter(person=learner, course__kind=ELECTIVE)
        .order_by("completed_at")
        .values_list("credited_hours", flat=True)
    )
    assert credited == [Decimal("2.0")] * 5 + [Decimal("0.0")] * 7
    assert Enrolment.objects.filter(person=learner, completed_at__isnull=False).count() == 23


# --- The hot path's shape ----------------------------------------------------------------------------------


def test_heartbeat_commits_asynchronously_until_a_completion_posts(learner, world: World) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL a heartbeat that completes nothing skips the fsync; one that completes a course turns
    durability back on before the ledger entry is written. Elsewhere nothing is sent."""
    from django.test.utils import CaptureQueriesContext

    extra = catalogue.course_create(
        actor=world.provider_staff, provider=world.provider, year=YEAR, kind=ELECTIVE, title="无测验", hours=1
    )
    catalogue.lesson_add(actor=world.provider_staff, course=extra, title="第一讲", duration_seconds=10)
    extra = catalogue.course_publish(actor=world.provider_staff, course=extra)
    study.course_enrol(actor=learner, course=extra)
    token = study.study_open(actor=learner, lesson=extra.lessons.get(), now=at(0)).token
    with CaptureQueriesContext(connection) as partial:
        study.study_heartbeat(actor=learner, token=token, position_seconds=5, now=at(5))
    with CaptureQueriesContext(connection) as completing:
        result = study.study_heartbeat(actor=learner, token=token, position_seconds=10, now=at(10))
    assert result.course_completed

    def settings_sent(queries: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in queries.captured_queries if "synchronous_commit" in q["sql"]]

    if connection.vendor == "postgresql":
        off, on = "SET LOCAL synchronous_commit TO OFF", "SET LOCAL synchronous_commit TO ON"
        assert settings_sent(partial) == [off]
        assert settings_sent(completing) == [off, on]
        sql = [q["sql"] for q in completing.captured_queries]
        first_ledger_write = next(
            i for i, q in enumerate(sql) if q.startswith('INSERT INTO "hours_ledgerentry"')
        )
        assert sql.index(on) < first_ledger_write
    else:
        assert settings_sent(partial) == settings_sent(completing) == []
    assert ledger_total(learner, ELECTIVE) == Decimal(1)


def test_courses_visible_to_a_learner_use_a_subquery_not_a_join_over_enrolments(
    learner, world: World
) -> None:  # type: ignore[no-untyped-def]
    from learning import selectors
    from learning.models import PremiumCourse

    demo = PremiumCourse.objects.filter(self_study_course__isnull=False).first()
    premium_part = demo.self_study_course
    other_public = quick_course(other_provider(world))
    Enrolment.objects.create(person=learner, course=premium_part)
    queryset = selectors.courses_visible_to(learner)
    sql = str(queryset.query).upper()
    assert "DISTINCT" not in sql and 'JOIN "LEARNING_ENROLMENT"' not in sql
    ids = set(queryset.values_list("pk", flat=True))
    # Enrolled (the premium part), the chosen provider's public courses and published professional courses;
    # not another provider's public course.
    assert premium_part.pk in ids and quick_course(world.provider).pk in ids and other_public.pk not in ids
    assert len(ids) == queryset.count()
