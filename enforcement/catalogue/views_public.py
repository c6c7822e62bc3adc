"""The public catalogue under /public/catalogue/ (no login): 事前公开.

The administrative-enforcement disclosure system (行政执法公示制度) makes the
matters, their legal basis, discretion standards and who exercises each power
public before enforcement. These pages show exactly that and nothing
internal: no remarks, no change history, no user of any kind
(``MATTER_INTERNAL_FIELDS``); the templates are separate from the staff ones
so that an internal field added there never leaks here.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from enforcement.catalogue.forms import MatterSearchForm
from enforcement.catalogue.models import DiscretionTier, Matter
from enforcement.catalogue.powers import holder_of, power_map
from enforcement.catalogue.selectors import matter_list as matter_rows
from enforcement.catalogue.selectors import matter_search
from enforcement.models.agencies import Agency, AgencyKind

PAGE_SIZE = 50


def _bureau():
    return Agency.objects.active().filter(kind=AgencyKind.BUREAU).only("name").first()


@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    form = MatterSearchForm.for_request(request.GET or None)
    q, filters = form.search_args()
    matters = matter_search(Matter.objects.public(), q=q, filters=filters)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/catalogue/list.html",
        {
            "bureau": _bureau(),
            "form": form,
            "page_obj": page,
            "matters": page.object_list,
            "filtered": form.is_filtered(),
        },
    )


@require_GET
def matter_page(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    try:
        matter = matter_rows(Matter.objects.public()).get(code=code)
    except Matter.DoesNotExist:
        raise Http404(_("未找到该事项")) from None
    towns = list(Agency.objects.townships().active().only("pk", "code", "name", "sort_order", "kind"))
    answers = power_map([matter], towns, on=today)
    return render(
        request,
        "public/catalogue/detail.html",
        {
            "bureau": _bureau(),
            "matter": matter,
            "tiers": list(DiscretionTier.objects.filter(matter=matter).order_by("order")),
            "today": today,
            "county_holder": holder_of(matter, None, on=today),
            "township_rows": [{"township": t, "answer": answers.get((matter.pk, t.pk))} for t in towns],
        },
    )
