"""Importing the object directory: GBK CSV and .xlsx, row errors with row/column/reason, nothing written on any."""

from __future__ import annotations

import io

import openpyxl
import pytest

from enforcement.inspections.importer import import_objects
from enforcement.inspections.models import InspectionObject
from tests.enforcement.inspections_support import insp_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
HEADER = [
    "对象类型",
    "名称",
    "统一社会信用代码/身份证号",
    "地址",
    "乡镇/街道",
    "检查事项",
    "风险等级",
    "信用等级",
    "需回避人员",
]


def _csv(rows, encoding="gbk") -> io.BytesIO:
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    data = io.BytesIO(text.encode(encoding))
    data.name = "objects.csv"
    return data


def _xlsx(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某县检查对象名录（2026）"])  # a title row above the header
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "objects.xlsx"
    return out


GOOD = [
    ["市场主体", "丙饭店", "91330100MA2H000011", "甲镇中山路8号", "甲镇", "JC-SC-001、JC-CG-001", "高", "C", "insp_a1"],
    ["持证个人", "李四", "330100199001011234", "甲镇东街1号", "甲镇", "JC-CG-001", "低", "A", ""],
]


def test_gbk_csv_imports_every_row(insp):
    before = InspectionObject.objects.count()
    report = import_objects(_csv(GOOD), by=insp.leader_a)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    assert InspectionObject.objects.count() == before + 2
    obj = InspectionObject.objects.get(identifier="91330100MA2H000011")
    assert obj.risk_level == "high" and obj.credit_level == "C" and obj.township == insp.county.town_a
    assert {m.code for m in obj.matters.all()} == {"JC-SC-001", "JC-CG-001"}
    assert list(obj.conflicted_officers.all()) == [insp.officers[0]]
    # Importing again updates by identifier, creating nothing.
    again = import_objects(_csv(GOOD), by=insp.leader_a)
    assert (again.created, again.updated) == (0, 2)


def test_xlsx_with_a_title_row_imports(insp):
    report = import_objects(_xlsx(GOOD), by=insp.leader_a)
    assert report.ok and report.created == 2


def test_bad_rows_are_reported_with_row_column_and_reason_and_nothing_is_written(insp):
    before = InspectionObject.objects.count()
    rows = [
        GOOD[0],
        ["市场主体", "坏代码商店", "123", "甲镇", "甲镇", "JC-CG-001", "低", "B", ""],
        ["外星人", "丁店", "91330100MA2H000022", "甲镇", "甲镇", "", "低", "B", ""],
        ["市场主体", "戊店", "91330100MA2H000033", "甲镇", "火星镇", "JC-XX-999", "极高", "E", ""],
    ]
    report = import_objects(_csv(rows), by=insp.leader_a)
    assert not report.ok
    messages = [str(e) for e in report.errors]
    # Row numbers as the spreadsheet shows them: the header is row 1.
    assert any(m.startswith("第 3 行【统一社会信用代码/身份证号】") and "格式不正确" in m for m in messages), messages
    assert any(m.startswith("第 4 行【对象类型】") for m in messages), messages
    assert any(m.startswith("第 5 行【乡镇/街道】") and "火星镇" in m for m in messages), messages
    assert any(m.startswith("第 5 行【检查事项】") and "JC-XX-999" in m for m in messages), messages
    assert any(m.startswith("第 5 行【风险等级】") for m in messages), messages
    assert any(m.startswith("第 5 行【信用等级】") for m in messages), messages
    assert InspectionObject.objects.count() == before


def test_township_staff_cannot_import_into_another_township(insp):
    rows = [["市场主体", "乙街道新店", "91330200MA2H000044", "乙街道", "乙街道", "", "低", "B", ""]]
    report = import_objects(_csv(rows), by=insp.leader_a)
    assert not report.ok and "乙街道" in str(report.errors[0])
    assert not InspectionObject.objects.filter(name="乙街道新店").exists()


def test_missing_required_column_is_reported(insp):
    data = io.BytesIO("名称,地址,统一社会信用代码\n某店,某地,91330100MA2H000011\n".encode("gbk"))
    data.name = "x.csv"
    report = import_objects(data, by=insp.leader_a)
    assert not report.ok and "对象类型" in str(report.errors[0])
