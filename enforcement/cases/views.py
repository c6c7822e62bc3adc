"""Case pages: list with filters and warnings, township summary, lead form, detail with the
next allowed steps, one form per step, documents (HTML and PDF), evidence, the case file.

Views stay thin: reads from :mod:`enforcement.cases.selectors`, writes through
:func:`enforcement.cases.actions.perform` (the same dispatcher the API
uses), scope through ``Case.objects.visible_to`` (out of scope: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from bureau.dbrouter import reporting_view
from enforcement.access import get_visible_or_404
from enforcement.api_base import CappedPaginator
from enforcement.cases import charts as case_charts
from enforcement.cases import deadlines as case_deadlines
from enforcement.cases import rules
from enforcement.cases.actions import CASE_ACTIONS
from enforcement.cases.documents.pdf import case_file_pdf, document_pdf
from enforcement.cases.documents.render import render_page
from enforcement.cases.forms import (
    AppealOutcomeForm,
    CaseFilterForm,
    LeadForm,
    SupersedeForm,
)
from enforcement.cases.links import case_links
from enforcement.cases.models import AppealRecord, Case, CaseDocument, CaseStatus, Publication, WarningLevel
from enforcement.cases.privacy import viewer_for
from enforcement.cases.selectors import (
    case_detail,
    case_history,
    case_search,
    evidence_for,
    filter_agencies,
    township_summary,
)
from enforcement.cases.services import lifecycle as svc
from enforcement.cases.services.evidence import evidence_open, evidence_supersede
from enforcement.cases.services.publication import appeal_set_outcome
from enforcement.charts import chart_response, pick
from enforcement.errors import DomainError
from enforcement.files import serve_file
from enforcement.forms import apply_domain_error
from enforcement.workflow import event_label, record_event

PAGE_SIZE = 30
PDF = "application/pdf"

# Event actions written with record_event (transitions take their label from the model).
EVENT_LABELS = {
    "create": gettext_lazy("登记线索"),
    "mark_major": gettext_lazy("标记重大/复杂"),
    "statement": gettext_lazy("记录陈述申辩"),
    "request_hearing": gettext_lazy("当事人申请听证"),
    "waive_hearing": gettext_lazy("当事人放弃听证"),
    "record_hearing": gettext_lazy("举行听证"),
    "approve_step": gettext_lazy("审批"),
    "justification": gettext_lazy("说明偏离裁量理由"),
    "approve_justification": gettext_lazy("同意偏离裁量理由"),
    "extend": gettext_lazy("延长办案期限"),
    "suspend": gettext_lazy("案件中止"),
    "resume": gettext_lazy("恢复办理"),
    "summary_record": gettext_lazy("当场处罚备案"),
    "evidence_add": gettext_lazy("登记证据"),
    "inquiry_record": gettext_lazy("制作询问笔录"),
    "publish": gettext_lazy("公开决定"),
    "withdraw_publication": gettext_lazy("撤回公开"),
    "appeal": gettext_lazy("登记复议/诉讼"),
    "appeal_outcome": gettext_lazy("复议/诉讼结果"),
    "case_file_download": gettext_lazy("下载案卷"),
}
WARNING_BADGES = {WarningLevel.YELLOW: "text-bg-warning", WarningLevel.RED: "text-bg-danger"}


# --- lists ------------------------------------------------------------------------------------


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, agencies=filter_agencies(request.user))
    cases = case_search(request.user, form.filters())
    # Capped count: exact up to 10,000 matches, "10000+" past it (no full COUNT on every view).
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = viewer_for(request.user)
    rows = [{"case": c, "party": viewer.party(c), "warning_badge": WARNING_BADGES.get(c.warning_level, "")}
            for c in page.object_list]
    return render(request, "enforcement/cases/list.html", {
        "form": form, "page_obj": page, "rows": rows, "can_create": bool(LeadForm(user=request.user)
                                                                         .fields["agency"].queryset.exists()),
        "step_labels": case_deadlines.STEP_LABELS,
    })


@require_GET
@login_required
@reporting_view  # county statistics: may read from the replica (bureau/dbrouter.py), when there is one
def township_list(request: HttpRequest) -> HttpResponse:
    return render(request, "enforcement/cases/townships.html", {"rows": township_summary(request.user)})


@require_GET
@login_required
def case_chart(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart of case statistics as JSON (or ``?format=xlsx``), over the cases the reader may see."""
    builder = pick(case_charts.BUILDERS, chart)
    return chart_response(request, builder(Case.objects.visible_to(request.user)))


# --- lead and detail -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, user=request.user)
    if not form.fields["agency"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            case = svc.case_create_lead(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记案件线索 %(number)s。") % {"number": case.number})
            return redirect("cases:detail", case.pk)
    return render(request, "enforcement/cases/form.html", {
        "form": form, "title": _("登记案件线索"), "case": None, "multipart": False,
    })


def _actions(case: Case, user) -> list[dict]:
    out = []
    for key in CASE_ACTIONS.available(case, user):
        action = CASE_ACTIONS[key]
        out.append({"key": key, "label": action.label, "style": f"btn-{action.tone}",
                    "url": reverse("cases:action", args=[case.pk, key])})
    return out


@require_GET
@login_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_detail(request.user, pk)
    viewer = viewer_for(request.user)
    publication = Publication.objects.filter(case=case).first()
    flags = {"published": publication is not None, "withdrawn": bool(publication and publication.withdrawn_at)}
    now = timezone.now()
    share = case_deadlines.yellow_share()
    fields = {key: name for name, key in case_deadlines.DUE_FIELDS.items()}
    provisional = set(case.provisional_deadlines or [])
    deadlines = [
        {"label": case_deadlines.STEP_LABELS.get(s.key, s.key), "due": s.due, "level": s.level(now, share),
         "article": case_deadlines.rule(s.key).article, "provisional": fields.get(s.key) in provisional}
        for s in case_deadlines.pending_steps(case, **flags)
    ]
    # Art. 72: the surcharge accrued so far on a fine not paid by its due date.
    surcharge_now = rules.surcharge(case, timezone.localdate()) if case.status == CaseStatus.SERVED else None
    events = [{"event": e, "label": event_label(case, e.action, EVENT_LABELS)} for e in case_history(case)]
    steps = list(case.approval_steps.all())
    actions = _actions(case, request.user)
    return render(request, "enforcement/cases/detail.html", {
        "case": case, "party": viewer.party(case), "actions": actions, "action_keys": [a["key"] for a in actions],
        "officers": list(case.case_officers.all()), "documents": list(case.documents.all()),
        "evidence": list(case.evidence.all()), "steps": steps, "reviews": list(case.legal_reviews.all()),
        "deliberations": list(case.deliberations.all()), "appeals": list(case.appeals.all()),
        "extensions": list(case.extensions.all()), "publication": publication, "deadlines": deadlines,
        "events": events, "warning_badge": WARNING_BADGES.get(case.warning_level, ""),
        "step_labels": case_deadlines.STEP_LABELS, "surcharge_now": surcharge_now,
        "hearing_provisional": "hearing_request_due_at" in provisional,
        # Where the case came from and what was done beside it, as far as this reader may see.
        "links": case_links(case, request.user),
    })


@require_http_methods(["GET", "POST"])
@login_required
def case_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One step of the case: its form (GET) and running it (POST)."""
    if name not in CASE_ACTIONS:
        raise Http404
    case = get_visible_or_404(Case.objects.select_related(*("agency", "matter", "township", "subject_agency")),
                              request.user, pk=pk)
    if name not in CASE_ACTIONS.available(case, request.user):
        raise PermissionDenied
    form = CASE_ACTIONS.form(name, case, request.user, request.POST or None, request.FILES or None)
    label = CASE_ACTIONS[name].label
    if request.method == "POST" and form.is_valid():
        try:
            CASE_ACTIONS.perform(name, case, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已完成“%(action)s”。") % {"action": label})
            return redirect("cases:detail", case.pk)
    context = {"form": form, "title": label, "case": case, "action": name,
               "multipart": any(f.widget.needs_multipart_form for f in form.fields.values())}
    if name == "approve_step":
        context["pending_step"] = svc.pending_step(case)
    return render(request, "enforcement/cases/form.html", context)


# --- documents and the case file -----------------------------------------------------------------


def _document(request: HttpRequest, pk: int, doc_pk: int) -> CaseDocument:
    case = get_visible_or_404(Case, request.user, pk=pk)
    document = CaseDocument.objects.filter(pk=doc_pk, case=case).select_related("case").first()
    if document is None:
        raise Http404
    return document


@require_GET
@login_required
def document_page(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    document = _document(request, pk, doc_pk)
    return HttpResponse(render_page(document, pdf_url=reverse("cases:document-pdf", args=[pk, doc_pk])))


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    document = _document(request, pk, doc_pk)
    response = HttpResponse(document_pdf(document), content_type=PDF)
    name = f"{document.title}{document.number or document.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=name)
    return response


@require_GET
@login_required
def case_file(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_detail(request.user, pk)
    _data, entries = case_file_pdf(case)
    return render(request, "enforcement/cases/case_file.html", {"case": case, "entries": entries})


@require_GET
@login_required
def case_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_detail(request.user, pk)
    data, _entries = case_file_pdf(case)
    # The case file carries every piece of evidence: its download is logged like theirs.
    record_event(case, "case_file_download", by=request.user)
    response = HttpResponse(data, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("案卷-%(number)s.pdf") % {"number": case.display_number}
    )
    return response


# --- evidence -------------------------------------------------------------------------------------


def _evidence_response(request: HttpRequest, pk: int, ev_pk: int, *, download: bool) -> FileResponse:
    evidence = evidence_for(request.user, pk, ev_pk)
    handle = evidence_open(evidence, by=request.user, download=download)
    return serve_file(evidence.file, handle=handle, as_attachment=download, filename=evidence.original_name,
                      content_type=evidence.content_type)


@require_GET
@login_required
def evidence_view(request: HttpRequest, pk: int, ev_pk: int) -> FileResponse:
    return _evidence_response(request, pk, ev_pk, download=False)


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int, ev_pk: int) -> FileResponse:
    return _evidence_response(request, pk, ev_pk, download=True)


@require_http_methods(["GET", "POST"])
@login_required
def evidence_replace(request: HttpRequest, pk: int, ev_pk: int) -> HttpResponse:
    evidence = evidence_for(request.user, pk, ev_pk)
    case = evidence.case
    form = SupersedeForm(request.POST or None, request.FILES or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_supersede(evidence, by=request.user, reason=form.cleaned_data["reason"],
                               file=form.cleaned_data["file"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记替代证据，原证据保留在案卷中。"))
            return redirect("cases:detail", case.pk)
    return render(request, "enforcement/cases/form.html", {
        "form": form, "title": _("替代证据：%(title)s") % {"title": evidence.title}, "case": case, "multipart": True,
    })


@require_http_methods(["GET", "POST"])
@login_required
def appeal_outcome(request: HttpRequest, pk: int, appeal_pk: int) -> HttpResponse:
    case = get_visible_or_404(Case, request.user, pk=pk)
    appeal = AppealRecord.objects.filter(pk=appeal_pk, case=case).first()
    if appeal is None:
        raise Http404
    form = AppealOutcomeForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_set_outcome(appeal, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记复议/诉讼结果。"))
            return redirect("cases:detail", case.pk)
    return render(request, "enforcement/cases/form.html", {
        "form": form, "title": _("复议/诉讼结果"), "case": case, "multipart": False,
    })


@login_required
@require_GET
def legal_rules_page(request: HttpRequest) -> HttpResponse:
    """法定时限与规则: every time limit, threshold and precondition the case checks enforce, with its article."""
    from enforcement.access import scope_for
    from enforcement.cases.legal_rules import KIND_LABELS, legal_rules

    scope = scope_for(request.user)
    if not (request.user.is_superuser or scope.roles):
        raise PermissionDenied
    table = [r.as_dict() for r in legal_rules()]
    groups = [(str(label), [r for r in table if r["kind"] == kind]) for kind, label in KIND_LABELS.items()]
    return render(request, "enforcement/cases/legal_rules.html", {"groups": groups})
