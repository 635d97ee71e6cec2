"""Review records and the integrity archive are append-only in the database itself: on PostgreSQL a
trigger refuses UPDATE and DELETE on their rows (谁审核，谁负责: a decision on record stays on record).
Reuses accounts' jinan_ce_refuse_change()."""

from django.db import migrations

TABLES = ("hours_reviewrecord", "hours_integrityrecord")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION jinan_ce_refuse_change()"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("hours", "0005_review_workflow"),
        ("accounts", "0002_audit_event_append_only"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
