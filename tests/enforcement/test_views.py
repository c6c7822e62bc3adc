"""The web UI base: login, role homes, notification inbox, grids, navigation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement import navigation
from enforcement.models import Notification, Role
from enforcement.notifications import notify
from tests.factories import CertificateFactory, GridFactory, MembershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


# --- login, logout, anonymous access ------------------------------------------


def test_login_page_is_chinese_for_anonymous(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = _html(response)
    assert "综合行政执法局业务系统" in html
    assert "请使用您的工作账号登录" in html
    assert 'lang="zh-hans"' in html
    # The language switch posts to Django's set_language view.
    assert reverse("set_language") in html


@pytest.mark.parametrize("path", ["/", "/grids/", "/notifications/", "/me/"])
def test_anonymous_is_redirected_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_public_index_needs_no_login(client, county):
    response = client.get(reverse("public-index"))
    assert response.status_code == 200
    html = _html(response)
    assert county.bureau.name in html
    # No internal navigation or user menu on public pages.
    assert reverse("logout") not in html
    assert reverse("notifications") not in html


def test_public_index_works_before_any_agency_exists(client):
    response = client.get(reverse("public-index"))
    assert response.status_code == 200
    assert "综合行政执法局" in _html(response)


def test_login_with_password_lands_on_home(client, officer_a):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "pass-Word-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_with_wrong_password_shows_chinese_error(client, officer_a):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in _html(response)


def test_logout_needs_post(client_for, officer_a):
    client = client_for(officer_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_change_page_renders_and_changes_password(client_for, officer_a):
    client = client_for(officer_a)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "修改密码" in _html(response)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-Word-123", "new_password1": "New-pass-4567", "new_password2": "New-pass-4567"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    officer_a.refresh_from_db()
    assert officer_a.check_password("New-pass-4567")
    assert "密码已修改" in _html(client.get(reverse("password_change_done")))


def test_password_change_refuses_wrong_old_password(client_for, officer_a):
    client = client_for(officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "New-pass-4567", "new_password2": "New-pass-4567"},
    )
    assert response.status_code == 200
    officer_a.refresh_from_db()
    assert officer_a.check_password("pass-Word-123")


# --- role homes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "template", "text"),
    [
        ("administrator", "administrator", "系统管理工作台"),
        ("dispatcher", "dispatcher", "指挥调度工作台"),
        ("judicial_reviewer", "judicial_reviewer", "案卷评查工作台"),
        ("squadron_officer", "squadron_officer", "中队执法工作台"),
        ("officer_a", "township_officer", "乡镇（街道）执法办工作台"),
        ("department_staff", "department_staff", "业务部门工作台"),
    ],
)
def test_each_persona_lands_on_its_role_home(request, client_for, persona, template, text):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    assert f"enforcement/home/{template}.html" in [t.name for t in response.templates]
    assert text in _html(response)


@pytest.mark.parametrize(
    ("role", "template"),
    [
        (Role.LEGAL_REVIEWER, "legal_reviewer"),
        (Role.SQUADRON_LEADER, "squadron_leader"),
        (Role.TOWNSHIP_LEADER, "township_leader"),
    ],
)
def test_other_roles_have_their_own_home(client_for, county, role, template):
    agency = {Role.LEGAL_REVIEWER: county.bureau, Role.SQUADRON_LEADER: county.squadron_a}.get(role, county.town_a)
    user = member(role, agency, f"u_{role}")
    response = client_for(user).get(reverse("home"))
    assert f"enforcement/home/{template}.html" in [t.name for t in response.templates]
    assert agency.name in _html(response)


def test_highest_priority_role_wins(client_for, county):
    user = member(Role.TOWNSHIP_OFFICER, county.town_a, "two_roles")
    MembershipFactory(user=user, agency=county.command, role=Role.DISPATCHER)
    response = client_for(user).get(reverse("home"))
    assert "enforcement/home/dispatcher.html" in [t.name for t in response.templates]


def test_user_without_membership_is_told_to_contact_administrator(client_for, db):
    user = UserFactory(username="nobody")
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    html = _html(response)
    assert "您的账号尚未分配角色" in html
    assert "请联系系统管理员" in html


def test_superuser_without_membership_gets_administrator_home(client_for, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = client_for(root).get(reverse("home"))
    assert "enforcement/home/administrator.html" in [t.name for t in response.templates]


def test_home_shows_greeting_agency_and_certificate(client_for, county, officer_a):
    cert = officer_a.certificates.get()
    html = _html(client_for(officer_a).get(reverse("home")))
    assert "您好" in html
    assert county.town_a.name in html
    assert cert.number in html
    assert "即将到期" not in html


def test_home_warns_about_certificate_expiring_within_30_days(client_for, county):
    user = member(Role.TOWNSHIP_OFFICER, county.town_a, "expiring")
    today = timezone.localdate()
    CertificateFactory(
        officer=user,
        number="ZF-SOON",
        valid_from=today - dt.timedelta(days=300),
        valid_to=today + dt.timedelta(days=10),
    )
    html = _html(client_for(user).get(reverse("home")))
    assert "即将到期" in html
    assert "ZF-SOON" in html
    assert "剩余 10 天" in html


def test_home_warns_about_expired_certificate(client_for, county):
    user = member(Role.SQUADRON_OFFICER, county.squadron_a, "expired")
    today = timezone.localdate()
    CertificateFactory(
        officer=user, number="ZF-OLD", valid_from=today - dt.timedelta(days=900), valid_to=today - dt.timedelta(days=1)
    )
    html = _html(client_for(user).get(reverse("home")))
    assert "已过期" in html
    assert "不得从事执法活动" in html


def test_township_home_lists_own_grids_only(client_for, county, officer_a):
    GridFactory(township=county.town_a, code="GA-1", name="甲镇一网格")
    GridFactory(township=county.town_b, code="GB-1", name="乙街道一网格")
    html = _html(client_for(officer_a).get(reverse("home")))
    assert "甲镇一网格" in html
    assert "乙街道一网格" not in html


def test_squadron_home_lists_grids_of_township_it_is_stationed_in(client_for, county, squadron_officer):
    GridFactory(township=county.town_a, code="GA-1", name="甲镇一网格")
    GridFactory(township=county.town_b, code="GB-1", name="乙街道一网格")
    html = _html(client_for(squadron_officer).get(reverse("home")))
    assert "甲镇一网格" in html
    assert "乙街道一网格" not in html


# --- profile ---------------------------------------------------------------------


def test_profile_lists_memberships_with_role_labels_and_certificates(client_for, county, officer_a):
    response = client_for(officer_a).get(reverse("profile"))
    assert response.status_code == 200
    html = _html(response)
    assert county.town_a.name in html
    assert "乡镇执法人员" in html
    assert officer_a.certificates.get().number in html


# --- notifications -------------------------------------------------------------


def test_inbox_lists_own_notifications_unread_first(client_for, officer_a, officer_b):
    old_unread = notify(officer_a, reason="t.1", title="旧的未读通知", email=False)
    read = notify(officer_a, reason="t.2", title="已读通知", email=False)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    Notification.objects.filter(pk=old_unread.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    notify(officer_b, reason="t.3", title="别人的通知", email=False)
    html = _html(client_for(officer_a).get(reverse("notifications")))
    assert "别人的通知" not in html
    assert html.index("旧的未读通知") < html.index("已读通知")


def test_inbox_newest_first_and_unread_filter(client_for, officer_a):
    old_unread = notify(officer_a, reason="t.1", title="旧的未读通知", email=False)
    Notification.objects.filter(pk=old_unread.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    read = notify(officer_a, reason="t.2", title="新的已读通知", email=False)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    client = client_for(officer_a)
    html = _html(client.get(reverse("notifications"), {"order": "newest"}))
    assert html.index("新的已读通知") < html.index("旧的未读通知")
    html = _html(client.get(reverse("notifications"), {"unread": "1"}))
    assert "旧的未读通知" in html
    assert "新的已读通知" not in html


def test_inbox_is_paginated(client_for, officer_a):
    for i in range(25):
        notify(officer_a, reason=f"bulk.{i}", title=f"批量通知{i:02d}", email=False)
    client = client_for(officer_a)
    first = client.get(reverse("notifications"))
    assert len(first.context["notifications"]) == 20
    second = client.get(reverse("notifications"), {"page": 2})
    assert len(second.context["notifications"]) == 5


def test_mark_one_notification_read(client_for, officer_a):
    note = notify(officer_a, reason="t.1", title="请处理", email=False)
    client = client_for(officer_a)
    assert client.get(reverse("notification-read", args=[note.pk])).status_code == 405
    response = client.post(reverse("notification-read", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_notification_marks_it_read_and_follows_its_link(client_for, officer_a):
    note = notify(officer_a, reason="t.1", title="请处理", url="/grids/", email=False)
    response = client_for(officer_a).post(reverse("notification-read", args=[note.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/grids/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_notification_never_redirects_off_site(client_for, officer_a):
    note = notify(officer_a, reason="t.1", title="外链", url="https://evil.example/", email=False)
    response = client_for(officer_a).post(reverse("notification-read", args=[note.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications")


def test_mark_read_with_htmx_returns_row_and_badge(client_for, officer_a):
    note = notify(officer_a, reason="t.1", title="请处理", email=False)
    notify(officer_a, reason="t.2", title="另一条", email=False)
    response = client_for(officer_a).post(reverse("notification-read", args=[note.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = _html(response)
    assert f'id="notification-{note.pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert response.context["unread_notifications"] == 1


def test_other_users_notification_is_404(client_for, officer_a, officer_b):
    theirs = notify(officer_b, reason="t.1", title="别人的", email=False)
    response = client_for(officer_a).post(reverse("notification-read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_only_touches_own(client_for, officer_a, officer_b):
    notify(officer_a, reason="t.1", title="一", email=False)
    notify(officer_a, reason="t.2", title="二", email=False)
    theirs = notify(officer_b, reason="t.3", title="别人的", email=False)
    client = client_for(officer_a)
    assert client.get(reverse("notifications-read-all")).status_code == 405
    response = client.post(reverse("notifications-read-all"), follow=True)
    assert "已将 2 条通知标为已读" in _html(response)
    assert not Notification.objects.filter(recipient=officer_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_badge_shows_count_in_header(client_for, officer_a):
    for i in range(3):
        notify(officer_a, reason=f"t.{i}", title=f"通知{i}", email=False)
    response = client_for(officer_a).get(reverse("profile"))
    assert response.context["unread_notifications"] == 3
    html = _html(response)
    badge = html[html.index('id="unread-badge"') :]
    assert 'bg-danger">3<span class="visually-hidden">' in badge[:200]
    assert reverse("notifications") in html


def test_unread_badge_is_hidden_when_nothing_is_unread(client_for, officer_a):
    response = client_for(officer_a).get(reverse("profile"))
    assert response.context["unread_notifications"] == 0
    html = _html(response)
    badge = html[html.index('id="unread-badge"') :]
    assert "d-none" in badge[: badge.index(">")]


# --- grids -------------------------------------------------------------------------


def test_township_officer_cannot_see_other_townships_grid(client_for, county, officer_a):
    own = GridFactory(township=county.town_a, code="GA-1", name="甲镇一网格")
    other = GridFactory(township=county.town_b, code="GB-1", name="乙街道一网格")
    client = client_for(officer_a)
    assert client.get(reverse("grid-detail", args=[other.pk])).status_code == 404
    response = client.get(reverse("grid-detail", args=[own.pk]))
    assert response.status_code == 200
    assert "甲镇一网格" in _html(response)
    html = _html(client.get(reverse("grid-list")))
    assert "GA-1" in html
    assert "GB-1" not in html


def test_missing_grid_is_404(client_for, dispatcher):
    assert client_for(dispatcher).get(reverse("grid-detail", args=[999999])).status_code == 404


def test_dispatcher_sees_every_township_grid_and_can_filter(client_for, county, dispatcher):
    GridFactory(township=county.town_a, code="GA-1", name="甲镇一网格")
    GridFactory(township=county.town_b, code="GB-1", name="乙街道一网格")
    client = client_for(dispatcher)
    html = _html(client.get(reverse("grid-list")))
    assert "GA-1" in html and "GB-1" in html
    html = _html(client.get(reverse("grid-list"), {"township": county.town_b.pk}))
    assert "GA-1" not in html and "GB-1" in html
    html = _html(client.get(reverse("grid-list"), {"q": "甲镇"}))
    assert "GA-1" in html and "GB-1" not in html


def test_grid_list_runs_constant_queries(client_for, county, dispatcher, django_assert_max_num_queries):
    client = client_for(dispatcher)
    for i in range(3):
        GridFactory(township=county.town_a, member=UserFactory(username=f"gm{i}"))
    client.get(reverse("grid-list"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("grid-list"))
    for i in range(30):
        GridFactory(township=county.town_b if i % 2 else county.town_a, member=UserFactory(username=f"gmx{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("grid-list"))
    assert len(response.context["grids"]) == 33


def test_notification_inbox_runs_constant_queries(client_for, officer_a, django_assert_max_num_queries):
    client = client_for(officer_a)
    notify(officer_a, reason="t.0", title="通知", email=False)
    client.get(reverse("notifications"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("notifications"))
    for i in range(1, 15):
        notify(officer_a, reason=f"t.{i}", title=f"通知{i}", email=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications"))


# --- navigation -------------------------------------------------------------------


def _nav_keys(response) -> list[str]:
    return [item["key"] for item in response.context["nav_items"]]


def test_navigation_shows_admin_link_only_to_staff(client, county, administrator, officer_a):
    client.force_login(administrator)
    response = client.get(reverse("profile"))
    assert "admin" in _nav_keys(response)
    assert f'href="{reverse("admin:index")}"' in _html(response)
    client.force_login(officer_a)
    response = client.get(reverse("profile"))
    assert "admin" not in _nav_keys(response)
    assert f'href="{reverse("admin:index")}"' not in _html(response)


def test_navigation_follows_roles(client, county, dispatcher, officer_a, judicial_reviewer, department_staff):
    # Later apps add entries; this checks only the foundation's own ones.
    expected = {
        dispatcher: {"home", "grids", "notifications", "api-docs"},
        officer_a: {"home", "grids", "notifications"},
        judicial_reviewer: {"home", "notifications"},
        department_staff: {"home", "notifications"},
    }
    foundation = {"home", "grids", "notifications", "api-docs", "admin"}
    for user, keys in expected.items():
        client.force_login(user)
        nav = _nav_keys(client.get(reverse("profile")))
        assert set(nav) & foundation == keys, user.username
        assert nav[0] == "home"


def test_navigation_marks_current_page_active(client_for, officer_a):
    response = client_for(officer_a).get(reverse("grid-list"))
    active = [item["key"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["grids"]


def test_navigation_skips_entries_whose_url_does_not_exist(rf, officer_a, monkeypatch):
    monkeypatch.setattr(navigation, "NAV_ENTRIES", list(navigation.NAV_ENTRIES))
    navigation.register(navigation.NavEntry("future", "未来功能", "no-such-url-name"))
    request = rf.get("/")
    request.user = officer_a
    keys = [item["key"] for item in navigation.nav_items_for(request)]
    assert "future" not in keys
    assert "home" in keys


def test_public_links_skip_pages_not_built_yet(monkeypatch):
    monkeypatch.setattr(
        navigation,
        "PUBLIC_LINKS",
        [navigation.PublicLink("x", "不存在", "no-such-url-name"), navigation.PublicLink("h", "首页", "public-index")],
    )
    assert [link["key"] for link in navigation.public_links()] == ["h"]


def test_calendar_warning_banner_only_for_administrators(client, county, administrator, dispatcher, monkeypatch):
    from enforcement import workdays

    monkeypatch.setattr(workdays, "calendar_warning", lambda *a, **k: "2099年的法定节假日安排尚未录入", raising=False)
    client.force_login(administrator)
    assert "2099年的法定节假日安排尚未录入" in _html(client.get(reverse("profile")))
    client.force_login(dispatcher)
    assert "2099年的法定节假日安排尚未录入" not in _html(client.get(reverse("profile")))


# --- language ---------------------------------------------------------------------


def test_language_switch_post_changes_language(client_for, officer_a):
    client = client_for(officer_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("profile")})
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    html = _html(client.get(reverse("profile")))
    assert 'lang="en"' in html
    assert "My profile" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "我的信息" in _html(client.get(reverse("profile")))


def test_static_assets_are_local(client_for, officer_a):
    html = _html(client_for(officer_a).get(reverse("home")))
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    # Every script, stylesheet, font and image comes from this site (page text may contain anything,
    # e.g. a random lookup code "…CDN…", so the assets' addresses are checked, not the words).
    import re

    assets = re.findall(r'<(?:script|link|img|source)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith(("/", "#", "data:")) and not a.startswith("//") for a in assets), assets
