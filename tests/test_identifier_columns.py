"""Machine identifiers compare byte by byte on PostgreSQL (jinan_ce.fields.IdentifierField): the unique
indexes over ledger sources, roster credits and ID-number digests then compare with memcmp instead of the
locale's strcoll."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Field, Model

from accounts.models import User
from filings.models import RosterCredit
from hours.models import LedgerEntry

IDENTIFIERS = [
    (User, "id_number_digest"),
    (LedgerEntry, "category"),
    (LedgerEntry, "source_type"),
    (LedgerEntry, "source_id"),
    (RosterCredit, "scope"),
    (RosterCredit, "id_number_digest"),
]


def field(model: type[Model], name: str) -> Field:  # type: ignore[type-arg]
    found = model._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def test_the_c_collation_is_asked_for_on_postgresql_only() -> None:
    expected = "C" if connection.vendor == "postgresql" else None
    for model, name in IDENTIFIERS:
        assert field(model, name).db_parameters(connection)["collation"] == expected, (model, name)
    assert field(User, "real_name").db_parameters(connection)["collation"] is None


@pytest.mark.django_db
def test_the_migrated_columns_have_the_c_collation() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("collations: PostgreSQL only (CI, scripts/test)")
    wanted = [(model._meta.db_table, field(model, name).column) for model, name in IDENTIFIERS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            [sorted({table for table, _column in wanted})],
        )
        collations = {(table, column): collation for table, column, collation in cursor.fetchall()}
    assert {key: collations[key] for key in wanted} == dict.fromkeys(wanted, "C")
    assert collations[(User._meta.db_table, "real_name")] is None  # names keep the database's collation
