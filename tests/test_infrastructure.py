"""The plumbing every other test relies on: the API schema, the real services in CI, the Celery worker."""

from __future__ import annotations

import json
import os
import time

import pytest
import yaml
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client

from jinan_ce.celery import app as celery_app

in_ci = pytest.mark.skipif(
    os.environ.get("CI", "").lower() not in {"1", "true", "yes"},
    reason="only CI (CI=true) promises PostgreSQL and Redis",
)


@pytest.mark.django_db
def test_openapi_schema_is_served_as_yaml_and_json(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/me/", "/api/organisations/"} <= set(schema["paths"])

    as_json = client.get("/api/schema/", {"format": "json"})
    assert as_json.status_code == 200
    assert json.loads(as_json.content)["paths"].keys() == schema["paths"].keys()


@pytest.mark.django_db
def test_api_docs_page_is_served(client: Client) -> None:
    assert client.get("/api/docs/").status_code == 200


@in_ci
@pytest.mark.django_db
def test_ci_runs_on_postgresql_redis_and_a_real_broker() -> None:
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["NAME"] == os.environ["DATABASE_TEST_NAME"]
    assert isinstance(caches["default"], RedisCache)
    # The cache lives on the same Redis server as the broker but in its own logical database (/1), so
    # clearing the cache never drops queued tasks.
    broker_server = os.environ["REDIS_URL"].rstrip("/").rpartition("/")[0]
    assert settings.CACHES["default"]["LOCATION"] == f"{broker_server}/1"
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.broker_url.startswith("redis://")


@pytest.mark.django_db
def test_test_database_has_the_name_the_worker_uses() -> None:
    wanted = os.environ.get("DATABASE_TEST_NAME")
    if not wanted:
        pytest.skip("DATABASE_TEST_NAME is set only by scripts/test")
    assert connection.settings_dict["NAME"] == wanted


@pytest.mark.celery_worker
def test_celery_worker_answers_and_runs_a_task_from_the_broker() -> None:
    replies = celery_app.control.ping(timeout=5, limit=1)  # limit: return at the first reply
    assert replies, "no Celery worker answered the ping"
    hostname = next(iter(replies[0]))
    assert replies[0][hostname] == {"ok": "pong"}

    def processed() -> int:
        stats = celery_app.control.inspect(destination=[hostname], timeout=5, limit=1).stats() or {}
        return int(stats.get(hostname, {}).get("total", {}).get("celery.accumulate", 0))

    before = processed()
    # celery.accumulate is one of Celery's own tasks: nothing is defined for the test.
    celery_app.send_task("celery.accumulate", args=(1, 2))
    deadline = time.monotonic() + 20
    while processed() == before:
        assert time.monotonic() < deadline, "the worker did not run the task within 20 s"
        time.sleep(0.2)
