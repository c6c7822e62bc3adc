"""An inspection record handed to another agency becomes a patrol ticket (dispatch's record action)."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch.models import Channel, Ticket
from enforcement.errors import ValidationFailed
from enforcement.inspections import services
from enforcement.inspections.actions import RECORD_ACTIONS
from enforcement.inspections.choices import Disposition, Outcome, RecordStatus, SignatureStatus
from tests.enforcement.inspections_support import aware, insp_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _record(insp):
    obj = insp.objects_a[0]
    return services.record_create(
        by=insp.officers[0],
        object=obj,
        agency=insp.county.town_a,
        officers=insp.officers[:2],
        findings=[services.FindingInput(matter=insp.m_city, agency=insp.county.town_a)],
        place=obj.address,
        started_at=aware(dt.date(2026, 9, 24)),
        signature_status=SignatureStatus.SIGNED,
        outcome=Outcome.ORDERED_TO_CORRECT,
        facts="后厨消防通道堵塞",
    )


def test_ticket_action_creates_a_patrol_ticket_and_closes_the_record(insp, client_for):
    record = _record(insp)
    assert "ticket" in RECORD_ACTIONS.available(record, insp.officers[0])
    client = client_for(insp.officers[0])
    response = client.post(
        f"/inspections/records/{record.pk}/act/ticket/",
        {"target": insp.fire.pk, "description": "消防通道堵塞，请消防部门处理"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.CLOSED and record.disposition == Disposition.TICKET
    ticket = Ticket.objects.get(pk=record.ticket_id)
    assert ticket.channel == Channel.PATROL and ticket.township == insp.county.town_a
    assert record.number in ticket.description and insp.fire.name in ticket.description


def test_ticket_to_the_own_agency_is_refused(insp):
    record = _record(insp)
    with pytest.raises(ValidationFailed):
        RECORD_ACTIONS.perform("ticket", record, by=insp.officers[0], data={"target": insp.county.town_a})
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN and not Ticket.objects.exists()
