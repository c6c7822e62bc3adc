"""Building a report in the background, with progress the report page shows.

As the catalogue import jobs (enforcement/catalogue/jobs.py): the job's state
lives in Django's cache under one key (Redis when configured, so the web
process and the worker see the same record; in process otherwise, where the
task runs in process too). The build itself is
:func:`supervision.disclosure.services.report_build`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.errors import DomainError
from supervision.disclosure.services import check_year_ended, report_build

logger = logging.getLogger(__name__)

JOB_TIMEOUT = 24 * 3600
# A job still queued or running after this long was lost (broker down, worker killed): a new build may start.
STALE_SECONDS = 15 * 60
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = frozenset({DONE, FAILED})


def _key(job_id: str) -> str:
    return f"disclosure-build-job:{job_id}"


def _year_key(year: int) -> str:
    return f"disclosure-build-year:{year}"


def get_job(job_id: str) -> dict[str, Any] | None:
    if not TOKEN_RE.match(job_id or ""):
        return None
    return cache.get(_key(job_id))


def job_for_year(year: int) -> dict[str, Any] | None:
    """The year's latest build job (running or finished), if the cache still has it."""
    job_id = cache.get(_year_key(year))
    return get_job(job_id) if job_id else None


def _save(job: dict[str, Any]) -> None:
    cache.set(_key(job["id"]), job, JOB_TIMEOUT)


def _update(job_id: str, **changes) -> dict[str, Any] | None:
    job = get_job(job_id)
    if job is None:
        return None
    job.update(changes)
    _save(job)
    return job


def start_build_job(year: int, *, by) -> str:
    """Record a build job for ``year`` and queue it after commit; return the job id.

    Refuses at once what the build would refuse (a year not ended), so the
    page shows the message instead of a failed job.
    """
    check_year_ended(year)
    running = job_for_year(year)
    if running and running["state"] not in FINISHED and not _stale(running):
        return running["id"]
    job_id = uuid.uuid4().hex
    _save(
        {
            "id": job_id,
            "year": year,
            "state": QUEUED,
            "done": 0,
            "total": 0,
            "step": "",
            "error": "",
            "user_id": by.pk if by else None,
            "queued_at": timezone.now().isoformat(),
            "finished_at": None,
        }
    )
    cache.set(_year_key(year), job_id, JOB_TIMEOUT)

    def queue() -> None:
        from bureau.celery import publish

        # Queued by name: the tasks module imports this one.
        if not publish("supervision.disclosure.build_report_job", job_id):
            _update(
                job_id, state=FAILED, error=_("无法提交后台任务，请稍后重试。"), finished_at=timezone.now().isoformat()
            )

    transaction.on_commit(queue)
    return job_id


def run_build_job(job_id: str) -> str:
    """Perform a queued build, writing progress into the job; a finished job is not run again."""
    job = get_job(job_id)
    if job is None:
        logger.warning("disclosure build job %s not found (expired?)", job_id)
        return "missing"
    if job["state"] in FINISHED:
        return job["state"]
    # Redelivered (acks late) while a first delivery still runs: let that one finish.
    if job["state"] == RUNNING and not _stale(job):
        return RUNNING
    _update(job_id, state=RUNNING, queued_at=timezone.now().isoformat())
    user = get_user_model().objects.filter(pk=job["user_id"]).first() if job["user_id"] else None

    def progress(done: int, total: int, step: str) -> None:
        _update(job_id, done=done, total=total, step=step)

    try:
        report = report_build(job["year"], by=user, progress=progress)
    except DomainError as exc:
        _update(job_id, state=FAILED, error=str(exc), finished_at=timezone.now().isoformat())
        return FAILED
    except Exception as exc:  # noqa: BLE001  (the page must say why; the build wrote nothing)
        logger.exception("disclosure build job %s failed", job_id)
        _update(job_id, state=FAILED, error=str(exc), finished_at=timezone.now().isoformat())
        return FAILED
    _update(job_id, state=DONE, report_id=report.pk, finished_at=timezone.now().isoformat())
    return DONE


def _stale(job: dict[str, Any]) -> bool:
    try:
        queued = dt.datetime.fromisoformat(job["queued_at"])
    except (KeyError, TypeError, ValueError):
        return True
    return (timezone.now() - queued).total_seconds() > STALE_SECONDS


def job_percent(job: dict[str, Any]) -> int:
    if job["state"] in FINISHED:
        return 100
    total = job.get("total") or 0
    return min(99, int(job.get("done", 0) * 100 / total)) if total else 0
