"""Links to ticket pages, for notifications and exports (safe before the URLs are mounted)."""

from __future__ import annotations

from django.urls import NoReverseMatch, get_script_prefix, reverse

# A stand-in id: the detail URL is reversed once per script prefix and the id put in its place
# (a sweep links thousands of tickets; reverse() per ticket was a large share of its time).
_STAND_IN = 987654321987
_templates: dict[str, str] = {}


def ticket_url(ticket_or_pk) -> str:
    pk = getattr(ticket_or_pk, "pk", ticket_or_pk)
    prefix = get_script_prefix()
    template = _templates.get(prefix)
    if template is None:
        try:
            template = reverse("dispatch:ticket-detail", args=[_STAND_IN])
        except NoReverseMatch:  # pragma: no cover - only when dispatch.urls is not mounted
            return ""
        _templates[prefix] = template
    return template.replace(str(_STAND_IN), str(int(pk)))
