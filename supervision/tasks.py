"""Periodic work of case-file review (declared in bureau/schedule.py); thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from supervision.services.coverage import warn_unreviewed
from supervision.services.rectification import sweep_rectification_warnings


@shared_task(name="supervision.tasks.sweep_review_warnings", acks_late=True)
def sweep_review_warnings() -> dict:
    """Rectification notices to yellow/red (notify once per level); from 1 November, unreviewed agencies."""
    result = sweep_rectification_warnings()
    result["unreviewed_notified"] = warn_unreviewed()
    return result

# The disclosure report's tasks live in its subject package; imported here so the worker registers them.
from supervision.disclosure import tasks as _disclosure_tasks  # noqa: E402, F401
