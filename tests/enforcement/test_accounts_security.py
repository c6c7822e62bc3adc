"""Accounts: lockout after repeated failed logins, administrator unlock, session expiry, CSP header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def fail(client, username, times):
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong-password"})
        assert response.status_code in (200, 429)
    return response


def test_repeated_failed_logins_lock_the_account_for_a_while_with_a_chinese_message(client, officer_a):
    response = fail(client, officer_a.username, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "联系系统管理员解锁" in page
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60} 分钟后再试" in page

    # Even the right password is refused while locked.
    locked = client.post(LOGIN, {"username": officer_a.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_administrator_unlocks_in_admin(client, client_for, officer_a, administrator):
    from axes.models import AccessAttempt

    fail(client, officer_a.username, settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username=officer_a.username)

    admin = client_for(administrator)  # the same test client: it becomes the administrator's session
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    response = admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk],
                                                          "post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    admin.logout()
    assert client.post(LOGIN, {"username": officer_a.username, "password": PASSWORD}).status_code == 302


def test_a_successful_login_resets_the_count(client, officer_a):
    from axes.models import AccessAttempt

    fail(client, officer_a.username, settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": officer_a.username, "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.filter(username=officer_a.username, failures_since_start__gt=0).exists()


def test_the_api_token_login_is_locked_too_in_the_error_format(client, officer_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/auth/token/", {"username": officer_a.username, "password": "wrong"})
    response = client.post("/api/auth/token/", {"username": officer_a.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_session_expiry_comes_from_the_environment(tmp_path):
    from tests.test_settings import manage

    result = manage(tmp_path, "shell", "-c",
                    "from django.conf import settings; print(settings.SESSION_COOKIE_AGE, "
                    "settings.SESSION_EXPIRE_AT_BROWSER_CLOSE, settings.AXES_FAILURE_LIMIT)",
                    DEBUG="1", SESSION_COOKIE_AGE="1800", SESSION_EXPIRE_AT_BROWSER_CLOSE="1", LOGIN_FAILURE_LIMIT="3")
    assert result.stdout.splitlines()[-1].split() == ["1800", "True", "3"], result.stderr


def test_pages_send_a_strict_content_security_policy(client_for, dispatcher):
    policy = client_for(dispatcher).get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


# What a CSP without 'unsafe-inline' refuses: <script> without src, <style>, style="", on...="".
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)


def test_templates_have_no_inline_scripts_styles_or_handlers():
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)
