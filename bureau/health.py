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

        timeout = float(getattr(settings, "REDIS_TIMEOUT", 1))
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
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


def _check_outbox(database: dict) -> dict:
    """Messages waiting to be sent: delayed when the oldest waits longer than OUTBOX_DELAY_WARNING."""
    if database["status"] != "ok":
        return {"status": "unknown"}
    from enforcement.outbox import backlog

    try:
        summary = backlog()
    except Exception as exc:  # noqa: BLE001
        return {"status": "unknown", "error": str(exc)[:200]}
    oldest = summary["oldest_pending_seconds"]
    delayed = oldest is not None and oldest > int(getattr(settings, "OUTBOX_DELAY_WARNING", 600))
    return {"status": "delayed" if delayed or summary["failed"] else "ok", **summary}


def check_all() -> dict:
    """Every part's state; ``status`` is "ok" when the database, Redis and the worker answer.

    The outbox is reported but does not make the site "down": a delayed message
    is a symptom of Redis or the worker (named beside it), or of the mail server.
    """
    from django.core.cache import cache

    redis = _check_redis()
    database = _check_database()
    parts = {"database": database, "redis": redis, "worker": _check_worker(redis),
             "cache": {"status": "fallback" if getattr(cache, "is_down", lambda: False)() else "ok"},
             "outbox": _check_outbox(database)}
    healthy = all(parts[p]["status"] in {"ok", "not_configured", "in_process"} for p in ("database", "redis", "worker"))
    return {"status": "ok" if healthy else "down", **parts}


@never_cache
def healthz(request):
    report = check_all()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


# --- the administrators' banner ------------------------------------------------------------
_WARNINGS_TTL = 15.0
_warnings_cache: tuple[float, list[str]] = (-float("inf"), [])


def service_warnings() -> list[str]:
    """What administrators should know is down, for the banner of every page (cached 15 s per process).

    Cheaper than /healthz: no worker ping, only Redis (with a short timeout) and the outbox.
    """
    global _warnings_cache
    from django.utils.translation import gettext as _

    checked_at, cached = _warnings_cache
    if time.monotonic() - checked_at < _WARNINGS_TTL:
        return [str(w) for w in cached]
    warnings = []
    redis = _check_redis()
    if redis["status"] == "down":
        warnings.append(_("Redis 无法连接：限流与缓存暂按单个进程计算，后台任务与邮件将延迟，待恢复后自动补发。"))
    outbox = _check_outbox({"status": "ok"})
    if outbox.get("failed"):
        warnings.append(_("有 %(count)d 条消息发送失败，请在“待发消息”中查看并重试。") % {"count": outbox["failed"]})
    elif outbox["status"] == "delayed":
        warnings.append(_("待发消息积压：最早一条已等待 %(minutes)d 分钟，请检查后台任务进程和邮件服务器。")
                        % {"minutes": (outbox["oldest_pending_seconds"] or 0) // 60})
    _warnings_cache = (time.monotonic(), warnings)
    return warnings


def reset_service_warnings() -> None:
    global _warnings_cache
    _warnings_cache = (-float("inf"), [])
