"""Removing a live session from a premium professional course (精品专业课): free while the declaration is a
draft or returned, never while under review, never once attendance is recorded for it, and a published
course keeps at least 8 live hours. Page (with confirmation), API, audit, and who may do it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditEvent, Organisation, Role
from accounts.policies import forget_roles
from hours.models import PREMIUM_COURSE_RULE_CODE, LedgerEntry
from hours.selectors import year_summary
from learning.demo import PREMIUM_TITLE
from learning.models import LiveSession, PremiumCourse, PremiumEnrolment, ReviewStatus
from learning.services import premium
from tests.fixtures import World, client_for

from .helpers import OPEN_DAY, YEAR, study_to_end

START = timezone.make_aware(datetime.datetime(2024, 9, 1, 9, 0))


@pytest.fixture
def organiser(world: World):  # type: ignore[no-untyped-def]
    account_services.role_grant(
        actor=None,
        user=world.other_unit_admin,
        role=Role.PROVIDER_STAFF,
        organisation=Organisation.objects.get(name="济宁市继续教育协会"),
    )
    forget_roles(world.other_unit_admin)
    return world.other_unit_admin


def demo_premium() -> PremiumCourse:
    """Published, two sessions of 4 hours each."""
    return PremiumCourse.objects.get(title=PREMIUM_TITLE)


def extra_session(course: PremiumCourse, hours: int = 2) -> LiveSession:
    return LiveSession.objects.create(
        premium=course,
        title="答疑与交流",
        starts_at=START + datetime.timedelta(days=30),
        hours=Decimal(hours),
    )


def session_titles(course: PremiumCourse) -> list[str]:
    return list(course.live_sessions.order_by("starts_at").values_list("title", flat=True))


def test_a_published_course_keeps_at_least_8_live_hours(world: World, organiser: Any) -> None:
    course = demo_premium()
    extra = extra_session(course)
    first = course.live_sessions.order_by("starts_at").first()
    with pytest.raises(ValidationError) as error:
        premium.live_session_remove(actor=organiser, session=first)
    assert error.value.messages == [
        "精品专业课已发布，现场授课（直播）合计须不少于8学时；删除“智能制造发展趋势”后只剩6学时，不能删除。"
    ]
    premium.live_session_remove(actor=organiser, session=extra)
    assert session_titles(course) == ["智能制造发展趋势", "数字孪生与工业软件"]
    assert premium.live_hours(course) == Decimal(8)
    event = AuditEvent.objects.get(action="learning.premium.live_session_remove", object_id=str(course.pk))
    assert (
        event.actor,
        event.detail["title"],
        event.detail["hours"],
        event.detail["remaining_live_hours"],
    ) == (
        organiser,
        "答疑与交流",
        "2.0",
        "8.0",
    )


def test_a_session_with_attendance_recorded_cannot_be_removed(world: World, organiser: Any) -> None:
    course = demo_premium()
    extra = extra_session(course)
    premium.premium_enrol(actor=world.professional, premium=course)
    premium.attendance_record(actor=organiser, session=extra, person=world.professional, is_present=False)
    with pytest.raises(ValidationError) as error:
        premium.live_session_remove(actor=organiser, session=extra)
    assert error.value.messages == ["“答疑与交流”已登记出勤，不能删除。"]
    assert session_titles(course) == ["智能制造发展趋势", "数字孪生与工业软件", "答疑与交流"]


def test_removing_the_last_missing_session_completes_learners_who_attended_the_rest(
    world: World, organiser: Any
) -> None:
    course = demo_premium()
    extra = extra_session(course)
    person = world.professional
    premium.premium_enrol(actor=person, premium=course)
    study_to_end(person, course.self_study_course, OPEN_DAY)
    for session in course.live_sessions.exclude(pk=extra.pk):
        premium.attendance_record(actor=organiser, session=session, person=person)
    enrolment = PremiumEnrolment.objects.get(premium=course, person=person)
    assert enrolment.completed_at is None  # the extra session is still missing
    premium.live_session_remove(actor=organiser, session=extra)
    enrolment.refresh_from_db()
    expected = Decimal(8) + course.self_study_course.hours
    assert enrolment.completed_at is not None and enrolment.credited_hours == expected
    entry = LedgerEntry.objects.get(person=person)
    assert (entry.hours, entry.rule_code) == (expected, PREMIUM_COURSE_RULE_CODE)
    summary = year_summary(person, YEAR)
    assert summary.professional < summary.professional_required and summary.is_professional_complete


def test_draft_sessions_go_freely_and_none_while_under_review(world: World, organiser: Any) -> None:
    association = Organisation.objects.get(name="济宁市继续教育协会")
    course = premium.premium_declare(
        actor=organiser, organiser=association, year=YEAR, title="草稿精品课", experts="专家"
    )
    first = premium.live_session_add(
        actor=organiser, premium=course, title="一", starts_at=START, hours=Decimal(4)
    )
    second = premium.live_session_add(
        actor=organiser,
        premium=course,
        title="二",
        starts_at=START + datetime.timedelta(days=1),
        hours=Decimal(4),
    )
    premium.premium_submit(actor=organiser, premium=course)
    with pytest.raises(ValidationError) as error:
        premium.live_session_remove(actor=organiser, session=first)
    assert error.value.messages == [str(premium.LIVE_SESSION_UNDER_REVIEW)]
    premium.premium_return(actor=world.city_staff, premium=course, comment="请调整场次")
    premium.live_session_remove(actor=organiser, session=first)  # returned: below 8 hours is fine for now
    assert session_titles(course) == ["二"]
    with pytest.raises(ValidationError):
        premium.premium_submit(actor=organiser, premium=course)  # and submitting checks the 8 hours again
    assert second.pk in set(course.live_sessions.values_list("pk", flat=True))


def test_remove_through_the_page_with_confirmation_and_the_api(world: World, organiser: Any) -> None:
    course = demo_premium()
    extra = extra_session(course)
    another = extra_session(course, hours=1)
    client = client_for(organiser)
    page = client.get(reverse("learning_premium", args=[course.pk])).content.decode()
    remove_url = reverse("learning_premium_session_remove", args=[course.pk, extra.pk])
    assert (
        f'action="{remove_url}"' in page
        and "data-confirm=" in page
        and "确定删除现场授课场次“答疑与交流”" in page
    )
    learner_page = (
        client_for(world.professional).get(reverse("learning_premium", args=[course.pk])).content.decode()
    )
    assert remove_url not in learner_page
    response = client.post(remove_url, follow=True)
    assert response.redirect_chain[-1] == (reverse("learning_premium", args=[course.pk]), 302)
    assert "已删除现场授课场次“答疑与交流”。" in response.content.decode()
    refused = client.post(
        reverse(
            "learning_premium_session_remove",
            args=[course.pk, course.live_sessions.order_by("starts_at")[0].pk],
        ),
        follow=True,
    )
    assert "不能删除" in refused.content.decode()
    api = client.delete(reverse("api_learning_premium_session", args=[course.pk, another.pk]))
    assert api.status_code == 204
    first = course.live_sessions.order_by("starts_at").first()
    refused_api = client.delete(reverse("api_learning_premium_session", args=[course.pk, first.pk]))
    assert refused_api.status_code == 400 and "只剩4学时" in refused_api.json()["detail"][0]
    assert session_titles(course) == ["智能制造发展趋势", "数字孪生与工业软件"]


@pytest.mark.parametrize(
    "who", ["provider_staff", "city_staff", "county_staff", "professional", "unit_admin"]
)
def test_only_the_organisers_staff_may_remove_a_session(world: World, who: str) -> None:
    course = demo_premium()
    extra = extra_session(course)
    client = client_for(getattr(world, who))
    assert (
        client.post(reverse("learning_premium_session_remove", args=[course.pk, extra.pk])).status_code == 404
    )
    assert (
        client.delete(reverse("api_learning_premium_session", args=[course.pk, extra.pk])).status_code == 404
    )
    assert session_titles(course) == ["智能制造发展趋势", "数字孪生与工业软件", "答疑与交流"]
    assert not AuditEvent.objects.filter(action="learning.premium.live_session_remove").exists()
    assert course.status == ReviewStatus.PUBLISHED
