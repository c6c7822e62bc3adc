"""Extension requests (延期申请) as a state machine: pending → approved | refused, through perform_transition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dispatch import services
from dispatch.models import ExtensionStatus, Ticket, TicketExtension
from dispatch.selectors import history
from dispatch.sla import warn_time
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Event, Notification
from enforcement.workdays import Unit, deadline_for
from enforcement.workflow import transition_label
from tests.dispatch.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(assigned, squadron_officer, clock):
    """A ticket assigned to and signed for by squadron A on Monday 23 Nov 2026, with a pending request for 3 more
    working days."""
    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    extension = services.extension_request(ticket, by=squadron_officer, amount=3, reason="需协调产权单位")
    return ticket, extension


def extension_events(extension):
    return list(Event.objects.for_object(extension))


def ticket_actions(ticket):
    return [e.action for e in history(ticket)]


def unchanged(ticket, extension):
    """The request is still pending, with no decision anywhere, and the ticket keeps its deadline."""
    before_due = ticket.resolve_due
    extension = TicketExtension.objects.get(pk=extension.pk)
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        extension.status == ExtensionStatus.PENDING
        and extension.decided_by is None
        and extension_events(extension) == []
        and not {"extension_approve", "extension_refuse"} & set(ticket_actions(ticket))
        and ticket.resolve_due == before_due
    )


def test_approval_moves_the_deadline_and_writes_both_histories(requested, dispatcher, squadron_officer):
    ticket, extension = requested
    old_due = ticket.resolve_due

    decided = services.extension_decide(extension, by=dispatcher, approve=True, note="同意延期三日")

    ticket.refresh_from_db()
    expected = deadline_for(old_due, extension.amount, extension.unit).at
    assert (decided.status, decided.decided_by, decided.decision_note) == (
        ExtensionStatus.APPROVED, dispatcher, "同意延期三日")
    assert decided.previous_due == old_due and decided.new_due == expected == ticket.resolve_due
    assert ticket.warn_at == warn_time(ticket.assigned_at, expected, unit=Unit.WORKING_DAYS)  # in working time
    # The extension's own transition event ...
    [own] = extension_events(extension)
    assert (own.action, own.from_state, own.to_state, own.actor, own.note) == (
        "approve", "pending", "approved", dispatcher, "同意延期三日")
    # ... and the ticket's event, which its history page reads.
    event = history(ticket).get(action="extension_approve")
    assert event.from_state == event.to_state == ticket.status
    assert event.data["extension"] == extension.pk
    assert dt.datetime.fromisoformat(event.data["previous_due"]) == old_due
    assert dt.datetime.fromisoformat(event.data["new_due"]) == expected
    assert Notification.objects.filter(recipient=squadron_officer,
                                       reason=f"ticket.extension.{extension.pk}.decided").exists()


def test_refusal_keeps_the_deadline_and_is_recorded(requested, dispatcher):
    ticket, extension = requested
    old_due = ticket.resolve_due

    refused = services.extension_decide(extension, by=dispatcher, approve=False, note="期限内可完成")

    ticket.refresh_from_db()
    assert (refused.status, refused.new_due, refused.decision_note) == (ExtensionStatus.REFUSED, None, "期限内可完成")
    assert ticket.resolve_due == old_due
    assert [(e.action, e.to_state) for e in extension_events(extension)] == [("refuse", "refused")]
    assert ticket_actions(ticket)[-1] == "extension_refuse"


def test_only_the_command_centre_decides(requested, squadron_officer, officer_a):
    ticket, extension = requested
    for user in (squadron_officer, officer_a):
        with pytest.raises(PermissionRefused) as exc:
            services.extension_decide(extension, by=user, approve=True)
        assert "同意延期" in str(exc.value)
    assert unchanged(ticket, extension)


def test_a_refusal_needs_a_reason(requested, dispatcher):
    ticket, extension = requested
    with pytest.raises(ValidationFailed) as exc:
        services.extension_decide(extension, by=dispatcher, approve=False, note="  ")
    assert exc.value.fields == {"note": ["不同意延期时请说明理由。"]}
    assert unchanged(ticket, extension)


def test_deciding_twice_is_refused_and_moves_the_deadline_once(requested, dispatcher, county):
    from enforcement.models import Role
    from tests.factories import member

    ticket, extension = requested
    other_dispatcher = member(Role.DISPATCHER, county.command, "dispatcher_2", certified=True)
    # Both dispatchers opened the page while the request was pending.
    first_copy = TicketExtension.objects.get(pk=extension.pk)
    second_copy = TicketExtension.objects.get(pk=extension.pk)
    services.extension_decide(first_copy, by=dispatcher, approve=True)
    ticket.refresh_from_db()
    due_after_first = ticket.resolve_due

    for approve in (True, False):
        with pytest.raises(InvalidTransition) as exc:
            services.extension_decide(second_copy, by=other_dispatcher, approve=approve, note="再审")
        assert "已同意" in str(exc.value)

    ticket.refresh_from_db()
    assert ticket.resolve_due == due_after_first
    assert len(extension_events(extension)) == 1
    assert ticket_actions(ticket).count("extension_approve") == 1
    assert "extension_refuse" not in ticket_actions(ticket)


def test_no_decision_once_the_ticket_is_out_of_hand(requested, dispatcher, squadron_officer):
    ticket, extension = requested
    services.ticket_resolve(Ticket.objects.get(pk=ticket.pk), by=squadron_officer, resolution="已处理完毕。")
    ticket.refresh_from_db()

    with pytest.raises(InvalidTransition) as exc:
        services.extension_decide(extension, by=dispatcher, approve=True)

    assert "审批延期" in str(exc.value)
    assert unchanged(ticket, extension)


def test_status_is_never_assigned_directly(requested):
    _ticket, extension = requested
    with pytest.raises(AttributeError):
        extension.status = ExtensionStatus.APPROVED
    assert transition_label(extension, "approve") == "同意延期"
    assert transition_label(extension, "refuse") == "不同意延期"


def test_ticket_page_shows_the_decision(requested, dispatcher, client_for):
    ticket, extension = requested
    services.extension_decide(extension, by=dispatcher, approve=False, note="期限内可完成")

    page = client_for(dispatcher).get(reverse("dispatch:ticket-detail", args=[ticket.pk]))

    assert page.status_code == 200
    assert "期限内可完成" in page.content.decode()


def test_admin_shows_extensions_read_only(requested, administrator, client_for):
    _ticket, extension = requested
    client = client_for(administrator)
    url = reverse("admin:dispatch_ticketextension_change", args=[extension.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"status": "approved"})
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING
