"""Who may do what in evaluation: predicates on top of ``enforcement.access.scope_for``.

* "The bureau" (本局) means an administrator or anyone with a post in the bureau itself or its
  command centre: it enters and publishes ratings and sees every officer's assessment.
* The judicial bureau supervises: it reads the units' figures and ratings.
* A township (its officers and leaders) evaluates the units that serve its territory and the
  officers stationed in it.
* An officer sees their own assessment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from enforcement.access import is_administrator, scope_for
from enforcement.models.agencies import AgencyKind, Membership, Role

if TYPE_CHECKING:  # annotations only: the models import this module
    from supervision.evaluation.models import UnitRating

BUREAU_KINDS = (AgencyKind.BUREAU, AgencyKind.COMMAND_CENTRE)
TOWNSHIP_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER)


def is_bureau(user) -> bool:
    """An administrator or a member of the bureau or its command centre."""
    if user is None or not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    cached = getattr(user, "_evaluation_bureau", None)
    if cached is None:
        cached = Membership.objects.active().filter(user_id=user.pk, agency__kind__in=BUREAU_KINDS).exists()
        user._evaluation_bureau = cached
    return cached


def is_judicial(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return scope_for(user).has_role(Role.JUDICIAL_REVIEWER)


def can_read_units(user) -> bool:
    """The units' figures and ratings: the bureau and the judicial bureau."""
    return is_bureau(user) or is_judicial(user)


def can_manage_rating(rating: UnitRating, user) -> bool:
    return is_bureau(user)


def evaluating_townships(user) -> list[int]:
    """The townships this user fills evaluation forms for (their own township's officers and leaders)."""
    if user is None or not user.is_authenticated:
        return []
    scope = scope_for(user)
    if not scope.has_role(*TOWNSHIP_ROLES):
        return []
    return sorted({a for a, r in scope.memberships if r in TOWNSHIP_ROLES and a in scope.township_ids})
