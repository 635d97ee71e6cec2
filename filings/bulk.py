"""Fast inserts for the roster import: PostgreSQL's COPY where available, bulk_create elsewhere
(SQLite for the demo and the quick test run).

COPY is fed its text format built here in bulk (one string per row, written in chunks of about a
64 KB) rather than row by row through psycopg's adapters, which costs several times more per row."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models

# Small enough that PostgreSQL works on the first rows while Python formats the next ones.
CHUNK_BYTES = 64 * 1024
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    # Tabs, newlines and carriage returns are not printable: most strings need no escaping at all.
    return value if value.isprintable() and "\\" not in value else value.translate(_ESCAPES)


_CONVERTERS: dict[type, Callable[[Any], str]] = {
    str: _text,
    int: str,
    Decimal: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
}


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    converter = _CONVERTERS.get(value.__class__)
    if converter is not None:
        return converter(value)
    if isinstance(value, str):  # a TextChoices member
        return _text(str(value))
    return str(value)


def _line(row: Sequence[Any]) -> str:
    return "\t".join([(_CONVERTERS.get(value.__class__) or copy_text)(value) for value in row])


def escape(value: str) -> str:
    """A string for COPY's text format (public name of the converter, for callers that format lines)."""
    return _text(value)


def copy_lines(
    table: str, columns: Sequence[str], lines: Iterable[str], constants: Mapping[str, Any] | None = None
) -> int:
    """COPY lines already in COPY's text format (tab-separated, newline-terminated, in the order of
    ``columns``) into ``table`` (PostgreSQL only), inside the current transaction. ``constants`` are
    columns with the same value on every row: encoded once, put in front of every line."""
    constants = constants or {}
    all_columns = [*constants, *columns]
    quoted_columns = ", ".join(connection.ops.quote_name(column) for column in all_columns)
    prefix = "".join(copy_text(value) + "\t" for value in constants.values())
    count = 0
    with connection.cursor() as cursor, connection.wrap_database_errors:  # psycopg's errors as Django's
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        statement = f"COPY {connection.ops.quote_name(table)} ({quoted_columns}) FROM STDIN"
        with raw.copy(statement) as copy:
            buffer: list[str] = []
            size = 0
            for line in lines:
                buffer.append(line)
                size += len(line)
                count += 1
                if size >= CHUNK_BYTES:
                    copy.write((prefix + prefix.join(buffer) if prefix else "".join(buffer)).encode())
                    buffer, size = [], 0
            if buffer:
                copy.write((prefix + prefix.join(buffer) if prefix else "".join(buffer)).encode())
    return count


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> int:
    """COPY ``rows`` (tuples of Python values in the order of ``columns``) into ``table``."""
    return copy_lines(table, columns, (_line(row) + "\n" for row in rows), constants)


def column_of(model: type[models.Model], name: str) -> str:
    """The database column of a concrete field ("filing_id" for "filing")."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def attname_of(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.attname


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Inserts ``rows`` (tuples in the order of ``fields``) into ``model``'s table, each with the
    ``constants`` (field name: value) too; returns the count.

    Model defaults, ``save()`` and signals are bypassed: the caller gives every column that needs a value.
    """
    constants = constants or {}
    if connection.vendor == "postgresql":
        return copy_rows(
            model._meta.db_table,
            [column_of(model, name) for name in fields],
            rows,
            {column_of(model, name): value for name, value in constants.items()},
        )
    attributes = [attname_of(model, name) for name in fields]  # "filing_id" for "filing"
    fixed = {attname_of(model, name): value for name, value in constants.items()}
    objects = [model(**fixed, **dict(zip(attributes, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=500)
    return len(objects)
