"""Celery tasks of coercive measures: thin, idempotent, calling services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="enforcement.coercion.tasks.sweep_coercion_warnings")
def sweep_coercion_warnings() -> dict:
    """Light measures and enforcements yellow/red (art. 19, 25, 28, 53); notify once per change (idempotent)."""
    from enforcement.coercion.services import sweep_coercion_warnings as sweep

    return sweep().as_dict()
