"""Celery tasks of the devolution app: thin, idempotent wrappers around services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="devolution.tasks.enact_due_batches")
def enact_due_batches() -> list[str]:
    """Put in force every published batch whose effective date has arrived (safe to run twice)."""
    from devolution.services import enact_due_batches as run

    return run()
