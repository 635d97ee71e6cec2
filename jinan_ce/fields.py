"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class IdentifierField(models.CharField):  # type: ignore[type-arg]
    """A machine identifier: a code, a reference to a source, a keyed digest of an ID number. ASCII, never
    shown sorted by language, so compared byte by byte.

    On PostgreSQL the column gets the "C" collation. With the cluster's locale collation (C.UTF-8 on our
    machines, zh_CN or en_US elsewhere) every comparison goes through strcoll, and the unique indexes over
    these columns compare them on every insert: a 100,000-row roster import's ledger and roster COPYs
    spent about a third of their time there. Equality means the same with either collation. SQLite (the
    demo) compares bytes anyway and has no "C" collation, so the column is left as it is there."""

    def db_parameters(self, connection: BaseDatabaseWrapper) -> Any:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not self.db_collation:
            parameters["collation"] = "C"
        return parameters
