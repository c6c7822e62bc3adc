"""Run every bench at a tiny size so that none rots (``make bench-smoke``; tests/test_bench_smoke.py).

Each bench/bench_*.py runs with the small arguments below, its JSON written to a
temporary directory (BENCH_OUT) so the real figures in bench/out/ stay as they were,
on a database named after DATABASE_URL's with ``_smoke`` appended.
Figures at this size mean nothing and are not checked: only that every bench still
builds its data, serves its requests and exits 0. A bench missing from SMOKE_ARGS
fails the run, so a new bench has to say how it runs small.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SMOKE_ARGS = {
    "bench_case_sweep.py": ["3000", "200"],
    "bench_cases.py": ["300,600", "1"],
    "bench_catalogue.py": ["50", "1"],
    "bench_devolution.py": ["50", "1"],
    "bench_disclosure.py": ["300", "2000", "300"],
    "bench_dispatch.py": ["3000", "1"],
    "bench_intake.py": ["500", "60"],
    "bench_notice_sweeps.py": ["200", "200"],
    "bench_screen.py": ["2000", "2"],
    "bench_supervision.py": ["400", "4", "1"],
    "bench_tickets.py": ["2000,4000", "1"],
}


def main(only: list[str]) -> int:
    scripts = sorted(p.name for p in (ROOT / "bench").glob("bench_*.py"))
    unknown = [s for s in scripts if s not in SMOKE_ARGS]
    if unknown:
        print(f"bench-smoke: no smoke arguments for {', '.join(unknown)} (scripts/bench_smoke.py)", file=sys.stderr)
        return 1
    failed = []
    with tempfile.TemporaryDirectory(prefix="bench-smoke-") as out:
        env = {**os.environ, "BENCH_OUT": out, "BENCH_SMOKE": "1"}  # BENCH_SMOKE: no time limit fails
        if env.get("DATABASE_URL", "").startswith("postgres"):
            # A database of its own (its test_ copy is dropped and created by every bench): a smoke
            # run beside a real bench run on the same DATABASE_URL must not drop the other's data.
            env["DATABASE_URL"] = env["DATABASE_URL"].split("?")[0].rstrip("/") + "_smoke"
        for script in scripts:
            if only and script not in only:
                continue
            started = time.monotonic()
            run = subprocess.run(
                [sys.executable, f"bench/{script}", *SMOKE_ARGS[script]],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
            print(f"{script} {' '.join(SMOKE_ARGS[script])}: {status} in {time.monotonic() - started:.0f} s")
            if run.returncode:
                failed.append(script)
                print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
