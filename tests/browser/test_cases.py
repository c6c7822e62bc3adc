"""A township case end to end in Chromium: lead, filing under a devolved matter, evidence, advance notice,
legal review by the township's reviewer, decision, service, payment, closing, and the public decision page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.models import Case, CaseStatus, Event, Publication
from tests.browser.support import signed_in
from tests.enforcement.cases_support import world

__all__ = ["world"]

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0" + b"browser-test-photo" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path



def step(page, action: str) -> None:
    """Open one step's form from the case page."""
    page.locator(f"[data-testid=actions] a[data-action={action}]").click()
    page.wait_for_selector("[data-testid=step-form]")


def submit(page) -> None:
    page.locator("[data-testid=submit]").click()
    page.wait_for_selector("[data-testid=case-status]")


def test_township_officer_takes_a_devolved_case_from_lead_to_a_published_decision(page, browser, live_server, world):
    from playwright.sync_api import expect

    officer = signed_in(browser, live_server, world.officer_a.username)
    officer.goto("/cases/")
    officer.locator("[data-testid=new-case]").click()
    officer.select_option("select[name=matter]", str(world.dev.pk))
    officer.fill("input[name=title]", "占用人行道摆摊经营")
    today = timezone.localdate()
    year = today.year
    officer.fill("input[name=occurred_on]", (today - dt.timedelta(days=20)).isoformat())
    officer.fill("input[name=discovered_on]", (today - dt.timedelta(days=19)).isoformat())
    officer.fill("input[name=place]", "甲镇人民路")
    officer.fill("textarea[name=facts]", "当事人在人民路人行道上摆摊经营水果，经劝阻拒不改正。")
    officer.select_option("select[name=party_kind]", "individual")
    officer.fill("input[name=party_name]", "张三")
    officer.fill("input[name=party_id_number]", "330102199001011234")
    officer.locator("[data-testid=submit]").click()
    expect(officer.locator("[data-testid=case-status]")).to_have_text("线索")

    # Filing under the matter devolved to township A, with two certified officers (art. 42).
    step(officer, "file")
    officer.locator(f"input[name=officers][value='{world.officer_a2.pk}']").check()
    submit(officer)
    expect(officer.locator("[data-testid=case-status]")).to_have_text("已立案")
    expect(officer.locator("[data-testid=case-number]")).to_contain_text(f"甲镇综执立字〔{year}〕第1号")

    step(officer, "investigate")
    submit(officer)
    step(officer, "evidence")
    officer.select_option("select[name=kind]", "audiovisual")
    officer.fill("input[name=title]", "现场照片")
    officer.set_input_files("input[name=file]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg",
                                                        "buffer": JPEG}])
    submit(officer)
    expect(officer.locator("[data-testid=evidence]")).to_contain_text("现场照片")

    step(officer, "notice")
    officer.select_option("select[name=tier]", str(world.dev.tiers.get(order=2).pk))
    officer.locator("input[name=kinds][value=fine]").check()
    officer.fill("input[name=fine]", "150")
    submit(officer)
    expect(officer.locator("[data-testid=case-status]")).to_have_text("已事先告知")
    step(officer, "submit_review")
    submit(officer)
    expect(officer.locator("[data-testid=case-status]")).to_have_text("法制审核中")
    case = Case.objects.get(title="占用人行道摆摊经营")

    # The township's legal reviewer (not a handler of the case) passes the review.
    reviewer = signed_in(browser, live_server, world.legal_a.username)
    reviewer.goto(f"/cases/{case.pk}/")
    step(reviewer, "review")
    reviewer.fill("textarea[name=opinion]", "事实清楚，证据确凿，适用依据正确，程序合法，同意。")
    submit(reviewer)
    expect(reviewer.locator("[data-testid=case-status]")).to_have_text("法制审核通过")

    officer.goto(f"/cases/{case.pk}/")
    step(officer, "decide")
    officer.select_option("select[name=tier]", str(world.dev.tiers.get(order=2).pk))
    officer.fill("textarea[name=decision_text]", "责令立即改正，并处罚款。")
    officer.locator("input[name=needs_publication]").check()
    submit(officer)
    expect(officer.locator("[data-testid=case-status]")).to_have_text("已决定")
    expect(officer.locator("[data-testid=outcome]")).to_contain_text(f"甲镇综执罚决字〔{year}〕第1号")

    step(officer, "serve")
    submit(officer)
    step(officer, "execute")
    officer.fill("input[name=receipt_number]", "FS-0001")
    submit(officer)
    expect(officer.locator("[data-testid=case-status]")).to_have_text("已执行")
    step(officer, "close")
    officer.fill("textarea[name=summary]", "罚款已缴纳，违法行为已改正，结案。")
    submit(officer)
    expect(officer.locator("[data-testid=case-status]")).to_have_text("已结案")
    step(officer, "publish")
    submit(officer)
    expect(officer.locator("[data-testid=publication]")).to_be_visible()

    # The case file lists the documents and the evidence with page numbers.
    officer.goto(f"/cases/{case.pk}/file/")
    expect(officer.locator("[data-testid=case-file]")).to_contain_text("行政处罚决定书")
    expect(officer.locator("[data-testid=case-file]")).to_contain_text("现场照片")

    # The public page shows the decision with the party masked.
    page.goto("/public/")
    page.get_by_role("link", name="处罚决定公开").click()
    table = page.locator("[data-testid=public-decisions]")
    expect(table).to_contain_text(f"甲镇综执罚决字〔{year}〕第1号")
    expect(table).to_contain_text("张*")
    expect(table).not_to_contain_text("张三")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and Publication.objects.filter(case=case).exists()
    assert list(Event.objects.for_object(case).values_list("action", flat=True))[:4] == [
        "create", "file", "investigate", "evidence_add"]
