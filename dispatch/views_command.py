"""The command centre's wall screen, the county map and the charts of ticket statistics.

The screen (/command/screen/) shows county-wide figures: only county-wide
readers (the command centre, the bureau's leaders, the judicial bureau) get
it, like the board. The charts use the statistics page's scope
(``Ticket.objects.visible_to``): a township's leader sees their township's.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dispatch import charts, screen
from dispatch.filters import TicketFilter
from dispatch.forms import StatsForm
from dispatch.models import Ticket
from enforcement.access import scope_for
from enforcement.charts import chart_response, pick
from enforcement.maps import active_map


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """The statistics page's period (this month by default)."""
    today = timezone.localdate()
    start, end = today.replace(day=1), today
    form = StatsForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return start, end


@require_GET
@login_required
def stats_chart(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart of the statistics page as JSON (or ``?format=xlsx``), in the reader's scope."""
    builder = pick(charts.BUILDERS, chart)
    start, end = _period(request)
    return chart_response(request, builder(Ticket.objects.visible_to(request.user, listing=True), start, end))


@require_GET
@login_required
def ticket_map(request: HttpRequest) -> HttpResponse:
    """Open tickets of the list's filter with coordinates, clustered on a grid (the ticket list's map)."""
    filterset = TicketFilter(request.GET or None, queryset=Ticket.objects.visible_to(request.user, listing=True))
    tickets = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    response = JsonResponse(charts.clusters(tickets))
    response["Cache-Control"] = "private, no-store"
    return response


def _county_wide(request: HttpRequest) -> None:
    if not scope_for(request.user).county_wide:
        raise PermissionDenied


@require_GET
@login_required
def command_screen(request: HttpRequest) -> HttpResponse:
    """The wall screen: a page that draws itself from :func:`screen_data` (static/js/screen.js)."""
    _county_wide(request)
    return render(request, "dispatch/screen.html", {"interval": screen.SCREEN_INTERVAL})


@require_GET
@login_required
def screen_data(request: HttpRequest) -> HttpResponse:
    """The screen's figures: built once per interval for every screen (dispatch.screen)."""
    _county_wide(request)
    response = HttpResponse(screen.screen_json(), content_type="application/json")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def county_map(request: HttpRequest) -> HttpResponse:
    """The active county map (township boundaries, GeoJSON); 404 when none is uploaded.

    Township boundaries are public knowledge: the public report form lets a resident pick the
    place on the map (no login), and the screen and the ticket list draw the same map.
    """
    data = active_map()
    if data is None:
        return JsonResponse({"type": "FeatureCollection", "features": []}, status=404)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "private, max-age=300"
    return response
