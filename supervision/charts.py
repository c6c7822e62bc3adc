"""Charts of a review plan's results (案卷评查): grades, each agency's average, the items most points were
lost on. From the results page's selectors, for the readers the page lets in (``_results_plan``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from enforcement.charts import Chart, Series
from supervision import selectors
from supervision.choices import Grade
from supervision.models import ReviewPlan

TOP_ITEMS = 10


def grades(plan: ReviewPlan) -> Chart:
    totals = selectors.grade_totals(plan)
    return Chart(
        _("等次分布"), "pie", [str(Grade(g).label) for g in totals], [Series(_("案卷数"), list(totals.values()))]
    )


def agencies(plan: ReviewPlan) -> Chart:
    rows = selectors.results_by_agency(plan)
    return Chart(
        _("各单位平均分"), "hbar", [a.agency.name for a in rows], [Series(_("平均分"), [a.average for a in rows])]
    )


def items(plan: ReviewPlan) -> Chart:
    rows = [r for r in selectors.results_by_item(plan) if not r.get("veto")][:TOP_ITEMS]
    return Chart(
        _("常见扣分项"),
        "hbar",
        [f"{r['code']} {r['text'][:20]}" for r in rows],
        [Series(_("扣分案卷数"), [r["files"] for r in rows])],
    )


BUILDERS = {"grades": grades, "agencies": agencies, "items": items}
