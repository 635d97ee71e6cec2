"""The audit trail is append-only in the database itself: on PostgreSQL a trigger refuses UPDATE and
DELETE on audit rows, whatever code (or person with SQL access through the application's role) tries."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION jinan_ce_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
CREATE TRIGGER accounts_auditevent_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION jinan_ce_refuse_change();
"""
DROP = "DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;"


def _run(schema_editor, sql):
    # Straight to the cursor without parameters: the PL/pgSQL format string's % signs are not
    # query placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
