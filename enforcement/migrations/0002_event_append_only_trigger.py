"""Make the event log append-only in the database itself (PostgreSQL).

The model layer refuses updates and deletes too, but raw SQL would bypass it.
TRUNCATE (used by test-database flushes and never by the application) is not
blocked: row-level triggers do not fire on it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION enforcement_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'enforcement_event is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS enforcement_event_append_only ON enforcement_event;
CREATE TRIGGER enforcement_event_append_only
    BEFORE UPDATE OR DELETE ON enforcement_event
    FOR EACH ROW EXECUTE FUNCTION enforcement_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS enforcement_event_append_only ON enforcement_event;
DROP FUNCTION IF EXISTS enforcement_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
