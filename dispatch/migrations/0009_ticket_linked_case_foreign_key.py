"""``Ticket.linked_case_id`` (an integer) becomes the foreign key ``Ticket.linked_case`` on the same column."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dispatch", "0008_unlink_missing_cases"),
        ("enforcement", "0004_cases"),
    ]

    operations = [
        # Pin the column name first, so that renaming the field keeps the column (and its data).
        migrations.AlterField(
            model_name="ticket",
            name="linked_case_id",
            field=models.BigIntegerField(blank=True, db_column="linked_case_id", null=True, verbose_name="关联案件"),
        ),
        migrations.RenameField(model_name="ticket", old_name="linked_case_id", new_name="linked_case"),
        # A foreign key named linked_case uses the column linked_case_id: only the constraint and index are added.
        migrations.AlterField(
            model_name="ticket",
            name="linked_case",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to="enforcement.case", verbose_name="关联案件",
            ),
        ),
    ]
