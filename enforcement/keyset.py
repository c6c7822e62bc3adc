"""Keyset (cursor) pagination: the next page starts after the last row read, not at an offset.

An offset page (``?page=5000&page_size=100``) makes the database read and
throw away the 499,900 rows before it; a keyset page reads from where the
previous page stopped, so page 5,000 costs what page 1 costs when an index
matches the ordering (issue 18). The position is one row's ordering value
and id, carried in an opaque ``cursor`` token.

Orderings served: one model field (either direction, nullable or not) with
the id as tie-breaker in the same direction, e.g. ``-created_at, -id`` or
``resolve_due, id``. PostgreSQL puts NULLs last going up and first going down;
a page that reaches across that border reads a second, equally bounded
segment, so a page is at most two queries.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import QuerySet


class InvalidCursor(ValueError):
    """The token is damaged, or was issued for another ordering."""


@dataclass(frozen=True)
class Ordering:
    field: str  # model field name (attname for a foreign key)
    descending: bool
    nullable: bool

    @property
    def key(self) -> str:
        return f"{'-' if self.descending else ''}{self.field}"


def ordering_of(queryset: QuerySet) -> Ordering | None:
    """The queryset's ordering if keyset pagination can serve it, else ``None``."""
    terms = list(queryset.query.order_by) or (
        list(queryset.query.get_meta().ordering) if queryset.query.default_ordering else []
    )
    if not terms or not all(isinstance(t, str) for t in terms):
        return None
    terms = [t for t in terms if t.lstrip("-") not in ("id", "pk")] if len(terms) > 1 else terms
    if len(terms) != 1 or "__" in terms[0] or terms[0].startswith("?"):
        return None
    name = terms[0].lstrip("-")
    descending = terms[0].startswith("-")
    if name in ("id", "pk"):
        return Ordering("id", descending, False)
    try:
        field = queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.many_to_many or field.one_to_many:
        return None
    return Ordering(field.attname, descending, bool(field.null))


def _dump(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode(ordering: Ordering, row) -> str:
    """The cursor that points just after ``row``."""
    if isinstance(row, dict):  # a .values() list
        value, pk = row.get(ordering.field, row.get(ordering.field.removesuffix("_id"))), row.get("id")
    else:
        value, pk = getattr(row, ordering.field), row.pk
    payload = {"o": ordering.key, "v": _dump(value), "i": pk}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(ordering: Ordering, queryset: QuerySet, token: str) -> tuple:
    """``(value, id)`` of the row a cursor points after; :class:`InvalidCursor` if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        if payload["o"] != ordering.key:
            raise InvalidCursor("ordering")
        pk = int(payload["i"])
        value = payload["v"]
        if ordering.field != "id" and value is not None:
            field = next(f for f in queryset.model._meta.concrete_fields if f.attname == ordering.field)
            value = field.to_python(value)
        elif ordering.field == "id":
            value = int(value)
    except (
        binascii.Error,
        ValueError,
        KeyError,
        TypeError,
        ValidationError,
        StopIteration,
        json.JSONDecodeError,
    ) as exc:
        raise InvalidCursor(str(exc)) from exc
    return value, pk


def _ordered(queryset: QuerySet, ordering: Ordering) -> QuerySet:
    sign = "-" if ordering.descending else ""
    if ordering.field == "id":
        return queryset.order_by(f"{sign}id")
    return queryset.order_by(f"{sign}{ordering.field}", f"{sign}id")


def _after_value(queryset: QuerySet, ordering: Ordering, value, pk: int) -> QuerySet:
    """Rows after ``(value, pk)`` among those whose field is not NULL.

    Written ``f <= v AND (f < v OR id < pk)`` (going down) rather than the bare
    OR: the first term bounds the index scan, so it starts at the cursor.
    """
    f = ordering.field
    if f == "id":
        return queryset.filter(id__lt=pk) if ordering.descending else queryset.filter(id__gt=pk)
    if ordering.descending:
        return queryset.filter(**{f"{f}__lte": value}).exclude(**{f: value, "id__gte": pk})
    return queryset.filter(**{f"{f}__gte": value}).exclude(**{f: value, "id__lte": pk})


def page_after(queryset: QuerySet, ordering: Ordering, cursor: tuple | None, size: int) -> tuple[list, bool]:
    """Up to ``size`` rows after ``cursor`` (``None``: from the start) and whether more follow."""
    down = ordering.descending
    by_id = "-id" if down else "id"
    if not ordering.nullable:
        rows = queryset if cursor is None else _after_value(queryset, ordering, *cursor)
        segments = [_ordered(rows, ordering)]
    else:
        values = queryset.filter(**{f"{ordering.field}__isnull": False})
        nulls = queryset.filter(**{f"{ordering.field}__isnull": True})
        if cursor is None:
            head, tail = nulls.order_by(by_id), _ordered(values, ordering)
            segments = [head, tail] if down else [tail, head]
        elif cursor[0] is None:
            # Inside the NULL block: the rest of it by id, then (going down) the rows with a value.
            rest = nulls.filter(id__lt=cursor[1]) if down else nulls.filter(id__gt=cursor[1])
            segments = [rest.order_by(by_id)] + ([_ordered(values, ordering)] if down else [])
        else:
            after = _ordered(_after_value(values, ordering, *cursor), ordering)
            segments = [after] if down else [after, nulls.order_by(by_id)]
    want = size + 1
    rows: list = []
    for segment in segments:
        if len(rows) >= want:
            break
        rows.extend(segment[: want - len(rows)])
    return rows[:size], len(rows) > size
