"""Celery tasks of warnings: thin wrappers that call services (loaded by ``enforcement.apps``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="enforcement.warnings.tasks.sweep_warning_levels")
def sweep_warning_levels() -> dict:
    """Move open warnings to yellow/red by their correction deadline; notify once per change (idempotent)."""
    from enforcement.warnings.services import sweep_warning_levels as sweep

    return sweep().as_dict()
