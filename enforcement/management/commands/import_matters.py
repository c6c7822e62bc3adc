"""``manage.py import_matters FILE``: import the matter catalogue from .xlsx or .csv.

All or nothing: with any error nothing is written and the command exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enforcement.catalogue.importer import import_catalogue


class Command(BaseCommand):
    help = "从 Excel（.xlsx）或 CSV 文件导入执法事项目录（全部校验通过才写入）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="目录文件（.xlsx 或 .csv，UTF-8 或 GBK 编码）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告结果，不写入")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个含表头的工作表）")
        parser.add_argument("--create-missing", action="store_true", help="自动新建文件中未知的部门和领域")
        parser.add_argument(
            "--grants-from", type=dt.date.fromisoformat, help="“权力归属”初始授权的生效日期（YYYY-MM-DD，默认今天）"
        )
        parser.add_argument("--user", help="记入修改历史的操作人用户名（默认：系统）")

    def handle(self, *args, file: str, dry_run: bool, sheet: str | None, create_missing: bool,
               grants_from: dt.date | None, user: str | None, **options) -> None:
        by = None
        if user:
            try:
                by = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("用户“%(user)s”不存在") % {"user": user}) from None
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            # One line every couple of seconds on large files; nothing on small ones.
            now = time.monotonic()
            if total >= 500 and (now - last[0] >= 2 or done == total):
                last[0] = now
                self.stdout.write(_("已校验 %(done)s / %(total)s 行") % {"done": done, "total": total})

        report = import_catalogue(
            file, sheet=sheet, dry_run=dry_run, create_missing=create_missing, by=by,
            progress=progress, grants_from=grants_from,
        )
        verbosity = options.get("verbosity", 1)
        if report.header_row and verbosity > 1:
            self.stdout.write(_("表头位于第 %(row)s 行（工作表：%(sheet)s）") % {
                "row": report.header_row, "sheet": report.sheet or "-"})
        if report.ignored_columns:
            self.stdout.write(_("已忽略无法识别的列：%(cols)s") % {"cols": "、".join(report.ignored_columns)})
        if report.missing_departments:
            label = _("已新建的部门") if report.created_departments else _("系统中没有的部门")
            self.stdout.write(f"{label}：" + "、".join(report.missing_departments))
        if report.missing_domains:
            label = _("已新建的领域") if report.created_domains else _("系统中没有的领域")
            self.stdout.write(f"{label}：" + "、".join(report.missing_domains))
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            hint = ""
            if (report.missing_departments or report.missing_domains) and not create_missing:
                hint = _("（可先在系统管理中新建上述部门和领域，或使用 --create-missing 自动新建）")
            raise CommandError(
                _("发现 %(n)s 处错误，未导入任何数据。") % {"n": len(report.errors)} + hint
            )
        elapsed = time.monotonic() - started
        prefix = _("【试运行，未写入】") if dry_run else ""
        self.stdout.write(self.style.SUCCESS(
            prefix + _("导入完成：%(summary)s（共 %(rows)s 行，%(seconds).1f 秒）。") % {
                "summary": report.summary(), "rows": report.rows, "seconds": elapsed}
        ))
