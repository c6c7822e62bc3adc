"""PDF of one document, and of the whole case file, with an embedded Chinese font (reportlab).

The PDF is drawn from the same template as the printable HTML page: the body
markup of ``templates/documents/<kind>.html`` is deliberately small (``h1``,
``p`` with the classes ``agency``, ``number``, ``indent``, ``sign``, and
``table.grid`` with ``th``/``td``/``colspan``) and :class:`_Blocks` turns it
into reportlab flowables. The font (WenQuanYi Micro Hei, a GBK subset shipped
in ``static/fonts``) is embedded as a subset with a ToUnicode map, so the text
stays selectable and extractable (copy, search, pypdf).

:func:`case_file_pdf` builds the case file (案卷) in archive order (filing,
investigation, review, decision, service, execution) with a cover, a table of
contents with page numbers (两遍排版: reportlab ``multiBuild``), every issued
document, the collective deliberation records, and the evidence with its
SHA-256 (images embedded).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from enforcement.cases.documents import text as as_text
from enforcement.cases.documents.language import official_language
from enforcement.cases.documents.render import render_body
from enforcement.cases.models import Case, CaseDocument, DocumentStage, Evidence

FONT_NAME = "CaseCJK"
DEFAULT_FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "wqy-microhei-gbk.ttf"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2.2 * cm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


@functools.cache
def font_name() -> str:
    """Register the embedded CJK font once per process (settings.CASE_PDF_FONT may point elsewhere)."""
    path = Path(getattr(settings, "CASE_PDF_FONT", "") or DEFAULT_FONT)
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path)))
    return FONT_NAME


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    font = font_name()
    base = ParagraphStyle("base", fontName=font, fontSize=11, leading=19, wordWrap="CJK", alignment=TA_LEFT)
    return {
        "p": base,
        "indent": ParagraphStyle("indent", parent=base, firstLineIndent=22),
        "agency": ParagraphStyle("agency", parent=base, fontSize=14, leading=22, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", parent=base, fontSize=19, leading=28, alignment=TA_CENTER, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=14, leading=22, spaceBefore=6, spaceAfter=6),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, spaceAfter=10),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT, spaceBefore=22),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=16),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
        "toc": ParagraphStyle("toc", parent=base, fontSize=11, leading=20),
    }


def para(value: str, style: str = "p") -> Paragraph:
    return Paragraph(escape(value or "").replace("\n", "<br/>"), styles()[style])


# --- the restricted markup of the document templates ------------------------------------------------


class _Blocks(HTMLParser):
    """Collect ("p", class, text) and ("table", rows) blocks from a document body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple] = []
        self._text: list[str] | None = None
        self._kind = ""
        self._rows: list[list[tuple[str, str, int]]] | None = None
        self._cell: list[str] | None = None
        self._cell_tag = ""
        self._colspan = 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "p"):
            self._text, self._kind = [], attrs.get("class") or tag
            if tag != "p":
                self._kind = tag
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._cell, self._cell_tag = [], tag
            self._colspan = int(attrs.get("colspan") or 1)
        elif tag == "br":
            target = self._cell if self._cell is not None else self._text
            if target is not None:
                target.append("\n")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "p") and self._text is not None:
            self.blocks.append(("p", self._kind, "".join(self._text).strip()))
            self._text = None
        elif tag in ("th", "td") and self._cell is not None and self._rows:
            self._rows[-1].append((self._cell_tag, "".join(self._cell).strip(), self._colspan))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.blocks.append(("table", [r for r in self._rows if r]))
            self._rows = None

    def handle_data(self, data):
        target = self._cell if self._cell is not None else self._text
        if target is not None:
            target.append(" ".join(data.split()) if "\n" in data else data)


def _grid(rows: list[list[tuple[str, str, int]]]) -> Table:
    ncols = max(sum(span for _t, _x, span in row) for row in rows)
    label_width = 3.0 * cm
    if ncols == 4:
        widths = [label_width, CONTENT_WIDTH / 2 - label_width] * 2
    else:
        widths = [label_width] + [(CONTENT_WIDTH - label_width) / max(ncols - 1, 1)] * (ncols - 1)
    data, commands = [], []
    for r, row in enumerate(rows):
        line, col = [], 0
        for _tag, value, span in row:
            line.append(para(value, "cell"))
            line.extend([""] * (span - 1))
            if span > 1:
                commands.append(("SPAN", (col, r), (col + span - 1, r)))
            col += span
        line.extend([""] * (ncols - col))
        data.append(line)
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), font_name()),
        *commands,
    ]))
    return table


def html_flowables(body: str) -> list[Flowable]:
    """Flowables of a document body in the restricted markup."""
    parser = _Blocks()
    parser.feed(str(body))
    parser.close()
    out: list[Flowable] = []
    for block in parser.blocks:
        if block[0] == "table":
            if block[1]:
                out.append(_grid(block[1]))
                out.append(Spacer(1, 6))
        else:
            _p, kind, value = block
            out.append(para(value, kind if kind in styles() else "p"))
    return out


def document_flowables(document: CaseDocument) -> list[Flowable]:
    return html_flowables(render_body(document))


# --- building ---------------------------------------------------------------------------------------


class _Marker(Flowable):
    """An invisible flowable marking where a case-file entry starts (for the contents and the outline)."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key, self.title = key, title

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        return


class _Doc(BaseDocTemplate):
    def __init__(self, buffer, *, title: str, footer: str) -> None:
        super().__init__(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN, title=str(title), author=str(footer), creator="bureau enforcement system")
        frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._footer)])
        self.footer = str(footer)
        self.pages: dict[str, int] = {}

    def beforeDocument(self):
        self.pages = {}

    def _footer(self, canvas, doc):
        canvas.saveState()
        canvas.setFont(font_name(), 9)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, _("%(footer)s　第 %(page)s 页") %
                                 {"footer": self.footer, "page": doc.page})
        canvas.restoreState()

    def afterFlowable(self, flowable):
        if isinstance(flowable, _Marker):
            self.pages.setdefault(flowable.key, self.page)
            self.notify("TOCEntry", (0, escape(flowable.title), self.page, flowable.key))
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.title, flowable.key, level=0)


@official_language
def document_pdf(document: CaseDocument) -> bytes:
    """One document as a PDF."""
    buffer = io.BytesIO()
    doc = _Doc(buffer, title=f"{document.title} {document.number}".strip(), footer=document.title)
    doc.build(document_flowables(document))
    return buffer.getvalue()


# --- the case file ----------------------------------------------------------------------------------


@dataclass
class Entry:
    """One entry of the case file (卷内文件), in archive order."""

    key: str
    stage: int
    title: str
    number: str
    date: str
    kind: str  # "document", "deliberation", "evidence"
    obj: object
    page: int | None = None

    @property
    def stage_label(self) -> str:
        return str(DocumentStage(self.stage).label)


def case_file_entries(case: Case) -> list[Entry]:
    """Every document, deliberation and evidence item of ``case`` in archive order (three queries)."""
    entries: list[Entry] = []
    for d in case.documents.order_by("stage", "created_at", "id"):
        entries.append(Entry(f"doc-{d.pk}", d.stage, d.title, d.number, d.content.get("issued_on", ""), "document", d))
    for n, d in enumerate(case.deliberations.order_by("held_on", "id"), start=1):
        entries.append(Entry(f"delib-{d.pk}", DocumentStage.REVIEW, _("集体讨论记录"), str(n), as_text(d.held_on),
                             "deliberation", d))
    evidence = list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"))
    for n, e in enumerate(evidence, start=1):
        title = e.title if e.is_current else _("%(title)s（已被替代）") % {"title": e.title}
        entries.append(Entry(f"ev-{e.pk}", DocumentStage.INVESTIGATION, title, _("证据%(n)s") % {"n": n},
                             as_text(e.collected_on), "evidence", e))
    # Stable: within a stage, documents keep their order and evidence follows the inquiry records.
    return sorted(entries, key=lambda e: e.stage)


def _cover(case: Case) -> list[Flowable]:
    subject = case.subject_agency or case.agency
    rows = [
        (_("案件名称"), case.title),
        (_("当事人"), case.party_name),
        (_("立案编号"), case.filing_number or case.number),
        (_("决定书文号"), case.decision_number),
        (_("处理结果"), case.get_outcome_display() if case.outcome else ""),
        (_("立案日期"), as_text(case.filed_on)),
        (_("结案日期"), as_text(case.closed_on)),
        (_("归档日期"), as_text(case.archived_on)),
        (_("档案号"), case.archive_number),
        (_("办案机构"), case.agency.name),
    ]
    return [
        Spacer(1, 3 * cm),
        para(subject.name, "agency"),
        para(_("行政处罚案卷"), "h1"),
        Spacer(1, 1.5 * cm),
        _grid([[("th", k, 1), ("td", v or "", 1)] for k, v in rows]),
        PageBreak(),
    ]


def _deliberation_flowables(d) -> list[Flowable]:
    return [
        para(_("集体讨论记录"), "h1"),
        _grid([
            [("th", _("讨论日期"), 1), ("td", as_text(d.held_on), 1)],
            [("th", _("主持人"), 1), ("td", d.chair, 1)],
            [("th", _("参加人员"), 1), ("td", d.participants, 1)],
            [("th", _("讨论决定"), 1), ("td", d.conclusion, 1)],
        ]),
        para(_("《中华人民共和国行政处罚法》第五十七条"), "sign"),
    ]


def _evidence_flowables(e: Evidence, number: str) -> list[Flowable]:
    rows = [
        [("th", _("证据编号"), 1), ("td", number, 1), ("th", _("证据种类"), 1), ("td", e.get_kind_display(), 1)],
        [("th", _("证据名称"), 1), ("td", e.title, 3)],
        [("th", _("证明事项"), 1), ("td", e.description, 3)],
        [("th", _("取证时间地点"), 1), ("td", f"{as_text(e.collected_on)} {e.collected_place}", 3)],
        [("th", _("上传人"), 1), ("td", e.uploaded_by.get_full_name() or e.uploaded_by.get_username(), 1),
         ("th", _("上传时间"), 1), ("td", as_text(e.uploaded_at), 1)],
        [("th", _("文件"), 1), ("td", f"{e.original_name}（{e.size} {_('字节')}）", 3)],
        [("th", "SHA-256", 1), ("td", e.sha256, 3)],
    ]
    if not e.is_current:
        rows.append([("th", _("替代理由"), 1), ("td", e.superseded_reason, 3)])
    out: list[Flowable] = [para(_("证据材料"), "h1"), _grid(rows), Spacer(1, 10)]
    if e.is_image:
        try:
            with e.file.open("rb") as fh:
                data = io.BytesIO(fh.read())
            image = Image(data)
            scale = min(CONTENT_WIDTH / image.imageWidth, (12 * cm) / image.imageHeight, 1.0)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            out.append(image)
        except Exception:  # noqa: BLE001 - a damaged image still leaves its record in the file
            out.append(para(_("（图片无法显示，原文件见系统证据库，可凭 SHA-256 核验）"), "small"))
    else:
        out.append(para(_("（非图片证据，原文件见系统证据库，可凭 SHA-256 核验）"), "small"))
    return out


@official_language
def case_file_pdf(case: Case) -> tuple[bytes, list[Entry]]:
    """The whole case file as one PDF, and its entries with the page each starts on."""
    entries = case_file_entries(case)
    toc = TableOfContents()
    toc.levelStyles = [ParagraphStyle("toc0", parent=styles()["toc"])]
    story: list[Flowable] = [*_cover(case), para(_("卷内目录"), "h1"), Spacer(1, 8), toc, PageBreak()]
    for entry in entries:
        label = f"{entry.title} {entry.number}".strip()
        story.append(_Marker(entry.key, label))
        if entry.kind == "document":
            story.extend(document_flowables(entry.obj))
        elif entry.kind == "deliberation":
            story.extend(_deliberation_flowables(entry.obj))
        else:
            story.extend(_evidence_flowables(entry.obj, entry.number))
        story.append(PageBreak())
    buffer = io.BytesIO()
    doc = _Doc(buffer, title=_("行政处罚案卷 %(number)s") % {"number": case.display_number},
               footer=case.filing_number or case.number)
    doc.multiBuild(story)
    for entry in entries:
        entry.page = doc.pages.get(entry.key)
    return buffer.getvalue(), entries

