"""Partial indexes for the command centre's board (dispatch.selectors.board_counts and its lists).

* ``ticket_board_handling_idx``: tickets in the assignee's hands, by township and light;
* ``ticket_board_queue_idx``: tickets waiting for triage, assignment or a verdict, by township and state;
* ``ticket_untriaged_idx``: tickets waiting for triage or assignment, oldest first;
* ``ticket_red_due_idx``: red tickets in the assignee's hands, longest overdue first.

Each holds only the tickets it serves, so the board reads what is open, not the whole table.
"""

from django.db import migrations, models

HANDLING = ("assigned", "accepted", "in_progress")


class Migration(migrations.Migration):

    dependencies = [
        ("dispatch", "0003_ticketextension_status_fsm"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("status__in", HANDLING)),
                               fields=["township", "warning_level"], name="ticket_board_handling_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("status__in", ("new", "triaged", "resolved"))),
                               fields=["township", "status"], name="ticket_board_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("status__in", ("new", "triaged"))),
                               fields=["received_at"], name="ticket_untriaged_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("status__in", HANDLING), ("warning_level", "red")),
                               fields=["resolve_due"], name="ticket_red_due_idx"),
        ),
    ]
