"""scripts/bench_table.py: the README's figures table judges what the JSON holds against issue 18's targets."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_table.py"


def _table():
    spec = importlib.util.spec_from_file_location("bench_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(per_request: int, ratio_requests: float, ratio_rows: float) -> dict:
    return {"requests": 100, "per_second": 10.0, "p50_ms": 20.0, "p95_ms": 40.0, "tickets_per_request": per_request,
            "tickets_per_second": 10.0 * per_request, "ceiling": {"per_second": 30.0},
            "ratio_requests": ratio_requests, "ratio_tickets": ratio_rows}


def test_an_intake_run_is_judged_by_its_share_of_the_ceiling():
    rows = _table().generic_rows("bench_intake", {
        "staff": _run(1, 0.35, 0.35),          # one order per request, under half the ceiling: missed
        "open311": _run(1, 0.5, 0.5),          # exactly half: met
        "hotline_batch": _run(50, 0.02, 0.85),  # a batch is judged in rows
    })
    by_run = {row.split(" | ")[1]: row for row in rows}
    assert set(by_run) == {"staff", "open311", "hotline_batch"}
    assert "share 0.35 in requests" in by_run["staff"] and "| yes (share >= 0.5) |" in by_run["staff"]
    assert "| no (share >= 0.5) |" in by_run["open311"]
    assert "| no (share >= 0.5 in rows) |" in by_run["hotline_batch"]


def test_a_sweep_over_its_limit_is_marked():
    rows = _table().generic_rows("bench_x", {"catch_up": {"seconds": 10.2, "changed": {"red": 10_000, "yellow": 10_000},
                                                          "busy_processes": 2, "queries": 300}})
    assert rows == ["| bench_x | catch_up | sweep: 20,000 changes in 10.2 s, 2 busy processes beside it | | | "
                    "yes (limit 10 s) | 300 |"]
