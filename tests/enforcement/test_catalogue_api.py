"""The catalogue API: reads for every signed-in user, writes for catalogue administrators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from enforcement.catalogue import api as api_catalogue
from enforcement.catalogue.powers import grant_power
from enforcement.catalogue.services import matter_create
from enforcement.models import GrantMode, GrantSource, Matter, PowerType
from tests.enforcement import catalogue_fixtures as fixtures

matter, refs, chinese = fixtures.matter, fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]
D = dt.date


@pytest.fixture
def catalogue(matter, refs):
    """Three matters across two domains with grants."""
    land = matter_create(code="ZRZY-0001", name="非法占用土地建住宅", power_type=PowerType.PENALTY,
                         domain=refs.land, origin_department=refs.land_dept, by=None, safety_critical=True,
                         violated_provision="《中华人民共和国土地管理法》第七十八条")
    inspect = matter_create(code="CSGL-0200", name="市容环境卫生检查", power_type=PowerType.INSPECTION,
                            domain=refs.urban, origin_department=refs.housing, by=None, first_offense_exempt=True)
    grant_power(matter, refs.county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1))
    grant_power(matter, refs.county.town_a, GrantMode.DEVOLVED, township=refs.county.town_a,
                valid_from=D(2025, 1, 1), source_kind=GrantSource.BATCH, source_ref="2025-1", source_batch_id=3)
    return [matter, land, inspect]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [m["code"] for m in response.json()["results"]]


def test_anonymous_users_get_nothing(catalogue):
    client = APIClient()
    assert client.get("/api/matters/").status_code in (401, 403)
    assert client.get("/api/powers/holder/", {"matter": "CSGL-0100", "township": "TA"}).status_code in (401, 403)


def test_every_signed_in_user_reads_the_list(catalogue, api_for, officer_a, department_staff):
    for user in (officer_a, department_staff):
        assert codes(api_for(user).get("/api/matters/")) == ["CSGL-0100", "CSGL-0200", "ZRZY-0001"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"domain": "ZRZY"}, ["ZRZY-0001"]),
        ({"power_type": "inspection"}, ["CSGL-0200"]),
        ({"origin_department": "DEPT-ZJ"}, ["CSGL-0100", "CSGL-0200"]),
        ({"status": "in_force", "safety_critical": "true"}, ["ZRZY-0001"]),
        ({"first_offense_exempt": "1"}, ["CSGL-0200"]),
        ({"in_guidance_catalogue": "false"}, ["CSGL-0100", "CSGL-0200", "ZRZY-0001"]),
        ({"q": "csgl-01"}, ["CSGL-0100"]),
        ({"q": "土地"}, ["ZRZY-0001"]),
        ({"q": "第七十八条"}, ["ZRZY-0001"]),
        ({"q": "市容 检查"}, ["CSGL-0200"]),
        ({"q": "无此事项"}, []),
    ],
)
def test_list_filters_and_search(catalogue, api_for, officer_a, params, expected):
    assert codes(api_for(officer_a).get("/api/matters/", params)) == expected


def test_bad_filter_values_answer_400_with_field_errors(catalogue, api_for, officer_a):
    response = api_for(officer_a).get("/api/matters/", {"power_type": "bogus", "safety_critical": "maybe"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed" and set(body["fields"]) == {"power_type", "safety_critical"}


def test_list_runs_a_constant_number_of_queries(catalogue, refs, api_for, officer_a, django_assert_max_num_queries):
    api = api_for(officer_a)
    with django_assert_max_num_queries(4):
        assert len(codes(api.get("/api/matters/"))) == 3
    for i in range(30):
        matter_create(code=f"GEN-{i:03d}", name=f"事项{i}", power_type=PowerType.PENALTY, domain=refs.land,
                      origin_department=refs.land_dept, supervising_department=refs.housing, by=None)
    with django_assert_max_num_queries(4):
        assert len(codes(api.get("/api/matters/"))) == 33


def test_detail_shows_tiers_and_current_holders(catalogue, api_for, officer_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api_for(officer_a).get("/api/matters/CSGL-0100/")
    assert response.status_code == 200
    body = response.json()
    assert [t["level"] for t in body["tiers"]] == ["轻微", "一般", "严重"]
    assert body["tiers"][2]["penalty_kind_labels"] == ["没收违法所得", "罚款"]
    holders = body["current_holders"]
    assert [(h["township"] and h["township"]["code"], h["holder"]["code"], h["mode"]) for h in holders] == [
        (None, "BUREAU", "transferred"), ("TA", "TA", "devolved")]
    assert holders[1]["via_text"] == "赋权甲镇（赋权批次 2025-1）"
    assert api_for(officer_a).get("/api/matters/NOPE/").status_code == 404


def test_only_catalogue_administrators_write(catalogue, api_for, officer_a, department_staff):
    payload = {"code": "NEW-1", "name": "新事项", "power_type": "penalty", "domain": "CSGL",
               "origin_department": "DEPT-ZJ"}
    for user in (officer_a, department_staff):
        api = api_for(user)
        assert api.post("/api/matters/", payload, format="json").status_code == 403
        assert api.patch("/api/matters/CSGL-0100/", {"name": "x"}, format="json").status_code == 403
    assert not Matter.objects.filter(code="NEW-1").exists()


def test_administrator_creates_and_updates_through_services(catalogue, api_for, administrator):
    api = api_for(administrator)
    payload = {
        "code": "NEW-1", "name": "新事项", "power_type": "penalty", "domain": "CSGL", "origin_department": "DEPT-ZJ",
        "safety_critical": True, "reason": "新增",
        "tiers": [{"level": "一般", "penalty_kinds": ["fine"], "fine_min": "10", "fine_max": "100"}],
    }
    created = api.post("/api/matters/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["tiers"][0]["fine_unit"] == "yuan"
    m = Matter.objects.get(code="NEW-1")
    assert m.history.get().history_user == administrator

    updated = api.patch("/api/matters/NEW-1/", {"name": "新事项（修订）", "reason": "更名"}, format="json")
    assert updated.status_code == 200 and updated.json()["name"] == "新事项（修订）"
    assert m.history.latest().history_change_reason == "更名"
    assert [t.level for t in m.tiers.all()] == ["一般"]  # tiers untouched when not sent

    assert api.post("/api/matters/", payload, format="json").status_code == 400  # duplicate code
    bad = api.patch("/api/matters/NEW-1/", {"tiers": [{"level": "一般", "penalty_kinds": ["fine"],
                                                       "fine_min": "100", "fine_max": "10"}]}, format="json")
    assert bad.status_code == 400 and "tiers.1" in bad.json()["fields"]
    assert api.patch("/api/matters/NEW-1/", {"code": "OTHER"}, format="json").status_code == 400


def test_there_is_no_delete_and_repeal_goes_through_status(catalogue, api_for, administrator):
    api = api_for(administrator)
    assert api.delete("/api/matters/CSGL-0100/").status_code == 405
    response = api.post("/api/matters/CSGL-0100/status/", {"status": "repealed", "on": "2026-07-01",
                                                           "reason": "法律废止"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "repealed"
    again = api.post("/api/matters/CSGL-0100/status/", {"status": "in_force"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_domains_list(catalogue, api_for, officer_a):
    response = api_for(officer_a).get("/api/domains/")
    assert response.status_code == 200
    assert [d["code"] for d in response.json()] == ["CSGL", "ZRZY"]


def test_holder_lookup(catalogue, api_for, officer_a):
    api = api_for(officer_a)
    body = api.get("/api/powers/holder/", {"matter": "CSGL-0100", "township": "TA", "on": "2025-06-01"}).json()
    assert body["holder"]["holder"]["code"] == "TA" and body["holder"]["mode"] == "devolved"
    assert body["holder"]["source_batch_id"] == 3
    before = api.get("/api/powers/holder/", {"matter": "CSGL-0100", "township": "TA", "on": "2024-06-01"}).json()
    assert before["holder"]["holder"]["code"] == "BUREAU"
    none = api.get("/api/powers/holder/", {"matter": "CSGL-0200", "township": "TB"})
    assert none.status_code == 200 and none.json()["holder"] is None


@pytest.mark.parametrize(
    ("params", "status", "fields"),
    [
        ({}, 400, {"matter", "township"}),
        ({"matter": "CSGL-0100"}, 400, {"township"}),
        ({"matter": "CSGL-0100", "township": "TA", "on": "2025-13-01"}, 400, {"on"}),
        ({"matter": "NOPE", "township": "TA"}, 404, {"matter"}),
        ({"matter": "CSGL-0100", "township": "NOPE"}, 404, {"township"}),
        ({"matter": "CSGL-0100", "township": "BUREAU"}, 404, {"township"}),
    ],
)
def test_holder_lookup_refuses_bad_parameters(catalogue, api_for, officer_a, params, status, fields):
    response = api_for(officer_a).get("/api/powers/holder/", params)
    assert response.status_code == status
    assert set(response.json()["fields"]) == fields


def test_catalogue_endpoints_generate_a_clean_schema():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    router = DefaultRouter()
    api_catalogue.register(router)
    patterns = [path("api/", include([*api_catalogue.extra_urls, *router.urls]))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    assert {"/api/matters/", "/api/matters/{code}/", "/api/powers/holder/", "/api/domains/"} <= set(schema["paths"])
