"""The annual disclosure report in Chromium: the judicial bureau reviews last year's draft and publishes it;
the public then reads it under /public/disclosure/."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from supervision.disclosure import services
from supervision.disclosure.models import DisclosureReport
from tests.browser.test_cases import signed_in
from tests.factories import make_closed_case, make_matter

pytestmark = pytest.mark.browser
YEAR = 2025


def test_judicial_bureau_reviews_and_publishes_the_report(page, browser, live_server, county, judicial_reviewer):
    from playwright.sync_api import expect

    matter = make_matter("CSGL-0001", "占道经营", department=county.department)
    make_closed_case(
        number="A1",
        agency=county.town_a,
        matter=matter,
        decided_on=dt.date(YEAR, 6, 1),
        penalty_kinds=["fine"],
        fine_amount=Decimal("800"),
        township=county.town_a,
    )
    services.report_build(YEAR)

    reviewer = signed_in(browser, live_server, judicial_reviewer.username)
    reviewer.goto(f"/disclosure/{YEAR}/")
    expect(reviewer.get_by_test_id("report-status")).to_have_text("草稿")
    expect(reviewer.get_by_test_id("value-penalty_decisions")).to_have_text("1")
    expect(reviewer.get_by_test_id("value-fines_total")).to_have_text("800.00")
    # Publishing is not offered before the review.
    expect(reviewer.get_by_test_id("action-publish")).to_have_count(0)
    # The draft's files, from the page's links with the reviewer's session: the PDF marked as a draft.
    pdf = reviewer.request.get(reviewer.get_by_test_id("staff-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert "草稿，尚未公开" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    xlsx = reviewer.request.get(reviewer.get_by_test_id("staff-xlsx").get_attribute("href"))
    assert xlsx.ok and load_workbook(io.BytesIO(xlsx.body())).worksheets[0].title == "全县"
    reviewer.get_by_test_id("action-review").locator("textarea").fill("数据核对无误")
    reviewer.get_by_test_id("action-review").locator("button").click()
    expect(reviewer.get_by_test_id("report-status")).to_have_text("司法局已审核")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_test_id("action-publish").locator("button").click()
    expect(reviewer.get_by_test_id("report-status")).to_have_text("已公开")
    expect(reviewer.get_by_test_id("events")).to_contain_text("公开并报送县政府")
    assert DisclosureReport.objects.get(year=YEAR).status == "published"

    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto("/public/disclosure/")
    public.get_by_test_id("public-reports").get_by_role("link").first.click()
    expect(public.locator("h1")).to_contain_text(f"{YEAR}年度行政执法数据公开报告")
    expect(public.get_by_test_id("value-penalty_decisions")).to_have_text("1")
    expect(public.get_by_test_id("analysis")).to_contain_text("总体情况")
