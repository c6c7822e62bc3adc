"""Helpers every ticket service shares: recipients, links, locking, masking."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from dispatch.links import ticket_url
from dispatch.models import Ticket
from dispatch.sla import command_centre_users, members_by_agency
from enforcement.errors import NotFound
from enforcement.models import Membership, Role
from enforcement.notifications import notify_many
from enforcement.workflow import lock_as_seen

__all__ = [
    "agency_leaders",
    "agency_members",
    "command_centre_users",
    "lock_ticket",
    "members_by_agency",
    "notify_users",
    "ticket_url",
]


def agency_members(agency_id: int | None) -> list:
    if agency_id is None:
        return []
    return members_by_agency([agency_id]).get(agency_id, [])


def agency_leaders(agency_id: int | None) -> list:
    if agency_id is None:
        return []
    User = get_user_model()
    ids = Membership.objects.active().filter(
        agency_id=agency_id, role__in=[Role.SQUADRON_LEADER, Role.TOWNSHIP_LEADER]
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def notify_users(users, ticket: Ticket, *, reason: str, title: str, body: str = "", exclude=None) -> None:
    """Notify ``users`` about ``ticket`` (never the person who acted)."""
    skip = exclude.pk if exclude is not None else None
    notify_many(
        [u for u in users if u.pk != skip], reason=reason, title=title, body=body, subject=ticket,
        url=ticket_url(ticket),
    )


def lock_ticket(ticket: Ticket, *, seen_status: str | None = None) -> Ticket:
    """Lock the ticket row (inside a transaction) for an action that is not a transition.

    With ``seen_status`` the action refuses, as a transition would, when the
    state changed since the actor loaded the page (the shared workflow helper).
    """
    if seen_status is None:
        try:
            return Ticket.objects.select_for_update().get(pk=ticket.pk)
        except Ticket.DoesNotExist:
            raise NotFound() from None
    return lock_as_seen(ticket, seen_state=seen_status)
