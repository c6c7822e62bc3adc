"""Open311 GeoReport v2 under /open311/v2/: every endpoint and every error case of the spec."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from dispatch import services
from dispatch.models import Channel, Ticket, TicketCategory, TicketStatus
from dispatch.open311 import views as open311_views
from tests.factories import UserFactory

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _categories(db):
    """The default categories (a transactional test elsewhere may have flushed the migration's rows)."""
    for order, (code, name, description) in enumerate([
        ("ZDJY", "占道经营", "流动摊贩、店外经营等占用道路经营"),
        ("ZSRM", "噪声扰民", "施工、商业经营等噪声扰民"),
        ("QTWT", "其他问题", "其他需要执法部门处理的问题"),
    ], start=1):
        TicketCategory.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "is_active": True, "domain": None,
                                 "sort_order": order},
        )


@pytest.fixture
def api_key(db) -> str:
    """The token key of a client system allowed to post through Open311."""
    user = UserFactory(username="svc-open311")
    user.groups.add(Group.objects.get_or_create(name="intake:open311")[0])
    return Token.objects.create(user=user).key


@pytest.fixture
def other_key(db) -> str:
    """A valid token of a user who is not an Open311 client system."""
    return Token.objects.create(user=UserFactory(username="someone")).key


def post(client, data: dict, fmt: str = "json"):
    return client.post(f"{BASE}/requests.{fmt}", data)


def body(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content.decode("utf-8"))


def error_of(response, status: int) -> str:
    assert response.status_code == status
    data = body(response)
    assert isinstance(data, list) and data, data
    assert data[0]["code"] == status
    return data[0]["description"]


def valid_post(api_key: str, **over) -> dict:
    data = {
        "api_key": api_key,
        "service_code": "ZDJY",
        "lat": "30.123456",
        "long": "120.654321",
        "address_string": "甲镇人民路菜市场",
        "description": "菜市场门口流动摊贩占道经营。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "email": "zhang@example.org",
        "device_id": "dev-1",
        "account_id": "acc-9",
        "media_url": "https://img.example.org/1.jpg",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# --- discovery and services ----------------------------------------------------------------------


def test_discovery_names_the_georeport_v2_endpoint_and_its_formats(client, db):
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200
    data = body(response)
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def test_discovery_in_xml(client, db):
    response = client.get(f"{BASE}/discovery.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.content)
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert set(formats) == {"text/xml", "application/json"}


def test_services_are_the_active_categories(client, db):
    TicketCategory.objects.filter(code="QTWT").update(is_active=False)
    data = body(client.get(f"{BASE}/services.json"))
    codes = [s["service_code"] for s in data]
    assert "ZDJY" in codes and "QTWT" not in codes
    zdjy = next(s for s in data if s["service_code"] == "ZDJY")
    assert zdjy == {
        "service_code": "ZDJY", "service_name": "占道经营", "description": "流动摊贩、店外经营等占用道路经营",
        "metadata": False, "type": "realtime", "keywords": "占道经营", "group": "",
    }


def test_services_in_xml_are_service_elements(client, db):
    root = ElementTree.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services"
    first = root.find("service")
    assert first.find("metadata").text == "false"
    assert first.find("type").text == "realtime"


def test_service_definition_has_no_attributes(client, db):
    assert body(client.get(f"{BASE}/services/ZDJY.json")) == {"service_code": "ZDJY", "attributes": []}


def test_unknown_or_inactive_service_definition_is_404(client, db):
    assert "NOPE" in error_of(client.get(f"{BASE}/services/NOPE.json"), 404)
    TicketCategory.objects.filter(code="QTWT").update(is_active=False)
    error_of(client.get(f"{BASE}/services/QTWT.json"), 404)


def test_errors_in_xml_are_error_elements(client, db):
    response = client.get(f"{BASE}/services/NOPE.xml")
    assert response.status_code == 404
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    assert root.find("error/code").text == "404"
    assert root.find("error/description").text


# --- POST a service request ------------------------------------------------------------------------


def test_post_creates_a_ticket_and_returns_an_array_of_one(client, api_key):
    response = post(client, valid_post(api_key))
    assert response.status_code == 201
    [answer] = body(response)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}  # realtime: no token
    assert answer["account_id"] == "acc-9"
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    assert answer["service_request_id"] in answer["service_notice"]
    assert ticket.channel == Channel.OPEN311
    assert ticket.category.code == "ZDJY"
    assert (ticket.lat, ticket.lng) == (30.123456, 120.654321)
    assert ticket.place == "甲镇人民路菜市场"
    assert (ticket.reporter_name, ticket.reporter_phone) == ("张三", "13812345678")
    assert ticket.created_by.username == "svc-open311"
    assert len(ticket.external_ref) == 32  # the token
    assert ticket.status == TicketStatus.NEW


def test_post_works_without_a_csrf_token(api_key):
    response = post(Client(enforce_csrf_checks=True), valid_post(api_key))
    assert response.status_code == 201


def test_post_without_api_key_is_403(client, db):
    assert "api_key" in error_of(post(client, valid_post(None)), 403)
    assert Ticket.objects.count() == 0


def test_post_with_invalid_api_key_is_403(client, db):
    error_of(post(client, valid_post("not-a-key")), 403)


def test_post_by_a_user_who_is_not_an_open311_client_is_403(client, other_key):
    error_of(post(client, valid_post(other_key)), 403)


def test_post_by_an_inactive_client_is_403(client, api_key):
    Token.objects.get(key=api_key).user.__class__.objects.filter(username="svc-open311").update(is_active=False)
    error_of(post(client, valid_post(api_key)), 403)


def test_post_with_unknown_service_code_is_404_as_the_spec_says(client, api_key):
    assert "NOPE" in error_of(post(client, valid_post(api_key, service_code="NOPE")), 404)


def test_post_without_service_code_is_400(client, api_key):
    assert "service_code" in error_of(post(client, valid_post(api_key, service_code=None)), 400)


def test_post_without_any_location_is_400(client, api_key):
    data = valid_post(api_key, lat=None, long=None, address_string=None)
    assert "lat" in error_of(post(client, data), 400)
    assert Ticket.objects.count() == 0


def test_post_with_lat_but_no_long_is_400(client, api_key):
    error_of(post(client, valid_post(api_key, long=None, address_string=None)), 400)


def test_post_with_non_numeric_or_out_of_range_coordinates_is_400(client, api_key):
    error_of(post(client, valid_post(api_key, lat="north")), 400)
    assert "纬度" in error_of(post(client, valid_post(api_key, lat="95")), 400)


def test_post_with_address_string_only_or_address_id_only_is_accepted(client, api_key):
    assert post(client, valid_post(api_key, lat=None, long=None)).status_code == 201
    response = post(client, valid_post(api_key, lat=None, long=None, address_string=None, address_id="A-77"))
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=body(response)[0]["service_request_id"])
    assert "A-77" in ticket.place


def test_post_without_description_uses_the_service_name(client, api_key):
    response = post(client, valid_post(api_key, description=None))
    ticket = Ticket.objects.get(number=body(response)[0]["service_request_id"])
    assert "占道经营" in ticket.description


def test_post_with_too_long_description_or_bad_email_or_media_url_is_400(client, api_key):
    error_of(post(client, valid_post(api_key, description="长" * 4001)), 400)
    error_of(post(client, valid_post(api_key, email="not-an-email")), 400)
    error_of(post(client, valid_post(api_key, media_url="javascript:alert(1)")), 400)
    assert Ticket.objects.count() == 0


def test_post_keeps_attributes_and_private_fields_out_of_columns(client, api_key):
    data = valid_post(api_key)
    data["attribute[SIZE]"] = "large"
    response = post(client, data)
    ticket = Ticket.objects.get(number=body(response)[0]["service_request_id"])
    from enforcement.models import Event

    intake = Event.objects.for_object(ticket).get(action="intake")
    assert intake.data["open311"]["attributes"] == {"SIZE": "large"}
    assert intake.data["open311"]["email"] == "zhang@example.org"


def test_post_in_xml(client, api_key):
    response = post(client, valid_post(api_key), fmt="xml")
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text.startswith("GD")


def test_batch_service_type_returns_a_token_that_resolves_to_the_request(client, api_key, settings):
    settings.OPEN311_SERVICE_TYPE = "batch"
    assert body(client.get(f"{BASE}/services.json"))[0]["type"] == "batch"
    [answer] = body(post(client, valid_post(api_key)))
    assert "service_request_id" not in answer
    token = answer["token"]
    [resolved] = body(client.get(f"{BASE}/tokens/{token}.json"))
    assert resolved == {"service_request_id": Ticket.objects.get().number, "token": token}


# --- GET requests ----------------------------------------------------------------------------------


@pytest.fixture
def tickets(make_ticket, county, dispatcher):
    """A hotline ticket, a public one, a dismissed one, and a township's own call (not public)."""
    now = timezone.now()
    hotline = make_ticket(channel="hotline_12345", external_ref="H-1", received_at=now - dt.timedelta(days=1),
                          description="来电人反映占道，联系电话 13912345678。")
    web = make_ticket(channel="public_web", received_at=now - dt.timedelta(days=2),
                      category=TicketCategory.objects.get(code="ZSRM"))
    dismissed = make_ticket(channel="public_web", received_at=now - dt.timedelta(days=3))
    dismissed = services.ticket_dismiss(dismissed, by=dispatcher, reason="不属于本局职责，已告知向住建部门反映。")
    call = make_ticket(channel="township_call", submitted_by_agency=county.town_a,
                       received_at=now - dt.timedelta(days=1), description="乡镇内部请求：协调拆除")
    old = make_ticket(channel="public_web", received_at=now - dt.timedelta(days=120))
    return type("T", (), {"hotline": hotline, "web": web, "dismissed": dismissed, "call": call, "old": old})


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in body(response)]


def test_requests_list_public_tickets_of_the_last_90_days_newest_first(client, tickets):
    assert numbers(client.get(f"{BASE}/requests.json")) == [
        tickets.hotline.number, tickets.web.number, tickets.dismissed.number
    ]


def test_requests_never_show_private_fields_or_a_townships_own_calls(client, tickets):
    response = client.get(f"{BASE}/requests.json")
    text = response.content.decode("utf-8")
    for private in ("张三", "13812345678", "13912345678", "乡镇内部请求", tickets.call.number):
        assert private not in text
    row = next(r for r in body(response) if r["service_request_id"] == tickets.hotline.number)
    assert "139****5678" in row["description"]
    assert set(row) == {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    }
    assert row["requested_datetime"].endswith("+08:00")
    assert (row["lat"], row["long"]) == (30.0, 120.0)


def test_status_filter_open_closed_and_both(client, tickets):
    assert numbers(client.get(f"{BASE}/requests.json", {"status": "closed"})) == [tickets.dismissed.number]
    assert numbers(client.get(f"{BASE}/requests.json", {"status": "open"})) == [
        tickets.hotline.number, tickets.web.number
    ]
    assert len(numbers(client.get(f"{BASE}/requests.json", {"status": "open,closed"}))) == 3


def test_invalid_status_filter_is_400(client, tickets):
    error_of(client.get(f"{BASE}/requests.json", {"status": "pending"}), 400)


def test_dismissed_request_is_closed_with_the_reason_as_status_notes(client, tickets):
    [row] = body(client.get(f"{BASE}/requests/{tickets.dismissed.number}.json"))
    assert row["status"] == "closed"
    assert "住建部门" in row["status_notes"]
    assert row["updated_datetime"] is not None


def test_merged_request_is_closed_and_points_to_the_survivor(client, tickets, dispatcher, matter, squadron_officer):
    merged = services.ticket_merge(tickets.web, into=tickets.hotline, by=dispatcher)
    [row] = body(client.get(f"{BASE}/requests/{merged.number}.json"))
    assert row["status"] == "closed"
    assert tickets.hotline.number in row["status_notes"]
    assert "合并后办理情况：已受理" in row["status_notes"]

    # The client follows the request it filed: the survivor's outcome reaches it there.
    survivor = services.ticket_triage(Ticket.objects.get(pk=tickets.hotline.pk), by=dispatcher, matter=matter,
                                      township=tickets.hotline.township)
    survivor = services.ticket_accept(services.ticket_assign(survivor, by=dispatcher), by=squadron_officer)
    services.ticket_resolve(survivor, by=squadron_officer, resolution="已拆除违规广告牌，联系电话13812345678。")
    [row] = body(client.get(f"{BASE}/requests/{merged.number}.json"))
    assert "合并后办理情况：" in row["status_notes"] and "已拆除违规广告牌" in row["status_notes"]
    assert "13812345678" not in row["status_notes"]


def test_service_code_filter(client, tickets):
    assert numbers(client.get(f"{BASE}/requests.json", {"service_code": "ZSRM"})) == [tickets.web.number]
    assert len(numbers(client.get(f"{BASE}/requests.json", {"service_code": "ZSRM,ZDJY"}))) == 3
    assert "NOPE" in error_of(client.get(f"{BASE}/requests.json", {"service_code": "NOPE"}), 400)


def test_date_filters_select_by_requested_datetime(client, tickets):
    now = timezone.localtime()
    start = (now - dt.timedelta(days=2, hours=12)).isoformat(timespec="seconds")
    end = (now - dt.timedelta(hours=36)).isoformat(timespec="seconds")
    assert numbers(client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})) == [
        tickets.web.number
    ]
    utc_start = (now - dt.timedelta(days=130)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(client.get(f"{BASE}/requests.json", {"start_date": utc_start})) == [tickets.old.number]


def test_end_date_alone_looks_back_90_days(client, tickets):
    end = (timezone.localtime() - dt.timedelta(days=100)).isoformat(timespec="seconds")
    assert numbers(client.get(f"{BASE}/requests.json", {"end_date": end})) == [tickets.old.number]


def test_unencoded_plus_in_the_offset_is_understood(client, tickets):
    start = (timezone.localtime() - dt.timedelta(days=2, hours=12)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    response = client.get(f"{BASE}/requests.json?start_date={start}")
    assert tickets.web.number in numbers(response)


def test_bad_dates_are_400(client, tickets):
    error_of(client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}), 400)
    # W3C date-times must carry a time zone.
    error_of(client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00"}), 400)
    error_of(client.get(f"{BASE}/requests.json", {"start_date": "2026-03-01T00:00:00Z",
                                                 "end_date": "2026-01-01T00:00:00Z"}), 400)


def test_a_range_longer_than_90_days_is_400(client, tickets):
    error_of(client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00+08:00",
                                                 "end_date": "2026-06-01T00:00:00+08:00"}), 400)


def test_service_request_ids_override_every_other_filter(client, tickets):
    ids = f"{tickets.old.number},{tickets.dismissed.number},{tickets.call.number},GD1999-000001"
    response = client.get(f"{BASE}/requests.json", {"service_request_id": ids, "status": "open"})
    assert sorted(numbers(response)) == sorted([tickets.old.number, tickets.dismissed.number])


def test_results_are_capped(client, tickets, monkeypatch):
    monkeypatch.setattr(open311_views, "DEFAULT_LIMIT", 2)
    assert len(numbers(client.get(f"{BASE}/requests.json"))) == 2


def test_requests_list_runs_a_constant_number_of_queries(client, tickets, api_key, django_assert_max_num_queries):
    for _ in range(3):
        post(client, valid_post(api_key))
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.json")
    assert len(body(response)) == 6


def test_open311_media_url_is_public_but_email_is_not(client, api_key):
    [answer] = body(post(client, valid_post(api_key)))
    [row] = body(client.get(f"{BASE}/requests/{answer['service_request_id']}.json"))
    assert row["media_url"] == "https://img.example.org/1.jpg"
    text = json.dumps(row, ensure_ascii=False)
    assert "zhang@example.org" not in text and "dev-1" not in text and "张三" not in text


def test_requests_in_xml(client, tickets):
    root = ElementTree.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert root.tag == "service_requests"
    assert len(root.findall("request")) == 3
    assert root.find("request/zipcode").text is None  # null -> empty element


def test_requests_are_paged_by_limit_and_page_alike_in_json_and_xml(client, tickets):
    newest_first = [tickets.hotline.number, tickets.web.number, tickets.dismissed.number]
    first = client.get(f"{BASE}/requests.json?limit=2")
    assert numbers(first) == newest_first[:2]
    assert 'rel="next"' in first["Link"] and "page=2" in first["Link"] and "limit=2" in first["Link"]
    last = client.get(f"{BASE}/requests.json?limit=2&page=2")
    assert numbers(last) == newest_first[2:] and "Link" not in last
    xml = ElementTree.fromstring(client.get(f"{BASE}/requests.xml?limit=2&page=2").content)
    assert [r.find("service_request_id").text for r in xml.findall("request")] == newest_first[2:]
    assert "Link" not in client.get(f"{BASE}/requests.json")  # three fit the default page of 50


def test_requests_default_to_50_and_never_exceed_200(client, tickets, monkeypatch):
    assert (open311_views.DEFAULT_LIMIT, open311_views.MAX_LIMIT) == (50, 200)
    monkeypatch.setattr(open311_views, "MAX_LIMIT", 1)
    assert len(body(client.get(f"{BASE}/requests.json?limit=500"))) == 1


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "page=0", "page=-1"])
def test_a_bad_limit_or_page_is_400(client, tickets, query):
    assert "须为正整数" in error_of(client.get(f"{BASE}/requests.json?{query}"), 400)


# --- GET one request, tokens ----------------------------------------------------------------------


def test_one_request_is_an_array_of_one(client, tickets):
    data = body(client.get(f"{BASE}/requests/{tickets.hotline.number}.json"))
    assert isinstance(data, list) and len(data) == 1
    assert data[0]["service_request_id"] == tickets.hotline.number
    assert data[0]["status"] == "open"
    assert data[0]["service_code"] == "ZDJY"


def test_unknown_request_is_404(client, db):
    assert "GD1999-000001" in error_of(client.get(f"{BASE}/requests/GD1999-000001.json"), 404)


def test_a_townships_own_call_is_404_through_open311(client, tickets):
    error_of(client.get(f"{BASE}/requests/{tickets.call.number}.json"), 404)


def test_token_resolves_to_its_service_request(client, api_key):
    [answer] = body(post(client, valid_post(api_key)))
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    data = body(client.get(f"{BASE}/tokens/{ticket.external_ref}.json"))
    assert data == [{"service_request_id": ticket.number, "token": ticket.external_ref}]


def test_unknown_token_is_404(client, db):
    error_of(client.get(f"{BASE}/tokens/deadbeef.json"), 404)


def test_hotline_references_are_not_tokens(client, tickets):
    error_of(client.get(f"{BASE}/tokens/H-1.json"), 404)


def test_wrong_method_is_an_open311_error(client, db):
    response = client.delete(f"{BASE}/services.json")
    assert response.status_code == 405
    assert body(response)[0]["code"] == 405


def test_open311_needs_no_login(client, db):
    assert client.get(f"{BASE}/services.json").status_code == 200


# --- conformance: XML of every resource, and refusals that write nothing ------------------------------


def xml_of(response, status: int = 200):
    assert response.status_code == status
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def test_service_definition_in_xml(client, db):
    root = xml_of(client.get(f"{BASE}/services/ZDJY.xml"))
    assert root.tag == "service_definition"
    assert root.find("service_code").text == "ZDJY"
    assert root.find("attributes") is not None and list(root.find("attributes")) == []


def test_one_request_in_xml_is_a_list_of_one(client, tickets):
    root = xml_of(client.get(f"{BASE}/requests/{tickets.hotline.number}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.find("service_request_id").text == tickets.hotline.number
    assert request.find("status").text == "open"


def test_token_in_xml(client, api_key):
    [answer] = body(post(client, valid_post(api_key)))
    ticket = Ticket.objects.get(number=answer["service_request_id"])
    root = xml_of(client.get(f"{BASE}/tokens/{ticket.external_ref}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert (request.find("service_request_id").text, request.find("token").text) == (
        ticket.number, ticket.external_ref)


def test_post_errors_in_xml(client, api_key):
    root = xml_of(post(client, valid_post(api_key, service_code="NOPE"), fmt="xml"), 404)
    assert root.tag == "errors" and root.find("error/code").text == "404"
    root = xml_of(post(client, valid_post("wrong-key"), fmt="xml"), 403)
    assert root.find("error/code").text == "403"


@pytest.mark.parametrize("change, status", [
    ({"api_key": ""}, 403),
    ({"api_key": "not-a-key"}, 403),
    ({"service_code": "NOPE"}, 404),
    ({"service_code": ""}, 400),
    ({"lat": "", "long": "", "address_string": ""}, 400),
    ({"lat": "91"}, 400),
    ({"email": "not-an-address"}, 400),
])
def test_a_refused_post_writes_nothing(client, api_key, change, status):
    data = {**valid_post(api_key), **change}
    if not data["api_key"]:
        del data["api_key"]
    error_of(post(client, data), status)
    assert not Ticket.objects.exists()
    from enforcement.models import Event

    assert not Event.objects.filter(action="intake").exists()


def test_a_jurisdiction_id_sent_by_multi_city_clients_is_accepted(client, api_key, tickets):
    """GeoReport v2: jurisdiction_id is needed only where one endpoint serves several; this one serves one."""
    assert len(body(client.get(f"{BASE}/services.json", {"jurisdiction_id": "county.example.gov.cn"}))) >= 1
    assert len(numbers(client.get(f"{BASE}/requests.json", {"jurisdiction_id": "county.example.gov.cn"}))) == 3
    response = post(client, {**valid_post(api_key), "jurisdiction_id": "county.example.gov.cn"})
    assert response.status_code == 201
