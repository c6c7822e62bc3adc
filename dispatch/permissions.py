"""Who may do what on a ticket: small predicates over ``enforcement.access.scope_for``.

The transition table (``dispatch.models.Ticket``) names these as the
permission of each transition, views use them to decide which actions to
offer, and services use them for the actions that are events rather than
state changes (urge, supervise, follow-up). They look at ids only, so they
never cost a query beyond the user's (cached) scope.
"""

from __future__ import annotations

from dispatch.choices import FINAL_STATES, HANDLING_STATES, TicketStatus
from enforcement.access import scope_for
from enforcement.models import Role

# Roles of people who handle tickets in the field (patrol reports from a phone).
FIELD_ROLES = (
    Role.SQUADRON_OFFICER,
    Role.SQUADRON_LEADER,
    Role.TOWNSHIP_OFFICER,
    Role.TOWNSHIP_LEADER,
)
TOWNSHIP_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER)
LEADER_ROLES = (Role.SQUADRON_LEADER, Role.TOWNSHIP_LEADER)


def is_command_centre(user) -> bool:
    """Dispatchers of the command centre (指挥中心), and superusers, run the ticket desk."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or scope_for(user).has_role(Role.DISPATCHER))


def is_member_of(user, agency_id: int | None) -> bool:
    """A member of ``agency_id`` (or of an agency above it, e.g. a brigade over its squadrons).

    Deliberately not ``Scope.covers_agency``: county-wide readers (the judicial
    bureau, the command centre) see every ticket but do not sign for an agency.
    """
    if agency_id is None or user is None or not user.is_authenticated:
        return False
    return agency_id in scope_for(user).agency_ids


def township_member_ids(user) -> frozenset[int]:
    """The townships in which the user holds a township post (officer or leader)."""
    scope = scope_for(user)
    return frozenset(a for a, r in scope.memberships if r in TOWNSHIP_ROLES)


def is_township_officer(user) -> bool:
    return bool(user and user.is_authenticated and township_member_ids(user))


def is_field_officer(user) -> bool:
    return bool(user and user.is_authenticated and scope_for(user).has_role(*FIELD_ROLES))


def can_see_reporter(user, ticket) -> bool:
    """Reporter name and phone in full: only the command centre and the responsible agency.

    Everyone else (townships, co-handlers, the judicial bureau, the public)
    reads them masked (ARCHITECTURE.md "Permissions": personal data is masked
    for every reader without a need to see it).
    """
    return is_command_centre(user) or is_member_of(user, ticket.responsible_agency_id)


def can_see_lookup_code(user, ticket) -> bool:
    """The public lookup code (查询码) is told to the caller by whoever took the report down.

    The command centre, the person who filed the ticket and the office that
    submitted it (a township call) may read it; with the number it opens the
    public lookup page, so nobody else does.
    """
    if user is None or not user.is_authenticated:
        return False
    return (
        is_command_centre(user)
        or (ticket.created_by_id is not None and ticket.created_by_id == user.pk)
        or is_member_of(user, ticket.submitted_by_agency_id)
    )


def verdict_agency_id(ticket) -> int | None:
    """The agency that judges a resolved ticket: the ticket's township.

    When the ticket has no township, or the township handled the ticket itself
    (a devolved matter), nobody should judge their own work: the command
    centre gives the verdict instead (``None`` here).
    """
    if ticket.township_id is None or ticket.township_id == ticket.responsible_agency_id:
        return None
    return ticket.township_id


def can_give_verdict(user, ticket) -> bool:
    agency_id = verdict_agency_id(ticket)
    if agency_id is None:
        return is_command_centre(user)
    return agency_id in township_member_ids(user)


def can_urge(user, ticket) -> bool:
    """The command centre urges any ticket; a township urges the tickets in its territory or that it filed."""
    if is_command_centre(user):
        return True
    townships = township_member_ids(user)
    return ticket.township_id in townships or ticket.submitted_by_agency_id in townships


def co_handler_agency_ids(ticket) -> set[int]:
    """Agencies co-handling ``ticket`` (uses the prefetched ``co_handlers`` when present)."""
    return {c.agency_id for c in ticket.co_handlers.all() if c.role == "co"}


def available_actions(user, ticket) -> list[str]:
    """The actions ``user`` may try on ``ticket`` now, in the order the detail page offers them.

    A hint for pages and API clients; the services check again when called.
    """
    status = ticket.status
    desk = is_command_centre(user)
    assignee = is_member_of(user, ticket.responsible_agency_id)
    out: list[str] = []

    def offer(action: str, allowed: bool) -> None:
        if allowed:
            out.append(action)

    offer("triage", desk and status in (TicketStatus.NEW, TicketStatus.TRIAGED))
    offer("assign", desk and status == TicketStatus.TRIAGED)
    offer("accept", assignee and status == TicketStatus.ASSIGNED)
    offer("start", assignee and status == TicketStatus.ACCEPTED)
    offer("resolve", assignee and status in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS))
    offer("return", assignee and status in (TicketStatus.ASSIGNED, TicketStatus.ACCEPTED))
    offer("verdict", status == TicketStatus.RESOLVED and can_give_verdict(user, ticket))
    in_hand = status in HANDLING_STATES
    offer("co_feedback", in_hand and bool(co_handler_agency_ids(ticket) & set(scope_for(user).agency_ids)))
    offer("extension_request", assignee and in_hand)
    offer("extension_decide", desk and in_hand and any(e.status == "pending" for e in ticket.extensions.all()))
    offer("co_handlers", desk and in_hand)
    offer("urge", in_hand and can_urge(user, ticket))
    offer("supervise", desk and in_hand)
    offer("escalate", (desk or assignee) and ticket.is_open)
    offer("convert_to_case", (desk or assignee) and (in_hand or status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)))
    offer("merge", desk and status in (TicketStatus.NEW, TicketStatus.TRIAGED, TicketStatus.ASSIGNED))
    offer("dismiss", desk and status in (TicketStatus.NEW, TicketStatus.TRIAGED))
    offer("follow_up", desk and status == TicketStatus.CLOSED and ticket.followed_up_at is None)
    own_township = ticket.township_id in township_member_ids(user)
    offer("attach", status not in FINAL_STATES and (desk or assignee or own_township))
    return out
