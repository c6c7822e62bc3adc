"""The Celery app: broker and schedule come from settings (CELERY_* names).

With REDIS_URL, Redis is broker and result backend; without it the embedded
default runs tasks in process and `make run` starts a worker with beat on
kombu's filesystem transport (bureau/settings.py "Celery").
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

app = Celery("bureau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="bureau.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong": used by the worker tests and to check a worker by hand."""
    return "pong"


# --- publishing without waiting on the broker ----------------------------------------------
# A request never waits on the broker (ARCHITECTURE.md "Background work"): publish
# once, without kombu's retry loop (which made a page wait ~19 s while Redis was
# down), and after a failure skip publishing for a while; whatever was to be
# published is picked up by a periodic task instead (the outbox drain, the sweeps).
import logging  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

logger = logging.getLogger(__name__)
BROKER_COOLDOWN_SECONDS = 30.0
_broker_failed_at = -float("inf")
_broker_lock = threading.Lock()


def broker_recently_failed() -> bool:
    return time.monotonic() - _broker_failed_at < BROKER_COOLDOWN_SECONDS


def publish(task, *args, **kwargs) -> bool:
    """Queue ``task`` (a Celery task or its registered name) if the broker answers now; never raise.

    A module below ``<app>.tasks`` names the task instead of importing it, so that
    the tasks module can import that module without an import cycle.

    Returns whether it was queued (or, in process, run). Only for work that a
    periodic task also catches up on: a ``False`` here means it runs later.
    """
    global _broker_failed_at
    if isinstance(task, str):
        task = app.tasks[task]
    if broker_recently_failed() and not app.conf.task_always_eager:
        logger.info("Broker failed recently: %s left to the periodic run", task.name)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # noqa: BLE001 - broker down, or the in-process run failed: log, never fail the request
        logger.warning("Could not queue %s; the periodic run will do it", task.name, exc_info=True)
        if not app.conf.task_always_eager:
            with _broker_lock:
                _broker_failed_at = time.monotonic()
        return False
    return True
