"""No 5xx from input: invalid characters answer 400 naming the field, in one middleware for every view."""

from __future__ import annotations

import json

import pytest

from tests.dispatch.test_open311 import _categories, api_key  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.mark.parametrize("url", [
    "/catalogue/?q=%00",
    "/catalogue/?domain=%00&status=%00",
    "/cases/?q=ab%00c",
    "/dispatch/tickets/?q=%00",
    "/api/tickets/?search=%00",
    "/api/matters/?code=%00",
])
def test_nul_in_a_staff_query_parameter_is_refused_with_400(client_for, dispatcher, url):
    response = client_for(dispatcher).get(url)
    assert response.status_code == 400, response.content[:500]
    assert "不允许的字符" in response.content.decode()


@pytest.mark.parametrize("url", [
    "/public/decisions/?q=%00",
    "/public/catalogue/?q=x%00",
    "/open311/v2/requests.json?status=%00",
    "/open311/v2/requests.json?service_request_id=1%00",
    "/open311/v2/requests/%00.json",
])
def test_nul_in_a_public_query_or_path_is_refused_with_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, response.content[:500]


def test_the_api_error_names_the_field(client, db):
    response = client.get("/open311/v2/requests.json?status=open&service_code=a%00b")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert list(body["fields"]) == ["service_code"]
    assert "service_code" in body["message"]


def test_nul_in_an_open311_post_is_refused(client, api_key):  # noqa: F811
    response = client.post("/open311/v2/requests.json", {"api_key": api_key, "service_code": "ZSRM",
                                                         "description": f"噪声{NUL}扰民", "lat": "30", "long": "120"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"description": [response.json()["message"]]}


def test_nul_in_a_public_form_field_is_refused(client, db):
    response = client.post("/public/report/", {"description": f"占道{NUL}经营", "place": "x"})
    assert response.status_code == 400
    assert "description" in response.content.decode()


def test_nul_in_a_json_body_names_the_nested_field(api_for, dispatcher):
    body = json.dumps({"orders": [{"ok": "fine"}, {"township": f"TA{NUL}"}]})
    response = api_for(dispatcher).post("/api/intake/hotline/batch/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["orders[1].township"]


def test_a_lone_surrogate_in_json_is_refused(api_for, dispatcher):
    response = api_for(dispatcher).post("/api/tickets/1/urge/", '{"note": "\\ud800"}',
                                        content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["note"]


def test_a_multipart_body_without_boundary_is_400_not_500(client, db):
    from dispatch.models import Ticket

    response = client.post("/public/report/", b"--x\r\nbroken", content_type="multipart/form-data")
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_ordinary_input_passes(client_for, dispatcher):
    assert client_for(dispatcher).get("/catalogue/?q=占道\t经营").status_code == 200


# --- format suffixes ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["accept.json", "history.json", "accept.api"])
def test_action_routes_with_a_format_suffix_are_not_routed(api_for, dispatcher, suffix):
    """They were, and every action answered 500 (actions take no ``format`` argument)."""
    response = api_for(dispatcher).post(f"/api/tickets/1/{suffix}", {}, format="json")
    assert response.status_code == 404
    assert api_for(dispatcher).get(f"/api/tickets/1/{suffix}").status_code == 404


def test_json_is_still_chosen_with_the_format_parameter(api_for, dispatcher):
    response = api_for(dispatcher).get("/api/tickets/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
