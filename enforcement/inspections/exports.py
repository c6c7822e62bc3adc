"""Spreadsheet (.xlsx) exports of the object directory, plans, records and statistics (openpyxl, write-only)."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from enforcement.cases.privacy import mask_id_number
from enforcement.inspections.choices import Outcome
from enforcement.inspections.importer import EXPORT_HEADERS
from enforcement.inspections.models import CheckPlan
from enforcement.inspections.permissions import can_edit_objects
from enforcement.inspections.selectors import plan_tasks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def _book(title: str, header, rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    cells = []
    for label in header:
        cell = WriteOnlyCell(ws, value=str(label))
        cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def objects_xlsx(objects, user) -> bytes:
    """The directory in the import format (re-importable); ID numbers of individuals masked unless the reader keeps
    the directory."""
    full = can_edit_objects(user)

    def rows():
        for o in objects[:MAX_ROWS]:
            ident = o.identifier if full or not o.is_individual else mask_id_number(o.identifier)
            yield [
                o.get_kind_display(),
                o.name,
                ident,
                o.address,
                o.township.name,
                o.grid.code if o.grid else "",
                "、".join(d.name for d in o.domains.all()),
                "、".join(m.code for m in o.matters.all()),
                o.get_risk_level_display(),
                o.credit_level,
                o.contact_name,
                o.contact_phone if full else "",
                "",
            ]

    return _book(_("检查对象"), EXPORT_HEADERS, rows())


def plan_xlsx(plan: CheckPlan) -> bytes:
    header = [
        _("序号"),
        _("检查对象"),
        _("乡镇/街道"),
        _("检查人员"),
        _("完成期限"),
        _("状态"),
        _("检查日期"),
        _("检查结果"),
    ]
    rows = (
        [
            t.position,
            t.object.name,
            t.object.township.name,
            "、".join(o.officer.get_full_name() or o.officer.username for o in t.task_officers.all()),
            t.due_date,
            t.get_status_display(),
            t.checked_on,
            t.get_outcome_display(),
        ]
        for t in plan_tasks(plan)
    )
    return _book(plan.number, header, rows)


def records_xlsx(records) -> bytes:
    header = [
        _("笔录编号"),
        _("检查日期"),
        _("检查对象"),
        _("检查单位"),
        _("乡镇/街道"),
        _("检查地点"),
        _("检查人员"),
        _("检查结果"),
        _("处理方式"),
        _("当事人签名"),
    ]
    rows = (
        [
            r.number,
            r.checked_on,
            r.object.name,
            r.agency.name,
            r.township.name,
            r.place,
            "、".join(o.officer.get_full_name() or o.officer.username for o in r.record_officers.all()),
            r.get_outcome_display(),
            r.get_disposition_display(),
            r.get_signature_status_display(),
        ]
        for r in records[:MAX_ROWS]
    )
    return _book(_("检查记录"), header, rows)


def statistics_xlsx(data: dict) -> bytes:
    labels = [str(label) for label in Outcome.labels]
    header = [
        _("单位"),
        _("检查次数"),
        _("双随机抽查"),
        *labels,
        _("联合检查"),
        _("减少入企次数"),
        *[_("%(m)s月") % {"m": m} for m in range(1, 13)],
    ]
    rows = (
        [
            f.agency,
            f.inspections,
            f.spot_checks,
            *[f.outcomes[o] for o in Outcome.values],
            f.joint_visits,
            f.visits_saved,
            *f.months,
        ]
        for f in data["agencies"]
    )
    return _book(_("检查统计"), header, rows)


def generated_at() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
