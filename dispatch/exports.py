"""Spreadsheet exports (.xlsx, openpyxl write-only): the filtered ticket list and the statistics."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dispatch.models import Channel, Priority, TicketStatus, WarningLevel
from dispatch.privacy import mask_name, mask_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def max_rows() -> int:
    return int(getattr(settings, "DISPATCH_EXPORT_MAX_ROWS", 50_000))


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    # RFC 6266: a UTF-8 file name for browsers, an ASCII fallback for the rest.
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def _header(ws, labels) -> None:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(ws, value=str(label))
        cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)


def _local(value):
    # Excel has no time zones: write Beijing wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def ticket_workbook(tickets, *, full_reporter: bool) -> tuple[bytes, int, bool]:
    """The tickets (already scoped and filtered) as a workbook: (bytes, rows written, truncated?).

    Reads plain values in chunks (no model instances), so an export of tens of
    thousands of rows stays within memory; reporters are masked unless the
    reader may see them in full (the command centre).
    """
    limit = max_rows()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("工单"))
    _header(ws, [
        _("工单编号"), _("来源渠道"), _("外部编号"), _("状态"), _("紧急程度"), _("问题类别"), _("标题/摘要"),
        _("地点"), _("所属乡镇/街道"), _("网格"), _("执法事项"), _("承办单位"), _("反映人"), _("联系电话"),
        _("受理时间"), _("交办时间"), _("签收期限"), _("签收时间"), _("办结期限"), _("办结时间"), _("亮灯"),
        _("曾超期"), _("退单次数"), _("评价"), _("评分"), _("满意度"),
    ])
    statuses, channels, priorities, levels = (dict(c.choices) for c in (TicketStatus, Channel, Priority,
                                                                         WarningLevel))
    rows = tickets.values_list(
        "number", "channel", "external_ref", "status", "priority", "category__name", "title", "description",
        "place", "township__name", "grid__name", "matter__code", "matter__name", "responsible_agency__name",
        "reporter_name", "reporter_phone", "received_at", "assigned_at", "accept_due", "accepted_at",
        "resolve_due", "resolved_at", "warning_level", "overdue", "return_count", "verdict", "verdict_score",
        "satisfaction",
    )
    written = 0
    truncated = False
    for row in rows[: limit + 1].iterator(chunk_size=2000):
        if written == limit:
            truncated = True
            break
        (number, channel, ext, status, priority, category, title, description, place, township, grid, matter_code,
         matter_name, agency, name, phone, received, assigned, accept_due, accepted, resolve_due, resolved, level,
         overdue, returns, verdict, score, satisfaction) = row
        ws.append([
            number, str(channels.get(channel, channel)), ext, str(statuses.get(status, status)),
            str(priorities.get(priority, priority)), category or "", title or (description or "")[:60], place,
            township or "", grid or "", f"{matter_code} {matter_name}" if matter_code else "", agency or "",
            name if full_reporter else mask_name(name), phone if full_reporter else mask_phone(phone),
            _local(received), _local(assigned), _local(accept_due), _local(accepted), _local(resolve_due),
            _local(resolved), str(levels.get(level, level)), _("是") if overdue else _("否"), returns,
            verdict, score, satisfaction,
        ])
        written += 1
    if truncated:
        ws.append([_("仅导出前 %(n)s 条，请缩小筛选范围。") % {"n": limit}])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), written, truncated


def stats_workbook(period: str, agency_rows, township_rows, total) -> bytes:
    wb = Workbook(write_only=True)
    for title, rows in ((_("承办单位"), agency_rows), (_("乡镇（街道）"), township_rows)):
        ws = wb.create_sheet(title)
        ws.append([_("统计期间"), period])
        _header(ws, [title, _("受理"), _("按时签收"), _("办结"), _("按时办结"), _("办结率"), _("退单"), _("超期"),
                     _("平均评分"), _("回访"), _("满意率")])
        for r in [*rows, total]:
            ws.append([r.agency.name, r.received, r.accepted_on_time, r.resolved, r.resolved_on_time,
                       round(r.resolution_rate, 4) if r.resolution_rate is not None else None, r.returns, r.overdue,
                       round(r.avg_score, 2) if r.avg_score is not None else None, r.followed_up,
                       round(r.satisfaction_rate, 4) if r.satisfaction_rate is not None else None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
