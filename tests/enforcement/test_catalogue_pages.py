"""The catalogue's HTML pages: staff list, matter page, export, web import, public pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enforcement.catalogue import jobs as catalogue_jobs
from enforcement.catalogue.importer import import_catalogue
from enforcement.catalogue.powers import grant_power
from enforcement.catalogue.services import TierSpec, matter_create, matter_set_status, matter_update
from enforcement.models import GrantMode, GrantSource, Matter, MatterStatus, PowerType
from tests.enforcement.catalogue_fixtures import refs, row, snapshot, xlsx_bytes  # noqa: F401

pytestmark = pytest.mark.django_db

D = dt.date
REMARK = "内部备注：待法制科核实"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def catalogue(refs, administrator):  # noqa: F811
    """Three matters: one transferred and devolved to township A, one safety-critical, one suspended."""
    county = refs.county
    piling = matter_create(
        code="CSGL-0001", name="擅自在街道两侧和公共场地堆放物料", power_type=PowerType.PENALTY,
        domain=refs.urban, origin_department=refs.housing, by=None,
        violated_provision="《城市市容和环境卫生管理条例》第十四条",
        penalty_provision="《城市市容和环境卫生管理条例》第三十四条第（一）项",
        in_guidance_catalogue=True, remarks=REMARK,
        tiers=[
            TierSpec("轻微", "首次违法且及时改正", ("warning",)),
            TierSpec("一般", "在责令限期内未改正的", ("fine",), Decimal("50"), Decimal("200")),
            TierSpec("严重", "违法所得较大的", ("confiscate_gains", "fine"), Decimal("1"), Decimal("3"), "multiple"),
        ],
    )
    matter_create(
        code="ZRZY-0001", name="未经批准非法占用土地建住宅", power_type=PowerType.PENALTY,
        domain=refs.land, origin_department=county.department, by=None, safety_critical=True,
        violated_provision="《中华人民共和国土地管理法》第七十八条",
    )
    garbage = matter_create(
        code="CSGL-0002", name="未按规定倾倒生活垃圾", power_type=PowerType.INSPECTION,
        domain=refs.urban, origin_department=refs.housing, by=None, first_offense_exempt=True,
        violated_provision="《城市生活垃圾管理办法》第十六条",
    )
    matter_set_status(garbage, status=MatterStatus.SUSPENDED, on=D(2025, 6, 1), by=None)
    grant_power(piling, county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1), by=administrator)
    grant_power(
        piling, county.town_a, GrantMode.DEVOLVED, township=county.town_a, valid_from=D(2025, 1, 1),
        source_kind=GrantSource.BATCH, source_ref="2025-1", by=administrator,
    )
    return refs


def codes_in(html: str) -> set[str]:
    return set(re.findall(r'href="/(?:public/)?catalogue/([A-Z]+-\d+)/"', html))


# --- access --------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_staff_catalogue(client, catalogue):
    for path in ("/catalogue/", "/catalogue/CSGL-0001/", "/catalogue/export/", "/catalogue/import/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login")), path


def test_catalogue_is_in_the_menu_of_every_signed_in_user(client_for, officer_a, catalogue):
    html = client_for(officer_a).get(reverse("home")).content.decode()
    assert 'href="/catalogue/"' in html
    assert "执法事项目录" in html


def test_public_index_links_to_public_catalogue(client, county):
    html = client.get(reverse("public-index")).content.decode()
    assert f'href="{reverse("public-catalogue")}"' in html


# --- list ----------------------------------------------------------------------------


def test_list_shows_matters_with_type_domain_department_status_and_flags(client_for, officer_a, catalogue):
    html = client_for(officer_a).get(reverse("catalogue-list")).content.decode()
    assert codes_in(html) == {"CSGL-0001", "CSGL-0002", "ZRZY-0001"}
    for text in ("擅自在街道两侧和公共场地堆放物料", "行政检查", "自然资源", "县住房和城乡建设局",
                 "暂停", "首违不罚", "安全关键", "纳入指导目录"):
        assert text in html
    # Plain officers may export, but importing is for catalogue administrators.
    assert reverse("catalogue-export") in html
    assert reverse("catalogue-import") not in html


def test_list_search_by_chinese_name_substring(client_for, officer_a, catalogue):
    html = client_for(officer_a).get(reverse("catalogue-list"), {"q": "倾倒"}).content.decode()
    assert codes_in(html) == {"CSGL-0002"}


def test_list_search_by_legal_basis_text(client_for, officer_a, catalogue):
    client = client_for(officer_a)
    assert codes_in(client.get(reverse("catalogue-list"), {"q": "土地管理法"}).content.decode()) == {"ZRZY-0001"}
    html = client.get(reverse("catalogue-list"), {"q": "第三十四条第（一）项"}).content.decode()
    assert codes_in(html) == {"CSGL-0001"}


def test_list_search_by_code(client_for, officer_a, catalogue):
    html = client_for(officer_a).get(reverse("catalogue-list"), {"q": "zrzy-0001"}).content.decode()
    assert codes_in(html) == {"ZRZY-0001"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"domain": "ZRZY"}, {"ZRZY-0001"}),
        ({"power_type": "inspection"}, {"CSGL-0002"}),
        ({"origin_department": "DEPT-ZJ"}, {"CSGL-0001", "CSGL-0002"}),
        ({"status": "suspended"}, {"CSGL-0002"}),
        ({"status": "in_force"}, {"CSGL-0001", "ZRZY-0001"}),
        ({"flags": "safety_critical"}, {"ZRZY-0001"}),
        ({"flags": ["first_offense_exempt", "in_guidance_catalogue"]}, set()),
        ({"flags": "in_guidance_catalogue", "domain": "CSGL"}, {"CSGL-0001"}),
    ],
)
def test_list_filters(client_for, officer_a, catalogue, params, expected):
    html = client_for(officer_a).get(reverse("catalogue-list"), params).content.decode()
    assert codes_in(html) == expected


def test_list_ignores_unknown_filter_values(client_for, officer_a, catalogue):
    response = client_for(officer_a).get(reverse("catalogue-list"), {"status": "nonsense", "domain": "NOPE"})
    assert response.status_code == 200
    assert codes_in(response.content.decode()) == {"CSGL-0001", "CSGL-0002", "ZRZY-0001"}


def _make_matters(refs, start: int, count: int) -> None:  # noqa: F811
    for i in range(start, start + count):
        matter_create(
            code=f"GEN-{i:04d}", name=f"生成事项{i}", power_type=PowerType.PENALTY, domain=refs.urban,
            origin_department=refs.housing, by=None, first_offense_exempt=bool(i % 2),
        )


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["catalogue-list", "public-catalogue"])
def test_list_runs_the_same_number_of_queries_for_5_and_60_matters(
    client_for, officer_a, refs, url_name, django_assert_max_num_queries  # noqa: F811
):
    client = client_for(officer_a)
    url = reverse(url_name)
    _make_matters(refs, 1, 5)
    few = _count_queries(client, url)
    _make_matters(refs, 6, 55)
    many = _count_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(15):
        html = client.get(url).content.decode()
    assert len(codes_in(html)) == 50  # page size


def test_list_paginates_by_50(client_for, officer_a, refs):  # noqa: F811
    _make_matters(refs, 1, 60)
    html = client_for(officer_a).get(reverse("catalogue-list"), {"page": 2}).content.decode()
    assert codes_in(html) == {f"GEN-{i:04d}" for i in range(51, 61)}


# --- export --------------------------------------------------------------------------


def test_export_button_returns_filtered_xlsx_that_reimports_unchanged(client_for, officer_a, catalogue):
    list_html = client_for(officer_a).get(reverse("catalogue-list"), {"domain": "CSGL"}).content.decode()
    # The export link carries the list's filters.
    assert f'{reverse("catalogue-export")}?domain=CSGL' in list_html
    response = client_for(officer_a).get(reverse("catalogue-export"), {"domain": "CSGL"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "事项编码", "事项名称")
    assert sorted(r[1] for r in rows[1:]) == ["CSGL-0001", "CSGL-0002"]

    before = snapshot()
    report = import_catalogue(content, by=None)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert snapshot() == before


# --- matter page ---------------------------------------------------------------------


def test_matter_page_shows_fields_tiers_holders_grants_and_history(
    client_for, officer_a, administrator, catalogue, django_assert_max_num_queries
):
    matter = Matter.objects.get(code="CSGL-0001")
    matter_update(matter, by=administrator, name="擅自在街道两侧堆放物料", reason="依新条例调整名称")
    client = client_for(officer_a)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("catalogue-detail", args=["CSGL-0001"]))
    html = response.content.decode()
    # Fields and legal basis.
    assert "擅自在街道两侧堆放物料" in html
    assert "《城市市容和环境卫生管理条例》第三十四条第（一）项" in html
    assert REMARK in html  # staff see remarks
    # Discretion tiers, with fines in yuan and as multiples.
    tiers = html[html.index('class="table table-sm table-bordered'):]
    expected = ("轻微", "首次违法且及时改正", "警告", "一般", "50", "200", "元",
                "严重", "违法所得的", "倍", "没收违法所得")
    for text in expected:
        assert text in tiers
    # Holders today: county-wide transferred to the bureau, township A devolved, B falls back to the bureau.
    holders = html[html.index('class="table table-sm align-middle mb-0 holders-table"'):]
    holders = holders[: holders.index("</table>")]
    assert re.search(r"甲镇</th>\s*<td[^>]*>\s*甲镇", holders)
    assert re.search(r"乙街道</th>\s*<td[^>]*>\s*测试县综合行政执法局", holders)
    assert "赋权乡镇" in holders
    assert "测试县综合行政执法局" in html[html.index("全县"):]
    # Grant history and change history with who, when and the readable diff.
    assert "赋权批次 2025-1" in html
    history = html[html.index('class="list-unstyled mb-0 change-history"'):]
    assert "bureau_admin" in history or administrator.first_name in history
    assert "依新条例调整名称" in history
    assert "<del" in history and "擅自在街道两侧和公共场地堆放物料" in history
    assert "<ins" in history and "擅自在街道两侧堆放物料" in history


def test_matter_page_queries_do_not_grow_with_townships_and_history(client_for, officer_a, administrator, catalogue):
    from tests.factories import TownshipFactory

    client = client_for(officer_a)
    url = reverse("catalogue-detail", args=["CSGL-0001"])
    before = _count_queries(client, url)
    for i in range(6):
        TownshipFactory(code=f"T{i}")
    matter = Matter.objects.get(code="CSGL-0001")
    for i in range(4):
        matter_update(matter, by=administrator, remarks=f"第{i}次修改")
    assert _count_queries(client, url) == before


def test_matter_page_of_unknown_code_is_404(client_for, officer_a, catalogue):
    assert client_for(officer_a).get(reverse("catalogue-detail", args=["NOPE-1"])).status_code == 404


# --- import --------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "目录.xlsx", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("catalogue-import"), {"file": SimpleUploadedFile(name, data), **extra})


def test_non_administrator_is_refused_the_import_pages(client_for, officer_a, department_staff, catalogue):
    for user in (officer_a, department_staff):
        client = client_for(user)
        response = client.get(reverse("catalogue-import"))
        assert response.status_code == 403
        assert "只有事项目录管理员可以导入事项目录" in response.content.decode()
        assert _upload(client, xlsx_bytes([row("NEW-0001", "新事项")])).status_code == 403
        assert client.post(reverse("catalogue-import-confirm"), {"token": "0" * 32}).status_code == 403
        assert client.get(reverse("catalogue-import-job", args=["0" * 32])).status_code == 403
    assert not Matter.objects.filter(code="NEW-0001").exists()


def test_administrator_sees_import_button_and_form(client_for, administrator, catalogue):
    client = client_for(administrator)
    assert reverse("catalogue-import") in client.get(reverse("catalogue-list")).content.decode()
    html = client.get(reverse("catalogue-import")).content.decode()
    assert 'type="file"' in html and 'name="sheet"' in html and 'name="create_missing"' in html


def test_role_administrator_without_superuser_may_import(client_for, county, catalogue):
    from enforcement.models import Role
    from tests.factories import member

    admin = member(Role.ADMINISTRATOR, county.bureau, "plain_admin")
    assert client_for(admin).get(reverse("catalogue-import")).status_code == 200


def test_import_preview_lists_row_errors_with_row_and_column_and_writes_nothing(
    client_for, administrator, catalogue, media_root
):
    before = snapshot()
    data = xlsx_bytes(
        [
            row("NEW-0001", "新增的好事项"),
            row("NEW-0002", "职权类型错误的事项", 职权类型="行政许可"),
            row("NEW-0003", "未知部门的事项", 实施主体="县不存在局", 首违不罚="也许"),
        ],
        title_rows=1,
    )
    response = _upload(client_for(administrator), data)
    assert response.status_code == 200
    html = response.content.decode()
    errors = html[html.index('class="table table-sm table-striped align-middle import-errors"'):]
    # Title row is row 1, header row 2, data from row 3.
    assert re.search(r"第 4 行</td>\s*<td[^>]*>职权类型</td>\s*<td>未知职权类型“行政许可”", errors)
    assert re.search(r"第 5 行</td>\s*<td[^>]*>实施主体</td>\s*<td>未知部门“县不存在局”", errors)
    assert re.search(r"第 5 行</td>\s*<td[^>]*>首违不罚</td>", errors)
    assert "县不存在局" in html[html.index("系统中没有以下部门或领域"):]
    assert "确认导入" not in html
    assert snapshot() == before
    assert not Matter.objects.filter(code="NEW-0001").exists()
    # A file with errors is not kept for a confirm.
    assert not any((media_root / "imports").glob("*"))


def test_import_preview_then_confirm_imports_and_shows_the_result(
    client_for, administrator, catalogue, media_root, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    data = xlsx_bytes(
        [
            row("CSGL-0001", "擅自在街道两侧和公共场地堆放物料（修订）"),
            row("NEW-0001", "在城市道路上晾晒农作物", 权力归属="划转", 违法依据="《城市道路管理条例》第二十七条"),
            row("NEW-0002", "新领域的事项", 所属领域="文化旅游"),
        ]
    )
    html = _upload(client, data, create_missing="on").content.decode()
    assert re.search(r'data-count="created">2<', html)
    assert re.search(r'data-count="updated">1<', html)
    assert re.search(r'data-count="errors">0<', html)
    assert "文化旅游" in html  # a missing domain that will be created
    assert not Matter.objects.filter(code="NEW-0001").exists()  # still a dry run
    stored = list((media_root / "imports").glob("*.xlsx"))
    assert len(stored) == 1 and re.fullmatch(r"[0-9a-f]{32}\.xlsx", stored[0].name)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalogue-import-confirm"), {"token": token})
    assert response.status_code == 302
    job_url = response["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]

    new = Matter.objects.get(code="NEW-0001")
    assert new.name == "在城市道路上晾晒农作物"
    assert new.history.first().history_user == administrator
    assert Matter.objects.get(code="CSGL-0001").name.endswith("（修订）")
    assert Matter.objects.get(code="NEW-0002").domain.name == "文化旅游"

    page = client.get(job_url).content.decode()
    # Finished: the progress box stops polling (the menu's to-do badge still loads itself once).
    assert "导入完成" in page and 'hx-trigger="every 1s"' not in page
    progress = client.get(reverse("catalogue-import-progress", args=[job_id]))
    data = json.loads(progress.content)
    assert data["state"] == "done" and data["percent"] == 100
    assert (data["report"]["created"], data["report"]["updated"], data["report"]["unchanged"]) == (2, 1, 0)
    fragment = client.get(reverse("catalogue-import-progress", args=[job_id]), HTTP_HX_REQUEST="true")
    assert 'data-state="done"' in fragment.content.decode()
    assert not any((media_root / "imports").glob("*"))  # the upload is removed once imported
    # The preview cannot be confirmed twice.
    again = client.post(reverse("catalogue-import-confirm"), {"token": token})
    assert again.status_code == 302 and again["Location"] == reverse("catalogue-import")


def test_a_newer_preview_replaces_the_older_one(client_for, administrator, catalogue, media_root):
    client = client_for(administrator)
    first = _upload(client, xlsx_bytes([row("NEW-0001", "第一份")])).content.decode()
    first_token = re.search(r'name="token" value="([0-9a-f]{32})"', first).group(1)
    second = _upload(client, xlsx_bytes([row("NEW-0002", "第二份")])).content.decode()
    second_token = re.search(r'name="token" value="([0-9a-f]{32})"', second).group(1)
    assert [p.name for p in (media_root / "imports").glob("*")] == [f"{second_token}.xlsx"]
    response = client.post(reverse("catalogue-import-confirm"), {"token": first_token})
    assert response["Location"] == reverse("catalogue-import")
    assert not Matter.objects.filter(code="NEW-0001").exists()


def test_job_page_polls_while_the_import_is_running(client_for, administrator, catalogue):
    client = client_for(administrator)
    job_id = "a" * 32
    catalogue_jobs._save({
        "id": job_id, "state": "running", "done": 200, "total": 800, "user_id": administrator.pk,
        "token": "b" * 32, "ext": ".xlsx", "file_name": "目录.xlsx", "sheet": None, "create_missing": False,
        "report": None, "error": "", "queued_at": "", "finished_at": None,
    })
    html = client.get(reverse("catalogue-import-job", args=[job_id])).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert reverse("catalogue-import-progress", args=[job_id]) in html
    assert 'aria-valuenow="23"' in html and "200 / 800" in html
    assert json.loads(client.get(reverse("catalogue-import-progress", args=[job_id])).content)["done"] == 200


def test_import_job_of_another_user_is_not_found(client_for, administrator, county, catalogue):
    from enforcement.models import Role
    from tests.factories import member

    job_id = "c" * 32
    catalogue_jobs._save({"id": job_id, "state": "done", "done": 1, "total": 1, "user_id": administrator.pk,
                          "report": None, "error": "", "file_name": "x.xlsx"})
    other = member(Role.ADMINISTRATOR, county.bureau, "other_admin")
    assert client_for(other).get(reverse("catalogue-import-job", args=[job_id])).status_code == 404


def test_failed_import_leaves_catalogue_unchanged_and_shows_errors(
    client_for, administrator, catalogue, media_root, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    html = _upload(client, xlsx_bytes([row("NEW-0001", "好事项")])).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    # Between preview and confirm the stored file changes (e.g. replaced on disk): the job re-checks it.
    (media_root / "imports" / f"{token}.xlsx").write_bytes(
        xlsx_bytes([row("NEW-0001", "好事项"), row("NEW-0002", "坏事项", 状态="作废")])
    )
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalogue-import-confirm"), {"token": token})
    page = client.get(response["Location"]).content.decode()
    assert "导入失败，事项目录没有任何改变" in page
    assert re.search(r"第 3 行</td>\s*<td[^>]*>状态</td>\s*<td>未知状态“作废”", page)
    assert snapshot() == before
    assert not Matter.objects.filter(code="NEW-0001").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("目录.txt", b"a,b", "不支持的文件类型"),
        ("目录.xls", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
        ("目录.xlsx", b"not a zip", "不是有效的 .xlsx 工作簿"),
        ("目录.csv", b"", "空文件"),
    ],
)
def test_import_form_refuses_bad_files_with_a_clear_error(client_for, administrator, catalogue, name, data, message):
    response = _upload(client_for(administrator), data, name=name)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "invalid-feedback" in html


def test_import_form_refuses_files_over_the_size_limit(client_for, administrator, catalogue, monkeypatch):
    from enforcement.catalogue import forms as forms_catalogue

    monkeypatch.setattr(forms_catalogue, "IMPORT_MAX_SIZE", 100)
    html = _upload(client_for(administrator), xlsx_bytes([row("NEW-0001", "新事项")])).content.decode()
    assert "文件过大" in html


def test_import_of_csv_with_missing_sheet_reports_it(client_for, administrator, catalogue):
    html = _upload(client_for(administrator), xlsx_bytes([row("NEW-0001", "新事项")]), sheet="第二页").content.decode()
    assert "找不到工作表“第二页”" in html


def test_confirm_without_a_previewed_upload_goes_back_to_the_form(client_for, administrator, catalogue):
    response = client_for(administrator).post(reverse("catalogue-import-confirm"), {"token": "d" * 32})
    assert response.status_code == 302 and response["Location"] == reverse("catalogue-import")


def test_upload_path_refuses_names_that_are_not_tokens():
    for token, ext in (("../../etc/passwd", ".csv"), ("a" * 32, ".py"), ("A" * 32, ".csv")):
        with pytest.raises(ValueError):
            catalogue_jobs.upload_path(token, ext)


# --- public pages --------------------------------------------------------------------


def test_public_list_works_without_login_and_searches(client, catalogue):
    response = client.get(reverse("public-catalogue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert codes_in(html) == {"CSGL-0001", "CSGL-0002", "ZRZY-0001"}
    assert 'href="/public/catalogue/CSGL-0001/"' in html
    assert "/catalogue/export/" not in html and REMARK not in html
    assert codes_in(client.get(reverse("public-catalogue"), {"q": "堆放"}).content.decode()) == {"CSGL-0001"}
    assert codes_in(client.get(reverse("public-catalogue"), {"q": "土地管理法"}).content.decode()) == {"ZRZY-0001"}
    assert codes_in(client.get(reverse("public-catalogue"), {"flags": "first_offense_exempt"}).content.decode()) == {
        "CSGL-0002"
    }


def test_public_matter_page_shows_basis_tiers_and_township_holders_but_nothing_internal(
    client, administrator, catalogue
):
    matter = Matter.objects.get(code="CSGL-0001")
    matter_update(matter, by=administrator, name="擅自在街道两侧堆放物料", reason="依新条例调整名称")
    response = client.get(reverse("public-catalogue-detail", args=["CSGL-0001"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "《城市市容和环境卫生管理条例》第十四条" in html
    assert "在责令限期内未改正的" in html and "警告" in html
    holders = html[html.index("holders-table"):]
    assert re.search(r"甲镇</th>\s*<td[^>]*>\s*甲镇", holders)
    assert re.search(r"乙街道</th>\s*<td[^>]*>\s*测试县综合行政执法局", holders)
    # Nothing internal: remarks, change history, users.
    for secret in (REMARK, "备注", "变更记录", "依新条例调整名称", "擅自在街道两侧和公共场地堆放物料",
                   administrator.username, administrator.first_name, "录入时间"):
        assert secret not in html, secret
    # No link into the staff pages except the footer's login.
    assert 'href="/catalogue/' not in html


def test_public_matter_page_of_unknown_code_is_404(client, catalogue):
    assert client.get(reverse("public-catalogue-detail", args=["NOPE-1"])).status_code == 404


def test_public_matter_page_runs_a_constant_number_of_queries(client, catalogue, django_assert_max_num_queries):
    from tests.factories import TownshipFactory

    url = reverse("public-catalogue-detail", args=["CSGL-0001"])
    before = _count_queries(client, url)
    for i in range(8):
        TownshipFactory(code=f"PT{i}")
    assert _count_queries(client, url) == before
    with django_assert_max_num_queries(8):
        client.get(url)


def test_tier_fine_text_for_open_ranges(client, refs):  # noqa: F811
    matter_create(
        code="X-1", name="开放区间", power_type=PowerType.PENALTY, domain=refs.urban,
        origin_department=refs.housing, by=None,
        tiers=[TierSpec("一般", "", ("fine",), None, Decimal("500")), TierSpec("严重", "", ("fine",), Decimal("500"))],
    )
    html = client.get(reverse("public-catalogue-detail", args=["X-1"])).content.decode()
    tiers = html[html.index("tiers-table"):]
    assert re.search(r"0\s*–\s*500\s*元", tiers)
    assert re.search(r"500\s*–\s*不限\s*元", tiers)

