"""A catalogue administrator imports a spreadsheet in Chromium: upload, preview, confirm,
watch the progress bar until the background job finishes, then find the matter by a Chinese term."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.conftest import PASSWORD
from tests.enforcement.catalogue_fixtures import HEADER, refs, row  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def queued_jobs(monkeypatch):
    """Keep confirmed imports queued (as with a busy worker) so that the page shows its progress bar."""
    from enforcement import tasks

    queued: list[str] = []
    # The job is queued by the task's name (a signature), which ends in the task's apply_async.
    monkeypatch.setattr(tasks.import_catalogue_job, "apply_async",
                        lambda args=(), kwargs=None, **options: queued.append(args[0]))
    return queued


def write_catalogue(path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "事项目录"
    sheet.append(HEADER)
    sheet.append(row("CSGL-0901", "在城市道路上晾晒农作物", 序号="1", 权力归属="划转",
                     违法依据="《城市道路管理条例》第二十七条第（五）项"))
    sheet.append(row("CSGL-0902", "擅自设置大型户外广告", 序号="2"))
    workbook.save(path)
    return path


def test_administrator_imports_a_spreadsheet_and_finds_the_matter(
    transactional_db, page, live_server, administrator, refs, queued_jobs, tmp_path, settings  # noqa: F811
):
    from playwright.sync_api import expect

    from enforcement.catalogue.jobs import run_import_job
    from enforcement.models import Matter

    settings.MEDIA_ROOT = tmp_path / "media"
    spreadsheet = write_catalogue(tmp_path / "县事项目录.xlsx")

    page.goto("/accounts/login/")
    page.fill("input[name=username]", administrator.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='login'] [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")

    # The catalogue list offers the import to an administrator.
    page.goto("/catalogue/")
    page.get_by_role("link", name="导入", exact=True).click()
    expect(page).to_have_url(re.compile(r"/catalogue/import/$"))

    page.set_input_files("input[name=file]", str(spreadsheet))
    page.get_by_role("button", name="上传并预览").click()

    # Preview: a dry run with the counts, nothing written yet.
    expect(page.get_by_role("heading", name="导入预览")).to_be_visible()
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="errors"]')).to_have_text("0")
    assert not Matter.objects.filter(code="CSGL-0901").exists()

    page.get_by_role("button", name="确认导入").click()

    # The job page polls while the job waits for the worker.
    expect(page).to_have_url(re.compile(r"/catalogue/import/jobs/[0-9a-f]{32}/$"))
    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-state", "queued")
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert len(queued_jobs) == 1

    # The worker runs the job; the page notices within a second or two, without a reload.
    url_before = page.url
    assert run_import_job(queued_jobs[0]) == "done"
    expect(progress).to_have_attribute("data-state", "done", timeout=10_000)
    expect(page.get_by_text("导入完成")).to_be_visible()
    assert page.url == url_before

    # Search the catalogue by a Chinese term and open the matter.
    page.get_by_role("link", name="查看事项目录").click()
    page.fill("input[name=q]", "晾晒")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/catalogue/\?.*q=%E6%99%BE%E6%99%92"))
    link = page.get_by_role("link", name="CSGL-0901")
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name="CSGL-0902")).to_have_count(0)
    link.click()
    expect(page.get_by_role("heading", name="在城市道路上晾晒农作物")).to_be_visible()
    expect(page.locator("body")).to_contain_text("《城市道路管理条例》第二十七条第（五）项")
