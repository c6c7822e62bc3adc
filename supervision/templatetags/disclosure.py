"""``{% disclosure_banner %}``: last year's disclosure report, when unpublished, on the staff home pages.

After 31 January (国办发〔2018〕118号: published by 31 January) the banner is red
on every staff home page; from 20 January it is yellow for those who prepare
and approve the report.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from supervision.disclosure.permissions import can_read_report
from supervision.disclosure.services import latest, overdue_year, report_due

register = template.Library()


@register.inclusion_tag("supervision/disclosure/_banner.html", takes_context=True)
def disclosure_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"year": None}
    today = timezone.localdate()
    year = overdue_year(today)
    if year is None:
        return {"year": None}
    due = report_due(year)
    late = today > due
    if not late and not can_read_report(user):
        return {"year": None}
    can_open = can_read_report(user)
    # Not built yet (the 2 January task failed, or nobody built it): the list, where it is built.
    built = can_open and latest(year) is not None
    return {"year": year, "due": due, "late": late, "can_open": can_open, "built": built}
