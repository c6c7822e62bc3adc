"""Case-file review on the to-do lists (enforcement.todo): files to score, notices to answer and to check.

Read from live state through the same querysets as the review pages
(:mod:`supervision.selectors`): a file leaves the reviewer's list when its
score is submitted, a notice leaves the agency's list when it is answered and
the reviewer's when it is accepted or sent back.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement import todo
from enforcement.models import Role
from supervision import selectors
from supervision.choices import PlanStatus, RectificationStatus, ScoreStatus
from supervision.models import Rectification

# Who answers an agency's rectification notice: its officers and leaders.
AGENCY_ROLES = {Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER}


def _end_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


@todo.provider("supervision.scoring", roles={Role.JUDICIAL_REVIEWER})
def files_to_score(user, scope):
    """Assigned case files whose score is not submitted yet, while their plan is in review."""
    assignments = selectors.my_assignments(user).filter(
        sampled__plan__status=PlanStatus.IN_REVIEW, score__status=ScoreStatus.DRAFT)
    for assignment in assignments[:todo.LIMIT]:
        plan, case = assignment.sampled.plan, assignment.sampled.case
        due = _end_of(plan.review_to)
        yield todo.TodoItem(
            kind="supervision.scoring", category=_("案卷待评分"), title=case.title,
            url=reverse("supervision:score", args=[assignment.score.pk]), due=due,
            level=todo.level_for(due, start=_end_of(plan.review_from)),
            reference=case.display_number, detail=assignment.sampled.agency.name,
        )


def _notice_item(kind: str, category, notice: Rectification) -> todo.TodoItem:
    return todo.TodoItem(
        kind=kind, category=category, title=notice.reason,
        url=reverse("supervision:rectification", args=[notice.pk]), due=notice.due_at,
        level=todo.level_for(notice.due_at, start=notice.issued_at, stored=notice.warning_level),
        reference=notice.number, detail=notice.agency.name,
    )


@todo.provider("supervision.rectification_check", roles={Role.JUDICIAL_REVIEWER})
def rectifications_to_check(user, scope):
    """Answered notices of files this reviewer scored: accept or send back."""
    notices = selectors.rectification_list(user, status=RectificationStatus.ANSWERED).filter(reviewer=user)
    for notice in notices[:todo.LIMIT]:
        yield _notice_item("supervision.rectification_check", _("整改反馈待审核"), notice)


@todo.provider("supervision.rectification_answer", roles=AGENCY_ROLES)
def rectifications_to_answer(user, scope):
    """The agency's notices waiting for its answer (issued, or sent back to be done again)."""
    notices = Rectification.objects.visible_to(user).filter(
        agency_id__in=scope.agency_ids,
        status__in=(RectificationStatus.ISSUED, RectificationStatus.RETURNED),
    ).select_related("agency")
    for notice in notices.order_by("due_at", "pk")[:todo.LIMIT]:
        yield _notice_item("supervision.rectification_answer", _("整改通知待反馈"), notice)


# isort: split
# Performance evaluation's providers live in its subject package.
from supervision.evaluation import todo as evaluation_todo  # noqa: E402, F401

# isort: split
# The disclosure report's provider lives in its subject package.
from supervision.disclosure import todo as _disclosure_todo  # noqa: E402, F401
