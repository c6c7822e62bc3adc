"""Devolution batches on the to-do lists (enforcement.todo): items to confirm in review, batches to prepare for."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devolution import permissions
from devolution.models import BatchStatus, DevolutionBatch, ReviewStatus
from enforcement import todo
from enforcement.models import Role
from enforcement.workdays import SHANGHAI

TOWNSHIP_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER)


def _due(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def _item(kind, category, batch, detail="") -> todo.TodoItem:
    due = _due(batch.effective_date)
    return todo.TodoItem(kind=kind, category=category, title=batch.title, due=due, level=todo.level_for(due),
                         url=reverse("devolution:batch-detail", args=[batch.pk]), reference=batch.number,
                         detail=detail)


@todo.provider("devolution.review", roles={Role.JUDICIAL_REVIEWER, Role.DEPARTMENT_STAFF})
def items_to_confirm(user, scope):
    """Batches under review with items still waiting for this reviewer's side: a department its own matters."""
    if permissions.is_judicial_reviewer(user) or permissions.is_establishment_staff(user):
        mine = Q(items__review_status=ReviewStatus.PENDING)
    else:
        departments = permissions.department_ids(user)
        if not departments:
            return
        mine = Q(items__review_status=ReviewStatus.PENDING, items__matter__origin_department_id__in=departments)
    batches = (DevolutionBatch.objects.visible_to(user).filter(status=BatchStatus.UNDER_REVIEW)
               .annotate(waiting=Count("items", filter=mine)).filter(waiting__gt=0)
               .order_by("effective_date", "id")[:todo.LIMIT])
    for batch in batches:
        yield _item("devolution.review", _("赋权事项待审查确认"), batch,
                    detail=_("%(count)s 项待审查") % {"count": batch.waiting})


@todo.provider("devolution.prepare", roles=TOWNSHIP_ROLES)
def batches_to_prepare(user, scope):
    """Approved or published batches granting powers to the user's township that are not in force yet."""
    townships = [a for a, r in scope.memberships if r in TOWNSHIP_ROLES]
    batches = (DevolutionBatch.objects.filter(status__in=[BatchStatus.APPROVED, BatchStatus.PUBLISHED],
                                              townships__in=townships,
                                              effective_date__gte=timezone.localdate())
               .distinct().order_by("effective_date", "id")[:todo.LIMIT])
    for batch in batches:
        yield _item("devolution.prepare", _("赋权批次待承接准备"), batch, detail=batch.get_status_display())
