"""The ticket API: scope, filters, constant queries, transitions as actions, the error format."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import services
from dispatch.models import Ticket, TicketStatus
from tests.dispatch.conftest import png

pytestmark = pytest.mark.django_db

URL = "/api/tickets/"


def detail(ticket) -> str:
    return f"{URL}{ticket.pk}/"


def test_staff_intake_through_the_api(api_for, dispatcher, category, county):
    response = api_for(dispatcher).post(URL, {
        "channel": "hotline_12345", "description": "夜间施工噪声扰民", "category": category.pk,
        "township": county.town_a.pk, "reporter_name": "李四", "reporter_phone": "13900001111",
        "priority": "urgent",
    }, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("GD") and body["status"] == "new"
    assert body["reporter"] == {"name": "李四", "phone": "13900001111", "masked": False}
    assert "triage" in body["actions"]


def test_intake_answer_matches_the_ticket_read_back_and_costs_no_read_back(api_for, dispatcher, category, county):
    # The 201 body is serialised from the ticket in memory (selectors.prime_fresh_ticket):
    # it must be exactly what a GET of the new ticket answers, without reading it back.
    api = api_for(dispatcher)
    payload = {"channel": "staff", "description": "占道经营", "category": category.pk, "township": county.town_a.pk,
               "reporter_phone": "13900002222", "place": "人民路 1 号", "lat": 30.1, "lng": 120.2}
    with CaptureQueriesContext(connection) as ctx:
        created = api.post(URL, payload, format="json")
    assert created.status_code == 201, created.json()
    assert created["Location"] == detail(Ticket.objects.get(number=created.json()["number"]))
    assert api.get(created["Location"]).json() == created.json()
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT") and "dispatch_ticket" in q["sql"]]
    assert reads == [], reads


def test_staff_intake_refused_to_a_township_officer(api_for, officer_a):
    response = api_for(officer_a).post(URL, {"description": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_intake_validation_errors_use_the_error_format(api_for, dispatcher, county, category):
    from tests.factories import GridFactory

    grid_b = GridFactory(township=county.town_b)
    response = api_for(dispatcher).post(URL, {"description": "x", "township": county.town_a.pk, "grid": grid_b.pk},
                                        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed" and "grid" in body["fields"]
    missing = api_for(dispatcher).post(URL, {}, format="json").json()
    assert missing["code"] == "validation_failed" and "description" in missing["fields"]


def test_full_lifecycle_through_the_api(api_for, make_ticket, dispatcher, matter, county, squadron_officer,
                                        officer_a):
    ticket = make_ticket()
    desk, squad, town = api_for(dispatcher), api_for(squadron_officer), api_for(officer_a)

    r = desk.post(detail(ticket) + "triage/", {"matter": matter.pk}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["proposed_agency"]["id"] == county.squadron_a.pk
    assert "派驻" in r.json()["proposal_basis"]
    r = desk.post(detail(ticket) + "assign/", {}, format="json")
    assert r.json()["status"] == "assigned" and r.json()["resolve_due"]
    r = squad.post(detail(ticket) + "accept/", {}, format="json")
    assert r.json()["status"] == "accepted"
    r = squad.post(detail(ticket) + "resolve/", {"resolution": "已处理", "files": [png()]}, format="multipart")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "resolved" and r.json()["attachments"][0]["kind"] == "feedback"
    r = town.post(detail(ticket) + "verdict/", {"accepted": True, "score": 5, "reason": "满意"}, format="json")
    assert r.json()["status"] == "closed" and r.json()["verdict_score"] == 5
    r = desk.post(detail(ticket) + "follow_up/", {"satisfaction": "satisfied"}, format="json")
    assert r.json()["satisfaction"] == "satisfied"

    history = desk.get(detail(ticket) + "history/").json()
    assert [e["action"] for e in history] == [
        "intake", "triage", "assign", "accept", "resolve", "close", "follow_up"
    ]


def test_wrong_state_answers_409_and_wrong_agency_403(api_for, assigned, squadron_b_officer, squadron_officer):
    ticket = assigned()
    r = api_for(squadron_officer).post(detail(ticket) + "resolve/", {"resolution": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    # squadron B cannot even see the ticket (township A): 404, not 403
    r = api_for(squadron_b_officer).post(detail(ticket) + "accept/", {}, format="json")
    assert r.status_code == 404


def test_wrong_agency_that_can_see_the_ticket_gets_403_and_nothing_changes(api_for, assigned, officer_a):
    ticket = assigned()
    api = api_for(officer_a)  # township A reads its tickets but does not sign for the squadron
    assert api.get(detail(ticket)).status_code == 200
    r = api.post(detail(ticket) + "accept/", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied", r.json()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ASSIGNED and ticket.accepted_at is None


def test_a_client_acting_on_a_stale_read_gets_409_conflict(api_for, assigned, squadron_officer, dispatcher):
    ticket = assigned()
    seen = api_for(dispatcher).get(detail(ticket)).json()["status"]
    assert api_for(squadron_officer).post(detail(ticket) + "accept/", {}, format="json").status_code == 200

    r = api_for(dispatcher).post(detail(ticket) + "urge/", {"note": "请尽快", "seen_status": seen}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert "已被他人处理" in r.json()["message"] and "已签收" in r.json()["message"]
    assert not ticket_events(ticket, "urge")

    r = api_for(dispatcher).post(detail(ticket) + "urge/", {"note": "请尽快", "seen_status": "accepted"},
                                 format="json")
    assert r.status_code == 200 and len(ticket_events(ticket, "urge")) == 1


def ticket_events(ticket, action):
    from enforcement.models import Event

    return list(Event.objects.filter(object_id=ticket.pk, action=action, content_type__model="ticket"))


def test_return_through_the_api_with_its_error(api_for, assigned, squadron_officer):
    ticket = assigned()
    r = api_for(squadron_officer).post(detail(ticket) + "return/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = api_for(squadron_officer).post(detail(ticket) + "return/", {"reason": "非本辖区"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "triaged"


def test_township_b_cannot_see_or_act_on_township_a_tickets(api_for, resolved, officer_b, officer_a):
    ticket = resolved()
    api = api_for(officer_b)
    assert api.get(detail(ticket)).status_code == 404
    assert api.post(detail(ticket) + "verdict/", {"accepted": True, "score": 5}, format="json").status_code == 404
    assert ticket.pk not in [t["id"] for t in api.get(URL).json()["results"]]
    assert ticket.pk in [t["id"] for t in api_for(officer_a).get(URL).json()["results"]]


def test_reporter_is_masked_for_the_township(api_for, assigned, officer_a):
    body = api_for(officer_a).get(detail(assigned())).json()
    assert body["reporter"] == {"name": "张*", "phone": "138****5678", "masked": True}


def test_list_filters(api_for, make_ticket, assigned, dispatcher, county, category, other_category):
    a = assigned()
    b = make_ticket(township=county.town_b, channel="hotline_12319", category=other_category)
    api = api_for(dispatcher)

    def ids(**params):
        return {t["id"] for t in api.get(URL, params).json()["results"]}

    assert ids(status="assigned") == {a.pk}
    assert ids(channel="hotline_12319") == {b.pk}
    assert ids(township=county.town_b.pk) == {b.pk}
    assert ids(agency=county.squadron_a.pk) == {a.pk}
    assert ids(domain=a.matter.domain_id) == {a.pk}
    assert ids(warning_level="none") == {a.pk, b.pk}
    assert ids(category=other_category.pk) == {b.pk}
    assert ids(number=a.number) == {a.pk}
    assert ids(open="true") == {a.pk, b.pk}
    # The filter counts days in Asia/Shanghai (a UTC date is off by one after 16:00 UTC).
    today = timezone.localdate(a.received_at).isoformat()
    assert ids(received_from=today, received_to=today) == {a.pk, b.pk}
    bad = api.get(URL, {"status": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"


def _queries(api_for, user, url) -> int:
    # A fresh user each time: the scope is cached on the user object for one request.
    api = api_for(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_runs_constant_queries(api_for, assigned, make_ticket, dispatcher, officer_a, county):
    assigned()
    for user in (dispatcher, officer_a):
        few = _queries(api_for, user, URL)
        for _i in range(6):
            assigned()
            make_ticket(township=county.town_a, channel="patrol")
        assert _queries(api_for, user, URL) == few


def test_detail_runs_constant_queries(api_for, make_ticket, dispatcher, matter, squadron_officer):
    ticket = services.ticket_triage(make_ticket(attachments=[png()]), by=dispatcher, matter=matter)
    ticket = services.ticket_assign(ticket, by=dispatcher)
    few = _queries(api_for, dispatcher, detail(ticket))
    for _i in range(3):
        services.attachment_add(ticket, png(), by=dispatcher)
        services.ticket_urge(ticket, by=dispatcher, note="催")
    assert _queries(api_for, dispatcher, detail(ticket)) == few


def test_merge_and_duplicates_through_the_api(api_for, make_ticket, dispatcher, county, officer_b):
    a = make_ticket()
    b = make_ticket(lat=30.0005, lng=120.0005)
    api = api_for(dispatcher)
    found = api.get(detail(b) + "duplicates/").json()
    assert [t["id"] for t in found] == [a.pk] and found[0]["distance_m"] < 200
    hidden, other_b = make_ticket(township=county.town_b), make_ticket(township=county.town_b)
    r = api_for(officer_b).post(detail(hidden) + "merge/", {"into": other_b.number}, format="json")
    assert r.status_code == 403
    r = api_for(officer_b).post(detail(hidden) + "merge/", {"into": a.number}, format="json")
    assert r.status_code == 400 and r.json()["fields"] == {"into": ["未找到该工单，或不在您的查看范围内。"]}
    r = api.post(detail(b) + "merge/", {"into": a.number}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "merged" and r.json()["merged_into"] == a.number


def test_extension_request_and_decision_through_the_api(api_for, assigned, squadron_officer, dispatcher):
    ticket = assigned()
    r = api_for(squadron_officer).post(detail(ticket) + "extension/", {"amount": "2", "reason": "需协调"},
                                       format="json")
    assert r.status_code == 201
    ext_id = r.json()["id"]
    r = api_for(dispatcher).post(detail(ticket) + "extension/decide/", {"extension": ext_id, "approve": True},
                                 format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["new_due"] and Ticket.objects.get(pk=ticket.pk).resolve_due > ticket.resolve_due


def test_attachment_upload_refuses_forbidden_type(api_for, make_ticket, dispatcher):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = make_ticket()
    r = api_for(dispatcher).post(detail(ticket) + "attachments/",
                                 {"files": [SimpleUploadedFile("x.exe", b"MZ")]}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "file_type_not_allowed" and "files" in r.json()["fields"]
    r = api_for(dispatcher).post(detail(ticket) + "attachments/", {"files": [png()]}, format="multipart")
    assert r.status_code == 201 and r.json()[0]["content_type"] == "image/png"


def test_urge_supervise_escalate_convert_through_the_api(api_for, assigned, dispatcher, squadron_officer):
    ticket = assigned()
    desk = api_for(dispatcher)
    assert desk.post(detail(ticket) + "urge/", {"note": "请尽快"}, format="json").status_code == 200
    assert desk.post(detail(ticket) + "supervise/", {"note": "督办"}, format="json").status_code == 200
    assert desk.post(detail(ticket) + "escalate/", {"reason": "影响大"}, format="json").json()["priority"] == "urgent"
    r = api_for(squadron_officer).post(detail(ticket) + "convert_to_case/", {"note": "立案"}, format="json")
    assert r.status_code == 400 and {"title", "party_kind", "party_name"} <= set(r.json()["fields"]), r.json()
    assert Ticket.objects.get(pk=ticket.pk).linked_case_id is None
    r = api_for(squadron_officer).post(detail(ticket) + "convert_to_case/", {
        "note": "立案", "title": "占道经营", "party_kind": "individual", "party_name": "李某"}, format="json")
    assert r.status_code == 200 and r.json()["linked_case_id"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ASSIGNED


def test_unauthenticated_api_answers_401(client):
    assert client.get(URL).status_code == 401


def test_openapi_schema_builds_with_ticket_paths(api_for, dispatcher):
    r = api_for(dispatcher).get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/tickets/{id}/accept/" in paths and "/api/tickets/{id}/return/" in paths
