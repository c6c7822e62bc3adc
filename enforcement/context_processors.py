"""Template context shared by every internal page (menu, unread badge, warnings).

Values are lazy: pages that never show them (the admin, public pages, API
browsable pages) do not pay their queries.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from . import workdays
from .access import ANONYMOUS_SCOPE, scope_for
from .models import Agency, AgencyKind, Role
from .navigation import nav_items_for
from .notifications import unread_count


def is_administrator(user) -> bool:
    """Superusers and members with the administrator role."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or scope_for(user).has_role(Role.ADMINISTRATOR)


def _calendar_warning(user):
    if not is_administrator(user):
        return None
    # enforcement.workdays grows this helper; until it exists the page still works.
    warning = getattr(workdays, "calendar_warning", None)
    return warning() if callable(warning) else None


def _service_warnings(user) -> list[str]:
    if not is_administrator(user):
        return []
    from bureau.health import service_warnings

    return service_warnings()


def _bureau():
    return Agency.objects.active().filter(kind=AgencyKind.BUREAU).only("name", "short_name").first()


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    # The county bureau (its name heads the public pages); None before setup.
    bureau = SimpleLazyObject(_bureau)
    if user is None or not user.is_authenticated:
        return {
            "bureau": bureau,
            "nav_items": [],
            "unread_notifications": 0,
            "calendar_warning": None,
            "service_warnings": [],
            "user_scope": ANONYMOUS_SCOPE,
        }
    return {
        "bureau": bureau,
        "nav_items": SimpleLazyObject(lambda: nav_items_for(request)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "calendar_warning": SimpleLazyObject(lambda: _calendar_warning(user)),
        "service_warnings": SimpleLazyObject(lambda: _service_warnings(user)),
        "user_scope": SimpleLazyObject(lambda: scope_for(user)),
    }
