"""Ticket actions that are events rather than state changes of the ticket.

Urge (催办), supervise (督办), escalate, extension requests (延期申请) and their
decisions, co-handler feedback, follow-up (回访) and conversion to a case
lead. Each locks the ticket row, checks who acts and in which state, writes
its event with ``record_event`` and notifies through ``notify_many``, in one
transaction. An extension decision is also the extension's own transition
(``TicketExtension.approve`` / ``refuse`` through ``perform_transition``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import permissions as perms
from dispatch import summary
from dispatch.models import (
    HANDLING_STATES,
    PRIORITY_ORDER,
    ExtensionStatus,
    Satisfaction,
    Ticket,
    TicketCoHandler,
    TicketExtension,
    TicketStatus,
)
from dispatch.services.common import (
    agency_leaders,
    agency_members,
    command_centre_users,
    lock_ticket,
    notify_users,
)
from dispatch.sla import in_accept_stage, level_at, resolve_warn_at
from enforcement.cases.services.lifecycle import can_register_for, case_create_lead
from enforcement.errors import InvalidTransition, NotFound, PermissionRefused, ValidationFailed
from enforcement.models import CaseSource
from enforcement.workdays import Unit, deadline_for
from enforcement.workflow import perform_transition, record_event

__all__ = [
    "co_handler_feedback",
    "extension_decide",
    "extension_request",
    "ticket_convert_to_case",
    "ticket_escalate",
    "ticket_follow_up",
    "ticket_supervise",
    "ticket_urge",
]


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    return value


def _require_handling(ticket: Ticket, action: str) -> None:
    if ticket.status not in HANDLING_STATES:
        raise InvalidTransition(
            _("当前状态“%(state)s”下不能%(action)s。") % {"state": ticket.get_status_display(), "action": action}
        )


def _count_events(ticket: Ticket, action: str) -> int:
    from django.contrib.contenttypes.models import ContentType

    from enforcement.models import Event

    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(Ticket), object_id=ticket.pk, action=action
    ).count()


def _push(ticket: Ticket, *, by, action: str, note: str, label: str) -> Ticket:
    with transaction.atomic():
        locked = lock_ticket(ticket)
        _require_handling(locked, label)
        n = _count_events(locked, action) + 1
        record_event(locked, action, by=by, note=note, data={"n": n})
        notify_users(
            agency_members(locked.responsible_agency_id), locked, reason=f"ticket.{action}.{n}",
            title=_("%(label)s：工单 %(number)s") % {"label": label, "number": locked.number}, body=note, exclude=by,
        )
    return locked


def ticket_urge(ticket: Ticket, *, by, note: str) -> Ticket:
    """催办: the command centre, or the ticket's township, presses the assignee."""
    if not perms.can_urge(by, ticket):
        raise PermissionRefused(_("只有指挥中心或工单所属乡镇（街道）可以催办。"))
    note = _require_text(note, "note", _("请填写催办内容。"))
    return _push(ticket, by=by, action="urge", note=note, label=_("催办"))


def ticket_supervise(ticket: Ticket, *, by, note: str) -> Ticket:
    """督办: a formal push by the command centre on a late or important ticket."""
    if not perms.is_command_centre(by):
        raise PermissionRefused(_("只有指挥中心可以督办。"))
    note = _require_text(note, "note", _("请填写督办要求。"))
    return _push(ticket, by=by, action="supervise", note=note, label=_("督办"))


def ticket_escalate(ticket: Ticket, *, by, reason: str) -> Ticket:
    """Escalate: raise the priority one step and alert the command centre and the assignee's leaders.

    The deadlines already set stay: escalating asks for attention, it does not
    shorten a time limit the assignee was given.
    """
    if not (perms.is_command_centre(by) or perms.is_member_of(by, ticket.responsible_agency_id)):
        raise PermissionRefused(_("只有指挥中心或承办单位可以升级工单。"))
    reason = _require_text(reason, "reason", _("请填写升级理由。"))
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if not locked.is_open:
            raise InvalidTransition(_("工单已结束，不能升级。"))
        before = locked.priority
        index = PRIORITY_ORDER.index(before)
        after = PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]
        locked.priority = after
        locked.escalated_at = timezone.now()
        locked.save(update_fields=["priority", "escalated_at"])
        n = _count_events(locked, "escalate") + 1
        record_event(locked, "escalate", by=by, note=reason, data={"from": before, "to": after, "n": n})
        notify_users(
            [*command_centre_users(), *agency_leaders(locked.responsible_agency_id)], locked,
            reason=f"ticket.escalate.{n}", title=_("工单 %(number)s 已升级") % {"number": locked.number},
            body=reason, exclude=by,
        )
    return locked


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("请填写延长的时限。"), field="amount")
    if amount <= 0 or amount > 365:
        raise ValidationFailed(_("延长时限须大于 0 且不超过 365。"), field="amount")
    return amount


def extension_request(ticket: Ticket, *, by, amount, unit: str = Unit.WORKING_DAYS, reason: str) -> TicketExtension:
    """延期申请: the assignee asks for more time, before the resolve deadline passes."""
    if not perms.is_member_of(by, ticket.responsible_agency_id):
        raise PermissionRefused(_("只有承办单位可以申请延期。"))
    reason = _require_text(reason, "reason", _("请填写延期理由。"))
    amount = _amount(amount)
    if unit not in Unit.values:
        raise ValidationFailed(_("未知的时限单位。"), field="unit")
    if unit != Unit.WORKING_HOURS and amount != amount.to_integral_value():
        raise ValidationFailed(_("按日计算的时限须为整数。"), field="amount")
    now = timezone.now()
    with transaction.atomic():
        locked = lock_ticket(ticket)
        _require_handling(locked, _("申请延期"))
        if locked.resolve_due is not None and now > locked.resolve_due:
            raise InvalidTransition(_("办结期限已过，不能再申请延期，请尽快办结。"), code="extension_too_late")
        if TicketExtension.objects.filter(ticket=locked, status=ExtensionStatus.PENDING).exists():
            raise InvalidTransition(_("已有一项延期申请待审批，请等待指挥中心答复。"), code="extension_pending")
        extension = TicketExtension.objects.create(
            ticket=locked, amount=amount, unit=unit, reason=reason, requested_by=by, requested_at=now,
            previous_due=locked.resolve_due,
        )
        record_event(locked, "extension_request", by=by, note=reason,
                     data={"extension": extension.pk, "amount": str(amount), "unit": unit})
        notify_users(command_centre_users(), locked, reason=f"ticket.extension.{extension.pk}.requested",
                     title=_("工单 %(number)s 申请延期") % {"number": locked.number}, body=reason, exclude=by)
    return extension


def extension_decide(extension: TicketExtension, *, by, approve: bool, note: str = "") -> TicketExtension:
    """The command centre approves (moves the resolve deadline) or refuses an extension request.

    The decision is the extension's transition (``approve`` / ``refuse`` through
    ``perform_transition``: state, permission, the extension's own event
    pending → approved/refused). The ticket gets its ``extension_approve`` /
    ``extension_refuse`` event as well, because the ticket's history page reads
    the ticket's events only, and approval moves the ticket's deadline.
    """
    action = "approve" if approve else "refuse"
    note = (note or "").strip()
    now = timezone.now()
    with transaction.atomic():
        # The ticket first, then the extension (inside perform_transition): every ticket action
        # locks in that order, and holding the ticket serialises every decision on its extensions.
        ticket = lock_ticket(extension.ticket)
        # Re-read under the ticket lock: an extension decided meanwhile is then refused by the
        # transition table ("当前状态“已同意”下不能执行…"), not reported as a conflict.
        try:
            current = TicketExtension.objects.get(pk=extension.pk, ticket=ticket)
        except TicketExtension.DoesNotExist:
            raise NotFound() from None

        def apply(locked: TicketExtension):
            _require_handling(ticket, _("审批延期"))
            if not approve:
                return None
            new_due = deadline_for(ticket.resolve_due or now, locked.amount, locked.unit)
            ticket.resolve_due = new_due.at
            ticket.deadline_provisional = ticket.deadline_provisional or new_due.provisional
            if not in_accept_stage(ticket):  # not signed for yet: the light still runs against acceptance
                ticket.warn_at = resolve_warn_at(ticket, now)
            before = summary.ticket_key(ticket)  # the locked row's
            level = level_at(ticket, now)
            if level != ticket.warning_level:
                ticket.warning_level = level
                ticket.warning_changed_at = now
            ticket.save(update_fields=["resolve_due", "deadline_provisional", "warn_at", "warning_level",
                                       "warning_changed_at"])
            summary.record_move(before, summary.ticket_key(ticket))
            return new_due.at

        decided = perform_transition(current, action, by=by, note=note, data={"ticket": ticket.number},
                                     at=now, decision_note=note, apply=apply)
        record_event(ticket, f"extension_{action}", by=by, note=decided.decision_note,
                     data={"extension": decided.pk,
                           "previous_due": decided.previous_due.isoformat() if decided.previous_due else None,
                           "new_due": decided.new_due.isoformat() if decided.new_due else None})
        notify_users(
            agency_members(ticket.responsible_agency_id), ticket,
            reason=f"ticket.extension.{decided.pk}.decided",
            title=(_("工单 %(number)s 延期申请已同意") if approve else _("工单 %(number)s 延期申请未同意"))
            % {"number": ticket.number},
            body=decided.decision_note, exclude=by,
        )
    return decided


def co_handler_feedback(ticket: Ticket, *, by, feedback: str) -> TicketCoHandler:
    """A co-handling agency reports its part of a joint inspection (one feedback per agency, may be updated)."""
    feedback = _require_text(feedback, "feedback", _("请填写反馈内容。"))
    with transaction.atomic():
        locked = lock_ticket(ticket)
        rows = TicketCoHandler.objects.select_for_update().filter(ticket=locked, role=TicketCoHandler.Role.CO)
        row = next((r for r in rows if perms.is_member_of(by, r.agency_id)), None)
        if row is None:
            raise PermissionRefused(_("您所在单位不是本工单的协办单位。"))
        if locked.status not in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.ASSIGNED):
            raise InvalidTransition(_("当前状态“%(state)s”下不能反馈。") % {"state": locked.get_status_display()})
        row.feedback = feedback
        row.feedback_at = timezone.now()
        row.feedback_by = by
        row.save(update_fields=["feedback", "feedback_at", "feedback_by"])
        record_event(locked, "co_feedback", by=by, note=feedback, agency=row.agency)
        notify_users(agency_members(locked.responsible_agency_id), locked,
                     reason=f"ticket.co_feedback.{row.agency_id}",
                     title=_("协办单位已反馈：工单 %(number)s") % {"number": locked.number}, body=feedback, exclude=by)
    return row


def ticket_follow_up(ticket: Ticket, *, by, satisfaction: str, note: str = "") -> Ticket:
    """回访: the command centre asks the reporter afterwards and records the satisfaction (once)."""
    if not perms.is_command_centre(by):
        raise PermissionRefused(_("只有指挥中心可以回访。"))
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(_("请选择满意度。"), field="satisfaction")
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status != TicketStatus.CLOSED:
            raise InvalidTransition(_("工单办结后才能回访。"))
        if locked.followed_up_at is not None:
            raise InvalidTransition(_("该工单已回访。"), code="already_followed_up")
        locked.satisfaction = satisfaction
        locked.follow_up_note = (note or "").strip()
        locked.followed_up_at = timezone.now()
        locked.save(update_fields=["satisfaction", "follow_up_note", "followed_up_at"])
        record_event(locked, "follow_up", by=by, note=locked.follow_up_note,
                     data={"satisfaction": satisfaction})
    return locked


def ticket_convert_to_case(
    ticket: Ticket,
    *,
    by,
    title: str,
    party_kind: str,
    party_name: str,
    party_legal_rep: str = "",
    note: str = "",
) -> Ticket:
    """Register the ticket as a case lead (转为案件线索) and keep the link both ways.

    In one transaction: create the lead through
    ``enforcement.cases.services.lifecycle.case_create_lead`` in the name of the
    responsible agency (the ticket's matter, township, description, place and
    received day; ``source=ticket``, ``source_ticket_id``), set
    ``linked_case`` and write the ``converted_to_case`` event with the
    case's id and number. Any refusal (no matter, a missing title or party,
    an unknown party kind) leaves no case, no link and no event.

    Only the responsible agency, or the command centre, may do it, while the
    ticket is being handled or after it is resolved, and only once.

    Who registers the lead: an officer of the agency registers it as
    themselves, so the case's own rule (``can_register_for``) applies to them
    unchanged. A command-centre dispatcher is not an officer of that agency
    but may hand a ticket over for enforcement (统一指挥); the lead is then
    entered in the agency's register without a registrant
    (``Case.created_by`` empty) and the dispatcher is on record as the actor
    of this ticket's ``converted_to_case`` event, which the case points back
    to. Filing the case later still needs the agency's certified officers.
    """
    desk = perms.is_command_centre(by)
    if not (desk or perms.is_member_of(by, ticket.responsible_agency_id)):
        raise PermissionRefused(_("只有承办单位或指挥中心可以转为案件线索。"))
    with transaction.atomic():
        locked = lock_ticket(ticket)
        if locked.status not in (*HANDLING_STATES, TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise InvalidTransition(_("交办后才能转为案件线索。"))
        if locked.linked_case_id is not None or _count_events(locked, "converted_to_case"):
            raise InvalidTransition(_("该工单已转为案件线索。"), code="already_converted")
        if locked.matter_id is None:
            raise ValidationFailed(_("工单尚未确定执法事项，不能转为案件线索，请先分流。"), field="matter")
        agency = locked.responsible_agency
        registrant = by if (not desk or can_register_for(by, agency)) else None
        received_on = timezone.localdate(locked.received_at)
        case = case_create_lead(
            by=registrant, agency=agency, matter=locked.matter, township=locked.township, title=title,
            party_kind=party_kind, party_name=party_name, party_legal_rep=party_legal_rep or "",
            source=CaseSource.TICKET, source_ref=locked.number, source_ticket_id=locked.pk,
            facts=locked.description, place=locked.place[:200],  # Case.place is shorter than Ticket.place
            occurred_on=received_on, discovered_on=received_on,
        )
        locked.linked_case = case
        locked.save(update_fields=["linked_case"])
        record_event(locked, "converted_to_case", by=by, note=(note or "").strip(),
                     data={"case": case.pk, "case_number": case.number, "matter": locked.matter.code,
                           "agency": locked.responsible_agency_id})
    return locked


def open_extension_counts(ticket_ids) -> dict[int, int]:
    rows = (
        TicketExtension.objects.filter(ticket_id__in=list(ticket_ids), status=ExtensionStatus.PENDING)
        .values("ticket_id").annotate(n=Count("id"))
    )
    return {r["ticket_id"]: r["n"] for r in rows}
