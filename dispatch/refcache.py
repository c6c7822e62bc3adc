"""Reference rows that intake names on every request, cached per process (``enforcement.localcache``).

A hotline or Open311 push names its category, township and grid by code, and
its client system's channels come from the groups ``intake:<channel>``; triage
ranks the matters in force by their names (``dispatch.suggest``).
These change a few times a year, so each process keeps what it has looked
up; a change saved anywhere (admin, the catalogue pages, a shell: the model
signals below) drops them in every process within
``settings.LOCAL_CACHE_CHECK_SECONDS`` (10 s by default; at once in the
process that saved it). Tokens and the client account's ``is_active`` are
still read on every request, so revoking a key or disabling an account takes
effect at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from rest_framework import serializers

from enforcement.localcache import SharedVersionCache

# Entries older than five minutes are read again, in case a change was made where no signal
# fired (a raw UPDATE) or the shared version could not be written.
reference_cache = SharedVersionCache("dispatch:reference:version", max_age=300)


def cached(kind: str, key: Hashable, load: Callable[[], Any]) -> Any:
    """``load()``'s result for (``kind``, ``key``), from this process's cache when it has it."""
    return reference_cache.get((kind, key), load)


def invalidate(**_kwargs) -> None:
    """Signal receiver: a reference row changed."""
    reference_cache.invalidate()


class CachedRelatedMixin:
    """A related field whose rows come from :data:`reference_cache` under ``cache_name``.

    Unknown values are looked up each time (only rows that exist are
    cached), but once per serializer instance: in a batch (``many=True``) one
    child validates every order, and fifty orders naming one wrong code cost
    one query, not fifty. ``cache_name`` names the queryset and the key
    (e.g. ``active_category`` by code, ``township_pk`` by id).
    """

    def __init__(self, *, cache_name: str, **kwargs):
        self.cache_name = cache_name
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        seen = self.__dict__.setdefault("_seen", {})
        key = data if isinstance(data, (str, int)) else repr(data)
        if key not in seen:
            try:
                lookup = super().to_internal_value
                seen[key] = (cached(self.cache_name, key, lambda: lookup(data)), None)
            except serializers.ValidationError as exc:
                seen[key] = (None, exc)
        value, error = seen[key]
        if error is not None:
            raise error
        return value


class CachedSlugRelatedField(CachedRelatedMixin, serializers.SlugRelatedField):
    pass


class CachedPrimaryKeyRelatedField(CachedRelatedMixin, serializers.PrimaryKeyRelatedField):
    pass


def connect_signals() -> None:
    """Drop the cache whenever a row it may hold changes (called from DispatchConfig.ready)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dispatch.models import TicketCategory
    from enforcement.models import Agency, Grid, Matter

    for model in (TicketCategory, Agency, Grid, Group, Matter):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"refcache-save-{model._meta.label}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"refcache-delete-{model._meta.label}")
    m2m_changed.connect(invalidate, sender=get_user_model().groups.through, dispatch_uid="refcache-user-groups")
