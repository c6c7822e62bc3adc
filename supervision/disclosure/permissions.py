"""Who may do what with the annual disclosure report.

* The judicial bureau (its reviewers) reviews and publishes the report
  (ARCHITECTURE.md "Who uses it": judicial bureau reviewers approve the
  annual disclosure); an administrator may too.
* The bureau prepares it: its legal section and command centre (any member of
  a county-wide agency other than the county government) build the draft and
  amend the analysis, as do the judicial reviewers.
"""

from __future__ import annotations

from enforcement.access import is_administrator, scope_for
from enforcement.models.agencies import AgencyKind, Membership, Role
from supervision.permissions import is_judicial_reviewer

# The bureau's own staff who prepare the report.
EDITOR_ROLES = (Role.LEGAL_REVIEWER, Role.DISPATCHER)
EDITOR_AGENCY_KINDS = (AgencyKind.BUREAU, AgencyKind.COMMAND_CENTRE, AgencyKind.LEGAL_REVIEW_CENTRE)


def is_bureau_editor(user) -> bool:
    """A member of the bureau who prepares the report (legal section, command centre), or an administrator."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_administrator(user):
        return True
    cached = getattr(user, "_disclosure_editor", None)
    if cached is None:
        cached = (
            Membership.objects.active()
            .filter(user_id=user.pk, role__in=EDITOR_ROLES, agency__kind__in=EDITOR_AGENCY_KINDS)
            .exists()
        )
        user._disclosure_editor = cached
    return cached


def can_read_report(user) -> bool:
    """Staff pages of the report: the bureau's editors and the judicial bureau."""
    return is_bureau_editor(user) or is_judicial_reviewer(user)


def can_edit_report(report, user) -> bool:
    return can_read_report(user)


def can_review_report(report, user) -> bool:
    return is_judicial_reviewer(user)


def can_publish_report(report, user) -> bool:
    return is_judicial_reviewer(user)


def is_staff_member(user) -> bool:
    """Anyone with a post (the January banner shows on every staff home page)."""
    return bool(user and user.is_authenticated and (scope_for(user).roles or user.is_superuser))
