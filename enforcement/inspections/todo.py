"""Inspections on the to-do lists: spot-check tasks to do, plan results to publish, joint visits planned.

Discovered by :func:`enforcement.todo.providers` (``autodiscover_modules(..., "inspections.todo")``);
each provider reads live state in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enforcement.inspections import selectors
from enforcement.inspections.choices import VisitStatus
from enforcement.inspections.permissions import INSPECTOR_ROLES, PLANNER_ROLES
from enforcement.todo import LIMIT, TodoItem, level_for, provider
from enforcement.workdays import SHANGHAI


def _end_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


@provider("inspections.tasks", roles=INSPECTOR_ROLES)
def tasks_due(user, scope):
    """Spot-check tasks drawn for the user, due at the end of the plan's period."""
    for task in selectors.my_tasks(user)[:LIMIT]:
        due = _end_of(task.due_date)
        start = _end_of(task.plan.period_start)
        yield TodoItem(
            kind="inspections.task",
            category=_("抽查任务待检查"),
            title=task.object.name,
            url=reverse("inspections:field-record") + f"?task={task.pk}",
            due=due,
            level=level_for(due, start=start),
            reference=task.plan.number,
            detail=task.object.township.name,
        )


@provider("inspections.publish", roles=PLANNER_ROLES)
def results_to_publish(user, scope):
    """Plans whose every check is recorded: publish the results within the plan's working days."""
    for plan in selectors.plans_to_publish(user).select_related("lead_agency")[:LIMIT]:
        if plan.lead_agency_id not in scope.agency_ids and not scope.county_wide:
            continue
        due = _end_of(plan.publish_due)
        yield TodoItem(
            kind="inspections.publish",
            category=_("抽查结果待公示"),
            title=plan.title,
            url=reverse("inspections:plan", args=[plan.pk]),
            due=due,
            level=level_for(due),
            reference=plan.number,
            detail=plan.lead_agency.name,
        )


@provider("inspections.visits", roles=INSPECTOR_ROLES)
def visits_planned(user, scope):
    """Joint visits planned with one of the user's agencies."""
    visits = (
        selectors.visit_list(user).filter(status=VisitStatus.PLANNED, agencies__in=scope.agency_ids).distinct()[:LIMIT]
    )
    for visit in visits:
        due = _end_of(visit.planned_on)
        yield TodoItem(
            kind="inspections.visit",
            category=_("联合检查待进行"),
            title=visit.object.name,
            url=reverse("inspections:field-record") + f"?visit={visit.pk}",
            due=due,
            level=level_for(due),
            reference=visit.number,
            detail=visit.lead_agency.name,
        )
