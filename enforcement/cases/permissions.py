"""Who may do what on a case: the predicates behind the transitions, the services and the pages.

Built on :func:`enforcement.access.scope_for`; they take the case as it is and
import no model of this package, so ``models.py`` can name them as the
permission of its transitions. The services still check every legal
precondition and the certificate on the day (art. 42).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from enforcement.access import has_grant, scope_for
from enforcement.cases.choices import ApproverKind
from enforcement.models.agencies import AgencyKind, Membership, Role

if TYPE_CHECKING:  # annotations only: the models import this module
    from enforcement.cases.models import Case

# --- permission callables of the transitions --------------------------------------
# They answer "may this user act on this case at all"; the services check the
# legal preconditions and the certificate on the day (art. 42).

HANDLING_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER)


def can_handle(case: Case, user) -> bool:
    """Officers of the handling agency (or of an agency above it) and administrators act on its cases."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return True
    return case.agency_id in scope.agency_ids and scope.has_role(*HANDLING_ROLES)


def can_review(case: Case, user) -> bool:
    """Legal reviewers: of the handling agency, of the county legal-review centre, or assigned by grant."""
    return is_legal_reviewer_for(user, case)


def can_handle_or_review(case: Case, user) -> bool:
    return can_handle(case, user) or can_review(case, user)


# --- who may review and approve --------------------------------------------------------------


def _member_of_kind(user, kind: str) -> bool:
    return Membership.objects.active().filter(user_id=user.pk, agency__kind=kind).exists()


def is_case_officer(user, case: Case) -> bool:
    return bool(user and user.pk) and case.case_officers.filter(officer_id=user.pk).exists()


def is_legal_reviewer_for(user, case: Case) -> bool:
    """A legal reviewer of the handling agency, a member of the county legal-review centre, or one assigned by grant."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return True
    if scope.has_role(Role.LEGAL_REVIEWER) and case.agency_id in scope.agency_ids:
        return True
    if _member_of_kind(user, AgencyKind.LEGAL_REVIEW_CENTRE):
        return True
    return has_grant(user, "review_case", case)


def can_approve_level(user, case: Case, approver: str) -> bool:
    """May ``user`` act on an approval level of kind ``approver`` for ``case``?"""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return True
    covers = case.agency_id in scope.agency_ids
    if approver == ApproverKind.HANDLER:
        return is_case_officer(user, case)
    if approver == ApproverKind.LEGAL_OFFICER:
        return covers and scope.has_role(Role.LEGAL_REVIEWER) and not is_case_officer(user, case)
    if approver == ApproverKind.HEAD:
        return covers and scope.has_role(Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER)
    if approver == ApproverKind.LEGAL_SECTION:
        return _member_of_kind(user, AgencyKind.LEGAL_REVIEW_CENTRE) or (
            scope.county_wide and scope.has_role(Role.LEGAL_REVIEWER)
        ) or has_grant(user, "review_case", case)
    if approver == ApproverKind.REVIEW_CENTRE:
        return _member_of_kind(user, AgencyKind.LEGAL_REVIEW_CENTRE) or has_grant(user, "review_case", case)
    if approver == ApproverKind.COLLECTIVE:
        return covers and scope.has_role(Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER)
    return False


