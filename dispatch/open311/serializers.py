"""GeoReport v2 shapes of services and service requests (plain dicts, rendered as JSON or XML).

Only what the public may read goes out: the reporter's name, phone and
e-mail never do, free text is scrubbed of phone and ID numbers
(``dispatch.views_public.scrub``), and coordinates are rounded to 4 decimal
places (about 10 m), enough to find the problem without pinpointing the
house a complaint came from.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from dispatch.models import FINAL_STATES, Ticket, TicketCategory, TicketStatus
from dispatch.views_public import effective_ticket, public_status_label, scrub

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The spec limits descriptions to 4,000 characters.
MAX_DESCRIPTION = 4000
COORDINATE_DECIMALS = 4
SERVICE_TYPES = ("realtime", "batch", "blackbox")
# Timestamps a ticket may have been changed at (the latest is ``updated_datetime``).
STEP_FIELDS = ("received_at", "triaged_at", "assigned_at", "accepted_at", "started_at", "resolved_at",
               "verdict_at", "closed_at", "escalated_at")


def service_type() -> str:
    """``realtime`` (the request id comes back at once) unless a county chose ``batch`` (a token)."""
    value = getattr(settings, "OPEN311_SERVICE_TYPE", "realtime")
    return value if value in SERVICE_TYPES else "realtime"


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C-profile ISO 8601 timestamp with the Beijing offset, e.g. ``2026-05-01T09:30:00+08:00``."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def parse_w3c(value: str) -> dt.datetime:
    """Parse a W3C date-time (timezone required) or a complete date (midnight, Beijing time).

    Raises ValueError. A ``+`` in the offset that arrived as a space (an
    unencoded query string) is read as ``+``.
    """
    text = (value or "").strip()
    text = _SPACED_OFFSET.sub(r"+\1", text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "T" not in text and "t" not in text:
        day = parse_date(text)
        if day is None:
            raise ValueError(value)
        return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    moment = parse_datetime(text)
    if moment is None or timezone.is_naive(moment):
        raise ValueError(value)
    return moment


def service_dict(category: TicketCategory) -> dict:
    group = category.domain.name if category.domain_id else ""
    keywords = ", ".join(k for k in (category.name, group) if k)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": service_type(),
        "keywords": keywords,
        "group": group,
    }


def service_definition(category: TicketCategory) -> dict:
    # No category asks for extra fields yet (metadata false), so no attributes.
    return {"service_code": category.code, "attributes": []}


def open311_status(ticket: Ticket) -> str:
    """closed = closed, merged or dismissed; every other state is open."""
    return "closed" if ticket.status in FINAL_STATES else "open"


def status_notes(ticket: Ticket) -> str:
    label = public_status_label(ticket)
    if ticket.status == TicketStatus.MERGED and ticket.merged_into_id:
        # Closed as a duplicate (as other GeoReport servers report one), with the progress of the
        # ticket it joined: the client follows the request it filed, and the survivor may have come
        # in through a channel that Open311 does not list (a staff call, a township call).
        survivor = ticket.merged_into
        if survivor.merged_into_id:
            survivor = effective_ticket(survivor)
        return _("与工单 %(number)s 反映同一问题，已合并办理。合并后办理情况：%(progress)s") % {
            "number": ticket.merged_into.number, "progress": status_notes(survivor)}
    if ticket.status == TicketStatus.DISMISSED and ticket.dismiss_reason:
        return f"{label}：{scrub(ticket.dismiss_reason)}"
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and ticket.resolution:
        return f"{label}：{scrub(ticket.resolution)}"
    return label


def updated_at(ticket: Ticket) -> dt.datetime:
    if ticket.status in FINAL_STATES and ticket.closed_at:
        return ticket.closed_at
    return max(m for m in (getattr(ticket, f, None) for f in STEP_FIELDS) if m is not None)


def _coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def request_dict(ticket: Ticket, extras: dict | None = None) -> dict:
    """One service request as GET requests / GET request return it.

    ``extras`` is what the Open311 client sent that has no column (the
    intake event's data): ``media_url`` and ``address_id`` are public, its
    e-mail, device and account ids are not.
    """
    extras = extras or {}
    category = ticket.category
    return {
        "service_request_id": ticket.number,
        "status": open311_status(ticket),
        "status_notes": status_notes(ticket),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": scrub(ticket.description)[:MAX_DESCRIPTION],
        "agency_responsible": ticket.responsible_agency.name if ticket.responsible_agency_id else None,
        "service_notice": None,
        "requested_datetime": w3c(ticket.received_at),
        "updated_datetime": w3c(updated_at(ticket)),
        "expected_datetime": w3c(ticket.resolve_due),
        "address": ticket.place or None,
        "address_id": extras.get("address_id") or None,
        "zipcode": None,
        "lat": _coordinate(ticket.lat),
        "long": _coordinate(ticket.lng),
        "media_url": extras.get("media_url") or None,
    }
