"""Every bench still runs (issue 18): ``make bench-smoke`` at a tiny size, in the suite so that CI catches a bench
that rotted. Figures are not checked; a bench exiting non-zero (a failed request, a query count growing with the
page size, a missing smoke argument for a new bench) fails the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgres


def test_every_bench_runs_at_a_tiny_size():
    url = os.environ.get("DATABASE_URL", "")
    require(url.startswith("postgres"), "PostgreSQL (set DATABASE_URL)")
    run = subprocess.run(
        [sys.executable, "scripts/bench_smoke.py"], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for script in sorted(p.name for p in (ROOT / "bench").glob("bench_*.py")):
        assert f"{script} " in run.stdout and "FAILED" not in run.stdout
