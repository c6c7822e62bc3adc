"""Reporting reads on a read replica: a database router, off unless DATABASE_REPLICA_URL is set.

Only code that says so reads from the replica: a view wrapped in :func:`reporting_view` (or a
block in ``with reporting():``) - county statistics, summaries, exports - where a few seconds of
replication lag do not matter. Everything else, and every write, stays on ``default``: a clerk
who has just saved a ticket must read it back from where it was written, and a transition's
``select_for_update`` must lock the primary's row. Without a ``replica`` alias the router
answers ``None`` and Django uses ``default`` as if there were no router (README "Scaling out").
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator

from django.conf import settings

REPLICA = "replica"
_reporting = contextvars.ContextVar("bureau_reporting", default=False)


@contextlib.contextmanager
def reporting() -> Iterator[None]:
    """Reads inside go to the replica when one is configured."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reporting_view(view):
    """Decorate a read-only view whose queries may run on the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with reporting():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Send reads made under :func:`reporting` to the ``replica`` alias; everything else to ``default``."""

    def db_for_read(self, model, **hints):
        if _reporting.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows: an object read there may relate to one read on default.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is migrated by replication, never by manage.py migrate.
        return db != REPLICA
