"""A devolution batch end to end in Chromium: draft with two items, judicial approval, enactment, power map."""

from __future__ import annotations

import re

import pytest

from enforcement.models import Role
from tests.browser.support import signed_in
from tests.devolution.helpers import county_grant, make_matter, staff_township, today
from tests.factories import member

pytestmark = pytest.mark.browser


@pytest.fixture
def world(county, administrator, judicial_reviewer):
    staff_township(county.town_a, prefix="ta")
    staff_township(county.town_b, prefix="tb")
    matters = [make_matter(f"ZRZY-{n:04d}", f"自然资源事项{n}", department=county.department) for n in (1, 2)]
    for m in matters:
        county_grant(m, county.bureau)
    clerk = member(Role.ADMINISTRATOR, county.bureau, "bureau_clerk")
    return county, matters, clerk, judicial_reviewer, administrator



def test_bureau_drafts_reviewer_approves_admin_enacts_and_power_map_shows_the_new_modes(
        page, browser, live_server, world):
    from playwright.sync_api import expect

    county, matters, clerk, reviewer, admin = world

    # 1. A bureau user drafts the batch with two items.
    bureau = signed_in(browser, live_server, clerk.username, accept_dialogs=True)
    bureau.goto("/devolution/")
    bureau.get_by_role("link", name="起草新批次").click()
    bureau.fill("input[name=number]", "2026-8")
    bureau.fill("input[name=title]", "浏览器测试批次")
    bureau.fill("input[name=provincial_decision]", "省人民政府赋权决定")
    bureau.fill("input[name=county_document_no]", "县政发〔2026〕8 号")
    bureau.fill("input[name=effective_date]", today().isoformat())
    bureau.get_by_label("甲镇").check()
    bureau.get_by_label("乙街道").check()
    bureau.get_by_role("button", name="保存").click()
    expect(bureau.get_by_test_id("batch-status")).to_have_text("草稿")
    batch_url = bureau.url

    bureau.get_by_role("link", name="添加事项").click()
    bureau.fill("input[name=matter_code]", matters[0].code)
    bureau.get_by_label("甲镇").check()
    bureau.select_option("select[name=category]", "priority")
    bureau.select_option("select[name=mode]", "devolved")
    bureau.fill("input[name=entered_case_count_3y]", "12")
    bureau.get_by_role("button", name="保存并继续添加").click()
    expect(bureau.locator(".alert-success")).to_contain_text("已添加事项")

    # A refusal is shown on the form: priority with no cases in three years.
    bureau.fill("input[name=matter_code]", matters[1].code)
    bureau.get_by_label("甲镇").check()
    bureau.select_option("select[name=category]", "priority")
    bureau.select_option("select[name=mode]", "stationed")
    bureau.fill("input[name=entered_case_count_3y]", "0")
    bureau.get_by_role("button", name="保存", exact=True).click()
    expect(bureau.locator(".invalid-feedback, .alert-danger").first).to_contain_text("评估下放")
    bureau.fill("input[name=entered_case_count_3y]", "5")
    bureau.get_by_role("button", name="保存", exact=True).click()
    expect(bureau).to_have_url(batch_url)
    expect(bureau.get_by_test_id("items").locator("tbody tr")).to_have_count(2)
    expect(bureau.get_by_test_id("no-problems")).to_be_visible()
    bureau.locator("[data-action=submit]").click()
    expect(bureau.get_by_test_id("batch-status")).to_have_text("已提交")

    # 2. The judicial reviewer starts the review and approves.
    judicial = signed_in(browser, live_server, reviewer.username, accept_dialogs=True)
    judicial.goto(batch_url)
    judicial.locator("[data-action=start_review]").click()
    expect(judicial.get_by_test_id("batch-status")).to_have_text("审查中")
    judicial.locator("[data-action=approve]").click()
    expect(judicial.get_by_test_id("batch-status")).to_have_text("已批准")

    # 3. The administrator publishes and enacts it.
    chief = signed_in(browser, live_server, admin.username, accept_dialogs=True)
    chief.goto(batch_url)
    chief.locator("[data-action=publish]").click()
    expect(chief.get_by_test_id("batch-status")).to_have_text("已公布")
    chief.locator("[data-action=enact]").click()
    expect(chief.get_by_test_id("batch-status")).to_have_text("已生效")
    chief.get_by_role("link", name="办理过程").click()
    expect(chief.get_by_test_id("history")).to_contain_text("实施生效")

    # 4. The power map shows the new mode of each matter in township A; township B keeps the bureau.
    chief.goto("/devolution/power-map/")
    header = [h.strip() for h in chief.locator("[data-testid=power-map] thead th").all_inner_texts()]
    col_a, col_b = header.index("甲镇"), header.index("乙街道")
    first = chief.locator(f"tr[data-matter='{matters[0].code}'] > *")
    second = chief.locator(f"tr[data-matter='{matters[1].code}'] > *")
    expect(first.nth(col_a)).to_have_text("赋权")
    expect(second.nth(col_a)).to_have_text("派驻")
    expect(first.nth(col_b)).to_have_text("划转")
    chief.get_by_role("link", name="甲镇").click()
    expect(chief).to_have_url(re.compile(r"/devolution/townships/\d+/"))
    expect(chief.get_by_test_id("township-grants")).to_contain_text("赋权批次 2026-8")
