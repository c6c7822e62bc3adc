"""Charts of case statistics (the townships' case page): filed and decided by month, penalty kinds, fines,
deadlines missed. Each builder takes the cases the reader may see (``Case.objects.visible_to``) and runs one
or two aggregate queries whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from enforcement.cases.choices import Outcome, WarningLevel
from enforcement.catalogue.models import PenaltyKind
from enforcement.charts import Chart, Series, fill, months


def _by_month(cases, field: str, since: dt.date, value=None) -> dict[dt.date, int]:
    rows = (
        cases.filter(**{f"{field}__gte": since})
        .order_by()
        .annotate(month=TruncMonth(field))
        .values_list("month")
        .annotate(n=value if value is not None else Count("id"))
    )
    return {(m.date() if isinstance(m, dt.datetime) else m): n for m, n in rows}


def filed_and_decided(cases) -> Chart:
    firsts = months()
    labels = [m.strftime("%Y-%m") for m in firsts]
    filed = _by_month(cases, "filed_on", firsts[0])
    decided = _by_month(cases, "decided_on", firsts[0])
    return Chart(
        _("每月立案与作出决定"),
        "bar",
        labels,
        [Series(_("立案"), fill(firsts, filed)), Series(_("作出决定"), fill(firsts, decided))],
    )


def penalty_kinds(cases) -> Chart:
    """Penalty kinds of the decisions of the last twelve months (a decision may impose several)."""
    counts: Counter[str] = Counter()
    for kinds in (
        cases.filter(decided_on__gte=months()[0], outcome=Outcome.PENALTY)
        .order_by()
        .values_list("penalty_kinds", flat=True)
    ):
        counts.update(kinds or [])
    shown = [(label, counts[value]) for value, label in PenaltyKind.choices if counts[value]]
    return Chart(
        _("处罚种类"), "pie", [str(label) for label, _n in shown], [Series(_("决定数"), [n for _label, n in shown])]
    )


def fines(cases) -> Chart:
    firsts = months()
    sums = _by_month(cases, "decided_on", firsts[0], Sum("fine_amount", default=0))
    return Chart(
        _("每月罚款金额（元）"),
        "line",
        [m.strftime("%Y-%m") for m in firsts],
        [Series(_("罚款金额"), fill(firsts, sums))],
    )


def deadlines_missed(cases) -> Chart:
    """Cases past (red) or near (yellow) a legal time limit now, per handling agency."""
    rows = list(
        cases.filter(warning_level__in=[WarningLevel.RED, WarningLevel.YELLOW])
        .order_by()
        .values_list("agency__name", "agency__sort_order", "agency__code")
        .annotate(
            red=Count("id", filter=Q(warning_level=WarningLevel.RED)),
            yellow=Count("id", filter=Q(warning_level=WarningLevel.YELLOW)),
        )
        .order_by("agency__sort_order", "agency__code")
    )
    return Chart(
        _("超期与临期案件"),
        "stack",
        [r[0] for r in rows],
        [Series(_("超期（红灯）"), [r[3] for r in rows]), Series(_("临期（黄灯）"), [r[4] for r in rows])],
    )


BUILDERS = {
    "monthly": filed_and_decided,
    "penalties": penalty_kinds,
    "fines": fines,
    "deadlines": deadlines_missed,
}
