"""A seizure (扣押) in Chromium: an officer registers it, the head approves, two officers take it with the on-site
record and its decision, the head extends the period once; a second extension is refused (Administrative
Coercion Law art. 25)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.coercion.choices import MeasureStatus
from enforcement.coercion.models import CoerciveMeasure
from enforcement.models import Event, Role
from enforcement.workdays import SHANGHAI
from tests.browser.support import signed_in
from tests.factories import member

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path



def act(page, measure, action: str) -> None:
    """Open one action's form from the measure's page and submit it (the caller fills the fields in between)."""
    page.goto(f"/coercion/{measure.pk}/")
    page.locator(f"[data-testid=actions] a[data-action={action}]").click()
    page.wait_for_selector("[data-testid=step-form]")


def submit(page) -> None:
    page.locator("[data-testid=submit]").click()
    page.wait_for_selector("[data-testid=measure-number]")


def test_officer_takes_a_seizure_with_its_decision_and_the_head_extends_it_once(browser, live_server, county):
    from playwright.sync_api import expect

    officer = member(Role.TOWNSHIP_OFFICER, county.town_a, "seize_a1", certified=True)
    partner = member(Role.TOWNSHIP_OFFICER, county.town_a, "seize_a2", certified=True)
    head = member(Role.TOWNSHIP_LEADER, county.town_a, "head_a", certified=True)

    # The officer registers the seizure with its list of items (art. 24): a draft, nothing binds yet.
    page = signed_in(browser, live_server, officer.username)
    page.goto("/coercion/new/")
    page.select_option("select[name=agency]", str(county.town_a.pk))
    page.select_option("select[name=kind]", "seizure")
    page.select_option("select[name=party_kind]", "individual")
    page.fill("input[name=party_name]", "张三")
    page.fill("textarea[name=reasons]", "占道经营使用液化气罐，存在安全隐患")
    page.fill("textarea[name=legal_basis]", "《城镇燃气管理条例》第四十九条")
    page.fill("input[name=place]", "甲镇人民路12号门前")
    page.fill("input[name=period_days]", "30")
    page.fill("textarea[name=items]", "液化气罐|15kg|2|个|县执法局暂扣物品仓库|王五")
    submit(page)
    measure = CoerciveMeasure.objects.get()
    assert measure.status == MeasureStatus.DRAFT and measure.items.count() == 1
    expect(page.locator("[data-testid=actions] a[data-action=extend]")).to_have_count(0)

    # The head approves before it is taken (art. 18(1)).
    boss = signed_in(browser, live_server, head.username)
    act(boss, measure, "approve")
    submit(boss)

    # Two officers take it on the spot an hour ago, with the on-site record (art. 18): the decision is issued.
    taken = timezone.localtime(timezone.now() - dt.timedelta(hours=1), SHANGHAI).replace(second=0, microsecond=0)
    act(page, measure, "enforce")
    page.fill("input[name=taken_at]", taken.strftime("%Y-%m-%dT%H:%M"))
    page.locator(f"input[name=officers][value='{partner.pk}']").check()
    page.fill("textarea[name=onsite_record]", "当事人在场，清点液化气罐2个，当场开具扣押清单。")
    page.select_option("select[name=signature]", "signed")
    submit(page)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_FORCE and measure.decision_number
    assert set(measure.officers.all()) == {officer, partner}
    # Art. 25: at most thirty days; the day it is taken does not count (a period begins the next day),
    # and thirty days is longer than the ten of art. 69, so they are calendar days: the period ends on
    # the thirtieth day after the day taken, holidays or not.
    day = taken.date()
    ends = day + dt.timedelta(days=30)
    expect(page.locator("[data-testid=measure-number]")).to_have_text(measure.decision_number)
    expect(page.locator("[data-testid=period]")).to_contain_text(f"至 {ends.isoformat()} 届满")
    decision = page.locator("[data-testid=documents] a", has_text="扣押决定书").first
    decision.click()
    expect(page.locator("body")).to_contain_text(measure.decision_number)
    # The officer may not extend it: only the head approves an extension (art. 25).
    page.goto(f"/coercion/{measure.pk}/")
    expect(page.locator("[data-testid=actions] a[data-action=extend]")).to_have_count(0)

    # The head extends it once by thirty days, the most art. 25 allows, with the reason.
    act(boss, measure, "extend")
    boss.fill("input[name=days]", "30")
    boss.fill("textarea[name=reason]", "涉案物品需送检，情况复杂")
    submit(boss)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.EXTENDED and measure.extension_days == 30
    assert measure.extension_approved_by == head
    # Extended by thirty calendar days from the end of the first period.
    extended = ends + dt.timedelta(days=30)
    expect(boss.locator("[data-testid=period]")).to_contain_text(f"至 {extended.isoformat()} 届满")
    expect(boss.locator("[data-testid=period]")).to_contain_text("已延长 30 日")
    expect(boss.locator("[data-testid=documents]")).to_contain_text("延长扣押期限决定书")

    # A second extension: no longer offered, its form refused, and the service refuses it with the article.
    expect(boss.locator("[data-testid=actions] a[data-action=extend]")).to_have_count(0)
    assert boss.goto(f"/coercion/{measure.pk}/act/extend/").status == 403
    events = Event.objects.count()
    csrf = next(c["value"] for c in boss.context.cookies() if c["name"] == "csrftoken")
    refused = boss.request.post(
        f"/api/coercive-measures/{measure.pk}/actions/extend/",
        data={"days": 10, "reason": "仍需检验", "on": timezone.localdate().isoformat()},
        headers={"X-CSRFToken": csrf, "Referer": live_server.url + "/"},
    )
    body = refused.json()
    assert refused.status == 400 and body["code"] == "coercion_extension_once", body
    assert "不得再次延长" in body["message"] and "第二十五条" in body["message"]
    measure.refresh_from_db()
    assert measure.extension_days == 30 and Event.objects.count() == events
    page.context.close()
    boss.context.close()
