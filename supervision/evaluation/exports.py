"""The units' figures and the ratings as .xlsx."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from supervision.evaluation.selectors import UnitFigures


def _workbook(sheets: list[tuple[str, list[list]]]) -> bytes:
    wb = Workbook()
    for n, (title, rows) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = title
        for i, row in enumerate(rows):
            ws.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
            if i == 0:
                for cell in ws[1]:
                    cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _blank(value):
    return "" if value is None else value


def units_xlsx(rows: list[UnitFigures], start: dt.date, end: dt.date) -> bytes:
    head = [
        _("排名"),
        _("单位"),
        _("承办工单"),
        _("按时签收"),
        _("按时签收率"),
        _("办结"),
        _("按时办结"),
        _("按时办结率"),
        _("评价认可"),
        _("评价不认可（重办）"),
        _("乡镇评价均分"),
        _("退单"),
        _("群众满意率"),
        _("评查案卷"),
        _("案卷评查均分"),
        _("整改超期"),
    ]
    table = [head]
    for r in rows:
        table.append(
            [
                r.rank,
                r.unit.name,
                r.received,
                r.accepted_on_time,
                _blank(r.accept_rate),
                r.resolved,
                r.resolved_on_time,
                _blank(r.on_time_rate),
                r.verdicts_accepted,
                r.verdicts_rejected,
                _blank(r.avg_score),
                r.returns,
                _blank(r.satisfaction_rate),
                r.review_files,
                _blank(r.review_average),
                r.rectifications_overdue,
            ]
        )
    title = _("单位考核") + f" {start:%Y%m%d}-{end:%Y%m%d}"
    return _workbook([(title[:31], table)])


def ratings_xlsx(period, rows) -> bytes:
    table = [
        [
            _("排名"),
            _("单位"),
            _("状态"),
            _("乡镇评价权重（%）"),
            _("乡镇评价得分"),
            _("评定得分"),
            _("计算公式"),
            _("更正说明"),
        ]
    ]
    items = [[_("单位"), _("状态"), _("评定项目"), _("权重（%）"), _("得分"), _("评分理由")]]
    for r in rows:
        table.append(
            [
                _blank(r.rank),
                r.unit.name,
                r.get_status_display(),
                r.township_weight,
                _blank(r.township_score),
                r.total,
                r.formula,
                r.correction_note,
            ]
        )
        for s in r.item_scores.all():
            items.append([r.unit.name, r.get_status_display(), s.name, s.weight, s.score, s.reason])
    return _workbook([(_("年度评定")[:31], table), (_("局评定项目")[:31], items)])
