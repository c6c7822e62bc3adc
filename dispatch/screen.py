"""The command centre's wall screen (/command/screen/): its figures, built once per interval for every screen.

Every screen polls :func:`screen_json` every ``SCREEN_INTERVAL`` seconds. The
JSON is built at most once per interval (and language) for all of them and
kept in the shared cache (Redis); while Redis is down the cache answers from
this process's memory (bureau.cache.FallbackRedisCache), so each process then
builds once per interval instead. The counts of open tickets are the board's
(dispatch.selectors.board_counts, read from the summary that every change
keeps: dispatch.summary), so they cost the same at 10,000 or 1,000,000
tickets; the rest are bounded reads: today's intake (a range scan on
``received_at``: what came in today, not what is open), the longest overdue
red tickets (``ticket_red_due_idx``, 15 entries), this month's and last
month's cases, and the month rates (two months of tickets, from the cache
every ``RATES_SECONDS``).
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.cache import cache
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dispatch import selectors
from dispatch.models import Channel, Ticket
from dispatch.stats import GOOD_SATISFACTION
from enforcement.cases.models import Case
from enforcement.charts import rate

SCREEN_INTERVAL = 20  # seconds between two polls of a screen, and between two builds
# This month's and last month's rates scan two months of tickets (~100,000 rows at 1,000,000 tickets):
# they move slowly, so they are recomputed every few minutes, not at every build.
RATES_SECONDS = 300
RATES_KEY = "dispatch:screen:rates:{day}:{bucket}"
LATE_ROWS = 15
LOCK_SECONDS = 30
WAIT_SECONDS = 3.0
LAST_KEY = "dispatch:screen:last:{lang}"
KEY = "dispatch:screen:{lang}:{bucket}"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _intake_today(now: dt.datetime) -> dict:
    today = timezone.localtime(now).date()
    rows = (
        Ticket.objects.filter(received_at__gte=_aware(today), received_at__lt=_aware(today + dt.timedelta(days=1)))
        .order_by()
        .annotate(hour=ExtractHour("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("hour", "channel")
        .annotate(n=Count("id"))
    )
    counts: dict[str, list[int]] = {}
    for hour, channel, n in rows:
        counts.setdefault(channel, [0] * 24)[hour] += n
    labels = dict(Channel.choices)
    series = [{"name": str(labels[c]), "data": counts[c]} for c in Channel.values if c in counts]
    return {"hours": [f"{h:02d}" for h in range(24)], "series": series, "total": sum(sum(s["data"]) for s in series)}


def _month_rates(today: dt.date) -> dict:
    """On-time and satisfaction rates of the tickets received this month and last month (one query)."""
    this_month = _month_start(today)
    last_month = _month_start(this_month - dt.timedelta(days=1))
    this_q = Q(received_at__gte=_aware(this_month))
    last_q = Q(received_at__lt=_aware(this_month))
    resolved = Q(resolved_at__isnull=False)
    on_time = resolved & Q(resolved_at__lte=F("resolve_due"))
    followed = ~Q(satisfaction="")
    good = Q(satisfaction__in=GOOD_SATISFACTION)
    figures = Ticket.objects.filter(
        received_at__gte=_aware(last_month), received_at__lt=_aware(today + dt.timedelta(days=1))
    ).aggregate(
        resolved=Count("id", filter=this_q & resolved),
        on_time=Count("id", filter=this_q & on_time),
        followed=Count("id", filter=this_q & followed),
        good=Count("id", filter=this_q & good),
        last_resolved=Count("id", filter=last_q & resolved),
        last_on_time=Count("id", filter=last_q & on_time),
        last_followed=Count("id", filter=last_q & followed),
        last_good=Count("id", filter=last_q & good),
    )
    return {
        "on_time": rate(figures["on_time"], figures["resolved"]),
        "on_time_last": rate(figures["last_on_time"], figures["last_resolved"]),
        "satisfaction": rate(figures["good"], figures["followed"]),
        "satisfaction_last": rate(figures["last_good"], figures["last_followed"]),
    }


def _cases(today: dt.date) -> dict:
    """Cases filed and decided this month and last month, county-wide (one query)."""
    this_month = _month_start(today)
    last_month = _month_start(this_month - dt.timedelta(days=1))
    return Case.objects.aggregate(
        filed=Count("id", filter=Q(filed_on__gte=this_month, filed_on__lte=today)),
        decided=Count("id", filter=Q(decided_on__gte=this_month, decided_on__lte=today)),
        filed_last=Count("id", filter=Q(filed_on__gte=last_month, filed_on__lt=this_month)),
        decided_last=Count("id", filter=Q(decided_on__gte=last_month, decided_on__lt=this_month)),
    )


def _late(now: dt.datetime) -> list[dict]:
    rows = []
    for ticket in selectors.board_late()[:LATE_ROWS]:
        overdue_hours = (now - ticket.resolve_due).total_seconds() / 3600 if ticket.resolve_due else 0
        rows.append(
            {
                "number": ticket.number,
                "township": ticket.township.name if ticket.township_id else "",
                "agency": ticket.responsible_agency.name if ticket.responsible_agency_id else "",
                "category": ticket.category.name if ticket.category_id else "",
                "overdue": _("超期 %(d)s 天") % {"d": int(overdue_hours // 24)}
                if overdue_hours >= 24
                else _("超期 %(h)s 小时") % {"h": max(int(overdue_hours), 0)},
            }
        )
    return rows


def month_rates(today: dt.date) -> dict:
    """The month rates, from the shared cache for ``RATES_SECONDS`` (built by the screen's builder)."""
    key = RATES_KEY.format(day=today.isoformat(), bucket=int(time.time() // RATES_SECONDS))
    rates = cache.get(key)
    if rates is None:
        rates = _month_rates(today)
        cache.set(key, rates, RATES_SECONDS * 2)
    return rates


def build_screen() -> dict:
    """Every figure of the screen, county-wide (six queries, seven when the month rates are due)."""
    now = timezone.now()
    today = timezone.localtime(now).date()
    totals, by_township = selectors.board_counts()
    return {
        "built_at": now.isoformat(),
        "interval": SCREEN_INTERVAL,
        "intake": _intake_today(now),
        "lights": {
            "handling": totals["handling"],
            "yellow": totals["yellow"],
            "red": totals["red"],
            "normal": totals["handling"] - totals["yellow"] - totals["red"],
            "waiting": totals["new"] + totals["unassigned"],
            "verdict": totals["awaiting_verdict"],
            "open": totals["open"],
        },
        "townships": [
            {"name": r["township"].name, "open": r["open"], "yellow": r["yellow"], "red": r["red"]}
            for r in by_township
            if r["township"] is not None
        ],
        "late": _late(now),
        "rates": month_rates(today),
        "cases": _cases(today),
    }


def screen_json() -> str:
    """The screen's JSON of the current interval: from the shared cache, built by one request per interval."""
    lang = get_language() or ""
    bucket = int(time.time() // SCREEN_INTERVAL)
    key = KEY.format(lang=lang, bucket=bucket)
    data = cache.get(key)
    if data is not None:
        return data
    # One request builds; the others (other screens, other processes) wait briefly for its result.
    if not cache.add(f"{key}:lock", 1, LOCK_SECONDS):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.1)
            data = cache.get(key)
            if data is not None:
                return data
        # The builder is slow or gone: the last figures rather than a second build.
        data = cache.get(LAST_KEY.format(lang=lang))
        if data is not None:
            return data
    data = json.dumps(build_screen(), ensure_ascii=False, separators=(",", ":"))
    cache.set(key, data, SCREEN_INTERVAL * 3)
    cache.set(LAST_KEY.format(lang=lang), data, 3600)
    return data
