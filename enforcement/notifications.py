"""The one notification service: in-app inbox plus e-mail, at most once per reason.

Later work (deadline warnings, urges, rectification notices) sends through
:func:`notify` / :func:`notify_many` and never builds its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification


def _subject_key(subject: models.Model | None) -> tuple[ContentType | None, int | None]:
    if subject is None:
        return None, None
    return ContentType.objects.get_for_model(type(subject)), subject.pk


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
    E-mail is queued after the surrounding transaction commits.
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
    except IntegrityError:
        # A concurrent sender won the unique constraint: it was sent once.
        return None
    if not created:
        return None
    if email and recipient.email:
        _queue_email([note.pk])
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
    recipients = {r.pk: r for r in recipients if r is not None}
    if not recipients:
        return []
    ct, object_id = _subject_key(subject)
    already = set(
        Notification.objects.filter(
            recipient_id__in=recipients, content_type=ct, object_id=object_id, reason=reason
        ).values_list("recipient_id", flat=True)
    )
    fresh = [
        Notification(
            recipient_id=pk,
            content_type=ct,
            object_id=object_id,
            reason=reason,
            title=str(title)[:200],
            body=str(body),
            url=url,
        )
        for pk in recipients
        if pk not in already
    ]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            recipient_id__in=[n.recipient_id for n in fresh],
            content_type=ct,
            object_id=object_id,
            reason=reason,
            emailed_at__isnull=True,
        )
    )
    if email:
        _queue_email([n.pk for n in created if recipients[n.recipient_id].email])
    return created


@dataclass(frozen=True)
class Message:
    """One notification to send to several recipients about one subject (see :func:`notify_each`)."""

    recipients: list
    subject: models.Model
    reason: str
    title: str
    body: str = ""
    url: str = ""


def notify_each(messages: Iterable[Message], *, email: bool = True) -> list[Notification]:
    """Send many messages (e.g. one per ticket of a sweep) in a constant number of queries.

    Same guarantee as :func:`notify`: once per (recipient, subject, reason).
    Sweeps use it instead of calling :func:`notify_many` per object.
    """
    messages = [m for m in messages if m.recipients]
    if not messages:
        return []
    users = {r.pk: r for m in messages for r in m.recipients if r is not None}
    wanted: dict[tuple[int, int, int, str], Notification] = {}
    for m in messages:
        ct = ContentType.objects.get_for_model(type(m.subject))  # cached by Django after the first call
        for r in m.recipients:
            if r is None:
                continue
            wanted[(r.pk, ct.pk, m.subject.pk, m.reason)] = Notification(
                recipient_id=r.pk,
                content_type_id=ct.pk,
                object_id=m.subject.pk,
                reason=m.reason,
                title=str(m.title)[:200],
                body=str(m.body),
                url=m.url,
            )
    keys = Q()
    for ct_id, object_ids, reason in _group(wanted):
        keys |= Q(content_type_id=ct_id, object_id__in=object_ids, reason=reason)
    existing = set(
        Notification.objects.filter(keys, recipient_id__in=users).values_list(
            "recipient_id", "content_type_id", "object_id", "reason"
        )
    )
    fresh = [n for key, n in wanted.items() if key not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    fresh_keys = {(n.recipient_id, n.content_type_id, n.object_id, n.reason) for n in fresh}
    created = (
        [
            n
            for n in Notification.objects.filter(
                keys, recipient_id__in={k[0] for k in fresh_keys}, emailed_at__isnull=True
            )
            if (n.recipient_id, n.content_type_id, n.object_id, n.reason) in fresh_keys
        ]
        if fresh
        else []
    )
    if email:
        _queue_email([n.pk for n in created if users[n.recipient_id].email])
    return created


def _group(wanted) -> set[tuple[int, tuple[int, ...], str]]:
    """(content type, object ids, reason) groups for one OR-ed lookup per reason."""
    groups: dict[tuple[int, str], set[int]] = {}
    for _recipient, ct_id, object_id, reason in wanted:
        groups.setdefault((ct_id, reason), set()).add(object_id)
    return {(ct_id, tuple(sorted(ids)), reason) for (ct_id, reason), ids in groups.items()}


def mark_read(notification: Notification, *, by) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, by) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def send_notification_email(notification_id: int) -> bool:
    """Send the e-mail of one notification, once (idempotent: safe to run twice)."""
    from django.conf import settings
    from django.core.mail import send_mail

    # Claim the row with a conditional UPDATE so a retried or duplicated task
    # cannot send the same e-mail twice.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    note = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"{settings.SITE_URL}{note.url}" if note.url else ""
    send_mail(
        subject=note.title,
        message="\n\n".join(part for part in (note.body, link) if part),
        from_email=None,
        recipient_list=[note.recipient.email],
        fail_silently=False,
    )
    return True


def _queue_email(ids: list[int]) -> None:
    if not ids:
        return
    from .tasks import email_notification

    def enqueue() -> None:
        for pk in ids:
            email_notification.delay(pk)

    transaction.on_commit(enqueue)
