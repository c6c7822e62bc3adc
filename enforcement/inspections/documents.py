"""The inspection record (现场检查笔录) as a printable page and a PDF, like the case documents.

Both are built from :func:`record_sections`, so the page and the PDF show the same text; the PDF
uses the case documents' embedded Chinese font (``enforcement.cases.documents.pdf``), so its text
can be extracted and searched.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from enforcement.cases.documents.pdf import font_name, para
from enforcement.inspections.models import InspectionRecord
from enforcement.inspections.selectors import record_detail_related


def _dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def record_sections(record: InspectionRecord) -> dict:
    """The record's document content: heading, field rows, findings, signatures (text only)."""
    related = record_detail_related(record)
    obj = record.object
    rows = [
        (_("检查对象"), obj.name),
        (_("统一社会信用代码/身份证号"), obj.identifier),
        (_("检查地点"), record.place),
        (_("检查时间"), f"{_dt(record.started_at)} — {_dt(record.ended_at)}".rstrip(" —")),
        (_("检查单位"), record.agency.name),
        (
            _("检查人员及执法证号"),
            "；".join(
                f"{ro.officer.get_full_name() or ro.officer.username}（{ro.certificate.number}）"
                for ro in related["officers"]
            ),
        ),
        (_("在场人员"), record.present_person),
        (_("检查结果"), record.get_outcome_display()),
    ]
    findings = [[_("序号"), _("检查事项"), _("检查单位"), _("结论"), _("发现情况")]]
    for n, f in enumerate(related["findings"], start=1):
        findings.append(
            [str(n), f"{f.matter.code} {f.matter.name}", f.agency.name, f.get_result_display(), f.description]
        )
    attachments = [f"{a.name}  SHA-256: {a.sha256}" for a in related["attachments"]]
    signature = record.get_signature_status_display()
    if record.signature_note:
        signature += f"（{record.signature_note}）"
    return {
        "title": _("现场检查笔录"),
        "number": record.number,
        "agency": record.agency.name,
        "rows": rows,
        "facts": record.facts,
        "findings": findings,
        "attachments": attachments,
        "signature": signature,
        "notice": _("执法人员已出示执法证件，并告知当事人依法享有陈述、申辩和申请回避的权利。"),
    }


def record_pdf(record: InspectionRecord) -> bytes:
    s = record_sections(record)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{s['title']} {s['number']}",
        author=s["agency"],
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font_name(), 10),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story = [para(s["agency"], "agency"), para(s["title"], "h1"), para(s["number"], "number")]
    story.append(
        Table([[para(k, "cell"), para(v, "cell")] for k, v in s["rows"]], colWidths=[4.5 * cm, 12.5 * cm], style=style)
    )
    story += [Spacer(1, 8), para(_("检查情况"), "h2"), para(s["facts"] or "—", "indent")]
    story += [
        para(_("检查事项及发现"), "h2"),
        Table(
            [[para(c, "cell") for c in row] for row in s["findings"]],
            colWidths=[1.2 * cm, 6 * cm, 3.3 * cm, 2.3 * cm, 4.2 * cm],
            style=style,
            repeatRows=1,
        ),
    ]
    if s["attachments"]:
        story += [para(_("照片及附件"), "h2"), *[para(a, "small") for a in s["attachments"]]]
    story += [
        Spacer(1, 8),
        para(s["notice"]),
        para(_("当事人签名：%(s)s") % {"s": s["signature"]}, "sign"),
        para(_("执法人员签名：") + "　" * 10, "sign"),
    ]
    doc.build(story)
    return buffer.getvalue()
