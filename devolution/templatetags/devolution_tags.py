"""Small display helpers for the devolution templates."""

from django import template

from devolution import permissions

register = template.Library()

STATUS_BADGES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-info",
    "under_review": "text-bg-warning",
    "approved": "text-bg-primary",
    "published": "text-bg-primary",
    "in_force": "text-bg-success",
    "withdrawn": "text-bg-dark",
    "revoked": "text-bg-danger",
    # item review status
    "pending": "text-bg-light border",
    "rejected": "text-bg-danger",
}


@register.filter
def status_badge(value: str) -> str:
    return STATUS_BADGES.get(str(value), "text-bg-light border")


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}`` for dicts in templates."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name}{user.first_name}" or user.get_username()


@register.filter
def may_view_readiness(user) -> bool:
    """Show the readiness tab only to those its page answers (no dead link)."""
    return permissions.can_view_readiness(user)
