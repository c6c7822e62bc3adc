"""Tasks of the annual disclosure report (the beat schedule is bureau/schedule.py); thin and idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from enforcement.errors import DomainError
from supervision.disclosure import jobs, services

logger = logging.getLogger(__name__)


@shared_task(name="supervision.disclosure.build_report_job", acks_late=True)
def build_report_job(job_id: str) -> str:
    """A build started from the report page (progress in the cache)."""
    return jobs.run_build_job(job_id)


@shared_task(name="supervision.disclosure.build_previous_year", acks_late=True)
def build_previous_year() -> str:
    """2 January: build the draft of the year that just ended (a rebuild if it exists; never a published one)."""
    year = timezone.localdate().year - 1
    try:
        report = services.report_build(year)
    except DomainError as exc:
        logger.info("disclosure report %s not built: %s", year, exc)
        return str(exc)
    return f"{report} v{report.version}"


@shared_task(name="supervision.disclosure.sweep_warnings", acks_late=True)
def sweep_warnings() -> int:
    """From 20 January, daily: warn the judicial bureau and the bureau that last year's report is unpublished."""
    return services.sweep_disclosure_warnings()
