"""Profile one intake POST (staff API, hotline push, Open311) beside the bare view: where the time goes (issue 18).

Runs on a throwaway test database of DATABASE_URL, with bench_dispatch's reference data and a
few thousand tickets, through Django's test client (no network, no gunicorn: the server's own
cost per request). For each path - the bare-view ceiling of bench_intake (bureau/bench_views.py),
the staff ``POST /api/tickets/``, the hotline push, the Open311 ``POST requests.json`` -:

* the statements of one request, with their time;
* ``REQUESTS`` requests without a profiler: the CPU time per request of this process (Django:
  middleware, view, serializers, the service) and of the PostgreSQL backend serving it (read
  from /proc, so when PostgreSQL runs on this machine), which a loaded machine does not inflate
  as it does wall time; and the wall time, of which waiting on the database;
* a cProfile (of CPU time) of ``REQUESTS`` requests, summed by layer (middleware,
  authentication and permissions, parsing and validation, the service, writing the response,
  the driver), then the top functions by cumulative and by own time.

Writes bench/out/profile_intake.txt (or $BENCH_OUT) and prints the summary::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench .venv/bin/python scripts/profile_intake.py [REQUESTS]
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BUREAU_TESTING", "1")
os.environ["BENCH_CEILING"] = "1"  # route the bare view (bureau/bench_views.py) as bench_intake does
os.environ["DEBUG"] = "0"  # as in production and bench_intake's gunicorn: no query log in the cursor

from bench_dispatch import build_reference_data, generate_tickets  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 200

# Layers of one request in the cProfile: (label, file fragment, function); cumulative time of each.
LAYERS = [
    ("whole request (test client)", "django/test/client.py", "request"),
    ("  middleware and view", "django/core/handlers/base.py", "get_response"),
    ("    view", "django/core/handlers/base.py", "_get_response"),
    ("      DRF authentication + permissions", "rest_framework/views.py", "initial"),
    ("      request body parsing", "rest_framework/request.py", "_parse"),
    ("      serializer validation", "rest_framework/serializers.py", "is_valid"),
    ("      ticket_intake (the service)", "dispatch/services/intake.py", "ticket_intake"),
    ("        number (allocate_number)", "dispatch/services/numbering.py", "allocate_number"),
    ("        Ticket INSERT (create)", "django/db/models/query.py", "create"),
    ("        intake event (record_event)", "enforcement/workflow.py", "record_event"),
    ("        COMMIT (atomic __exit__)", "django/db/transaction.py", "__exit__"),
    ("      response body (represent)", "enforcement/serializers.py", "represent"),
    ("      Open311 answer (_render)", "dispatch/open311/views.py", "_render"),
    ("      JSON rendering (DRF)", "rest_framework/renderers.py", "render"),
    ("  database: every execute", "django/db/backends/utils.py", "_execute"),
]


class DatabaseClock:
    """Seconds spent in the driver: every statement (execute_wrapper) and every COMMIT."""

    def __init__(self):
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += 1

    def __enter__(self):
        self._commit = connection._commit
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()

        def timed_commit():
            started = time.perf_counter()
            try:
                return self._commit()
            finally:
                self.seconds += time.perf_counter() - started

        connection._commit = timed_commit
        return self

    def __exit__(self, *exc):
        connection._commit = self._commit
        self._wrapper.__exit__(*exc)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process on this machine (the database backend serving this script)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # the database runs elsewhere: its CPU is not counted
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def layer_times(stats: pstats.Stats) -> list[tuple[str, float]]:
    found = []
    for label, fragment, name in LAYERS:
        total = 0.0
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            if func == name and filename.replace(os.sep, "/").endswith(fragment):
                total = max(total, ct)  # the outermost frame of recursive or layered calls
        if total:
            found.append((label, total))
    return found


def main() -> int:
    from bench_intake import create_ceiling_table
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from enforcement.models import Agency

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    report = io.StringIO()
    summary = io.StringIO()
    try:
        ref = build_reference_data()
        generate_tickets(5000, ref)
        create_ceiling_table()
        staff = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=ref['dispatcher']).key}")
        platform = get_user_model().objects.create_user("svc-12345", password="x")
        platform.groups.add(Group.objects.get_or_create(name="intake:hotline_12345")[0])
        hotline = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=platform).key}")
        open311_user = get_user_model().objects.create_user("svc-open311", password="x")
        open311_user.groups.add(Group.objects.get_or_create(name="intake:open311")[0])
        api_key = Token.objects.create(user=open311_user).key
        code = Agency.objects.get(pk=ref["township_a"]).code
        json_body = "application/json"
        form_body = "application/x-www-form-urlencoded"
        from urllib.parse import urlencode

        paths = {
            "ceiling": (Client(), "/bench/ceiling/", json_body, lambda n: json.dumps({
                "description": "压测：夜间施工噪声扰民，请核查。", "reporter_phone": "13800000000",
                "place": "人民路 1 号", "external_ref": f"C-{n}"})),
            "staff": (staff, "/api/tickets/", json_body, lambda n: json.dumps({
                "channel": "hotline_12345", "township": ref["township_a"], "description": "压测：夜间施工噪声扰民",
                "reporter_phone": "13800000000", "external_ref": f"P-{n}"})),
            "hotline": (hotline, "/api/intake/hotline/", json_body, lambda n: json.dumps({
                "external_ref": f"H-{n}", "description": "压测：夜间施工噪声扰民，请核查。", "township": code,
                "category": "ZSRM", "reporter_phone": "13800000000", "place": "人民路 1 号"})),
            "open311": (Client(), "/open311/v2/requests.json", form_body, lambda n: urlencode({
                "api_key": api_key, "service_code": "ZSRM", "description": "压测：夜间施工噪声扰民，请核查。",
                "address_string": "人民路 1 号", "phone": "13800000000", "device_id": f"D-{n}"})),
        }
        per_request: dict[str, float] = {}
        for name, (client, path, content_type, body) in paths.items():
            for n in range(5):  # warm: imports, caches, the year's number sequence
                response = client.post(path, body(-1 - n), content_type=content_type)
                assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
            with CaptureQueriesContext(connection) as ctx:
                client.post(path, body(10**6), content_type=content_type)
            report.write(f"== {name}: {len(ctx.captured_queries)} statements in one request\n")
            for q in ctx.captured_queries:
                report.write(f"  {q['time']}s  {q['sql'][:160]}\n")

            backend = backend_pid()
            with DatabaseClock() as clock:
                started = time.perf_counter()
                cpu_started, backend_started = time.process_time(), cpu_seconds(backend)
                for n in range(REQUESTS):
                    client.post(path, body(10**7 + n), content_type=content_type)
                python_cpu = time.process_time() - cpu_started
                backend_cpu = cpu_seconds(backend) - backend_started
                elapsed = time.perf_counter() - started
            ms = elapsed / REQUESTS * 1000
            db_ms = clock.seconds / REQUESTS * 1000
            cpu_ms = (python_cpu + backend_cpu) / REQUESTS * 1000
            per_request[name] = cpu_ms
            line = (f"{name}: CPU {cpu_ms:.2f} ms per request = Django {python_cpu / REQUESTS * 1000:.2f} ms + "
                    f"PostgreSQL backend {backend_cpu / REQUESTS * 1000:.2f} ms; "
                    f"{clock.statements / REQUESTS:.1f} statements + COMMIT; wall {ms:.2f} ms, of which "
                    f"{db_ms:.2f} ms waiting on the database ({REQUESTS} requests, no profiler)")
            if name != "ceiling" and "ceiling" in per_request:
                line += f"; the bare view needs {per_request['ceiling'] / cpu_ms:.2f} of this CPU"
            summary.write(line + "\n")

            # CPU time, not wall time: on a shared machine waiting for the processor would swamp the figures.
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for n in range(REQUESTS):
                client.post(path, body(2 * 10**7 + n), content_type=content_type)
            profile.disable()
            stats = pstats.Stats(profile)
            report.write(f"== {name}: cProfile of {REQUESTS} requests, by layer (CPU ms per request, "
                         "cumulative, with the profiler's own overhead)\n")
            summary.write("  by layer (cProfile, CPU ms per request with the profiler's overhead):\n")
            for label, seconds in layer_times(stats):
                report.write(f"  {seconds / REQUESTS * 1000:8.2f}  {label}\n")
                summary.write(f"  {seconds / REQUESTS * 1000:7.2f} ms  {label}\n")
            text = io.StringIO()
            stats.stream = text
            stats.sort_stats("cumulative").print_stats(80)
            stats.sort_stats("tottime").print_stats(30)
            report.write(text.getvalue())
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "profile_intake.txt").write_text(summary.getvalue() + "\n" + report.getvalue())
    print(summary.getvalue())
    print(f"(statements and cProfile listings: {out / 'profile_intake.txt'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
