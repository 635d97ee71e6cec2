"""Faults: Redis gone, the broker gone, the database refusing a write half-way, the same form sent
twice. Nothing is lost, nothing is duplicated, and the person gets a plain answer."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from celery import Celery
from django.db import DatabaseError
from django.test import Client, override_settings

from accounts.demo import DEMO_PASSWORD
from accounts.models import AuditEvent, Membership, MembershipStatus, Notification, User
from jinan_ce import queue
from tests.accounts.test_registration import registration_data
from tests.fixtures import World, client_for

DEAD_REDIS = "redis://127.0.0.1:1/0"


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "jinan_ce.cache.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
)
def test_pages_and_login_work_while_redis_is_down(world: World) -> None:
    client = Client()
    assert client.get("/").status_code == 200
    response = client.post("/accounts/login/", {"login": "13800000005", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/api/me/").json()["real_name"] == "张敏"


def test_queueing_with_the_broker_down_returns_quickly_and_says_so() -> None:
    app = Celery("fault-test", broker=DEAD_REDIS)
    app.conf.broker_connection_timeout = 1
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

    @app.task(name="fault_test.noop")
    def noop(job_id: int) -> int:
        return job_id

    started = time.monotonic()
    assert queue.publish(noop, 7) is False
    assert time.monotonic() - started < 15
    assert (
        str(queue.QUEUE_UNAVAILABLE) == "任务已登记，但后台任务服务暂时不可用，系统将自动重试，无需重复提交。"
    )


def test_database_refusing_a_write_half_way_leaves_nothing_half_written(world: World) -> None:
    membership = Membership.objects.get(user=world.pending_professional, status=MembershipStatus.PENDING)
    notifications_before = Notification.objects.count()
    client = client_for(world.other_unit_admin)
    client.raise_request_exception = False
    with mock.patch("accounts.services.audit_record", side_effect=DatabaseError("disk full")):
        response = client.post(f"/unit/members/{membership.pk}/confirm/")
    assert response.status_code == 500
    assert "系统繁忙" in response.content.decode()
    membership.refresh_from_db()
    world.pending_professional.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING
    assert membership.decided_by is None
    assert world.pending_professional.unit == world.company
    assert Notification.objects.count() == notifications_before
    assert not AuditEvent.objects.filter(action="membership.confirm").exists()
    # Once the database accepts writes again, the same click works.
    assert client.post(f"/unit/members/{membership.pk}/confirm/").status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.CONFIRMED


def test_the_same_confirmation_posted_twice_acts_once(world: World) -> None:
    membership = Membership.objects.get(user=world.pending_professional, status=MembershipStatus.PENDING)
    client = client_for(world.other_unit_admin)
    first = client.post(f"/unit/members/{membership.pk}/confirm/")
    second = client.post(f"/unit/members/{membership.pk}/confirm/", follow=True)
    assert first.status_code == 302
    assert second.status_code == 404  # no longer pending: nothing to decide
    assert AuditEvent.objects.filter(action="membership.confirm", object_id=str(membership.pk)).count() == 1
    assert (
        Notification.objects.filter(recipient=world.pending_professional, title="单位关系已确认").count() == 1
    )


@pytest.mark.parametrize("second_client_is_new", [False, True])
def test_the_same_registration_posted_twice_creates_one_account(
    world: World, second_client_is_new: bool
) -> None:
    first_client = Client()
    assert first_client.post("/accounts/signup/", registration_data()).status_code == 302
    second_client = Client() if second_client_is_new else first_client
    second = second_client.post("/accounts/signup/", registration_data())
    assert second.status_code in (200, 302)
    assert User.objects.filter(mobile="13912345678").count() == 1
    assert Membership.objects.filter(user__mobile="13912345678").count() == 1
