"""Core REST API: scope, one error format, constant queries, token auth and the OpenAPI schema."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from enforcement.errors import Conflict, ValidationFailed
from enforcement.models import AgencyKind, Notification
from enforcement.notifications import notify
from tests.conftest import PASSWORD
from tests.factories import AgencyFactory, GridFactory

User = get_user_model()

ERROR_KEYS = {"code", "message", "fields"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    assert set(body) == ERROR_KEYS
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code
    return body


def fresh(user):
    """The same user as a new object: no scope cached from an earlier request."""
    return User.objects.get(pk=user.pk)


def queries_for(api_for, user, url: str) -> int:
    api = api_for(fresh(user))
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx)


# --- agencies ----------------------------------------------------------------


def test_agency_list_filters_by_kind(api_for, dispatcher, county):
    response = api_for(dispatcher).get("/api/agencies/", {"kind": AgencyKind.TOWN})
    assert response.status_code == 200
    assert [a["code"] for a in response.json()["results"]] == ["TA"]


def test_agency_list_filters_by_parent_and_searches_name_and_code(api_for, officer_a, county):
    api = api_for(officer_a)
    children = api.get("/api/agencies/", {"parent": county.bureau.pk}).json()["results"]
    assert {a["code"] for a in children} == {"CMD", "BRIG"}
    assert [a["code"] for a in api.get("/api/agencies/", {"search": "乙街"}).json()["results"]] == ["TB"]
    assert [a["code"] for a in api.get("/api/agencies/", {"search": "SQA"}).json()["results"]] == ["SQA"]


def test_agency_detail_shows_parent_and_stationed_township(api_for, officer_b, county):
    body = api_for(officer_b).get(f"/api/agencies/{county.squadron_a.pk}/").json()
    assert body["kind"] == AgencyKind.SQUADRON_STATIONED
    assert body["kind_display"] == "派驻中队"
    assert body["parent"]["code"] == "BRIG"
    assert body["stationed_in"]["code"] == "TA"


def test_agency_api_is_read_only(api_for, administrator, county):
    response = api_for(administrator).post("/api/agencies/", {"code": "X", "name": "X", "kind": "town"})
    assert_error(response, 405)


def test_invalid_filter_value_returns_400_in_the_error_format(api_for, dispatcher, county):
    response = api_for(dispatcher).get("/api/agencies/", {"parent": 999999})
    body = assert_error(response, 400, "validation_failed")
    assert "parent" in body["fields"]


def test_agency_list_runs_constant_queries(api_for, dispatcher, county, django_assert_max_num_queries):
    few = queries_for(api_for, dispatcher, "/api/agencies/")
    brigade = county.brigade
    for n in range(30):
        AgencyFactory(code=f"SQX{n}", kind=AgencyKind.SQUADRON_DIRECT, parent=brigade)
    api = api_for(fresh(dispatcher))
    with django_assert_max_num_queries(few):
        response = api.get("/api/agencies/")
    assert response.json()["count"] == 38


# --- grids -------------------------------------------------------------------


@pytest.fixture
def grids(county):
    return {
        "a": GridFactory(township=county.town_a, code="TA-G01", name="甲镇第1网格"),
        "b": GridFactory(township=county.town_b, code="TB-G01", name="乙街道第1网格"),
    }


def test_township_officer_lists_only_own_townships_grids(api_for, officer_a, grids):
    body = api_for(officer_a).get("/api/grids/").json()
    assert [g["code"] for g in body["results"]] == ["TA-G01"]
    assert body["results"][0]["township"]["code"] == "TA"


def test_township_officer_gets_404_for_another_townships_grid(api_for, officer_a, grids):
    api = api_for(officer_a)
    assert api.get(f"/api/grids/{grids['a'].pk}/").status_code == 200
    assert_error(api.get(f"/api/grids/{grids['b'].pk}/"), 404, "not_found")


def test_stationed_squadron_officer_sees_the_grids_of_its_township(api_for, squadron_officer, grids):
    body = api_for(squadron_officer).get("/api/grids/").json()
    assert [g["code"] for g in body["results"]] == ["TA-G01"]


def test_dispatcher_sees_every_grid_and_filters_by_township(api_for, dispatcher, grids, county):
    api = api_for(dispatcher)
    assert api.get("/api/grids/").json()["count"] == 2
    body = api.get("/api/grids/", {"township": county.town_b.pk}).json()
    assert [g["code"] for g in body["results"]] == ["TB-G01"]


def test_department_staff_sees_no_grids(api_for, department_staff, grids):
    assert api_for(department_staff).get("/api/grids/").json()["count"] == 0


def test_grid_member_without_a_post_sees_the_grid_they_patrol_and_no_other(api_for, county, grids, client):
    # A grid member (网格员) often holds no post in any agency; the grid they report from is theirs to
    # read, like the township's staff read it, while another grid, even of the same township, is not.
    member = User.objects.create_user("grid_member_a", first_name="网格员")
    grids["a"].member = member
    grids["a"].save(update_fields=["member"])
    other_a = GridFactory(township=county.town_a, code="TA-G02", name="甲镇第2网格")
    api = api_for(member)
    body = api.get("/api/grids/").json()
    assert [g["code"] for g in body["results"]] == ["TA-G01"]
    assert api.get(f"/api/grids/{grids['a'].pk}/").json()["name"] == "甲镇第1网格"
    assert_error(api.get(f"/api/grids/{other_a.pk}/"), 404, "not_found")
    assert_error(api.get(f"/api/grids/{grids['b'].pk}/"), 404, "not_found")
    client.force_login(member)
    assert client.get(f"/grids/{grids['a'].pk}/").status_code == 200
    assert client.get(f"/grids/{other_a.pk}/").status_code == 404


def test_grid_list_runs_constant_queries(api_for, officer_a, dispatcher, county, django_assert_max_num_queries):
    member = User.objects.create_user("grid_member", first_name="网格员")
    GridFactory.create_batch(3, township=county.town_a, member=member)
    few_officer = queries_for(api_for, officer_a, "/api/grids/")
    few_dispatcher = queries_for(api_for, dispatcher, "/api/grids/")
    for n in range(27):
        GridFactory(township=county.town_a, member=User.objects.create_user(f"gm{n}", first_name=f"网格员{n}"))
    for user, few in ((officer_a, few_officer), (dispatcher, few_dispatcher)):
        api = api_for(fresh(user))
        with django_assert_max_num_queries(few):
            response = api.get("/api/grids/")
        assert response.json()["count"] == 30


# --- notifications -------------------------------------------------------------


@pytest.fixture
def inbox(officer_a, officer_b, county):
    return {
        "a1": notify(officer_a, reason="test.one", title="第一条", subject=county.town_a, email=False),
        "a2": notify(officer_a, reason="test.two", title="第二条", subject=county.town_a, email=False),
        "b1": notify(officer_b, reason="test.one", title="他人的通知", email=False),
    }


def test_notifications_list_only_the_callers_own(api_for, officer_a, inbox):
    body = api_for(officer_a).get("/api/notifications/").json()
    assert {n["title"] for n in body["results"]} == {"第一条", "第二条"}
    assert body["results"][0]["subject_type"] == "enforcement.agency"


def test_another_users_notification_answers_404_and_stays_unread(api_for, officer_a, inbox):
    api = api_for(officer_a)
    other = inbox["b1"]
    assert_error(api.get(f"/api/notifications/{other.pk}/"), 404, "not_found")
    assert_error(api.post(f"/api/notifications/{other.pk}/read/"), 404, "not_found")
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_read_marks_one_notification(api_for, officer_a, inbox):
    api = api_for(officer_a)
    response = api.post(f"/api/notifications/{inbox['a1'].pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    unread = api.get("/api/notifications/", {"unread": "true"}).json()["results"]
    assert [n["title"] for n in unread] == ["第二条"]


def test_read_all_marks_only_the_callers_notifications(api_for, officer_a, inbox):
    response = api_for(officer_a).post("/api/notifications/read_all/")
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=officer_a, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=inbox["b1"].pk).read_at is None


def test_notification_list_runs_constant_queries(api_for, officer_a, county, django_assert_max_num_queries):
    for n in range(3):
        notify(officer_a, reason=f"few.{n}", title="通知", subject=county.town_a, email=False)
    few = queries_for(api_for, officer_a, "/api/notifications/")
    for n in range(27):
        notify(officer_a, reason=f"many.{n}", title="通知", subject=county.town_b, email=False)
    api = api_for(fresh(officer_a))
    with django_assert_max_num_queries(few):
        assert api.get("/api/notifications/").json()["count"] == 30


# --- me and token auth ------------------------------------------------------------


def test_me_returns_user_memberships_roles_and_certificates(api_for, officer_a, county):
    body = api_for(officer_a).get("/api/me/").json()
    assert body["username"] == "officer_a"
    assert body["roles"] == ["township_officer"]
    assert [(m["agency"]["code"], m["role"], m["role_display"]) for m in body["memberships"]] == [
        ("TA", "township_officer", "乡镇执法人员"),
    ]
    assert len(body["certificates"]) == 1 and body["certificates"][0]["is_valid_today"] is True
    assert body["county_wide"] is False
    assert body["township_ids"] == [county.town_a.pk]


def test_token_from_username_and_password_authenticates_me(officer_a):
    api = APIClient()
    response = api.post("/api/auth/token/", {"username": "officer_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "officer_a"


def test_token_with_wrong_password_is_a_400_in_the_error_format(officer_a):
    response = APIClient().post("/api/auth/token/", {"username": "officer_a", "password": "wrong"}, format="json")
    body = assert_error(response, 400, "validation_failed")
    assert "non_field_errors" in body["fields"]


@pytest.mark.parametrize("url", ["/api/me/", "/api/grids/", "/api/agencies/", "/api/notifications/"])
def test_anonymous_requests_are_refused_in_the_error_format(db, url):
    response = APIClient().get(url)
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code, "not_authenticated")


def test_bad_token_is_refused_in_the_error_format(db):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/me/")
    # 403 rather than 401: session authentication comes first and sends no WWW-Authenticate challenge.
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code, "authentication_failed")


# --- domain errors ---------------------------------------------------------------


class _Refusing(APIView):
    error: Exception = None

    def post(self, request):
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "code", "fields"),
    [
        (ValidationFailed("处罚金额超出裁量范围。", field="amount"), 400, "validation_failed", {"amount"}),
        (Conflict(), 409, "conflict", set()),
    ],
)
def test_domain_errors_come_back_in_the_error_format(officer_a, error, status, code, fields):
    request = APIRequestFactory().post("/api/anything/")
    force_authenticate(request, user=officer_a)
    response = _Refusing.as_view(error=error)(request)
    response.render()
    body = assert_error(response, status, code)
    assert body["message"] == str(error.message)
    assert set(body["fields"]) == fields


# --- OpenAPI schema and docs ---------------------------------------------------------

OUR_PATHS = [
    "/api/agencies/", "/api/agencies/{id}/", "/api/grids/", "/api/grids/{id}/", "/api/notifications/",
    "/api/notifications/{id}/", "/api/notifications/{id}/read/", "/api/notifications/read_all/", "/api/me/",
    "/api/auth/token/",
]


def test_schema_is_valid_openapi_3_and_lists_the_core_endpoints(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    spec = json.loads(response.content)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert set(OUR_PATHS) <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/notifications/{id}/read/"]


def test_schema_generation_has_no_warnings_for_the_core_endpoints(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    ours = ("enforcement/api.py", "enforcement/serializers.py", "enforcement/filters.py", "ObtainAuthToken",
            "AgencyViewSet", "GridViewSet", "NotificationViewSet", "MeView")
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if any(part in m for part in ours)] == []


def test_api_docs_render_with_local_assets_only(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
