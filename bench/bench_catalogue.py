"""Benchmark: import a 2,000-matter catalogue, list/search it through the API, build the power map.

Runs against a throwaway test database that Django creates and drops again
(``test_<name>`` of ``DATABASE_URL``; an in-memory SQLite database without it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench .venv/bin/python bench/bench_catalogue.py [ROWS] [RUNS]

Writes bench/out/bench_catalogue.json and prints a one-line summary. Fails
(exit 1) if the first import takes 10 s or more, or if a list request's
query count grows with the catalogue.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
os.environ.setdefault("BUREAU_TESTING", "1")  # fast password hashing, no SECRET_KEY needed

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

PAGE_LIMIT_SECONDS = 0.1  # issue 3: list and search pages under 100 ms median
IMPORT_LIMIT_SECONDS = 10.0
DOMAINS = ["城市管理", "城乡规划", "自然资源", "生态环境", "住房建设", "市场监管", "交通运输", "文化旅游",
           "水利", "农业农村", "海洋渔业", "应急管理", "卫生健康", "消防", "林业"]
HEADER = ["序号", "事项编码", "事项名称", "职权类型", "所属领域", "实施主体", "监管部门", "权力归属", "违法依据",
          "处罚依据", "裁量基准", "首违不罚", "安全关键", "纳入指导目录", "状态", "备注"]


def build_reference_data():
    from enforcement.models import Agency, AgencyKind, Domain

    bureau = Agency.objects.create(code="BUREAU", name="县综合行政执法局", kind=AgencyKind.BUREAU)
    departments = [
        Agency.objects.create(code=f"DEPT-{i:02d}", name=f"县{name}局", kind=AgencyKind.DEPARTMENT)
        for i, name in enumerate(["住房和城乡建设", "自然资源", "生态环境", "市场监督管理", "交通运输", "文化和旅游",
                                  "水利", "农业农村", "应急管理", "卫生健康"], start=1)
    ]
    townships = [
        Agency.objects.create(code=f"T{i:02d}", name=f"第{i}镇", kind=AgencyKind.TOWN, sort_order=i)
        for i in range(1, 31)
    ]
    Domain.objects.bulk_create([Domain(code=f"D{i:02d}", name=n, sort_order=i) for i, n in enumerate(DOMAINS)])
    return bureau, departments, townships


def catalogue_xlsx(rows: int, departments, variant: int = 0) -> bytes:
    """A messy but valid county spreadsheet: two title rows, a header, ``rows`` matters."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("事项目录")
    ws.append(["某某县综合行政执法事项目录"])
    ws.append(["（2026 年版）"])
    ws.append(HEADER)
    for i in range(1, rows + 1):
        dept = departments[i % len(departments)].name
        name = f"事项{i}：未按规定{'堆放物料' if i % 2 else '倾倒垃圾'}"
        if variant and i % 10 == 0:
            name += "（修订）"
        tiers = "轻微|首次违法且及时改正|警告|||\n一般|限期未改正|罚款|50|200|元"
        if i % 3 == 0:
            tiers += "\n严重|违法所得较大的|没收违法所得、罚款|1|3|倍"
        ws.append([
            i, f"M-{i:05d}", name, "行政处罚" if i % 5 else "行政检查", DOMAINS[i % len(DOMAINS)], dept, "",
            "划转" if i % 4 else "保留", f"《某条例》第{i % 90 + 1}条", f"《某条例》第{i % 90 + 10}条第（一）项",
            tiers, "是" if i % 7 == 0 else "否", "是" if i % 11 == 0 else "否", "是" if i % 2 else "否", "在用", "",
        ])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def timed(fn):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries.captured_queries)


def median_page(client, url, params, runs):
    """Median time of an HTML page (first request warms template caches and is not counted)."""
    client.get(url, params)
    times, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        counts.append(len(queries.captured_queries))
    return statistics.median(times), max(counts)


def median_request(client, url, params, runs):
    times, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        counts.append(len(queries.captured_queries))
    return statistics.median(times), max(counts), response.json()


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return run(rows, runs)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(rows: int, runs: int) -> int:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from enforcement.catalogue.importer import export_matters, import_catalogue
    from enforcement.catalogue.powers import power_map
    from enforcement.models import Matter

    _bureau, departments, townships = build_reference_data()
    data = catalogue_xlsx(rows, departments)
    first, t_first, q_first = timed(lambda: import_catalogue(data))
    assert first.ok and first.created == rows, first.errors[:5]
    again, t_again, q_again = timed(lambda: import_catalogue(data))
    assert again.unchanged == rows
    changed = catalogue_xlsx(rows, departments, variant=1)
    update, t_update, q_update = timed(lambda: import_catalogue(changed))
    assert update.updated == rows // 10
    exported, t_export, q_export = timed(lambda: export_matters(Matter.objects.all()))

    user = get_user_model().objects.create_user("bench", password="x", is_superuser=True, is_staff=True)
    client = APIClient()
    client.force_authenticate(user)
    t_list, q_list, body = median_request(client, "/api/matters/", {"page_size": 50}, runs)
    assert body["count"] == rows
    t_list_big, q_list_big, _ = median_request(client, "/api/matters/", {"page_size": 500}, runs)
    t_search, q_search, found = median_request(client, "/api/matters/", {"q": "事项12", "domain": "D05"}, runs)
    t_legal, q_legal, _ = median_request(client, "/api/matters/", {"q": "第（一）项 第15条"}, runs)
    t_detail, q_detail, _ = median_request(client, "/api/matters/M-00012/", {}, runs)
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    pages = {
        "page_list": median_page(browser, "/catalogue/", {}, runs),
        "page_search": median_page(browser, "/catalogue/", {"q": "事项12"}, runs),
        "page_search_legal_basis": median_page(browser, "/catalogue/", {"q": "第15条"}, runs),
        "public_list": median_page(Client(), "/public/catalogue/", {}, runs),
        "public_search": median_page(Client(), "/public/catalogue/", {"q": "事项12"}, runs),
    }
    pm, t_map, q_map = timed(lambda: power_map(Matter.objects.all(), townships))
    assert len(pm) == rows * len(townships)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    result = {
        "commit": commit.strip(),
        "engine": connection.vendor,
        "matters": rows,
        "townships": len(townships),
        "import_first": {"seconds": round(t_first, 3), "queries": q_first, "created": first.created},
        "import_unchanged": {"seconds": round(t_again, 3), "queries": q_again},
        "import_10pct_changed": {"seconds": round(t_update, 3), "queries": q_update, "updated": update.updated},
        "export": {"seconds": round(t_export, 3), "queries": q_export, "bytes": len(exported)},
        "api_list_50": {"median_ms": round(t_list * 1000, 1), "queries": q_list},
        "api_list_500": {"median_ms": round(t_list_big * 1000, 1), "queries": q_list_big},
        "api_search": {"median_ms": round(t_search * 1000, 1), "queries": q_search, "hits": found["count"]},
        "api_search_legal_basis": {"median_ms": round(t_legal * 1000, 1), "queries": q_legal},
        "api_detail": {"median_ms": round(t_detail * 1000, 1), "queries": q_detail},
        "power_map": {"seconds": round(t_map, 3), "queries": q_map, "pairs": len(pm)},
        **{name: {"median_ms": round(t * 1000, 1), "queries": q} for name, (t, q) in pages.items()},
        "runs": runs,
    }
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_catalogue.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"catalogue[{connection.vendor}] {rows} matters: import {t_first:.2f}s/{q_first}q, "
        f"re-import {t_again:.2f}s/{q_again}q, 10% changed {t_update:.2f}s/{q_update}q, export {t_export:.2f}s; "
        f"API list {t_list * 1000:.0f}ms/{q_list}q (500 rows {t_list_big * 1000:.0f}ms/{q_list_big}q), "
        f"search {t_search * 1000:.0f}ms/{q_search}q, detail {t_detail * 1000:.0f}ms/{q_detail}q; "
        f"power map {rows}x{len(townships)} {t_map:.2f}s/{q_map}q"
    )
    print("pages: " + ", ".join(f"{name} {t * 1000:.0f}ms/{q}q" for name, (t, q) in pages.items()))
    failures = []
    checked = os.environ.get("BENCH_SMOKE") != "1"  # bench-smoke: does it run, not how fast
    if checked and t_first >= IMPORT_LIMIT_SECONDS:
        failures.append(f"import took {t_first:.1f}s (limit {IMPORT_LIMIT_SECONDS}s)")
    if q_list_big != q_list or q_map > 1:
        failures.append("query count grows with the rows")
    for name, (t, _q) in pages.items():
        if checked and t >= PAGE_LIMIT_SECONDS:
            failures.append(f"{name} median {t * 1000:.0f}ms (limit {PAGE_LIMIT_SECONDS * 1000:.0f}ms)")
    if checked and (t_list >= PAGE_LIMIT_SECONDS or t_search >= PAGE_LIMIT_SECONDS):
        failures.append("API list/search median over 100 ms")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
