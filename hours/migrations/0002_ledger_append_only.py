"""The ledger is append-only in the database itself: on PostgreSQL a trigger refuses UPDATE and DELETE
on ledger rows (a correction is a reversal entry). Reuses accounts' jinan_ce_refuse_change()."""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS hours_ledgerentry_append_only ON hours_ledgerentry;
CREATE TRIGGER hours_ledgerentry_append_only BEFORE UPDATE OR DELETE ON hours_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION jinan_ce_refuse_change();
"""
DROP = "DROP TRIGGER IF EXISTS hours_ledgerentry_append_only ON hours_ledgerentry;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("hours", "0001_initial"),
        ("accounts", "0002_audit_event_append_only"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
