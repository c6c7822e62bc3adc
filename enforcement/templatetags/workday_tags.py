"""Template access to the working-day calendar (used by the admin index override)."""

from __future__ import annotations

from django import template

from enforcement.workdays import calendar_warning as _calendar_warning

register = template.Library()


@register.simple_tag
def calendar_warning() -> str | None:
    """The missing-holiday-schedule warning for administrators, or ``None``."""
    return _calendar_warning()
