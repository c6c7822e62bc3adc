"""Inspection pages, mounted under /inspections/: objects, plans, records, the field page, joint visits, statistics.

Every object is fetched through a selector that applies the user's scope, so an
object outside it answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement.cases.links import visible_case
from enforcement.errors import DomainError
from enforcement.files import serve_file
from enforcement.forms import apply_domain_error
from enforcement.inspections import exports, selectors, services
from enforcement.inspections import permissions as perms
from enforcement.inspections.actions import RECORD_ACTIONS
from enforcement.inspections.choices import PlanStatus, RecordStatus, TaskStatus, VisitStatus
from enforcement.inspections.documents import record_pdf, record_sections
from enforcement.inspections.forms import (
    AttachmentForm,
    JointVisitForm,
    ObjectFilterForm,
    ObjectForm,
    ObjectImportForm,
    PlanFilterForm,
    PlanForm,
    RecordFilterForm,
    RecordForm,
)
from enforcement.inspections.importer import import_objects
from enforcement.inspections.models import RecordAttachment
from enforcement.workflow import record_event

PAGE_SIZE = 50
PDF = "application/pdf"


def _domain_error_message(request, exc: DomainError) -> None:
    messages.error(request, str(exc))


# --- objects -------------------------------------------------------------------------------------


def _object_filters(request) -> tuple[ObjectFilterForm, dict]:
    form = ObjectFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {k: v for k, v in data.items() if v}


@require_GET
@login_required
def object_list(request: HttpRequest) -> HttpResponse:
    form, filters = _object_filters(request)
    objects = selectors.object_list(request.user, **filters)
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.objects_xlsx(objects, request.user), _("检查对象名录.xlsx"))
    page = Paginator(objects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/inspections/object_list.html",
        {
            "form": form,
            "page_obj": page,
            "objects": page.object_list,
            "can_edit": perms.can_edit_objects(request.user),
            "query": request.GET.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def object_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_edit_objects(request.user):
        raise PermissionDenied
    form = ObjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            obj = services.object_create(
                by=request.user,
                domains=data.pop("domains"),
                matters=data.pop("matters"),
                conflicted_officers=data.pop("conflicted_officers"),
                **data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记检查对象“%(name)s”。") % {"name": obj.name})
            return redirect("inspections:object", obj.pk)
    return render(
        request,
        "enforcement/inspections/form.html",
        {"form": form, "title": _("登记检查对象"), "back": reverse("inspections:objects")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def object_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.object_get_for_user(request.user, pk)
    if not perms.can_edit_objects(request.user, obj.township_id):
        raise PermissionDenied
    form = ObjectForm(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.object_update(
                obj,
                by=request.user,
                domains=data.pop("domains"),
                matters=data.pop("matters"),
                conflicted_officers=data.pop("conflicted_officers"),
                **data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("inspections:object", obj.pk)
    return render(
        request,
        "enforcement/inspections/form.html",
        {"form": form, "title": _("修改检查对象"), "back": reverse("inspections:object", args=[pk])},
    )


@require_GET
@login_required
def object_page(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.object_get_for_user(request.user, pk)
    records = selectors.record_list(request.user).filter(object=obj)[:20]
    return render(
        request,
        "enforcement/inspections/object_detail.html",
        {
            "obj": obj,
            "records": records,
            "matters": list(obj.matters.all()),
            "domains": list(obj.domains.all()),
            "conflicted": list(obj.conflicted_officers.all()),
            "can_edit": obj.is_active and perms.can_edit_objects(request.user, obj.township_id),
            "can_inspect": obj.is_active and perms.can_inspect(request.user),
        },
    )


@require_POST
@login_required
def object_close(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.object_get_for_user(request.user, pk)
    try:
        services.object_close(obj, by=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        _domain_error_message(request, exc)
    else:
        messages.success(request, _("检查对象已注销，不再参加抽取。"))
    return redirect("inspections:object", pk)


@require_http_methods(["GET", "POST"])
@login_required
def object_import(request: HttpRequest) -> HttpResponse:
    if not perms.can_edit_objects(request.user):
        raise PermissionDenied
    form = ObjectImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_objects(upload, by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if report.ok:
                messages.success(request, report.summary())
                return redirect("inspections:objects")
    return render(
        request,
        "enforcement/inspections/object_import.html",
        {"form": form, "report": report},
        status=400 if report is not None and not report.ok else 200,
    )


# --- plans ---------------------------------------------------------------------------------------


@require_GET
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    plans = selectors.plan_list(request.user, status=data.get("status") or "", year=data.get("year"))
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/inspections/plan_list.html",
        {
            "form": form,
            "page_obj": page,
            "plans": page.object_list,
            "can_plan": perms.can_plan(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user)
    if not form.fields["lead_agency"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            plan = services.plan_create(
                by=request.user,
                lead_agency=data.pop("lead_agency"),
                matters=list(data.pop("matters")),
                agencies=list(data.pop("agencies")),
                townships=list(data.pop("townships")),
                officers=list(data.pop("officers")),
                **data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已创建抽查计划 %(n)s。") % {"n": plan.number})
            return redirect("inspections:plan", plan.pk)
    return render(
        request,
        "enforcement/inspections/form.html",
        {"form": form, "title": _("新建抽查计划"), "back": reverse("inspections:plans")},
    )


@require_GET
@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get_for_user(request.user, pk)
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.plan_xlsx(plan), f"{plan.number}.xlsx")
    manage = perms.can_manage_plan(plan, request.user)
    actions = []
    if manage:
        actions = {
            PlanStatus.DRAFT: [("draw", _("抽取对象和检查人员"), "primary")],
            PlanStatus.DRAWN: [("start", _("下达检查任务"), "primary"), ("reopen", _("退回草拟"), "outline-danger")],
            PlanStatus.IN_PROGRESS: [("publish", _("公示抽查结果"), "success")],
        }.get(plan.status, [])
    return render(
        request,
        "enforcement/inspections/plan_detail.html",
        {
            "plan": plan,
            "tasks": list(selectors.plan_tasks(plan)),
            "agencies": list(plan.agencies.all()),
            "matters": list(plan.matters.all()),
            "townships": list(plan.townships.all()),
            "actions": actions,
            "algorithm": services.DOC_ALGORITHM,
            "now": timezone.localdate(),
        },
    )


PLAN_STEPS = {
    "draw": services.plan_draw,
    "start": services.plan_start,
    "reopen": services.plan_reopen,
    "publish": services.plan_publish,
}


@require_POST
@login_required
def plan_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    plan = selectors.plan_get_for_user(request.user, pk)
    if name not in PLAN_STEPS:
        raise Http404
    if not perms.can_manage_plan(plan, request.user):
        raise PermissionDenied
    try:
        PLAN_STEPS[name](plan, by=request.user)
    except DomainError as exc:
        _domain_error_message(request, exc)
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("inspections:plan", pk)


@require_GET
@login_required
def plan_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Repeat the draw from the stored seed and say whether it matches."""
    plan = selectors.plan_get_for_user(request.user, pk)
    if plan.status == PlanStatus.DRAFT:
        raise Http404
    try:
        same, _stored, _again = services.draw_check(plan)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if same:
            messages.success(request, _("复核一致：按保存的随机种子重新抽取，结果与保存的抽取结果相同。"))
        else:
            messages.error(request, _("复核不一致：重新抽取的结果与保存的不同（检查对象或人员库已变化）。"))
    return redirect("inspections:plan", pk)


# --- records -------------------------------------------------------------------------------------


@require_GET
@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    form = RecordFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    records = selectors.record_list(request.user, **{k: v for k, v in data.items() if v})
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.records_xlsx(records), _("检查记录.xlsx"))
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/inspections/record_list.html",
        {
            "form": form,
            "page_obj": page,
            "records": page.object_list,
            "query": request.GET.urlencode(),
            "can_inspect": perms.can_inspect(request.user),
        },
    )


def _record_actions(record, user) -> list[dict]:
    return [
        {
            "key": key,
            "label": RECORD_ACTIONS[key].label,
            "style": f"btn-{RECORD_ACTIONS[key].tone}",
            "url": reverse("inspections:record-action", args=[record.pk, key]),
        }
        for key in RECORD_ACTIONS.available(record, user)
    ]


@require_GET
@login_required
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, pk)
    open_ = record.status == RecordStatus.OPEN and perms.can_handle_record(record, request.user)
    return render(
        request,
        "enforcement/inspections/record_detail.html",
        {
            "record": record,
            # The case it became, linked only for readers who may open it (a squadron sees the township's records).
            "case": visible_case(request.user, record.case_id),
            **selectors.record_detail_related(record),
            "actions": _record_actions(record, request.user),
            "attachment_form": AttachmentForm() if open_ else None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def record_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in RECORD_ACTIONS:
        raise Http404
    record = selectors.record_get_for_user(request.user, pk)
    if name not in RECORD_ACTIONS.available(record, request.user):
        raise PermissionDenied
    form = RECORD_ACTIONS.form(name, record, request.user, request.POST or None, request.FILES or None)
    label = RECORD_ACTIONS[name].label
    if request.method == "POST" and form.is_valid():
        try:
            RECORD_ACTIONS.perform(name, record, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已完成“%(action)s”。") % {"action": label})
            return redirect("inspections:record", record.pk)
    return render(
        request,
        "enforcement/inspections/form.html",
        {
            "form": form,
            "title": label,
            "subtitle": f"{record.number} · {record.object.name}",
            "back": reverse("inspections:record", args=[pk]),
            "multipart": any(f.widget.needs_multipart_form for f in form.fields.values()),
        },
    )


@require_POST
@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                record, by=request.user, file=form.cleaned_data["file"], description=form.cleaned_data["description"]
            )
        except DomainError as exc:
            _domain_error_message(request, exc)
        else:
            messages.success(request, _("附件已保存。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect("inspections:record", pk)


@require_GET
@login_required
def attachment_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, pk)
    att = RecordAttachment.objects.filter(pk=attachment_pk, record=record).first()
    if att is None:
        raise Http404
    record_event(record, "attachment_view", by=request.user, data={"attachment": att.pk})
    return serve_file(
        att.file,
        filename=att.name,
        content_type=att.content_type or None,
        as_attachment=request.GET.get("download") == "1",
    )


@require_GET
@login_required
def record_print(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, pk)
    return render(
        request, "enforcement/inspections/record_print.html", {"record": record, "doc": record_sections(record)}
    )


@require_GET
@login_required
def record_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, pk)
    response = HttpResponse(record_pdf(record), content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=_("现场检查笔录-%(n)s.pdf") % {"n": record.number}
    )
    return response


# --- the field page (phone) ----------------------------------------------------------------------


@require_GET
@login_required
def field(request: HttpRequest) -> HttpResponse:
    """现场检查: my spot-check tasks, planned joint visits of my agencies, and a search for any object."""
    if not perms.can_inspect(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    found = selectors.object_list(request.user, q=q).filter(is_active=True)[:20] if q else []
    visits = selectors.visit_list(request.user).filter(status=VisitStatus.PLANNED)[:20]
    return render(
        request,
        "enforcement/inspections/field.html",
        {
            "tasks": selectors.my_tasks(request.user)[:50],
            "visits": visits,
            "found": found,
            "q": q,
            "recent": selectors.record_list(request.user).filter(created_by=request.user)[:10],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def field_record(request: HttpRequest) -> HttpResponse:
    """The record form on a phone: for a task (?task=), a joint visit (?visit=) or an object (?object=)."""
    user = request.user
    task = visit = None
    if request.GET.get("task"):
        task = selectors.task_get_for_user(user, _int(request.GET["task"]))
        obj = task.object
        if task.status != TaskStatus.PENDING:
            messages.info(request, _("该抽查任务已记录检查结果。"))
            return redirect("inspections:field")
    elif request.GET.get("visit"):
        visit = selectors.visit_get_for_user(user, _int(request.GET["visit"]))
        obj = visit.object
    elif request.GET.get("object"):
        obj = selectors.object_get_for_user(user, _int(request.GET["object"]))
    else:
        raise Http404
    form = RecordForm(request.POST or None, user=user, obj=obj, task=task, visit=visit)
    if not form.fields["agency"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        joint = list(visit.agencies.all()) if visit else None
        try:
            record = services.record_create(
                by=user,
                object=obj,
                agency=d["agency"],
                officers=list(d["officers"]),
                findings=form.findings(joint),
                place=d["place"],
                started_at=d["started_at"],
                ended_at=d.get("ended_at"),
                signature_status=d["signature_status"],
                signature_note=d.get("signature_note", ""),
                outcome=d["outcome"],
                facts=d.get("facts", ""),
                present_person=d.get("present_person", ""),
                task=task,
                joint_visit=visit,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("检查记录 %(n)s 已保存。") % {"n": record.number})
            return redirect("inspections:record", record.pk)
    return render(
        request,
        "enforcement/inspections/field_record.html",
        {"form": form, "obj": obj, "task": task, "visit": visit, "matters": list(form.fields["matters"].queryset)},
        status=400 if form.errors else 200,
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- joint visits --------------------------------------------------------------------------------


@require_GET
@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = selectors.visit_list(request.user)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/inspections/visit_list.html",
        {"page_obj": page, "visits": page.object_list, "can_plan": perms.can_plan(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_create(request: HttpRequest) -> HttpResponse:
    form = JointVisitForm(request.POST or None, user=request.user)
    if not form.fields["lead_agency"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.joint_visit_create(
                by=request.user,
                object=d["object"],
                lead_agency=d["lead_agency"],
                agencies=list(d["agencies"]),
                planned_on=d["planned_on"],
                scenario=d.get("scenario"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("联合检查已安排。"))
            return redirect("inspections:visits")
    return render(
        request,
        "enforcement/inspections/form.html",
        {"form": form, "title": _("安排联合检查"), "back": reverse("inspections:visits")},
    )


@require_POST
@login_required
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(request.user, pk)
    try:
        services.joint_visit_cancel(visit, by=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        _domain_error_message(request, exc)
    else:
        messages.success(request, _("联合检查已取消。"))
    return redirect("inspections:visits")


# --- statistics ----------------------------------------------------------------------------------


@require_GET
@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    data = selectors.statistics(request.user, year)
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(exports.statistics_xlsx(data), _("检查统计-%(y)s.xlsx") % {"y": year})
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    return render(
        request,
        "enforcement/inspections/statistics.html",
        {**data, "month_dates": months, "years": range(year - 3, year + 2)},
    )
