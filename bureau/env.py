"""Typed helpers for reading settings from the environment.

Modelled on healthchecks' ``hc/settings.py``: every setting has a safe default
and one place that parses it.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def parse_email_url(url: str) -> dict:
    """Turn ``EMAIL_URL`` into Django e-mail settings.

    Supported: ``smtp://user:pass@host:25``, ``smtp+tls://...`` (STARTTLS),
    ``smtp+ssl://...``, ``console://``, ``locmem://``, ``file:///path`` and
    ``dummy://``. Query ``?from=noreply@example.org`` sets DEFAULT_FROM_EMAIL.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme not in backends:
        raise ValueError(f"EMAIL_URL: unsupported scheme {scheme!r}")
    config: dict = {"EMAIL_BACKEND": backends[scheme]}
    if scheme.startswith("smtp"):
        config.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port or (465 if scheme == "smtp+ssl" else 25),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_TLS=scheme == "smtp+tls",
            EMAIL_USE_SSL=scheme == "smtp+ssl",
        )
    elif scheme == "file":
        config["EMAIL_FILE_PATH"] = parsed.path
    query = parse_qs(parsed.query)
    if "from" in query:
        config["DEFAULT_FROM_EMAIL"] = query["from"][0]
    return config
