"""``manage.py seed_demo``: build (or refresh) the demo county and print its key logins."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from enforcement import demo
from enforcement.demo import county
from enforcement.models.agencies import Membership, Role
from enforcement.models.grids import Grid

# Messages the demo's events queue (notifications by e-mail) are kept in memory, not sent or
# printed: the console backend of a development server would flood the seeding output.
SEEDING_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@contextmanager
def _email_kept_in_memory():
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = SEEDING_EMAIL_BACKEND
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = previous


class Command(BaseCommand):
    help = "生成演示县域数据（可重复运行，结果相同）并重置演示账号密码。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password", default=demo.DEFAULT_PASSWORD, help=f"所有演示账号的密码（默认 {demo.DEFAULT_PASSWORD}）"
        )
        parser.add_argument("--logins-file", help="另将演示账号表（仅此表）写入该文件，如 var/demo-logins.txt")

    def handle(self, *args, password: str, logins_file: str | None = None, **options) -> None:
        started = time.monotonic()
        # Apps register their steps in their own ``demo`` module (enforcement.demo docstring).
        autodiscover_modules("demo")
        # One transaction: a failing step leaves the database as it was, and
        # SQLite writes the whole county in one journal flush.
        with _email_kept_in_memory():
            with transaction.atomic():
                for step in demo.resolve_steps():
                    step(self.stdout, password)
        table = self._logins_table(password)
        self.stdout.write("")
        self.stdout.write(table)
        if logins_file:
            path = Path(logins_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(table + "\n", encoding="utf-8")
        self.stdout.write("\n" + self._others_note(password))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(_("演示数据已就绪（%(seconds).1f 秒）。") % {"seconds": elapsed}))

    def _login_rows(self, password: str) -> list[tuple[str, str, str, str]]:
        """One row per role (demo.KEY_LOGINS), then the grid member, who holds no post."""
        usernames = [username for username, _role in demo.KEY_LOGINS]
        memberships = {
            (m.user.username, m.role): m
            for m in Membership.objects.filter(user__username__in=usernames).select_related("user", "agency")
        }
        rows = []
        for username, role in demo.KEY_LOGINS:
            m = memberships.get((username, role))
            if m is not None:
                rows.append((username, str(Role(role).label), m.agency.name, password))
        grid = (Grid.objects.filter(member__username=county.GRID_MEMBER_LOGIN).select_related("township")
                .order_by("code").first())
        if grid is not None:
            rows.append((county.GRID_MEMBER_LOGIN, _("网格员"), grid.township.name, password))
        return rows

    def _logins_table(self, password: str) -> str:
        rows = [(_("用户名"), _("角色"), _("机构"), _("密码")), *self._login_rows(password)]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        lines = []
        for n, row in enumerate(rows):
            lines.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _others_note(self, password: str) -> str:
        listed = [username for username, _role in demo.KEY_LOGINS] + [county.GRID_MEMBER_LOGIN]
        others = get_user_model().objects.filter(password=demo.demo_password_hash(password)).exclude(
            username__in=listed)
        return _("另有 %(count)s 个演示账号（各乡镇执法人员、中队队员、网格员、部门人员等）使用同一密码，"
                 "用户名见系统管理“用户”列表。") % {"count": others.count()}


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
