"""``migrate`` for the benchmark database.

The append-only trigger migrations (accounts 0002, hours 0002) call ``schema_editor.execute(sql)``
with SQL containing ``%`` (PL/pgSQL's RAISE format); Django's PostgreSQL schema editor then composes
it client-side with empty params and psycopg 3 refuses the ``%:``. Until those migrations pass
``params=None`` (proposed in docs/scaling.md), this runs ``migrate`` with the schema editor treating
empty params as none, which is exactly what the fix does.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db.backends.postgresql.schema import DatabaseSchemaEditor


def migrate(verbosity: int = 0) -> None:
    original = DatabaseSchemaEditor.execute

    def execute(self: DatabaseSchemaEditor, sql: Any, params: Any = ()) -> Any:
        return original(self, sql, None if params == () else params)

    DatabaseSchemaEditor.execute = execute  # type: ignore[method-assign,assignment]
    try:
        call_command("migrate", verbosity=verbosity, interactive=False)
    finally:
        DatabaseSchemaEditor.execute = original  # type: ignore[method-assign,assignment]
