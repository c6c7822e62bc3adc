"""The actions on a ticket (:data:`TICKET_ACTIONS`): which a user is offered now, with what form, through which service.

The ticket page's buttons and forms (``views.ticket_action``) and every
action route of the API (``POST /api/tickets/{id}/accept/`` ...,
``api.ACTION_ROUTES``) go through this one table: the same form validates
the input (the API's body too) and the same single service call runs it.
Which actions are offered is a coarse guide
(``permissions.available_actions``); the services check every rule again
and refuse with a domain error.

A run needs no request: whatever it looks up (the ticket to merge into, the
extension to decide) it finds from the acting user and the ticket.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dispatch import permissions, selectors, services
from dispatch.forms import (
    AssignForm,
    AttachForm,
    CoHandlersForm,
    ConvertToCaseForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    FeedbackForm,
    FollowUpForm,
    MergeForm,
    NoteForm,
    ReasonForm,
    RequiredNoteForm,
    ResolveForm,
    TriageForm,
    VerdictForm,
)
from dispatch.models import Ticket
from enforcement.actions import Action, ActionTable
from enforcement.errors import NotFound, ValidationFailed

NOT_VISIBLE = _("未找到该工单，或不在您的查看范围内。")


def merge_target(user, ref: str) -> Ticket:
    """The ticket to merge into, by its number (or, for API clients, its id), among those ``user`` sees."""
    ref = (ref or "").strip()
    try:
        return selectors.ticket_by_number_for_user(user, ref.upper())
    except Http404:
        pass
    if ref.isdigit():
        try:
            return selectors.ticket_get_for_user(user, int(ref))
        except Http404:
            pass
    raise ValidationFailed(NOT_VISIBLE, field="into", code="not_found")


def _merge(ticket: Ticket, *, by, data: dict):
    return services.ticket_merge(ticket, into=merge_target(by, data["into"]), by=by, note=data["note"])


def _decide_extension(ticket: Ticket, *, by, data: dict):
    extension = selectors.extension_of(ticket, data["extension"])
    if extension is None:
        raise NotFound(field="extension")
    return services.extension_decide(extension, by=by, approve=data["approve"], note=data["note"])


def _attach(ticket: Ticket, *, by, data: dict):
    return [services.attachment_add(ticket, upload, by=by) for upload in data["files"]]


def _with_ticket(ticket: Ticket, user) -> dict:
    return {"ticket": ticket}


# The one table of ticket actions: label, form, button tone and service, for the ticket page and the API alike,
# in the order the page offers them.
TICKET_ACTIONS = ActionTable([
    Action("triage", _("分流"), TriageForm, form_kwargs=_with_ticket,
           run=lambda t, *, by, data: services.ticket_triage(t, by=by, **data)),
    Action("assign", _("交办"), AssignForm, form_kwargs=_with_ticket,
           run=lambda t, *, by, data: services.ticket_assign(t, by=by, agency=data["agency"],
                                                             co_handlers=data["co_handlers"], note=data["note"])),
    Action("accept", _("签收"), NoteForm, tone="success",
           run=lambda t, *, by, data: services.ticket_accept(t, by=by, note=data["note"])),
    Action("start", _("开始处置"), NoteForm,
           run=lambda t, *, by, data: services.ticket_start(t, by=by, note=data["note"])),
    Action("resolve", _("办结反馈"), ResolveForm, tone="success",
           run=lambda t, *, by, data: services.ticket_resolve(t, by=by, resolution=data["resolution"],
                                                              files=data["files"])),
    Action("verdict", _("评价"), VerdictForm, tone="success",
           run=lambda t, *, by, data: services.ticket_verdict(t, by=by, accepted=data["accepted"],
                                                              score=data["score"], reason=data["reason"])),
    Action("return", _("退单"), ReasonForm, tone="outline-danger", confirm=_("确定退回指挥中心？"),
           run=lambda t, *, by, data: services.ticket_return(t, by=by, reason=data["reason"])),
    Action("co_feedback", _("协办反馈"), FeedbackForm,
           run=lambda t, *, by, data: services.co_handler_feedback(t, by=by, feedback=data["feedback"])),
    Action("extension_request", _("申请延期"), ExtensionRequestForm, tone="outline-primary",
           run=lambda t, *, by, data: services.extension_request(t, by=by, amount=data["amount"], unit=data["unit"],
                                                                 reason=data["reason"])),
    Action("extension_decide", _("审批延期"), ExtensionDecideForm, form_kwargs=_with_ticket, run=_decide_extension),
    Action("co_handlers", _("联合执法"), CoHandlersForm, tone="outline-primary", form_kwargs=_with_ticket,
           run=lambda t, *, by, data: services.set_co_handlers(t, list(data["agencies"]), by=by)),
    Action("urge", _("催办"), RequiredNoteForm, tone="outline-warning",
           run=lambda t, *, by, data: services.ticket_urge(t, by=by, note=data["note"])),
    Action("supervise", _("督办"), RequiredNoteForm, tone="outline-danger",
           run=lambda t, *, by, data: services.ticket_supervise(t, by=by, note=data["note"])),
    Action("escalate", _("升级"), ReasonForm, tone="outline-danger",
           run=lambda t, *, by, data: services.ticket_escalate(t, by=by, reason=data["reason"])),
    Action("convert_to_case", _("转为案件线索"), ConvertToCaseForm, tone="outline-secondary", form_kwargs=_with_ticket,
           run=lambda t, *, by, data: services.ticket_convert_to_case(t, by=by, **data)),
    Action("merge", _("合并"), MergeForm, tone="outline-secondary", run=_merge),
    Action("dismiss", pgettext_lazy("ticket action", "不予受理"), ReasonForm, tone="outline-danger",
           confirm=_("确定不予受理？"),
           run=lambda t, *, by, data: services.ticket_dismiss(t, by=by, reason=data["reason"])),
    Action("follow_up", _("回访"), FollowUpForm,
           run=lambda t, *, by, data: services.ticket_follow_up(t, by=by, satisfaction=data["satisfaction"],
                                                                note=data["note"])),
    Action("attach", _("上传附件"), AttachForm, tone="outline-secondary", run=_attach),
], available=lambda ticket, user: permissions.available_actions(user, ticket))


def register_inspection_ticket_action() -> None:
    """Offer "ticket to another agency" on open inspection records (called from ``DispatchConfig.ready``)."""
    from dispatch.forms import InspectionTicketForm
    from enforcement.inspections.actions import register_record_action

    def run(record, *, by, data):
        services.ticket_from_inspection(record, by=by, target=data["target"], description=data.get("description", ""))
        return record

    register_record_action(
        Action("ticket", _("移交其他单位"), InspectionTicketForm, run, tone="outline-primary",
               form_kwargs=lambda record, user: {"record": record, "user": user}),
        available=lambda record, user: True,
    )
