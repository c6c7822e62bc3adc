"""Shared steps of the browser tests."""

from __future__ import annotations

from tests.conftest import PASSWORD


def signed_in(browser, live_server, username: str, *, accept_dialogs: bool = False):
    """A new page of a Chinese-language browser context, signed in as ``username`` on the home page."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='login'] [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    if accept_dialogs:  # confirmation dialogs (approve, enact) are accepted
        page.on("dialog", lambda dialog: dialog.accept())
    return page
