"""Pages of the command platform: board, list and export, detail with actions, intake forms, inboxes, stats.

Views stay thin: reads through :mod:`dispatch.selectors` (``visible_to``: out
of scope answers 404), writes through :mod:`dispatch.services`; a service's
refusal is shown on the form that caused it (``apply_domain_error``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch import (
    exports,
    permissions,
    selectors,
    services,
    stats,
)
from dispatch.actions import TICKET_ACTIONS
from dispatch.filters import TicketFilter
from dispatch.forms import (
    PatrolReportForm,
    StaffIntakeForm,
    StatsForm,
    TownshipCallForm,
    styled_filter,
)
from dispatch.models import Ticket, TicketAttachment, TicketStatus
from dispatch.privacy import reporter_for
from enforcement.access import scope_for
from enforcement.api_base import CappedPaginator
from enforcement.errors import Conflict, DomainError
from enforcement.files import serve_file
from enforcement.forms import apply_domain_error
from enforcement.models import Grid
from enforcement.workflow import ensure_seen, event_label

LIST_PAGE_SIZE = 30
INBOX_LIMIT = 50
BOARD_LIST_LIMIT = 10

# Events written with record_event; transitions take their label from the model.
EVENT_LABELS = {
    "intake": _lazy("受理登记"),
    "attachment": _lazy("上传附件"),
    "urge": _lazy("催办"),
    "supervise": _lazy("督办"),
    "escalate": _lazy("升级"),
    "extension_request": _lazy("申请延期"),
    "extension_approve": _lazy("同意延期"),
    "extension_refuse": _lazy("不同意延期"),
    "co_handlers": _lazy("组织联合执法"),
    "co_feedback": _lazy("协办反馈"),
    "follow_up": _lazy("回访"),
    "converted_to_case": _lazy("转为案件线索"),
    "merged_in": _lazy("合并工单"),
}


# --- actions on the detail page (dispatch.actions.TICKET_ACTIONS) --------------------------------


def _form_for(action: str, ticket: Ticket, user, data=None, files=None):
    return TICKET_ACTIONS.form(action, ticket, user, data, files, prefix=action)


def _history_rows(ticket: Ticket) -> list[dict]:
    labels = dict(TicketStatus.choices)
    rows = []
    for event in selectors.history(ticket):
        label = event_label(ticket, event.action, EVENT_LABELS)
        rows.append({
            "event": event, "label": label, "changed": event.from_state != event.to_state,
            "from": labels.get(event.from_state, event.from_state), "to": labels.get(event.to_state, event.to_state),
        })
    return rows


def _detail_context(request: HttpRequest, ticket: Ticket, bound: tuple[str, object] | None = None) -> dict:
    user = request.user
    forms = []
    for name in TICKET_ACTIONS.available(ticket, user):
        form = bound[1] if bound and bound[0] == name else _form_for(name, ticket, user)
        spec = TICKET_ACTIONS[name]
        forms.append({"name": name, "label": spec.label, "form": form, "tone": spec.tone,
                      "multipart": spec.multipart, "confirm": spec.confirm, "open": bool(bound and bound[0] == name)})
    duplicates = []
    if permissions.is_command_centre(user) and ticket.status in (TicketStatus.NEW, TicketStatus.TRIAGED):
        duplicates = selectors.duplicate_candidates(ticket)
    return {
        "ticket": ticket,
        "reporter": reporter_for(user, ticket),
        "lookup_code": ticket.lookup_code if permissions.can_see_lookup_code(user, ticket) else "",
        "history": _history_rows(ticket),
        "action_forms": forms,
        "duplicates": duplicates,
        "pending_extension": selectors.pending_extension(ticket),
        "co_handlers": list(ticket.co_handlers.all()),
        "cases": selectors.cases_from(ticket, user),
        "attachments": list(ticket.attachments.all()),
        "now": timezone.now(),
    }


@require_GET
@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(request.user, pk)
    return render(request, "dispatch/ticket_detail.html", _detail_context(request, ticket))


@require_POST
@login_required
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(request.user, pk)
    spec = TICKET_ACTIONS.get(action)
    if spec is None:
        raise Http404
    try:
        # The state the actor saw when the page was drawn (every action form carries it).
        ensure_seen(ticket, request.POST.get("seen_status"))
    except Conflict as exc:
        messages.error(request, str(exc))
        return render(request, "dispatch/ticket_detail.html", _detail_context(request, ticket), status=exc.status)
    form = _form_for(action, ticket, request.user, request.POST, request.FILES)
    status, refusal = 400, None
    if form.is_valid():
        try:
            TICKET_ACTIONS.perform(action, ticket, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            status, refusal = exc.status, exc  # as the API answers: 403 wrong role or agency, 409 wrong state
        else:
            messages.success(request, _("已完成：%(action)s。") % {"action": spec.label})
            # After a merge or a return the actor may no longer see the ticket: go to the list then.
            if Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists():
                return redirect("dispatch:ticket-detail", ticket.pk)
            return redirect("dispatch:ticket-list")
    ticket = selectors.ticket_get_for_user(request.user, pk)
    if refusal is not None and action not in TICKET_ACTIONS.available(ticket, request.user):
        # The page draws the forms of the actions offered now only: say above it why this one was refused.
        messages.error(request, str(refusal))
    return render(request, "dispatch/ticket_detail.html", _detail_context(request, ticket, (action, form)),
                  status=status)


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    ticket = selectors.ticket_get_for_user(request.user, pk)
    attachment = TicketAttachment.objects.filter(ticket=ticket, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return serve_file(attachment.file, content_type=attachment.content_type, as_attachment=not attachment.is_image,
                      filename=attachment.original_name)


# --- lists -------------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> TicketFilter:
    return TicketFilter(request.GET or None, queryset=selectors.tickets_for(request.user).order_by("-received_at",
                                                                                                     "-id"))


@require_GET
@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    form = styled_filter(filterset)
    tickets = filterset.qs if filterset.is_bound and form.is_valid() else filterset.queryset
    # A capped count ("10000+") instead of counting up to a million matches on every page.
    page = CappedPaginator(tickets, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/ticket_list.html", {
        "filter_form": form, "page_obj": page, "tickets": page.object_list,
        "can_create": permissions.is_command_centre(request.user),
        "export_query": request.GET.urlencode(),
    })


@require_GET
@login_required
def ticket_export(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.form.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect("dispatch:ticket-list")
    tickets = filterset.qs if filterset.is_bound else filterset.queryset
    data, written, truncated = exports.ticket_workbook(tickets, full_reporter=permissions.is_command_centre(
        request.user))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return exports.xlsx_response(data, _("工单清单-%(stamp)s.xlsx") % {"stamp": stamp})


# --- board ---------------------------------------------------------------------------------------


@require_GET
@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The command centre's board: what waits for triage, what is late, by township."""
    scope = scope_for(request.user)
    if not scope.county_wide:
        return redirect("dispatch:ticket-list")
    counts, by_township = selectors.board_counts()
    return render(request, "dispatch/board.html", {
        "counts": counts,
        "by_township": by_township,
        "waiting": list(selectors.board_waiting()[:BOARD_LIST_LIMIT]),
        "late": list(selectors.board_late()[:BOARD_LIST_LIMIT]),
        "extensions": list(selectors.pending_extensions()[:BOARD_LIST_LIMIT]),
        "is_desk": permissions.is_command_centre(request.user),
    })


# --- inboxes ---------------------------------------------------------------------------------------


@require_GET
@login_required
def agency_inbox(request: HttpRequest) -> HttpResponse:
    """签收、办理: tickets assigned to the user's agencies, and joint inspections awaiting their feedback."""
    agency_ids = scope_for(request.user).agency_ids
    sections = [
        {"key": "to_accept", "title": _("待签收"),
         "tickets": list(selectors.agency_to_accept(agency_ids)[:INBOX_LIMIT])},
        {"key": "in_hand", "title": _("办理中"),
         "tickets": list(selectors.agency_in_hand(agency_ids)[:INBOX_LIMIT])},
        {"key": "co_feedback", "title": _("联合执法待反馈"),
         "tickets": list(selectors.co_feedback_due(agency_ids)[:INBOX_LIMIT])},
        {"key": "awaiting_verdict", "title": _("已办结待评价"),
         "tickets": list(selectors.agency_awaiting_verdict(agency_ids)[:INBOX_LIMIT])},
    ]
    return render(request, "dispatch/inbox.html", {"title": _("单位待办"), "sections": sections, "tab": "agency"})


@require_GET
@login_required
def township_inbox(request: HttpRequest) -> HttpResponse:
    """评价、跟踪: resolved tickets the township judges, and the township's own calls."""
    townships = permissions.township_member_ids(request.user)
    if not townships:
        raise PermissionDenied
    sections = [
        {"key": "to_judge", "title": _("待评价"),
         "tickets": list(selectors.township_to_judge(townships)[:INBOX_LIMIT])},
        {"key": "calls", "title": _("本乡镇发起的“街呼区应”"),
         "tickets": list(selectors.township_calls(townships)[:INBOX_LIMIT])},
        {"key": "territory", "title": _("辖区内办理中的工单"),
         "tickets": list(selectors.township_territory(townships)[:INBOX_LIMIT])},
    ]
    return render(request, "dispatch/inbox.html", {"title": _("乡镇待办"), "sections": sections, "tab": "township",
                                                   "can_call": True})


# --- intake pages ------------------------------------------------------------------------------------


def _intake_page(request, *, form_class, grids, template_title, run, template="dispatch/ticket_form.html",
                 extra=None):
    form = form_class(request.POST or None, request.FILES or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data["attachments"] = data.pop("attachments", [])
        try:
            ticket = run(data)
        except DomainError as exc:
            # The services name uploads "files"; these forms call the field "attachments".
            exc.fields = {("attachments" if k == "files" else k): v for k, v in exc.fields.items()}
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已登记工单 %(number)s。") % {"number": ticket.number})
            return redirect("dispatch:ticket-detail", ticket.pk)
    context = {"form": form, "title": template_title, **(extra or {})}
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    """坐席录入: the command centre records a phone call."""
    if not permissions.is_command_centre(request.user):
        raise PermissionDenied
    return _intake_page(
        request, form_class=StaffIntakeForm, grids=Grid.objects.select_related("township"),
        template_title=_("登记工单（坐席录入）"),
        run=lambda data: services.ticket_create_by_staff(by=request.user, **data),
    )


@require_http_methods(["GET", "POST"])
@login_required
def township_call(request: HttpRequest) -> HttpResponse:
    """街呼区应: a township officer asks the county to act."""
    townships = permissions.township_member_ids(request.user)
    if not townships:
        raise PermissionDenied
    return _intake_page(
        request, form_class=TownshipCallForm, grids=Grid.objects.filter(township_id__in=townships),
        template_title=_("发起“街呼区应”"),
        run=lambda data: services.ticket_file_township_call(by=request.user, **data),
    )


@require_http_methods(["GET", "POST"])
@login_required
def field_report(request: HttpRequest) -> HttpResponse:
    """The phone page of field officers: report what they find, and see what their unit must handle."""
    user = request.user
    scope = scope_for(user)
    if not permissions.is_field_officer(user):
        if Grid.objects.filter(member=user).exists():
            # Grid members without a field post report on their own page (dispatch.views_field).
            return redirect("dispatch:grid-report")
        raise PermissionDenied
    grids = Grid.objects.filter(Q(township_id__in=scope.township_ids) | Q(member=user))
    in_hand = list(selectors.agency_handling(scope.agency_ids)[:20])
    return _intake_page(
        request, form_class=PatrolReportForm, grids=grids, template_title=_("巡查上报"),
        run=lambda data: services.ticket_file_patrol_report(by=user, **data),
        template="dispatch/field.html", extra={"in_hand": in_hand},
    )


# --- statistics ----------------------------------------------------------------------------------------


def _default_period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today.replace(day=1), today


@require_GET
@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    start, end = _default_period()
    form = StatsForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    tickets = Ticket.objects.visible_to(request.user, listing=True)
    figures = stats.summary(tickets, start, end, _("合计"))
    agency_rows, township_rows, total = figures.agency_rows, figures.township_rows, figures.total
    if request.GET.get("format") == "xlsx":
        period = f"{start.isoformat()} ~ {end.isoformat()}"
        data = exports.stats_workbook(period, agency_rows, township_rows, total)
        return exports.xlsx_response(data, _("工单统计-%(period)s.xlsx") % {"period": period.replace(" ~ ", "_")})
    return render(request, "dispatch/stats.html", {
        "form": form, "start": start, "end": end, "agency_rows": agency_rows, "township_rows": township_rows,
        "total": total, "query": request.GET.urlencode(),
    })
