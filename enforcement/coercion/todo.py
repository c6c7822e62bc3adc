"""Coercive measures and enforcements on the to-do lists (constant queries per provider).

* officers of the acting agency: measures in force to release or decide on
  before their period ends (art. 27, 28), drafts to take;
* heads: emergency measures waiting for approval within 24 hours (art. 19);
* enforcements waiting for the reminder or the court application (art. 53, 54).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enforcement.coercion.choices import ACTIVE_MEASURE_STATES, ExecutionStatus, MeasureStatus
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.coercion.permissions import HANDLING_ROLES, HEAD_ROLES
from enforcement.todo import LIMIT, TodoItem, level_for, provider


def _measure(kind, category, m, due, start=None) -> TodoItem:
    return TodoItem(
        kind=kind,
        category=category,
        title=f"{m.get_kind_display()} · {m.party_name}",
        url=reverse("coercion:detail", args=[m.pk]),
        due=due,
        level=level_for(due, start=start, stored=m.warning_level),
        reference=m.display_number,
        detail=m.agency.name,
    )


@provider("coercion.measures", roles=HANDLING_ROLES)
def measures_in_hand(user, scope):
    mine = CoerciveMeasure.objects.visible_to(user).filter(agency_id__in=scope.agency_ids).select_related("agency")
    for m in mine.filter(status__in=ACTIVE_MEASURE_STATES).order_by("ends_at", "id")[:LIMIT]:
        yield _measure("coercion.release", _("查封、扣押期限届满前解除或处理"), m, m.ends_at, m.taken_at)
    if scope.has_role(*HEAD_ROLES):
        pending = mine.filter(status=MeasureStatus.IN_FORCE, is_emergency=True, approved_at__isnull=True)
        for m in pending.order_by("approval_due_at", "id")[:LIMIT]:
            yield _measure("coercion.approve", _("当场实施的措施待补办批准"), m, m.approval_due_at, m.taken_at)
    for m in mine.filter(status=MeasureStatus.DRAFT).order_by("created_at", "id")[:LIMIT]:
        yield _measure("coercion.enforce", _("查封、扣押待实施"), m, None)


@provider("coercion.enforcements", roles=HANDLING_ROLES)
def enforcements_in_hand(user, scope):
    mine = (
        Execution.objects.visible_to(user)
        .filter(agency_id__in=scope.agency_ids, status__in=[ExecutionStatus.DRAFT, ExecutionStatus.REMINDED])
        .select_related("agency")
        .order_by("window_ends_at", "id")[:LIMIT]
    )
    for e in mine:
        category = _("待送达催告书") if e.status == ExecutionStatus.DRAFT else _("待申请法院强制执行")
        yield TodoItem(
            kind="coercion.enforcement",
            category=category,
            title=f"{e.decision_number} · {e.party_name}",
            url=reverse("coercion:execution-detail", args=[e.pk]),
            due=e.window_ends_at,
            level=level_for(e.window_ends_at, stored=e.warning_level),
            reference=e.number,
            detail=e.agency.name,
        )
