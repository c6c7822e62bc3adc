"""Benchmark: township power map for 2,000 matters x 30 townships, holder_of, enacting a large batch.

Runs against a throwaway test database that Django creates and drops again
(``test_<name>`` of ``DATABASE_URL``; an in-memory SQLite database without it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \
        .venv/bin/python bench/bench_devolution.py [MATTERS] [RUNS]

Writes bench/out/bench_devolution.json and prints a one-line summary. Fails
(exit 1) if the whole power map page (every matter on one page) takes 1 s or
more, if holder_of takes 2 ms or more (median), or if a page's query count
grows with the number of matters.
"""

from __future__ import annotations

import datetime as dt
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

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

MAP_LIMIT_SECONDS = 1.0  # issue 4: the power map of 2,000 matters x 30 townships under 1 s
HOLDER_LIMIT_SECONDS = 0.002  # holder_of under 2 ms
TOWNSHIPS = 30
ITEMS = 120  # matters devolved by the benchmark batch, each to 10 townships


def build(matters: int):
    from django.contrib.auth import get_user_model

    from enforcement.catalogue.powers import grant_power
    from enforcement.models import Agency, AgencyKind, Domain, GrantMode, GrantSource, Matter, PowerType
    from tests.devolution.helpers import staff_township

    bureau = Agency.objects.create(code="BUREAU", name="县综合行政执法局", kind=AgencyKind.BUREAU)
    dept = Agency.objects.create(code="DEPT-01", name="县自然资源局", kind=AgencyKind.DEPARTMENT)
    brigade = Agency.objects.create(code="BRIG", name="执法大队", kind=AgencyKind.BRIGADE, parent=bureau)
    townships = [
        Agency.objects.create(code=f"T{i:02d}", name=f"第{i}镇", kind=AgencyKind.TOWN, sort_order=i)
        for i in range(1, TOWNSHIPS + 1)
    ]
    for t in townships:
        Agency.objects.create(code=f"SQ-{t.code}", name=f"{t.name}派驻中队", kind=AgencyKind.SQUADRON_STATIONED,
                              parent=brigade, stationed_in=t)
        staff_township(t, certified=7, legal=1, prefix=t.code)
    domains = Domain.objects.bulk_create([Domain(code=f"D{i:02d}", name=f"领域{i}") for i in range(15)])
    Matter.objects.bulk_create([
        Matter(code=f"M-{i:05d}", name=f"事项{i}", power_type=PowerType.PENALTY, domain=domains[i % 15],
               origin_department=dept, in_guidance_catalogue=True)
        for i in range(1, matters + 1)
    ])
    start = dt.date(2024, 1, 1)
    for m in Matter.objects.order_by("code"):
        grant_power(m, bureau, GrantMode.TRANSFERRED, valid_from=start, source_kind=GrantSource.IMPORT)
    admin = get_user_model().objects.create_user("bench", password="x", is_superuser=True, is_staff=True)
    return admin, townships


def enact_batch(admin, townships):
    from devolution import services
    from devolution.models import ItemMode
    from enforcement.models import Matter

    today = timezone.localdate()
    batch = services.batch_create(by=admin, number="BENCH-1", title="基准批次", provincial_decision="省决定",
                                  county_document_no="县政发1号", townships=townships, effective_date=today)
    modes = [ItemMode.DEVOLVED, ItemMode.STATIONED]
    for n, matter in enumerate(Matter.objects.order_by("code")[:ITEMS]):
        chosen = [townships[(n + k) % len(townships)] for k in range(10)]
        services.item_add(batch, by=admin, matter=matter, townships=chosen, category="priority",
                          mode=modes[n % 2], entered_case_count_3y=5)
    batch = services.batch_submit(batch, by=admin)
    batch = services.batch_start_review(batch, by=admin)
    batch = services.batch_approve(batch, by=admin)
    batch = services.batch_publish(batch, by=admin)
    return batch


class QueryCounter:
    """Counts queries without keeping them (CaptureQueriesContext stops counting at 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, counter.count


def median_get(client, url, params, runs):
    client.get(url, params)  # warm template caches
    times, counts = [], []
    for _ in range(runs):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        counts.append(counter.count)
    return statistics.median(times), max(counts), response


def main() -> int:
    matters = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    setup_test_environment()
    # No serialized copy of the database: the benchmark never rolls back to it.
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        return run(matters, runs)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(matters: int, runs: int) -> int:
    from django.test import Client
    from rest_framework.test import APIClient

    from devolution import services
    from enforcement.catalogue.powers import holder_of, power_map
    from enforcement.models import Matter

    (admin, townships), t_build, _ = timed(lambda: build(matters))
    batch, t_prepare, _ = timed(lambda: enact_batch(admin, townships))
    batch, t_enact, q_enact = timed(lambda: services.batch_enact(batch, by=admin))
    _, t_again, q_again = timed(lambda: services.batch_enact(batch, by=admin))

    pm, t_map, q_map = timed(lambda: power_map(Matter.objects.all(), townships))
    assert len(pm) == matters * len(townships)

    # holder_of: a devolved pair, a county-wide pair, a day before the batch.
    sample = list(Matter.objects.order_by("code")[:ITEMS])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    holder_times = []
    for n in range(runs * 40):
        m = sample[n % len(sample)]
        t = townships[n % len(townships)]
        started = time.perf_counter()
        holder_of(m, t, on=yesterday if n % 3 == 0 else None)
        holder_times.append(time.perf_counter() - started)
    t_holder = statistics.median(holder_times)

    browser = Client()
    browser.force_login(admin)
    t_page, q_page, _ = median_get(browser, "/devolution/power-map/", {}, runs)
    t_full, q_full, full = median_get(browser, "/devolution/power-map/", {"page_size": matters}, runs)
    assert len(full.context["rows"]) == matters
    t_small, q_small, _ = median_get(browser, "/devolution/power-map/", {"page_size": 10}, runs)
    t_detail, q_detail, _ = median_get(browser, f"/devolution/{batch.pk}/", {}, runs)
    t_town, q_town, _ = median_get(browser, f"/devolution/townships/{townships[0].pk}/", {}, runs)
    t_ready, q_ready, _ = median_get(browser, "/devolution/readiness/", {}, runs)
    t_xlsx, q_xlsx, xlsx = median_get(browser, "/devolution/power-map/export.xlsx", {}, max(1, runs // 3))
    api = APIClient()
    api.force_authenticate(admin)
    t_api, q_api, _ = median_get(api, "/api/devolution/power-map/", {"page_size": 500}, runs)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    result = {
        "commit": commit.strip(),
        "engine": connection.vendor,
        "matters": matters,
        "townships": len(townships),
        "batch_items": ITEMS,
        "build_seconds": round(t_build, 2),
        "batch_prepare_seconds": round(t_prepare, 2),
        "enact": {"seconds": round(t_enact, 3), "queries": q_enact},
        "enact_again": {"seconds": round(t_again, 4), "queries": q_again},
        "power_map_function": {"seconds": round(t_map, 3), "queries": q_map, "pairs": len(pm)},
        "holder_of": {"median_ms": round(t_holder * 1000, 3), "calls": len(holder_times)},
        "page_power_map_50": {"median_ms": round(t_page * 1000, 1), "queries": q_page},
        "page_power_map_all": {"median_ms": round(t_full * 1000, 1), "queries": q_full, "rows": matters},
        "page_power_map_10": {"median_ms": round(t_small * 1000, 1), "queries": q_small},
        "page_batch_detail": {"median_ms": round(t_detail * 1000, 1), "queries": q_detail},
        "page_township": {"median_ms": round(t_town * 1000, 1), "queries": q_town},
        "page_readiness": {"median_ms": round(t_ready * 1000, 1), "queries": q_ready},
        "export_power_map_xlsx": {"median_ms": round(t_xlsx * 1000, 1), "queries": q_xlsx,
                                  "bytes": len(xlsx.content)},
        "api_power_map_500": {"median_ms": round(t_api * 1000, 1), "queries": q_api},
        "runs": runs,
    }
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_devolution.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))

    failures = []
    checked = os.environ.get("BENCH_SMOKE") != "1"  # bench-smoke: does it run, not how fast
    if checked and t_full >= MAP_LIMIT_SECONDS:
        failures.append(f"power map page of {matters} matters took {t_full:.3f} s (limit {MAP_LIMIT_SECONDS} s)")
    if checked and t_holder >= HOLDER_LIMIT_SECONDS:
        failures.append(f"holder_of median {t_holder * 1000:.3f} ms (limit 2 ms)")
    if not (q_small == q_page == q_full):
        failures.append(f"power map queries grow with the page: {q_small}, {q_page}, {q_full}")
    if q_again > 2:
        failures.append(f"enacting twice ran {q_again} queries")
    print(
        f"devolution [{connection.vendor}] {matters} matters x {len(townships)} townships: "
        f"map page (all) {t_full * 1000:.0f} ms / {q_full} q, page of 50 {t_page * 1000:.0f} ms / {q_page} q, "
        f"power_map() {t_map * 1000:.0f} ms / {q_map} q, holder_of {t_holder * 1000:.2f} ms, "
        f"enact {ITEMS}x10 grants {t_enact:.2f} s, xlsx {t_xlsx * 1000:.0f} ms"
        + ("" if not failures else "  FAIL: " + "; ".join(failures))
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
