"""Hotline platforms (12345 / 12319 / 12369) push work orders and pull their status through the API."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch import services
from dispatch.models import Channel, Ticket, TicketCategory, TicketStatus
from tests.dispatch.conftest import at
from tests.factories import UserFactory, run_together

PUSH = "/api/intake/hotline/"


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


def client_system(username: str, *channels: str) -> APIClient:
    """An API client authenticated with the token of a service account for ``channels``."""
    user = UserFactory(username=username)
    for channel in channels:
        user.groups.add(Group.objects.get_or_create(name=f"intake:{channel}")[0])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.fixture
def platform(db):
    return client_system("svc-12345", "hotline_12345")


def order(**over) -> dict:
    data = {
        "external_ref": "12345-20261120-0001",
        "description": "市民来电反映：人民路菜市场门口流动摊贩占道经营，联系电话13812345678。",
        "category": "ZDJY",
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
        "place": "甲镇人民路菜市场",
        "township": "TA",
        "received_at": "2026-11-20T09:15:00+08:00",
    }
    data.update(over)
    return data


def status_url(channel: str, ref: str) -> str:
    return f"/api/intake/hotline/{channel}/{ref}/"


# --- push ------------------------------------------------------------------------------------------


def test_first_push_creates_a_ticket_and_answers_201(platform, county):
    response = platform.post(PUSH, order(), format="json")
    assert response.status_code == 201, response.data
    ticket = Ticket.objects.get()
    assert response.data["number"] == ticket.number
    assert response.data["lookup_code"] == ticket.lookup_code
    assert response.data["status"] == TicketStatus.NEW
    assert (ticket.channel, ticket.external_ref) == (Channel.HOTLINE_12345, "12345-20261120-0001")
    assert ticket.category.code == "ZDJY" and ticket.township == county.town_a
    assert ticket.received_at == at(2026, 11, 20, 9, 15)
    assert ticket.created_by.username == "svc-12345"


def test_pushing_the_same_order_again_returns_the_first_ticket_with_200(platform, county):
    first = platform.post(PUSH, order(), format="json")
    again = platform.post(PUSH, order(description="重复推送，内容略有不同"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data["number"] == first.data["number"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().description.startswith("市民来电反映")


def test_the_same_reference_on_two_hotlines_is_two_tickets(county):
    api = client_system("svc-multi", "hotline_12345", "hotline_12319")
    a = api.post(PUSH, order(channel="hotline_12345"), format="json")
    b = api.post(PUSH, order(channel="hotline_12319"), format="json")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.data["number"] != b.data["number"]


def test_channel_may_be_omitted_only_when_the_client_has_one(county):
    api = client_system("svc-multi", "hotline_12345", "hotline_12369")
    response = api.post(PUSH, order(), format="json")
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert "channel" in response.data["fields"]


def test_push_through_a_channel_not_granted_is_refused(platform, county):
    response = platform.post(PUSH, order(channel="hotline_12369"), format="json")
    assert response.status_code == 403
    assert "12369" in response.data["message"]
    assert Ticket.objects.count() == 0


def test_without_or_with_a_bad_token_the_push_is_401(county):
    assert APIClient().post(PUSH, order(), format="json").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert bad.post(PUSH, order(), format="json").status_code == 401


def test_a_staff_session_is_not_a_client_system(client_for, dispatcher):
    # Token authentication only: a logged-in dispatcher's browser session does not count.
    assert client_for(dispatcher).post(PUSH, order(), content_type="application/json").status_code == 401


def test_a_token_of_a_user_outside_the_intake_groups_is_403(county):
    api = client_system("svc-open311-only", "open311")
    assert api.post(PUSH, order(), format="json").status_code == 403


def test_bad_order_data_is_400_in_the_one_error_format(platform, county):
    response = platform.post(PUSH, order(description="", category="NOPE"), format="json")
    assert response.status_code == 400
    assert response.data["code"] == "validation_failed"
    assert {"description", "category"} <= set(response.data["fields"])
    response = platform.post(PUSH, order(lat=95, lng=120), format="json")
    assert response.status_code == 400
    assert "lat" in response.data["fields"]
    assert Ticket.objects.count() == 0


def test_push_with_photos_as_multipart(platform, county):
    from tests.dispatch.conftest import png

    data = order()
    data["files"] = [png("a.png"), png("b.png")]
    response = platform.post(PUSH, data, format="multipart")
    assert response.status_code == 201, response.data
    assert Ticket.objects.get().attachments.count() == 2


# --- batch push ------------------------------------------------------------------------------------

BATCH = "/api/intake/hotline/batch/"


def batch(n: int, **over) -> dict:
    return {"orders": [order(external_ref=f"12345-B-{i:03d}", **over) for i in range(n)]}


def test_batch_push_files_every_order_in_one_request(platform, county, django_assert_max_num_queries):
    # Per order: savepoint, number, ticket, the board summary's delta (dispatch.summary), event, release;
    # the rest is per request.
    with django_assert_max_num_queries(10 + 6 * 20):
        response = platform.post(BATCH, batch(20), format="json")
    assert response.status_code == 200, response.data
    body = response.json()
    assert (body["created"], body["existing"]) == (20, 0)
    assert [item["index"] for item in body["results"]] == list(range(20))
    tickets = Ticket.objects.filter(channel=Channel.HOTLINE_12345).order_by("number")
    assert [t.external_ref for t in tickets] == [f"12345-B-{i:03d}" for i in range(20)]
    first = body["results"][0]
    ticket = Ticket.objects.get(number=first["number"])
    assert (first["lookup_code"], first["status"]) == (ticket.lookup_code, "new")
    assert ticket.township == county.town_a and ticket.category.code == "ZDJY"
    # Every ticket has its public intake event, as a single push would.
    from dispatch.selectors import public_timeline

    assert [e.action for e in public_timeline(ticket)] == ["intake"]


def test_batch_lookups_do_not_grow_with_the_number_of_orders(platform, county):
    from dispatch.refcache import reference_cache

    def queries(n: int, start: int) -> int:
        reference_cache.clear_local()  # cold: every reference row is looked up once
        payload = {"orders": [order(external_ref=f"Q-{start + i}") for i in range(n)]}
        with CaptureQueriesContext(connection) as ctx:
            assert platform.post(BATCH, payload, format="json").status_code == 200
        # Reads only: each order's number (nextval of the year's sequence on PostgreSQL) is not a lookup.
        return len([q for q in ctx.captured_queries
                    if q["sql"].startswith("SELECT") and not q["sql"].startswith("SELECT nextval")])

    # The year's first number creates its sequence (a few statements, once a year): not counted here.
    assert platform.post(PUSH, order(external_ref="Q-first"), format="json").status_code == 201
    assert queries(2, 0) == queries(30, 100)


def test_batch_repeats_answer_with_the_first_ticket(platform, county):
    first = platform.post(BATCH, batch(3), format="json").json()
    again = platform.post(BATCH, {"orders": [*batch(3)["orders"], order(external_ref="12345-B-NEW"),
                                             order(external_ref="12345-B-NEW")]}, format="json")
    assert again.status_code == 200, again.data
    body = again.json()
    assert (body["created"], body["existing"]) == (1, 4)
    assert [r["number"] for r in body["results"][:3]] == [r["number"] for r in first["results"]]
    assert body["results"][3]["number"] == body["results"][4]["number"]
    assert Ticket.objects.count() == 4


def test_a_bad_order_refuses_the_whole_batch_and_names_it(platform, county):
    orders = batch(5)["orders"]
    orders[3]["township"] = "NOPE"
    orders[1]["description"] = ""
    response = platform.post(BATCH, {"orders": orders}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) == {"orders[1].description", "orders[3].township"}
    assert "orders[3].township" in body["message"]
    assert Ticket.objects.count() == 0


def test_an_order_refused_by_the_intake_rules_rolls_back_the_batch(platform, county, grids):
    # The grid belongs to township B while the order names township A: a rule of ticket_intake,
    # found only when order 3 is filed, after orders 1-2 were written in the same transaction.
    orders = batch(3)["orders"]
    orders[2]["grid"] = grids.b1.code
    response = platform.post(BATCH, {"orders": orders}, format="json")
    assert response.status_code == 400, response.data
    body = response.json()
    assert list(body["fields"]) == ["orders[2].grid"]
    assert body["message"].startswith("第 3 条工单")
    assert Ticket.objects.count() == 0


def test_batch_refusals(platform, county):
    assert platform.post(BATCH, {"orders": []}, format="json").status_code == 400
    too_many = platform.post(BATCH, batch(101), format="json")
    assert too_many.status_code == 400 and "100" in too_many.json()["fields"]["orders.non_field_errors"][0]
    other = batch(2)["orders"]
    other[1]["channel"] = "hotline_12319"
    refused = platform.post(BATCH, {"orders": other}, format="json")
    assert refused.status_code == 403 and list(refused.json()["fields"]) == ["orders[1].channel"]
    assert APIClient().post(BATCH, batch(1), format="json").status_code == 401
    assert Ticket.objects.count() == 0


# --- status pull -----------------------------------------------------------------------------------


def test_platform_pulls_public_progress_without_internal_notes(platform, county, dispatcher, matter,
                                                               squadron_officer):
    number = platform.post(PUSH, order(), format="json").data["number"]
    ticket = Ticket.objects.get(number=number)
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a,
                                    note="内部：此人多次反映")
    ticket = services.ticket_assign(ticket, by=dispatcher, note="内部备注：请联系王队长")
    ticket = services.ticket_accept(ticket, by=squadron_officer)
    services.ticket_urge(ticket, by=dispatcher, note="内部催办")
    services.ticket_resolve(ticket, by=squadron_officer, resolution="已劝离摊贩，恢复通行。")

    response = platform.get(status_url("hotline_12345", "12345-20261120-0001"))
    assert response.status_code == 200
    data = response.data
    assert (data["number"], data["status"], data["public_status"]) == (number, "resolved", "已办理，正在核实")
    assert data["resolution"] == "已劝离摊贩，恢复通行。"
    assert data["responsible_agency"] == county.squadron_a.name
    assert [e["action"] for e in data["events"]] == ["intake", "assign", "accept", "resolve"]
    assert data["events"][1]["agency"] == county.squadron_a.name
    text = str(data)
    for internal in ("内部", "王队长", squadron_officer.username, dispatcher.username):
        assert internal not in text


def test_merged_order_reports_the_surviving_tickets_progress(platform, county, dispatcher, make_ticket):
    number = platform.post(PUSH, order(), format="json").data["number"]
    survivor = make_ticket()
    services.ticket_merge(Ticket.objects.get(number=number), into=survivor, by=dispatcher)
    services.ticket_dismiss(survivor, by=dispatcher, reason="经核实不属于执法事项。")
    data = platform.get(status_url("hotline_12345", "12345-20261120-0001")).data
    assert data["number"] == number
    assert data["merged_into"] == survivor.number
    assert data["status"] == "dismissed" and data["is_final"] is True
    assert data["dismiss_reason"] == "经核实不属于执法事项。"


def test_status_of_another_platforms_order_is_404(platform, county):
    platform.post(PUSH, order(), format="json")
    other = client_system("svc-12319", "hotline_12319")
    assert other.get(status_url("hotline_12345", "12345-20261120-0001")).status_code == 404
    assert other.get(status_url("hotline_12319", "12345-20261120-0001")).status_code == 404


def test_status_of_an_unknown_order_is_404(platform, county):
    response = platform.get(status_url("hotline_12345", "nope"))
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_intake_endpoints_are_in_the_openapi_schema(client_for, administrator):
    schema = client_for(administrator).get("/api/schema/?format=json").json()
    assert "/api/intake/hotline/" in schema["paths"]
    assert "/api/intake/hotline/{channel}/{external_ref}/" in schema["paths"]
    assert "/api/intake/hotline/batch/" in schema["paths"]


# --- races on PostgreSQL --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_pushes_of_one_order_make_one_ticket(postgres, county):
    clients = [client_system("svc-12345", "hotline_12345")]
    clients.append(APIClient())
    clients[1].credentials(**clients[0]._credentials)
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def push(api: APIClient):
        def run():
            try:
                barrier.wait()
                response = api.post(PUSH, order(), format="json")
                answers.append((response.status_code, response.data.get("number")))
            finally:
                connection.close()

        return run

    run_together(*(push(api) for api in clients))

    assert sorted(code for code, _n in answers) == [200, 201]
    assert len({n for _c, n in answers}) == 1
    assert Ticket.objects.filter(channel="hotline_12345", external_ref="12345-20261120-0001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_push_that_loses_the_race_at_the_unique_constraint_gets_the_winners_ticket(postgres, county):
    """Force the losing path: the second push passes the "already there?" check before the first commits.

    The first push stays uncommitted until the second is seen waiting on a
    lock (its insert waits on the first's uncommitted row in the unique index
    of ``(channel, external_ref)``); the second then hits the unique
    constraint, and ``ticket_intake`` answers with the first ticket.
    """
    first_created = threading.Event()
    results: dict[str, object] = {}

    def waiting_for_lock() -> bool:
        with connections["default"].cursor() as cursor:
            # pg_locks is live (pg_stat_activity would be a snapshot inside this transaction).
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0] > 0

    def first():
        try:
            with transaction.atomic():
                results["first"] = services.ticket_intake(channel="hotline_12345", external_ref="R-1",
                                                          description="第一次推送")
                first_created.set()
                deadline = time.monotonic() + 10
                while not waiting_for_lock() and time.monotonic() < deadline:
                    time.sleep(0.05)
                results["second_was_waiting"] = waiting_for_lock()
        finally:
            connection.close()

    def second():
        try:
            first_created.wait(10)
            results["second"] = services.ticket_intake(channel="hotline_12345", external_ref="R-1",
                                                       description="并发的第二次推送")
        finally:
            connection.close()

    run_together(first, second)

    assert results["second_was_waiting"] is True
    assert results["first"].created is True
    assert results["second"].created is False
    assert results["second"].ticket.pk == results["first"].ticket.pk
    assert Ticket.objects.filter(external_ref="R-1").count() == 1
    # The loser took a number from the year's sequence and rolled back: that number is skipped,
    # never handed out again (on PostgreSQL ticket numbers may skip; dispatch.services.numbering).
    nxt = services.ticket_intake(channel="staff", description="下一张")
    year = timezone.localtime().year
    first_serial = int(results["first"].ticket.number.removeprefix(f"GD{year}-"))
    assert nxt.ticket.number == f"GD{year}-{first_serial + 2:06d}"


def test_schema_generation_has_no_warnings_for_the_intake_endpoints(db):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    ours = ("dispatch/api_intake.py", "HotlineIntakeView", "HotlineStatusView", "HotlineIntake", "HotlineTicket")
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if any(part in m for part in ours)] == []


# --- the per-process reference cache (dispatch.refcache) -------------------------------------------


def selects_of(ctx, *tables: str) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].startswith("SELECT") and any(f'FROM "{t}"' in q["sql"] for t in tables)]


def test_a_warm_push_reads_no_reference_rows(platform, county):
    assert platform.post(PUSH, order(external_ref="W-1"), format="json").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        assert platform.post(PUSH, order(external_ref="W-2"), format="json").status_code == 201
    assert selects_of(ctx, "auth_group", "dispatch_ticketcategory", "enforcement_agency") == []
    assert Ticket.objects.get(external_ref="W-2").category.code == "ZDJY"


def test_removing_a_platforms_channel_refuses_its_next_push_at_once(platform, county):
    assert platform.post(PUSH, order(external_ref="G-1"), format="json").status_code == 201
    user = Token.objects.get(key=platform._credentials["HTTP_AUTHORIZATION"].split()[1]).user
    user.groups.remove(Group.objects.get(name="intake:hotline_12345"))

    r = platform.post(PUSH, order(external_ref="G-2"), format="json")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert not Ticket.objects.filter(external_ref="G-2").exists()


def test_a_category_switched_off_is_refused_at_once(platform, county):
    assert platform.post(PUSH, order(external_ref="C-1"), format="json").status_code == 201
    category = TicketCategory.objects.get(code="ZDJY")
    category.is_active = False
    category.save()

    r = platform.post(PUSH, order(external_ref="C-2"), format="json")
    assert r.status_code == 400 and "category" in r.json()["fields"]
    assert not Ticket.objects.filter(external_ref="C-2").exists()


def test_a_change_saved_in_another_process_is_seen_once_the_shared_version_moves(platform, county, settings):
    import uuid

    from django.core.cache import cache

    from dispatch.refcache import reference_cache

    settings.LOCAL_CACHE_CHECK_SECONDS = 0
    assert platform.post(PUSH, order(external_ref="V-1"), format="json").status_code == 201
    # Another process switched the category off (no signal here) ...
    TicketCategory.objects.filter(code="ZDJY").update(is_active=False)
    assert platform.post(PUSH, order(external_ref="V-2"), format="json").status_code == 201  # cached answer

    # ... and bumped the shared version when its transaction committed.
    cache.set(reference_cache.version_key, f"elsewhere-{uuid.uuid4()}", timeout=None)
    r = platform.post(PUSH, order(external_ref="V-3"), format="json")
    assert r.status_code == 400 and "category" in r.json()["fields"]


def test_the_intake_event_names_the_desk_for_a_rekeyed_call_and_no_agency_for_a_platform(
    platform, api_for, dispatcher, county
):
    """The actor decides the event's agency, not the channel: the desk also re-keys 12345 calls."""
    from enforcement.models import Event

    rekeyed = api_for(dispatcher).post("/api/tickets/", {
        "channel": "hotline_12345", "description": "坐席转录的12345来电：占道经营", "township": county.town_a.pk,
    }, format="json")
    assert rekeyed.status_code == 201
    desk_event = Event.objects.get(object_id=rekeyed.json()["id"], action="intake", content_type__model="ticket")
    assert desk_event.actor == dispatcher and desk_event.actor_agency == county.command

    assert platform.post(PUSH, order(external_ref="E-1"), format="json").status_code == 201
    pushed = Ticket.objects.get(external_ref="E-1")
    platform_event = Event.objects.get(object_id=pushed.pk, action="intake", content_type__model="ticket")
    assert platform_event.actor.username == "svc-12345" and platform_event.actor_agency is None
