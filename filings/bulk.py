"""Fast inserts for the roster import: PostgreSQL's COPY where available, bulk_create elsewhere
(SQLite for the demo and the quick test run)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Inserts ``rows`` (tuples in the order of ``fields``) into ``model``'s table; returns the count.

    Model defaults, ``save()`` and signals are bypassed: the caller gives every column that needs a value.
    """
    if connection.vendor == "postgresql":
        meta = model._meta
        columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in fields)
        table = connection.ops.quote_name(meta.db_table)
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    attributes = [model._meta.get_field(name).attname for name in fields]  # "filing_id" for "filing"
    objects = [model(**dict(zip(attributes, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=500)
    return len(objects)
