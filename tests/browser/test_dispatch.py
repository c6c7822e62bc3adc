"""A ticket's whole trip in a real browser: township call, triage and assignment, acceptance and
resolution with a photo by the squadron, the township's verdict, and the public lookup of the outcome."""

from __future__ import annotations

import re

import pytest

from dispatch.models import Ticket, TicketStatus
from tests.conftest import PASSWORD
from tests.dispatch.conftest import PNG, category, matter, squadron_b  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sign_in(browser, live_server):
    """``sign_in(user)``: a fresh browser context signed in through the login form.

    The contexts close before the live server stops, so no request thread
    outlives the test's database connection.
    """
    contexts = []

    def login(user):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form[action*='login'] [type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield login
    for context in contexts:
        context.close()


def open_action(page, action: str) -> None:
    details = page.locator(f"details[data-action={action}]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


@pytest.fixture
def public_page(browser, live_server):
    """``public_page()``: a browser context with nobody signed in."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        context.set_default_timeout(15_000)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_township_call_is_triaged_assigned_resolved_with_photo_and_judged(
    sign_in, public_page, officer_a, dispatcher, squadron_officer, matter, category  # noqa: F811
):
    from playwright.sync_api import expect

    # 1. The township officer files a township call (街呼区应).
    town = sign_in(officer_a)
    town.goto("/dispatch/township-call/")
    town.select_option("select[name=category]", str(category.pk))
    town.select_option("select[name=priority]", "urgent")
    town.fill("textarea[name=description]", "夜市占道经营严重，镇里协调无果，请求县级部门处置。")
    town.fill("input[name=place]", "甲镇夜市")
    town.locator("[data-testid=intake-form] [type=submit]").click()
    expect(town.locator("[data-testid=ticket-status]")).to_have_text("待分流")
    ticket = Ticket.objects.get()
    assert ticket.channel == "township_call"
    expect(town.locator("h1")).to_contain_text(ticket.number)

    # 2. The dispatcher triages (the system proposes the squadron and says why) and assigns.
    desk = sign_in(dispatcher)
    desk.goto(f"/dispatch/tickets/{ticket.pk}/")
    open_action(desk, "triage")
    # The report mentions 占道经营: the matter is suggested (and preselected); a click on the
    # suggestion chooses it again after the dispatcher cleared the field.
    desk.select_option("select[name=triage-matter]", "")
    desk.locator(f"[data-testid=matter-suggestions] button[data-value='{matter.pk}']").click()
    expect(desk.locator("select[name=triage-matter]")).to_have_value(str(matter.pk))
    desk.locator("[data-testid=do-triage]").click()
    expect(desk.locator("[data-testid=ticket-status]")).to_have_text("待交办")
    expect(desk.locator("[data-testid=proposal]")).to_contain_text("甲镇派驻中队")
    open_action(desk, "assign")
    desk.locator("[data-testid=do-assign]").click()
    expect(desk.locator("[data-testid=ticket-status]")).to_have_text("待签收")
    expect(desk.locator("[data-testid=responsible-agency]")).to_have_text("甲镇派驻中队")

    # 3. The squadron officer accepts, then resolves with a photo.
    squad = sign_in(squadron_officer)
    squad.goto("/dispatch/inbox/agency/")
    squad.locator(f"[data-section=to_accept] a:has-text('{ticket.number}')").click()
    open_action(squad, "accept")
    squad.locator("[data-testid=do-accept]").click()
    expect(squad.locator("[data-testid=ticket-status]")).to_have_text("已签收")
    open_action(squad, "resolve")
    squad.fill("textarea[name=resolve-resolution]", "已联合市场监管清理夜市占道摊点，设置临时疏导区。")
    squad.set_input_files("input[name=resolve-files]",
                          files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
    squad.locator("[data-testid=do-resolve]").click()
    expect(squad.locator("[data-testid=ticket-status]")).to_have_text("待评价")
    expect(squad.locator("[data-testid=attachments] img")).to_have_count(1)

    # 4. The township officer judges the result from the township inbox.
    town.goto("/dispatch/inbox/township/")
    town.locator(f"[data-section=to_judge] a:has-text('{ticket.number}')").click()
    expect(town.locator("[data-testid=resolution]")).to_contain_text("临时疏导区")
    open_action(town, "verdict")
    town.check("input[name=verdict-accepted][value='1']")
    town.select_option("select[name=verdict-score]", "5")
    town.fill("textarea[name=verdict-reason]", "处置及时，群众满意。")
    town.locator("[data-testid=do-verdict]").click()
    expect(town.locator("[data-testid=ticket-status]")).to_have_text("已办结")
    expect(town.locator("[data-testid=history]")).to_contain_text(re.compile("评价认可"))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.verdict_score == 5
    assert ticket.attachments.filter(kind="feedback").count() == 1

    # 5. The filer reads the lookup code off the ticket page; the public lookup shows the outcome.
    code = town.locator("[data-testid=lookup-code]").inner_text()
    assert code == ticket.lookup_code
    public = public_page()
    public.goto("/public/report/track/")
    public.fill("input[name=number]", ticket.number.lower())
    public.fill("input[name=code]", code)
    public.get_by_role("button", name="查询").click()
    expect(public.locator("[data-testid=public-status]")).to_have_text("已办结")
    expect(public.locator("[data-testid=public-resolution]")).to_contain_text("临时疏导区")
    expect(public.locator("[data-testid=public-agency]")).to_contain_text("甲镇派驻中队")
    # Public events only: the internal steps' notes (the township's verdict reason) stay inside.
    expect(public.locator("[data-testid=public-events]")).not_to_contain_text("群众满意")
    expect(public.locator("body")).not_to_contain_text(officer_a.username)


def test_the_board_redraws_itself_with_new_tickets(sign_in, dispatcher, category):  # noqa: F811
    """The board polls every minute (htmx); one poll is run here at once instead of waiting for it."""
    from playwright.sync_api import expect

    from dispatch import services

    desk = sign_in(dispatcher)
    desk.goto("/dispatch/")
    expect(desk.locator("[data-count=new]")).to_have_text("0")
    trigger = desk.locator("[data-testid=board-live]").get_attribute("hx-trigger")
    assert trigger.startswith("every 60s")

    services.ticket_intake(channel="staff", description="新来电：人民路占道经营", category=category)
    services.ticket_intake(channel="staff", description="新来电：夜间施工噪声", category=category)
    desk.evaluate("() => htmx.ajax('GET', location.pathname, "
                  "{target: '#board-live', select: '#board-live', swap: 'outerHTML'})")
    expect(desk.locator("[data-count=new]")).to_have_text("2")
    expect(desk.locator("[data-testid=board-live]")).to_have_count(1)  # replaced, not nested
