"""Role personas and service guards shared by the whole suite (STYLE.md practice 9)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from enforcement.models import AgencyKind, Role
from tests.factories import AgencyFactory, TownshipFactory, member

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "pass-Word-123"


def require(condition: bool, what: str) -> None:
    """Skip locally when a service is missing, but fail in CI (DEVELOPERS.md)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def postgres(db):
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")
    return connection


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL
    require(bool(url), "Redis (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        require(False, f"Redis at {url} ({exc})")
    return url


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county (``seed_demo``), seeded once per module inside a transaction rolled back at its end.

    Each test still runs in its own savepoint, so a test may change the demo freely.
    Use it only in modules whose every test reads the demo (a test that needs an empty
    database would see it): the demo takes ten seconds or more to build.
    """
    import io
    import time

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections, transaction

    media_root = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            started = time.monotonic()
            call_command("seed_demo", stdout=out)
            yield SimpleNamespace(output=out.getvalue(), seconds=time.monotonic() - started)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for conn in connections.all():
                conn.close_if_unusable_or_obsolete()
    settings.MEDIA_ROOT = media_root


@pytest.fixture
def county(db):
    """A small county: bureau, command centre, two townships, a stationed squadron, the judicial bureau."""
    bureau = AgencyFactory(code="BUREAU", name="测试县综合行政执法局", kind=AgencyKind.BUREAU)
    command = AgencyFactory(code="CMD", name="指挥中心", kind=AgencyKind.COMMAND_CENTRE, parent=bureau)
    town_a = TownshipFactory(code="TA", name="甲镇", kind=AgencyKind.TOWN)
    town_b = TownshipFactory(code="TB", name="乙街道", kind=AgencyKind.SUBDISTRICT)
    brigade = AgencyFactory(code="BRIG", name="执法大队", kind=AgencyKind.BRIGADE, parent=bureau)
    squadron_a = AgencyFactory(
        code="SQA", name="甲镇派驻中队", kind=AgencyKind.SQUADRON_STATIONED, parent=brigade, stationed_in=town_a
    )
    department = AgencyFactory(code="DEPT-NR", name="县自然资源局", kind=AgencyKind.DEPARTMENT)
    judicial = AgencyFactory(code="JUD", name="县司法局", kind=AgencyKind.JUDICIAL_BUREAU)
    return SimpleNamespace(
        bureau=bureau, command=command, town_a=town_a, town_b=town_b, brigade=brigade,
        squadron_a=squadron_a, department=department, judicial=judicial,
    )


@pytest.fixture
def dispatcher(county):
    return member(Role.DISPATCHER, county.command, "dispatcher", certified=True)


@pytest.fixture
def officer_a(county):
    """A township officer of township A."""
    return member(Role.TOWNSHIP_OFFICER, county.town_a, "officer_a", certified=True)


@pytest.fixture
def officer_b(county):
    """A township officer of township B."""
    return member(Role.TOWNSHIP_OFFICER, county.town_b, "officer_b", certified=True)


@pytest.fixture
def squadron_officer(county):
    return member(Role.SQUADRON_OFFICER, county.squadron_a, "squadron_a_officer", certified=True)


@pytest.fixture
def judicial_reviewer(county):
    return member(Role.JUDICIAL_REVIEWER, county.judicial, "judicial_reviewer")


@pytest.fixture
def department_staff(county):
    return member(Role.DEPARTMENT_STAFF, county.department, "dept_staff")


@pytest.fixture
def administrator(county):
    user = member(Role.ADMINISTRATOR, county.bureau, "bureau_admin", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def client_for(client):
    """Log a persona in: ``client_for(officer_a)`` returns a logged-in test client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """An authenticated DRF APIClient for a persona."""
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return make


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language (zh-hans), whatever an earlier test activated.

    A test that renders English (translation.activate, override) must not leak it into the
    next one: the suite runs in a random order.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The working-day calendar caches per process; rows a test rolls back must not leak into the next."""
    from enforcement import workdays

    workdays._clear_local()
    yield
    workdays._clear_local()


@pytest.fixture(autouse=True)
def _fresh_reference_cache():
    """Likewise intake's per-process reference rows (dispatch.refcache): rolled-back rows must not be served."""
    from dispatch.refcache import reference_cache

    reference_cache.clear_local()
    yield
    reference_cache.clear_local()


# --- Faults: Redis (cache and broker) unreachable ----------------------------------

def stop_process_group(process, timeout: float = 20) -> None:
    """Stop a subprocess started with ``start_new_session=True`` and its children: TERM, then KILL."""
    import signal
    import subprocess

    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(monkeypatch):
    """Celery publishes to a Redis at a closed port, as a web process does while Redis is down."""
    import bureau.celery as bureau_celery
    from bureau.celery import app

    url = f"redis://127.0.0.1:{closed_port()}/0"
    for key, value in (("CELERY_TASK_ALWAYS_EAGER", False), ("CELERY_BROKER_URL", url),
                       ("CELERY_RESULT_BACKEND", url)):
        monkeypatch.setitem(app.conf, key, value)
    monkeypatch.setitem(app.conf, "CELERY_BROKER_TRANSPORT_OPTIONS",
                        {"max_retries": 0, "socket_connect_timeout": 1})
    monkeypatch.setattr(bureau_celery, "_broker_failed_at", -float("inf"))

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    yield url
    reset_pools()


@pytest.fixture
def cache_down(settings):
    """The cache is a Redis at a closed port (bureau.cache falls back to this process's memory)."""
    from bureau.health import reset_service_warnings

    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = url
    settings.CACHES = {"default": {"BACKEND": "bureau.cache.FallbackRedisCache", "LOCATION": url,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    reset_service_warnings()
    yield url
    reset_service_warnings()


# --- Real Celery worker and browser (project infrastructure) ------------------

@pytest.fixture(scope="session")
def live_worker(tmp_path_factory):
    """A real ``celery worker`` subprocess on the test Redis, on a queue of its own.

    Its own queue keeps it from consuming tasks that other tests (or other test
    runs sharing the Redis database) leave on the default queue.
    """
    import subprocess
    import sys
    import time
    import uuid

    from django.conf import settings

    require(bool(settings.REDIS_URL), "Redis for the Celery worker (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        require(False, f"Redis at {settings.REDIS_URL} ({exc})")
    from bureau.celery import app

    name = f"bureau-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "BUREAU_TESTING": "1", "CELERY_TASK_ALWAYS_EAGER": "0"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "bureau", "worker", "--pool=solo", "-c", "1",
             "-Q", name, "-n", f"{name}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    hostname = None
    deadline = time.monotonic() + 45
    while hostname is None and time.monotonic() < deadline and proc.poll() is None:
        replies = app.control.ping(timeout=0.5)
        hostname = next((h for r in replies for h in r if h.startswith(name)), None)
    if hostname is None:
        proc.kill()
        proc.wait()
        require(False, f"a Celery worker on {settings.REDIS_URL}; its log:\n{log.read_text()[-3000:]}")
    yield SimpleNamespace(queue=name, hostname=hostname, process=proc, log=log)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


from tests.conftest_browser import browser, page  # noqa: E402, F401  (fixtures for tests that drive Chromium)
