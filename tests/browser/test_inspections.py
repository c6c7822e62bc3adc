"""An officer records a spot-check inspection on the phone-friendly field page, adds a photo and closes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.inspections import services
from enforcement.inspections.models import InspectionRecord
from tests.conftest import PASSWORD
from tests.enforcement.inspections_support import insp_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def login(user):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
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


def test_officer_records_a_spot_check_on_the_field_page(insp, phone, tmp_path):
    today = timezone.localdate()
    plan = services.plan_create(
        by=insp.leader_a,
        title="本月门前三包抽查",
        lead_agency=insp.county.town_a,
        matters=[insp.m_city],
        townships=[insp.county.town_a],
        period_start=today - dt.timedelta(days=5),
        period_end=today + dt.timedelta(days=20),
        sample_count=1,
        seed=11,
    )
    plan = services.plan_start(services.plan_draw(plan, by=insp.leader_a), by=insp.leader_a)
    task = plan.tasks.get()
    officers = [to.officer for to in task.task_officers.select_related("officer")]
    page = phone(officers[0])

    page.goto("/inspections/field/")
    page.get_by_test_id("field-tasks").get_by_text(task.object.name).click()
    assert task.object.name in page.get_by_test_id("record-object").inner_text()
    # The drawn officers are ticked, the plan's matter is listed: record the findings and the party's signature.
    page.fill(f"input[name='finding-{insp.m_city.pk}']", "门前整洁，三包责任落实")
    page.get_by_label("当事人已签名").check()
    page.get_by_label("未发现问题").check()
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/inspections/records/*/")
    record = InspectionRecord.objects.get(task=task)
    assert page.get_by_test_id("outcome").inner_text() == "未发现问题"
    assert {o.officer_id for o in record.record_officers.all()} == {o.pk for o in officers}

    photo = tmp_path / "scene.png"
    photo.write_bytes(PNG)
    page.set_input_files("input[name=file]", str(photo))
    page.get_by_role("button", name="上传").click()
    assert "scene.png" in page.get_by_test_id("attachments").inner_text()

    page.get_by_test_id("action-no_problem").click()
    page.get_by_test_id("submit").click()
    page.wait_for_url(f"**/inspections/records/{record.pk}/")
    assert "已处理" in page.get_by_test_id("record-status").inner_text()
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "no_problem"
