"""Links to an object's page by id, for notifications and exports sent in bulk (safe before the URLs are mounted).

A sweep links thousands of objects: ``reverse()`` per object was a large share of its time. The
URL is reversed once per name and script prefix with a stand-in id, and each id is put in its place.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, get_script_prefix, reverse

_STAND_IN = 987654321987
_templates: dict[tuple[str, str], str] = {}


def detail_url(name: str, pk: int) -> str:
    """The URL of ``name`` (a detail route taking the id) for ``pk``; empty when the route is not mounted."""
    key = (name, get_script_prefix())
    template = _templates.get(key)
    if template is None:
        try:
            template = reverse(name, args=[_STAND_IN])
        except NoReverseMatch:
            return ""
        _templates[key] = template
    return template.replace(str(_STAND_IN), str(int(pk)))
