"""Case documents: numbered, printable HTML and PDF with extractable Chinese text; the case file as one PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from enforcement.cases.documents.pdf import case_file_entries, case_file_pdf, document_pdf
from enforcement.cases.documents.render import render_page
from enforcement.cases.services import lifecycle as svc
from enforcement.cases.services.evidence import evidence_add
from enforcement.models import AppendOnlyError, Case, CaseDocument, DocumentKind, EvidenceKind, ServiceMethod
from enforcement.workdays import SHANGHAI
from tests.enforcement.cases_support import decided, filed, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def inquiry(world, case):
    return svc.case_add_inquiry_record(
        case, by=world.officer_a, recorder=world.officer_a2, person_name="张三", person_role="当事人",
        person_id_number="330102199001011234",
        place="甲镇综合行政执法队询问室", qa="问：你在人民路摆摊多久了？\n答：大约一个月。",
        started_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI),
        ended_at=dt.datetime(2026, 3, 3, 9, 40, tzinfo=SHANGHAI),
    )


def full_case(world) -> Case:
    case = filed(world)
    inquiry(world, case)
    evidence_add(case, by=world.officer_a, kind=EvidenceKind.AUDIOVISUAL, title="现场照片",
                 file=SimpleUploadedFile("现场.png", png_bytes()), collected_on=dt.date(2026, 3, 3))
    Case.objects.filter(pk=case.pk)  # the helpers below continue from the filed case
    case = svc.case_investigate(case, by=world.officer_a)
    case = svc.case_send_notice(case, by=world.officer_a, kinds=["fine"], fine="150",
                                tier=case.matter.tiers.get(order=2), on=dt.date(2026, 3, 10))
    case = svc.case_submit_review(case, by=world.officer_a)
    case = svc.case_pass_review(case, by=world.legal_a, opinion="事实清楚，同意。")
    case = svc.case_decide(case, by=world.officer_a, outcome="penalty", kinds=["fine"], fine="150", tier=case.tier,
                           on=dt.date(2026, 3, 20), decision_text="责令立即改正。")
    return svc.case_serve(case, by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 21))


def test_decision_pdf_embeds_the_font_and_its_chinese_text_is_extractable(world):
    case = decided(world)
    document = CaseDocument.objects.get(case=case, kind=DocumentKind.DECISION)
    data = document_pdf(document)
    text = pdf_text(data)
    assert "行政处罚决定书" in text
    assert "甲镇综执罚决字〔2026〕第1号" in text
    flat = text.replace("\n", "")  # a sentence may wrap at any character
    assert "张三" in flat and "罚款人民币150元" in flat and "第六十七条" in flat
    assert "第七十二条" in flat and "不得超出罚款的数额" in flat  # the surcharge rule and its cap (art. 72)
    fonts = [f.get_object() for page in PdfReader(io.BytesIO(data)).pages
             for f in page["/Resources"]["/Font"].values()]
    assert any("/FontFile2" in (f.get("/FontDescriptor") or {}) or "/DescendantFonts" in f or
               "/FontDescriptor" in f and "/FontFile2" in f["/FontDescriptor"] for f in fonts)


@pytest.mark.parametrize("kind", [k for k in DocumentKind.values])
def test_every_document_template_renders(world, kind):
    case = decided(world)
    content = {"party_name": "张三", "subject_agency": "甲镇人民政府", "number": "测试〔2026〕第1号",
               "qa": "问：甲\n答：乙"}
    document = CaseDocument(case=case, kind=kind, stage=1, number="测试〔2026〕第1号", title=DocumentKind(kind).label,
                            content=content)
    page = render_page(document)
    assert str(DocumentKind(kind).label) in page and "测试〔2026〕第1号" in page
    assert "甲镇人民政府" in pdf_text(document_pdf(document))


def test_an_issued_document_keeps_its_values_and_cannot_change(world):
    case = decided(world)
    document = CaseDocument.objects.get(case=case, kind=DocumentKind.DECISION)
    Case.objects.filter(pk=case.pk).update(party_name="改名后")
    document.refresh_from_db()
    assert "张三" in render_page(document) and "改名后" not in render_page(document)
    with pytest.raises(AppendOnlyError):
        document.save()


def test_the_inquiry_record_is_written_by_staff_and_numbered_per_case(world):
    case = filed(world)
    first = inquiry(world, case)
    second = inquiry(world, case)
    assert (first.number, second.number) == ("第1次", "第2次")
    page = render_page(first)
    assert "问：你在人民路摆摊多久了？" in page and "答：大约一个月。" in page


def test_the_case_file_lists_documents_and_evidence_in_archive_order_with_page_numbers(world):
    case = full_case(world)
    case = svc.case_execute(case, by=world.officer_a, method="paid", paid_amount="150", receipt_number="R1",
                            on=dt.date(2026, 3, 25))
    case = svc.case_close(case, by=world.officer_a, summary="已缴纳罚款。", on=dt.date(2026, 3, 26))
    data, entries = case_file_pdf(case)
    titles = [e.title for e in entries]
    assert titles == ["立案审批表", "询问笔录", "现场照片", "行政处罚事先告知书", "法制审核意见书", "行政处罚决定书",
                      "送达回证", "结案审批表"]
    assert [e.stage for e in entries] == sorted(e.stage for e in entries)
    pages = [e.page for e in entries]
    assert all(pages) and pages == sorted(pages) and pages[0] >= 3  # after the cover and the contents
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= pages[-1]
    text = pdf_text(data)
    assert "卷内目录" in text and "行政处罚案卷" in text
    evidence = case.evidence.get()
    assert evidence.sha256 in text.replace("\n", "")
    # The contents page shows each entry with its page number.
    contents = reader.pages[1].extract_text()
    assert "行政处罚决定书" in contents and str(pages[5]) in contents


def test_case_file_entries_need_a_constant_number_of_queries(world, django_assert_max_num_queries):
    case = full_case(world)
    with django_assert_max_num_queries(4):
        case_file_entries(case)


def test_documents_stay_chinese_when_the_clerk_reads_the_ui_in_english(world):
    from django.utils import translation

    case = decided(world)
    document = CaseDocument.objects.get(case=case, kind=DocumentKind.DECISION)
    with translation.override("en"):
        page = render_page(document)
        text = pdf_text(document_pdf(document))
        assert translation.get_language() == "en"
    assert "行政处罚决定书" in page and "行政处罚决定书" in text
    assert "Decision" not in text
