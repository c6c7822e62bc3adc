"""The inspection API: the same scope (404 outside it), services and record actions as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.inspections import services
from enforcement.inspections.choices import Outcome, SignatureStatus
from tests.enforcement.inspections_support import aware, insp_fixture, make_plan  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 24)


def _record(insp, obj=None, **over):
    obj = obj or insp.objects_a[0]
    values = dict(
        by=insp.officers[0],
        object=obj,
        agency=insp.county.town_a,
        officers=insp.officers[:2],
        findings=[services.FindingInput(matter=insp.m_city, agency=insp.county.town_a)],
        place=obj.address,
        started_at=aware(DAY),
        signature_status=SignatureStatus.SIGNED,
        outcome=Outcome.NO_PROBLEM,
    )
    values.update(over)
    return services.record_create(**values)


def test_record_created_through_the_api_and_closed_with_an_action(insp, api_for):
    api = api_for(insp.officers[0])
    body = {
        "object": insp.objects_a[0].pk,
        "agency": insp.county.town_a.pk,
        "officers": [u.pk for u in insp.officers[:2]],
        "findings": [{"matter": insp.m_city.pk, "result": "ok", "description": "良好"}],
        "place": "甲镇",
        "started_at": "2026-09-24T10:00:00+08:00",
        "signature_status": "signed",
        "outcome": "no_problem",
    }
    response = api.post("/api/inspections/records/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["actions"] == ["no_problem", "ticket"] and len(data["officers"]) == 2
    response = api.post(f"/api/inspections/records/{data['id']}/actions/no_problem/", {}, format="json")
    assert response.status_code == 200 and response.json()["disposition"] == "no_problem"
    # A second action on the closed record is refused.
    again = api.post(f"/api/inspections/records/{data['id']}/actions/no_problem/", {}, format="json")
    assert again.status_code == 400


def test_one_officer_is_refused_with_the_article(insp, api_for):
    body = {
        "object": insp.objects_a[0].pk,
        "agency": insp.county.town_a.pk,
        "officers": [insp.officers[0].pk],
        "findings": [{"matter": insp.m_city.pk}],
        "place": "甲镇",
        "started_at": "2026-09-24T10:00:00+08:00",
        "signature_status": "signed",
        "outcome": "no_problem",
    }
    response = api_for(insp.officers[0]).post("/api/inspections/records/", body, format="json")
    assert response.status_code == 400 and "第四十二条" in response.json()["message"]


def test_other_township_gets_404(insp, api_for):
    record = _record(insp)
    plan = make_plan(insp)
    api = api_for(insp.officer_b)
    assert api.get(f"/api/inspections/records/{record.pk}/").status_code == 404
    assert api.get(f"/api/inspections/plans/{plan.pk}/").status_code == 404
    assert api.get(f"/api/inspections/objects/{insp.objects_a[0].pk}/").status_code == 404
    assert api.post(f"/api/inspections/plans/{plan.pk}/actions/draw/").status_code == 404
    ids = {r["id"] for r in api.get("/api/inspections/objects/").json()["results"]}
    assert ids == {o.pk for o in insp.objects_b}


def test_plan_created_and_drawn_through_the_api_reproducibly(insp, api_for):
    api = api_for(insp.leader_a)
    body = {
        "title": "API抽查",
        "lead_agency": insp.county.town_a.pk,
        "matters": [insp.m_city.pk],
        "townships": [insp.county.town_a.pk],
        "period_start": "2026-09-01",
        "period_end": "2026-09-30",
        "sample_count": 3,
        "seed": 42,
    }
    created = api.post("/api/inspections/plans/", body, format="json")
    assert created.status_code == 201, created.json()
    drawn = api.post(f"/api/inspections/plans/{created.json()['id']}/actions/draw/")
    assert drawn.status_code == 200 and len(drawn.json()["tasks"]) == 3
    twin = api.post("/api/inspections/plans/", body, format="json").json()
    twin_drawn = api.post(f"/api/inspections/plans/{twin['id']}/actions/draw/").json()
    assert twin_drawn["digest"] == drawn.json()["digest"]
    too_many = api.post("/api/inspections/plans/", {**body, "sample_count": 99}, format="json").json()
    refused = api.post(f"/api/inspections/plans/{too_many['id']}/actions/draw/")
    assert refused.status_code == 400 and refused.json()["code"] == "too_many_objects"


def test_lists_run_in_constant_queries(insp, api_for, django_assert_max_num_queries):
    api = api_for(insp.officers[0])
    _record(insp)
    api.get("/api/inspections/records/")
    with django_assert_max_num_queries(15) as small:
        assert api.get("/api/inspections/records/").status_code == 200
    for obj in insp.objects_a[1:8]:
        _record(insp, obj=obj)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/inspections/records/").json()["results"]) == 8
    with django_assert_max_num_queries(15) as objects_small:
        api.get("/api/inspections/objects/")
    assert len(objects_small.captured_queries) <= 15


def test_statistics_endpoint(insp, api_for):
    _record(insp)
    data = api_for(insp.leader_a).get("/api/inspections/statistics/?year=2026").json()
    assert data["totals"]["inspections"] == 1
    assert data["agencies"][0]["agency_id"] == insp.county.town_a.pk
    # A year outside 2000..this year is refused by name (it was a 500 for a huge year).
    for bad in ("99999999", "1999", "2026x"):
        refused = api_for(insp.leader_a).get(f"/api/inspections/statistics/?year={bad}")
        assert refused.status_code == 400 and "year" in refused.json()["fields"], bad
