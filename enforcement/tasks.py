"""Celery tasks of the core: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task

# Subject packages' tasks: Celery discovers only ``enforcement.tasks``.
from enforcement.coercion import tasks as coercion_tasks  # noqa: F401

# Idempotent tasks acknowledge late and are given back to the queue when their worker
# dies (CELERY_TASK_ACKS_LATE / CELERY_TASK_REJECT_ON_WORKER_LOST in settings).


@shared_task(name="enforcement.tasks.drain_outbox")
def drain_outbox() -> dict:
    """Send the due messages of the outbox, each at most once (safe to run twice, or in parallel)."""
    from enforcement.outbox import drain

    return drain().as_dict()


@shared_task(name="enforcement.tasks.email_notifications")
def email_notifications(notification_ids: list[int]) -> dict:
    """Kept for tasks queued before the outbox existed: their e-mails are outbox rows now."""
    from enforcement.outbox import drain

    return drain().as_dict()


@shared_task(name="enforcement.tasks.check_calendar_coverage")
def check_calendar_coverage() -> list[int]:
    """Notify administrators once per uncovered year that its holiday schedule is missing."""
    from enforcement.workdays import notify_uncovered_years

    return notify_uncovered_years()


@shared_task(name="enforcement.tasks.import_catalogue_job")
def import_catalogue_job(job_id: str) -> str:
    """Perform a catalogue import confirmed on the web page (progress in the cache)."""
    from enforcement.catalogue.jobs import run_import_job

    return run_import_job(job_id)


@shared_task(name="enforcement.tasks.sweep_case_warnings")
def sweep_case_warnings() -> dict:
    """Move cases to yellow/red for their most urgent pending step; notify once per change (idempotent)."""
    from enforcement.cases.deadlines import sweep_case_warnings as sweep

    return sweep().as_dict()


@shared_task(name="enforcement.tasks.recompute_provisional_deadlines")
def recompute_provisional_deadlines() -> dict:
    """A year's holiday schedule was entered: compute provisional deadlines again (cases here, tickets by signal)."""
    from enforcement.cases.deadlines import recompute_provisional_deadlines as recompute_cases
    from enforcement.workdays import calendar_changed

    out = recompute_cases().as_dict()
    for _receiver, answer in calendar_changed.send(sender=None):
        if isinstance(answer, dict):
            out.update(answer)
    return out
