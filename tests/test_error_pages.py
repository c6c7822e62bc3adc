"""The 404, 403 and 500 pages speak the site's language and look like the site."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_unknown_page_answers_the_sites_own_404_with_the_menu(client_for, dispatcher):
    response = client_for(dispatcher).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'data-testid="error-page"' in body
    assert "返回首页" in body and "app-navbar" in body


def test_404_reads_in_english_with_the_language_switch(client_for, dispatcher):
    client = client_for(dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body and "页面不存在" not in body


def test_public_visitor_gets_the_404_page_too(client):
    response = client.get("/public/decisions/999999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_permission_denied_renders_the_403_page(rf: RequestFactory, dispatcher):
    request = rf.get("/")
    request.user = dispatcher
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    # server_error renders 500.html with a plain Context: no user, no context processors.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错了" in body and "bootstrap.min.css" in body
