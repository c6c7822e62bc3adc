"""Ticket numbers from a PostgreSQL sequence per year (issue 18; dispatch/services/numbering.py).

On PostgreSQL, each year of ``dispatch_ticketcounter`` becomes the sequence
``dispatch_ticket_number_<year>``, set to the counter's last number (or to the
highest number of that year already written, if higher), and the counter rows
are deleted: that table is only used on SQLite from now on. Nothing changes on
SQLite. Backwards, the sequences become counter rows again and are dropped.

Stop intake while this runs (as for any deploy): a process of the previous
version still bumping the counter afterwards would hand out numbers the
sequence gives again (the unique index refuses the second one).

Self-contained SQL rather than the service's helpers: a migration must keep
doing what it did when the code it would import changes.
"""

from django.db import migrations

SEQUENCE = "dispatch_ticket_number_{year:04d}"


def highest_written(cursor, year: int) -> int:
    prefix = f"GD{year:04d}-"
    cursor.execute(
        "SELECT max(CAST(substr(number, %s) AS bigint)) FROM dispatch_ticket "
        "WHERE number LIKE %s AND substr(number, %s) ~ '^[0-9]+$'",
        [len(prefix) + 1, prefix + "%", len(prefix) + 1],
    )
    return cursor.fetchone()[0] or 0


def counters_to_sequences(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    TicketCounter = apps.get_model("dispatch", "TicketCounter")
    with connection.cursor() as cursor:
        for year, last in TicketCounter.objects.values_list("year", "last"):
            name = SEQUENCE.format(year=year)
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint MINVALUE 1")
            serial = max(last, highest_written(cursor, year))
            if serial > 0:
                cursor.execute(f"SELECT setval(%s::regclass, %s) FROM {name} WHERE NOT is_called OR last_value < %s",
                               [name, serial, serial])
    TicketCounter.objects.all().delete()


def sequences_to_counters(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    TicketCounter = apps.get_model("dispatch", "TicketCounter")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND c.relname ~ '^dispatch_ticket_number_[0-9]{4}$' "
            "AND pg_table_is_visible(c.oid)"
        )
        for (name,) in cursor.fetchall():
            year = int(name.rsplit("_", 1)[1])
            cursor.execute(f"SELECT last_value, is_called FROM {name}")
            last_value, is_called = cursor.fetchone()
            # The counter is gap-free: continue after the highest number handed out.
            last = max(last_value if is_called else last_value - 1, highest_written(cursor, year))
            TicketCounter.objects.update_or_create(year=year, defaults={"last": last})
            cursor.execute(f"DROP SEQUENCE {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("dispatch", "0010_list_ordering_indexes"),
    ]

    operations = [
        migrations.RunPython(counters_to_sequences, sequences_to_counters),
    ]
