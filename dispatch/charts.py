"""Charts of ticket statistics: the figures of the statistics page, as pictures (enforcement.charts).

Every builder takes the tickets the reader may see (``Ticket.objects.visible_to``,
the same scope as the statistics page) and the period, and runs one
aggregate query (two where names are needed), whatever the number of tickets.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import Floor, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import OPEN_STATES, Channel, Satisfaction, Verdict
from dispatch.stats import period_bounds
from enforcement.charts import Chart, Series, fill, rate

# A period longer than this is drawn by month instead of by day.
MAX_DAYS = 92
TOP_CATEGORIES = 10


def _in_period(tickets, start: dt.date, end: dt.date):
    begin, finish = period_bounds(start, end)
    return tickets.filter(received_at__gte=begin, received_at__lt=finish).order_by()


def intake_by_channel(tickets, start: dt.date, end: dt.date) -> Chart:
    """Tickets received per day (per month over long periods), one series per channel."""
    by_month = (end - start).days >= MAX_DAYS
    rows = (
        _in_period(tickets, start, end)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "channel")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for day, channel, n in rows:
        key = day.strftime("%Y-%m") if by_month else day.isoformat()
        per_channel = counts.setdefault(channel, {})
        per_channel[key] = per_channel.get(key, 0) + n
    categories: list[str] = []
    day = start
    while day <= end:
        key = day.strftime("%Y-%m") if by_month else day.isoformat()
        if not categories or categories[-1] != key:
            categories.append(key)
        day += dt.timedelta(days=1)
    series = [Series(label, fill(categories, counts[value])) for value, label in Channel.choices if value in counts]
    return Chart(_("各渠道受理量"), "stack", categories, series)


def on_time_by_agency(tickets, start: dt.date, end: dt.date) -> Chart:
    """Resolved on time / resolved, per responsible agency (the statistics page's 按时办结)."""
    rows = (
        _in_period(tickets, start, end)
        .filter(responsible_agency__isnull=False)
        .values_list("responsible_agency__name", "responsible_agency__sort_order", "responsible_agency__code")
        .annotate(
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            on_time=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))),
        )
        .order_by("responsible_agency__sort_order", "responsible_agency__code")
    )
    rows = [r for r in rows if r[3]]
    return Chart(
        _("各单位按时办结率"),
        "hbar",
        [r[0] for r in rows],
        [Series(_("按时办结率"), [rate(r[4], r[3]) for r in rows])],
        unit="%",
    )


def top_categories(tickets, start: dt.date, end: dt.date) -> Chart:
    """The most reported problem categories of the period."""
    rows = list(
        _in_period(tickets, start, end)
        .filter(category__isnull=False)
        .values_list("category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")[:TOP_CATEGORIES]
    )
    return Chart(_("高发问题类别"), "hbar", [r[0] for r in rows], [Series(_("工单数"), [r[1] for r in rows])])


def verdicts_and_satisfaction(tickets, start: dt.date, end: dt.date) -> Chart:
    """The townships' verdicts and the reporters' satisfaction of the period's tickets (one query)."""
    counts = _in_period(tickets, start, end).aggregate(
        **{f"v_{v}": Count("id", filter=Q(verdict=v)) for v in Verdict.values},
        **{f"s_{s}": Count("id", filter=Q(satisfaction=s)) for s in Satisfaction.values},
    )
    categories = [*(str(label) for label in Verdict.labels), *(str(label) for label in Satisfaction.labels)]
    data = [*(counts[f"v_{v}"] for v in Verdict.values), *(counts[f"s_{s}"] for s in Satisfaction.values)]
    return Chart(_("评价结论与满意度"), "bar", categories, [Series(_("工单数"), data)])


BUILDERS = {
    "intake": intake_by_channel,
    "on-time": on_time_by_agency,
    "categories": top_categories,
    "satisfaction": verdicts_and_satisfaction,
}


# --- the ticket map: open reports with coordinates, clustered on a grid ------------------------------

# About 1 km (latitude) per cell; at most MAX_CLUSTERS cells are returned, the fullest first.
CLUSTER_DEGREES = 0.01
MAX_CLUSTERS = 2000


def clusters(tickets) -> dict:
    """Open tickets with coordinates grouped in grid cells: one aggregate query, bounded output.

    Each cluster is ``[lng, lat, n]`` at the mean position of its tickets, so a
    lone ticket sits where it was reported.
    """
    rows = list(
        tickets.filter(status__in=OPEN_STATES, lat__isnull=False, lng__isnull=False)
        .order_by()
        .annotate(gx=Floor(F("lng") / CLUSTER_DEGREES), gy=Floor(F("lat") / CLUSTER_DEGREES))
        .values("gx", "gy")
        .annotate(n=Count("id"), lng=Avg("lng"), lat=Avg("lat"))
        .order_by("-n", "gx", "gy")[:MAX_CLUSTERS]
    )
    return {
        "cell": CLUSTER_DEGREES,
        "total": sum(r["n"] for r in rows),
        "clusters": [[round(r["lng"], 5), round(r["lat"], 5), r["n"]] for r in rows],
    }
