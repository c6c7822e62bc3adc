"""Pages of coercive measures and of the enforcement of decisions.

Thin views: reads from :mod:`enforcement.coercion.selectors`, writes through
the action tables of :mod:`enforcement.coercion.actions` (as the API), scope
through ``visible_to`` (out of scope: 404).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from enforcement.access import get_visible_or_404, scope_for
from enforcement.api_base import CappedPaginator
from enforcement.cases.links import visible_case
from enforcement.coercion import documents, selectors
from enforcement.coercion import services as svc
from enforcement.coercion.actions import EXECUTION_ACTIONS, MEASURE_ACTIONS
from enforcement.coercion.forms import (
    ExecutionFilterForm,
    ExecutionForm,
    MeasureFilterForm,
    MeasureForm,
    acting_agencies,
)
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.coercion.rules import article
from enforcement.coercion.services import STEP_LABELS
from enforcement.errors import DomainError
from enforcement.forms import apply_domain_error
from enforcement.workflow import event_label

PAGE_SIZE = 30
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WARNING_BADGES = {"yellow": "text-bg-warning", "red": "text-bg-danger"}
EVENT_LABELS = {
    "create": gettext_lazy("登记"),
    "approve": gettext_lazy("负责人批准"),
    "extension_number": gettext_lazy("延长决定书编号"),
    "release_number": gettext_lazy("解除决定书编号"),
    "court_ruling": gettext_lazy("登记法院裁定"),
}


def _staff(request: HttpRequest) -> None:
    if not (request.user.is_superuser or scope_for(request.user).roles):
        raise PermissionDenied


def _rows(request, qs):
    return [
        {
            "obj": o,
            "party": selectors.party(request.user, o),
            "warning_badge": WARNING_BADGES.get(o.warning_level, ""),
            "warning_label": STEP_LABELS.get(o.warning_key, ""),
        }
        for o in qs
    ]


# --- measures -------------------------------------------------------------------------------------


@require_GET
@login_required
def measure_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = MeasureFilterForm(request.GET or None)
    page = CappedPaginator(selectors.measure_search(request.user, form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "enforcement/coercion/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": _rows(request, page.object_list),
            "can_create": acting_agencies(request.user).exists(),
        },
    )


@require_GET
@login_required
def measure_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (party masked as on the page)."""
    import openpyxl

    _staff(request)
    form = MeasureFilterForm(request.GET or None)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("行政强制措施"))
    sheet.append(
        [
            _("登记号"),
            _("决定书文号"),
            _("措施种类"),
            _("状态"),
            _("实施机关"),
            _("当事人"),
            _("地点"),
            _("实施时间"),
            _("期限届满"),
            _("延长天数"),
            _("解除日期"),
            _("物品数"),
            _("预警"),
        ]
    )
    for o in selectors.measure_search(request.user, form.filters()).iterator(chunk_size=500):
        party = selectors.party(request.user, o)
        sheet.append(
            [
                str(v)
                for v in (
                    o.number,
                    o.decision_number,
                    o.get_kind_display(),
                    o.get_status_display(),
                    o.agency.name,
                    party["name"],
                    o.place,
                    timezone.localtime(o.taken_at).strftime("%Y-%m-%d %H:%M") if o.taken_at else "",
                    o.ends_on.isoformat() if o.ends_on else "",
                    o.extension_days or "",
                    o.released_on.isoformat() if o.released_on else "",
                    o.item_count,
                    o.get_warning_level_display(),
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("行政强制措施-%(day)s.xlsx") % {"day": timezone.localdate().strftime("%Y%m%d")}
    )
    return response


@require_http_methods(["GET", "POST"])
@login_required
def measure_create(request: HttpRequest) -> HttpResponse:
    form = MeasureForm(request.POST or None, user=request.user)
    if not form.fields["agency"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            measure = svc.measure_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记行政强制措施 %(number)s。") % {"number": measure.number})
            return redirect("coercion:detail", measure.pk)
    return render(
        request,
        "enforcement/coercion/form.html",
        {"form": form, "title": _("登记查封、扣押"), "back": reverse("coercion:list")},
    )


def _actions(table, obj, user, url_name) -> list[dict]:
    return [
        {
            "key": key,
            "label": table[key].label,
            "style": f"btn-{table[key].tone}",
            "url": reverse(url_name, args=[obj.pk, key]),
        }
        for key in table.available(obj, user)
    ]


def _events(obj) -> list[dict]:
    return [{"event": e, "label": event_label(obj, e.action, EVENT_LABELS)} for e in selectors.history(obj)]


@require_GET
@login_required
def measure_page(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_detail(request.user, pk)
    return render(
        request,
        "enforcement/coercion/detail.html",
        {
            "m": measure,
            "case": visible_case(request.user, measure.case_id),
            "party": selectors.party(request.user, measure),
            "items": list(measure.items.all()),
            "officers": list(measure.measure_officers.all()),
            "events": _events(measure),
            "actions": _actions(MEASURE_ACTIONS, measure, request.user, "coercion:action"),
            "documents": [{"kind": k, "title": documents.title(measure, k)} for k in documents.available(measure)],
            "warning_badge": WARNING_BADGES.get(measure.warning_level, ""),
            "warning_label": STEP_LABELS.get(measure.warning_key, ""),
            "article_period": article("coercion_period"),
            "article_emergency": article("coercion_emergency"),
        },
    )


def _act(request, table, obj, name, *, detail_url, back):
    if name not in table:
        raise Http404
    if name not in table.available(obj, request.user):
        raise PermissionDenied
    form = table.form(name, obj, request.user, request.POST or None)
    label = table[name].label
    if request.method == "POST" and form.is_valid():
        try:
            table.perform(name, obj, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已完成“%(action)s”。") % {"action": label})
            return redirect(detail_url)
    return render(request, "enforcement/coercion/form.html", {"form": form, "title": label, "obj": obj, "back": back})


@require_http_methods(["GET", "POST"])
@login_required
def measure_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    measure = get_visible_or_404(CoerciveMeasure.objects.select_related("agency"), request.user, pk=pk)
    url = reverse("coercion:detail", args=[pk])
    return _act(request, MEASURE_ACTIONS, measure, name, detail_url=url, back=url)


def _document(request, obj, kind: str, pdf_name: str, pdf: bool) -> HttpResponse:
    if kind not in documents.available(obj):
        raise Http404
    if pdf:
        response = HttpResponse(documents.document_pdf(obj, kind), content_type=PDF)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=f"{documents.title(obj, kind)}-{obj.pk}.pdf"
        )
        return response
    return HttpResponse(documents.render_page(obj, kind, pdf_url=reverse(pdf_name, args=[obj.pk, kind])))


@require_GET
@login_required
def measure_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return _document(request, selectors.measure_detail(request.user, pk), kind, "coercion:document-pdf", False)


@require_GET
@login_required
def measure_document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return _document(request, selectors.measure_detail(request.user, pk), kind, "coercion:document-pdf", True)


@require_GET
@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    _staff(request)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return render(
        request,
        "enforcement/coercion/statistics.html",
        {
            "stats": selectors.statistics(request.user, year),
            "years": selectors.years_with_data(),
        },
    )


# --- enforcement of decisions ---------------------------------------------------------------------


@require_GET
@login_required
def execution_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = ExecutionFilterForm(request.GET or None)
    page = CappedPaginator(selectors.execution_search(request.user, form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "enforcement/coercion/executions.html",
        {
            "form": form,
            "page_obj": page,
            "rows": _rows(request, page.object_list),
            "can_create": acting_agencies(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def execution_create(request: HttpRequest) -> HttpResponse:
    form = ExecutionForm(request.POST or None, user=request.user)
    if not form.fields["agency"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            execution = svc.execution_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记强制执行 %(number)s。") % {"number": execution.number})
            return redirect("coercion:execution-detail", execution.pk)
    return render(
        request,
        "enforcement/coercion/form.html",
        {"form": form, "title": _("登记申请法院强制执行"), "back": reverse("coercion:executions")},
    )


@require_GET
@login_required
def execution_page(request: HttpRequest, pk: int) -> HttpResponse:
    execution = selectors.execution_detail(request.user, pk)
    return render(
        request,
        "enforcement/coercion/execution_detail.html",
        {
            "e": execution,
            "case": visible_case(request.user, execution.case_id),
            "party": selectors.party(request.user, execution),
            "events": _events(execution),
            "actions": _actions(EXECUTION_ACTIONS, execution, request.user, "coercion:execution-action"),
            "documents": [{"kind": k, "title": documents.title(execution, k)} for k in documents.available(execution)],
            "warning_badge": WARNING_BADGES.get(execution.warning_level, ""),
            "warning_label": STEP_LABELS.get(execution.warning_key, ""),
            "article_wait": article("coercion_court_wait"),
            "article_window": article("coercion_court_window"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def execution_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    execution = get_visible_or_404(Execution.objects.select_related("agency"), request.user, pk=pk)
    url = reverse("coercion:execution-detail", args=[pk])
    return _act(request, EXECUTION_ACTIONS, execution, name, detail_url=url, back=url)


@require_GET
@login_required
def execution_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return _document(
        request, selectors.execution_detail(request.user, pk), kind, "coercion:execution-document-pdf", False
    )


@require_GET
@login_required
def execution_document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return _document(
        request, selectors.execution_detail(request.user, pk), kind, "coercion:execution-document-pdf", True
    )
