"""A published (or draft) report as .xlsx and as PDF (embedded Chinese font, text extractable).

The public gets only published reports (views_public.py); the staff who review a draft download the
same files from its staff page (views.py), the PDF then marked as a draft on its first lines and on
every page, so that a printed draft is never taken for the published report.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from enforcement.cases.documents.pdf import font_name, para, styles
from supervision.disclosure.choices import ReportStatus
from supervision.disclosure.figures import BREAKDOWN, all_figures
from supervision.disclosure.models import DisclosureReport
from supervision.disclosure.selectors import agency_table, figure_sections

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _value(value) -> str:
    if value is None:
        return "—"
    return str(value)


def _county_rows(report: DisclosureReport) -> list[list]:
    """Key, label, value (breakdown parts on their own rows), definition; missing sources said so."""
    rows = [[_("指标代码"), _("指标"), _("全县"), _("统计口径")]]
    for section in figure_sections(report):
        for row in section["rows"]:
            if row["missing"]:
                rows.append([row["key"], str(row["label"]), _("暂无数据（尚未纳入系统）"), str(row["definition"])])
            elif row["kind"] == BREAKDOWN:
                rows.append([row["key"], str(row["label"]), "", str(row["definition"])])
                for label, n in row.get("parts", []):
                    rows.append(["", f"  {label}", n, ""])
            else:
                rows.append([row["key"], str(row["label"]), _value(row["value"]), str(row["definition"])])
    return rows


def _labels() -> dict[str, str]:
    return {f.key: str(f.label) for _p, f in all_figures()}


def report_xlsx(report: DisclosureReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("全县")
    for row in _county_rows(report):
        ws.append([float(v) if isinstance(v, str) and _is_amount(v) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    keys, rows = agency_table(report)
    labels = _labels()
    ws2 = wb.create_sheet(_("各单位"))
    ws2.append([_("机构代码"), _("单位"), *[labels.get(k, k) for k in keys]])
    ws2.append(["", "", *keys])
    for row in rows:
        ws2.append([float(v) if isinstance(v, str) and _is_amount(v) else v for v in row])
    for cell in ws2[1]:
        cell.font = Font(bold=True)
    ws3 = wb.create_sheet(_("分析"))
    ws3.append([_("自动生成的分析")])
    ws3.append([report.generated_analysis])
    ws3.append([_("修订后的分析")])
    ws3.append([report.amended_analysis or _("（未修订）")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _is_amount(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _table(rows: list[list], widths: list[float]) -> Table:
    style = styles()["small"]
    cell = [[Paragraph(escape(str(v)), style) for v in row] for row in rows]
    table = Table(cell, colWidths=[w * cm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def draft_mark(report: DisclosureReport) -> str:
    """The line a PDF of an unpublished report carries on its first lines and on every page ("" if published)."""
    if report.is_published:
        return ""
    if report.status == ReportStatus.DRAFT:
        return _("草稿，尚未公开，仅供审核使用")
    return _("草稿（%(state)s），尚未公开，仅供审核使用") % {"state": report.get_status_display()}


def _draft_page(mark: str):
    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(font_name(), 9)
        canvas.setFillColor(colors.red)
        width, height = A4
        canvas.drawCentredString(width / 2, height - 1.2 * cm, mark)
        canvas.drawCentredString(width / 2, 1.2 * cm, mark)
        canvas.restoreState()

    return on_page


def report_pdf(report: DisclosureReport) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=str(report),
    )
    font_name()
    story = [para(str(report), "h1")]
    mark = draft_mark(report)
    if mark:
        story.append(para(_("【%(mark)s】") % {"mark": mark}, "h2"))
    if report.supersedes_id:
        story.append(
            para(
                _("本版本更正%(old)s，更正说明：%(note)s") % {"old": report.supersedes, "note": report.correction_note}
            )
        )
    if report.published_at:
        story.append(
            para(
                _("公开日期：%(date)s；已报送%(gov)s。")
                % {
                    "date": timezone.localtime(report.published_at).strftime("%Y-%m-%d"),
                    "gov": report.submitted_to.name if report.submitted_to else _("县人民政府"),
                }
            )
        )
    story.append(para(_("一、数据"), "h2"))
    story.append(_table(_county_rows(report), [3.6, 4.2, 2.4, 7.2]))
    keys, rows = agency_table(report)
    labels = _labels()
    main = [
        k
        for k in keys
        if k
        in ("penalty_decisions", "fines_total", "cases_filed", "tickets_received", "correction_rate", "review_average")
    ]
    story.append(para(_("二、各单位主要数据"), "h2"))
    idx = [keys.index(k) + 2 for k in main]
    table = [[_("机构代码"), _("单位"), *[labels[k] for k in main]]]
    table += [[r[0], r[1], *[_value(r[i]) for i in idx]] for r in rows]
    story.append(_table(table, [2.2, 4.2, *([11.0 / max(len(main), 1)] * len(main))]))
    story.append(para(_("三、分析"), "h2"))
    for paragraph in report.analysis.split("\n\n"):
        story.append(para(paragraph))
    story.append(Spacer(1, 12))
    if mark:
        doc.build(story, onFirstPage=_draft_page(mark), onLaterPages=_draft_page(mark))
    else:
        doc.build(story)
    return buffer.getvalue()
