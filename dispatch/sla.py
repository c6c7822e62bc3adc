"""Ticket time limits (SLA) and the deadline-warning sweep.

Deadlines: the most specific active :class:`~dispatch.models.SlaRule` for the
ticket's channel, category and priority gives "accept within" and "resolve
within"; ``enforcement.workdays.deadline_for`` turns them into times, counted
from the assignment. A deadline that reaches into a year whose holiday
schedule is not known yet is *provisional*.

Warnings (亮灯) run in two stages. While a ticket waits to be signed for
(assigned), its light runs against the *accept* deadline: yellow once
``settings.WARNING_YELLOW_SHARE`` (default 0.8) of the time allowed to sign
for it has passed, red once the accept deadline has passed (超时未签收).
Signing for it (:func:`enter_resolve_stage`) moves the light to the *resolve*
deadline: ``warn_at`` is set again at that share of the resolve time and the
level is recomputed, so a late acceptance's red goes out and a ticket turns
yellow and red again against its resolve deadline. Red for the resolve
deadline sets ``overdue``, which stays for statistics.

:func:`sweep_warnings` works in chunks: select the ids whose level must
change (``FOR UPDATE SKIP LOCKED``, so a ticket being handled right now is
simply picked up by the next run) through partial indexes that hold only the
candidates, update them by id, insert the chunk's moves into the board's
summary (``dispatch.summary``: one statement), and notify the assignee's members and the
command centre with one bulk send per chunk (``notify_each``) in the same
transaction. A crash rolls a chunk back whole; running twice changes and
sends nothing more (idempotent): the second run finds no candidates, and a
notification's reason names the level and the deadline it is about
(:func:`warning_reason`), which is sent at most once per recipient and ticket.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import summary
from dispatch.choices import HANDLING_STATES
from dispatch.links import ticket_url
from dispatch.models import (
    ACCEPT_RED_CANDIDATES,
    RED_CANDIDATES,
    YELLOW_CANDIDATES,
    SlaRule,
    Ticket,
    TicketStatus,
    WarningLevel,
)
from enforcement.models import Membership, Role
from enforcement.notifications import Message, SubjectRef, notify_each
from enforcement.workdays import Deadline, Unit, deadline_for
from enforcement.workdays import warn_time as working_warn_time

# Used only when an administrator has removed every rule: the 12345 defaults.
FALLBACK_ACCEPT = (Decimal("2"), Unit.WORKING_HOURS)
FALLBACK_RESOLVE = (Decimal("5"), Unit.WORKING_DAYS)
SWEEP_CHUNK = 500


@dataclass(frozen=True)
class TicketDeadlines:
    accept_due: dt.datetime
    resolve_due: dt.datetime
    warn_at: dt.datetime
    provisional: bool
    rule: SlaRule | None
    accept_unit: str = Unit.WORKING_HOURS
    resolve_unit: str = Unit.WORKING_DAYS


def rule_for(*, channel: str, category_id: int | None, priority: str, rules=None) -> SlaRule | None:
    """The most specific active rule matching the ticket (one small query, none with ``rules`` given)."""
    rules = SlaRule.objects.filter(is_active=True) if rules is None else rules
    candidates = [r for r in rules if r.matches(channel=channel, category_id=category_id, priority=priority)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.specificity, -r.pk))


def yellow_share() -> float:
    share = float(getattr(settings, "WARNING_YELLOW_SHARE", 0.8))
    return min(max(share, 0.0), 1.0)


def warn_time(start: dt.datetime, due: dt.datetime, share: float | None = None,
              unit: str = Unit.CALENDAR_DAYS) -> dt.datetime:
    """When a ticket turns yellow: ``share`` of the time from ``start`` to ``due`` has passed.

    Counted in the deadline's own ``unit``: working days or hours count only
    working time (``enforcement.workdays.warn_time``), so no light turns yellow
    in the middle of a holiday.
    """
    share = yellow_share() if share is None else share
    return working_warn_time(start, due, share, unit)


def resolve_unit_for(ticket: Ticket) -> str:
    """The unit the ticket's resolve deadline is counted in (its SLA rule's, else the fallback's)."""
    rule = rule_for(channel=ticket.channel, category_id=ticket.category_id, priority=ticket.priority)
    return rule.resolve_unit if rule else FALLBACK_RESOLVE[1]


def deadlines_for(ticket: Ticket, start: dt.datetime) -> TicketDeadlines:
    """Accept and resolve deadlines for ``ticket`` assigned at ``start``."""
    rule = rule_for(channel=ticket.channel, category_id=ticket.category_id, priority=ticket.priority)
    accept = (rule.accept_amount, rule.accept_unit) if rule else FALLBACK_ACCEPT
    resolve = (rule.resolve_amount, rule.resolve_unit) if rule else FALLBACK_RESOLVE
    accept_due: Deadline = deadline_for(start, *accept)
    resolve_due: Deadline = deadline_for(start, *resolve)
    return TicketDeadlines(
        accept_due=accept_due.at,
        resolve_due=resolve_due.at,
        warn_at=warn_time(start, accept_due.at, unit=accept[1]),  # the first stage: signing for it
        provisional=accept_due.provisional or resolve_due.provisional,
        rule=rule,
        accept_unit=accept[1],
        resolve_unit=resolve[1],
    )


def in_accept_stage(ticket: Ticket) -> bool:
    """Whether the ticket's light runs against its accept deadline (assigned, not signed for yet)."""
    return ticket.status == TicketStatus.ASSIGNED and ticket.accept_due is not None


def level_at(ticket: Ticket, now: dt.datetime, *, accepting: bool | None = None) -> str:
    """The warning level a ticket in the assignee's hands should show at ``now``.

    ``accepting``: whether the light runs against the accept deadline
    (default: the ticket's stage, :func:`in_accept_stage`).
    """
    if ticket.resolve_due is None:
        return WarningLevel.NONE
    if accepting is None:
        accepting = in_accept_stage(ticket)
    if now > ticket.resolve_due or (accepting and now > ticket.accept_due):
        return WarningLevel.RED
    if ticket.warn_at is not None and now >= ticket.warn_at:
        return WarningLevel.YELLOW
    return WarningLevel.NONE


def resolve_warn_at(ticket: Ticket, now: dt.datetime) -> dt.datetime | None:
    """When the resolve stage turns yellow: the share of the time from the round's start to the resolve deadline.

    The round starts at the assignment, or at the township's rejection of the
    result when the ticket is being handled again (重办, ``ticket_verdict``).
    """
    if ticket.resolve_due is None:
        return None
    start = ticket.assigned_at or now
    if ticket.reopen_count and ticket.verdict_at is not None and ticket.verdict_at > start:
        start = ticket.verdict_at
    return warn_time(start, ticket.resolve_due, unit=resolve_unit_for(ticket))


def enter_resolve_stage(ticket: Ticket, now: dt.datetime) -> None:
    """Signed for: the light now runs against the resolve deadline (in memory; the caller saves).

    The accept transition calls this before its new state is set, so the
    stage is named here rather than read from ``ticket.status``.
    """
    ticket.warn_at = resolve_warn_at(ticket, now)
    level = level_at(ticket, now, accepting=False)
    if level != ticket.warning_level:
        ticket.warning_level = level
        ticket.warning_changed_at = now


# --- sweep ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    yellow: list[int] = field(default_factory=list)
    red: list[int] = field(default_factory=list)
    notified: int = 0
    # Seconds spent notifying and inserting the board summary's deltas (the rest is selecting and
    # updating), for the benchmark.
    notify_seconds: float = 0.0
    summary_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"yellow": len(self.yellow), "red": len(self.red), "notified": self.notified}


def command_centre_users() -> list:
    User = get_user_model()
    ids = Membership.objects.active().filter(role=Role.DISPATCHER).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def members_by_agency(agency_ids) -> dict[int, list]:
    """agency_id -> its active members (one query)."""
    out: dict[int, dict[int, object]] = defaultdict(dict)
    rows = (
        Membership.objects.active()
        .filter(agency_id__in=set(agency_ids), user__is_active=True)
        .select_related("user")
    )
    for m in rows:
        out[m.agency_id][m.user_id] = m.user
    return {agency_id: list(users.values()) for agency_id, users in out.items()}


class _Changed(NamedTuple):
    """A ticket whose light the sweep changes, as it was when locked (no model instance)."""

    pk: int
    township_id: int | None
    responsible_agency_id: int | None
    status: str
    warning_level: str
    number: str
    accept_due: dt.datetime | None
    resolve_due: dt.datetime | None

    @property
    def key(self) -> tuple:
        """Its :data:`dispatch.summary.KEY_FIELDS` values."""
        return self[1:5]


assert _Changed._fields[1:5] == summary.KEY_FIELDS


def sweep_warnings(now: dt.datetime | None = None, *, chunk: int = SWEEP_CHUNK) -> SweepResult:
    """Move tickets to red, then to yellow, in chunks; notify once per change of level."""
    now = now or timezone.now()
    result = SweepResult()
    dispatchers = command_centre_users()
    # Ordered by the partial indexes' own column: with the LIMIT of a chunk PostgreSQL then
    # walks the index (candidates only) rather than guessing that a table scan is cheaper.
    # Red for the resolve deadline first (also for a ticket never signed for), then red for the
    # accept deadline, then yellow: a ticket that skipped a level between two runs is told the worse.
    red = Ticket.objects.filter(RED_CANDIDATES, resolve_due__lt=now).order_by("resolve_due")
    accept_red = Ticket.objects.filter(ACCEPT_RED_CANDIDATES, accept_due__lt=now).order_by("accept_due")
    yellow = Ticket.objects.filter(YELLOW_CANDIDATES, warn_at__lte=now, resolve_due__gte=now).order_by("warn_at")
    passes = (
        (WarningLevel.RED, red, {"overdue": True}, False, result.red),
        (WarningLevel.RED, accept_red, {}, True, result.red),
        (WarningLevel.YELLOW, yellow, {}, None, result.yellow),  # the stage each ticket is in
    )
    for level, candidates, extra, accepting, seen in passes:
        while True:
            with transaction.atomic():
                # What the summary's move and the notifications need comes with the lock (one query).
                locked = candidates.select_for_update(skip_locked=True).values_list(*_Changed._fields)
                rows = [_Changed(*row) for row in locked[:chunk]]
                if not rows:
                    break
                ids = [row.pk for row in rows]
                Ticket.objects.filter(pk__in=ids).update(warning_level=level, warning_changed_at=now, **extra)
                started = time.perf_counter()
                summary.record(summary.moves((summary.key_of(row.key), summary.key_of((*row.key[:3], level)))
                                             for row in rows))
                result.summary_seconds += time.perf_counter() - started
                started = time.perf_counter()
                result.notified += _notify_level(rows, level, dispatchers, accepting=accepting)
                result.notify_seconds += time.perf_counter() - started
            seen.extend(ids)
            if len(ids) < chunk:
                break
    return result


def warning_reason(level: str, due: dt.datetime | None) -> str:
    """The notification key of a warning: once per level *for one deadline*.

    ``due`` is the deadline the light ran against (the accept deadline while
    the ticket waits to be signed for, then the resolve deadline). A new
    deadline (signing for it, an approved extension, a return and
    re-assignment) is a new stage: when the ticket turns yellow or red again
    against it, that is a new change of level and notifies again. The same
    level against the same deadline never notifies twice.
    """
    stamp = int(due.timestamp()) if due is not None else 0
    return f"ticket.warning.{level}.{stamp}"


def _local(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    if not value:
        return ""
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")


def _notify_level(tickets: list[_Changed], level: str, dispatchers: list, *, accepting: bool | None = None) -> int:
    """Notify the change to ``level``: about the accept deadline, the resolve deadline, or (None) per stage."""
    members = members_by_agency(t.responsible_agency_id for t in tickets)
    yellow = level == WarningLevel.YELLOW
    # (title, body) by stage, translated once per chunk; the time zone read once too.
    texts = {
        True: (_("工单 %(number)s 即将超时未签收（黄灯）") if yellow else _("工单 %(number)s 超时未签收（红灯）"),
               _("签收期限：%(due)s。")),
        False: (_("工单 %(number)s 即将到期（黄灯）") if yellow else _("工单 %(number)s 已超期（红灯）"),
                _("办结期限：%(due)s。")),
    }
    tz = timezone.get_current_timezone()
    messages = []
    for ticket in tickets:
        about_accepting = in_accept_stage(ticket) if accepting is None else accepting
        due = ticket.accept_due if about_accepting else ticket.resolve_due
        title, body = texts[about_accepting]
        messages.append(
            Message(
                recipients=[*members.get(ticket.responsible_agency_id, []), *dispatchers],
                subject=SubjectRef(Ticket, ticket.pk),
                reason=warning_reason(level, due),
                title=title % {"number": ticket.number},
                body=body % {"due": _local(due, tz)},
                url=ticket_url(ticket.pk),
            )
        )
    # One bulk send for the whole chunk, not one round of queries per ticket.
    return len(notify_each(messages))


# --- provisional deadlines once a year's calendar is known (issue 13 point 13) ------------------------


def recompute_provisional_tickets(**_kwargs) -> dict:
    """Compute the deadlines of open tickets marked provisional again; save and notify those that moved.

    Receiver of ``enforcement.workdays.calendar_changed`` (sent by the task
    ``enforcement.tasks.recompute_provisional_deadlines`` after an
    administrator entered a year's schedule). The round starts at the
    assignment (or the township's rejection, for a ticket handled again);
    approved extensions are added again in order. Idempotent: unchanged
    values are not saved, and the notification's reason names the new due
    time.
    """
    from dispatch.models import TicketExtension

    moved: list[Ticket] = []
    tickets = list(Ticket.objects.filter(deadline_provisional=True, status__in=HANDLING_STATES,
                                         assigned_at__isnull=False))
    approved: dict[int, list] = defaultdict(list)
    for ext in TicketExtension.objects.filter(ticket__in=tickets, status="approved").order_by("decided_at", "pk"):
        approved[ext.ticket_id].append(ext)
    now = timezone.now()
    for ticket in tickets:
        start = ticket.assigned_at
        if ticket.reopen_count and ticket.verdict_at is not None and ticket.verdict_at > start:
            start = ticket.verdict_at
        again = deadlines_for(ticket, start)
        resolve_due, provisional = again.resolve_due, again.provisional
        for ext in approved.get(ticket.pk, []):
            extended = deadline_for(resolve_due, ext.amount, ext.unit)
            resolve_due, provisional = extended.at, provisional or extended.provisional
        accept_due = again.accept_due if not ticket.reopen_count else ticket.accept_due
        if (accept_due, resolve_due, provisional) == (ticket.accept_due, ticket.resolve_due, True):
            continue
        changed = (accept_due, resolve_due) != (ticket.accept_due, ticket.resolve_due)
        ticket.accept_due, ticket.resolve_due, ticket.deadline_provisional = accept_due, resolve_due, provisional
        ticket.warn_at = (warn_time(start, accept_due, unit=again.accept_unit) if in_accept_stage(ticket)
                          else resolve_warn_at(ticket, now))
        Ticket.objects.filter(pk=ticket.pk).update(accept_due=accept_due, resolve_due=resolve_due,
                                                   deadline_provisional=provisional, warn_at=ticket.warn_at)
        if changed:
            moved.append(ticket)
    members = members_by_agency(t.responsible_agency_id for t in moved)
    messages = [
        Message(
            recipients=members.get(t.responsible_agency_id, []), subject=t,
            reason=f"ticket.deadline_moved.{int(t.resolve_due.timestamp())}",
            title=_("工单 %(number)s 的期限已按节假日安排重新计算") % {"number": t.number},
            body=_("办结期限改为 %(due)s。") % {"due": _local(t.resolve_due)},
            url=ticket_url(t),
        )
        for t in moved
    ]
    notified = len(notify_each(messages)) if messages else 0
    return {"tickets_checked": len(tickets), "tickets_moved": len(moved), "tickets_notified": notified}
