"""Charts of ticket statistics (scoped, constant queries, exports) and the command centre's wall screen."""

from __future__ import annotations

import datetime as dt
import io
import json
from unittest import mock

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dispatch import screen, services
from dispatch.models import Ticket
from enforcement.models import Role
from tests.factories import member, set_ticket_fields

CHARTS = ("intake", "on-time", "categories", "satisfaction")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader_a(county):
    return member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a")


def chart(client, name, **params):
    response = client.get(reverse("dispatch:stats-chart", args=[name]), params)
    assert response.status_code == 200, response.content
    return response.json()


def total(data) -> int:
    return sum(v or 0 for s in data["series"] for v in s["data"])


def test_township_leader_sees_only_their_townships_figures(
    client_for, make_ticket, leader_a, dispatcher, county, other_category
):
    for _ in range(3):
        make_ticket(township=county.town_a, channel="hotline_12345")
    make_ticket(township=county.town_b, channel="patrol", category=other_category)
    make_ticket(township=county.town_b, channel="patrol", category=other_category)

    mine = chart(client_for(leader_a), "intake")
    assert total(mine) == 3
    assert [s["name"] for s in mine["series"]] == ["12345热线"]
    categories = chart(client_for(leader_a), "categories")
    assert categories["categories"] == ["占道经营"] and categories["series"][0]["data"] == [3]

    everyone = chart(client_for(dispatcher), "intake")
    assert total(everyone) == 5
    assert {s["name"] for s in everyone["series"]} == {"12345热线", "巡查上报"}
    assert chart(client_for(dispatcher), "categories")["categories"] == ["占道经营", "噪声扰民"]


def test_on_time_rate_and_satisfaction_by_agency(client_for, resolved, officer_a, dispatcher, county):
    closed = services.ticket_verdict(resolved(), by=officer_a, accepted=True, score=4)
    services.ticket_follow_up(closed, by=dispatcher, satisfaction="satisfied")
    late = resolved()
    Ticket.objects.filter(pk=late.pk).update(resolve_due=late.resolved_at - dt.timedelta(hours=1))

    on_time = chart(client_for(dispatcher), "on-time")
    assert on_time["unit"] == "%"
    assert on_time["categories"] == [county.squadron_a.name]
    assert on_time["series"][0]["data"] == [50.0]
    verdicts = chart(client_for(dispatcher), "satisfaction")
    figures = dict(zip(verdicts["categories"], verdicts["series"][0]["data"], strict=True))
    assert figures["认可"] == 1 and figures["满意"] == 1 and figures["不满意"] == 0


def test_the_period_of_the_statistics_page_applies(client_for, make_ticket, dispatcher):
    old = make_ticket()
    make_ticket()
    Ticket.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=40))
    today = timezone.localdate()
    data = chart(
        client_for(dispatcher), "intake", start=(today - dt.timedelta(days=45)).isoformat(), end=today.isoformat()
    )
    assert total(data) == 2 and len(data["categories"]) == 46 and data["categories"][-1] == today.isoformat()
    assert total(chart(client_for(dispatcher), "intake", start=today.isoformat(), end=today.isoformat())) == 1


@pytest.mark.parametrize("name", CHARTS)
def test_chart_queries_do_not_grow_with_tickets(
    client_for, make_ticket, resolved, dispatcher, county, django_assert_max_num_queries, name, other_category
):
    client = client_for(dispatcher)
    resolved()
    make_ticket()
    with django_assert_max_num_queries(6):
        small = chart(client, name)
    for _i in range(6):
        resolved()
        make_ticket(township=county.town_b, channel="patrol", category=other_category)
    with django_assert_max_num_queries(6):
        large = chart(client, name)
    # The counting charts grow with the new tickets (rates and verdicts stay as they were).
    assert small != large or name in ("on-time", "satisfaction")


def test_chart_exports_as_a_spreadsheet(client_for, make_ticket, dispatcher):
    make_ticket(channel="hotline_12345")
    response = client_for(dispatcher).get(reverse("dispatch:stats-chart", args=["categories"]), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows == [(None, "工单数"), ("占道经营", 1)]


def test_unknown_chart_is_not_found_and_anonymous_must_log_in(client, client_for, dispatcher):
    assert client.get(reverse("dispatch:stats-chart", args=["intake"])).status_code == 302
    assert client_for(dispatcher).get(reverse("dispatch:stats-chart", args=["nope"])).status_code == 404


def test_statistics_page_holds_a_chart_per_endpoint_with_the_period(client_for, dispatcher):
    html = client_for(dispatcher).get(reverse("dispatch:stats"), {"start": "2026-11-01", "end": "2026-11-30"})
    html = html.content.decode()
    for name in CHARTS:
        assert f'data-chart-url="/dispatch/stats/charts/{name}/?start=2026-11-01&amp;end=2026-11-30"' in html
    assert "vendor/echarts/echarts.min.js" in html and "以表格查看" in html


# --- the wall screen ------------------------------------------------------------------------------------


def test_screen_is_for_county_wide_readers_only(client_for, dispatcher, leader_a, officer_a):
    assert client_for(dispatcher).get(reverse("command:screen")).status_code == 200
    assert client_for(dispatcher).get(reverse("command:screen-data")).status_code == 200
    for user in (leader_a, officer_a):
        assert client_for(user).get(reverse("command:screen")).status_code == 403
        assert client_for(user).get(reverse("command:screen-data")).status_code == 403


def test_screen_data_holds_every_panel(client_for, make_ticket, assigned, resolved, dispatcher, county):
    make_ticket(channel="hotline_12345")
    red = assigned()
    set_ticket_fields(red, warning_level="red", resolve_due=timezone.now() - dt.timedelta(days=2))
    resolved()
    data = client_for(dispatcher).get(reverse("command:screen-data")).json()
    assert data["intake"]["total"] == 3
    assert {s["name"] for s in data["intake"]["series"]} == {"12345热线", "坐席录入"}
    assert data["lights"]["red"] == 1 and data["lights"]["waiting"] == 1
    assert data["late"][0]["number"] == red.number and data["late"][0]["overdue"].startswith("超期")
    [town_a] = [t for t in data["townships"] if t["name"] == county.town_a.name]
    assert town_a["open"] == 3 and town_a["red"] == 1
    assert set(data["rates"]) == {"on_time", "on_time_last", "satisfaction", "satisfaction_last"}
    assert set(data["cases"]) == {"filed", "decided", "filed_last", "decided_last"}


def test_screen_is_built_once_per_interval_for_every_screen(client, django_user_model, dispatcher, county):
    other_screen = client.__class__()
    client.force_login(dispatcher)
    other_screen.force_login(dispatcher)
    with (
        time_machine.travel(timezone.now(), tick=False) as traveller,
        mock.patch("dispatch.screen.build_screen", wraps=screen.build_screen) as build,
    ):
        first = client.get(reverse("command:screen-data")).content
        second = other_screen.get(reverse("command:screen-data")).content
        assert build.call_count == 1 and first == second
        traveller.shift(screen.SCREEN_INTERVAL)
        third = client.get(reverse("command:screen-data")).content
        other_screen.get(reverse("command:screen-data"))
        assert build.call_count == 2
        assert json.loads(third)["built_at"] != json.loads(first)["built_at"]


def test_screen_keeps_answering_while_redis_is_down(cache_down, client_for, dispatcher, make_ticket):
    make_ticket()
    client = client_for(dispatcher)
    with mock.patch("dispatch.screen.build_screen", wraps=screen.build_screen) as build:
        assert client.get(reverse("command:screen-data")).json()["intake"]["total"] == 1
        assert client.get(reverse("command:screen-data")).status_code == 200
    # This process's memory stands in for the shared cache: still one build for the interval.
    assert build.call_count == 1


def test_screen_data_queries_do_not_grow_with_tickets(
    client_for, make_ticket, assigned, dispatcher, django_assert_max_num_queries
):
    client = client_for(dispatcher)
    make_ticket()
    with django_assert_max_num_queries(12):
        client.get(reverse("command:screen-data"))
    for _ in range(5):
        make_ticket()
        red = assigned()
        set_ticket_fields(red, warning_level="red")
    cache.clear()
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("command:screen-data")).json()["late"]) == 5


# --- the ticket list's map ------------------------------------------------------------------------------


def test_ticket_map_clusters_open_tickets_in_the_readers_scope(
    client_for, make_ticket, leader_a, dispatcher, county, django_assert_max_num_queries
):
    for i in range(3):
        make_ticket(township=county.town_a, lat=30.0001 * (1 + i * 1e-6), lng=120.0001)
    make_ticket(township=county.town_a, lat=30.2, lng=120.2)
    make_ticket(township=county.town_a)  # the factory's default place: 30.0, 120.0 (same cell as the three)
    make_ticket(township=county.town_b, lat=30.5, lng=120.5)
    make_ticket(township=county.town_b, lat=None, lng=None)
    url = reverse("dispatch:ticket-map")

    client = client_for(leader_a)
    # 6 before the lists' scope probe (visible_to(listing=True)), one query more.
    with django_assert_max_num_queries(7):
        mine = client.get(url).json()
    assert mine["total"] == 5
    assert sorted(c[2] for c in mine["clusters"]) == [1, 4]
    big = max(mine["clusters"], key=lambda c: c[2])
    assert big[0] == pytest.approx(120.0001, abs=1e-3) and big[1] == pytest.approx(30.0, abs=1e-3)
    everyone = client_for(dispatcher).get(url).json()
    assert everyone["total"] == 6
    # The list's filter applies: township B only.
    assert client_for(dispatcher).get(url, {"township": county.town_b.pk}).json()["total"] == 1


def test_screen_and_charts_speak_english_when_chosen(client_for, make_ticket, dispatcher, settings):
    make_ticket(channel="hotline_12345")
    client = client_for(dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("command:screen")).content.decode()
    assert 'data-updated="Data as of {time}"' in html and "Longest overdue red tickets" in html
    data = client.get(reverse("command:screen-data")).json()
    assert [s["name"] for s in data["intake"]["series"]] == ["12345 hotline"]
    intake = client.get(reverse("dispatch:stats-chart", args=["intake"])).json()
    assert intake["title"] == "Intake by channel"
    stats = client.get(reverse("dispatch:stats")).content.decode()
    assert "View as table" in stats and 'data-alt="View as chart"' in stats


def test_month_rates_are_recomputed_every_few_minutes_not_at_every_build(dispatcher, make_ticket):
    make_ticket()
    # At the start of a rates bucket: one screen interval later is still the same bucket, whatever
    # the time the test runs at (the bucket is the wall clock divided by RATES_SECONDS).
    now = timezone.now().timestamp()
    start = dt.datetime.fromtimestamp(now - now % screen.RATES_SECONDS + 1, tz=dt.UTC)
    with (
        time_machine.travel(start, tick=False) as traveller,
        mock.patch("dispatch.screen._month_rates", wraps=screen._month_rates) as rates,
    ):
        screen.build_screen()
        traveller.shift(screen.SCREEN_INTERVAL)
        screen.build_screen()
        assert rates.call_count == 1
        traveller.shift(screen.RATES_SECONDS)
        screen.build_screen()
        assert rates.call_count == 2
