"""The outbox service: write messages with the change, send them from a drainer.

* :func:`enqueue_emails` writes rows in the caller's transaction (nothing is
  sent if that transaction rolls back) and, on commit, kicks a drain as a
  fast path; the kick never raises and never waits on a broker that is down.
* :func:`drain` claims due rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` and
  marks them sent in the same transaction, so two drainers never send a row
  twice, and a drainer that dies mid-send leaves its rows pending for the next
  (at least once). The periodic task ``enforcement.tasks.drain_outbox``
  (bureau/schedule.py) drains whatever the kick did not reach.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enforcement.models.outbox import OutboxChannel, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# Rows per transaction: one SMTP connection each, and few enough that a crash re-sends little.
DRAIN_BATCH = 100


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str = ""
    notification_id: int | None = None


def enqueue_emails(emails: Iterable[Email]) -> list[OutboxMessage]:
    """Write these e-mails to the outbox in the current transaction; drain after commit."""
    now = timezone.now()
    rows = [
        OutboxMessage(channel=OutboxChannel.EMAIL, recipient=e.to, subject=str(e.subject)[:200], body=e.body,
                      notification_id=e.notification_id, created_at=now, next_attempt_at=now)
        for e in emails
        if e.to
    ]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    transaction.on_commit(kick)
    return created


def kick() -> None:
    """Ask a worker to drain now (in process without Redis); failure only delays the messages."""
    from bureau.celery import publish

    publish("enforcement.tasks.drain_outbox")  # by name: enforcement.tasks imports this module


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 10))


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 ... minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "gave_up": self.gave_up}


def drain(*, limit: int = 2000, ids: Iterable[int] | None = None, now: datetime | None = None) -> DrainResult:
    """Send due pending messages (at most ``limit``), each at most once; returns the counts."""
    result = DrainResult()
    only = list(ids) if ids is not None else None
    while result.sent + result.failed < limit:
        batch = _drain_batch(min(DRAIN_BATCH, limit - result.sent - result.failed), only, now or timezone.now())
        if batch is None:
            break
        result.sent += batch.sent
        result.failed += batch.failed
        result.gave_up += batch.gave_up
    return result


def _drain_batch(size: int, only: list[int] | None, now: datetime) -> DrainResult | None:
    with transaction.atomic():
        # SKIP LOCKED: rows another drainer holds are its to send, so each row is sent once
        # (SQLite, the embedded single-process default, has no row locks and needs none).
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now
        )
        if only is not None:
            due = due.filter(pk__in=only)
        rows = list(due.order_by("next_attempt_at", "pk")[:size])
        if not rows:
            return None
        errors = _send(rows)
        sent_ids = [r.pk for r in rows if r.pk not in errors]
        result = DrainResult(sent=len(sent_ids), failed=len(errors))
        sent_at = timezone.now()
        if sent_ids:
            OutboxMessage.objects.filter(pk__in=sent_ids).update(status=OutboxStatus.SENT, sent_at=sent_at,
                                                                 last_error="")
            from enforcement.models.notifications import Notification

            notification_ids = [r.notification_id for r in rows if r.pk in sent_ids and r.notification_id]
            if notification_ids:
                Notification.objects.filter(pk__in=notification_ids).update(emailed_at=sent_at)
        for row in rows:
            if row.pk not in errors:
                continue
            row.attempts += 1
            row.last_error = errors[row.pk][:2000]
            if row.attempts >= max_attempts():
                row.status = OutboxStatus.FAILED
                result.gave_up += 1
            row.next_attempt_at = now + retry_delay(row.attempts)
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Outbox message %s failed (attempt %s): %s", row.pk, row.attempts, row.last_error)
    return result


def _send(rows: list[OutboxMessage]) -> dict[int, str]:
    """Send each row; returns the errors by row id (rows not named were sent)."""
    errors: dict[int, str] = {}
    by_channel: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    for channel, group in by_channel.items():
        sender = SENDERS.get(channel)
        if sender is None:
            errors.update({r.pk: f"no sender for channel {channel!r}" for r in group})
            continue
        errors.update(sender(group))
    return errors


def _send_emails(rows: list[OutboxMessage]) -> dict[int, str]:
    from django.core.mail import EmailMessage, get_connection

    errors: dict[int, str] = {}
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as exc:  # noqa: BLE001 - the mail server is down: every row waits for the retry
        return {r.pk: f"{type(exc).__name__}: {exc}" for r in rows}
    try:
        for row in rows:
            try:
                connection.send_messages([EmailMessage(subject=row.subject, body=row.body, to=[row.recipient])])
            except Exception as exc:  # noqa: BLE001 - one refused address must not hold back the others
                errors[row.pk] = f"{type(exc).__name__}: {exc}"
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            logger.warning("Closing the mail connection failed", exc_info=True)
    return errors


SENDERS = {OutboxChannel.EMAIL: _send_emails}


def retry(queryset) -> int:
    """Put failed or pending messages back in the queue for the next drain (admin action)."""
    return queryset.filter(Q(status=OutboxStatus.FAILED) | Q(status=OutboxStatus.PENDING)).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )


def backlog() -> dict:
    """Pending and failed counts and the age of the oldest pending message (healthz, admin banner)."""
    from django.db.models import Count, Min

    now = timezone.now()
    rows = OutboxMessage.objects.exclude(status=OutboxStatus.SENT).values("status").annotate(
        n=Count("id"), oldest=Min("created_at")
    )
    summary = {"pending": 0, "failed": 0, "oldest_pending_seconds": None}
    for row in rows:
        summary[row["status"]] = row["n"]
        if row["status"] == OutboxStatus.PENDING and row["oldest"]:
            summary["oldest_pending_seconds"] = int((now - row["oldest"]).total_seconds())
    return summary
