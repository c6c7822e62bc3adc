"""Ticket time limits (SLA) and the deadline-warning sweep.

Deadlines: the most specific active :class:`~dispatch.models.SlaRule` for the
ticket's channel, category and priority gives "accept within" and "resolve
within"; ``enforcement.workdays.deadline_for`` turns them into times, counted
from the assignment. A deadline that reaches into a year whose holiday
schedule is not known yet is *provisional*.

Warnings (亮灯): :func:`sweep_warnings` moves tickets in the assignee's hands
to yellow once ``settings.WARNING_YELLOW_SHARE`` (default 0.8) of the time
allowed has passed (the ``warn_at`` column, fixed when the deadline is set)
and to red once the resolve deadline has passed (setting ``overdue``, which
stays for statistics). It works in chunks: select the ids whose level must
change (``FOR UPDATE SKIP LOCKED``, so a ticket being handled right now is
simply picked up by the next run), update them by id, and notify the
assignee's members and the command centre through ``notify_many`` in the
same transaction. A crash rolls a chunk back whole; running twice changes
and sends nothing more (idempotent), because the second run finds no
candidates and the notification reason ``ticket.warning.<level>`` is sent at
most once per recipient and ticket.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import Membership, Role
from enforcement.notifications import Message, notify_each
from enforcement.workdays import Deadline, Unit, deadline_for

from .links import ticket_url
from .models import RED_CANDIDATES, YELLOW_CANDIDATES, SlaRule, Ticket, WarningLevel

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


def warn_time(start: dt.datetime, due: dt.datetime, share: float | None = None) -> dt.datetime:
    """When a ticket turns yellow: ``share`` of the time from ``start`` to ``due`` has passed."""
    share = yellow_share() if share is None else share
    return start + (due - start) * share


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
        warn_at=warn_time(start, resolve_due.at),
        provisional=accept_due.provisional or resolve_due.provisional,
        rule=rule,
    )


def level_at(ticket: Ticket, now: dt.datetime) -> str:
    """The warning level a ticket in the assignee's hands should show at ``now``."""
    if ticket.resolve_due is None:
        return WarningLevel.NONE
    if now > ticket.resolve_due:
        return WarningLevel.RED
    if ticket.warn_at is not None and now >= ticket.warn_at:
        return WarningLevel.YELLOW
    return WarningLevel.NONE


# --- sweep ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    yellow: list[int] = field(default_factory=list)
    red: list[int] = field(default_factory=list)
    notified: int = 0
    # Seconds spent notifying (the rest is selecting and updating), for the benchmark.
    notify_seconds: float = 0.0

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


def sweep_warnings(now: dt.datetime | None = None, *, chunk: int = SWEEP_CHUNK) -> SweepResult:
    """Move tickets to red, then to yellow, in chunks; notify once per change of level."""
    now = now or timezone.now()
    result = SweepResult()
    dispatchers = command_centre_users()
    # Ordered by the partial indexes' own column: with the LIMIT of a chunk PostgreSQL then
    # walks the index (candidates only) rather than guessing that a table scan is cheaper.
    red = Ticket.objects.filter(RED_CANDIDATES, resolve_due__lt=now).order_by("resolve_due")
    yellow = Ticket.objects.filter(YELLOW_CANDIDATES, warn_at__lte=now, resolve_due__gte=now).order_by("warn_at")
    for level, candidates, seen in ((WarningLevel.RED, red, result.red), (WarningLevel.YELLOW, yellow, result.yellow)):
        while True:
            with transaction.atomic():
                ids = list(
                    candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:chunk]
                )
                if not ids:
                    break
                changes = {"warning_level": level, "warning_changed_at": now}
                if level == WarningLevel.RED:
                    changes["overdue"] = True
                Ticket.objects.filter(pk__in=ids).update(**changes)
                started = time.perf_counter()
                result.notified += _notify_level(ids, level, dispatchers)
                result.notify_seconds += time.perf_counter() - started
            seen.extend(ids)
            if len(ids) < chunk:
                break
    return result


def warning_reason(level: str, resolve_due: dt.datetime | None) -> str:
    """The notification key of a warning: once per level *for one deadline*.

    A new deadline (an approved extension, a return and re-assignment) puts the
    light back to none; when the ticket turns yellow or red again against that
    deadline, it is a new change of level and notifies again. The same level
    against the same deadline never notifies twice.
    """
    stamp = int(resolve_due.timestamp()) if resolve_due is not None else 0
    return f"ticket.warning.{level}.{stamp}"


def _notify_level(ids: list[int], level: str, dispatchers: list) -> int:
    tickets = list(Ticket.objects.filter(pk__in=ids).only("pk", "number", "responsible_agency_id", "resolve_due"))
    members = members_by_agency(t.responsible_agency_id for t in tickets)
    if level == WarningLevel.YELLOW:
        title = _("工单 %(number)s 即将到期（黄灯）")
    else:
        title = _("工单 %(number)s 已超期（红灯）")
    messages = []
    for ticket in tickets:
        due = timezone.localtime(ticket.resolve_due).strftime("%Y-%m-%d %H:%M") if ticket.resolve_due else ""
        messages.append(
            Message(
                recipients=[*members.get(ticket.responsible_agency_id, []), *dispatchers],
                subject=ticket,
                reason=warning_reason(level, ticket.resolve_due),
                title=title % {"number": ticket.number},
                body=_("办结期限：%(due)s。") % {"due": due},
                url=ticket_url(ticket),
            )
        )
    # One bulk send for the whole chunk, not one round of queries per ticket.
    return len(notify_each(messages))
