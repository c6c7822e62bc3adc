"""The public side of tickets (no login): the report form, its receipt, and the progress lookup.

A member of the public files a report (channel ``public_web``) through the
one intake service, gets a ticket number and a lookup code, and later reads
the ticket's status and its *public* events only (``Event.is_public``), with
personal data masked and no officer's name (ARCHITECTURE.md "Permissions":
public pages always mask). The reporter of a ticket merged into another one
follows the survivor's public progress (``selectors.public_timeline``).

Against abuse: at most ``PUBLIC_REPORT_RATE`` reports per client address per
hour (cache counters), a honeypot field that bots fill (they are told their
report was received, and nothing is created), and a minimum fill time.

The presentation helpers here (:func:`public_status_label`,
:func:`public_events`, :func:`scrub`) are also what the hotline status API
and Open311 show other systems, so every outside reader sees the same thing.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from dispatch import selectors
from dispatch.forms_public import PublicReportForm, TrackForm, seconds_since_started, sign_started
from dispatch.models import Channel, Ticket, TicketStatus
from dispatch.privacy import mask_name, mask_phone
from dispatch.services.intake import format_number, new_lookup_code, ticket_intake
from enforcement.errors import DomainError

logger = logging.getLogger(__name__)

RECEIPT_SALT = "dispatch.public-report.receipt"
RATE_WINDOW_SECONDS = 3600
MAX_MERGE_DEPTH = selectors.MAX_MERGE_DEPTH

# --- what outsiders see ------------------------------------------------------------------

# The states as the public reads them: no internal steps (triage vs. assignment).
PUBLIC_STATUS = {
    TicketStatus.NEW: _lazy("已受理，正在分派"),
    TicketStatus.TRIAGED: _lazy("已受理，正在分派"),
    TicketStatus.ASSIGNED: _lazy("已交办承办单位"),
    TicketStatus.ACCEPTED: _lazy("正在办理"),
    TicketStatus.IN_PROGRESS: _lazy("正在办理"),
    TicketStatus.RESOLVED: _lazy("已办理，正在核实"),
    TicketStatus.CLOSED: _lazy("已办结"),
    TicketStatus.MERGED: _lazy("已合并办理"),
    TicketStatus.DISMISSED: _lazy("不予受理"),
}
PUBLIC_EVENT_LABELS = {
    "intake": _lazy("受理"),
    "assign": _lazy("交办承办单位"),
    "accept": _lazy("承办单位签收"),
    "resolve": _lazy("办理结果反馈"),
    "close": _lazy("办结"),
    "reopen": _lazy("重新办理"),
    "dismiss": _lazy("不予受理"),
    "merge": _lazy("合并办理"),
    "merged_in": _lazy("合并办理"),
}
# Only these events' notes are written for the reporter (the result, the reason for
# not accepting, the merge). Notes of other public events (a dispatcher's remark on
# assignment, a township's verdict reason) are internal and never shown.
PUBLIC_NOTE_ACTIONS = frozenset({"intake", "resolve", "dismiss", "merge", "merged_in"})

# Resident identity card numbers (18 characters), mobile and landline numbers.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})(?!\d)")


def scrub(text: str) -> str:
    """Mask identity card and phone numbers written into free text (descriptions, results)."""
    if not text:
        return ""
    text = _ID_NUMBER.sub(lambda m: m.group(0)[:6] + "*" * 8 + m.group(0)[-4:], text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def effective_ticket(ticket: Ticket) -> Ticket:
    """The ticket whose progress the reporter follows: the end of a merge chain."""
    current, depth = ticket, 0
    while current.merged_into_id and depth < MAX_MERGE_DEPTH:
        survivor = Ticket.objects.select_related("responsible_agency", "merged_into").filter(
            pk=current.merged_into_id
        ).first()
        if survivor is None:
            break
        current, depth = survivor, depth + 1
    return current


def public_status_label(ticket: Ticket) -> str:
    return str(PUBLIC_STATUS.get(ticket.status, ticket.get_status_display()))


def public_events(ticket: Ticket) -> list[dict]:
    """The public timeline (this ticket's public events, then its survivor's), outsider-safe.

    No actor, no internal notes, numbers masked; an assignment names the agency only.
    """
    rows = []
    for event in selectors.public_timeline(ticket):
        label = PUBLIC_EVENT_LABELS.get(event.action)
        if label is None:
            continue
        note = scrub(event.note) if event.action in PUBLIC_NOTE_ACTIONS else ""
        agency = ""
        if event.action == "assign":
            agency = str((event.data or {}).get("agency") or "")
        rows.append({"at": event.at, "action": event.action, "label": str(label), "note": note, "agency": agency})
    return rows


def public_view(ticket: Ticket) -> dict:
    """Everything the lookup page shows about ``ticket``: its own report (masked) and its progress."""
    current = effective_ticket(ticket)
    return {
        "number": ticket.number,
        "received_at": ticket.received_at,
        "category": ticket.category.name if ticket.category_id else "",
        "place": ticket.place,
        "description": scrub(ticket.description),
        "reporter_name": mask_name(ticket.reporter_name),
        "reporter_phone": mask_phone(ticket.reporter_phone),
        "status": current.status,
        "status_label": public_status_label(current),
        "is_final": current.is_final,
        "merged_into": current.number if current.pk != ticket.pk else "",
        "agency": current.responsible_agency.name if current.responsible_agency_id else "",
        "resolution": scrub(current.resolution) if current.status in (TicketStatus.RESOLVED,
                                                                      TicketStatus.CLOSED) else "",
        "dismiss_reason": scrub(current.dismiss_reason) if current.status == TicketStatus.DISMISSED else "",
        "events": public_events(ticket),
    }


# --- abuse limits -------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one the trusted reverse proxies saw.

    With ``PUBLIC_REPORT_PROXY_COUNT`` = n proxies in front of the app, the
    n-th address from the right of X-Forwarded-For is the client's; anything
    left of it was written by the client and cannot be trusted.
    """
    proxies = int(getattr(settings, "PUBLIC_REPORT_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_key(bucket: str, address: str) -> str:
    return f"dispatch:public:{bucket}:{address}"


def rate_count(bucket: str, address: str) -> int:
    return int(cache.get(_rate_key(bucket, address)) or 0)


def rate_hit(bucket: str, address: str) -> int:
    """Count one hit in the current hour-long window (the window starts at the first hit)."""
    key = _rate_key(bucket, address)
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        return 1


def rate_reset(bucket: str, address: str) -> None:
    cache.delete(_rate_key(bucket, address))


def report_limit() -> int:
    return int(getattr(settings, "PUBLIC_REPORT_RATE", 5))


def track_failure_limit() -> int:
    return int(getattr(settings, "PUBLIC_REPORT_TRACK_FAILURES", 20))


# --- receipts ------------------------------------------------------------------------------


def receipt_token(number: str, code: str) -> str:
    """A signed token that stands for "number + lookup code" (the reporter's private link)."""
    return signing.dumps({"n": number, "c": code}, salt=RECEIPT_SALT)


def _read_token(token: str) -> tuple[str, str]:
    try:
        data = signing.loads(token, salt=RECEIPT_SALT)
        return str(data["n"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError):
        raise Http404(_("链接无效。")) from None


def _find(number: str, code: str) -> Ticket | None:
    """The public-web-visible ticket with this number and lookup code (constant-time code check)."""
    ticket = (
        Ticket.objects.select_related("category", "responsible_agency", "merged_into")
        .filter(number=number).exclude(lookup_code="").first()
    )
    if ticket is None or not secrets.compare_digest(ticket.lookup_code.upper(), code.upper()):
        return None
    return ticket


# --- pages -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """我要举报: the public report form."""
    address = client_address(request)
    limit = report_limit()
    if request.method == "POST":
        if rate_count("report", address) >= limit:
            return _report_refused(request, limit)
        form = PublicReportForm(request.POST, request.FILES)
        elapsed = seconds_since_started(request.POST.get("started", ""))
        if form.is_spam_trap_filled or elapsed is None:
            # A bot: it is told its report was received, and nothing is created.
            rate_hit("report", address)
            logger.info("public report spam trap from %s", address)
            year = timezone.localtime().year
            fake = format_number(year, secrets.randbelow(900000) + 100000)
            return redirect("public-report-done", token=receipt_token(fake, new_lookup_code()))
        if elapsed < int(getattr(settings, "PUBLIC_REPORT_MIN_FILL_SECONDS", 3)):
            # Too fast for a person: ask to check and send again, with a fresh start time.
            data = request.POST.copy()
            data["started"] = sign_started()
            form = PublicReportForm(data, request.FILES)
            form.is_valid()
            form.add_error(None, _("提交过快，请核对填写的内容后再提交。"))
            return _render_form(request, form, status=400)
        if form.is_valid():
            try:
                result = ticket_intake(channel=Channel.PUBLIC_WEB, by=None, **form.intake_data())
            except DomainError as error:
                _show_error(form, error)
            else:
                rate_hit("report", address)
                ticket = result.ticket
                return redirect("public-report-done", token=receipt_token(ticket.number, ticket.lookup_code))
        return _render_form(request, form, status=400)
    if rate_count("report", address) >= limit:
        return _report_refused(request, limit)
    return _render_form(request, PublicReportForm())


def _show_error(form: PublicReportForm, error: DomainError) -> None:
    placed = False
    aliases = {"files": "photos", "lng": "place", "lat": "place"}
    for field, messages in error.fields.items():
        name = aliases.get(field, field)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, str(error))


def _render_form(request: HttpRequest, form: PublicReportForm, status: int = 200) -> HttpResponse:
    return render(request, "public/dispatch/report_form.html", {"form": form}, status=status)


def _report_refused(request: HttpRequest, limit: int) -> HttpResponse:
    message = _(
        "您所在的网络地址在一小时内已提交 %(count)s 次举报，已达上限。请稍后再试；紧急情况请拨打 12345 热线。"
    ) % {"count": limit}
    return render(request, "public/dispatch/report_form.html", {"form": None, "refused": message}, status=429)


@never_cache
@require_safe
def report_done(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt: the number and lookup code to keep, and the private tracking link."""
    number, code = _read_token(token)
    return render(request, "public/dispatch/report_done.html", {"number": number, "code": code, "token": token})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """举报查询: number and lookup code in, the progress page out."""
    address = client_address(request)
    if request.method == "POST":
        form = TrackForm(request.POST)
        if rate_count("track-failure", address) >= track_failure_limit():
            form.is_valid()
            form.add_error(None, _("查询失败次数过多，请一小时后再试。"))
            return render(request, "public/dispatch/track_form.html", {"form": form}, status=429)
        if form.is_valid():
            ticket = _find(form.cleaned_data["number"], form.cleaned_data["code"])
            if ticket is not None:
                return redirect("public-report-track-detail", token=receipt_token(ticket.number, ticket.lookup_code))
            rate_hit("track-failure", address)
            # The same answer whether the number exists or not.
            form.add_error(None, _("受理编号或查询码不正确，请核对后重试。"))
        return render(request, "public/dispatch/track_form.html", {"form": form}, status=400)
    return render(request, "public/dispatch/track_form.html", {"form": TrackForm()})


@never_cache
@require_safe
def track_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The progress of one report, as the public may read it."""
    number, code = _read_token(token)
    ticket = _find(number, code)
    if ticket is None:
        raise Http404(_("未找到该举报。"))
    return render(request, "public/dispatch/track_detail.html", {"view": public_view(ticket), "token": token})
