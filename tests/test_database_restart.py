"""PostgreSQL restarts under a running site: a clear 503 meanwhile, and recovery without restarting the app.

A throwaway PostgreSQL cluster (initdb/pg_ctl from /usr/lib/postgresql/*/bin,
in a temporary directory, on a free port, as the ``postgres`` user when the
tests run as root) serves a gunicorn of the site. The test stops the cluster,
asks for pages, starts it again, and asks again: the first request after the
restart already works, on the same gunicorn worker (CONN_HEALTH_CHECKS).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import closed_port, require, stop_process_group

pytestmark = pytest.mark.postgres


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class Cluster:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.port = closed_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode:
            pytest.fail(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self.run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        self.run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "pg.log"),
                 "-o", f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off", "start")

    def stop(self) -> None:
        self.run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop", check=False)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


def get(url: str, cookie: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def cluster():
    require(_bin("initdb") is not None and _bin("pg_ctl") is not None, "PostgreSQL server binaries (initdb, pg_ctl)")
    # Directly under /tmp: the postgres user cannot enter pytest's per-user temporary directory.
    root = Path(tempfile.mkdtemp(prefix="bureau-pg-"))
    cluster = Cluster(root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_requests_during_a_database_restart_get_503_in_chinese_and_the_site_recovers_by_itself(cluster, tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "DATABASE_URL": cluster.url, "DB_CONN_MAX_AGE": "600", "SECRET_KEY": "restart-test-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):  # production: hashed static files
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=settings.BASE_DIR, env=env,
                       check=True, capture_output=True, timeout=300)
    port = closed_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bureau.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "1", "--timeout", "60"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(base + "/public/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        assert status == 200
        worker_pids = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
        session = "sessionid=" + _signed_in_session(env)

        cluster.stop()
        status, page = get(base + "/public/")
        assert status == 503, page[:500]
        assert "数据库暂时无法连接" in page
        # A signed-in user's first request: loading the session is the first thing that needs the
        # database, before the language is chosen. Still 503 in Chinese, for a page and the API alike.
        for path in ("/dispatch/", "/api/tickets/"):
            status, body = get(base + path, cookie=session)
            assert status == 503, (path, body[:500])
            assert "数据库暂时无法连接" in body and 'lang="en"' not in body
        status, page = get(base + "/public/", cookie=f"{session}; {settings.LANGUAGE_COOKIE_NAME}=en")
        assert status == 503 and "database cannot be reached" in page
        status, body = get(base + "/public/catalogue/?q=x")
        assert status == 503
        api_status, api_body = get(base + "/open311/v2/services.json")
        assert api_status == 503 and '"code": "service_unavailable"' in api_body

        cluster.start()
        status, page = get(base + "/public/")  # the very first request after the restart
        assert status == 200, page[:500]
        assert get(base + "/open311/v2/services.json")[0] == 200
        # Same worker process: the app recovered without a restart.
        assert set(re.findall(r"Booting worker with pid: (\d+)", log.read_text())) == worker_pids
    finally:
        stop_process_group(server)


def _signed_in_session(env: dict) -> str:
    """The key of a session of a new superuser in the cluster's database (as a login would store it)."""
    code = (
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "user = get_user_model().objects.create_superuser('restart_admin', 'r@example.cn', 'x')\n"
        "s = SessionStore()\n"
        "s.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),\n"
        "          BACKEND_SESSION_KEY: 'django.contrib.auth.backends.ModelBackend'})\n"
        "s.create()\n"
        "print(s.session_key)\n"
    )
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR, env=env,
                          check=True, capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/dispatch/", "/api/tickets/", "/accounts/login/", "/admin/"])
def test_a_database_lost_before_the_language_is_chosen_answers_503_in_chinese(monkeypatch, path, dispatcher):
    """The first request of a signed-in session: the session's row is the first thing read.

    Every query fails from the start (the connection cannot be opened), and the
    thread still has English active from the request it served before: the answer
    is the 503 in the site's language all the same, never a 500.
    """
    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test import Client
    from django.utils import translation

    client = Client(raise_request_exception=False)
    client.force_login(dispatcher)

    def refused(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", refused)
    translation.activate("en")
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "数据库暂时无法连接" in body
    if path.startswith("/api/"):
        assert response.json()["code"] == "service_unavailable"
    else:
        assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [(None, "数据库暂时无法连接"), ("en", "database cannot be reached")])
def test_a_lost_database_connection_answers_503_in_the_chosen_language(monkeypatch, language, text):
    from django.db import OperationalError
    from django.test import Client

    from enforcement import views_public

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views_public, "render", down)
    client = Client(raise_request_exception=False)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/public/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert text in response.content.decode()
