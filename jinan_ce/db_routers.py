"""Database routing for scale-out: heavy report reads may go to a read replica, everything else to
the primary.

Only code that explicitly asks reads from the replica (``with reading_from_replica(): ...``): a city-wide
compliance report streams 500,000 people and should not compete with the learners' heartbeats on the
primary, but almost every other read happens right after a write (a claim just submitted, an export
job just created) and must see it, which a replica a few hundred milliseconds behind would not.

Without a ``replica`` database configured (``DATABASE_REPLICA_URL`` unset, the default and every
test run) the context manager changes nothing: the same code runs against the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import models

REPLICA_ALIAS = "replica"
PRIMARY_ALIAS = "default"

_reading_from_replica: ContextVar[bool] = ContextVar("jinan_ce_reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def report_database() -> str:
    """The alias a heavy report query should use: ``queryset.using(report_database())``. The replica
    when there is one, else the primary. Preferred over ``reading_from_replica()`` for a streamed
    query evaluated inside a generator, whose context would leak between its yields."""
    return REPLICA_ALIAS if replica_configured() else PRIMARY_ALIAS


@contextmanager
def reading_from_replica() -> Iterator[str]:
    """Reads inside the block go to the replica when there is one; writes still go to the primary.

    Yields the alias the reads use, for code that passes ``using=`` itself (a raw cursor).
    Per thread / per greenlet (a ``ContextVar``), so one request's report never reroutes another's reads.
    """
    token = _reading_from_replica.set(True)
    try:
        yield REPLICA_ALIAS if replica_configured() else PRIMARY_ALIAS
    finally:
        _reading_from_replica.reset(token)


class ReportReplicaRouter:
    """Reads go to ``replica`` only inside ``reading_from_replica()``; writes and migrations always to
    ``default``. The replica holds the same rows, so relations between the two are allowed."""

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        if _reading_from_replica.get() and replica_configured():
            return REPLICA_ALIAS
        return None  # Django's default: "default"

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return PRIMARY_ALIAS

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        databases = {PRIMARY_ALIAS, REPLICA_ALIAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if db == REPLICA_ALIAS:
            return False  # a streaming replica follows the primary's schema by itself
        return None
