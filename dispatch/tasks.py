"""Celery tasks of the dispatch app: thin, idempotent wrappers around services."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(name="dispatch.tasks.sweep_ticket_warnings", autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def sweep_ticket_warnings() -> dict:
    """Move tickets to yellow / red and notify once per change of level (safe to run twice)."""
    from dispatch.sla import sweep_warnings

    return sweep_warnings().as_dict()
