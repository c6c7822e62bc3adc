"""The results report of a plan as PDF (embedded Chinese font, text extractable) and as .xlsx."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from enforcement.cases.documents.pdf import font_name, para, styles
from supervision.choices import Grade
from supervision.models import ReviewPlan
from supervision.selectors import GRADES, grade_totals, plan_files, results_by_agency, results_by_item


def _tables(plan: ReviewPlan) -> dict[str, list[list]]:
    """The report's tables as rows of text: agencies, files, rubric items (one read for PDF and xlsx)."""
    grade_labels = [str(Grade(g).label) for g in GRADES]
    agencies = [[_("排名"), _("单位"), _("案卷数"), _("平均分"), *grade_labels, _("否决")]]
    for a in results_by_agency(plan):
        agencies.append([a.rank, a.agency.name, a.files, a.average if a.average is not None else "",
                         *[a.grades[g] for g in GRADES], a.vetoes])
    files = [[_("序号"), _("单位"), _("案卷"), _("案由"), _("得分"), _("等次"), _("否决")]]
    for f in plan_files(plan):
        files.append([f.position, f.agency.name, f.case.display_number, f.case.title,
                      f.final_score if f.final_score is not None else "", f.get_grade_display(),
                      _("是") if f.vetoed else ""])
    items = [[_("编号"), _("评查项目"), _("扣分情形"), _("涉及案卷"), _("扣分合计"), _("主要单位")]]
    for row in results_by_item(plan):
        items.append([row["code"], row["group"], row["text"], row["files"],
                      row["points"] if row["points"] is not None else "",
                      "、".join(f"{name}({n})" for name, n in row["by_agency"][:3])])
    return {"agencies": agencies, "files": files, "items": items}


def results_xlsx(plan: ReviewPlan) -> bytes:
    tables = _tables(plan)
    wb = Workbook()
    titles = {"agencies": _("单位得分"), "files": _("案卷得分"), "items": _("扣分项统计")}
    first = True
    for key, rows in tables.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = titles[key]
        for n, row in enumerate(rows):
            ws.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
            if n == 0:
                for cell in ws[1]:
                    cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table(rows: list[list], widths: list[float]) -> Table:
    cell = [[Paragraph(str(v), _cell_style()) for v in row] for row in rows]
    table = Table(cell, colWidths=[w * cm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _cell_style():
    return styles()["small"]


def results_pdf(plan: ReviewPlan) -> bytes:
    tables = _tables(plan)
    grades = grade_totals(plan)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=plan.title, author=plan.organiser.name)
    font_name()
    summary = _("评查案卷%(n)s份：%(grades)s。") % {
        "n": sum(grades.values()),
        "grades": "，".join(f"{Grade(g).label}{n}份" for g, n in grades.items()),
    }
    story = [
        para(plan.organiser.name, "agency"), para(_("%(title)s结果通报") % {"title": plan.title}, "h1"),
        para(_("评查期：%(start)s至%(end)s；评查标准：%(rubric)s；随机种子：%(seed)s。") % {
            "start": plan.period_start, "end": plan.period_end, "rubric": plan.rubric, "seed": plan.seed}),
        para(summary), Spacer(1, 8),
        para(_("一、各单位得分与排名"), "h2"), _table(tables["agencies"], [1.2, 4, 1.4, 1.6, 1.4, 1.4, 1.4, 1.6, 1.4]),
        para(_("二、常见扣分项"), "h2"), _table(tables["items"], [1.2, 2.2, 5.6, 1.6, 1.6, 4.2]),
        para(_("三、案卷得分"), "h2"), _table(tables["files"], [1.1, 3, 3.6, 4.4, 1.4, 1.4, 1.3]),
        Spacer(1, 12),
        para(_("生成时间：%(now)s") % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, "small"),
    ]
    doc.build(story)
    return buffer.getvalue()
