"""The one notification service: in-app inbox plus e-mail, at most once per reason.

Later work (deadline warnings, urges, rectification notices) sends through
:func:`notify` / :func:`notify_many` and never builds its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from enforcement.models.notifications import Notification
from enforcement.models.outbox import OutboxMessage


class SubjectRef(NamedTuple):
    """A subject named by its model and id, for a bulk sender that holds no instance (the sweep)."""

    model: type[models.Model]
    pk: int


def _subject_key(subject: models.Model | SubjectRef | None) -> tuple[ContentType | None, int | None]:
    if subject is None:
        return None, None
    model = subject.model if isinstance(subject, SubjectRef) else type(subject)
    return ContentType.objects.get_for_model(model), subject.pk


def notify(
    recipient,
    *,
    reason: str,
    title: str,
    subject: models.Model | None = None,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> Notification | None:
    """Send one notification unless this recipient already had one for (subject, reason).

    Returns the new notification, or ``None`` when it had been sent before.
    Its e-mail is an outbox row written in the same transaction (enforcement.outbox).
    """
    ct, object_id = _subject_key(subject)
    try:
        with transaction.atomic():
            note, created = Notification.objects.get_or_create(
                recipient=recipient,
                content_type=ct,
                object_id=object_id,
                reason=reason,
                defaults={"title": str(title)[:200], "body": str(body), "url": url},
            )
            if created and email:
                # In the same transaction as the inbox row: both exist, or neither.
                _enqueue_email([note], {recipient.pk: recipient})
    except IntegrityError:
        # A concurrent sender won the unique constraint: it was sent once.
        return None
    if not created:
        return None
    return note


def notify_many(
    recipients: Iterable,
    *,
    reason: str,
    title: str,
    subject: models.Model | None = None,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify several users about one subject: constant queries, once per (recipient, subject, reason)."""
    message = Message(list(recipients), subject, reason, title, body, url)
    return notify_each([message], email=email)


@dataclass(frozen=True)
class Message:
    """One notification to send to several recipients about one subject (see :func:`notify_each`)."""

    recipients: list
    subject: models.Model | SubjectRef | None
    reason: str
    title: str
    body: str = ""
    url: str = ""


class Sent(NamedTuple):
    """A notification row as :func:`notify_each` writes it, without a model instance.

    A sweep's catch-up sends tens of thousands: building a ``Notification`` for
    each (Django's model ``__init__`` sets every field) was a sixth of its time.
    Callers read ``pk``, ``recipient_id``, ``object_id``, ``reason``, ``title``,
    ``body`` and ``url`` of what was sent, as they would of a ``Notification``.
    """

    recipient_id: int
    content_type_id: int | None
    object_id: int | None
    reason: str
    title: str
    body: str
    url: str
    pk: int | None = None


def _model(row: Sent) -> Notification:
    return Notification(
        recipient_id=row.recipient_id, content_type_id=row.content_type_id, object_id=row.object_id,
        reason=row.reason, title=row.title, body=row.body, url=row.url,
    )


def notify_each(messages: Iterable[Message], *, email: bool = True) -> list[Notification | Sent]:
    """Send many messages (e.g. one per ticket of a sweep) in a constant number of queries.

    Same guarantee as :func:`notify`: once per (recipient, subject, reason).
    Sweeps use it instead of calling :func:`notify_many` per object.

    On PostgreSQL, from 50 rows: one ``INSERT ... ON CONFLICT DO NOTHING
    RETURNING`` (:func:`_insert_new`): the once-only constraint skips what was
    sent before, or is being sent by a concurrent sender (PostgreSQL waits for
    its transaction, then skips), and returns the rows sent now. Otherwise two
    queries: which of these were sent before, and one INSERT that returns the
    new rows' ids; only when a concurrent sender inserted some of the same rows
    meanwhile does it fall back to inserting the rest and reading back.
    Returns what was sent now: ``Notification`` objects, or for a large send on
    PostgreSQL :class:`Sent` rows with the same attributes.
    """
    messages = [m for m in messages if any(r is not None for r in m.recipients)]
    if not messages:
        return []
    users = {r.pk: r for m in messages for r in m.recipients if r is not None}
    wanted: dict[tuple[int, int | None, int | None, str], Sent] = {}
    for m in messages:
        ct, object_id = _subject_key(m.subject)  # content types are cached by Django after the first call
        ct_id = ct.pk if ct is not None else None
        title, body = str(m.title)[:200], str(m.body)
        for r in m.recipients:
            if r is None:
                continue
            wanted[(r.pk, ct_id, object_id, m.reason)] = Sent(r.pk, ct_id, object_id, m.reason, title, body, m.url)
    if _one_statement(len(wanted)):
        with transaction.atomic():
            created = _insert_new(list(wanted.values()))
            if email:
                # The e-mails are outbox rows of the same transaction as the notifications.
                _enqueue_email(created, users)
        return created
    keys = _keys(wanted)
    existing = set(
        Notification.objects.filter(keys, recipient_id__in=users).values_list(
            "recipient_id", "content_type_id", "object_id", "reason"
        )
    )
    fresh = [n for key, n in wanted.items() if key not in existing]
    if not fresh:
        return []
    try:
        with transaction.atomic():
            # PostgreSQL (and SQLite >= 3.35) return the new ids: no read-back.
            created = _insert(fresh)
            if email and all(n.pk is not None for n in created):
                # The e-mails are outbox rows of the same transaction as the notifications.
                _enqueue_email(created, users)
    except IntegrityError:
        created = []
    if not created or any(n.pk is None for n in created):
        # A concurrent sender inserted some of these rows: insert the rest and
        # read back those still unsent (the unique constraint keeps it once).
        with transaction.atomic():
            Notification.objects.bulk_create([_model(row) for row in fresh], ignore_conflicts=True)
            fresh_keys = {(n.recipient_id, n.content_type_id, n.object_id, n.reason) for n in fresh}
            created = [
                n
                for n in Notification.objects.filter(
                    _keys(fresh_keys), recipient_id__in={k[0] for k in fresh_keys}, emailed_at__isnull=True
                )
                if (n.recipient_id, n.content_type_id, n.object_id, n.reason) in fresh_keys
            ]
            if email:
                # The concurrent sender wrote the e-mails of its rows in its own transaction.
                queued = set(OutboxMessage.objects.filter(notification__in=created).values_list(
                    "notification_id", flat=True))
                _enqueue_email([n for n in created if n.pk not in queued], users)
    return created


def _keys(wanted) -> Q:
    """One lookup per content type covering these (recipient, ct, object, reason) keys.

    ``object_id IN (...) AND reason IN (...)`` per content type reads a few
    more rows than the exact pairs (a reason of one subject with another
    subject's id), which the caller drops by its exact keys; one OR-ed term
    per reason made a query of thousands of terms in a sweep, whose building
    cost more than the rest of the send.
    """
    groups: dict[int | None, tuple[set[int | None], set[str]]] = {}
    for _recipient, ct_id, object_id, reason in wanted:
        ids, reasons = groups.setdefault(ct_id, (set(), set()))
        ids.add(object_id)
        reasons.add(reason)
    keys = Q()
    for ct_id, (ids, reasons) in sorted(groups.items(), key=lambda item: item[0] or 0):
        if ct_id is None:
            keys |= Q(content_type__isnull=True, object_id__isnull=True, reason__in=sorted(reasons))
        else:
            keys |= Q(content_type_id=ct_id, object_id__in=sorted(i for i in ids if i is not None),
                      reason__in=sorted(reasons))
    return keys


_INSERT_COLUMNS = ("recipient_id", "content_type_id", "object_id", "reason", "title", "body", "url", "created_at")


def _one_statement(rows: int) -> bool:
    """Whether a send of this many rows is one INSERT ... ON CONFLICT (PostgreSQL, 50 rows or more)."""
    from django.db import connection

    return connection.vendor == "postgresql" and rows >= 50


def _insert(rows: list[Sent]) -> list[Notification]:
    """INSERT these new notifications (``bulk_create``, which sets their ids where the database returns them)."""
    return Notification.objects.bulk_create([_model(row) for row in rows])


def _insert_new(rows: list[Sent]) -> list[Sent]:
    """INSERT those of these notifications not sent before; return them with their ids (PostgreSQL).

    One ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING``: a sweep's
    thousands of rows cost one statement whose parameters are eight arrays (``bulk_create``
    spent most of its time preparing each value of each row), and the once-only constraint
    (nulls not distinct) is the check, so no query asks first which were sent before. The ids
    come back with each row's unique key, so nothing depends on the order RETURNING gives them in.
    Each array is sent as one literal (:func:`_array_literal`): psycopg2 would send a list as
    ``ARRAY[v1, v2, ...]``, which PostgreSQL parses as an expression per value (40 % of the
    statement's time for a chunk of 2,000 rows).
    """
    from django.db import connection

    q = connection.ops.quote_name
    table = q(Notification._meta.db_table)
    columns = ", ".join(q(c) for c in _INSERT_COLUMNS)
    aliases = ", ".join(f"u_{c}" for c in _INSERT_COLUMNS)
    types = ("bigint[]", "integer[]", "bigint[]", "text[]", "text[]", "text[]", "text[]", "timestamptz[]")
    arrays = ", ".join(f"%s::{t}" for t in types)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {aliases} FROM unnest({arrays}) AS u({aliases}) "
        f"ON CONFLICT DO NOTHING "
        f"RETURNING {q('id')}, {q('recipient_id')}, {q('content_type_id')}, {q('object_id')}, {q('reason')}"
    )
    # Sent's first seven fields are the first seven columns; every row is sent now.
    params = [_array_literal(column) for column in zip(*(row[:7] for row in rows), strict=True)]
    params.append(_array_literal([timezone.now().isoformat()] * len(rows)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {tuple(row[1:]): row[0] for row in cursor.fetchall()}
    return [row._replace(pk=ids[row[:4]]) for row in rows if row[:4] in ids]


def _array_literal(values: Iterable[str | int | None]) -> str:
    """A PostgreSQL array literal (``{"a","b",NULL,3}``) of strings, integers and NULLs."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, str):
            # Inside double quotes only the backslash and the double quote are special.
            items.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            items.append(str(int(value)))
    return "{" + ",".join(items) + "}"


def mark_read(notification: Notification, *, by) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, by) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _enqueue_email(notes: list[Notification], users: dict) -> None:
    """Write the e-mail of each notification to the outbox (sent by enforcement.outbox.drain)."""
    from django.conf import settings

    from enforcement.outbox import Email, enqueue_emails

    emails = []
    for note in notes:
        address = getattr(users.get(note.recipient_id), "email", "")
        if not address:
            continue
        link = f"{settings.SITE_URL}{note.url}" if note.url else ""
        body = "\n\n".join(part for part in (note.body, link) if part)
        emails.append(Email(to=address, subject=note.title, body=body, notification_id=note.pk))
    enqueue_emails(emails)
