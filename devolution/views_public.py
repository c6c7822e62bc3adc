"""Public pages (no login): devolved powers per township with the departments' responsibility lists.

Published in line with the enforcement disclosure system (行政执法公示制度):
who exercises which devolved matter where, since when and under which batch,
and what the devolving department still supervises. No personal data.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from devolution import selectors
from devolution.models import BatchItem, DevolutionBatch, ItemState
from enforcement.models import TOWNSHIP_KINDS, Agency, AgencyKind


def _bureau():
    return Agency.objects.active().filter(kind=AgencyKind.BUREAU).only("name").first()


@require_GET
def devolved_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = selectors.devolved_counts(today)
    townships = [{"township": t, "count": counts.get(t.pk, 0)} for t in selectors.all_townships()]
    batches = list(DevolutionBatch.objects.public().order_by("-effective_date", "-number")[:50])
    return render(request, "public/devolution/index.html", {
        "bureau": _bureau(), "townships": townships, "batches": batches, "today": today,
    })


@require_GET
def devolved_township(request: HttpRequest, code: str) -> HttpResponse:
    township = Agency.objects.active().filter(kind__in=TOWNSHIP_KINDS, code=code).first()
    if township is None:
        raise Http404
    today = timezone.localdate()
    grants = selectors.devolved_grants(township, on=today)
    batches = selectors.batches_by_id(g.source_batch_id for g in grants)
    duties = selectors.responsibilities_by_matter(g.matter_id for g in grants)
    rows = [{"grant": g, "batch": batches.get(g.source_batch_id), "duties": duties.get(g.matter_id, [])}
            for g in grants]
    return render(request, "public/devolution/township.html", {
        "bureau": _bureau(), "township": township, "rows": rows, "today": today,
    })


@require_GET
def public_batch(request: HttpRequest, number: str) -> HttpResponse:
    batch = DevolutionBatch.objects.public().filter(number=number).first()
    if batch is None:
        raise Http404
    items = (
        BatchItem.objects.filter(batch=batch)
        .select_related("matter", "matter__origin_department", "hub_township")
        .prefetch_related("townships")
        .order_by("id")
    )
    return render(request, "public/devolution/batch.html", {
        "bureau": _bureau(), "batch": batch, "items": items, "ItemState": ItemState,
        "townships": batch.townships.order_by("sort_order", "code"),
    })
