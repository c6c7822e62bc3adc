"""``manage.py export_matters FILE``: export the matter catalogue as .xlsx (the import format)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enforcement.catalogue.importer import export_matters
from enforcement.catalogue.selectors import matter_search
from enforcement.errors import ValidationFailed


class Command(BaseCommand):
    help = "把执法事项目录导出为 Excel（.xlsx），列与导入格式相同，可原样导回。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="输出文件（.xlsx）")
        parser.add_argument("--domain", help="领域编码")
        parser.add_argument("--power-type", dest="power_type", help="职权类型（penalty、inspection ...）")
        parser.add_argument("--origin-department", dest="origin_department", help="实施主体机构代码")
        parser.add_argument("--status", help="状态（in_force、suspended、repealed）")
        parser.add_argument("--q", default="", help="按编码、名称、依据检索")
        parser.add_argument("--on", type=dt.date.fromisoformat, help="“权力归属”按哪一天（默认今天）")

    def handle(self, *args, file: str, q: str, on: dt.date | None, **options) -> None:
        params = {k: options.get(k) for k in ("domain", "power_type", "origin_department", "status")}
        try:
            matters = matter_search(q=q, filters=params)
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from None
        count = matters.count()
        Path(file).write_bytes(export_matters(matters, on=on))
        self.stdout.write(self.style.SUCCESS(_("已导出 %(n)s 个事项到 %(file)s") % {"n": count, "file": file}))
