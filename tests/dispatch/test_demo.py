"""The demo step: tickets in every state, level and channel, with their history; idempotent."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from dispatch import services
from dispatch.models import HANDLING_STATES, Channel, Ticket, TicketStatus, WarningLevel
from dispatch.services.numbering import sequence_name
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

    call_command("seed_demo", stdout=io.StringIO())
    assert Ticket.objects.count() == count

    # Intakes after the seeding continue after the demo's numbers of each year (the year's
    # sequence on PostgreSQL, its counter on SQLite), also for a report received last year.
    serial_count = Counter(int(n[2:6]) for n in Ticket.objects.values_list("number", flat=True))
    years = set(serial_count)
    for year in years:
        if connection.vendor == "postgresql":  # moved by the seeding, not created by the intake below
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT last_value, is_called FROM {sequence_name(year)}")
                last_value, is_called = cursor.fetchone()
                assert is_called and last_value >= serial_count[year]
        last = Ticket.objects.filter(number__startswith=f"GD{year}-").aggregate(m=Max("number"))["m"]
        received = timezone.localtime(Ticket.objects.get(number=last).received_at)
        new = services.ticket_intake(channel="staff", description="演示数据之后登记", received_at=received).ticket
        assert new.number.startswith(f"GD{year}-") and new.number > last
