"""Warning pages, mounted under /warnings/: the list, issuing, a warning and its re-check, documents, statistics.

Every warning is fetched through :func:`selectors.warning_get_for_user`, so one outside the user's
scope answers 404 like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from enforcement.cases.links import visible_case, visible_case_ids
from enforcement.errors import DomainError
from enforcement.files import serve_file
from enforcement.forms import apply_domain_error
from enforcement.warnings import exports, selectors, services
from enforcement.warnings import permissions as perms
from enforcement.warnings.actions import WARNING_ACTIONS
from enforcement.warnings.documents import notice_pdf, notice_sections
from enforcement.warnings.forms import WarningFilterForm, WarningIssueForm
from enforcement.workflow import event_label, record_event

PAGE_SIZE = 50
EVENT_LABELS = {"issue": gettext_lazy("出具预警"), "commitment_view": gettext_lazy("查看承诺书")}


@require_GET
@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    form = WarningFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    warnings = selectors.warning_list(request.user, **{k: v for k, v in data.items() if v})
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.warnings_xlsx(warnings), _("预警执法.xlsx"))
    page = Paginator(warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/warnings/list.html",
        {
            "form": form,
            "page_obj": page,
            "warnings": page.object_list,
            # A row links to its case only for readers who may open it (one query for the page).
            "visible_cases": visible_case_ids(request.user, [w.case_id for w in page.object_list]),
            "query": request.GET.urlencode(),
            "can_issue": perms.can_issue(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def warning_issue(request: HttpRequest) -> HttpResponse:
    if not perms.can_issue(request.user):
        raise PermissionDenied
    form = WarningIssueForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        obj = d.get("object")
        party = (
            services.Party.of(obj, d.get("party_legal_rep", ""))
            if obj is not None
            else services.Party(
                kind=d["party_kind"],
                name=d["party_name"],
                id_number=d.get("party_id_number", ""),
                address=d.get("party_address", ""),
                phone=d.get("party_phone", ""),
                legal_rep=d.get("party_legal_rep", ""),
            )
        )
        try:
            warning = services.warning_issue(
                by=request.user,
                agency=d["agency"],
                matter=d["matter"],
                party=party,
                officers=list(d["officers"]),
                facts=d["facts"],
                conditions=d.get("conditions") or [],
                kind=d["kind"],
                issued_on=d["issued_on"],
                commitment_text=d.get("commitment_text", ""),
                commitment_file=d.get("commitment_file"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("预警 %(n)s 已出具。") % {"n": warning.number})
            return redirect("warnings:detail", warning.pk)
    return render(
        request,
        "enforcement/warnings/form.html",
        {
            "form": form,
            "title": _("出具预警（责令改正）"),
            "back": reverse("warnings:list"),
            "multipart": True,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def warning_page(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_get_for_user(request.user, pk)
    events = selectors.warning_events(warning)
    for e in events:
        e.label = event_label(warning, e.action, EVENT_LABELS)
    actions = [
        {
            "key": key,
            "label": WARNING_ACTIONS[key].label,
            "style": f"btn-{WARNING_ACTIONS[key].tone}",
            "url": reverse("warnings:action", args=[warning.pk, key]),
        }
        for key in WARNING_ACTIONS.available(warning, request.user)
    ]
    return render(
        request,
        "enforcement/warnings/detail.html",
        {
            "warning": warning,
            # The case it became, linked only for readers who may open it.
            "case": visible_case(request.user, warning.case_id),
            "events": events,
            "actions": actions,
            "officers": list(warning.officers.all()),
            "due": timezone.localtime(warning.correction_due_at),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def warning_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in WARNING_ACTIONS:
        raise Http404
    warning = selectors.warning_get_for_user(request.user, pk)
    if name not in WARNING_ACTIONS.available(warning, request.user):
        raise PermissionDenied
    form = WARNING_ACTIONS.form(name, warning, request.user, request.POST or None)
    label = WARNING_ACTIONS[name].label
    if request.method == "POST" and form.is_valid():
        try:
            WARNING_ACTIONS.perform(name, warning, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已完成“%(action)s”。") % {"action": label})
            return redirect("warnings:detail", warning.pk)
    return render(
        request,
        "enforcement/warnings/form.html",
        {
            "form": form,
            "title": label,
            "subtitle": f"{warning.number} · {warning.party_name}",
            "back": reverse("warnings:detail", args=[pk]),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def warning_print(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_get_for_user(request.user, pk)
    return render(request, "enforcement/warnings/print.html", {"warning": warning, "doc": notice_sections(warning)})


@require_GET
@login_required
def warning_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_get_for_user(request.user, pk)
    response = HttpResponse(notice_pdf(warning), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=_("责令改正通知书-%(n)s.pdf") % {"n": warning.number}
    )
    return response


@require_GET
@login_required
def commitment_file(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_get_for_user(request.user, pk)
    if not warning.commitment_file:
        raise Http404
    record_event(warning, "commitment_view", by=request.user)
    return serve_file(
        warning.commitment_file,
        filename=warning.commitment_name or None,
        as_attachment=request.GET.get("download") == "1",
    )


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@require_GET
@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = selectors.statistics(request.user, year)
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.statistics_xlsx(data), _("预警执法统计-%(y)s.xlsx") % {"y": year})
    return render(request, "enforcement/warnings/statistics.html", {**data, "years": range(year - 3, year + 2)})


@require_GET
@login_required
def warning_matter_list(request: HttpRequest) -> HttpResponse:
    """The county's warning list (预警执法事项清单), as administrators keep it in admin."""
    return render(request, "enforcement/warnings/matters.html", {"entries": list(selectors.warning_list_entries())})
