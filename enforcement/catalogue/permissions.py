"""Who may change the catalogue: the predicates behind its transitions, services and pages.

Built on :mod:`enforcement.access`; the models name them as the permission of
their transitions, so this module imports no model of the catalogue.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from enforcement.access import is_administrator
from enforcement.errors import PermissionRefused


def can_manage_catalogue(user) -> bool:
    """Catalogue administrators: superusers and users with the administrator role."""
    return is_administrator(user)


def require_catalogue_manager(by) -> None:
    if by is not None and not can_manage_catalogue(by):
        raise PermissionRefused(_("只有事项目录管理员可以修改事项目录。"))


def can_manage_matter(matter, user) -> bool:
    """The permission of every status transition of a matter: a catalogue administrator."""
    return can_manage_catalogue(user)
