"""Load test: locust users against gunicorn on loopback, on the demo county in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \\
        .venv/bin/python bench/load/run_load.py [USERS] [SECONDS]     # default 200 users, 600 s

Builds a database of its own, ``<name of DATABASE_URL>_load`` (dropped first),
migrates it, seeds the demo county (``seed_demo``) and collects static files
into bench/out/load-var, then starts gunicorn with the production settings file
(bureau/gunicorn.conf.py, ``DEBUG=0``) on 127.0.0.1 and runs locust
(bench/load/locustfile.py) headless in a second process: USERS users spawned
at 20 a second, mixing the public pages, dispatchers' intake, triage and
assignment, and township officers' accept, start and resolve (see the
locustfile). With ``REDIS_URL`` set the site queues its tasks there (no worker
runs: the queue is flushed at the end); without it they run in the request.

Checks, each a failure (exit 1) when missed:

* no request failed (a 409 conflict, someone else moving the ticket first, is counted apart);
* the 95th percentile of every request together is under 500 ms;
* every successful action left exactly one workflow event (Event rows by the
  personas, by action, since the start), and no event exists without one.

Writes bench/out/load.json (figures, the load average before, during and after,
the commit and row counts) and the locust CSVs bench/out/load_*.csv, and prints
a summary. PostgreSQL only: without it the script says so and exits 0.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
# LOAD_OUT and LOAD_DATABASE_SUFFIX let the short run of the test suite keep apart from a full run.
OUT = Path(os.environ.get("LOAD_OUT") or ROOT / "bench" / "out")
P95_TARGET_MS = 500
SPAWN_RATE = 20
ACTIONS = ("intake", "triage", "assign", "accept", "start", "resolve")
# How many signed-in personas of each kind the users share (several users may act as one person).
DISPATCHERS = 10
OFFICERS_PER_TOWNSHIP = 4
# Tickets assigned to each township before the run, so officers have some to sign for from the start.
ASSIGNED_PER_TOWNSHIP = 3


def load_database_url(url: str) -> str:
    parts = urlsplit(url)
    suffix = os.environ.get("LOAD_DATABASE_SUFFIX", "_load")
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def static_is_current(static: Path) -> bool:
    """Whether a collectstatic of an earlier run can serve again (it is slow: every file hashed and compressed)."""
    manifest = static / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    return manifest.stat().st_mtime > newest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=1800
    )


def personas() -> dict:
    """Tokens and signed-in sessions of dispatchers and township officers, and (township, matter) pairs."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import F
    from rest_framework.authtoken.models import Token

    from dispatch.models import Ticket
    from enforcement.models import Membership, Role

    def persona(user, **extra) -> dict:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = Token.objects.get_or_create(user=user)[0].key
        return {"username": user.username, "token": token, "session": session.session_key, **extra}

    # Matters a township itself handles (a demo ticket of that township went to it): a ticket
    # triaged to one is assigned to the township, whose officers then sign for it.
    pairs = sorted(
        set(
            Ticket.objects.filter(
                responsible_agency_id__isnull=False, matter_id__isnull=False, township_id__isnull=False
            )
            .filter(responsible_agency_id=F("township_id"))
            .values_list("township_id", "matter_id")
        )
    )
    townships = sorted({t for t, _m in pairs})
    officers = []
    for township in townships:
        members = (
            Membership.objects.filter(
                agency_id=township, role=Role.TOWNSHIP_OFFICER, is_active=True, user__is_active=True
            )
            .select_related("user")
            .order_by("user__username")
        )
        officers += [persona(m.user, township=township) for m in members[:OFFICERS_PER_TOWNSHIP]]
    dispatchers = [
        persona(m.user)
        for m in Membership.objects.filter(role=Role.DISPATCHER, is_active=True)
        .select_related("user")
        .order_by("user__username")[:DISPATCHERS]
    ]
    stock_assigned(pairs, dispatchers[0]["username"])
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "pairs": pairs,
        "officers": officers,
        "dispatchers": dispatchers,
    }


def stock_assigned(pairs: list, dispatcher: str) -> None:
    """Put ASSIGNED_PER_TOWNSHIP tickets in each township's hands before the run.

    Officers sign only for tickets assigned to their own township. Without a stock,
    a short run (the suite's 30 s) depends on a dispatcher's new ticket reaching a
    township whose officer then happens to look in the time left: in one CI run no
    officer signed for any. These are written before the run's start time, so the
    comparison of actions with events does not count them.
    """
    from django.contrib.auth import get_user_model

    from dispatch import services
    from dispatch.models import Channel
    from enforcement.models import Agency, Matter

    by = get_user_model().objects.get(username=dispatcher)
    first_matter: dict = {}
    for township, matter in pairs:
        first_matter.setdefault(township, matter)
    for township_id, matter_id in first_matter.items():
        township, matter = Agency.objects.get(pk=township_id), Matter.objects.get(pk=matter_id)
        for _ in range(ASSIGNED_PER_TOWNSHIP):
            ticket = services.ticket_intake(
                channel=Channel.STAFF,
                by=by,
                township=township,
                description="压测准备：街面乱堆放，请核查处理。",
                place="人民路 2 号",
            ).ticket
            ticket = services.ticket_triage(ticket, by=by, matter=matter, township=township)
            services.ticket_assign(ticket, by=by)


WARM_UP_PATHS = (
    "/public/",
    "/public/catalogue/",
    "/dispatch/",
    "/dispatch/tickets/",
    "/dispatch/inbox/township/",
    "/api/tickets/?status=assigned",
    "/open311/v2/requests.json",
)


def warm_up(port: int, config: dict, rounds: int = 6) -> None:
    """Ask every kind of page a few times from parallel clients before measuring.

    The first requests of a gunicorn worker import the views and fill its caches (seconds each on a
    loaded machine); a site under real load has done that long ago. Not counted in the figures.
    """
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    officer = config["officers"][0]
    headers = {
        "Cookie": f"{config['session_cookie']}={officer['session']}",
        "Authorization": f"Token {officer['token']}",
    }

    def get(path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(get, WARM_UP_PATHS * rounds))
    bad = sorted({s for s in statuses if s >= 400})  # the board sends an officer on to their inbox (302)
    if bad:
        raise RuntimeError(f"warm-up answered {bad}; see load_gunicorn.log")


class LoadSampler(threading.Thread):
    """The 1-minute load average every 10 s while the test runs (the machine is shared)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(10):
            self.samples.append(os.getloadavg()[0])


def aggregated(csv_path: Path) -> dict:
    import csv

    with open(csv_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    by_name = {
        f"{r['Type']} {r['Name']}": {
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50_ms": float(r["50%"] or 0),
            "p95_ms": float(r["95%"] or 0),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "max_ms": float(total["Max Response Time"]),
        "by_request": by_name,
    }


def main() -> int:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("run_load: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    os.environ.pop("BUREAU_TESTING", None)  # the site as in production, also when a test starts this
    url = load_database_url(base_url)
    var = OUT / "load-var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    static = ROOT / "var" / "load-static"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
        "STATIC_ROOT": str(static),
    }
    env.pop("BUREAU_TESTING", None)
    started_setup = time.monotonic()
    recreate_database(url)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo")
    if not static_is_current(static):
        manage(env, "collectstatic", "--no-input", "-v", "0")

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "VAR_DIR")})
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from enforcement.models import Event

    config = personas()
    OUT.mkdir(parents=True, exist_ok=True)
    config_path, result_path = OUT / "load_config.json", OUT / "load_result.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False))
    result_path.unlink(missing_ok=True)
    actors = [p["username"] for p in config["dispatchers"] + config["officers"]]
    setup_seconds = round(time.monotonic() - started_setup, 1)

    port = free_port()
    log = open(OUT / "load_gunicorn.log", "wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bureau.wsgi:application",
            "--config",
            "bureau/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    sampler = LoadSampler()
    load_before = os.getloadavg()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("gunicorn did not start; see bench/out/load_gunicorn.log", file=sys.stderr)
                    return 1
                time.sleep(0.3)
        warm_up(port, config)
        since = timezone.now()
        sampler.start()
        locust = subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(SPAWN_RATE),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "30",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(OUT / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_CONFIG": str(config_path), "LOAD_RESULT": str(result_path)},
            capture_output=True,
            text=True,
            timeout=seconds + 300,
        )
        sampler.stop.set()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    load_after = os.getloadavg()
    (OUT / "load_locust.log").write_text(locust.stdout + locust.stderr)
    if not result_path.exists():
        print(f"locust did not finish (exit {locust.returncode}); see bench/out/load_locust.log", file=sys.stderr)
        return 1
    counted = json.loads(result_path.read_text())
    figures = aggregated(OUT / "load_stats.csv")
    connection.close()
    events = {a: Event.objects.filter(at__gte=since, action=a, actor__username__in=actors).count() for a in ACTIONS}
    done = {a: counted["done"].get(a, 0) for a in ACTIONS}
    stray = Event.objects.filter(at__gte=since, actor__username__in=actors).exclude(action__in=ACTIONS).count()
    if os.environ.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # queued tasks no worker ran
    from dispatch.models import Ticket

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    result = {
        "commit": commit.stdout.strip(),
        "database": "postgresql",
        "users": users,
        "seconds": seconds,
        "spawn_rate": SPAWN_RATE,
        "workers": f"gunicorn.conf.py defaults ({os.environ.get('WEB_CONCURRENCY', 'auto')})",
        "cpus": os.cpu_count(),
        "setup_seconds": setup_seconds,
        **figures,
        "actions_succeeded": done,
        "conflicts_409": counted["conflicts"],
        "events": events,
        "other_events_by_personas": stray,
        "tickets": Ticket.objects.count(),
        "events_total": Event.objects.count(),
        "load_average": {
            "before": round(load_before[0], 2),
            "during_mean": round(sum(sampler.samples) / len(sampler.samples), 2) if sampler.samples else None,
            "during_max": round(max(sampler.samples), 2) if sampler.samples else None,
            "after": round(load_after[0], 2),
        },
    }
    (OUT / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    failures = []
    if figures["failures"]:
        failures.append(f"{figures['failures']} requests failed (see load_failures.csv)")
    if figures["p95_ms"] >= P95_TARGET_MS:
        failures.append(f"p95 {figures['p95_ms']:.0f} ms >= {P95_TARGET_MS} ms")
    if events != done:
        failures.append(f"events {events} != successful actions {done}")
    if stray:
        failures.append(f"{stray} other events by the personas")
    print(
        f"load: {users} users x {seconds} s: {figures['requests']} requests ({figures['requests_per_second']}/s), "
        f"{figures['failures']} failed, p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms; "
        f"actions {sum(done.values())} = events {sum(events.values())} ({done}); 409 {dict(counted['conflicts'])}; "
        f"load average {result['load_average']}"
    )
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
