"""Rewrite the measured-figures table of bench/README.md from bench/out/*.json (``make bench-table``).

The table sits between the two marker comments below in bench/README.md and is never typed by
hand. Each JSON a bench wrote gives its rows: bench_cases.json and bench_tickets.json a summary
per size and role (API lists, pages, growth between the sizes); any other bench every timed
figure it holds (a dict with ``median_ms``), every intake run (its share of the bare-view
ceiling) and every sweep it ran (a dict with ``seconds`` and its changes), with the commit and
the load average the bench recorded.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
README = ROOT / "bench" / "README.md"
BEGIN = "<!-- bench-table: begin (scripts/bench_table.py writes this part) -->"
END = "<!-- bench-table: end -->"
MEDIAN_TARGET_MS, P95_TARGET_MS = 150.0, 300.0
INTAKE_SHARE_TARGET = 0.5


def _range(values: list[float]) -> str:
    return f"{min(values):.0f}-{max(values):.0f}" if values else "-"


def sized_rows(data: dict) -> list[str]:
    """bench_cases / bench_tickets: per size and role, the API lists and the pages; then growth."""
    what = data["bench"]
    rows = []
    sizes = list(data["sizes"])
    for size in sizes:
        figures = data["sizes"][size]
        for role, part in figures["roles"].items():
            lists = part["lists"]
            for kind in ("api", "page"):
                mine = {k: v for k, v in lists.items() if k.startswith(kind)}
                medians = [v["median_ms"] for v in mine.values()]
                p95s = [v["p95_ms"] for v in mine.values()]
                over = sum(1 for v in mine.values() if v["median_ms"] > MEDIAN_TARGET_MS or v["p95_ms"] > P95_TARGET_MS)
                q = part["queries"]
                queries = (
                    f"{q['api_10']}/{q['api_100']}/{q['api_cursor_100']} (10/100/cursor)"
                    if kind == "api"
                    else f"{q['page']}/{q['page_2']} (page 1/2)"
                )
                rows.append(
                    f"| {what} {int(size):,} ({part['visible_' + what]:,} visible) | {role} | {kind}: "
                    f"{len(mine)} lists | {_range(medians)} | {max(p95s):.0f} | {over} | {queries} |"
                )
    if len(sizes) >= 2:
        small, large = data["sizes"][sizes[0]], data["sizes"][sizes[-1]]
        for role, part in large["roles"].items():
            ratios = []
            for name, f in part["lists"].items():
                before = small["roles"][role]["lists"].get(name)
                if before and before["median_ms"]:
                    ratios.append((f["median_ms"] / before["median_ms"], name))
            if ratios:
                worst = max(ratios)
                rows.append(
                    f"| {what} growth {int(sizes[0]):,} -> {int(sizes[-1]):,} | {role} | median ratio per list | "
                    f"{min(r for r, _ in ratios):.2f}-{worst[0]:.2f} (worst: {worst[1]}) | | "
                    f"{sum(1 for r, _ in ratios if r > 1.5)} over 1.5x | |"
                )
    return rows


def generic_rows(name: str, data, prefix: str = "") -> list[str]:
    rows = []
    if isinstance(data, dict):
        if "median_ms" in data:
            p95 = data.get("p95_ms", data.get("max_ms", ""))
            rows.append(f"| {name} | {prefix} | | {data['median_ms']} | {p95} | | {data.get('queries', '')} |")
            return rows
        if "ratio_requests" in data and "ceiling" in data:  # an intake run (bench_intake): its share of the ceiling
            batch = data.get("tickets_per_request", 1) > 1
            # Issue 18: one order per request at least half the bare view's rate; a batch is judged in rows.
            share = data["ratio_tickets"] if batch else data["ratio_requests"]
            rows.append(
                f"| {name} | {prefix} | intake: {data['tickets_per_second']} tickets/s, {data['tickets_per_request']} "
                f"per request; ceiling {data['ceiling']['per_second']} requests/s; share {data['ratio_requests']} in "
                f"requests, {data['ratio_tickets']} in rows | {data['p50_ms']} | {data['p95_ms']} | "
                f"{'yes' if share < INTAKE_SHARE_TARGET else 'no'} (share >= {INTAKE_SHARE_TARGET}"
                f"{' in rows' if batch else ''}) | |"
            )
            return rows
        if "seconds" in data and ("changed" in data or "red" in data):  # a sweep: its changes and its time
            changes = (sum(data["changed"].values()) if "changed" in data
                       else data.get("red", 0) + data.get("yellow", 0))
            busy = data.get("busy_processes", 0)
            # The limit is for a catch-up of 20,000 changes; a larger sweep (a bench settling its data)
            # is shown, not judged.
            verdict = ("not judged (over 20,000 changes)" if changes > 20_000
                       else f"{'yes' if data['seconds'] >= 10 else 'no'} (limit 10 s)")
            rows.append(f"| {name} | {prefix} | sweep: {changes:,} changes in {data['seconds']} s, {busy} busy "
                        f"processes beside it | | | {verdict} | {data.get('queries', '')} |")
            return rows
        for key, value in data.items():
            if key in ("samples_ms", "machine"):
                continue
            rows += generic_rows(name, value, f"{prefix} {key}".strip())
    return rows


def table() -> str:
    lines = [
        "| bench / size | role | what | median ms | p95 ms | over target | queries |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    sources = []
    for path in sorted(OUT.glob("bench_*.json")):
        data = json.loads(path.read_text())
        loads = (data.get("load_average_before"), data.get("load_average_after"))
        sources.append(
            f"`{path.name}`: commit {data.get('commit', '?')}, load average {loads[0] or '?'} -> "
            f"{loads[1] or '?'}, {data.get('machine', {}).get('engine_version', '').split(' on ')[0]}"
            + (f", {data['runs']} timed requests per list" if "runs" in data else "")
        )
        sized = data.get("bench") in ("cases", "tickets")
        lines += sized_rows(data) if sized else generic_rows(path.stem, data)[:40]
    if not sources:
        return "No figures yet: run `make bench`."
    return "\n".join([*lines, "", "Sources: " + "; ".join(sources) + "."])


def main() -> int:
    text = README.read_text()
    if BEGIN not in text or END not in text:
        print(f"bench_table: markers missing in {README}", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{table()}\n{END}{tail}")
    print(f"bench_table: {README.relative_to(ROOT)} rewritten from {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
