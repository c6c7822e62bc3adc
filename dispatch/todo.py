"""Tickets on the to-do lists (enforcement.todo): the desk's queue, the units' inboxes, a grid member's reports.

Every provider reads through the inbox selectors the pages use
(:mod:`dispatch.selectors`), so the to-do list and the inboxes cannot drift.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dispatch import selectors
from dispatch.models import OPEN_STATES, TicketStatus
from dispatch.permissions import TOWNSHIP_ROLES
from enforcement import todo
from enforcement.models import Role

HANDLING_UNIT_ROLES = {Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER,
                       Role.DEPARTMENT_STAFF}


def _item(kind, category, ticket, *, due=None, start=None, url=None, detail=None) -> todo.TodoItem:
    return todo.TodoItem(
        kind=kind, category=category, title=ticket.title or ticket.description[:60],
        url=url or reverse("dispatch:ticket-detail", args=[ticket.pk]), due=due,
        level=todo.level_for(due, start=start, stored=ticket.warning_level),
        reference=ticket.number,
        detail=detail if detail is not None else (ticket.township.name if ticket.township else ""),
    )


@todo.provider("dispatch.desk", roles={Role.DISPATCHER})
def desk_queue(user, scope):
    """Tickets to triage, to assign, to re-assign after a return, red tickets to supervise, extensions to decide."""
    for ticket in selectors.board_waiting()[:todo.LIMIT]:
        if ticket.status == TicketStatus.NEW:
            category = _("待分流")
        elif ticket.return_count:
            category = _("退单待重新交办")
        else:
            category = _("待交办")
        yield _item("dispatch.desk", category, ticket)
    for ticket in selectors.board_late()[:todo.LIMIT]:
        yield _item("dispatch.supervise", _("超期督办"), ticket, due=ticket.resolve_due or ticket.accept_due)
    for ext in selectors.pending_extensions()[:todo.LIMIT]:
        ticket = ext.ticket
        yield todo.TodoItem(
            kind="dispatch.extension", category=_("延期申请待审批"), title=ticket.title or ticket.description[:60],
            url=reverse("dispatch:ticket-detail", args=[ticket.pk]), due=ticket.resolve_due,
            level=todo.level_for(ticket.resolve_due, stored=ticket.warning_level), reference=ticket.number,
        )


@todo.provider("dispatch.unit", roles=HANDLING_UNIT_ROLES)
def unit_inbox(user, scope):
    """Tickets the user's agencies must sign for, resolve, or give joint-inspection feedback on."""
    agencies = scope.agency_ids
    for ticket in selectors.agency_to_accept(agencies)[:todo.LIMIT]:
        yield _item("dispatch.accept", _("待签收"), ticket, due=ticket.accept_due, start=ticket.assigned_at)
    for ticket in selectors.agency_in_hand(agencies)[:todo.LIMIT]:
        yield _item("dispatch.resolve", _("待办结"), ticket, due=ticket.resolve_due, start=ticket.accepted_at)
    for ticket in selectors.co_feedback_due(agencies)[:todo.LIMIT]:
        yield _item("dispatch.co_feedback", _("联合执法待反馈"), ticket, due=ticket.resolve_due)


@todo.provider("dispatch.verdict", roles=TOWNSHIP_ROLES)
def township_verdicts(user, scope):
    """Resolved tickets in the township's territory (its calls among them) waiting for its verdict."""
    townships = frozenset(a for a, r in scope.memberships if r in TOWNSHIP_ROLES)
    for ticket in selectors.township_to_judge(townships)[:todo.LIMIT]:
        yield _item("dispatch.verdict", _("待评价"), ticket, detail=str(ticket.responsible_agency or ""))


@todo.provider("dispatch.my_reports", grid_members=True)
def grid_member_reports(user, scope):
    """A grid member's own reports still open, with how far each has come."""
    for ticket in selectors.my_reports(user).filter(status__in=OPEN_STATES)[:todo.LIMIT]:
        yield _item("dispatch.my_reports", _("我的上报"), ticket, due=ticket.resolve_due or ticket.accept_due,
                    url=reverse("dispatch:my-report", args=[ticket.pk]), detail=ticket.get_status_display())
