"""The demo step: tickets in every state, level and channel, with their history; idempotent."""

from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count, Max

from dispatch.models import HANDLING_STATES, Channel, Ticket, TicketCounter, TicketStatus, WarningLevel
from enforcement.models import Event

pytestmark = pytest.mark.django_db


def test_demo_desk_has_every_state_level_and_channel_with_history():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "工单：" in out.getvalue()
    count = Ticket.objects.count()
    assert count >= 300

    assert set(Ticket.objects.values_list("status", flat=True)) == set(TicketStatus.values)
    levels = set(Ticket.objects.filter(status__in=HANDLING_STATES).values_list("warning_level", flat=True))
    assert levels == set(WarningLevel.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Ticket.objects.filter(status=TicketStatus.MERGED, merged_into__isnull=False).exists()
    # Handling tickets have an agency with members who can act, and deadlines.
    handling = Ticket.objects.filter(status__in=HANDLING_STATES)
    assert not handling.filter(responsible_agency__isnull=True).exists()
    assert not handling.filter(resolve_due__isnull=True).exists()

    ct = ContentType.objects.get_for_model(Ticket)
    with_events = Event.objects.filter(content_type=ct).values("object_id").distinct().count()
    assert with_events == count
    closed = Ticket.objects.filter(status=TicketStatus.CLOSED).first()
    actions = list(Event.objects.filter(content_type=ct, object_id=closed.pk).values_list("action", flat=True))
    assert actions[0] == "intake" and "assign" in actions and "close" in actions

    numbers = Ticket.objects.values("number").annotate(n=Count("id")).filter(n__gt=1)
    assert not numbers.exists()
    for counter in TicketCounter.objects.all():
        last = Ticket.objects.filter(number__startswith=f"GD{counter.year}-").aggregate(m=Max("number"))["m"]
        assert last == f"GD{counter.year}-{counter.last:06d}"

    call_command("seed_demo", stdout=io.StringIO())
    assert Ticket.objects.count() == count
