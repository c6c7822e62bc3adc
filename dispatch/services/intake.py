"""Intake: every channel creates tickets through :func:`ticket_intake`.

:func:`ticket_intake` is the one entry point. It checks the data, not the
caller: who may file through which channel is the caller's decision. The
staff desk, township calls and patrol reports below check their users and
then call it; the public form, the hotline push API and Open311 call it
directly with ``by=None``. A hotline or Open311 push carries the source
system's id as ``external_ref``; a second push with the same
``(channel, external_ref)`` returns the first ticket (``created=False``)
instead of a duplicate, also when two pushes race (unique constraint).

The ticket's number comes from :mod:`dispatch.services.numbering`: a
PostgreSQL sequence per year, so intakes never wait for each other's commit;
numbers are unique but may skip where an intake rolled back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import permissions as perms
from dispatch import summary
from dispatch.models import (
    HOTLINE_CHANNELS,
    AttachmentKind,
    Channel,
    Priority,
    Ticket,
    TicketAttachment,
    TicketCategory,
)
from dispatch.selectors import prime_fresh_ticket
from dispatch.services.common import command_centre_users, notify_users
from dispatch.services.numbering import allocate_number, format_number
from dispatch.uploads import check_upload
from enforcement.access import scope_for
from enforcement.errors import PermissionRefused, ValidationFailed
from enforcement.models import TOWNSHIP_KINDS, Agency, Grid
from enforcement.workflow import NO_AGENCY, record_event

# Letters and digits that cannot be misread on a phone screen or over the phone.
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

__all__ = [
    "IntakeResult",
    "allocate_number",
    "attachment_add",
    "format_number",
    "ticket_create_by_staff",
    "ticket_file_patrol_report",
    "ticket_file_township_call",
    "ticket_intake",
]


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    # False when a push with the same (channel, external_ref) had already created it.
    created: bool


def new_lookup_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _i in range(6))


def _clean(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _validate(
    *, channel, description, priority, lat, lng, township, grid, category, reporter_phone, external_ref
) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        fields.setdefault(name, []).append(message)

    if channel not in Channel.values:
        add("channel", _("未知的来源渠道“%(channel)s”。") % {"channel": channel})
    if not description:
        add("description", _("请描述反映的问题。"))
    elif len(description) > 5000:
        add("description", _("问题描述不能超过 5000 字。"))
    if priority not in Priority.values:
        add("priority", _("未知的紧急程度“%(value)s”。") % {"value": priority})
    if (lat is None) != (lng is None):
        add("lat", _("经纬度须同时填写。"))
    if lat is not None and not -90 <= lat <= 90:
        add("lat", _("纬度须在 -90 至 90 之间。"))
    if lng is not None and not -180 <= lng <= 180:
        add("lng", _("经度须在 -180 至 180 之间。"))
    if township is not None and township.kind not in TOWNSHIP_KINDS:
        add("township", _("“%(name)s”不是乡镇或街道。") % {"name": township.name})
    if grid is not None and township is not None and grid.township_id != township.pk:
        add("grid", _("网格“%(grid)s”不属于%(township)s。") % {"grid": grid.name, "township": township.name})
    if category is not None and not category.is_active:
        add("category", _("问题类别“%(name)s”已停用。") % {"name": category.name})
    if reporter_phone and not all(c.isdigit() or c in "+- " for c in reporter_phone):
        add("reporter_phone", _("联系电话只能包含数字、空格、加号和连字符。"))
    if len(external_ref) > 64:
        add("external_ref", _("外部编号不能超过 64 个字符。"))
    return fields


def ticket_intake(
    *,
    channel: str,
    description: str,
    by=None,
    title: str = "",
    category: TicketCategory | None = None,
    priority: str = Priority.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    place: str = "",
    lat: float | None = None,
    lng: float | None = None,
    township: Agency | None = None,
    grid: Grid | None = None,
    submitted_by_agency: Agency | None = None,
    external_ref: str = "",
    received_at: dt.datetime | None = None,
    attachments: Iterable = (),
    note: str = "",
    event_data: dict | None = None,
    by_client_system: bool = False,
) -> IntakeResult:
    """Create a ticket from any channel, with its attachments and its first (public) event.

    ``township`` defaults to the grid's township. ``received_at`` (default
    now) is when the source received the report, e.g. the hotline's time.
    ``event_data`` adds source details that have no column (an Open311
    client's email, device id, media URL) to the intake event's data.
    ``by_client_system``: ``by`` is a client system's service account (the
    hotline push, Open311), which acts for no agency; the intake event then
    names none without working out the account's memberships.
    Raises ValidationFailed naming the fields at fault.
    """
    description = _clean(description)
    external_ref = _clean(external_ref)
    reporter_phone = _clean(reporter_phone)
    if township is None and grid is not None:
        township = grid.township
    lat = float(lat) if lat not in (None, "") else None
    lng = float(lng) if lng not in (None, "") else None
    fields = _validate(
        channel=channel, description=description, priority=priority, lat=lat, lng=lng, township=township,
        grid=grid, category=category, reporter_phone=reporter_phone, external_ref=external_ref,
    )
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)
    # A repeated (channel, external_ref) is caught by the unique constraint
    # below rather than looked up first: repeats are rare, and every new
    # ticket would pay for the look-up.
    # Check every file before writing anything.
    uploads = [(upload, check_upload(upload)) for upload in attachments]
    received = received_at or timezone.now()
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                number=allocate_number(received),
                lookup_code=new_lookup_code(),
                channel=channel,
                external_ref=external_ref,
                priority=priority,
                title=_clean(title)[:200],
                description=description,
                category=category,
                reporter_name=_clean(reporter_name)[:60],
                reporter_phone=reporter_phone[:30],
                place=_clean(place)[:300],
                lat=lat,
                lng=lng,
                township=township,
                grid=grid,
                submitted_by_agency=submitted_by_agency,
                created_by=by,
                received_at=received,
            )
            summary.count_new(ticket)  # the board's summary, in this transaction
            stored = [
                _store_attachment(ticket, upload, checked, kind=AttachmentKind.REPORT, by=by)
                for upload, checked in uploads
            ]
            intake_event = record_event(
                ticket, "intake", by=by, public=True,
                # A client system (hotline platform, Open311 client) acts for no agency.
                agency=submitted_by_agency if submitted_by_agency is not None else (
                    NO_AGENCY if by_client_system else None),
                note=note or _("已受理（%(channel)s）。") % {"channel": Channel(channel).label},
                data={**(event_data or {}), "channel": channel,
                      **({"external_ref": external_ref} if external_ref else {})},
            )
            if priority == Priority.EMERGENCY:
                notify_users(
                    command_centre_users(), ticket, reason="ticket.emergency",
                    title=_("特急工单 %(number)s 待分流") % {"number": ticket.number}, body=ticket.summary,
                    exclude=by,
                )
    except IntegrityError:
        if not external_ref:
            raise
        # Another push with the same reference won the race: answer with its ticket.
        existing = Ticket.objects.filter(channel=channel, external_ref=external_ref).first()
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    prime_fresh_ticket(ticket, attachments=stored, public_events=[intake_event])
    return IntakeResult(ticket, created=True)


# --- staff-facing intake --------------------------------------------------------------

STAFF_CHANNELS = (Channel.STAFF, *HOTLINE_CHANNELS)


def ticket_create_by_staff(*, by, channel: str = Channel.STAFF, **data) -> Ticket:
    """The command centre records a call (坐席录入) or re-keys a hotline ticket."""
    if not perms.is_command_centre(by):
        raise PermissionRefused(_("只有指挥中心调度员可以登记工单。"))
    if channel not in STAFF_CHANNELS:
        raise ValidationFailed(_("坐席只能登记电话来源的工单。"), field="channel")
    return ticket_intake(channel=channel, by=by, **data).ticket


def ticket_file_township_call(*, by, township: Agency | None = None, **data) -> Ticket:
    """A township asks the county to act (街呼区应): filed in the township's own name."""
    townships = perms.township_member_ids(by)
    if not townships:
        raise PermissionRefused(_("只有乡镇（街道）执法人员可以发起“街呼区应”。"))
    if township is None:
        if len(townships) > 1:
            raise ValidationFailed(_("您在多个乡镇（街道）任职，请选择以哪个乡镇（街道）发起。"), field="township")
        township = Agency.objects.get(pk=next(iter(townships)))
    elif township.pk not in townships:
        raise PermissionRefused(_("只能以本乡镇（街道）名义发起“街呼区应”。"), field="township")
    data.setdefault("priority", Priority.NORMAL)
    return ticket_intake(
        channel=Channel.TOWNSHIP_CALL, by=by, township=township, submitted_by_agency=township, **data
    ).ticket


def ticket_file_patrol_report(*, by, grid: Grid | None = None, township: Agency | None = None, **data) -> Ticket:
    """A field officer (or grid member) reports what they found on patrol, from a phone."""
    is_grid_member = grid is not None and grid.member_id == by.pk
    if not (perms.is_field_officer(by) or is_grid_member):
        raise PermissionRefused(_("只有执法队员和网格员可以上报巡查发现的问题。"))
    scope = scope_for(by)
    if township is None and grid is None and len(scope.township_ids) == 1:
        township = Agency.objects.get(pk=next(iter(scope.township_ids)))
    channel = Channel.GRID if is_grid_member else Channel.PATROL
    agency_id = scope.primary_agency_id
    return ticket_intake(
        channel=channel, by=by, grid=grid, township=township,
        submitted_by_agency=Agency.objects.filter(pk=agency_id).first() if agency_id else None, **data,
    ).ticket


# --- attachments ------------------------------------------------------------------------


def _store_attachment(ticket: Ticket, upload, checked, *, kind: str, by) -> TicketAttachment:
    attachment = TicketAttachment(
        ticket=ticket, original_name=checked.name, sha256=checked.sha256, size=checked.size,
        content_type=checked.content_type, kind=kind, uploaded_by=by, uploaded_at=timezone.now(),
    )
    upload.seek(0)
    attachment.file.save(f"{checked.sha256}.{checked.ext}", ContentFile(upload.read()), save=False)
    attachment.save()
    return attachment


def can_add_attachment(user, ticket: Ticket) -> bool:
    """Whoever works on the ticket: the command centre, the assignee, co-handlers, its township."""
    from dispatch.models import TicketCoHandler

    if perms.is_command_centre(user) or perms.is_member_of(user, ticket.responsible_agency_id):
        return True
    townships = perms.township_member_ids(user)
    if ticket.township_id in townships or ticket.submitted_by_agency_id in townships:
        return True
    if ticket.created_by_id is not None and ticket.created_by_id == user.pk:
        return True
    agency_ids = scope_for(user).agency_ids
    return TicketCoHandler.objects.filter(ticket=ticket, agency_id__in=agency_ids).exists()


def attachment_add(ticket: Ticket, upload, *, kind: str = AttachmentKind.REPORT, by) -> TicketAttachment:
    """Attach one file to a ticket (checked for size and type; content-hashed)."""
    if not can_add_attachment(by, ticket):
        raise PermissionRefused(_("您不能为该工单上传附件。"))
    if ticket.is_final:
        raise ValidationFailed(_("工单已结束，不能再上传附件。"), field="files")
    checked = check_upload(upload)
    with transaction.atomic():
        attachment = _store_attachment(ticket, upload, checked, kind=kind, by=by)
        record_event(ticket, "attachment", by=by, note=checked.name,
                     data={"sha256": checked.sha256, "kind": kind, "size": checked.size})
    return attachment


# --- from an inspection record (enforcement.inspections registers this as the record's "ticket" action) --------


def ticket_from_inspection(record, *, by, target: Agency, description: str = "") -> Ticket:
    """Hand what an inspection found to another agency: a patrol ticket for the command centre to dispatch.

    The ticket carries the record's number and the agency proposed; the record is closed with the
    ticket's id (``enforcement.inspections.services.record_mark_ticket``), in the same transaction.
    """
    from enforcement.inspections.permissions import can_handle_record
    from enforcement.inspections.services import record_mark_ticket

    if not can_handle_record(record, by):
        raise PermissionRefused(_("您不能处理该检查记录。"))
    if target.pk == record.agency_id:
        raise ValidationFailed(_("请选择其他单位：本单位发现的问题请直接处理或转为案件线索。"), field="target")
    text = _clean(description) or record.facts or record.object.name
    with transaction.atomic():
        ticket = ticket_intake(
            channel=Channel.PATROL, by=by, township=record.township, submitted_by_agency=record.agency,
            title=_("检查发现：%(object)s") % {"object": record.object.name}, place=record.place,
            description=_("%(text)s（检查记录 %(number)s，建议交办：%(agency)s）")
            % {"text": text, "number": record.number, "agency": target.name},
            event_data={"inspection_record": record.number, "proposed_agency": target.code},
        ).ticket
        record_mark_ticket(record, by=by, ticket_id=ticket.pk, note=target.name)
    return ticket
