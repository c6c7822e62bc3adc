"""Public pages of published decisions (行政处罚决定公开, art. 48): no login, the party always masked.

They render only the frozen, masked content of a :class:`~enforcement.models.Publication`
(never the case row itself), and a withdrawn publication answers 404.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enforcement.cases.models import Publication
from enforcement.cases.selectors import public_decisions

PAGE_SIZE = 30


@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    page = Paginator(public_decisions(q=q, year=year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/cases/list.html", {"page_obj": page, "q": q, "year": year or ""})


@require_GET
def decision_page(request: HttpRequest, pk: int) -> HttpResponse:
    publication = Publication.objects.filter(pk=pk, withdrawn_at__isnull=True).only("pk", "published_at",
                                                                                    "content").first()
    if publication is None:
        raise Http404
    return render(request, "public/cases/detail.html", {"publication": publication, "c": publication.content})
