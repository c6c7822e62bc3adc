"""One service per ticket transition; each goes through ``perform_transition``.

new → triaged (分流) → assigned (交办) → accepted (签收) → in_progress (处置)
→ resolved (办结反馈) → closed (评价认可) or back to in_progress (不认可).
Also: return (退单) to the command centre, dismiss (不予受理), merge duplicates.

Each service checks what needs other tables (who holds the matter, the SLA,
the policy), then calls ``perform_transition`` (through ``summary.transition``,
which moves the ticket in the board's summary in the same transaction), which
locks the row, checks state and permission, runs the transition method on the
locked row and writes the event; notifications are written in the same
transaction (their e-mails go out after commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import permissions as perms
from dispatch import summary
from dispatch.models import (
    FINAL_STATES,
    AttachmentKind,
    DispatchPolicy,
    Priority,
    Ticket,
    TicketCategory,
    TicketCoHandler,
    TicketStatus,
)
from dispatch.services.common import agency_members, command_centre_users, notify_users
from dispatch.services.intake import _store_attachment
from dispatch.sla import deadlines_for, enter_resolve_stage, warn_time
from dispatch.uploads import check_upload
from enforcement.access import grant, revoke
from enforcement.catalogue.powers import holder_of
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Agency, AgencyKind, Grid, Matter, MatterStatus
from enforcement.officers import require_certified
from enforcement.workflow import record_event

__all__ = [
    "Proposal",
    "propose_agency",
    "set_co_handlers",
    "ticket_accept",
    "ticket_assign",
    "ticket_dismiss",
    "ticket_merge",
    "ticket_resolve",
    "ticket_return",
    "ticket_start",
    "ticket_triage",
    "ticket_verdict",
]


@dataclass(frozen=True)
class Proposal:
    """Who the system proposes to handle a ticket, and why."""

    agency: Agency | None
    basis: str


def propose_agency(matter: Matter, township: Agency | None, on=None) -> Proposal:
    """The responsible agency for ``matter`` in ``township`` today, from ``holder_of``, with the reason."""
    answer = holder_of(matter, township, on=on or timezone.localdate())
    if answer is None:
        where = township.name if township is not None else _("全县")
        return Proposal(None, _("未找到事项“%(matter)s”在%(where)s的执法主体，请手工指定承办单位。")
                        % {"matter": matter.name, "where": where})
    squadron = field_unit_for(answer.agency, township)
    if squadron is not None:
        basis = _("%(via)s；由%(squadron)s承办") % {"via": answer.via_text, "squadron": squadron.name}
        return Proposal(squadron, basis)
    return Proposal(answer.agency, answer.via_text)


def field_unit_for(holder: Agency, township: Agency | None) -> Agency | None:
    """The squadron stationed in ``township`` when the bureau itself holds the matter.

    The bureau acts in a township through the squadron it stationed there
    (派驻中队), so a ticket on a transferred matter goes to that squadron.
    """
    if township is None or holder.kind != AgencyKind.BUREAU:
        return None
    return Agency.objects.active().filter(kind=AgencyKind.SQUADRON_STATIONED, stationed_in=township).order_by(
        "sort_order", "code").first()


def ticket_triage(
    ticket: Ticket,
    *,
    by,
    matter: Matter,
    township: Agency | None = None,
    grid: Grid | None = None,
    category: TicketCategory | None = None,
    priority: str | None = None,
    note: str = "",
) -> Ticket:
    """The dispatcher decides the matter (and township); the system proposes who handles it."""
    if matter is not None and matter.status != MatterStatus.IN_FORCE:
        raise ValidationFailed(
            _("执法事项“%(matter)s”当前为“%(status)s”状态，不能据此分流。")
            % {"matter": matter.name, "status": matter.get_status_display()},
            field="matter",
        )
    township = township if township is not None else (grid.township if grid is not None else ticket.township)
    if grid is None and ticket.grid_id is not None and ticket.grid.township_id == getattr(township, "pk", None):
        grid = ticket.grid
    if grid is not None and township is not None and grid.township_id != township.pk:
        raise ValidationFailed(_("网格“%(grid)s”不属于%(township)s。") % {"grid": grid.name, "township": township.name},
                               field="grid")
    if priority and priority not in Priority.values:
        raise ValidationFailed(_("未知的紧急程度。"), field="priority")
    proposal = propose_agency(matter, township) if matter is not None else Proposal(None, "")
    return summary.transition(
        ticket, "triage", by=by, note=note, at=timezone.now(), matter=matter, township=township, grid=grid,
        category=category, priority=priority, proposed_agency=proposal.agency, basis=proposal.basis,
        data={"matter": getattr(matter, "code", None), "proposed_agency": getattr(proposal.agency, "name", None),
              "basis": proposal.basis},
    )


def ticket_assign(
    ticket: Ticket,
    *,
    by,
    agency: Agency | None = None,
    co_handlers: Iterable[Agency] = (),
    note: str = "",
) -> Ticket:
    """Hand the ticket to the responsible agency (default: the proposed one) and set its deadlines.

    With ``co_handlers`` the ticket becomes a joint inspection: the
    responsible agency leads, the others each give feedback.
    """
    agency = agency or ticket.proposed_agency
    if agency is not None and not agency.is_active:
        raise ValidationFailed(_("“%(name)s”已停用，不能交办。") % {"name": agency.name}, field="agency")
    now = timezone.now()
    deadlines = deadlines_for(ticket, now)
    with transaction.atomic():
        assigned = summary.transition(
            ticket, "assign", by=by, note=note, public=True, at=now, handler=agency,
            accept_due=deadlines.accept_due, resolve_due=deadlines.resolve_due, warn_at=deadlines.warn_at,
            provisional=deadlines.provisional,
            data={"agency": getattr(agency, "name", None), "accept_due": deadlines.accept_due.isoformat(),
                  "resolve_due": deadlines.resolve_due.isoformat(), "provisional": deadlines.provisional,
                  "sla_rule": getattr(deadlines.rule, "pk", None)},
        )
        set_co_handlers(assigned, list(co_handlers), by=by, _record=bool(co_handlers))
        notify_users(
            agency_members(agency.pk), assigned, reason=f"ticket.assigned.{assigned.return_count}",
            title=_("新交办工单 %(number)s，请及时签收") % {"number": assigned.number}, body=assigned.summary,
            exclude=by,
        )
    return assigned


def set_co_handlers(ticket: Ticket, agencies: list[Agency], *, by, _record: bool = True) -> list[TicketCoHandler]:
    """Make ``agencies`` the co-handlers (协办) of a joint inspection led by the responsible agency.

    Members of each co-handling agency get a per-object grant (django-guardian)
    so they can see the ticket; agencies dropped from the list lose theirs.
    An empty list ends the joint inspection.
    """
    if not perms.is_command_centre(by):
        raise PermissionRefused(_("只有指挥中心可以组织联合执法。"))
    lead_id = ticket.responsible_agency_id
    wanted = {a.pk: a for a in agencies if a.pk != lead_id}
    if wanted and lead_id is None:
        raise InvalidTransition(_("请先交办承办单位（牵头单位），再添加协办单位。"))
    now = timezone.now()
    with transaction.atomic():
        current = {c.agency_id: c for c in TicketCoHandler.objects.select_for_update().filter(ticket=ticket)}
        dropped = []
        for agency_id, row in list(current.items()):
            keep = agency_id in wanted or (agency_id == lead_id and wanted)
            if keep and (row.role == TicketCoHandler.Role.LEAD) == (agency_id == lead_id):
                continue
            if row.role == TicketCoHandler.Role.CO:
                dropped.append(row)
                members = agency_members(agency_id)
                if members:
                    revoke_many("view_ticket", members, ticket)
            row.delete()
            del current[agency_id]
        rows: list[TicketCoHandler] = []
        if wanted:
            lead = current.get(lead_id) or TicketCoHandler.objects.create(
                ticket=ticket, agency_id=lead_id, role=TicketCoHandler.Role.LEAD, added_at=now
            )
            rows.append(lead)
            for agency_id, agency in wanted.items():
                row = current.get(agency_id)
                if row is None:
                    row = TicketCoHandler.objects.create(
                        ticket=ticket, agency=agency, role=TicketCoHandler.Role.CO, added_at=now
                    )
                    members = agency_members(agency_id)
                    if members:
                        grant("view_ticket", members, ticket)
                    notify_users(members, ticket, reason=f"ticket.co_handler.{agency_id}",
                                 title=_("请协办联合执法工单 %(number)s") % {"number": ticket.number},
                                 body=ticket.summary, exclude=by)
                rows.append(row)
        if _record and (wanted or dropped):
            record_event(ticket, "co_handlers", by=by,
                         note="、".join(a.name for a in wanted.values()) or _("取消联合执法"),
                         data={"agencies": sorted(wanted)})
    return rows


def revoke_many(perm: str, users: list, ticket: Ticket) -> None:
    for user in users:
        revoke(perm, user, ticket)


def ticket_accept(ticket: Ticket, *, by, note: str = "") -> Ticket:
    """签收: a member of the responsible agency takes the ticket."""
    return summary.transition(ticket, "accept", by=by, note=note, public=True, at=timezone.now(),
                              restage=enter_resolve_stage)


def ticket_start(ticket: Ticket, *, by, note: str = "") -> Ticket:
    return summary.transition(ticket, "start", by=by, note=note, at=timezone.now())


def ticket_resolve(ticket: Ticket, *, by, resolution: str, files: Iterable = ()) -> Ticket:
    """办结反馈: the result and photos; only a certified officer of the lead agency may resolve.

    Administrative Penalty Law art. 42: enforcement is done by officers who
    hold a valid enforcement certificate.
    """
    if perms.is_member_of(by, ticket.responsible_agency_id):
        require_certified(by)
    uploads = [(f, check_upload(f)) for f in files]
    missing = list(
        TicketCoHandler.objects.filter(ticket=ticket, role=TicketCoHandler.Role.CO, feedback_at__isnull=True)
        .select_related("agency").values_list("agency__name", flat=True)
    )
    now = timezone.now()
    with transaction.atomic():
        resolved = summary.transition(
            ticket, "resolve", by=by, public=True, at=now, resolution=resolution or "", missing_feedback=missing,
            note=(resolution or "").strip()[:2000],
        )
        for upload, checked in uploads:
            _store_attachment(resolved, upload, checked, kind=AttachmentKind.FEEDBACK, by=by)
        judge_id = perms.verdict_agency_id(resolved)
        judges = agency_members(judge_id) if judge_id else command_centre_users()
        notify_users(judges, resolved, reason=f"ticket.resolved.{resolved.reopen_count}",
                     title=_("工单 %(number)s 已办结，请评价") % {"number": resolved.number},
                     body=resolved.resolution[:500], exclude=by)
    return resolved


def ticket_verdict(ticket: Ticket, *, by, accepted: bool, score: int | None = None, reason: str = "") -> Ticket:
    """The ticket's township judges the result: accept with a score 1-5 (closes), or reject with a reason.

    A rejected ticket goes back to the same agency to be handled again (重办)
    within a fresh resolve limit from the ticket's SLA rule, counted from the
    rejection: the first round met or missed its own deadline (``overdue``
    keeps that), and the second round is judged against its own, rather than
    turning red at once against a deadline that passed while the township
    was judging.
    """
    now = timezone.now()
    with transaction.atomic():
        if accepted:
            return summary.transition(ticket, "close", by=by, public=True, at=now, score=score, reason=reason or "",
                                      note=reason or "", data={"score": score})
        again = deadlines_for(ticket, now)
        reopened = summary.transition(
            ticket, "reopen", by=by, public=True, at=now, reason=reason or "", note=reason or "",
            resolve_due=again.resolve_due, provisional=again.provisional,
            warn_at=warn_time(now, again.resolve_due, unit=again.resolve_unit),
            data={"resolve_due": again.resolve_due.isoformat(), "provisional": again.provisional},
        )
        notify_users(agency_members(reopened.responsible_agency_id), reopened,
                     reason=f"ticket.reopened.{reopened.reopen_count}",
                     title=_("工单 %(number)s 评价未通过，请重新办理") % {"number": reopened.number},
                     body=reopened.verdict_reason, exclude=by)
        return reopened


def ticket_return(ticket: Ticket, *, by, reason: str) -> Ticket:
    """退单: the assignee sends the ticket back to the command centre, within the window and the limit."""
    policy = DispatchPolicy.load()
    with transaction.atomic():
        agency_name = ticket.responsible_agency.name if ticket.responsible_agency_id else ""
        returned = summary.transition(
            ticket, "return_to_dispatch", by=by, note=reason or "", at=timezone.now(), reason=reason or "",
            max_returns=policy.max_returns, window_days=policy.return_window_working_days,
            data={"agency": agency_name},
        )
        notify_users(command_centre_users(), returned, reason=f"ticket.returned.{returned.return_count}",
                     title=_("工单 %(number)s 被%(agency)s退回") % {"number": returned.number, "agency": agency_name},
                     body=reason, exclude=by)
    return returned


def ticket_dismiss(ticket: Ticket, *, by, reason: str) -> Ticket:
    """不予受理: not a matter for enforcement (with the reason the reporter will read)."""
    return summary.transition(ticket, "dismiss", by=by, public=True, note=reason or "", at=timezone.now(),
                              reason=reason or "")


def ticket_merge(duplicate: Ticket, *, into: Ticket, by, note: str = "") -> Ticket:
    """Close ``duplicate`` as merged into ``into`` (the survivor), which must still be open.

    The merge event is public on both tickets, so a reporter of the duplicate
    follows the survivor's public progress (``selectors.public_timeline``).
    """
    if into.pk == duplicate.pk:
        raise ValidationFailed(_("不能把工单合并到它自己。"), field="into")
    with transaction.atomic():
        survivor = Ticket.objects.select_for_update().get(pk=into.pk)
        if survivor.status in FINAL_STATES:
            raise InvalidTransition(
                _("工单 %(number)s 已结束（%(state)s），不能作为合并目标。")
                % {"number": survivor.number, "state": survivor.get_status_display()},
                field="into",
            )
        previous_agency = duplicate.responsible_agency_id if duplicate.status == TicketStatus.ASSIGNED else None
        merged = summary.transition(
            duplicate, "merge", by=by, public=True, at=timezone.now(), into=survivor,
            note=note or _("与工单 %(number)s 反映同一问题，合并办理。") % {"number": survivor.number},
            data={"into": survivor.number},
        )
        record_event(survivor, "merged_in", by=by, public=True,
                     note=_("工单 %(number)s 并入本单办理。") % {"number": merged.number},
                     data={"from": merged.number})
        if previous_agency:
            notify_users(agency_members(previous_agency), merged, reason="ticket.merged",
                         title=_("工单 %(number)s 已合并至 %(into)s，无需再办")
                         % {"number": merged.number, "into": survivor.number}, exclude=by)
    return merged
