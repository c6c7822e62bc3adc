"""Who may do what in case-file review: predicates on top of ``enforcement.access.scope_for``.

They take the objects as they are and import no model of this app, so
``models.py`` names them as the permission of its transitions.

* The judicial bureau (its reviewers) organises plans; the plan's lead
  (组长) runs them: draws, starts, publishes, closes, settles score gaps and
  reopens a submitted score.
* A reviewer scores only the files assigned to them.
* The reviewed agency (its officers and leaders) sees its results once
  published and answers its rectification notices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from enforcement.access import is_administrator, scope_for
from enforcement.models.agencies import AgencyKind, Membership, Role

if TYPE_CHECKING:  # annotations only: the models import this module
    from supervision.models import Rectification, ReviewPlan, Score

AGENCY_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER)


def is_judicial_reviewer(user) -> bool:
    """A reviewer of the judicial bureau (司法局评查员), or an administrator."""
    if user is None or not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    cached = getattr(user, "_supervision_judicial", None)
    if cached is None:
        cached = Membership.objects.active().filter(
            user_id=user.pk, role=Role.JUDICIAL_REVIEWER, agency__kind=AgencyKind.JUDICIAL_BUREAU
        ).exists()
        user._supervision_judicial = cached
    return cached


def is_plan_lead(plan: ReviewPlan, user) -> bool:
    """The plan's lead (组长), or an administrator."""
    if user is None or not user.is_authenticated:
        return False
    return user.pk == plan.lead_id or is_administrator(user)


def can_manage_plan(plan: ReviewPlan, user) -> bool:
    """Run the plan: its lead, or an administrator."""
    return is_plan_lead(plan, user)


def can_score(score: Score, user) -> bool:
    """Only the reviewer assigned to the file scores it."""
    return bool(user and user.is_authenticated and user.pk == score.assignment.reviewer_id)


def can_reopen_score(score: Score, user) -> bool:
    """A submitted score changes only by the plan's lead (who reopens it, with a reason)."""
    return is_plan_lead(score.assignment.sampled.plan, user)


def acts_for_agency(user, agency_id: int) -> bool:
    """An officer or leader of the reviewed agency (or of an agency above it)."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return agency_id in scope.agency_ids and scope.has_role(*AGENCY_ROLES)


def can_answer(notice: Rectification, user) -> bool:
    return acts_for_agency(user, notice.agency_id) or is_administrator(user)


def can_check_rectification(notice: Rectification, user) -> bool:
    """The judicial bureau checks the answers: the plan's reviewers and lead."""
    if user is None or not user.is_authenticated:
        return False
    return is_administrator(user) or (
        is_judicial_reviewer(user) and user.pk in (notice.reviewer_id, notice.plan.lead_id)
    )
