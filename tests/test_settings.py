"""Settings: production refuses to start unsafely; deploy checks are clean; EMAIL_URL parsing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from bureau.env import env_bool, env_int, env_list, parse_email_url

PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "zfj.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://zfj.example.gov.cn",
    # A closed port: the checks below must not need the database.
    "DATABASE_URL": "postgres://bureau:secret@127.0.0.1:1/bureau",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a clean environment: no pytest imported, so no test relaxations."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True, timeout=120,
    )


def test_production_without_secret_key_refuses_to_start_with_a_clear_message(tmp_path):
    result = manage(tmp_path, "check", **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_offline_tooling_runs_without_secret_key_but_serving_still_refuses(tmp_path):
    offline = manage(tmp_path, "makemigrations", "--check", "--dry-run", **PRODUCTION)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "No changes detected" in offline.stdout

    # The WSGI entry point gunicorn serves from.
    serving = subprocess.run(
        [sys.executable, "-c", "import bureau.wsgi"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VAR_DIR": str(tmp_path / "var"), **PRODUCTION},
    )
    assert serving.returncode != 0
    assert "SECRET_KEY is not set" in serving.stderr
    migrate = manage(tmp_path, "migrate", "--plan", **PRODUCTION)
    assert migrate.returncode != 0
    assert "SECRET_KEY is not set" in migrate.stderr


def test_development_without_secret_key_starts(tmp_path):
    result = manage(tmp_path, "check", DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_are_clean_with_production_values(tmp_path):
    result = manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64), **PRODUCTION
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_catch_a_weak_secret_key(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short", **PRODUCTION)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# --- bureau/env.py -----------------------------------------------------------------


def test_email_url_smtp_with_starttls_credentials_and_sender():
    config = parse_email_url("smtp+tls://zfj%40example.gov.cn:p%40ss%3Aword@mail.example.gov.cn:587?from=zfj@example.gov.cn")

    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "zfj@example.gov.cn",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "zfj@example.gov.cn",
    }


@pytest.mark.parametrize(("url", "port", "tls", "ssl"), [
    ("smtp://mail.local", 25, False, False),
    ("smtp+ssl://mail.local", 465, False, True),
    ("smtp+tls://mail.local", 25, True, False),
])
def test_email_url_smtp_default_ports_and_encryption(url, port, tls, ssl):
    config = parse_email_url(url)

    assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (port, tls, ssl)
    assert config["EMAIL_HOST_USER"] == ""
    assert config["EMAIL_HOST_PASSWORD"] == ""


def test_email_url_smtp_without_host_uses_localhost():
    assert parse_email_url("smtp://")["EMAIL_HOST"] == "localhost"


@pytest.mark.parametrize(("url", "backend"), [
    ("console://", "console"),
    ("locmem://", "locmem"),
    ("dummy://", "dummy"),
])
def test_email_url_local_backends(url, backend):
    assert parse_email_url(url) == {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}


def test_email_url_file_backend_keeps_the_path():
    config = parse_email_url("file:///var/spool/bureau-mail")

    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert config["EMAIL_FILE_PATH"] == "/var/spool/bureau-mail"


@pytest.mark.parametrize("url", ["", "mailgun://key@domain", "http://mail.local"])
def test_email_url_unsupported_scheme_is_refused(url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        parse_email_url(url)


def test_env_helpers_parse_typed_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", " Yes ")
    monkeypatch.setenv("X_FALSE", "0")
    monkeypatch.setenv("X_EMPTY", "")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", " a.example , ,b.example ")
    monkeypatch.delenv("X_MISSING", raising=False)

    assert env_bool("X_BOOL") is True
    assert env_bool("X_FALSE", True) is False
    assert env_bool("X_EMPTY", True) is True
    assert env_bool("X_MISSING") is False
    assert env_int("X_INT", 1) == 42
    assert env_int("X_EMPTY", 7) == 7
    assert env_list("X_LIST") == ["a.example", "b.example"]
    assert env_list("X_MISSING", "x,y") == ["x", "y"]
