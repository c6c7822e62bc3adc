"""Template context shared by every internal page (menu, unread badge, warnings).

Values are lazy: pages that never show them (the admin, public pages, API
browsable pages) do not pay their queries.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from enforcement import workdays
from enforcement.access import ANONYMOUS_SCOPE, is_administrator, scope_for
from enforcement.models.agencies import Agency, AgencyKind
from enforcement.navigation import nav_items_for
from enforcement.notifications import unread_count


def _calendar_warning(user):
    if not is_administrator(user):
        return None
    return workdays.calendar_warning()


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
