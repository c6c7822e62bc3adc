"""Celery tasks of the dispatch app: thin, idempotent wrappers around services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(name="dispatch.tasks.sweep_ticket_warnings", autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def sweep_ticket_warnings() -> dict:
    """Move tickets to yellow / red and notify once per change of level (safe to run twice)."""
    from dispatch.sla import sweep_warnings

    return sweep_warnings().as_dict()


@shared_task(name="dispatch.tasks.compact_ticket_counts", autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def compact_ticket_counts() -> dict:
    """Fold the board summary's delta rows into one row per key (safe to run twice)."""
    from dispatch.summary import compact

    return compact()


@shared_task(name="dispatch.tasks.reconcile_ticket_counts", autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3)
def reconcile_ticket_counts() -> dict:
    """Rebuild the board's summary from the tickets and log any drift (safe to run twice)."""
    from dispatch.summary import reconcile

    drifts = reconcile()
    if drifts:
        # A drift means a writer of a ticket's township, agency, state or light bypassed dispatch.summary.
        logger.warning("board summary drifted on %d keys, rebuilt: %s", len(drifts),
                       [(d.key, d.summary, d.tickets) for d in drifts[:20]])
    return {"drifted_keys": len(drifts),
            "drift": [{"key": list(d.key), "summary": d.summary, "tickets": d.tickets} for d in drifts[:100]]}
