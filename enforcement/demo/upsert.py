"""Bulk "insert or update by stable key" for demo steps (one query per batch)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import models


def upsert(
    model: type[models.Model],
    objects: Iterable[models.Model],
    *,
    unique: Sequence[str],
    update: Sequence[str],
    batch_size: int = 500,
) -> None:
    """Insert ``objects``; rows that already exist by ``unique`` get ``update`` overwritten.

    Uses ``INSERT ... ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite), so a
    second run writes the same rows instead of duplicating them. The keys in
    one call must be distinct: PostgreSQL refuses to update a row twice in one
    statement.
    """
    objects = list(objects)
    if not objects:
        return
    model._default_manager.bulk_create(
        objects, update_conflicts=True, unique_fields=list(unique), update_fields=list(update), batch_size=batch_size
    )


def by_key(model: type[models.Model], key: str, values: Iterable) -> dict:
    """Map ``key`` value -> instance for the rows whose ``key`` is in ``values``."""
    values = list(values)
    return {getattr(obj, key): obj for obj in model._default_manager.filter(**{f"{key}__in": values})}
