"""Case-file review in Chromium: a judicial reviewer opens an assigned file, records a deduction and a veto,
submits; the township sees its rectification notice and answers it."""

from __future__ import annotations

import pytest

from supervision.models import Rectification, Score
from supervision.services.plans import plan_draw, plan_publish, plan_start
from tests.browser.test_cases import signed_in
from tests.supervision.conftest import make_plan, review

__all__ = ["review"]

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_reviewer_scores_with_a_veto_and_the_township_answers_its_notice(page, browser, live_server, review):
    from playwright.sync_api import expect

    county = review.county
    plan = make_plan(review, reviewers=[review.lead], agencies=[county.town_a], sample_count=1)
    plan = plan_start(plan_draw(plan, by=review.lead), by=review.lead)
    score = Score.objects.get(assignment__sampled__plan=plan)
    case = score.assignment.sampled.case

    reviewer = signed_in(browser, live_server, review.lead.username)
    reviewer.goto("/supervision/my-files/")
    reviewer.locator("[data-testid=open-file]").first.click()
    expect(reviewer.get_by_test_id("score-status")).to_have_text("草稿")
    # The case file beside the form: its contents and history (the reviewer may open it while assigned).
    expect(reviewer.locator("h1")).to_contain_text(case.display_number)
    reviewer.locator("[data-testid=item-D1] input[type=number]").fill("3")
    reviewer.locator("[data-testid=item-D1] input[type=text]").fill("未引用罚则条款")
    reviewer.locator("[data-testid=veto-V6] input[type=checkbox]").check()
    reviewer.locator("[data-testid=veto-V6] input[type=text]").fill("适用依据与违法事实不符")
    reviewer.get_by_test_id("submit-score").click()
    expect(reviewer.get_by_test_id("score-status")).to_have_text("已提交")
    expect(reviewer.get_by_test_id("score-grade")).to_have_text("不合格")
    expect(reviewer.get_by_test_id("locked")).to_be_visible()
    # The case page itself opens for the assigned reviewer.
    reviewer.goto(f"/cases/{case.pk}/")
    expect(reviewer.locator("h1")).to_be_visible()

    plan_publish(plan, by=review.lead)
    notice = Rectification.objects.get(plan=plan)

    township = signed_in(browser, live_server, review.officer_a.username)
    township.goto("/supervision/rectifications/")
    township.get_by_test_id("open-notice").click()
    expect(township.get_by_test_id("notice-status")).to_have_text("待整改")
    for item in notice.items.order_by("order"):
        form = township.get_by_test_id(f"answer-form-{item.order}")
        form.locator("textarea").fill(f"已整改：{item.order}")
        form.get_by_test_id("save-answer").click()
        expect(township.get_by_test_id(f"item-{item.order}").get_by_test_id("item-status")).to_have_text("已反馈")
    township.get_by_test_id("submit-answers").click()
    expect(township.get_by_test_id("notice-status")).to_have_text("已反馈")
    notice.refresh_from_db()
    assert notice.status == "answered"
