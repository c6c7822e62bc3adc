"""The documents of a measure or an enforcement: printable HTML and PDF, drawn like the case documents.

Kinds: the sealing/seizure decision with its list (art. 24), the extension
decision (art. 25), the release decision with the return list (art. 28) and
the written reminder (art. 35). Each is rendered from the row as it stands
(its number and dates are fixed by the service that issued it) in the
restricted markup of ``enforcement.cases.documents.pdf``, always in Chinese.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from enforcement.cases.documents.language import official_language
from enforcement.cases.documents.pdf import _Doc, html_flowables
from enforcement.coercion.choices import ExecutionStatus, MeasureStatus
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.coercion.rules import article
from enforcement.coercion.selectors import event_data

MEASURE_DOCUMENTS = {
    "decision": _("%(kind)s决定书"),
    "extension": _("延长%(kind)s期限决定书"),
    "release": _("解除%(kind)s决定书"),
}
EXECUTION_DOCUMENTS = {"reminder": _("催告书")}


def available(obj) -> list[str]:
    """The documents ``obj`` has issued so far."""
    if isinstance(obj, Execution):
        return ["reminder"] if obj.status != ExecutionStatus.DRAFT else []
    out = []
    if obj.status != MeasureStatus.DRAFT:
        out.append("decision")
    if obj.extended_on:
        out.append("extension")
    if obj.released_on:
        out.append("release")
    return out


def title(obj, kind: str) -> str:
    table = EXECUTION_DOCUMENTS if isinstance(obj, Execution) else MEASURE_DOCUMENTS
    if isinstance(obj, CoerciveMeasure):
        return str(table[kind]) % {"kind": obj.get_kind_display()}
    return str(table[kind])


def _context(obj, kind: str) -> dict:
    c = {"obj": obj, "title": title(obj, kind), "agency": obj.agency.name}
    if isinstance(obj, CoerciveMeasure):
        c["items"] = list(obj.items.all())
        c["officers"] = list(obj.measure_officers.select_related("officer", "certificate"))
        c["number"] = {
            "decision": obj.decision_number,
            "extension": event_data(obj, "extension_number").get("number", ""),
            "release": event_data(obj, "release_number").get("number", ""),
        }[kind]
        c["article_period"] = article("coercion_period")
        c["article_release"] = article("coercion_release")
    else:
        c["number"] = obj.reminder_number
        c["article_court"] = article("coercion_court_wait")
    return c


@official_language
def render_body(obj, kind: str) -> SafeString:
    return mark_safe(render_to_string(f"enforcement/coercion/documents/{kind}.html", _context(obj, kind)))


@official_language
def render_page(obj, kind: str, *, pdf_url: str = "") -> str:
    document = {"title": title(obj, kind), "number": _context(obj, kind)["number"]}
    return render_to_string(
        "documents/print.html", {"document": document, "body": render_body(obj, kind), "pdf_url": pdf_url}
    )


@official_language
def document_pdf(obj, kind: str) -> bytes:
    buffer = io.BytesIO()
    name = title(obj, kind)
    doc = _Doc(buffer, title=name, footer=name)
    doc.build(html_flowables(render_body(obj, kind)))
    return buffer.getvalue()
