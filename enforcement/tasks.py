"""Celery tasks of the core: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="enforcement.tasks.email_notification", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int) -> bool:
    from enforcement.notifications import send_notification_email

    return send_notification_email(notification_id)


@shared_task(name="enforcement.tasks.email_notifications", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notifications(notification_ids: list[int]) -> int:
    """Send a batch of notification e-mails over one connection (see send_notification_emails)."""
    from enforcement.notifications import send_notification_emails

    return send_notification_emails(notification_ids)


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
