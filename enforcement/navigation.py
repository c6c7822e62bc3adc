"""The navigation registry: internal menu entries and public landing-page links.

Each entry names a URL *name*, not a path. An entry whose name does not
reverse (the app that serves it is not built yet, or is switched off) is
skipped silently, so later apps only add entries here (or call
:func:`register` / :func:`register_public` from their ``AppConfig.ready``)
and never leave a dead link in the menu.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enforcement.access import scope_for
from enforcement.models.agencies import Role


@dataclass(frozen=True)
class NavEntry:
    """One item of the internal menu."""

    key: str
    label: str | Promise
    url_name: str
    # Roles that may use it; ``None`` means every signed-in user.
    roles: frozenset[str] | None = None
    # Only for Django admin users (is_staff), whatever their roles.
    staff_only: bool = False
    # Highlight the entry for every path under its URL (not only the URL itself).
    match_prefix: bool = True
    order: int = 100
    # Also shown to grid members (网格员) who hold no post in any agency: they
    # patrol a grid and report from a phone, and have no role to match. Users
    # with a post reach the same work through their role's pages.
    grid_members: bool = False
    # The predicate of the page's own view, when a role is not enough to open it (a township's legal
    # reviewer holds the role of the bureau's, but not its pages): the entry shows only when it admits
    # the user. Without it, the roles decide. tests/enforcement/test_navigation.py opens every link.
    visible: Callable[[object], bool] | None = None

    def allows(self, user, roles: frozenset[str]) -> bool:
        if self.staff_only:
            return bool(user.is_staff and user.is_active)
        if self.roles is not None and not (
            # A superuser with no membership is treated as an administrator.
            (user.is_superuser and Role.ADMINISTRATOR in self.roles) or self.roles & roles
        ):
            return False
        return self.visible is None or bool(self.visible(user))


@dataclass(frozen=True)
class PublicLink:
    """One link on the public landing page (no login)."""

    key: str
    label: str | Promise
    url_name: str
    description: str | Promise = ""
    icon: str = "bi-link-45deg"
    order: int = 100


FIELD_ROLES = frozenset(
    {
        Role.TOWNSHIP_OFFICER,
        Role.TOWNSHIP_LEADER,
        Role.SQUADRON_OFFICER,
        Role.SQUADRON_LEADER,
        Role.DISPATCHER,
        Role.ADMINISTRATOR,
    }
)

NAV_ENTRIES: list[NavEntry] = [
    NavEntry("home", _("首页"), "home", match_prefix=False, order=0),
    # Its count badge is loaded by htmx after the page (enforcement.views.todo_badge), so pages do not pay for it.
    NavEntry("todo", _("待办事项"), "todo", order=5),
    NavEntry("catalogue", _("执法事项目录"), "catalogue-list", order=20),
    NavEntry("cases", _("行政处罚案件"), "cases:list", order=30),
    # Sealing, seizure and applications to the court (enforcement.coercion).
    NavEntry("coercion", _("行政强制"), "coercion:list", roles=frozenset(Role.values), order=34),
    # Inspections (issue 15): records, spot checks, joint visits, the directory, statistics; and the phone page.
    NavEntry("inspections", _("行政检查"), "inspections:records", roles=frozenset(Role.values), order=32),
    NavEntry("inspection-field", _("现场检查"), "inspections:field", roles=frozenset({
        Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER,
        Role.DEPARTMENT_STAFF, Role.DISPATCHER, Role.ADMINISTRATOR}), order=33),
    NavEntry("warnings", _("预警执法"), "warnings:list", order=34),
    # The one table of legal rules (issue 13): every staff role reads it.
    NavEntry("legal-rules", _("法定时限与规则"), "cases:legal-rules", roles=frozenset(Role.values), order=35),
    NavEntry("notifications", _("我的通知"), "notifications", order=90),
    NavEntry("grids", pgettext_lazy("menu", "网格"), "grid-list", roles=FIELD_ROLES, order=80),
    # The grid member's phone page (dispatch.views_field): report, and follow their own reports.
    NavEntry("grid-report", _("网格上报"), "dispatch:grid-report", roles=frozenset(), grid_members=True, order=25),
    NavEntry(
        "api-docs",
        _("接口文档"),
        "api-docs",
        roles=frozenset({Role.ADMINISTRATOR, Role.DISPATCHER}),
        order=900,
    ),
    NavEntry("admin", _("系统管理"), "admin:index", staff_only=True, order=1000),
]

# Links later issues fill in; skipped until their URL name exists.
PUBLIC_LINKS: list[PublicLink] = [
    PublicLink(
        key="catalogue",
        label=_("执法事项目录"),
        url_name="public-catalogue",
        description=_("本局及各乡镇（街道）依法实施的行政执法事项。"),
        icon="bi-journal-text",
        order=10,
    ),
    PublicLink(
        key="devolved",
        label=_("下放事项"),
        url_name="public-devolved",
        description=_("赋权乡镇（街道）实施的行政执法事项及生效日期。"),
        icon="bi-diagram-3",
        order=20,
    ),
    PublicLink(
        key="decisions",
        label=_("处罚决定公开"),
        url_name="public-decisions",
        description=_("依法公开的行政处罚决定信息。"),
        icon="bi-file-earmark-text",
        order=30,
    ),
    PublicLink(
        key="inspections",
        label=_("双随机抽查结果"),
        url_name="public-inspections",
        description=_("“双随机、一公开”抽查检查结果公示。"),
        icon="bi-clipboard-check",
        order=35,
    ),
    PublicLink(
        key="reports",
        label=_("年度报告"),
        url_name="public-annual-reports",
        description=_("年度行政执法数据公开报告。"),
        icon="bi-bar-chart",
        order=40,
    ),
    PublicLink(
        key="report",
        label=_("我要举报"),
        url_name="public-report-new",
        description=_("反映您发现的违法行为或城市管理问题。"),
        icon="bi-megaphone",
        order=50,
    ),
    PublicLink(
        key="track",
        label=_("举报查询"),
        url_name="public-report-track",
        description=_("凭受理编号查询办理进度和结果。"),
        icon="bi-search",
        order=60,
    ),
]


def register(entry: NavEntry) -> None:
    """Add (or replace, by key) an internal menu entry."""
    _replace(NAV_ENTRIES, entry)


def register_public(link: PublicLink) -> None:
    """Add (or replace, by key) a public landing-page link."""
    _replace(PUBLIC_LINKS, link)


def _replace(registry: list, item) -> None:
    registry[:] = [e for e in registry if e.key != item.key]
    registry.append(item)


def _reverse_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def is_postless_grid_member(user) -> bool:
    """A signed-in user who patrols a grid but holds no post (no role) in any agency.

    Only users without a role pay the query, and only once per user object.
    """
    if not user.is_authenticated or user.is_superuser or scope_for(user).roles:
        return False
    cached = getattr(user, "_bureau_postless_grid_member", None)
    if cached is None:
        cached = user.grids.exists()
        user._bureau_postless_grid_member = cached
    return cached


def nav_items_for(request) -> list[dict]:
    """The menu for this request's user: only entries their roles may use and that exist."""
    user = request.user
    if not user.is_authenticated:
        return []
    roles = scope_for(user).roles
    path = request.path
    items = []
    for entry in sorted(NAV_ENTRIES, key=lambda e: e.order):
        if not (entry.allows(user, roles) or (entry.grid_members and is_postless_grid_member(user))):
            continue
        url = _reverse_or_none(entry.url_name)
        if url is None:
            continue
        active = path == url or (entry.match_prefix and url != "/" and path.startswith(url))
        items.append({"key": entry.key, "label": entry.label, "url": url, "active": active,
                      "for_grid_members": entry.grid_members})
    return items


def public_links() -> list[dict]:
    """Public landing-page links whose pages exist."""
    return _resolved(PUBLIC_LINKS)


def _resolved(links: Iterable[PublicLink]) -> list[dict]:
    out = []
    for link in sorted(links, key=lambda e: e.order):
        url = _reverse_or_none(link.url_name)
        if url is not None:
            out.append(
                {"key": link.key, "label": link.label, "url": url, "description": link.description, "icon": link.icon}
            )
    return out
