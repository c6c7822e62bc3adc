"""``manage.py reconcile_ticket_counts``: rebuild the board's summary of open tickets and report any drift."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dispatch import summary


class Command(BaseCommand):
    help = "按工单重新统计指挥中心看板的未结工单计数，并报告与原计数不一致之处。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--compact", action="store_true", help="只合并计数行，不重新统计")
        parser.add_argument("--fail-on-drift", action="store_true", help="发现不一致时以非零状态退出（重建照常完成）")

    def handle(self, *args, compact: bool = False, fail_on_drift: bool = False, **options) -> None:
        if compact:
            done = summary.compact()
            self.stdout.write(_("计数行：合并前 %(before)s 行，合并后 %(after)s 行。")
                              % {"before": done["rows_before"], "after": done["rows_after"]})
            return
        drifts = summary.reconcile()
        for d in drifts:
            township, agency, status, level = d.key
            self.stdout.write(_("不一致：乡镇 %(township)s，承办单位 %(agency)s，%(status)s，%(level)s："
                                "计数 %(summary)s，实际 %(tickets)s")
                              % {"township": township, "agency": agency, "status": status, "level": level,
                                 "summary": d.summary, "tickets": d.tickets})
        if drifts:
            message = _("看板计数有 %(n)s 处不一致，已按工单重建。") % {"n": len(drifts)}
            if fail_on_drift:
                raise CommandError(message)
            self.stdout.write(self.style.WARNING(message))
        else:
            self.stdout.write(self.style.SUCCESS(_("看板计数与工单一致。")))
