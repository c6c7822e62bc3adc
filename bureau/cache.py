"""The cache: Redis, or a memory cache in this process while Redis does not answer.

Rate limits, progress of long jobs and version stamps live in the cache. When
Redis is down a page must keep working (ARCHITECTURE.md "Background work"):
every call that fails to reach Redis is answered from a per-process memory
cache instead, and for ``FALLBACK_SECONDS`` afterwards Redis is not tried at
all, so pages do not pay a connection timeout each. Rate limits then count per
process, which is the best that can be done without a shared store.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.RedisError, OSError)


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        self.fallback_seconds = float(params.pop("FALLBACK_SECONDS", 10))
        super().__init__(server, params)
        self._fallback = LocMemCache(f"bureau-fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10000}})
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.last_error = ""

    def is_down(self) -> bool:
        """Whether Redis failed within the last ``fallback_seconds``."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, **kwargs):
        if self.is_down():
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _redis_errors() as exc:
            with self._lock:
                first = not self.is_down()
                self._down_until = time.monotonic() + self.fallback_seconds
                self.last_error = f"{type(exc).__name__}: {exc}"[:200]
            if first:
                logger.warning("Redis cache unavailable, using this process's memory for %ss: %s",
                               self.fallback_seconds, self.last_error)
            return getattr(self._fallback, name)(*args, **kwargs)


def _through_fallback(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


# Every operation of Django's cache API goes through _call().
for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many",
              "clear"):
    setattr(FallbackRedisCache, _name, _through_fallback(_name))
