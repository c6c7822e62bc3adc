"""The wall screen and the statistics charts in Chromium: every panel drawn, no console error or CSP
violation, no scrolling at 1920x1080, and the last figures kept (with their age) while the endpoint fails."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.cache import cache
from django.utils import timezone

from dispatch import screen
from enforcement.maps import schematic
from enforcement.models import CountyMap
from tests.conftest import PASSWORD
from tests.dispatch.conftest import category, matter, squadron_b  # noqa: F401  (fixtures)
from tests.factories import make_ticket, set_ticket_fields

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}
WATCH = """
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', function (e) {
      window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
    });
"""


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def login(user, viewport=None):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=viewport or {"width": 1280, "height": 900},
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        context.add_init_script(WATCH)
        page = context.new_page()
        page.errors = []
        # The base layout has no icon: Chromium's request for /favicon.ico is not the page's error.
        page.on(
            "console",
            lambda m: page.errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None,
        )
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form[action*='login'] [type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield login
    for context in contexts:
        context.close()


@pytest.fixture
def busy_county(county, category, dispatcher):  # noqa: F811
    cache.clear()
    for i in range(12):
        ticket = make_ticket(
            category=category,
            township=county.town_a if i % 3 else county.town_b,
            channel="hotline_12345" if i % 2 else "staff",
        )
        if i < 8:
            set_ticket_fields(  # moves the ticket in the board's summary, as the services do
                ticket,
                status="accepted",
                warning_level="red",
                resolve_due=timezone.now() - dt.timedelta(days=i + 1),
                responsible_agency=county.squadron_a,
            )
    CountyMap.objects.create(name="示意图", geojson=schematic([county.town_a, county.town_b], (30.05, 119.95)))
    yield county
    cache.clear()


def test_screen_draws_every_panel_at_1920x1080_without_errors(sign_in, busy_county, dispatcher):
    page = sign_in(dispatcher, WALL)
    page.goto("/command/screen/")
    page.wait_for_selector("body[data-state=fresh]")
    for panel in ("intake", "lights", "map"):
        page.wait_for_selector(f"#chart-{panel} canvas")
    assert page.locator("#intake-total").text_content() == "12"
    assert page.locator("#lights-red").text_content() == "8"
    assert page.locator("#late-list li").first.locator(".late-number").text_content().startswith("GD")
    assert page.locator("#late-list .late-overdue").first.text_content().startswith("超期")
    assert page.locator("#cases-filed").text_content() == "0"
    assert page.locator("#rate-on-time").text_content() != ""
    assert page.locator("#screen-time").text_content().count(":") == 2
    assert "数据更新于" in page.locator("#screen-status").text_content()
    if os.environ.get("SCREENSHOT"):  # SCREENSHOT=/tmp/screen.png: see the wall as Chromium drew it
        page.wait_for_timeout(1500)
        page.screenshot(path=os.environ["SCREENSHOT"])
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= WALL["width"] and size[1] <= WALL["height"]
    assert page.evaluate("window.__csp") == []
    assert page.errors == []


def test_screen_keeps_the_last_figures_with_their_age_when_the_endpoint_fails(
    sign_in, busy_county, dispatcher, monkeypatch
):
    monkeypatch.setattr(screen, "SCREEN_INTERVAL", 2)
    page = sign_in(dispatcher, WALL)
    page.goto("/command/screen/")
    page.wait_for_selector("body[data-state=fresh]")
    page.route("**/command/screen/data/", lambda route: route.fulfill(status=503, body="down"))
    page.wait_for_selector("body[data-state=stale]")
    status = page.locator("#screen-status")
    assert "连接中断" in status.text_content() and "秒" in status.text_content()
    # The figures stay on the wall.
    assert page.locator("#intake-total").text_content() == "12"
    assert page.locator("#late-list li").count() >= 8
    page.unroute("**/command/screen/data/")
    page.wait_for_selector("body[data-state=fresh]")
    assert page.evaluate("window.__csp") == []


def test_statistics_charts_draw_toggle_to_tables_and_export(sign_in, busy_county, dispatcher):
    page = sign_in(dispatcher)
    page.goto("/dispatch/stats/")
    page.wait_for_selector("[data-testid=chart-categories][data-chart-ready]")
    for name in ("intake", "on-time", "satisfaction"):
        page.wait_for_selector(f"[data-testid=chart-{name}][data-chart-ready]")
    figure = page.locator("[data-testid=chart-categories]")
    assert figure.locator("canvas").count() >= 1
    figure.locator("[data-chart-toggle]").click()
    table = figure.locator("[data-chart-table] table")
    assert table.is_visible()
    assert table.locator("tbody tr").first.text_content().replace(" ", "") == "占道经营12"
    assert figure.locator("[data-chart-toggle]").text_content() == "以图表查看"
    assert figure.locator("[data-chart-csv]").get_attribute("href").startswith("blob:")
    with page.expect_download() as download:
        figure.locator("[data-chart-csv]").click()
    assert download.value.suggested_filename == "高发问题类别.csv"
    assert page.evaluate("window.__csp") == []
    assert page.errors == []


def test_ticket_list_map_draws_the_clusters_when_opened(sign_in, busy_county, dispatcher):
    page = sign_in(dispatcher)
    page.goto("/dispatch/tickets/")
    panel = page.locator("[data-testid=ticket-map-panel]")
    assert panel.locator("[data-ticket-map]").get_attribute("data-map-state") is None  # not loaded until opened
    panel.locator("summary").click()
    page.wait_for_selector("[data-ticket-map][data-map-state=ready] canvas")
    assert panel.locator("[data-ticket-map]").get_attribute("data-map-total") == "12"
    assert page.evaluate("window.__csp") == []
    assert page.errors == []


def test_resident_picks_the_place_on_the_public_report_form(browser, live_server, busy_county):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 1000})
    context.add_init_script(WATCH)
    try:
        page = context.new_page()
        page.goto("/public/report/")
        picker = page.locator("[data-testid=pick-map]")
        page.wait_for_selector("[data-testid=pick-map][data-map-state=ready] canvas")
        box = picker.bounding_box()
        # The middle of the map lies in township A's square (the schematic map of busy_county).
        picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_selector("[data-testid=pick-map][data-map-state=picked]")
        lat, lng = float(page.input_value("#id_lat")), float(page.input_value("#id_lng"))
        assert 29.9 < lat < 30.2 and 119.8 < lng < 120.1
        assert "已在地图上选定位置" in page.locator("#position-note").text_content()
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
