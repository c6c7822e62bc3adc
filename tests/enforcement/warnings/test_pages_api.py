"""Warning pages and API: scope (404 outside it), lists in constant queries, actions, documents, exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from enforcement.warnings import services
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningNotice
from tests.enforcement.inspections_support import insp_fixture  # noqa: F401  (fixture)
from tests.enforcement.warnings.support import CONDITIONS, issue, ordered_record, warning_list_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_township_b_gets_404_for_township_a_warnings_everywhere(wl, client_for, api_for):
    warning = issue(
        wl, kind=WarningKind.COMMITMENT, commitment_text="承诺改正", commitment_file=SimpleUploadedFile("c.pdf", PDF)
    )
    client = client_for(wl.officer_b)
    for name in ("detail", "print", "pdf", "commitment"):
        assert client.get(reverse(f"warnings:{name}", args=[warning.pk])).status_code == 404, name
    assert client.get(reverse("warnings:action", args=[warning.pk, "correct"])).status_code == 404
    assert (
        client.post(reverse("warnings:action", args=[warning.pk, "correct"]), {"on": "2026-10-01"}).status_code == 404
    )
    page = client.get(reverse("warnings:list"))
    assert page.status_code == 200 and warning.number not in page.content.decode()
    api = api_for(wl.officer_b)
    assert api.get(f"/api/warnings/{warning.pk}/").status_code == 404
    assert (
        api.post(f"/api/warnings/{warning.pk}/actions/correct/", {"on": "2026-10-01"}, format="json").status_code == 404
    )
    assert api.get("/api/warnings/").json()["count"] == 0
    # The stored file's media URL answers 404 too, and township A is redirected to the checked view.
    media = warning.commitment_file.url
    assert client.get(media).status_code == 404
    own = client_for(wl.officers[0])
    assert own.get(media).status_code == 302
    response = own.get(reverse("warnings:commitment", args=[warning.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ISSUED


def test_list_page_and_api_run_in_constant_queries(wl, client_for, api_for, django_assert_max_num_queries):
    client, api = client_for(wl.officers[0]), api_for(wl.officers[0])
    issue(wl, obj=wl.objects_a[0])
    client.get(reverse("warnings:list"))  # warm the per-process caches (calendar, scope)
    with django_assert_max_num_queries(14) as few:
        assert client.get(reverse("warnings:list")).status_code == 200
    with django_assert_max_num_queries(12) as few_api:
        assert api.get("/api/warnings/").status_code == 200
    for obj in wl.objects_a[1:8]:
        issue(wl, obj=obj)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("warnings:list"))
    assert page.content.decode().count("YJ-2026-") >= 8
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        assert api.get("/api/warnings/").json()["count"] == 8
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        sheet = client.get(reverse("warnings:list") + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert len(rows) == 9 and rows[0][0] == "文书编号"


def test_issue_page_refuses_a_second_warning_with_the_message(wl, client_for):
    client = client_for(wl.officers[0])
    data = {
        "agency": wl.county.town_a.pk,
        "object": wl.objects_a[0].pk,
        "party_legal_rep": "王老板",
        "matter": wl.m_litter.pk,
        "facts": "门前堆放杂物",
        "conditions": CONDITIONS,
        "kind": "notice",
        "officers": [u.pk for u in wl.officers[:2]],
        "issued_on": "2026-09-24",
    }
    response = client.post(reverse("warnings:issue"), data)
    assert response.status_code == 302
    warning = WarningNotice.objects.get()
    assert response["Location"] == reverse("warnings:detail", args=[warning.pk])
    data["issued_on"] = "2026-11-02"
    again = client.post(reverse("warnings:issue"), data)
    assert again.status_code == 400 and "请转为案件办理" in again.content.decode()
    assert WarningNotice.objects.count() == 1


def test_detail_page_rechecks_through_the_action_table(wl, client_for):
    warning = issue(wl)
    client = client_for(wl.officers[0])
    page = client.get(reverse("warnings:detail", args=[warning.pk])).content.decode()
    assert "action-correct" in page and "action-to_case" in page and "2026-10-15" in page
    early = client.post(reverse("warnings:action", args=[warning.pk, "to_case"]), {"on": "2026-10-15"})
    assert early.status_code == 400 and "期限内不能认定逾期未改正" in early.content.decode()
    done = client.post(reverse("warnings:action", args=[warning.pk, "correct"]), {"on": "2026-10-12", "note": "已清理"})
    assert done.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CORRECTED
    assert client.get(reverse("warnings:action", args=[warning.pk, "correct"])).status_code == 403


def test_printable_notice_and_pdf_cite_the_article(wl, client_for):
    warning = issue(wl)
    client = client_for(wl.officers[0])
    page = client.get(reverse("warnings:print", args=[warning.pk])).content.decode()
    assert "责令改正通知书" in page and "第二十八条" in page and "2026年10月15日" in page
    pdf = client.get(reverse("warnings:pdf", args=[warning.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert warning.number in text and "责令改正通知书" in text


def test_api_issues_from_a_record_and_rechecks_into_a_case(wl, api_for):
    api = api_for(wl.officers[0])
    record = ordered_record(wl)
    response = api.post(
        f"/api/inspections/records/{record.pk}/actions/warning/",
        {
            "matter": wl.m_litter.pk,
            "kind": "notice",
            "facts": "门前堆放杂物",
            "conditions": CONDITIONS,
            "party_legal_rep": "王老板",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["disposition"] == "warning"
    warning = WarningNotice.objects.get(record=record)
    body = api.get(f"/api/warnings/{warning.pk}/").json()
    assert body["actions"] == ["correct", "to_case"] and body["record_id"] == record.pk
    # Issued today: the deadline has not passed, so "not corrected" is refused with the article.
    refused = api.post(f"/api/warnings/{warning.pk}/actions/to_case/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "warning_correction"
    WarningNotice.objects.filter(pk=warning.pk).update(
        issued_on=dt.date(2026, 9, 24), correction_due_at=services.correction_due(dt.date(2026, 9, 24), 10).at
    )
    done = api.post(
        f"/api/warnings/{warning.pk}/actions/to_case/", {"on": "2026-10-16", "note": "未清理"}, format="json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "case" and done.json()["case"]


def test_api_issue_refuses_a_repeat_with_its_code(wl, api_for):
    api = api_for(wl.officers[0])
    body = {
        "agency": wl.county.town_a.pk,
        "matter": wl.m_litter.pk,
        "party_kind": "individual",
        "party_name": "李四",
        "party_id_number": "330102199001011234",
        "facts": "占道经营",
        "conditions": CONDITIONS,
        "officers": [u.pk for u in wl.officers[:2]],
        "issued_on": "2026-09-24",
    }
    first = api.post("/api/warnings/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["party_id_number"] == "3301**********1234"
    body["issued_on"] = "2026-10-20"
    second = api.post("/api/warnings/", body, format="json")
    assert second.status_code == 400 and second.json()["code"] == "warning_repeat"
    assert WarningNotice.objects.count() == 1
    assert (
        api_for(wl.officer_b)
        .post("/api/warnings/", {**body, "party_name": "王五", "party_id_number": ""}, format="json")
        .status_code
        == 403
    )


def test_statistics_page_api_and_export(wl, client_for, api_for):
    a = issue(wl)
    issue(wl, obj=wl.objects_a[1])
    services.warning_mark_corrected(a, by=wl.officers[0], on=dt.date(2026, 10, 9))
    client = client_for(wl.officers[0])
    page = client.get(reverse("warnings:statistics") + "?year=2026").content.decode()
    assert "100.0%" in page and "甲镇" in page and "CG-FK-0101" in page
    data = api_for(wl.officers[0]).get("/api/warnings/statistics/?year=2026").json()
    assert data["total"] == {
        "warnings": 2,
        "self_corrected": 1,
        "commitments": 0,
        "turned_into_cases": 0,
        "open": 1,
        "rate": 100.0,
    }
    sheet = client.get(reverse("warnings:statistics") + "?year=2026&format=xlsx")
    assert sheet.status_code == 200 and load_workbook(io.BytesIO(sheet.content)).active.max_row > 3
    # Township B sees nothing of A's.
    other = api_for(wl.officer_b).get("/api/warnings/statistics/?year=2026").json()
    assert other["total"]["warnings"] == 0
    # A year outside 2000..this year is refused by name, not a server error.
    for bad in ("99999999", "1999", "abc", "-1"):
        refused = api_for(wl.officers[0]).get(f"/api/warnings/statistics/?year={bad}")
        assert refused.status_code == 400 and "year" in refused.json()["fields"], bad


def test_todo_lists_rechecks_due(wl, client_for):
    from enforcement.todo import todo_for

    warning = issue(wl)  # due 2026-10-15, before today
    items = [i for i in todo_for(wl.officers[0]) if i.kind == "warnings.recheck"]
    assert [i.reference for i in items] == [warning.number] and items[0].level == "red"
    assert not [i for i in todo_for(wl.officer_b) if i.kind == "warnings.recheck"]
    services.warning_mark_corrected(warning, by=wl.officers[0], on=dt.date(2026, 10, 9))
    assert not [i for i in todo_for(wl.officers[0]) if i.kind == "warnings.recheck"]
