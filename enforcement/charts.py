"""Charts: the one JSON shape every chart endpoint answers, and its spreadsheet export.

A chart endpoint (dispatch, cases, devolution, supervision) builds a
:class:`Chart` from the same scoped selectors as its page and returns
:func:`chart_response`: JSON for static/js/charts.js (which draws it with
ECharts, shows it as a table and exports it as CSV), or with ``?format=xlsx``
the same figures as a spreadsheet. The shape::

    {"title": "...", "kind": "bar" | "line" | "pie" | "stack", "unit": "" | "%",
     "categories": ["2026-12-01", ...],          # the x axis (or the pie's slices)
     "series": [{"name": "12345热线", "data": [3, 0, ...]}, ...]}

One value per category in every series; ``None`` where there is nothing to
show (an on-time rate of an agency without resolved tickets).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("bar", "line", "pie", "stack", "hbar")
MONTHS = 12


@dataclass
class Series:
    name: str
    data: list[float | int | None]


@dataclass
class Chart:
    title: str
    kind: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = ""

    def as_dict(self) -> dict:
        return {
            "title": str(self.title),
            "kind": self.kind,
            "unit": self.unit,
            "categories": [str(c) for c in self.categories],
            "series": [{"name": str(s.name), "data": [_plain(v) for v in s.data]} for s in self.series],
        }


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None without a base."""
    return round(100.0 * part / whole, 1) if whole else None


def workbook(chart: Chart) -> bytes:
    """The chart's figures as one sheet: a row per category, a column per series."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", str(chart.title))[:31] or "chart")
    ws.append(["", *[str(s.name) for s in chart.series]])
    for i, category in enumerate(chart.categories):
        ws.append([str(category), *[_plain(s.data[i]) for s in chart.series]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def chart_response(request: HttpRequest, chart: Chart) -> HttpResponse:
    """JSON, or the spreadsheet with ``?format=xlsx``; never cached by the browser (scoped figures)."""
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(workbook(chart), content_type=XLSX)
        filename = f"{chart.title}.xlsx"
        response["Content-Disposition"] = f"attachment; filename=\"chart.xlsx\"; filename*=UTF-8''{quote(filename)}"
    else:
        response = JsonResponse(chart.as_dict(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


def pick(builders: dict[str, Callable[..., Chart]], name: str) -> Callable[..., Chart]:
    """The builder of chart ``name``: an unknown name is 404."""
    try:
        return builders[name]
    except KeyError:
        raise Http404(name) from None


def fill(categories: Iterable, rows: dict, default=0) -> list:
    """``rows[c]`` for each category, ``default`` where a category has no row."""
    return [rows.get(c, default) for c in categories]


def months(today: dt.date | None = None, n: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    out = [first]
    for _i in range(n - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]
