"""``manage.py seed_demo``: build (or refresh) the demo county and print its key logins."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from enforcement import demo
from enforcement.models.agencies import Membership, Role


class Command(BaseCommand):
    help = "生成演示县域数据（可重复运行，结果相同）并重置演示账号密码。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password", default=demo.DEFAULT_PASSWORD, help=f"所有演示账号的密码（默认 {demo.DEFAULT_PASSWORD}）"
        )

    def handle(self, *args, password: str, **options) -> None:
        started = time.monotonic()
        # Apps register their steps in their own ``demo`` module (enforcement.demo docstring).
        autodiscover_modules("demo")
        # One transaction: a failing step leaves the database as it was, and
        # SQLite writes the whole county in one journal flush.
        with transaction.atomic():
            for step in demo.resolve_steps():
                step(self.stdout, password)
        self._print_logins(password)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(_("演示数据已就绪（%(seconds).1f 秒）。") % {"seconds": elapsed}))

    def _print_logins(self, password: str) -> None:
        User = get_user_model()
        usernames = [username for username, _role in demo.KEY_LOGINS]
        memberships = {
            (m.user.username, m.role): m
            for m in Membership.objects.filter(user__username__in=usernames).select_related("user", "agency")
        }
        rows = [(_("用户名"), _("角色"), _("机构"), _("密码"))]
        for username, role in demo.KEY_LOGINS:
            m = memberships.get((username, role))
            if m is not None:
                rows.append((username, str(Role(role).label), m.agency.name, password))
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        others = User.objects.filter(password=demo.demo_password_hash(password)).exclude(username__in=usernames)
        self.stdout.write(
            "\n"
            + _("另有 %(count)s 个演示账号（各乡镇执法人员、中队队员、网格员、部门人员等）使用同一密码，"
                "用户名见系统管理“用户”列表。") % {"count": others.count()}
        )


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
