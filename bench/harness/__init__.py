"""Shared pieces of the benches: machine facts, real-HTTP sampling, medians and p95, the JSON file.

Imported by bench/bench_*.py after Django is set up. Every figure a bench writes comes with the
commit, the machine, the load average before and after, the database engine and version, the
row counts and every sample, so two runs can be compared (bench/README.md).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")


def commit() -> str:
    """The commit measured; ``+uncommitted`` when tracked files differ from it (bench/out is ignored)."""
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    return f"{sha}+uncommitted" if changed else sha


@contextmanager
def busy_processes(count: int, warm_up: float = 5.0) -> Iterator[None]:
    """``count`` other processes spin on the CPU while the block runs (started ``warm_up`` s before).

    The issue's "measured while another process loads the machine", for the sweeps' catch-ups.
    """
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        if burners:
            time.sleep(warm_up)
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def timed_sweep(sweep, busy: int = 0, changed=None) -> dict:
    """Run ``sweep(now)`` once with ``busy`` CPU-bound processes beside it: its time, changes, notifications, queries.

    ``changed(result, now)`` gives the changes per level (default: ``result.changed``, level -> ids).
    Every query is counted: Django keeps the last 9,000 only (``queries_limit``), so a sweep making
    more (a query per object) would be counted short, or as none once the log is full.
    """
    from collections import deque

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from enforcement.models import Notification

    connection.queries_log = deque(maxlen=10_000_000)
    with busy_processes(busy):
        before = Notification.objects.count()
        load_before = load_average()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            now = timezone.now()
            result = sweep(now)
            seconds = time.perf_counter() - started
        changes = (changed(result, now) if changed is not None
                   else {str(k): len(v) for k, v in result.changed.items()})
        return {
            "seconds": round(seconds, 3), "changed": changes,
            "notifications": Notification.objects.count() - before, "queries": len(queries.captured_queries),
            "busy_processes": busy, "load_average_before": load_before, "load_average_after": load_average(),
        }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "engine": connection.vendor,
        "engine_version": version,
    }


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
    }


class HttpClient:
    """One kept-alive HTTP/1.1 connection to the local server, as a browser or an integration holds one.

    Authentication is sent on every request (a token header or a session cookie), so the server
    looks the user up each time: nothing is cached between requests on the client's side.
    """

    def __init__(self, port: int, *, token: str | None = None, session: str | None = None):
        self.port = port
        self.headers = {"Accept-Language": "zh-hans"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        if session:
            self.headers["Cookie"] = f"sessionid={session}"
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, float, bytes]:
        for attempt in range(3):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
            except (ConnectionError, http.client.HTTPException):
                # A worker recycled (max_requests) or an idle connection closed: reconnect, as a client does.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if (response.getheader("Connection") or "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, elapsed, body
        raise RuntimeError("unreachable")

    def sample(self, path: str, runs: int, *, warmup: int | None = None) -> dict:
        """``runs`` timed GETs after ``warmup`` untimed ones (2; none for a smoke run of one or two)."""
        for _ in range(2 if warmup is None and runs >= 3 else warmup or 0):
            status, _ms, body = self.get(path)
            if status != 200:
                raise AssertionError(f"GET {path} answered {status}: {body[:300]!r}")
        samples = []
        for _ in range(runs):
            status, ms, body = self.get(path)
            if status != 200:
                raise AssertionError(f"GET {path} answered {status}: {body[:300]!r}")
            samples.append(round(ms, 2))
        return {"path": path, **summary(samples), "samples_ms": samples}


def count_queries(client, path: str) -> int:
    """Queries of one request through Django's test client (signed in by session, not a cached user)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def write(name: str, result: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return path
