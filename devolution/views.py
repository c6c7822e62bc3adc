"""Internal pages of the devolution app: batches, items and reviews (powers: ``views_powers``).

Views stay thin: reads from :mod:`devolution.selectors` and :mod:`devolution.rules`,
writes from :mod:`devolution.services`, access from ``visible_to`` querysets
(out of scope: 404) and :mod:`devolution.permissions`.
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devolution import exports, permissions, selectors, services
from devolution.actions import BATCH_ACTIONS, ITEM_ACTIONS
from devolution.forms import (
    ITEM_FIELD_MAP,
    AgreementForm,
    AssessmentForm,
    BatchForm,
    ItemForm,
    PackageForm,
    StatutoryRecordForm,
)
from devolution.models import (
    EDITABLE_STATES,
    BatchItem,
    BatchStatus,
    Category,
    DevolutionBatch,
    ItemMode,
    ItemState,
)
from devolution.rules import blocking_problems, load_context, readiness_townships
from enforcement.access import get_visible_or_404
from enforcement.errors import DomainError
from enforcement.forms import apply_domain_error
from enforcement.models import Matter
from enforcement.workflow import event_label

BATCH_PAGE_SIZE = 30

# Events written with record_event (transitions take their label from the model).
EVENT_LABELS = {
    "create": _lazy("创建批次"),
    "update": _lazy("修改批次"),
    "item_add": _lazy("新增事项"),
    "item_update": _lazy("修改事项"),
    "item_remove": _lazy("移除事项"),
    "item_revoke": _lazy("撤销事项"),
    "package_create": _lazy("新建事项包"),
    "assessment": _lazy("录入专家评估"),
    "statutory_record": _lazy("录入依法下放材料"),
    "agreement": _lazy("录入委托协议"),
    "review": _lazy("审查意见"),
}


def _batch_or_404(request: HttpRequest, pk: int) -> DevolutionBatch:
    return get_visible_or_404(DevolutionBatch.objects.select_related("created_by", "approved_by"), request.user, pk=pk)


def _item_or_404(request: HttpRequest, pk: int) -> BatchItem:
    return get_visible_or_404(BatchItem.objects.select_related("batch", "matter"), request.user, pk=pk)


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_batches(request.user):
        raise PermissionDenied


# --- batches -------------------------------------------------------------------------------


@require_GET
@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = selectors.batches_for(request.user)
    status = request.GET.get("status", "")
    if status in BatchStatus.values:
        batches = batches.filter(status=status)
    page = Paginator(batches, BATCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "devolution/batch_list.html", {
        "page_obj": page, "batches": page.object_list, "statuses": BatchStatus.choices, "status": status,
        "can_create": permissions.can_manage_batches(request.user),
    })


@require_http_methods(["GET", "POST"])
@login_required
def batch_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已创建赋权批次“%(batch)s”。") % {"batch": batch})
            return redirect("devolution:batch-detail", batch.pk)
    return render(request, "devolution/batch_form.html", {"form": form, "batch": None})


@require_http_methods(["GET", "POST"])
@login_required
def batch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    _require_manager(request)
    initial = {
        "number": batch.number, "title": batch.title, "provincial_decision": batch.provincial_decision,
        "county_document_no": batch.county_document_no, "effective_date": batch.effective_date,
        "townships": list(batch.townships.all()),
    }
    form = BatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        townships = data.pop("townships")
        try:
            services.batch_update(batch, by=request.user, townships=townships, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("devolution:batch-detail", batch.pk)
    return render(request, "devolution/batch_form.html", {"form": form, "batch": batch})


# Where the batch page offers each action of BATCH_ACTIONS: a button posting to ``batch-action`` (no input),
# a link to the action's own form page, or (review) the form at the foot of the page. A reviewer returns a
# batch for changes with a "不同意" review; ``return_for_changes`` is the API's direct twin of that.
PAGE_BUTTONS = ("submit", "start_review", "approve", "publish", "enact")
PAGE_LINKS = {"withdraw": "devolution:batch-withdraw", "revoke": "devolution:batch-revoke"}


def _page_actions(available: list[str]) -> tuple[list, list]:
    buttons = [BATCH_ACTIONS[k] for k in available if k in PAGE_BUTTONS]
    links = [{"action": BATCH_ACTIONS[k], "url": name} for k, name in PAGE_LINKS.items() if k in available]
    return buttons, links


def _detail_context(request: HttpRequest, batch: DevolutionBatch) -> dict:
    user = request.user
    ctx = load_context(batch)
    editable = batch.is_editable
    problems = blocking_problems(batch, ctx=ctx) if batch.status in EDITABLE_STATES else []
    problems_by_item: dict[int, list[str]] = {}
    for p in problems:
        if p.item_id:
            problems_by_item.setdefault(p.item_id, []).append(p.message)
    required = readiness_townships(ctx)
    readiness_rows = [
        {"r": ctx.readiness[t.pk], "required": t.pk in required} for t in ctx.batch_townships if t.pk in ctx.readiness
    ]
    manage = permissions.can_manage_batches(user)
    rows = []
    for item in ctx.items:
        item_actions = ITEM_ACTIONS.available(item, user)
        rows.append({
            "item": item,
            "townships": list(item.townships.all()),
            "case_count": ctx.case_counts[item.pk],
            "problems": problems_by_item.get(item.pk, []),
            "can_review": "review" in item_actions,
            "can_revoke": "revoke" in item_actions,
            "statutory": {r.kind: r for r in item.statutory_records.all()},
        })
    available = BATCH_ACTIONS.available(batch, user)
    buttons, links = _page_actions(available)
    opinions = list(selectors.opinions_of(batch))
    return {
        "batch": batch,
        "townships": ctx.batch_townships,
        "rows": rows,
        "packages": list(batch.packages.order_by("name")),
        "agreements": ctx.agreements,
        "opinions": opinions,
        "problems": problems,
        "readiness_rows": readiness_rows,
        "actions": buttons,
        "action_links": links,
        "can_edit": editable and manage,
        "can_review_batch": "review" in available,
        "review_form": BATCH_ACTIONS.form("review", batch, user),
        "today": timezone.localdate(),
        "Category": Category,
        "ItemMode": ItemMode,
        "ItemState": ItemState,
    }


@require_GET
@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    return render(request, "devolution/batch_detail.html", _detail_context(request, batch))


@require_POST
@login_required
def batch_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A button of the batch page: an action of BATCH_ACTIONS that takes no input."""
    batch = _batch_or_404(request, pk)
    if action not in PAGE_BUTTONS:
        raise Http404
    label = str(BATCH_ACTIONS[action].label)
    form = BATCH_ACTIONS.form(action, batch, request.user, request.POST)
    form.is_valid()  # these actions take no required input (approve: an optional note)
    try:
        batch = BATCH_ACTIONS.perform(action, batch, by=request.user, data=form.cleaned_data)
    except DomainError as exc:
        # Show the refusal on the batch page itself: approval lists every blocking problem.
        fresh = _batch_or_404(request, pk)
        context = _detail_context(request, fresh)
        context["action_error"] = {"message": exc.message, "problems": exc.fields.get("problems", []),
                                   "label": label}
        return render(request, "devolution/batch_detail.html", context, status=exc.status)
    messages.success(request, _("已完成“%(action)s”。") % {"action": label})
    return redirect("devolution:batch-detail", batch.pk)


def _action_form_view(request: HttpRequest, table, key: str, obj, batch: DevolutionBatch, *, title: str,
                      warning: str = "") -> HttpResponse:
    """The form page of an action that needs input (withdraw, revoke): the table's form and its one service."""
    form = table.form(key, obj, request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            table.perform(key, obj, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已完成“%(action)s”。") % {"action": title})
            return redirect("devolution:batch-detail", batch.pk)
    extra = {"warning": warning} if warning else {}
    return render(request, "devolution/simple_form.html", {
        "form": form, "batch": batch, "title": title, "multipart": False, **extra,
    })


@require_http_methods(["GET", "POST"])
@login_required
def batch_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    return _action_form_view(request, BATCH_ACTIONS, "withdraw", batch, batch,
                             title=str(BATCH_ACTIONS["withdraw"].label))


@require_http_methods(["GET", "POST"])
@login_required
def batch_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    return _action_form_view(
        request, BATCH_ACTIONS, "revoke", batch, batch, title=str(BATCH_ACTIONS["revoke"].label),
        warning=_("整批撤销将自撤销日期起终止本批次写入的全部授权，并恢复原执法主体。"),
    )


def _review(request: HttpRequest, table, obj, *, done: str) -> None:
    """A review opinion posted from the batch page (on the batch or one item); the outcome as a message."""
    form = table.form("review", obj, request.user, request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审查意见。"))
        return
    try:
        table.perform("review", obj, by=request.user, data=form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


@require_POST
@login_required
def batch_review(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    _review(request, BATCH_ACTIONS, batch, done=_("已提交审查意见。"))
    return redirect("devolution:batch-detail", batch.pk)


# Labels of the keys services put in an event's data (services._common._event_data).
DATA_LABELS = {
    "number": _lazy("批次编号"), "title": _lazy("批次名称"), "item": _lazy("事项"), "items": _lazy("事项"),
    "category": _lazy("类别"), "mode": _lazy("方式"), "townships": _lazy("乡镇（街道）"), "package": _lazy("事项包"),
    "decision": _lazy("意见"), "department": _lazy("部门"), "kind": _lazy("材料"), "document_no": _lazy("文号"),
    "issued_on": _lazy("日期"), "assessed_on": _lazy("评估日期"), "conclusion": _lazy("结论"),
    "term_from": _lazy("期限起"), "term_to": _lazy("期限止"), "on": _lazy("日期"), "grants_ended": _lazy("终止授权数"),
    "grants_from": _lazy("授权起始日"), "effective_date": _lazy("生效日期"), "rationale": _lazy("理由"),
}


def _event_details(data: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in (data or {}).items():
        if value in (None, "", []):
            continue
        text = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
        out.append((str(DATA_LABELS.get(key, key)), text))
    return out


@require_GET
@login_required
def batch_history(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    states = dict(BatchStatus.choices)
    events = []
    for event in selectors.batch_history(batch):
        label = event_label(batch, event.action, EVENT_LABELS)
        events.append({"event": event, "label": label, "from": states.get(event.from_state, event.from_state),
                       "to": states.get(event.to_state, event.to_state),
                       "changed": event.from_state != event.to_state, "details": _event_details(event.data)})
    return render(request, "devolution/batch_history.html", {"batch": batch, "events": events})


@require_GET
@login_required
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    data = exports.batch_workbook(batch)
    return exports.xlsx_response(data, f"赋权批次-{batch.number}.xlsx")


# --- items ---------------------------------------------------------------------------------


def _guidance_matters():
    return Matter.objects.in_force().filter(in_guidance_catalogue=True).order_by("code").values_list("code", "name")


@require_http_methods(["GET", "POST"])
@login_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    _require_manager(request)
    form = ItemForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(batch, by=request.user, matter=form.cleaned_data["matter_code"], **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc, ITEM_FIELD_MAP)
        else:
            messages.success(request, _("已添加事项。"))
            if request.POST.get("again"):
                return redirect("devolution:item-create", batch.pk)
            return redirect("devolution:batch-detail", batch.pk)
    return render(request, "devolution/item_form.html", {
        "form": form, "batch": batch, "item": None, "suggestions": _guidance_matters(),
    })


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    batch = item.batch
    _require_manager(request)
    initial = {
        "matter_code": item.matter.code, "townships": list(item.townships.all()), "category": item.category,
        "mode": item.mode, "rationale": item.rationale, "entered_case_count_3y": item.entered_case_count_3y,
        "package": item.package_id, "hub_township": item.hub_township_id, "deferred_reason": item.deferred_reason,
        "review_date": item.review_date,
    }
    form = ItemForm(request.POST or None, batch=batch, initial=initial)
    form.fields["matter_code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item, by=request.user, **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc, ITEM_FIELD_MAP)
        else:
            messages.success(request, _("已保存事项，审查结论重置为“待审查”。"))
            return redirect("devolution:batch-detail", batch.pk)
    case_count = selectors.case_counts_3y([item])[item.pk]
    return render(request, "devolution/item_form.html",
                  {"form": form, "batch": batch, "item": item, "case_count": case_count})


@require_POST
@login_required
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    try:
        services.item_remove(item, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已移除事项“%(item)s”。") % {"item": item.label})
    return redirect("devolution:batch-detail", item.batch_id)


@require_POST
@login_required
def item_review(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    _review(request, ITEM_ACTIONS, item, done=_("已提交对事项“%(item)s”的审查意见。") % {"item": item.label})
    return redirect(reverse("devolution:batch-detail", args=[item.batch_id]) + f"#item-{item.pk}")


@require_http_methods(["GET", "POST"])
@login_required
def item_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    return _action_form_view(
        request, ITEM_ACTIONS, "revoke", item, item.batch, title=_("撤销事项“%(item)s”") % {"item": item.label},
        warning=_("撤销将自撤销日期起终止该事项的授权并恢复原执法主体；整体下放事项将连同其事项包一并撤销。"),
    )


def _multipart_view(request, batch, *, form, title, run, subtitle=""):
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存“%(what)s”。") % {"what": title})
            return redirect("devolution:batch-detail", batch.pk)
    return render(request, "devolution/simple_form.html", {
        "form": form, "batch": batch, "title": title, "subtitle": subtitle, "multipart": True,
    })


@require_http_methods(["GET", "POST"])
@login_required
def item_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    _require_manager(request)
    existing = getattr(item, "assessment", None)
    initial = {}
    if existing is not None:
        initial = {"assessed_on": existing.assessed_on, "experts": existing.experts,
                   "conclusion": existing.conclusion, "summary": existing.summary}
    form = AssessmentForm(request.POST or None, request.FILES or None, initial=initial)
    return _multipart_view(
        request, item.batch, form=form, title=_("专家评估"), subtitle=item.label,
        run=lambda data: services.assessment_save(item, by=request.user, **data),
    )


@require_http_methods(["GET", "POST"])
@login_required
def item_statutory(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    _require_manager(request)
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") else {}
    form = StatutoryRecordForm(request.POST or None, request.FILES or None, initial=initial)
    return _multipart_view(
        request, item.batch, form=form, title=_("依法下放材料"), subtitle=item.label,
        run=lambda data: services.statutory_record_save(item, by=request.user, **data),
    )


@require_http_methods(["GET", "POST"])
@login_required
def package_create(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    _require_manager(request)
    return _multipart_view(
        request, batch, form=PackageForm(request.POST or None), title=_("“一件事”事项包"),
        run=lambda data: services.package_create(batch, by=request.user, **data),
    )


@require_http_methods(["GET", "POST"])
@login_required
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    _require_manager(request)
    form = AgreementForm(request.POST or None, request.FILES or None, batch=batch)
    return _multipart_view(
        request, batch, form=form, title=_("委托协议"),
        run=lambda data: services.agreement_save(batch, by=request.user, **data),
    )
