"""The warning notice (责令改正通知书) or commitment record as a printable page and a PDF, like the case documents.

Both are built from :func:`notice_sections`, so the page and the PDF say the same; the PDF uses the
case documents' embedded Chinese font, so its text can be extracted and searched.
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
from enforcement.cases.legal_rules import legal_rule
from enforcement.cases.privacy import mask_id_number
from enforcement.warnings.choices import WarningKind
from enforcement.warnings.models import WarningNotice


def _cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_sections(warning: WarningNotice) -> dict:
    """The document's text: heading, the party, facts, the order to correct with its deadline and basis."""
    due = timezone.localtime(warning.correction_due_at).date()
    party_id = warning.party_id_number
    if warning.party_kind == "individual":
        party_id = mask_id_number(party_id)
    rows = [
        (_("当事人"), warning.party_name),
        (_("统一社会信用代码/身份证号"), party_id),
        (_("地址"), warning.party_address),
        (_("法定代表人/负责人"), warning.party_legal_rep),
        (_("执法事项"), f"{warning.matter.code} {warning.matter.name}"),
    ]
    officers = "、".join(u.get_full_name() or u.username for u in warning.officers.all())
    order = _(
        "经查，你（单位）存在上述违法行为。依据%(article)s，现责令你（单位）于%(due)s前（%(days)s个工作日内）"
        "改正。逾期未改正的，本机关将依法立案查处。"
    ) % {"article": legal_rule("warning_correction").article, "due": _cn_date(due), "days": warning.correction_workdays}
    title = _("责令改正通知书") if warning.kind == WarningKind.NOTICE else _("轻微违法行为告知承诺书")
    return {
        "title": title,
        "number": warning.number,
        "agency": warning.agency.name,
        "rows": rows,
        "facts": warning.facts,
        "order": order,
        "conditions": warning.conditions_confirmed,
        "commitment": warning.commitment_text,
        "officers": officers,
        "remedies": _("如不服本通知，可以依法申请行政复议或者提起行政诉讼。"),
        "date": _cn_date(warning.issued_on),
    }


def notice_pdf(warning: WarningNotice) -> bytes:
    s = notice_sections(warning)
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
    story = [
        para(s["agency"], "agency"),
        para(s["title"], "h1"),
        para(s["number"], "number"),
        Table([[para(k, "cell"), para(v, "cell")] for k, v in s["rows"]], colWidths=[4.5 * cm, 12.5 * cm], style=style),
        Spacer(1, 8),
        para(_("违法事实"), "h2"),
        para(s["facts"], "indent"),
        para(s["order"], "indent"),
    ]
    if s["conditions"]:
        story.append(para(_("经确认符合：%(c)s。") % {"c": "、".join(s["conditions"])}, "indent"))
    if s["commitment"]:
        story += [para(_("当事人承诺"), "h2"), para(s["commitment"], "indent")]
    story += [
        para(s["remedies"], "indent"),
        Spacer(1, 12),
        para(_("执法人员：%(o)s") % {"o": s["officers"]}, "sign"),
        para(_("当事人签收：") + "　" * 10, "sign"),
        para(f"{s['agency']}　{s['date']}", "sign"),
    ]
    doc.build(story)
    return buffer.getvalue()
