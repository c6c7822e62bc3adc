"""Who may do what with inspections: predicates on top of :func:`enforcement.access.scope_for`."""

from __future__ import annotations

from enforcement.access import scope_for
from enforcement.models.agencies import Role

# Roles that inspect (their agency's records, tasks and plans).
INSPECTOR_ROLES = (
    Role.TOWNSHIP_OFFICER,
    Role.TOWNSHIP_LEADER,
    Role.SQUADRON_OFFICER,
    Role.SQUADRON_LEADER,
    Role.DEPARTMENT_STAFF,
)
# Roles that organise spot-check plans and joint visits for their agency.
PLANNER_ROLES = (Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER, Role.DEPARTMENT_STAFF, Role.DISPATCHER)
# County-wide roles that may act on anything (the bureau's command centre and administrators).
COUNTY_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)


def _county_actor(user) -> bool:
    scope = scope_for(user)
    return bool(user.is_superuser or (scope.county_wide and scope.has_role(*COUNTY_ROLES)))


def can_inspect(user, agency_id: int | None = None) -> bool:
    """May ``user`` record inspections (for ``agency_id``, when given)?"""
    if _county_actor(user):
        return True
    scope = scope_for(user)
    if agency_id is None:
        return scope.has_role(*INSPECTOR_ROLES)
    return scope.role_in(agency_id, *INSPECTOR_ROLES)


def can_plan(user, agency_id: int | None = None) -> bool:
    """May ``user`` create and run spot-check plans or joint visits (for ``agency_id``)?"""
    if _county_actor(user):
        return True
    scope = scope_for(user)
    if agency_id is None:
        return scope.has_role(*PLANNER_ROLES)
    return scope.role_in(agency_id, *PLANNER_ROLES)


def can_manage_plan(plan, user) -> bool:
    return can_plan(user, plan.lead_agency_id)


def can_handle_record(record, user) -> bool:
    return can_inspect(user, record.agency_id)


def sees_all_objects(user) -> bool:
    """County-wide readers and departments (which inspect across the county) see every object."""
    scope = scope_for(user)
    return bool(user.is_superuser or scope.county_wide or scope.has_role(Role.DEPARTMENT_STAFF))


def can_edit_objects(user, township_id: int | None = None) -> bool:
    """Keep the object directory: a township's staff its own objects, departments and the county all."""
    if _county_actor(user):
        return True
    scope = scope_for(user)
    if scope.has_role(Role.DEPARTMENT_STAFF):
        return True
    if not scope.has_role(*INSPECTOR_ROLES):
        return False
    return bool(scope.township_ids) if township_id is None else township_id in scope.township_ids
