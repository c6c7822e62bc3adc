"""Ticket statistics per agency and per township for a period: aggregate queries only.

A ticket counts in the period in which it was received. For each agency (the
responsible agency now) and each township (the ticket's territory):

* received - tickets received in the period;
* accepted on time - signed for before the accept deadline;
* resolved / resolved on time - reported resolved (and before the resolve deadline);
* resolution rate - resolved / received;
* overdue - tickets that went past their resolve deadline (the flag stays after closing);
* returns - returns (退单) the agency made in the period, from the event log;
* average verdict score - of the tickets the township accepted;
* satisfaction - share of followed-up reporters "satisfied" or better.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from enforcement.models import Agency, Event

from .models import Satisfaction, Ticket, TicketStatus

GOOD_SATISFACTION = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
RESOLVED_STATES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


@dataclass
class Row:
    agency: Agency
    received: int = 0
    accepted_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    overdue: int = 0
    closed: int = 0
    returns: int = 0
    avg_score: float | None = None
    followed_up: int = 0
    satisfied: int = 0

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.followed_up if self.followed_up else None


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in Beijing time."""
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    finish = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return begin, finish


AGGREGATES = {
    "received": Count("id"),
    "accepted_on_time": Count("id", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))),
    "resolved": Count("id", filter=Q(resolved_at__isnull=False)),
    "resolved_on_time": Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))),
    "overdue": Count("id", filter=Q(overdue=True)),
    "closed": Count("id", filter=Q(status=TicketStatus.CLOSED)),
    "avg_score": Avg("verdict_score"),
    "followed_up": Count("id", filter=~Q(satisfaction="")),
    "satisfied": Count("id", filter=Q(satisfaction__in=GOOD_SATISFACTION)),
}


def _rows(tickets, group_field: str, start: dt.date, end: dt.date) -> list[dict]:
    begin, finish = period_bounds(start, end)
    return list(
        tickets.filter(received_at__gte=begin, received_at__lt=finish, **{f"{group_field}__isnull": False})
        .order_by()
        .values(group_field)
        .annotate(**AGGREGATES)
    )


def _build(rows: list[dict], group_field: str, returns: dict[int, int] | None = None) -> list[Row]:
    ids = {r[group_field] for r in rows} | set(returns or {})
    agencies = Agency.objects.in_bulk(list(ids))
    out = {r[group_field]: Row(agency=agencies[r[group_field]], **{k: r[k] for k in AGGREGATES}) for r in rows}
    for agency_id, n in (returns or {}).items():
        row = out.get(agency_id) or out.setdefault(agency_id, Row(agency=agencies[agency_id]))
        row.returns = n
    return sorted(out.values(), key=lambda r: (r.agency.sort_order, r.agency.code))


def by_agency(tickets, start: dt.date, end: dt.date) -> list[Row]:
    """Per responsible agency (three queries whatever the number of tickets)."""
    begin, finish = period_bounds(start, end)
    returns = dict(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Ticket), action="return_to_dispatch",
            at__gte=begin, at__lt=finish, actor_agency__isnull=False,
            object_id__in=tickets.values("pk"),
        ).order_by().values("actor_agency").annotate(n=Count("id")).values_list("actor_agency", "n")
    )
    return _build(_rows(tickets, "responsible_agency", start, end), "responsible_agency", returns)


def by_township(tickets, start: dt.date, end: dt.date) -> list[Row]:
    """Per township (territory of the ticket)."""
    return _build(_rows(tickets, "township", start, end), "township")


def overall(tickets, start: dt.date, end: dt.date, label: str) -> Row:
    """The same figures for all tickets of the period (one query; returns are counted per agency only)."""
    begin, finish = period_bounds(start, end)
    figures = tickets.filter(received_at__gte=begin, received_at__lt=finish).order_by().aggregate(**AGGREGATES)
    return Row(agency=Agency(name=label), **figures)
