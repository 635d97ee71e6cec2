"""Fast bulk loading with PostgreSQL COPY (psycopg 3), driven by Django's model metadata.

A ``TableWriter`` is opened for one model and the fields the generator fills; every other concrete
field gets its model default (computed once), NULL when nullable, or "" for a blank text field, so
a column added later by another app with a default does not break the generator, and a required one
without a default stops it with the field's name. Rows are tuples of Python values, encoded to COPY's
text format here and spooled to a temporary file, which is sent with one COPY when the writer closes:
one connection cannot run two COPYs at once, and the generator fills several tables in one pass.
Foreign keys are deferred to the commit (Django creates them DEFERRABLE INITIALLY DEFERRED), so the
order in which the tables arrive does not matter inside the generator's single transaction.
"""

from __future__ import annotations

import datetime
import decimal
import json
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
BLOCK_BYTES = 4 * 1024 * 1024


def encode(value: Any) -> str:
    """One value in COPY text format."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | decimal.Decimal | float):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _filler(field: models.Field) -> Any:
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(
        f"{field.model.__name__}.{field.name} has no default and the load generator does not fill it; "
        "add it to jinan_ce/loaddata"
    )


class TableWriter:
    """``with TableWriter(Model, ["id", "name", ...]) as table: table.row((1, "x")); ...``"""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        meta = model._meta
        given: list[Any] = [meta.get_field(name) for name in fields]
        rest = [
            field
            for field in meta.concrete_fields
            if field not in given and not (field.primary_key and isinstance(field, models.AutoField))
        ]
        self.columns = [field.column for field in given] + [field.column for field in rest]
        self.suffix = "".join("\t" + encode(_filler(field)) for field in rest)
        self.width = len(given)
        self.count = 0
        self._parts: list[str] = []
        self._size = 0
        self._file: Any = None

    def __enter__(self) -> TableWriter:
        self._file = tempfile.TemporaryFile(prefix="jinan-load-")
        return self

    def row(self, values: Sequence[Any]) -> None:
        line = "\t".join([encode(value) for value in values]) + self.suffix + "\n"
        self._parts.append(line)
        self._size += len(line)
        self.count += 1
        if self._size >= BLOCK_BYTES:
            self._spool()

    def rows(self, many: Iterable[Sequence[Any]]) -> None:
        for values in many:
            self.row(values)

    def _spool(self) -> None:
        if self._parts:
            self._file.write("".join(self._parts).encode())
            self._parts = []
            self._size = 0

    def __exit__(self, *exc: Any) -> None:
        try:
            if exc[0] is None:
                self._spool()
                self._send()
        finally:
            self._file.close()

    def _send(self) -> None:
        self._file.seek(0)
        connection.ensure_connection()
        columns = ", ".join(f'"{column}"' for column in self.columns)
        statement = f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN'
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            while block := self._file.read(8 * 1024 * 1024):
                copy.write(block)


def insert_columns(model: type[models.Model], fields: Sequence[str]) -> tuple[list[str], list[Any]]:
    """(columns, values of the columns after the given ones) for an INSERT ... SELECT that fills the
    given fields and leaves the rest to their model defaults (JSON fields as JSON text)."""
    meta = model._meta
    given: list[Any] = [meta.get_field(name) for name in fields]
    rest = [
        field
        for field in meta.concrete_fields
        if field not in given and not (field.primary_key and isinstance(field, models.AutoField))
    ]
    values = []
    for field in rest:
        value = _filler(field)
        if isinstance(value, dict | list):
            value = json.dumps(value)
        values.append(value)
    columns: list[str] = [field.column for field in given] + [field.column for field in rest]
    return columns, values


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')  # noqa: S608
        return int(cursor.fetchone()[0])


def reset_sequence(model: type[models.Model]) -> None:
    """After rows were copied with explicit ids, the identity continues after the largest."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'),"  # noqa: S608
            f' COALESCE((SELECT MAX(id) FROM "{table}"), 1))',
            [table],
        )


def secondary_indexes(tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, definition) of each index on the tables that backs no constraint (primary keys and
    unique constraints stay: they protect the data while it loads)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [list(tables)],
        )
        return [(name, definition) for name, definition in cursor.fetchall()]


def drop_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of everything copied run now (an index cannot be built on a
        # table with pending trigger events).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(
                definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1).replace(
                    "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1
                )
            )


def foreign_keys(tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of each foreign key on the tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s)
            ORDER BY t.relname, c.conname
            """,
            [list(tables)],
        )
        return [(table, name, definition) for table, name, definition in cursor.fetchall()]


def drop_foreign_keys(keys: Sequence[tuple[str, str, str]]) -> None:
    """Checked row by row, foreign keys cost more than the load itself (tens of millions of rows);
    they come back, validated in one pass each, through ``add_foreign_keys``."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the demo loader queued is checked first
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')


def add_foreign_keys(keys: Sequence[tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
