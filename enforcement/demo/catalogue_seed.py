"""Demo seed step: the enforcement-matter catalogue, imported through the real importer.

The demo spreadsheet (``catalogue.csv`` beside this module) goes through the
same :func:`~enforcement.catalogue.importer.import_catalogue` as any county's
file, so the demo also proves the import path. Re-running imports nothing new
(every row reports unchanged).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext as _

from enforcement.catalogue.importer import import_catalogue
from enforcement.catalogue.models import Domain

CATALOGUE_FILE = Path(__file__).with_name("catalogue.csv")
# Initial county-wide grants (权力归属 column) apply from this day, so that
# demo cases and tickets of the past two years find a holder.
GRANTS_FROM = dt.date(2024, 1, 1)

# The maintained domain table: (code, name) in display order.
DEFAULT_DOMAINS: list[tuple[str, str]] = [
    ("CSGL", "城市管理"),
    ("CXGH", "城乡规划"),
    ("ZRZY", "自然资源"),
    ("STHJ", "生态环境"),
    ("ZFJS", "住房建设"),
    ("SCJG", "市场监管"),
    ("JTYS", "交通运输"),
    ("WHLY", "文化旅游"),
    ("SL", "水利"),
    ("NYNC", "农业农村"),
    ("HYYY", "海洋渔业"),
    ("YJGL", "应急管理"),
    ("WSJK", "卫生健康"),
    ("XF", "消防"),
    ("LY", "林业"),
]


def ensure_domains() -> int:
    """Create the standard domains that are missing (by code or name); return how many."""
    existing = {value for pair in Domain.objects.values_list("code", "name") for value in pair}
    new = [
        Domain(code=code, name=name, sort_order=n)
        for n, (code, name) in enumerate(DEFAULT_DOMAINS, start=1)
        if code not in existing and name not in existing
    ]
    Domain.objects.bulk_create(new)
    return len(new)


def seed_catalogue(stdout, password: str) -> None:
    ensure_domains()
    if not CATALOGUE_FILE.exists():
        stdout.write(_("未找到演示事项目录 %(file)s，跳过。") % {"file": CATALOGUE_FILE.name})
        return
    report = import_catalogue(
        CATALOGUE_FILE, create_missing=True, grants_from=GRANTS_FROM, source_name=_("演示事项目录")
    )
    if not report.ok:
        lines = [str(e) for e in report.errors[:30]]
        raise RuntimeError(_("演示事项目录导入失败：") + "\n" + "\n".join(lines))
    stdout.write(_("事项目录：%(summary)s") % {"summary": report.summary()})
