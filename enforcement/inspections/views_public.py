"""Public pages of spot-check results (双随机抽查结果公示), mounted under /public/inspections/: no login.

Only published plans are shown; individuals' names and ID numbers are always masked.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enforcement.inspections import selectors


@require_GET
def result_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.published_plans(), 30).get_page(request.GET.get("page"))
    return render(request, "public/inspections/list.html", {"page_obj": page, "plans": page.object_list})


@require_GET
def result_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.published_plans().filter(pk=pk).first()
    if plan is None:
        raise Http404
    return render(
        request,
        "public/inspections/detail.html",
        {
            "plan": plan,
            "rows": selectors.public_results(plan),
            "agencies": list(plan.agencies.all()),
            "matters": list(plan.matters.all()),
        },
    )
