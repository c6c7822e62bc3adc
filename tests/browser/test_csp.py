"""The main pages satisfy the Content-Security-Policy: Chromium reports no violation on any of them."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PAGES = [
    "/", "/dispatch/", "/dispatch/tickets/", "/dispatch/tickets/new/", "/dispatch/stats/", "/cases/", "/cases/new/",
    "/catalogue/", "/catalogue/import/", "/devolution/", "/devolution/power-map/", "/notifications/", "/me/",
    "/grids/", "/admin/", "/admin/enforcement/outboxmessage/", "/admin/axes/accessattempt/",
    "/admin/dispatch/ticket/", "/admin/enforcement/agency/add/",
]
PUBLIC_PAGES = ["/public/", "/public/report/", "/public/report/track/", "/public/catalogue/", "/public/decisions/",
                "/public/devolution/", "/accounts/login/"]


def collect_violations(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    # The DOM event also catches what the console does not print (e.g. style attributes set by markup).
    page.add_init_script("""
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', function (e) {
          window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
        });
    """)
    return violations


def visit(page, path: str, violations: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 400, f"{path}: {response.status if response else None}"
    page.wait_for_load_state("networkidle")
    violations.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))


def test_public_pages_and_the_login_form_report_no_csp_violation(page, live_server, db):
    violations = collect_violations(page)
    for path in PUBLIC_PAGES:
        visit(page, path, violations)
    assert not violations, "\n".join(violations)


def test_staff_and_admin_pages_report_no_csp_violation(page, live_server, administrator):
    violations = collect_violations(page)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", administrator.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='login'] [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    for path in PAGES:
        visit(page, path, violations)
    assert not violations, "\n".join(violations)
