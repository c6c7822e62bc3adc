"""Benchmark: the command centre's wall screen, the ticket map and the statistics charts at 1,000,000 tickets.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a
throwaway test database (``test_<name>`` of ``DATABASE_URL``), with the
tickets of bench/bench_dispatch.py (one ``INSERT ... SELECT generate_series``;
80 % in the assignee's hands, received over the last 365 days)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \
        .venv/bin/python bench/bench_screen.py [TICKETS] [RUNS]

Measured (median of RUNS, cold: every run rebuilds):

* the screen's JSON (dispatch.screen.build_screen), which the shared cache
  builds once per interval for every screen: target under 200 ms; the month
  rates in it come from the cache (recomputed every RATES_SECONDS, measured
  apart as "rates_refresh");
* the screen's endpoint answered from the cache (what every other screen pays);
* the ticket list's map (open tickets clustered on a grid) as the dispatcher;
* the four ticket statistics charts for this month, as the dispatcher.

Writes bench/out/bench_screen.json (commit, machine, load average before and
after; with BENCH_EXPLAIN=1 also EXPLAIN ANALYZE of one build's queries in
bench/out/bench_screen_plans.txt) and prints a summary. Fails (exit 1) if the
build takes 200 ms or more, or if a build's query count changes between runs.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dispatch import ROOT, build_reference_data, generate_tickets  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

BUILD_TARGET_MS = 200.0


def timed(func, runs: int) -> dict:
    times, queries = [], set()
    func()  # warm-up
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            func()
            times.append((time.perf_counter() - started) * 1000)
        queries.add(len(ctx.captured_queries))
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "queries": sorted(queries)}


def explain_build(screen) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT of one build (bench/out/bench_screen_plans.txt)."""
    with CaptureQueriesContext(connection) as ctx:
        screen.build_screen()
    plans = []
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append(f"=== ({query['time']}s)\n{query['sql']}\n{plan}\n")
    return "\n".join(plans)


def run(tickets: int, runs: int) -> int:
    import harness

    from dispatch import screen
    from dispatch.models import OpenTicketCount

    load_before = harness.load_average()
    ref = build_reference_data()
    t_generate = generate_tickets(tickets, ref)
    client = Client()
    client.force_login(ref["dispatcher"])

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return response

    def cached():
        cache.clear()
        get("/command/screen/data/")
        return timed(lambda: get("/command/screen/data/"), runs)

    today = timezone.localdate()
    result = {
        "build": timed(screen.build_screen, runs),
        "rates_refresh": timed(lambda: screen._month_rates(today), runs),
        "endpoint_cached": cached(),
        "ticket_map": timed(lambda: get("/dispatch/tickets/map/"), runs),
        "charts": {
            name: timed(lambda name=name: get(f"/dispatch/stats/charts/{name}/"), runs)
            for name in ("intake", "on-time", "categories", "satisfaction")
        },
    }
    result = {
        "commit": harness.commit(),
        "machine": harness.machine(),
        "tickets": tickets,
        "summary_rows": OpenTicketCount.objects.count(),
        "runs": runs,
        "load_average_before": load_before,
        "load_average_after": harness.load_average(),
        "generate_seconds": round(t_generate, 1),
        **result,
    }
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_screen.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    if os.environ.get("BENCH_EXPLAIN"):
        (out / "bench_screen_plans.txt").write_text(explain_build(screen))
    print(f"screen[{connection.vendor}] {tickets} tickets generated in {t_generate:.1f}s; load average "
          f"{result['load_average_before']} -> {result['load_average_after']}")
    for key in ("build", "rates_refresh", "endpoint_cached", "ticket_map"):
        print(f"  {key}: {result[key]}")
    for name, figures in result["charts"].items():
        print(f"  chart {name}: {figures}")
    failures = []
    if result["build"]["median_ms"] >= BUILD_TARGET_MS and os.environ.get("BENCH_SMOKE") != "1":  # smoke: not timed
        failures.append(f"the screen's build takes {result['build']['median_ms']} ms (target {BUILD_TARGET_MS})")
    if len(result["build"]["queries"]) != 1:
        failures.append(f"the screen's build ran {result['build']['queries']} queries in different runs")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_screen: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    tickets = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return run(tickets, runs)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
