"""On the phone-sized field page, an officer records an inspection and issues a warning from the record, in Chromium."""

from __future__ import annotations

import pytest
from django.utils import timezone

from enforcement.inspections.choices import Disposition, RecordStatus
from enforcement.inspections.models import InspectionRecord
from enforcement.warnings.choices import WarningStatus
from enforcement.warnings.models import WarningNotice
from enforcement.warnings.services import correction_due
from tests.conftest import PASSWORD
from tests.enforcement.inspections_support import insp_fixture
from tests.enforcement.warnings.support import warning_list_fixture

__all__ = ["insp_fixture", "warning_list_fixture"]

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_officer_records_an_inspection_on_the_field_page_and_issues_a_warning(browser, live_server, wl):
    from playwright.sync_api import expect

    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 400, "height": 860},
        is_mobile=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    officer, partner = wl.officers[0], wl.officers[1]
    obj = wl.objects_a[0]
    page.goto("/accounts/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='login'] [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    # The field page: find the shop and open the record form.
    page.goto("/inspections/field/?q=" + obj.name)
    page.locator(f"a[href*='object={obj.pk}']").first.click()
    page.wait_for_selector("[data-testid=record-form]")
    page.locator(f"input[name=officers][value='{partner.pk}']").check()
    page.locator(f"#problem-{wl.m_city.pk}").check()
    page.fill(f"input[name=finding-{wl.m_city.pk}]", "门前人行道堆放纸箱杂物")
    page.fill("textarea[name=facts]", "现场检查门前三包落实情况，发现门前堆放杂物。")
    page.locator("input[name=signature_status][value=signed]").check()
    page.locator("input[name=outcome][value=ordered_to_correct]").check()
    page.locator("[data-testid=record-form] [data-testid=submit]").click()
    page.wait_for_selector("[data-testid=record-actions]")
    record = InspectionRecord.objects.get(object=obj)

    # From the record, one action: issue a warning under a matter of the county's warning list.
    page.locator("[data-testid=action-warning]").click()
    page.wait_for_selector("[data-testid=inspection-form]")
    expect(page.locator("textarea[name=facts]")).to_contain_text("门前堆放杂物")
    page.select_option("select[name=matter]", str(wl.m_litter.pk))
    for box in page.locator("input[name=conditions]").all():
        box.check()
    page.fill("input[name=party_legal_rep]", "王老板")
    page.locator("[data-testid=submit]").click()
    page.wait_for_selector("[data-testid=record-warning]")
    expect(page.locator("[data-testid=record-status]")).to_contain_text("预警/责令改正")

    warning = WarningNotice.objects.get(record=record)
    record.refresh_from_db()
    assert record.status == RecordStatus.CLOSED and record.disposition == Disposition.WARNING
    assert warning.status == WarningStatus.ISSUED and warning.object == obj
    assert set(warning.officers.all()) == {officer, partner}
    page.locator("[data-testid=record-warning]").click()
    due = correction_due(timezone.localdate(), 10).date
    expect(page.locator("[data-testid=warning-due]")).to_contain_text(due.isoformat())
    expect(page.locator("[data-testid=warning-actions]")).to_contain_text("复查")
    context.close()
