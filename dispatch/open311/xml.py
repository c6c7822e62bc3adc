"""XML of GeoReport v2: the schemaless mapping of the JSON shapes (the Spark convention, reversed).

A JSON array becomes an element holding one child element per item; the
names of both come from :data:`LIST_TAGS` (``services`` -> ``service``,
``service_requests`` -> ``request``, ``errors`` -> ``error``...). ``None``
is an empty element, booleans are ``true``/``false``.
"""

from __future__ import annotations

from xml.etree import ElementTree

# Element holding a list -> element of each item.
LIST_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, (list, tuple)):
        child_tag = LIST_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, child_tag), item)
    else:
        element.text = _text(value)


def render(root: str, value) -> str:
    """The XML document for ``value`` under the element ``root`` (with the UTF-8 declaration)."""
    element = ElementTree.Element(root)
    _fill(element, value)
    return DECLARATION + ElementTree.tostring(element, encoding="unicode")
