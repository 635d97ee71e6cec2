"""Root pytest configuration.

Two ways to run the tests:

* ``bash scripts/test`` (and CI): PostgreSQL, Redis and a real Celery worker, all private to the run.
  The test database has the fixed name in ``DATABASE_TEST_NAME`` (settings put it in
  ``DATABASES["default"]["TEST"]["NAME"]``) because the worker, started before pytest, is pointed at it.
  Every run creates it afresh and migrates it unless ``--reuse-db`` is passed; CI starts from an
  empty cluster anyway.
* ``.venv/bin/pytest`` on its own: SQLite, Celery tasks run eagerly, tests marked ``celery_worker``
  are skipped (never in CI, where a missing ``REDIS_URL`` is an error).

Tests marked ``celery_worker`` that touch the database must use ``transactional_db`` (or
``django_db(transaction=True)``): the worker is another process and only sees committed rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.fixtures"]

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls
# made from it (SynchronousOnlyOperation) in the e2e tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CELERY_WORKER_MISSING_IN_CI = (
    "This test needs the Celery worker, but REDIS_URL is not set although CI=true. "
    "Run the suite through `bash scripts/test`, which starts Redis and the worker."
)
CELERY_WORKER_NEEDS_COMMITTED_DATA = (
    "A celery_worker test that uses the database must use transactional_db (or "
    "django_db(transaction=True)): the worker runs in another process and cannot see rows inside "
    "the test's transaction."
)


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher(django_test_environment: None) -> Iterator[None]:
    """Hashing with Argon2 costs ~50 ms per password; tests create hundreds. The password validators
    stay the real ones, so weak passwords are still refused."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: rate limits (allauth's login and signup limits, DRF
    throttles) count there per address, and every test client comes from 127.0.0.1.

    On Redis only the cache's own keys go: the Celery broker shares the Redis database (REDIS_URL),
    so a FLUSHDB would also drop the worker's queue bindings."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import RedisError

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    try:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    except (RedisError, OSError):
        pass  # Redis is down (a test may simulate that): there is nothing to empty


_worker_replied: bool | None = None


def _celery_worker_replied() -> bool:
    global _worker_replied
    if _worker_replied is None:
        from jinan_ce.celery import app

        _worker_replied = bool(app.control.ping(timeout=5, limit=1))
    return _worker_replied


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("celery_worker") is None:
        return
    if not os.environ.get("REDIS_URL"):
        if is_ci():
            pytest.fail(CELERY_WORKER_MISSING_IN_CI, pytrace=False)
        pytest.skip("needs the Celery worker: run through `bash scripts/test` (REDIS_URL is not set)")
    fixture_names = getattr(item, "fixturenames", ())
    django_db = item.get_closest_marker("django_db")
    uses_database = "db" in fixture_names or django_db is not None
    transactional = (
        "transactional_db" in fixture_names
        or "live_server" in fixture_names
        or (django_db is not None and django_db.kwargs.get("transaction", False))
    )
    if uses_database and not transactional:
        pytest.fail(CELERY_WORKER_NEEDS_COMMITTED_DATA, pytrace=False)
    if not _celery_worker_replied():
        pytest.fail(
            "REDIS_URL is set but no Celery worker answered a ping within 5 s "
            "(scripts/test starts one; see var/ci/celery.log).",
            pytrace=False,
        )
