"""Exporting the catalogue: the import format, read back unchanged."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from enforcement.catalogue.importer import EXPORT_HEADERS, export_matters, import_catalogue
from enforcement.catalogue.powers import grant_power
from enforcement.catalogue.services import TierSpec, matter_create, matter_repeal, matter_set_status
from enforcement.models import DiscretionTier, GrantMode, Matter, MatterStatus, PowerType
from tests.enforcement import catalogue_fixtures as fixtures
from tests.enforcement.catalogue_fixtures import sample_rows, snapshot, xlsx_bytes

matter, refs, chinese = fixtures.matter, fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]
D = dt.date


def read(data: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_export_uses_the_contract_headers_in_order(matter):
    rows = read(export_matters(Matter.objects.all()))
    assert rows[0] == (
        "序号", "事项编码", "事项名称", "职权类型", "所属领域", "实施主体", "监管部门", "权力归属", "违法依据",
        "处罚依据", "裁量基准", "首违不罚", "安全关键", "纳入指导目录", "状态", "备注",
    )
    assert tuple(EXPORT_HEADERS) == rows[0]
    assert rows[1][:5] == ("1", "CSGL-0100", "占道经营", "行政处罚", "城市管理")
    assert rows[1][10] == "轻微|首次|警告|||\n一般|限期未改|罚款|50|200|元\n严重|违法所得较大|没收违法所得、罚款|1|3|倍"


def test_export_then_reimport_reports_everything_unchanged(refs):
    import_catalogue(xlsx_bytes(sample_rows(3), title_rows=2))
    odd = matter_create(
        code="ODD-1", name="=SUM(A1)", power_type=PowerType.COERCIVE_MEASURE, domain=refs.land,
        origin_department=refs.land_dept, supervising_department=refs.housing, by=None,
        violated_provision="第一条\n第二条", remarks="内部备注", first_offense_exempt=True,
        tiers=[TierSpec("一般", "情节；含分号", ("warning", "circulated_criticism")),
               TierSpec("严重", "", ("fine",), Decimal("0.5"), Decimal("12.25"))],
    )
    grant_power(odd, refs.housing, GrantMode.RETAINED, valid_from=D(2024, 1, 1))
    suspended = matter_create(code="SUS-1", name="暂停事项", power_type=PowerType.OTHER, domain=refs.urban,
                              origin_department=refs.housing, by=None)
    matter_set_status(suspended, status=MatterStatus.SUSPENDED, on=D(2026, 1, 1), by=None)
    matter_repeal(Matter.objects.get(code="CSGL-0002"), on=D(2026, 1, 1), by=None)
    before = snapshot()
    history = Matter.history.count() + DiscretionTier.history.count()

    data = export_matters(Matter.objects.all())
    report = import_catalogue(data)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged, report.grants_created) == (0, 0, 5, 0)
    assert snapshot() == before
    assert Matter.history.count() + DiscretionTier.history.count() == history
    exported = {r[1]: r for r in read(data)[1:]}
    assert exported["ODD-1"][2] == "=SUM(A1)"  # text, not a formula
    assert exported["ODD-1"][7] == "保留" and exported["CSGL-0001"][7] == "划转"
    assert exported["CSGL-0002"][14] == "废止"


def test_export_of_empty_catalogue_and_into_another_database_state(refs):
    assert read(export_matters(Matter.objects.none())) == [tuple(EXPORT_HEADERS)]


def test_export_command_applies_filters(refs, tmp_path):
    import_catalogue(xlsx_bytes(sample_rows(3)))
    path = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command("export_matters", str(path), "--domain", "ZRZY", stdout=out)
    rows = read(path.read_bytes())
    assert [r[1] for r in rows[1:]] == ["ZRZY-0001"]
    assert "已导出 1 个事项" in out.getvalue()
    # The file goes back in unchanged.
    assert import_catalogue(path).unchanged == 1
