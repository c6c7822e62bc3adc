"""/healthz: the state of each configured part, HTTP 200 only when all answer."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report any failure as "down"
        return {"status": "down", "error": str(exc)[:200]}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"status": "not_configured"}
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "down", "error": str(exc)[:200]}


def _check_worker(redis: dict) -> dict:
    if not settings.REDIS_URL:
        # Embedded default: tasks run in process, so the "worker" is this process.
        return {"status": "in_process"}
    if redis["status"] != "ok":
        # No broker, no way to reach a worker: answer now instead of waiting for the ping timeout.
        return {"status": "down", "error": "broker (Redis) unavailable"}
    from bureau.celery import app

    try:
        started = time.monotonic()
        # limit=1: one live worker is enough, and stops waiting at its reply.
        replies = app.control.ping(timeout=float(getattr(settings, "HEALTHZ_WORKER_TIMEOUT", 1.5)), limit=1)
        if not replies:
            return {"status": "down", "error": "no worker answered the ping"}
        return {"status": "ok", "ms": round((time.monotonic() - started) * 1000)}
    except Exception as exc:  # noqa: BLE001
        return {"status": "down", "error": str(exc)[:200]}


@never_cache
def healthz(request):
    redis = _check_redis()
    parts = {"database": _check_database(), "redis": redis, "worker": _check_worker(redis)}
    healthy = all(p["status"] in {"ok", "not_configured", "in_process"} for p in parts.values())
    return JsonResponse({"status": "ok" if healthy else "down", **parts}, status=200 if healthy else 503)
