"""Browser fixtures: Playwright for Python driving Debian's Chromium.

``make test`` installs Debian's ``chromium`` package; the suite never downloads
a browser (no ``playwright install``). Use ``page`` together with pytest-django's
``live_server`` (which makes the test transactional)::

    def test_something(page, live_server, dispatcher):
        page.goto(live_server.url + "/accounts/login/")

Without /usr/bin/chromium these tests skip locally and fail in CI.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine has no network beyond localhost: stop Chromium from calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    from tests.conftest import require

    require(os.access(CHROMIUM, os.X_OK), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python (pip install -r requirements-dev.txt)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # refuses to run under a running loop unless told that it is safe here
    # (the test thread never shares a connection with the loop).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001
        playwright.stop()
        require(False, f"Chromium launch ({exc})")
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) and page, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
