"""Display helpers of the ticket pages (badges, people, rates)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dispatch import permissions
from dispatch.choices import TicketStatus
from dispatch.models import Channel, Priority, WarningLevel

register = template.Library()

STATUS_BADGES = {
    "new": "text-bg-info",
    "triaged": "text-bg-primary",
    "assigned": "text-bg-warning",
    "accepted": "text-bg-primary",
    "in_progress": "text-bg-primary",
    "resolved": "text-bg-info",
    "closed": "text-bg-success",
    "merged": "text-bg-secondary",
    "dismissed": "text-bg-dark",
}
WARNING_BADGES = {"yellow": "text-bg-warning", "red": "text-bg-danger"}
PRIORITY_BADGES = {"urgent": "text-bg-warning", "emergency": "text-bg-danger"}


# The labels of a ticket's choice fields, made once. ``get_<field>_display`` builds and translates
# the whole dict on every call: four calls a row were a third of a 30-row ticket table's rendering.
TICKET_LABELS = {
    "status": dict(TicketStatus.choices),
    "channel": dict(Channel.choices),
    "priority": dict(Priority.choices),
    "warning_level": dict(WarningLevel.choices),
}


@register.filter
def ticket_label(value: str, field: str) -> str:
    """``{{ t.status|ticket_label:"status" }}``: the label ``t.get_status_display`` gives, in the request's language."""
    return str(TICKET_LABELS[field].get(value, value))


# A pk no ticket has, replaced in the detail URL reversed once per table (reverse() costs ~70 us a row).
_PK_PLACEHOLDER = 2_147_483_647


@register.simple_tag
def ticket_rows(tickets) -> SafeString:
    """The <tr> rows of dispatch/_ticket_table.html, written in Python.

    The ticket table is on the list, the inboxes and the board, the pages users load most: as a
    template loop with eight columns of filters it took ~8 ms for 30 rows, this ~1 ms. The tickets
    come with category, township and responsible_agency selected (``selectors.PAGE_RELATED``).
    """
    detail = reverse("dispatch:ticket-detail", args=[_PK_PLACEHOLDER])
    placeholder = str(_PK_PLACEHOLDER)
    provisional = format_html('<span class="text-muted" title="{}">*</span>', _("期限待定"))
    return format_html_join("\n", "{}", ((_ticket_row(t, detail, placeholder, provisional),) for t in tickets))


def _ticket_row(t, detail: str, placeholder: str, provisional: str) -> SafeString:
    priority = ""
    if t.priority != Priority.NORMAL:
        priority = format_html(' <span class="badge {}">{}</span>', priority_badge(t.priority),
                               ticket_label(t.priority, "priority"))
    category = format_html('<span class="text-muted small">[{}]</span> ', t.category.name) if t.category else ""
    warning = ""
    if t.warning_level != WarningLevel.NONE:
        warning = format_html(' <span class="badge {}">{}</span>', warning_badge(t.warning_level),
                              ticket_label(t.warning_level, "warning_level"))
    if t.resolve_due:
        due = format_html("{}{}", timezone.localtime(t.resolve_due).strftime("%m-%d %H:%M"),
                          provisional if t.deadline_provisional else "")
    else:
        due = "—"
    return format_html(
        '<tr><td class="text-nowrap"><a href="{}">{}</a>{}</td><td>{}{}</td>'
        '<td class="small text-nowrap">{}</td><td class="small text-nowrap">{}</td><td class="small">{}</td>'
        '<td class="text-nowrap"><span class="badge {}">{}</span>{}</td>'
        '<td class="small text-nowrap">{}</td><td class="small text-nowrap">{}</td></tr>',
        detail.replace(placeholder, str(t.pk)), t.number, priority, category, t.summary,
        ticket_label(t.channel, "channel"),
        t.township.name if t.township_id else "—",
        t.responsible_agency.name if t.responsible_agency_id else "—",
        status_badge(t.status), ticket_label(t.status, "status"), warning,
        due, timezone.localtime(t.received_at).strftime("%Y-%m-%d %H:%M") if t.received_at else "",
    )


@register.filter
def status_badge(value: str) -> str:
    return STATUS_BADGES.get(str(value), "text-bg-light border")


@register.filter
def warning_badge(value: str) -> str:
    return WARNING_BADGES.get(str(value), "")


@register.filter
def priority_badge(value: str) -> str:
    return PRIORITY_BADGES.get(str(value), "")


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name}{user.first_name}" or user.get_username()


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def score(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}"


@register.simple_tag(takes_context=True)
def is_desk(context) -> bool:
    request = context.get("request")
    return bool(request and permissions.is_command_centre(request.user))


@register.filter
def overdue_now(ticket) -> bool:
    return bool(ticket.resolve_due and ticket.is_open and ticket.resolve_due < timezone.now())


@register.filter
def distance(value) -> str:
    if value is None:
        return _("同一网格")
    return _("%(m)s 米") % {"m": round(value)}


@register.inclusion_tag("dispatch/_tabs.html", takes_context=True)
def dispatch_tabs(context, active: str = ""):
    """The sub-navigation of the ticket pages: only what the user's roles may open."""
    from django.urls import reverse

    from enforcement.access import scope_for

    request = context["request"]
    user = request.user
    scope = scope_for(user)
    desk = permissions.is_command_centre(user)
    tabs = []

    def add(key: str, label: str, url_name: str, show: bool) -> None:
        if show:
            tabs.append({"key": key, "label": label, "url": reverse(url_name), "active": key == active})

    add("board", _("调度看板"), "dispatch:board", scope.county_wide)
    add("list", _("工单查询"), "dispatch:ticket-list", True)
    add("agency", _("单位待办"), "dispatch:agency-inbox", bool(scope.agency_ids) and not scope.county_wide)
    add("township", _("乡镇待办"), "dispatch:township-inbox", bool(permissions.township_member_ids(user)))
    add("new", _("登记工单"), "dispatch:ticket-create", desk)
    add("call", _("街呼区应"), "dispatch:township-call", bool(permissions.township_member_ids(user)))
    add("field", _("巡查上报"), "dispatch:field", permissions.is_field_officer(user))
    add("stats", _("统计"), "dispatch:stats", True)
    return {"tabs": tabs}
