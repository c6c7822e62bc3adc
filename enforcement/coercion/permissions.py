"""Who may do what on a coercive measure or an enforcement of a decision.

Predicates on top of :func:`enforcement.access.scope_for`; they import no model
of this package so that ``models.py`` can name them as transition permissions.
The services check the legal preconditions (officers, certificates, periods).
"""

from __future__ import annotations

from enforcement.access import scope_for
from enforcement.models.agencies import Role

HANDLING_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER)
# Art. 18(1), 19, 25: "行政机关负责人" - the head of the acting agency.
HEAD_ROLES = (Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER)


def _admin(user, scope) -> bool:
    return user.is_superuser or scope.has_role(Role.ADMINISTRATOR)


def can_handle(obj, user) -> bool:
    """Officers of the acting agency (or an agency above it) and administrators act on its measures."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if _admin(user, scope):
        return True
    return obj.agency_id in scope.agency_ids and scope.has_role(*HANDLING_ROLES)


def is_head(obj, user) -> bool:
    """The head of the acting agency (行政机关负责人): approves, extends (art. 19, 25)."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if _admin(user, scope):
        return True
    return obj.agency_id in scope.agency_ids and scope.has_role(*HEAD_ROLES)
