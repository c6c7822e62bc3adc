"""Render an issued document from its template (``templates/documents/<kind>.html``) and frozen content."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from enforcement.cases.documents.language import official_language
from enforcement.cases.models import CaseDocument


def document_context(document: CaseDocument) -> dict:
    content = dict(document.content or {})
    # Free-text records (an inquiry's questions and answers) are shown one paragraph a line.
    content["qa_lines"] = [line for line in (content.get("qa") or "").splitlines() if line.strip()]
    content.setdefault("number", document.number)
    return {"c": content, "document": document}


@official_language
def render_body(document: CaseDocument) -> SafeString:
    """The document's body as (restricted) HTML: the same markup feeds the printable page and the PDF."""
    return mark_safe(render_to_string(f"documents/{document.kind}.html", document_context(document)))


@official_language
def render_page(document: CaseDocument, *, pdf_url: str = "") -> str:
    """A standalone printable HTML page of the document."""
    return render_to_string("documents/print.html", {"document": document, "body": render_body(document),
                                                     "pdf_url": pdf_url})
