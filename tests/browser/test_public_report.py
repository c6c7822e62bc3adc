"""A member of the public files a report in a real browser and looks it up by its number."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def categories(transactional_db, settings):
    from dispatch.models import TicketCategory
    from dispatch.views_public import rate_reset

    # Playwright fills the form faster than a person; the minimum time is tested elsewhere.
    settings.PUBLIC_REPORT_MIN_FILL_SECONDS = 0
    rate_reset("report", "127.0.0.1")
    TicketCategory.objects.get_or_create(code="ZSRM", defaults={"name": "噪声扰民"})
    yield
    rate_reset("report", "127.0.0.1")


def test_public_files_a_report_and_follows_it_by_number(page, live_server, categories, tmp_path, settings):
    from playwright.sync_api import expect

    from dispatch.models import Channel, Ticket

    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    # From the public landing page to the form, with no login.
    page.goto("/public/")
    page.get_by_role("link", name=re.compile("我要举报")).first.click()
    expect(page).to_have_url(re.compile(r"/public/report/$"))

    form = page.locator("[data-testid=public-report-form]")
    form.locator("select[name=category]").select_option(label="噪声扰民")
    form.locator("textarea[name=description]").fill("小区楼下烧烤店每晚营业到凌晨两点，噪声很大。")
    form.locator("input[name=place]").fill("乙街道幸福路 8 号")
    form.locator("input[name=reporter_name]").fill("李四")
    form.locator("input[name=reporter_phone]").fill("13912345678")
    form.locator("input[name=photos]").set_input_files(str(photo))
    # The spam trap is not shown to people: its wrapper is clipped to a single pixel.
    trap = form.locator("div:has(> input[name=website])").bounding_box()
    assert trap["width"] <= 1 and trap["height"] <= 1
    form.get_by_role("button", name="提交举报").click()

    expect(page.locator("body")).to_contain_text("您的举报已受理")
    number = page.locator("[data-testid=receipt-number]").inner_text().strip()
    code = page.locator("[data-testid=receipt-code]").inner_text().strip()
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == Channel.PUBLIC_WEB and ticket.lookup_code == code
    assert ticket.attachments.count() == 1

    # Later, from the lookup page, by number and lookup code.
    page.goto("/public/report/track/")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", code.lower())
    page.get_by_role("button", name="查询").click()

    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("[data-testid=public-status]")).to_have_text("已受理，正在分派")
    expect(page.locator("[data-testid=public-events]")).to_contain_text("受理")
    body = page.locator("body")
    expect(body).to_contain_text("李*")
    expect(body).to_contain_text("139****5678")
    expect(body).not_to_contain_text("13912345678")
    page.screenshot(path=str(tmp_path / "track.png"), full_page=True)

    # A wrong code is refused without saying whether the number exists.
    page.goto("/public/report/track/")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", "ZZZZZZ")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("body")).to_contain_text("受理编号或查询码不正确")
