"""Ticket statistics per agency and per township for a period: one aggregate query, rolled up.

A ticket counts in the period in which it was received. For each agency (the
responsible agency now) and each township (the ticket's territory):

* received - tickets received in the period;
* accepted on time - signed for before the accept deadline;
* resolved / resolved on time - reported resolved (and before the resolve deadline);
* resolution rate - resolved / received;
* overdue - tickets that went past their resolve deadline (the flag stays after closing);
* returns - returns (退单) made in the period, from the event log: by the agency that returned the
  ticket, and by the ticket's township;
* average verdict score - of the tickets the township accepted;
* satisfaction - share of followed-up reporters "satisfied" or better.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from dispatch.models import Satisfaction, Ticket, TicketStatus
from enforcement.models import Agency, Event

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


# Summed per (responsible agency, township) group and rolled up in Python: the average score
# is kept as its sum and count so that it rolls up exactly.
AGGREGATES = {
    "received": Count("id"),
    "accepted_on_time": Count("id", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))),
    "resolved": Count("id", filter=Q(resolved_at__isnull=False)),
    "resolved_on_time": Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))),
    "overdue": Count("id", filter=Q(overdue=True)),
    "closed": Count("id", filter=Q(status=TicketStatus.CLOSED)),
    "score_sum": Sum("verdict_score", default=0),
    "scored": Count("verdict_score"),
    "followed_up": Count("id", filter=~Q(satisfaction="")),
    "satisfied": Count("id", filter=Q(satisfaction__in=GOOD_SATISFACTION)),
}
ROW_FIELDS = tuple(k for k in AGGREGATES if k not in ("score_sum", "scored"))


@dataclass
class Summary:
    agency_rows: list[Row]
    township_rows: list[Row]
    total: Row


def _groups(tickets, start: dt.date, end: dt.date) -> list[dict]:
    """The period's figures by (responsible agency, township): one aggregate query."""
    begin, finish = period_bounds(start, end)
    return list(
        tickets.filter(received_at__gte=begin, received_at__lt=finish)
        .order_by()
        .values("responsible_agency", "township")
        .annotate(**AGGREGATES)
    )


def _returns(tickets, start: dt.date, end: dt.date) -> list[tuple[int | None, int | None, int]]:
    """Returns (退单) made in the period, from the event log: (returning agency, ticket's township, count).

    One query; the ticket's township comes from a correlated subquery on the
    ticket's primary key.
    """
    begin, finish = period_bounds(start, end)
    township = Ticket.objects.filter(pk=OuterRef("object_id")).values("township_id")[:1]
    return list(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Ticket), action="return_to_dispatch",
            at__gte=begin, at__lt=finish, object_id__in=tickets.values("pk"),
        ).order_by().annotate(township=Subquery(township)).values("actor_agency", "township")
        .annotate(n=Count("id")).values_list("actor_agency", "township", "n")
    )


def _count_returns(returns, index: int | None) -> dict[int | None, int]:
    """Returns summed by the agency (0), the township (1) or all together (None)."""
    out: dict[int | None, int] = {}
    for row in returns:
        key = row[index] if index is not None else None
        if index is not None and key is None:
            continue
        out[key] = out.get(key, 0) + row[2]
    return out


def _roll_up(groups: list[dict], key: str | None) -> dict[int | None, dict[str, int]]:
    """Sum the groups by ``key`` (None: all together); groups without a ``key`` are left out."""
    out: dict[int | None, dict[str, int]] = {}
    for group in groups:
        value = group[key] if key else None
        if key and value is None:
            continue
        sums = out.setdefault(value, dict.fromkeys(AGGREGATES, 0))
        for name in AGGREGATES:
            sums[name] += group[name]
    return out


def _row(agency: Agency, sums: dict[str, int], returns: int = 0) -> Row:
    avg = sums["score_sum"] / sums["scored"] if sums["scored"] else None
    return Row(agency=agency, avg_score=avg, returns=returns, **{k: sums[k] for k in ROW_FIELDS})


def summary(tickets, start: dt.date, end: dt.date, total_label: str) -> Summary:
    """Per responsible agency, per township (territory of the ticket) and in all, for the period.

    Three queries whatever the number of tickets: one aggregate by (agency,
    township) rolled up three ways (it reads the period's tickets once, not
    once per table), the returns from the event log (by the agency that
    returned the ticket, and by the ticket's township), and the agencies' names.
    """
    groups = _groups(tickets, start, end)
    returns = _returns(tickets, start, end)
    returns_by_agency = _count_returns(returns, 0)
    returns_by_township = _count_returns(returns, 1)
    by_agency = _roll_up(groups, "responsible_agency")
    by_township = _roll_up(groups, "township")
    agencies = Agency.objects.in_bulk(
        list(set(by_agency) | set(returns_by_agency) | set(by_township) | set(returns_by_township))
    )
    empty = dict.fromkeys(AGGREGATES, 0)

    def ordered(rows: list[Row]) -> list[Row]:
        return sorted(rows, key=lambda r: (r.agency.sort_order, r.agency.code))

    agency_rows = [_row(agencies[pk], by_agency.get(pk, empty), returns_by_agency.get(pk, 0))
                   for pk in set(by_agency) | set(returns_by_agency)]
    township_rows = [_row(agencies[pk], by_township.get(pk, empty), returns_by_township.get(pk, 0))
                     for pk in set(by_township) | set(returns_by_township)]
    total = _row(Agency(name=total_label), _roll_up(groups, None).get(None, empty),
                 _count_returns(returns, None).get(None, 0))
    return Summary(ordered(agency_rows), ordered(township_rows), total)
