"""Importing the matter catalogue from messy spreadsheets: all or nothing, idempotent."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from enforcement.catalogue.importer import import_catalogue, parse_tiers
from enforcement.models import Agency, AgencyKind, DiscretionTier, Domain, GrantMode, Matter, MatterStatus, PowerGrant
from tests.enforcement import catalogue_fixtures as fixtures
from tests.enforcement.catalogue_fixtures import (
    HEADER,
    TIERS_B,
    csv_bytes,
    row,
    sample_rows,
    snapshot,
    write,
    xlsx_bytes,
)
from tests.factories import UserFactory

refs, chinese = fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]


def history_count() -> int:
    return Matter.history.count() + DiscretionTier.history.count()


def test_xlsx_with_title_rows_creates_matters_tiers_and_initial_grants(refs):
    report = import_catalogue(xlsx_bytes(sample_rows(3), title_rows=2))

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.header_row == 3
    m = Matter.objects.get(code="CSGL-0001")
    assert m.name == "擅自在街道两侧和公共场地堆放物料"
    assert m.domain == refs.urban and m.origin_department == refs.housing
    assert m.in_guidance_catalogue and not m.first_offense_exempt
    tiers = list(m.tiers.order_by("order"))
    assert [t.level for t in tiers] == ["轻微", "一般"]
    assert tiers[0].penalty_kinds == ["warning"] and tiers[0].fine_min is None
    assert tiers[1].penalty_kinds == ["fine"] and (tiers[1].fine_min, tiers[1].fine_max) == (50, 200)
    multiple = Matter.objects.get(code="CSGL-0002").tiers.get()
    assert multiple.fine_unit == "multiple" and multiple.penalty_kinds == ["confiscate_gains", "fine"]
    land = Matter.objects.get(code="ZRZY-0001")
    assert land.supervising_department == refs.land_dept and land.safety_critical and land.tiers.count() == 0
    # 权力归属: 划转 -> the bureau, 保留 -> the origin department, county-wide.
    transferred = PowerGrant.objects.get(matter__code="CSGL-0001")
    assert (transferred.holder, transferred.mode, transferred.township) == (refs.county.bureau, "transferred", None)
    retained = PowerGrant.objects.get(matter__code="CSGL-0002")
    assert (retained.holder, retained.mode) == (refs.housing, GrantMode.RETAINED)
    assert not PowerGrant.objects.filter(matter__code="ZRZY-0001").exists()
    assert report.grants_created == 2


def test_two_row_merged_header_is_recognised(refs):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某县综合行政执法事项目录"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "事项编码", "事项名称", "职权类型", "所属领域", "实施主体", "实施依据", None])
    ws.append([None, None, None, None, None, None, "违法依据", "处罚依据"])
    for col in "ABCDEF":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("G2:H2")
    ws.append([1, "CSGL-0001", "乱倒垃圾", "处罚", "城市管理", "县住房和城乡建设局", "条例第十四条", "条例第三十四条"])
    buffer = io.BytesIO()
    wb.save(buffer)

    report = import_catalogue(buffer.getvalue())

    assert report.ok, report.errors
    assert report.header_row == 3
    m = Matter.objects.get(code="CSGL-0001")
    assert (m.violated_provision, m.penalty_provision, m.power_type) == ("条例第十四条", "条例第三十四条", "penalty")


def test_full_width_headers_codes_and_spaces_are_normalised(refs):
    header = ["序　号", "Ｍａｔｔｅｒ　ｃｏｄｅ", "事项名称（必填）", "ＴＹＰＥ", "领域", "划转部门", "首违不罚"]
    data = [["１", "ＣＳＧＬ－０００１", "\u3000擅自堆放物料\u3000", "行政处罚", "\u3000城市管理",
             "县住房和城乡建设局\u3000", "Ｙ"]]

    report = import_catalogue(xlsx_bytes(data, header=header))

    assert report.ok, report.errors
    m = Matter.objects.get(code="CSGL-0001")
    assert m.name == "擅自堆放物料" and m.first_offense_exempt is True


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_encodings_are_detected(refs, encoding):
    report = import_catalogue(csv_bytes(sample_rows(3), encoding=encoding))

    assert report.ok, report.errors
    assert Matter.objects.get(code="CSGL-0001").name == "擅自在街道两侧和公共场地堆放物料"
    assert Matter.objects.get(code="ZRZY-0001").domain == refs.land


def test_english_headers_and_value_synonyms(refs):
    header = ["Code", "Name", "Power type", "Domain", "Department", "Status", "Safety-critical", "Discretion"]
    data = [["X-1", "检查事项", "inspection", "ZRZY", "DEPT-NR", "suspended", "true",
             "一般|情节|warning、罚款|1,000|5千|"]]
    report = import_catalogue(xlsx_bytes(data, header=header))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "Discretion")]

    data[0][7] = "一般|情节|warning、罚款|1,000|0.5万元|"
    report = import_catalogue(xlsx_bytes(data, header=header))
    assert report.ok, report.errors
    m = Matter.objects.get(code="X-1")
    assert (m.power_type, m.status, m.safety_critical, m.origin_department) == (
        "inspection", "suspended", True, refs.land_dept)
    tier = m.tiers.get()
    assert (tier.penalty_kinds, tier.fine_min, tier.fine_max) == (["warning", "fine"], 1000, 5000)


def test_blank_rows_numbered_rows_and_footnotes_are_skipped(refs):
    rows = sample_rows(2)
    rows.insert(1, [""] * len(HEADER))
    rows.append(["3"] + [""] * (len(HEADER) - 1))
    rows.append(["注：本目录由县司法局审核。"] + [""] * (len(HEADER) - 1))
    rows.append(list(HEADER))  # the header repeated on a printed page
    report = import_catalogue(xlsx_bytes(rows))
    assert report.ok, report.errors
    assert report.created == 2 and report.rows == 2


def test_reimport_of_same_file_changes_nothing_and_writes_no_history(refs, tmp_path):
    data = xlsx_bytes(sample_rows(3), title_rows=1)
    import_catalogue(data)
    before, history, grants = snapshot(), history_count(), PowerGrant.objects.count()

    report = import_catalogue(data)

    assert report.ok
    assert (report.created, report.updated, report.unchanged, report.grants_created) == (0, 0, 3, 0)
    assert snapshot() == before
    assert history_count() == history
    assert PowerGrant.objects.count() == grants


def test_changed_rows_update_fields_and_tiers_with_history(refs):
    import_catalogue(xlsx_bytes(sample_rows(3)))
    admin = UserFactory(username="importer", is_superuser=True)
    rows = sample_rows(3)
    rows[0][HEADER.index("事项名称")] = "擅自堆放物料（修订）"
    rows[1][HEADER.index("裁量基准")] = TIERS_B + "\n较重|多次违法|罚款|500|1000|元"

    report = import_catalogue(xlsx_bytes(rows), by=admin)

    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    first = Matter.objects.get(code="CSGL-0001")
    latest = first.history.latest()
    assert first.name == "擅自堆放物料（修订）"
    assert latest.history_user == admin and "事项名称" in latest.history_change_reason
    second = Matter.objects.get(code="CSGL-0002")
    assert [t.level for t in second.tiers.order_by("order")] == ["严重", "较重"]
    assert "裁量基准" in second.history.latest().history_change_reason
    assert DiscretionTier.history.filter(matter_id=second.pk, history_type="+").count() == 2
    # The unchanged row got no new history row.
    assert Matter.objects.get(code="ZRZY-0001").history.count() == 1


def test_fewer_tiers_removes_extra_tiers_with_history(refs):
    import_catalogue(xlsx_bytes(sample_rows(1)))
    rows = sample_rows(1)
    rows[0][HEADER.index("裁量基准")] = "轻微|首次违法且及时改正，未造成危害后果|警告|||"
    report = import_catalogue(xlsx_bytes(rows))
    assert report.updated == 1
    m = Matter.objects.get(code="CSGL-0001")
    assert m.tiers.count() == 1
    assert DiscretionTier.history.filter(matter_id=m.pk, history_type="-").count() == 1


BAD_ROWS = [
    ("missing code", {"事项编码": ""}, "事项编码", "缺少事项编码"),
    ("missing name", {"事项名称": ""}, "事项名称", "缺少事项名称"),
    ("unknown power type", {"职权类型": "行政许可"}, "职权类型", "未知职权类型"),
    ("unknown department", {"实施主体": "县外星局"}, "实施主体", "未知部门"),
    ("unknown supervisor", {"监管部门": "县外星局"}, "监管部门", "未知部门"),
    ("unknown domain", {"所属领域": "太空管理"}, "所属领域", "未知领域"),
    ("duplicate code", {"事项编码": "CSGL-0001"}, "事项编码", "重复"),
    ("bad tier syntax", {"裁量基准": "一般 罚款 50 200"}, "裁量基准", "格式错误"),
    ("unknown penalty kind", {"裁量基准": "一般|情节|罚站|||"}, "裁量基准", "未知处罚种类"),
    ("fine range reversed", {"裁量基准": "一般|情节|罚款|500|50|元"}, "裁量基准", "大于上限"),
    ("bad fine number", {"裁量基准": "一般|情节|罚款|五十|200|元"}, "裁量基准", "不是数字"),
    ("bad unit", {"裁量基准": "一般|情节|罚款|50|200|美元"}, "裁量基准", "未知罚款单位"),
    ("bad flag", {"安全关键": "也许"}, "安全关键", "应为“是”或“否”"),
    ("bad status", {"状态": "作废中"}, "状态", "未知状态"),
    ("bad holder", {"权力归属": "赋权"}, "权力归属", "划转"),
]


@pytest.mark.parametrize(("case", "change", "column", "reason"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_row_leaves_the_catalogue_exactly_as_before(refs, case, change, column, reason):
    import_catalogue(xlsx_bytes(sample_rows(3), title_rows=1))
    before, history, grants = snapshot(), history_count(), PowerGrant.objects.count()
    rows = sample_rows(3)
    rows[0][HEADER.index("事项名称")] = "改了名字"  # a valid change that must not be written either
    rows.append(row("NEW-0001", "新事项", **{"权力归属": "划转", **change}))

    report = import_catalogue(xlsx_bytes(rows, title_rows=1))

    assert not report.ok
    assert any(e.row == 6 and e.column == column and reason in e.message for e in report.errors), report.errors
    assert snapshot() == before
    assert history_count() == history
    assert PowerGrant.objects.count() == grants
    assert not Matter.objects.filter(code="NEW-0001").exists()


def test_every_error_is_reported_with_row_and_column(refs):
    rows = [
        row("A-1", "", 职权类型="许可"),
        row("A-2", "好事项"),
        row("A-1", "重复", 所属领域="太空管理"),
    ]
    report = import_catalogue(xlsx_bytes(rows, title_rows=2))

    found = {(e.row, e.column) for e in report.errors}
    assert {(4, "事项名称"), (4, "职权类型"), (6, "事项编码"), (6, "所属领域")} <= found
    assert "第 4 行【事项名称】" in str(next(e for e in report.errors if e.row == 4))
    assert Matter.objects.count() == 0


def test_unknown_departments_and_domains_are_listed_separately(refs):
    rows = [row("A-1", "事项一", 实施主体="县外星局", 所属领域="太空管理"), row("A-2", "事项二", 实施主体="县外星局")]
    report = import_catalogue(xlsx_bytes(rows))
    assert report.missing_departments == ["县外星局"]
    assert report.missing_domains == ["太空管理"]
    assert Matter.objects.count() == 0 and not Agency.objects.filter(name="县外星局").exists()


def test_create_missing_creates_departments_and_domains(refs):
    rows = [row("A-1", "事项一", 实施主体="县外星局", 所属领域="太空管理", 权力归属="保留")]

    report = import_catalogue(xlsx_bytes(rows), create_missing=True)

    assert report.ok, report.errors
    dept = Agency.objects.get(name="县外星局")
    assert dept.kind == AgencyKind.DEPARTMENT and dept.code.startswith("DEPT-AUTO-")
    domain = Domain.objects.get(name="太空管理")
    m = Matter.objects.get(code="A-1")
    assert (m.origin_department, m.domain) == (dept, domain)
    assert PowerGrant.objects.get(matter=m).holder == dept
    assert report.created_departments == ["县外星局"] and report.created_domains == ["太空管理"]
    # A second run finds them and creates nothing more.
    again = import_catalogue(xlsx_bytes(rows), create_missing=True)
    assert again.unchanged == 1 and again.created_departments == []


def test_dry_run_reports_counts_and_writes_nothing(refs):
    report = import_catalogue(xlsx_bytes(sample_rows(3)), dry_run=True, create_missing=True)
    assert report.ok and report.created == 3 and report.grants_created == 2
    assert Matter.objects.count() == 0 and PowerGrant.objects.count() == 0
    assert Matter.history.count() == 0


def test_holder_column_adds_a_grant_only_when_the_matter_has_none(refs):
    import_catalogue(xlsx_bytes(sample_rows(3)))
    rows = sample_rows(3)
    rows[0][HEADER.index("权力归属")] = "保留"  # differs from the existing 划转 grant
    rows[2][HEADER.index("权力归属")] = "划转"  # ZRZY-0001 had none

    report = import_catalogue(xlsx_bytes(rows))

    assert report.grants_created == 1
    assert PowerGrant.objects.get(matter__code="CSGL-0001").mode == GrantMode.TRANSFERRED
    assert PowerGrant.objects.get(matter__code="ZRZY-0001").holder == refs.county.bureau


def test_repeal_by_import_ends_grants_and_cannot_be_undone_by_import(refs):
    import_catalogue(xlsx_bytes(sample_rows(1)))
    rows = sample_rows(1)
    rows[0][HEADER.index("状态")] = "废止"
    report = import_catalogue(xlsx_bytes(rows))
    assert report.updated == 1 and report.grants_ended == 1
    m = Matter.objects.get(code="CSGL-0001")
    assert m.status == MatterStatus.REPEALED and m.status_changed_on is not None
    assert PowerGrant.objects.get(matter=m).valid_to is not None

    rows[0][HEADER.index("状态")] = "在用"
    report = import_catalogue(xlsx_bytes(rows))
    assert not report.ok and report.errors[0].column == "状态"


def test_new_matters_need_the_required_columns(refs):
    import_catalogue(xlsx_bytes(sample_rows(1)))
    header = ["事项编码", "事项名称", "备注"]
    report = import_catalogue(xlsx_bytes([["CSGL-0001", "擅自在街道两侧和公共场地堆放物料", "新备注"],
                                          ["NEW-1", "新事项", ""]], header=header))
    assert not report.ok
    assert {e.column for e in report.errors if e.row == 3} == {"职权类型", "所属领域", "实施主体"}
    # Updating existing matters only needs the columns it changes.
    report = import_catalogue(xlsx_bytes([["CSGL-0001", "擅自在街道两侧和公共场地堆放物料", "新备注"]], header=header))
    assert report.ok and report.updated == 1
    assert Matter.objects.get(code="CSGL-0001").remarks == "新备注"


def test_sheet_option_and_first_sheet_with_a_header(refs):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本文件为事项目录"])
    ws = wb.create_sheet("目录")
    ws.append(HEADER)
    for r in sample_rows(2):
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    assert import_catalogue(buffer.getvalue(), dry_run=True).created == 2
    report = import_catalogue(buffer.getvalue(), sheet="不存在")
    assert not report.ok and "不存在" in report.errors[0].message


def test_no_header_found_is_a_clear_error(refs):
    report = import_catalogue(xlsx_bytes([["a", "b"]], header=["甲", "乙"]))
    assert not report.ok and "表头" in report.errors[0].message


def test_progress_callback_reports_rows(refs):
    calls = []
    import_catalogue(xlsx_bytes(sample_rows(3)), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)


def test_parse_tiers_accepts_semicolons_between_tiers_and_short_forms():
    specs, problems = parse_tiers("轻微|首次|警告；一般|再次|罚款|50|200|元；严重|多次|罚款、没收违法所得|1|5|倍")
    assert problems == []
    assert [s.level for s in specs] == ["轻微", "一般", "严重"]
    assert specs[2].fine_unit == "multiple"
    # "；" inside one tier's circumstances is kept.
    specs, problems = parse_tiers("一般|情节一；情节二|罚款|50|200|元")
    assert problems == [] and specs[0].circumstances == "情节一；情节二"


def test_import_command_refuses_bad_file_and_exits_nonzero(refs, tmp_path, capsys):
    path = write(tmp_path, "bad.xlsx", xlsx_bytes([row("A-1", "事项", 实施主体="县外星局")]))
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_matters", str(path))
    captured = capsys.readouterr()
    assert "第 2 行【实施主体】" in captured.err
    assert "县外星局" in captured.out
    assert Matter.objects.count() == 0


def test_import_command_dry_run_create_missing_and_success(refs, tmp_path):
    path = write(tmp_path, "ok.csv", csv_bytes(sample_rows(3), encoding="gbk"))
    out = io.StringIO()
    call_command("import_matters", str(path), "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and Matter.objects.count() == 0
    out = io.StringIO()
    call_command("import_matters", str(path), "--grants-from", "2025-01-01", stdout=out)
    assert "新增 3 条" in out.getvalue()
    assert PowerGrant.objects.filter(valid_from="2025-01-01").count() == 2
    out = io.StringIO()
    call_command("import_matters", str(path), stdout=out)
    assert "未变 3 条" in out.getvalue()


def test_import_command_prints_progress_for_large_files(refs, tmp_path):
    path = write(tmp_path, "big.csv", csv_bytes(sample_rows(600)))
    out = io.StringIO()
    call_command("import_matters", str(path), "--dry-run", stdout=out)
    assert "已校验 600 / 600 行" in out.getvalue()


def test_committed_messy_gbk_sample_imports_cleanly(refs):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / "catalogue_messy_gbk.csv"
    report = import_catalogue(path)

    assert report.ok, report.errors
    assert (report.header_row, report.created, report.rows) == (3, 3, 3)
    first = Matter.objects.get(code="CSGL-0001")
    assert first.name == "擅自在街道两侧和公共场地堆放物料"
    assert first.first_offense_exempt and first.in_guidance_catalogue and first.tiers.count() == 2
    second = Matter.objects.get(code="CSGL-0002")
    assert second.status == MatterStatus.IN_FORCE and second.remarks == "备注"
    third = Matter.objects.get(code="ZRZY-0001")
    assert (third.power_type, third.status, third.safety_critical) == ("inspection", MatterStatus.SUSPENDED, True)
    assert import_catalogue(path).unchanged == 3
