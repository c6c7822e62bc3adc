"""The PDF and .xlsx of a report not yet published, for the staff who review it (and no one else).

The public reads only published reports under /public/disclosure/; the bureau's editors and the judicial
bureau download a draft's or a reviewed report's files from its staff page, the PDF marked as a draft.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from supervision.disclosure import services
from supervision.disclosure.figures import BREAKDOWN, all_figures

pytestmark = pytest.mark.django_db
YEAR = 2025


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def expected_cell(value):
    """A figure as the .xlsx holds it: amounts (JSON strings) as numbers, a missing value as "—"."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def test_a_draft_pdf_is_marked_as_a_draft_and_its_text_extractable(world, client, judicial_reviewer):
    report = services.report_build(YEAR)
    client.force_login(judicial_reviewer)
    text = pdf_text(client.get(f"/disclosure/{YEAR}/pdf/"))
    assert f"{YEAR}年度行政执法数据公开报告" in text
    assert "草稿，尚未公开，仅供审核使用" in text
    # The county's figures are in it: the penalty decisions counted by hand in test_workflow (3).
    assert "penalty_decisions" in text
    assert report.generated_analysis.split("。")[0][:10] in text.replace("\n", "")
    reviewed = services.report_review(report, by=judicial_reviewer, note="同意")
    text = pdf_text(client.get(f"/disclosure/{YEAR}/v1/pdf/"))
    assert "草稿（司法局已审核），尚未公开" in text
    # Published: the staff's PDF is the public one, without the mark.
    services.report_publish(reviewed, by=judicial_reviewer)
    staff = pdf_text(client.get(f"/disclosure/{YEAR}/pdf/"))
    public = pdf_text(client.get(f"/public/disclosure/{YEAR}/pdf/"))
    assert "尚未公开" not in staff and "尚未公开" not in public
    assert "公开日期" in staff


def test_the_xlsx_of_a_reviewed_report_holds_the_reports_figures(world, client, judicial_reviewer):
    county_editor = world[1]
    report = services.report_review(services.report_build(YEAR), by=judicial_reviewer)
    client.force_login(county_editor)
    response = client.get(f"/disclosure/{YEAR}/xlsx/")
    assert response.status_code == 200
    assert "草稿" in response["Content-Disposition"] or "%E8%8D%89%E7%A8%BF" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    county_sheet, agencies_sheet, analysis_sheet = book.worksheets
    figures = report.figures
    kinds = {f.key: f.kind for _p, f in all_figures()}
    seen = 0
    rows = list(county_sheet.iter_rows(min_row=2, values_only=True))
    for n, (key, _label, value, _definition) in enumerate(rows):
        if not key:
            continue
        if key in figures["missing"] or key not in figures["county"]:
            assert value == "暂无数据（尚未纳入系统）", key
        elif kinds[key] == BREAKDOWN:
            # Its parts follow on rows without a key, in the report's order.
            parts = []
            for row in rows[n + 1:]:
                if row[0]:
                    break
                parts.append(row[2])
            assert parts == list(figures["county"][key].values()), key
        else:
            want = figures["county"][key]
            assert value == ("—" if want is None else expected_cell(want)), key
        seen += 1
    assert seen >= 20 and county_sheet.cell(row=2, column=1).value
    header_keys = [c.value for c in agencies_sheet[2]][2:]
    by_code = {row[0]: row for row in agencies_sheet.iter_rows(min_row=3, values_only=True)}
    assert set(by_code) == set(figures["agencies"])
    for code, values in figures["agencies"].items():
        assert by_code[code][1] == values.get("name", code)
        for key, cell in zip(header_keys, by_code[code][2:], strict=True):
            assert cell == expected_cell(values.get(key)), (code, key)
    assert by_code["TA"][2 + header_keys.index("penalty_decisions")] == 2  # A1 and A2, counted by hand
    assert analysis_sheet.cell(row=2, column=1).value == report.generated_analysis


def test_only_the_bureau_and_the_judicial_bureau_get_a_drafts_files(
    world, client, judicial_reviewer, officer_a, squadron_officer, department_staff, dispatcher
):
    services.report_build(YEAR)
    editor = world[1]
    paths = [f"/disclosure/{YEAR}/pdf/", f"/disclosure/{YEAR}/xlsx/", f"/disclosure/{YEAR}/v1/pdf/",
             f"/disclosure/{YEAR}/v1/xlsx/"]
    for path in paths:
        client.logout()
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], path
        for user in (officer_a, squadron_officer, department_staff):
            client.force_login(user)
            assert client.get(path).status_code == 404, (user, path)
        for user in (judicial_reviewer, editor, dispatcher):
            client.force_login(user)
            assert client.get(path).status_code == 200, (user, path)
    client.force_login(judicial_reviewer)
    assert client.get(f"/disclosure/{YEAR}/v2/pdf/").status_code == 404
    assert client.get(f"/disclosure/{YEAR - 1}/xlsx/").status_code == 404
    # The public's files stay published-only.
    client.logout()
    for path in (f"/public/disclosure/{YEAR}/pdf/", f"/public/disclosure/{YEAR}/xlsx/",
                 f"/public/disclosure/{YEAR}/v1/pdf/", f"/api/disclosure-reports/{YEAR}/"):
        assert client.get(path).status_code == 404, path


def test_the_staff_page_links_the_drafts_files(world, client, judicial_reviewer):
    services.report_build(YEAR)
    client.force_login(judicial_reviewer)
    page = client.get(f"/disclosure/{YEAR}/").content.decode()
    assert f'href="/disclosure/{YEAR}/v1/pdf/"' in page and f'href="/disclosure/{YEAR}/v1/xlsx/"' in page
    assert "下载PDF（草稿）" in page
