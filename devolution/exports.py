"""Spreadsheet exports (.xlsx, openpyxl): a batch, and the township power map."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from devolution.models import DevolutionBatch
from devolution.rules import blocking_problems, load_context
from devolution.selectors import opinions_of
from enforcement.catalogue.powers import power_map
from enforcement.models import Agency, Matter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MATTER_CHUNK = 500


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    # RFC 6266: a UTF-8 file name for browsers, an ASCII fallback for the rest.
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _bold_header(ws, header: list[str]) -> None:
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def batch_workbook(batch: DevolutionBatch) -> bytes:
    """The batch heading, its items (with case counts and records), open problems and review opinions."""
    ctx = load_context(batch)
    wb = Workbook()
    ws = wb.active
    ws.title = _("批次")
    for label, value in (
        (_("批次编号"), batch.number),
        (_("批次名称"), batch.title),
        (_("省级赋权决定"), batch.provincial_decision),
        (_("县级文件文号"), batch.county_document_no),
        (_("生效日期"), batch.effective_date),
        (_("状态"), batch.get_status_display()),
        (_("涉及乡镇（街道）"), "、".join(t.name for t in ctx.batch_townships)),
    ):
        ws.append([str(label), value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        if isinstance(value, dt.date):
            ws.cell(row=ws.max_row, column=2).number_format = "yyyy-mm-dd"

    items = wb.create_sheet(_("事项"))
    _bold_header(items, [
        _("序号"), _("事项编码"), _("事项名称"), _("实施主体"), _("下放类别"), _("承接方式"), _("承接乡镇（街道）"),
        _("中心镇（街道）"), _("事项包"), _("近三年案件数"), _("下放理由"), _("暂缓理由"), _("复核日期"),
        _("专家评估"), _("依法下放材料"), _("审查结论"), _("状态"),
    ])
    for n, item in enumerate(ctx.items, start=1):
        assessment = getattr(item, "assessment", None)
        items.append([
            n, item.matter.code, item.matter.name, item.matter.origin_department.name, item.get_category_display(),
            item.get_mode_display(), "、".join(t.name for t in item.townships.all()),
            item.hub_township.name if item.hub_township_id else "", item.package.name if item.package_id else "",
            ctx.case_counts[item.pk].value, item.rationale, item.deferred_reason, item.review_date,
            f"{assessment.assessed_on} {assessment.get_conclusion_display()}" if assessment else "",
            "；".join(f"{r.get_kind_display()} {r.document_no}（{r.issued_on}）" for r in item.statutory_records.all()),
            item.get_review_status_display(), item.get_state_display(),
        ])
        items.cell(row=items.max_row, column=13).number_format = "yyyy-mm-dd"

    checks = wb.create_sheet(_("审查问题"))
    _bold_header(checks, [_("序号"), _("问题")])
    if batch.is_editable:
        for n, problem in enumerate(blocking_problems(batch, ctx=ctx), start=1):
            checks.append([n, problem.message])

    readiness = wb.create_sheet(_("承接能力"))
    _bold_header(readiness, [_("乡镇（街道）"), _("持证执法人员"), _("法制审核人员"), _("派驻中队持证人员"), _("结论")])
    for township in ctx.batch_townships:
        r = ctx.readiness.get(township.pk)
        if r is not None:
            readiness.append([township.name, r.certified_staff, r.legal_reviewers, r.squadron_officers,
                              "；".join(r.failure_messages()) or _("达标")])

    opinions = wb.create_sheet(_("审查意见"))
    _bold_header(opinions, [_("时间"), _("审查单位"), _("审查人"), _("事项"), _("意见"), _("内容")])
    for o in opinions_of(batch):
        opinions.append([
            timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"), o.agency.name if o.agency_id else "",
            o.reviewer.get_full_name() or o.reviewer.get_username(), o.item.label if o.item_id else _("整个批次"),
            o.get_decision_display(), o.text,
        ])
    return _save(wb)


def power_map_workbook(matters: Iterable[Matter], townships: list[Agency], *, on: dt.date) -> bytes:
    """Matters x townships with the mode and holder in each cell, as on day ``on``.

    Write-only workbook and one grant query per 500 matters: a 2,000-matter
    catalogue exports in a few queries.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("权力地图"))
    ws.append([_("乡镇执法权力地图（%(day)s）") % {"day": on.isoformat()}])
    ws.append([_("事项编码"), _("事项名称"), _("执法领域"), *[t.name for t in townships]])
    chunk: list[Matter] = []

    def flush() -> None:
        answers = power_map(chunk, townships, on=on)
        for m in chunk:
            cells = []
            for t in townships:
                a = answers.get((m.pk, t.pk))
                cells.append(f"{a.mode_label}：{a.agency.name}" if a else "")
            ws.append([m.code, m.name, m.domain.name, *cells])
        chunk.clear()

    if hasattr(matters, "iterator"):
        rows = matters.select_related("domain").iterator(chunk_size=MATTER_CHUNK)
    else:
        rows = matters
    for matter in rows:
        chunk.append(matter)
        if len(chunk) >= MATTER_CHUNK:
            flush()
    if chunk:
        flush()
    return _save(wb)
