"""The load test's short version: 20 locust users for 30 s against gunicorn on the demo county.

The full run (200 users, 10 minutes) is ``bench/load/run_load.py`` with no
arguments (bench/README.md). This one checks the same things on a smaller
scale: no request fails, the 95th percentile stays under 500 ms, and every
successful action left exactly one workflow event. It builds a database of its
own next to DATABASE_URL's (``<name>_load_test``) and needs PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import require

pytestmark = pytest.mark.postgres


def test_twenty_users_for_thirty_seconds_no_errors_p95_under_500_ms_one_event_per_action(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    require(url.startswith(("postgres://", "postgresql://")), "PostgreSQL (set DATABASE_URL)")
    env = {**os.environ, "LOAD_OUT": str(tmp_path), "LOAD_DATABASE_SUFFIX": "_load_test"}
    done = subprocess.run(
        [sys.executable, "bench/load/run_load.py", "20", "30"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "load.json").read_text())
    assert result["failures"] == 0 and result["p95_ms"] < 500
    assert result["requests"] > 100
    assert result["events"] == result["actions_succeeded"]
    # The mix really wrote: tickets taken in, triaged, assigned and signed for.
    assert all(result["actions_succeeded"][a] > 0 for a in ("intake", "triage", "assign", "accept"))
