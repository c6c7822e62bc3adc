"""Who may do what with warnings: predicates on top of :func:`enforcement.access.scope_for`.

Officers who inspect for an agency (``enforcement.inspections.permissions``) issue and re-check
that agency's warnings; the county's command centre and administrators may act on all.
"""

from __future__ import annotations

from enforcement.inspections.permissions import can_inspect


def can_issue(user, agency_id: int | None = None) -> bool:
    return bool(user is not None and user.is_authenticated and can_inspect(user, agency_id))


def can_handle_warning(warning, user) -> bool:
    """Re-check or turn into a case: officers of the issuing agency."""
    return can_issue(user, warning.agency_id)
