"""Internal pages about who holds which power: the township power map, a township's powers,
county readiness, and the departments' responsibility lists (监管责任清单).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from devolution import charts, exports, permissions, selectors, services
from devolution.forms import PowerMapFilterForm, ResponsibilityForm
from devolution.models import DevolutionBatch, ResponsibilityList
from devolution.readiness import county_readiness
from enforcement.access import get_visible_or_404
from enforcement.charts import chart_response, pick
from enforcement.errors import DomainError
from enforcement.forms import apply_domain_error
from enforcement.models import Agency, AgencyKind, GrantMode, GrantSource, Matter, PowerGrant

MAP_PAGE_SIZE = 50
MAP_MAX_PAGE_SIZE = 2000
RESPONSIBILITY_PAGE_SIZE = 30

MODE_BADGES = {
    GrantMode.DEVOLVED: "text-bg-success",
    GrantMode.ENTRUSTED: "text-bg-info",
    GrantMode.STATIONED: "text-bg-warning",
    GrantMode.HUB_AND_SPOKE: "text-bg-primary",
    GrantMode.TRANSFERRED: "text-bg-secondary",
    GrantMode.RETAINED: "text-bg-light border",
}
MODE_SHORT = {
    GrantMode.DEVOLVED: _lazy("赋权"),
    GrantMode.ENTRUSTED: _lazy("委托"),
    GrantMode.STATIONED: _lazy("派驻"),
    GrantMode.HUB_AND_SPOKE: _lazy("1+X"),
    GrantMode.TRANSFERRED: _lazy("划转"),
    GrantMode.RETAINED: _lazy("保留"),
}


# --- powers ----------------------------------------------------------------------------------


def _cells_html(answers, cache: dict) -> str:
    """One row's cells as HTML.

    A map of 2,000 matters x 30 townships has 60,000 cells but only as many
    different answers as grants, so each answer's cell is built once (keyed by
    its grant) and rows are joined in Python rather than by the template
    engine, which keeps the whole map under a second.
    """
    out = []
    for answer in answers:
        if answer is None:
            out.append(_EMPTY_CELL)
            continue
        html = cache.get(answer.grant.pk)
        if html is None:
            faded = "" if answer.grant.township_id else " opacity-50"
            html = format_html(
                '<td class="text-center"><span class="badge {}{}" title="{}">{}</span></td>',
                MODE_BADGES.get(answer.mode, ""), faded, answer.via_text, MODE_SHORT.get(answer.mode, answer.mode),
            )
            cache[answer.grant.pk] = html
        out.append(html)
    # Every part is either a constant or escaped by format_html.
    return mark_safe("".join(out))


_EMPTY_CELL = '<td class="text-center"><span class="text-muted">—</span></td>'


@require_GET
@login_required
def power_map(request: HttpRequest) -> HttpResponse:
    form = PowerMapFilterForm(request.GET or None)
    values = form.values()
    matters = selectors.power_map_matters(
        domain_id=values["domain"].pk if values["domain"] else None, on=values["on"],
        devolved_only=values["devolved_only"], q=values["q"],
    )
    try:
        size = min(max(int(request.GET.get("page_size", MAP_PAGE_SIZE)), 1), MAP_MAX_PAGE_SIZE)
    except ValueError:
        size = MAP_PAGE_SIZE
    page = Paginator(matters, size).get_page(request.GET.get("page"))
    townships = list(selectors.all_townships())
    cache: dict = {}
    rows = [
        {"matter": row.matter, "cells": _cells_html(row.cells, cache)}
        for row in selectors.power_map_rows(page.object_list, townships, on=values["on"])
    ]
    legend = [{"short": MODE_SHORT[m], "badge": MODE_BADGES[m], "label": m.label} for m in GrantMode]
    return render(request, "devolution/power_map.html", {
        "form": form, "page_obj": page, "rows": rows, "townships": townships, "on": values["on"],
        "legend": legend, "visible_townships": set(selectors.townships_visible_to(request.user)
                                                   .values_list("pk", flat=True)),
    })


@require_GET
@login_required
def power_chart(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart of the matters townships hold (JSON or ``?format=xlsx``): a township sees its own."""
    return chart_response(request, pick(charts.BUILDERS, chart)(request.user))


@require_GET
@login_required
def power_map_export(request: HttpRequest) -> HttpResponse:
    form = PowerMapFilterForm(request.GET or None)
    values = form.values()
    matters = selectors.power_map_matters(
        domain_id=values["domain"].pk if values["domain"] else None, on=values["on"],
        devolved_only=values["devolved_only"], q=values["q"],
    )
    data = exports.power_map_workbook(matters, list(selectors.all_townships()), on=values["on"])
    return exports.xlsx_response(data, f"乡镇执法权力地图-{values['on'].isoformat()}.xlsx")


@require_GET
@login_required
def township_powers(request: HttpRequest, pk: int) -> HttpResponse:
    township = get_visible_or_404(selectors.townships_visible_to(request.user), request.user, pk=pk)
    form = PowerMapFilterForm(request.GET or None)
    day = form.values()["on"]
    grants = selectors.township_grants(township, on=day)
    history = selectors.township_grant_history(township)
    batches = selectors.batches_by_id([g.source_batch_id for g in grants] + [g.source_batch_id for g in history])
    visible_batches = set(
        DevolutionBatch.objects.visible_to(request.user).filter(pk__in=batches).values_list("pk", flat=True)
    )
    return render(request, "devolution/township_powers.html", {
        "township": township, "grants": grants, "history": history, "batches": batches,
        "visible_batches": visible_batches, "on": day, "form": form, "mode_short": MODE_SHORT,
        "mode_badges": MODE_BADGES,
    })


@require_GET
@login_required
def readiness(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_readiness(request.user):
        raise Http404
    report = county_readiness()
    return render(request, "devolution/readiness.html", {"report": report})


# --- responsibility lists --------------------------------------------------------------------


def _devolved_matters(day) -> object:
    township_grant = PowerGrant.objects.valid_on(day).filter(
        matter=OuterRef("pk"), township__isnull=False, source_kind=GrantSource.BATCH
    )
    return Matter.objects.filter(Exists(township_grant))


@require_GET
@login_required
def responsibility_list(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    matters = (
        _devolved_matters(day)
        .select_related("origin_department", "domain")
        .prefetch_related(Prefetch(
            "responsibility_lists",
            queryset=ResponsibilityList.objects.select_related("department", "updated_by").order_by(
                "department__sort_order", "department__code"),
        ))
        .order_by("code")
    )
    department_ids = permissions.department_ids(request.user)
    mine = request.GET.get("mine") == "1" and department_ids
    if mine:
        matters = matters.filter(origin_department_id__in=department_ids)
    page = Paginator(matters, RESPONSIBILITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "devolution/responsibility_list.html", {
        "page_obj": page, "matters": page.object_list, "mine": bool(mine), "has_departments": bool(department_ids),
        "can_edit_any": permissions.can_edit_responsibilities(request.user),
        "editable_departments": department_ids, "is_admin": permissions.is_administrator(request.user),
    })


@require_http_methods(["GET", "POST"])
@login_required
def responsibility_edit(request: HttpRequest, matter_pk: int) -> HttpResponse:
    user = request.user
    if not permissions.can_edit_responsibilities(user):
        raise PermissionDenied
    matter = get_visible_or_404(Matter.objects.select_related("origin_department"), user, pk=matter_pk)
    departments = Agency.objects.filter(kind=AgencyKind.DEPARTMENT).order_by("sort_order", "code")
    if not permissions.is_administrator(user):
        departments = departments.filter(pk__in=permissions.department_ids(user))
    chosen = request.POST.get("department") or request.GET.get("department") or matter.origin_department_id
    existing = ResponsibilityList.objects.filter(matter=matter, department_id=chosen).first() if str(
        chosen).isdigit() else None
    initial = {"department": chosen, "duties": existing.duties if existing else ""}
    form = ResponsibilityForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_save(by=user, matter=matter, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存“%(matter)s”的监管责任清单。") % {"matter": matter})
            return redirect("devolution:responsibilities")
    return render(request, "devolution/responsibility_form.html", {"form": form, "matter": matter})
