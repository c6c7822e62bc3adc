"""Per-process caches of small reference data, cleared in every process when the data changes.

Some reads are made on nearly every request but change a few times a year:
the holiday calendar, the ticket categories and townships an intake names
by code, the channels a client system may push through. Reading them from
the database each time is most of the cost of a cheap request, so each
process keeps them in memory.

A :class:`SharedVersionCache` keeps its entries in a plain dict per process
and a *version* in Django's cache (Redis in production). Whoever changes the
data calls :meth:`~SharedVersionCache.invalidate`: the local dict is emptied
at once and, when the transaction commits, the shared version is bumped.
Every other process compares the shared version with its own at most every
``check_seconds`` (a setting; 10 s by default) and starts afresh when it
moved. Without a shared cache (the embedded default uses a per-process
locmem cache) a change made in another process is therefore seen when the
entries expire, after ``max_age`` seconds.

Only what was found is cached (a miss is looked up again next time), so the
entries are bounded by the reference rows that exist.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


class SharedVersionCache:
    """A dict per process, dropped everywhere when :meth:`invalidate` is called (see the module docstring)."""

    def __init__(self, version_key: str, *, check_setting: str = "LOCAL_CACHE_CHECK_SECONDS",
                 max_age: float | None = None):
        self.version_key = version_key
        self.check_setting = check_setting
        # Entries older than this are read again even if no version bump was seen (None: never).
        self.max_age = max_age
        self._lock = threading.Lock()
        self.data: dict[Hashable, Any] = {}
        self._version: object = None
        self._checked_at = -math.inf
        self._filled_at = time.monotonic()

    # --- reading ------------------------------------------------------------------

    def check(self) -> None:
        """Start afresh if another process changed the data (looked at every ``check_seconds`` at most)."""
        now = time.monotonic()
        if self.max_age is not None and now - self._filled_at >= self.max_age:
            self.clear_local()
        interval = float(getattr(settings, self.check_setting, 10))
        if now - self._checked_at < interval:
            return
        self._checked_at = now
        try:
            version = cache.get(self.version_key)
        except Exception:  # noqa: BLE001 - keep serving the local copy while the cache is down
            logger.warning("Could not read the cache version %s", self.version_key, exc_info=True)
            return
        if version != self._version:
            self.clear_local()
            self._version = version

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value of ``key``, loaded with ``load()`` when missing (exceptions are not cached)."""
        self.check()
        data = self.data
        try:
            return data[key]
        except KeyError:
            pass
        value = load()
        data[key] = value  # into the dict this read started with: a concurrent clear is not undone
        return value

    # --- changing ------------------------------------------------------------------

    def invalidate(self) -> None:
        """Forget the entries here now, and in every process once the transaction commits.

        Clearing again on commit matters: another thread may reload the old
        rows between our write and its commit.
        """
        self.clear_local()
        transaction.on_commit(self._bump_shared_version)

    def clear_local(self) -> None:
        # Replace rather than clear the dict: a load running concurrently writes
        # into the dict it started with, never into the fresh one.
        with self._lock:
            self.data = {}
            self._filled_at = time.monotonic()

    def _bump_shared_version(self) -> None:
        self.clear_local()
        version = uuid.uuid4().hex
        try:
            cache.set(self.version_key, version, timeout=None)
        except Exception:  # noqa: BLE001 - a cache outage must not fail the admin's save
            logger.warning("Could not bump the cache version %s", self.version_key, exc_info=True)
            return
        self._version = version
