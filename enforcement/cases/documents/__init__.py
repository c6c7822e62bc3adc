"""Case documents (执法文书): issuing them with frozen content, rendering them as HTML and PDF.

A document is issued by a case service at the step it belongs to (the filing
approval form when a case is filed, the advance notice when it is sent, ...).
:func:`issue_document` freezes the values it shows (``CaseDocument.content``):
later edits of the case never change an issued document. Rendering
(:mod:`enforcement.cases.documents.render`) fills ``templates/documents/<kind>.html``
with those values; :mod:`enforcement.cases.documents.pdf` turns the same template
into a PDF with an embedded Chinese font.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.documents.language import official_language
from enforcement.cases.models import Case, CaseDocument, DocumentKind, DocumentStage
from enforcement.catalogue.models import PenaltyKind

STAGE_OF: dict[str, int] = {
    DocumentKind.FILING_APPROVAL: DocumentStage.FILING,
    DocumentKind.INQUIRY_RECORD: DocumentStage.INVESTIGATION,
    DocumentKind.ADVANCE_NOTICE: DocumentStage.REVIEW,
    DocumentKind.HEARING_NOTICE: DocumentStage.REVIEW,
    DocumentKind.LEGAL_REVIEW_OPINION: DocumentStage.REVIEW,
    DocumentKind.DECISION: DocumentStage.DECISION,
    DocumentKind.NO_PENALTY_DECISION: DocumentStage.DECISION,
    DocumentKind.SUMMARY_DECISION: DocumentStage.DECISION,
    DocumentKind.TRANSFER_LETTER: DocumentStage.DECISION,
    DocumentKind.SERVICE_RECEIPT: DocumentStage.SERVICE,
    DocumentKind.CLOSING_APPROVAL: DocumentStage.EXECUTION,
}


def text(value) -> str:
    """A value as a document shows it: dates as 2026年5月3日, amounts in yuan, empty as blank."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        from enforcement.catalogue.services import format_amount

        return format_amount(value)
    return str(value)


def penalty_text(kinds, fine, confiscated=None) -> str:
    """"警告；罚款人民币500元" from penalty kinds and amounts."""
    labels = dict(PenaltyKind.choices)
    parts = []
    for kind in kinds or []:
        label = str(labels.get(kind, kind))
        if kind == PenaltyKind.FINE and fine is not None:
            label = _("罚款人民币%(amount)s元") % {"amount": text(fine)}
        elif kind == PenaltyKind.CONFISCATE_GAINS and confiscated is not None:
            label = _("没收违法所得人民币%(amount)s元") % {"amount": text(confiscated)}
        parts.append(label)
    return "；".join(parts)


def case_snapshot(case: Case, officers=None) -> dict[str, str]:
    """The case values every document may show, as text (full party data: documents are not public).

    ``officers`` (CaseOfficer rows with their officer) saves the query when the caller has them.
    """
    matter = case.matter
    if officers is None:
        officers = list(case.case_officers.select_related("officer").order_by("-role", "id"))
    subject = case.subject_agency or case.agency
    return {
        "agency": case.agency.name,
        "subject_agency": subject.name,
        "registry_number": case.number,
        "filing_number": case.filing_number,
        "decision_number": case.decision_number,
        "procedure": case.get_procedure_display(),
        "source": case.get_source_display(),
        "source_ref": case.source_ref,
        "title": case.title,
        "facts": case.facts,
        "place": case.place,
        "occurred_on": text(case.occurred_on),
        "discovered_on": text(case.discovered_on),
        "filed_on": text(case.filed_on),
        "party_kind": case.get_party_kind_display(),
        "party_name": case.party_name,
        "party_id_number": case.party_id_number,
        "party_address": case.party_address,
        "party_phone": case.party_phone,
        "party_legal_rep": case.party_legal_rep,
        "matter_code": matter.code,
        "matter_name": matter.name,
        "violated_provision": matter.violated_provision,
        "penalty_provision": matter.penalty_provision,
        "officers": "、".join(
            f"{co.officer.get_full_name() or co.officer.get_username()}（{_('执法证号')}：{co.certificate_number}）"
            for co in officers
        ),
        "holder_via": case.holder_via,
        "is_major": _("是") if case.is_major else _("否"),
        "proposed_penalty": penalty_text(case.proposed_kinds, case.proposed_fine),
        "penalty": penalty_text(case.penalty_kinds, case.fine_amount, case.confiscated_amount),
        "outcome": case.get_outcome_display() if case.outcome else "",
        "decision_text": case.decision_text,
        "decided_on": text(case.decided_on),
        "served_on": text(case.served_on),
        "service_method": case.get_service_method_display() if case.service_method else "",
        "served_to": case.served_to,
        "tier": case.tier.level if case.tier_id else "",
        "hearing_rights": _("是") if case.hearing_rights else _("否"),
        "today": text(timezone.localdate()),
    }


@official_language
def build_document(
    case: Case, kind: str, *, by, number: str = "", extra: dict | None = None, on: dt.date | None = None,
    officers=None,
) -> CaseDocument:
    """An unsaved document of ``case`` with its values frozen now (bulk writers save many at once)."""
    content = case_snapshot(case, officers)
    content.update({k: text(v) for k, v in (extra or {}).items()})
    content["number"] = number
    content["issued_on"] = text(on or timezone.localdate())
    return CaseDocument(
        case=case, kind=kind, stage=STAGE_OF[kind], number=number, title=str(DocumentKind(kind).label),
        content=content, created_by=by,
    )


def issue_document(
    case: Case, kind: str, *, by, number: str = "", extra: dict | None = None, on: dt.date | None = None
) -> CaseDocument:
    """Issue one document of ``case`` with its values frozen now (call inside the service's transaction)."""
    document = build_document(case, kind, by=by, number=number, extra=extra, on=on)
    document.save()
    return document
