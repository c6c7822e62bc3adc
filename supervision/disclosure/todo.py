"""Last year's disclosure report on the to-do lists of the judicial bureau and the bureau, from 20 January.

Read from live state: the item leaves every list the moment the report is published.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement import todo
from enforcement.models import Role
from supervision.disclosure import services
from supervision.disclosure.permissions import can_read_report


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


@todo.provider(
    "supervision.disclosure", roles={Role.JUDICIAL_REVIEWER, Role.LEGAL_REVIEWER, Role.DISPATCHER, Role.ADMINISTRATOR}
)
def disclosure_due(user, scope):
    today = timezone.localdate()
    year = services.overdue_year(today)
    if year is None or not can_read_report(user):
        return []
    report = services.latest(year)
    due = _end_of(services.report_due(year))
    return [
        todo.TodoItem(
            kind="supervision.disclosure",
            category=_("年度报告待公开"),
            title=str(report) if report else _("%(year)s年度行政执法数据公开报告（尚未生成）") % {"year": year},
            url=reverse("disclosure:report", args=[year]) if report else reverse("disclosure:list"),
            due=due,
            level=todo.RED if today > services.report_due(year) else todo.YELLOW,
            reference=str(year),
            detail=report.get_status_display() if report else "",
        )
    ]
