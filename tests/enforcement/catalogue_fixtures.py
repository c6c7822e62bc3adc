"""Shared fixtures and spreadsheet builders for the catalogue tests (imported by test_catalogue_*.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from enforcement.catalogue.services import TierSpec, matter_create
from enforcement.models import AgencyKind, Domain, Matter, PowerType
from tests.factories import AgencyFactory

HEADER = [
    "序号", "事项编码", "事项名称", "职权类型", "所属领域", "实施主体", "监管部门", "权力归属",
    "违法依据", "处罚依据", "裁量基准", "首违不罚", "安全关键", "纳入指导目录", "状态", "备注",
]

TIERS_A = "轻微|首次违法且及时改正，未造成危害后果|警告|||\n一般|在责令限期内未改正的|罚款|50|200|元"
TIERS_B = "严重|违法所得较大的|没收违法所得、罚款|1|3|倍"


def row(code: str, name: str, **over) -> list[str]:
    """One data row in the export column order."""
    values = {
        "序号": "", "事项编码": code, "事项名称": name, "职权类型": "行政处罚", "所属领域": "城市管理",
        "实施主体": "县住房和城乡建设局", "监管部门": "", "权力归属": "",
        "违法依据": "《城市市容和环境卫生管理条例》第十四条",
        "处罚依据": "《城市市容和环境卫生管理条例》第三十四条第（一）项", "裁量基准": TIERS_A, "首违不罚": "否",
        "安全关键": "否", "纳入指导目录": "是", "状态": "在用", "备注": "",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def sample_rows(n: int = 3) -> list[list[str]]:
    rows = [
        row("CSGL-0001", "擅自在街道两侧和公共场地堆放物料", 序号="1", 权力归属="划转"),
        row("CSGL-0002", "未按规定倾倒生活垃圾", 序号="2", 裁量基准=TIERS_B, 首违不罚="是", 权力归属="保留"),
        row("ZRZY-0001", "未经批准非法占用土地建住宅", 序号="3", 所属领域="自然资源", 实施主体="县自然资源局",
            监管部门="县自然资源局", 安全关键="是", 裁量基准=""),
    ]
    for i in range(4, n + 1):
        rows.append(row(f"GEN-{i:04d}", f"生成事项{i}", 序号=str(i)))
    return rows[:n]


def xlsx_bytes(rows: list[list], *, header=HEADER, title_rows: int = 0, sheet_title: str = "事项目录") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for i in range(title_rows):
        ws.append(["某某县综合行政执法事项目录（2026 年版）" if i == 0 else "填报单位：县综合行政执法局"])
        ws.merge_cells(start_row=i + 1, start_column=1, end_row=i + 1, end_column=len(header))
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, header=HEADER, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def snapshot() -> list[tuple]:
    """Every matter with its fields and tiers: equal snapshots = catalogue unchanged."""
    out = []
    for m in Matter.objects.order_by("code").prefetch_related("tiers"):
        fields = tuple(getattr(m, f.attname) for f in Matter._meta.concrete_fields if f.name != "updated_at")
        out.append((fields, tuple(TierSpec.from_tier(t) for t in m.tiers.order_by("order"))))
    return out


@pytest.fixture
def refs(county):
    """Domains and departments the sample rows name."""
    housing = AgencyFactory(code="DEPT-ZJ", name="县住房和城乡建设局", kind=AgencyKind.DEPARTMENT)
    urban = Domain.objects.create(code="CSGL", name="城市管理", sort_order=1)
    land = Domain.objects.create(code="ZRZY", name="自然资源", sort_order=2)
    return SimpleNamespace(housing=housing, urban=urban, land=land, land_dept=county.department, county=county)


@pytest.fixture
def matter(refs):
    return matter_create(
        code="CSGL-0100", name="占道经营", power_type=PowerType.PENALTY, domain=refs.urban,
        origin_department=refs.housing, by=None,
        tiers=[
            TierSpec("轻微", "首次", ("warning",)),
            TierSpec("一般", "限期未改", ("fine",), Decimal("50"), Decimal("200")),
            TierSpec("严重", "违法所得较大", ("confiscate_gains", "fine"), Decimal("1"), Decimal("3"), "multiple"),
        ],
    )


D = dt.date


@pytest.fixture
def chinese():
    """Messages are asserted in Chinese whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
