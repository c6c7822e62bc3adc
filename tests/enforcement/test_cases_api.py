"""Case API: same scope and masking as the pages, steps with the services' refusals, OpenAPI schema."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from enforcement.models import Case, CaseStatus
from tests.enforcement.cases_support import FILED_ON, lead, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def test_list_and_detail_are_scoped(world, api_for):
    own = lead(world)
    other = lead(world, by=world.squad1, agency=world.county.squadron_a, matter=world.bur, party_name="李四")
    api = api_for(world.officer_a)
    ids = [row["id"] for row in api.get("/api/cases/").json()["results"]]
    assert ids == [own.pk]
    assert api.get(f"/api/cases/{other.pk}/").status_code == 404
    assert api.post(f"/api/cases/{other.pk}/actions/investigate/", {}, format="json").status_code == 404


def test_party_is_masked_for_readers_without_a_need(world, api_for, dispatcher):
    case = lead(world)
    party = api_for(dispatcher).get(f"/api/cases/{case.pk}/").json()["party"]
    assert party["masked"] and party["name"] == "张*" and party["id_number"] == "3301**********1234"
    assert api_for(world.officer_a).get(f"/api/cases/{case.pk}/").json()["party"]["name"] == "张三"


def test_lead_then_steps_through_the_api(world, api_for):
    api = api_for(world.officer_a)
    response = api.post("/api/cases/", {
        "agency": "TA", "matter": "CSGL-0001", "title": "占道经营", "occurred_on": "2026-02-20",
        "discovered_on": "2026-02-25", "party_kind": "individual", "party_name": "张三",
        "party_id_number": "330102199001011234",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == CaseStatus.LEAD and "file" in body["actions"]
    pk = body["id"]

    refused = api.post(f"/api/cases/{pk}/actions/file/", {"officers": [world.officer_a.pk],
                                                         "on": FILED_ON.isoformat()}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "officers" and "第四十二条" in refused.json()["message"]

    filed = api.post(f"/api/cases/{pk}/actions/file/", {
        "officers": [world.officer_a.pk, world.officer_a2.pk], "on": FILED_ON.isoformat(),
    }, format="json")
    assert filed.status_code == 200, filed.json()
    assert filed.json()["filing_number"] == "甲镇综执立字〔2026〕第1号"
    api.post(f"/api/cases/{pk}/actions/investigate/", {}, format="json")
    tier = Case.objects.get(pk=pk).matter.tiers.get(order=2)
    # Art. 34: the notice is checked against the discretion standard too (issue 13 point 5).
    outside = api.post(f"/api/cases/{pk}/actions/notice/", {"kinds": ["fine"], "fine": "900", "tier": tier.pk,
                                                           "on": "2026-03-10"}, format="json")
    assert outside.status_code == 400 and outside.json()["code"] == "discretion"
    assert "第三十四条" in outside.json()["message"]
    noticed = api.post(f"/api/cases/{pk}/actions/notice/", {"kinds": ["fine"], "fine": "150", "tier": tier.pk,
                                                           "on": "2026-03-10"}, format="json")
    assert noticed.status_code == 200 and noticed.json()["status"] == CaseStatus.NOTIFIED

    outside = api.post(f"/api/cases/{pk}/actions/decide/", {"outcome": "penalty", "kinds": ["fine"], "fine": "900",
                                                           "tier": tier.pk, "on": "2026-03-20"}, format="json")
    # Art. 45(2): not heavier than the notice announced.
    assert outside.status_code == 400 and outside.json()["code"] == "notice_heavier"
    assert "第四十五条" in outside.json()["message"]

    reviewer = api_for(world.legal_a)
    api.post(f"/api/cases/{pk}/actions/submit_review/", {}, format="json")
    passed = reviewer.post(f"/api/cases/{pk}/actions/review/", {"result": "pass", "opinion": "同意"}, format="json")
    assert passed.status_code == 200 and passed.json()["status"] == CaseStatus.REVIEWED
    decided = api.post(f"/api/cases/{pk}/actions/decide/", {"outcome": "penalty", "kinds": ["fine"], "fine": "150",
                                                           "tier": tier.pk, "on": "2026-03-20"}, format="json")
    assert decided.status_code == 200 and decided.json()["decision_number"] == "甲镇综执罚决字〔2026〕第1号"
    assert [d["kind"] for d in decided.json()["documents"]][-1] == "decision"


def test_an_unknown_step_answers_404_and_a_wrong_state_409(world, api_for):
    case = lead(world)
    api = api_for(world.officer_a)
    assert api.post(f"/api/cases/{case.pk}/actions/fly/", {}, format="json").status_code == 404
    wrong = api.post(f"/api/cases/{case.pk}/actions/serve/", {"method": "direct", "served_to": "张三",
                                                             "on": "2026-03-02"}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "invalid_transition"


def test_list_runs_a_constant_number_of_queries(world, api_for, django_assert_max_num_queries):
    api = api_for(world.officer_a)
    lead(world)
    api.get("/api/cases/")
    with django_assert_max_num_queries(15) as few:
        api.get("/api/cases/")
    for n in range(10):
        lead(world, party_name=f"当事人{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/cases/").status_code == 200


def test_schema_has_no_warnings_for_the_case_api(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "api_cases" in m or "CaseViewSet" in m] == []
    assert "/api/cases/{id}/actions/{step}/" in schema["paths"]


def test_evidence_upload_through_the_api_is_multipart_and_hashed(world, api_for, settings, tmp_path):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.enforcement.cases_support import filed

    settings.MEDIA_ROOT = tmp_path
    case = filed(world)
    content = b"%PDF-1.4 evidence"
    response = api_for(world.officer_a).post(f"/api/cases/{case.pk}/actions/evidence/", {
        "kind": "documentary", "title": "营业执照复印件", "collected_on": "2026-03-03",
        "file": SimpleUploadedFile("licence.pdf", content),
    }, format="multipart")
    assert response.status_code == 200, response.json()
    [evidence] = response.json()["evidence"]
    assert evidence["sha256"] == hashlib.sha256(content).hexdigest()
