"""The whole stack in a real browser: demo data, login form, home page, logout."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_login(transactional_db):
    """The first key login printed by ``manage.py seed_demo``, with the demo password."""
    from enforcement import demo

    call_command("seed_demo", stdout=io.StringIO())
    assert demo.KEY_LOGINS, "seed_demo printed no logins"
    username, _role = demo.KEY_LOGINS[0]
    return username, demo.DEFAULT_PASSWORD


def test_demo_user_logs_in_lands_on_home_page_and_logs_out(page, live_server, demo_login):
    from playwright.sync_api import expect

    username, password = demo_login

    # Anonymous users are sent to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("body")).to_contain_text("登录")

    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action*='login'] [type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(re.compile("综合行政执法局"))
    expect(page.locator("body")).to_contain_text("综合行政执法局业务系统")
    expect(page.locator("form[action*='logout']")).to_have_count(1)

    # Django 5 logs out by POST only: open the user menu and press the logout button.
    logout = page.locator("form[action*='logout'] [type=submit]")
    if not logout.is_visible():
        page.locator(".dropdown:has(form[action*='logout']) > .dropdown-toggle").click()
    logout.click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_wrong_password_keeps_user_on_login_form_with_an_error(page, live_server, demo_login):
    from playwright.sync_api import expect

    username, _password = demo_login
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "not-the-password")
    page.locator("form[action*='login'] [type=submit]").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
