"""Charts of devolution: the matters each township holds by mode (划转、赋权、委托、派驻、“1+X”), today and
month by month. Scoped like the townships' power pages (``townships_visible_to``): a township sees its own;
one or two aggregate queries whatever the number of grants."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devolution.selectors import townships_visible_to
from enforcement.charts import Chart, Series, months
from enforcement.models import GrantMode, PowerGrant


def _grants(user):
    return PowerGrant.objects.non_empty().filter(township__in=townships_visible_to(user)).order_by()


def modes_by_township(user) -> Chart:
    """Matters held today per township, one series per mode."""
    today = timezone.localdate()
    rows = (
        _grants(user)
        .valid_on(today)
        .values_list("township__name", "township__sort_order", "township__code", "mode")
        .annotate(n=Count("matter", distinct=True))
        .order_by("township__sort_order", "township__code")
    )
    names: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for name, _sort, _code, mode, n in rows:
        if name not in names:
            names.append(name)
        counts.setdefault(mode, {})[name] = n
    series = [
        Series(label, [counts[mode].get(n, 0) for n in names]) for mode, label in GrantMode.choices if mode in counts
    ]
    return Chart(_("各乡镇（街道）承接事项（按行使方式）"), "stack", names, series)


def modes_over_time(user) -> Chart:
    """Matter-township pairs held at each month's end over the last twelve months, one series per mode."""
    today = timezone.localdate()
    ends = [min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), today) for first in months()]

    def held_on(day: dt.date) -> Q:
        return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    rows = (
        _grants(user)
        .values_list("mode")
        .annotate(**{f"m{i}": Count("id", filter=held_on(day)) for i, day in enumerate(ends)})
    )
    by_mode = {row[0]: list(row[1:]) for row in rows}
    series = [
        Series(label, by_mode[mode]) for mode, label in GrantMode.choices if mode in by_mode and any(by_mode[mode])
    ]
    return Chart(_("各月末乡镇承接事项（按行使方式）"), "line", [d.strftime("%Y-%m") for d in ends], series)


BUILDERS = {
    "modes": modes_by_township,
    "history": modes_over_time,
}
