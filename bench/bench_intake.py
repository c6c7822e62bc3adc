"""Benchmark: ticket intake through the API under gunicorn, on top of an existing ticket table.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a
throwaway test database (``test_<name>`` of ``DATABASE_URL``), first filled
with EXISTING tickets by bench_dispatch's ``INSERT ... SELECT`` (default
200,000; pass 1000000 for the issue's figure)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \\
        .venv/bin/python bench/bench_intake.py [EXISTING] [TICKETS]

gunicorn runs with the production settings file, bureau/gunicorn.conf.py
(workers and threads from WEB_CONCURRENCY / GUNICORN_THREADS, as in
docker-compose.yml), bound to 127.0.0.1. Clients are threads of this script
on the same 2 cores, so the figures include the cost of generating the load.
Measured, each after warming every worker:

* ``staff``: ``POST /api/tickets/`` (a dispatcher's token), one ticket per
  request, a new TCP connection per request;
* ``hotline``: ``POST /api/intake/hotline/`` (a 12345 platform's token), one
  order per request, HTTP keep-alive as an integration's connection pool does;
* ``hotline_batch``: ``POST /api/intake/hotline/batch/``, 50 orders per request;
* ``open311``: ``POST /open311/v2/requests.json`` (GeoReport v2, form-encoded, a client's
  ``api_key``), one request per ticket, HTTP keep-alive.

Each is reported as a share of the bare-view ceiling (``bureau/bench_views.py``: the same
middleware, read the body, insert one row) measured in the same gunicorn run with the same
connection mode: issue 18 asks for at least 0.5. scripts/profile_intake.py says where the
rest of the time goes.

Every request must answer 201/200 and every ticket must exist afterwards
with a distinct number. Writes bench/out/bench_intake.json and prints a
summary; exits 1 if a request failed or tickets are missing.
"""

from __future__ import annotations

import http.client
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_dispatch import ROOT, build_reference_data, generate_tickets  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

CONCURRENCY = 8
WARMUP_REQUESTS = 200
BATCH_SIZE = 50
# The ceiling and each intake run alternate this many times (see measure()).
ROUNDS = 3
TARGET_PER_SECOND = 200


def create_ceiling_table() -> None:
    """The table the bare view (bureau/bench_views.py) inserts into."""
    from bureau.bench_views import CEILING_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {CEILING_TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_workers() -> str:
    """The worker set-up of bureau/gunicorn.conf.py as the environment leaves it."""
    conf = runpy.run_path(str(ROOT / "bureau" / "gunicorn.conf.py"))
    return f"{conf['workers']} workers x {conf['threads']} threads"


class Server:
    """gunicorn with the production config on a free local port, stopped with its workers."""

    def __init__(self):
        from django.conf import settings

        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if db.get("PASSWORD"):
            url = url.replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
        self.port = free_port()
        out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
        out.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BUREAU_TESTING": "1",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "BENCH_CEILING": "1",
        }  # routes bureau/bench_views.ceiling, the bare view intake is compared with
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bureau.wsgi:application",
                "--config",
                "bureau/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(out / "gunicorn.log", "wb"),
            start_new_session=True,  # its own process group: the workers stop with the master
        )
        deadline = time.monotonic() + 120  # a loaded 2-core machine starts 5 workers slowly
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start; see bench/out/gunicorn.log")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def run_load(server: Server, *, path: str, token: str | None, make_body, requests: int, keep_alive: bool,
             encode=json.dumps, content_type: str = "application/json", warm: bool = True, first: int = 0) -> dict:
    """POST ``encode(make_body(n))`` for n in ``first .. first + requests - 1`` from CONCURRENCY threads.

    With ``warm``, WARMUP_REQUESTS untimed requests first (n negative). Statuses and latencies.
    """
    headers = {"Content-Type": content_type, **({"Authorization": f"Token {token}"} if token else {})}
    local = threading.local()

    retries = []

    def send(conn, body):
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        return response

    def post(n: int) -> tuple[int, float]:
        body = encode(make_body(n))
        started = time.perf_counter()
        conn = getattr(local, "conn", None) if keep_alive else None
        for attempt in range(4):
            fresh = conn is None
            if fresh:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            try:
                response = send(conn, body)
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed the connection (an idle kept-alive one, or a worker
                # recycled by max_requests): as a client's connection pool does, reconnect
                # and send again; intake is idempotent on the order's reference anyway.
                conn.close()
                conn = None
                if attempt == 3:
                    raise
                if fresh:  # a kept-alive connection closed while idle is routine; a fresh one reset is not
                    retries.append(n)
        elapsed = time.perf_counter() - started
        if keep_alive and (response.getheader("Connection") or "").lower() != "close":
            local.conn = conn
        else:
            conn.close()
            local.conn = None
        return response.status, elapsed

    if warm:
        with ThreadPoolExecutor(CONCURRENCY) as pool:  # warm every worker: imports, connections, caches
            answers = set(s for s, _t in pool.map(post, range(-1, -1 - WARMUP_REQUESTS, -1)))
        assert answers <= {200, 201}, f"warm-up answered {answers}; see bench/out/gunicorn.log"
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(post, range(first, first + requests)))
    elapsed = time.perf_counter() - started
    return {
        "requests": requests,
        "errors": sum(1 for s, _t in results if s not in (200, 201)),
        "seconds": elapsed,
        "latencies": [t for _s, t in results],
        "reconnects": len(retries),  # requests sent again on a fresh connection after a reset
    }


def merged(parts: list[dict]) -> dict:
    """The figures of several chunks of one kind of request as one run."""
    latencies = sorted(t for part in parts for t in part["latencies"])
    seconds = sum(part["seconds"] for part in parts)
    requests = sum(part["requests"] for part in parts)
    return {
        "requests": requests,
        "errors": sum(part["errors"] for part in parts),
        "seconds": round(seconds, 2),
        "per_second": round(requests / seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 1),
        "reconnects": sum(part["reconnects"] for part in parts),
    }


def measure(ref: dict, tickets: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from dispatch.models import Ticket

    staff_token = Token.objects.create(user=ref["dispatcher"]).key
    platform = get_user_model().objects.create_user("svc-12345", password="x")
    platform.groups.add(Group.objects.get_or_create(name="intake:hotline_12345")[0])
    platform_token = Token.objects.create(user=platform).key
    open311_client = get_user_model().objects.create_user("svc-open311", password="x")
    open311_client.groups.add(Group.objects.get_or_create(name="intake:open311")[0])
    open311_key = Token.objects.create(user=open311_client).key
    township = ref["township_a"]
    from enforcement.models import Agency

    township_code = Agency.objects.get(pk=township).code

    def order(prefix: str, n: int) -> dict:
        return {
            "external_ref": f"{prefix}-{n}",
            "description": "压测：夜间施工噪声扰民，请核查。",
            "township": township_code,
            "category": "ZSRM",
            "reporter_phone": "13800000000",
            "place": "人民路 1 号",
        }

    runs = {
        "staff": dict(
            path="/api/tickets/",
            token=staff_token,
            keep_alive=False,
            per_request=1,
            make_body=lambda n: {
                "channel": "hotline_12345",
                "township": township,
                "description": "压测：夜间施工噪声扰民",
                "reporter_phone": "13800000000",
                "external_ref": f"S-{n}",
            },
        ),
        "hotline": dict(
            path="/api/intake/hotline/",
            token=platform_token,
            keep_alive=True,
            per_request=1,
            make_body=lambda n: order("H", n),
        ),
        "hotline_batch": dict(
            path="/api/intake/hotline/batch/",
            token=platform_token,
            keep_alive=True,
            per_request=BATCH_SIZE,
            make_body=lambda n: {"orders": [order(f"B{n}", i) for i in range(BATCH_SIZE)]},
        ),
        # GeoReport v2: a form-encoded POST naming the client by api_key (a municipal app's backend).
        "open311": dict(
            path="/open311/v2/requests.json",
            token=None,
            keep_alive=True,
            per_request=1,
            content_type="application/x-www-form-urlencoded",
            encode=urlencode,
            make_body=lambda n: {
                "api_key": open311_key,
                "service_code": "ZSRM",
                "description": "压测：夜间施工噪声扰民，请核查。",
                "address_string": "人民路 1 号",
                "phone": "13800000000",
                "device_id": f"O-{n}",
            },
        ),
    }
    out = {"workers": gunicorn_workers(), "concurrency": CONCURRENCY}
    create_ceiling_table()
    # The ceiling: a bare view behind the same middleware that reads the body and inserts one row,
    # in this gunicorn run, with each connection mode the intake runs use (issue 18).
    ceiling_body = {
        "description": "压测：夜间施工噪声扰民，请核查。",
        "reporter_phone": "13800000000",
        "place": "人民路 1 号",
        "external_ref": "C-0",
    }
    server = Server()
    ceiling_parts: dict[bool, list[dict]] = {False: [], True: []}
    try:
        for name, run in runs.items():
            before = Ticket.objects.count()
            requests = max(ROUNDS, tickets // run["per_request"])
            keep_alive = run["keep_alive"]
            # The ceiling and the intake in turns, ROUNDS times: on a shared machine the load
            # drifts, and a ceiling measured once at the start would be compared with intakes
            # measured under another load.
            parts, paired = [], []
            for turn in range(ROUNDS):
                paired.append(run_load(
                    server, path="/bench/ceiling/", token=None, make_body=lambda n: ceiling_body,
                    requests=max(1, tickets // ROUNDS), keep_alive=keep_alive,
                    warm=not ceiling_parts[keep_alive] and turn == 0,
                ))
                parts.append(run_load(
                    server, path=run["path"], token=run["token"], make_body=run["make_body"],
                    requests=requests // ROUNDS, keep_alive=keep_alive, warm=turn == 0,
                    first=turn * (requests // ROUNDS),
                    **{k: run[k] for k in ("encode", "content_type") if k in run},
                ))
            ceiling_parts[keep_alive] += paired
            figures = merged(parts)
            ceiling = merged(paired)
            done = figures["requests"]
            made = Ticket.objects.count() - before
            expected = (done + WARMUP_REQUESTS) * run["per_request"]
            figures.update(
                {
                    "tickets_per_request": run["per_request"],
                    "tickets": done * run["per_request"],
                    "tickets_per_second": round(done * run["per_request"] / figures["seconds"], 1),
                    "missing": expected - made,
                    "ceiling": ceiling,
                    "load_average_after": harness.load_average(),
                }
            )
            # Share of the ceiling: requests/s against the bare view's requests/s in the turns around
            # it (same connection mode); for the batch also tickets/s against the bare view's rows/s.
            figures["ratio_requests"] = round(figures["per_second"] / ceiling["per_second"], 2)
            figures["ratio_tickets"] = round(figures["tickets_per_second"] / ceiling["per_second"], 2)
            out[name] = figures
    finally:
        server.stop()
    for keep_alive, parts in ceiling_parts.items():
        if parts:
            out["ceiling_keep_alive" if keep_alive else "ceiling_new_connection"] = merged(parts)
    numbers = Ticket.objects.values("number").distinct().count()
    out["distinct_numbers"] = numbers == Ticket.objects.count()
    return out


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_intake: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    existing = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    tickets = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    load_before = harness.load_average()
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        machine = harness.machine()
        ref = build_reference_data()
        generate_tickets(existing, ref)
        result = measure(ref, tickets)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    result = {
        "bench": "intake",
        "commit": harness.commit(),
        "machine": machine,
        "load_average_before": load_before,
        "load_average_after": harness.load_average(),
        "existing_tickets": existing,
        **result,
    }
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_intake.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"intake via gunicorn ({result['workers']}, {CONCURRENCY} client threads), {existing} existing tickets, "
        f"load average {result['load_average_before']} -> {result['load_average_after']}; bare-view ceiling, "
        f"measured in turns with each run: {result['ceiling_new_connection']['per_second']} req/s (new connections), "
        f"{result['ceiling_keep_alive']['per_second']} req/s (kept alive):"
    )
    failures = []
    for name in ("staff", "hotline", "hotline_batch", "open311"):
        f = result[name]
        print(
            f"  {name}: {f['tickets_per_second']} tickets/s ({f['tickets_per_request']} per request), "
            f"{f['ratio_requests']} of the ceiling's {f['ceiling']['per_second']} requests/s "
            f"({f['ratio_tickets']} in rows), "
            f"p50 {f['p50_ms']}ms, p95 {f['p95_ms']}ms, {f['errors']} errors, {f['missing']} missing, "
            f"{f['reconnects']} resent after a reset"
        )
        if f["errors"] or f["missing"]:
            failures.append(f"{name}: {f['errors']} failed requests, {f['missing']} tickets missing")
    if not result["distinct_numbers"]:
        failures.append("two tickets share a number")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
