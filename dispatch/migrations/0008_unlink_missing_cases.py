"""Before ``Ticket.linked_case`` becomes a foreign key: unlink tickets whose case no longer exists.

The column was a plain integer, so a deleted case left its id behind; the
foreign key (ON DELETE SET NULL from now on) would refuse such a row.
"""

from django.db import migrations


def unlink_missing_cases(apps, schema_editor):
    Ticket = apps.get_model("dispatch", "Ticket")
    Case = apps.get_model("enforcement", "Case")
    (Ticket.objects.filter(linked_case_id__isnull=False)
     .exclude(linked_case_id__in=Case.objects.values("pk"))
     .update(linked_case_id=None))


class Migration(migrations.Migration):

    dependencies = [
        ("dispatch", "0007_sla_source_notes"),
        ("enforcement", "0004_cases"),
    ]

    operations = [
        migrations.RunPython(unlink_missing_cases, migrations.RunPython.noop),
    ]
