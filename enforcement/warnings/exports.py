"""Spreadsheet (.xlsx) exports of warnings and of their statistics (openpyxl, write-only, like inspections)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.privacy import mask_id_number
from enforcement.inspections.exports import MAX_ROWS, _book, xlsx_response

__all__ = ["statistics_xlsx", "warnings_xlsx", "xlsx_response"]


def warnings_xlsx(warnings) -> bytes:
    header = [
        _("文书编号"),
        _("方式"),
        _("出具日期"),
        _("当事人"),
        _("统一社会信用代码/身份证号"),
        _("执法事项"),
        _("执法单位"),
        _("乡镇/街道"),
        _("执法人员"),
        _("改正期限"),
        _("状态"),
        _("亮灯"),
        _("复查日期"),
        _("案件"),
    ]

    def rows():
        for w in warnings[:MAX_ROWS]:
            ident = mask_id_number(w.party_id_number) if w.party_kind == "individual" else w.party_id_number
            yield [
                w.number,
                w.get_kind_display(),
                w.issued_on,
                w.party_name,
                ident,
                f"{w.matter.code} {w.matter.name}",
                w.agency.name,
                w.township.name if w.township else "",
                "、".join(u.get_full_name() or u.username for u in w.officer_list),
                timezone.localtime(w.correction_due_at).date(),
                w.get_status_display(),
                w.get_warning_level_display(),
                w.rechecked_on,
                w.case.number if w.case else "",
            ]

    return _book(_("预警执法"), header, rows())


def statistics_xlsx(data: dict) -> bytes:
    header = [
        _("分组"),
        _("名称"),
        _("预警数"),
        _("自行整改"),
        _("告知承诺"),
        _("转为案件"),
        _("待复查"),
        _("自行整改率（%）"),
    ]

    def rows():
        for group, label in (("agencies", _("单位")), ("matters", _("事项"))):
            for r in data[group]:
                yield [
                    str(label),
                    r.label,
                    r.warnings,
                    r.self_corrected,
                    r.commitments,
                    r.turned_into_cases,
                    r.open,
                    r.rate,
                ]
        for r in data["months"]:
            yield [
                _("月份"),
                _("%(m)s月") % {"m": r.key},
                r.warnings,
                r.self_corrected,
                r.commitments,
                r.turned_into_cases,
                r.open,
                r.rate,
            ]
        t = data["total"]
        yield [_("合计"), "", t.warnings, t.self_corrected, t.commitments, t.turned_into_cases, t.open, t.rate]

    return _book(_("预警执法统计"), header, rows())
