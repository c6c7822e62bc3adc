"""The ticket table's labels (dispatch_tags.ticket_label) say what get_<field>_display says, in either language."""

from __future__ import annotations

import pytest
from django.utils import translation

from dispatch.choices import TicketStatus
from dispatch.models import Channel, Priority, Ticket, WarningLevel
from dispatch.templatetags.dispatch_tags import ticket_label

FIELDS = {"status": TicketStatus, "channel": Channel, "priority": Priority, "warning_level": WarningLevel}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_label_matches_the_model_display(language):
    with translation.override(language):
        for field, choices in FIELDS.items():
            for value in choices.values:
                ticket = Ticket(**{field: value})
                assert ticket_label(value, field) == getattr(ticket, f"get_{field}_display")(), (field, value)
    with translation.override("en"):
        assert ticket_label("assigned", "status") != "待签收"  # translated, not the source text
    assert ticket_label("gone", "status") == "gone"  # an unknown value is shown as it is
