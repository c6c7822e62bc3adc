"""Case pages: scope (404 outside it), masking, the next steps, step forms, documents, case file, township list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enforcement.cases.services.evidence import evidence_add
from enforcement.models import Case, CaseStatus, Event, EvidenceKind
from tests.enforcement.cases_support import FILED_ON, decided, filed, lead, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"x" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_township_sees_only_its_own_cases(world, client_for):
    own = lead(world)
    other = lead(world, by=world.squad1, agency=world.county.squadron_a, matter=world.bur, party_name="李四")
    client = client_for(world.officer_a)
    page = client.get(reverse("cases:list")).content.decode()
    assert own.number in page and other.number not in page
    assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:file", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:action", args=[other.pk, "file"])).status_code == 404


def test_other_township_gets_404_for_every_case_page(world, client_for):
    case = decided(world)
    client = client_for(world.officer_b)
    doc = case.documents.first()
    for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:document", args=[case.pk, doc.pk]),
                reverse("cases:document-pdf", args=[case.pk, doc.pk]), reverse("cases:file-pdf", args=[case.pk])):
        assert client.get(url).status_code == 404, url


def test_county_wide_reader_sees_every_case_with_the_party_masked(world, client_for, dispatcher):
    case = lead(world)
    client = client_for(dispatcher)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "张*" in page and "3301**********1234" in page
    assert "330102199001011234" not in page and "13812345678" not in page
    assert 'data-testid="actions"' not in page  # a dispatcher does not handle cases
    listing = client.get(reverse("cases:list")).content.decode()
    assert case.number in listing and "张三" not in listing


def test_handling_officer_sees_the_party_in_full_and_the_next_steps(world, client_for):
    case = lead(world)
    page = client_for(world.officer_a).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "330102199001011234" in page
    assert 'data-action="file"' in page and 'data-action="decline"' in page
    assert 'data-action="decide"' not in page


def test_list_runs_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.officer_a)
    for n in range(3):
        lead(world, party_name=f"当事人{n}")
    client.get(reverse("cases:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("cases:list"))
    for n in range(12):
        lead(world, party_name=f"更多{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:list"))
    assert response.status_code == 200


def test_lead_form_registers_a_case(world, client_for):
    client = client_for(world.officer_a)
    response = client.post(reverse("cases:create"), {
        "agency": world.county.town_a.pk, "procedure": "ordinary", "matter": world.dev.pk, "title": "占道经营",
        "source": "report", "occurred_on": "2026-03-01", "discovered_on": "2026-03-02", "party_kind": "individual",
        "party_name": "王五", "party_id_number": "330102198001011111",
    })
    case = Case.objects.get(party_name="王五")
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.agency == world.county.town_a and case.created_by == world.officer_a


def test_file_form_shows_the_rule_when_refused_and_files_when_right(world, client_for):
    case = lead(world)
    client = client_for(world.officer_a)
    url = reverse("cases:action", args=[case.pk, "file"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"officers": [world.officer_a.pk], "on": FILED_ON.isoformat()})
    assert response.status_code == 200 and "第四十二条" in response.content.decode()
    response = client.post(url, {"officers": [world.officer_a.pk, world.officer_a2.pk], "on": FILED_ON.isoformat()})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FILED


def test_a_step_the_user_may_not_take_is_forbidden(world, client_for):
    case = lead(world)
    assert client_for(world.officer_a).get(reverse("cases:action", args=[case.pk, "serve"])).status_code == 403
    assert client_for(world.officer_a).get(reverse("cases:action", args=[case.pk, "nonsense"])).status_code == 404


def test_documents_print_as_html_and_download_as_pdf(world, client_for):
    case = decided(world)
    client = client_for(world.officer_a)
    doc = case.documents.get(kind="decision")
    page = client.get(reverse("cases:document", args=[case.pk, doc.pk]))
    assert page.status_code == 200 and "行政处罚决定书" in page.content.decode()
    pdf = client.get(reverse("cases:document-pdf", args=[case.pk, doc.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_case_file_page_lists_entries_with_pages_and_the_download_is_logged(world, client_for):
    case = decided(world)
    client = client_for(world.officer_a)
    page = client.get(reverse("cases:file", args=[case.pk])).content.decode()
    assert "立案审批表" in page and "行政处罚决定书" in page
    response = client.get(reverse("cases:file-pdf", args=[case.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Event.objects.for_object(case).filter(action="case_file_download", actor=world.officer_a).exists()


def test_evidence_view_and_download_are_logged_and_scoped(world, client_for):
    case = filed(world)
    evidence = evidence_add(case, by=world.officer_a, kind=EvidenceKind.AUDIOVISUAL, title="照片",
                            file=SimpleUploadedFile("a.jpg", JPEG), collected_on=dt.date(2026, 3, 3))
    client = client_for(world.officer_a2)
    response = client.get(reverse("cases:evidence", args=[case.pk, evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    client.get(reverse("cases:evidence-download", args=[case.pk, evidence.pk]))
    assert [e.action for e in Event.objects.for_object(evidence)] == ["evidence_view", "evidence_download"]
    other = client_for(world.officer_b).get(reverse("cases:evidence", args=[case.pk, evidence.pk]))
    assert other.status_code == 404
    assert Event.objects.for_object(evidence).count() == 2


def test_evidence_upload_through_the_step_form(world, client_for):
    case = filed(world)
    client = client_for(world.officer_a)
    response = client.post(reverse("cases:action", args=[case.pk, "evidence"]), {
        "kind": EvidenceKind.AUDIOVISUAL, "title": "现场照片", "collected_on": "2026-03-03",
        "file": SimpleUploadedFile("photo.jpg", JPEG),
    })
    assert response.status_code == 302
    assert case.evidence.get().title == "现场照片"
    refused = client.post(reverse("cases:action", args=[case.pk, "evidence"]), {
        "kind": EvidenceKind.AUDIOVISUAL, "title": "病毒", "collected_on": "2026-03-03",
        "file": SimpleUploadedFile("virus.exe", b"MZ"),
    })
    assert refused.status_code == 200 and "不允许上传" in refused.content.decode()


def test_township_summary_counts_only_visible_cases(world, client_for, dispatcher):
    lead(world)
    lead(world, by=world.squad1, agency=world.county.squadron_a, matter=world.bur, party_name="李四")
    page = client_for(dispatcher).get(reverse("cases:townships")).content.decode()
    assert "甲镇" in page
    assert client_for(world.officer_b).get(reverse("cases:townships")).status_code == 200


def test_a_reviewer_assigned_by_grant_sees_that_case_only_and_in_full(world, client_for):
    from enforcement.access import grant
    from enforcement.models import Role
    from tests.factories import member

    assigned = lead(world)
    other = lead(world, party_name="李四")
    reviewer = member(Role.TOWNSHIP_OFFICER, world.county.town_b, "case_file_reviewer")
    grant("view_case_file", reviewer, assigned)
    client = client_for(reviewer)
    assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("cases:detail", args=[assigned.pk])).content.decode()
    assert "330102199001011234" in page
    assert 'data-action="file"' not in page  # seeing is not handling
    assert set(Case.objects.visible_to(reviewer)) == {assigned}
