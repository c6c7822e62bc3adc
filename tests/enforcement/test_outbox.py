"""The outbox: e-mails are rows of the change's transaction, sent once by a drainer, never lost to the broker."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction

from bureau.schedule import BEAT_SCHEDULE
from enforcement.models import Notification, OutboxMessage, OutboxStatus
from enforcement.notifications import notify
from enforcement.outbox import drain
from enforcement.tasks import drain_outbox
from tests.factories import GridFactory


@pytest.fixture
def grid(county):
    return GridFactory(township=county.town_a)


def test_the_email_is_written_with_the_change_and_rolled_back_with_it(grid, officer_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(officer_a, subject=grid, reason="urge", title="催办")
        assert OutboxMessage.objects.filter(recipient=officer_a.email).count() == 1
        raise RuntimeError("the change fails after the notification")

    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_message_whose_kick_never_ran_is_sent_by_the_periodic_drain(grid, officer_a):
    """The process died after commit, before its on-commit callback: the beat task still sends it."""
    notify(officer_a, subject=grid, reason="urge", title="催办", body="请处理")  # no commit, so no kick ran

    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING
    assert drain_outbox.apply().get() == {"sent": 1, "failed": 0, "gave_up": 0}
    assert [m.to for m in mail.outbox] == [[officer_a.email]]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert drain_outbox.apply().get()["sent"] == 0
    assert len(mail.outbox) == 1


def test_the_drain_is_on_the_beat_schedule():
    tasks = {entry["task"]: entry["schedule"] for entry in BEAT_SCHEDULE.values()}
    assert "enforcement.tasks.drain_outbox" in tasks
    assert tasks["enforcement.tasks.drain_outbox"] <= 60


class SlowBackend:
    """An SMTP server that takes a while per message; records every message sent, across threads."""

    sent: list[str] = []
    lock = threading.Lock()

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        time.sleep(0.02)
        with self.lock:
            SlowBackend.sent.extend(m.to[0] for m in messages)
        return len(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_drainers_at_once_send_each_message_exactly_once(postgres, county, settings, monkeypatch):
    import enforcement.outbox

    monkeypatch.setattr(enforcement.outbox, "kick", lambda: None)  # leave the rows to the drainers below
    monkeypatch.setattr(enforcement.outbox, "DRAIN_BATCH", 5)
    settings.EMAIL_BACKEND = "tests.enforcement.test_outbox.SlowBackend"
    SlowBackend.sent = []
    from enforcement.outbox import Email, enqueue_emails

    with transaction.atomic():
        enqueue_emails(Email(to=f"u{i}@example.org", subject=f"消息 {i}") for i in range(60))
    results = []

    def run():
        try:
            results.append(drain().sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(results) == 60
    assert sorted(SlowBackend.sent) == sorted(f"u{i}@example.org" for i in range(60))
    assert len([r for r in results if r]) >= 2, "the drainers did not overlap: the test proves nothing"
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 60


def test_admin_shows_the_backlog_and_retries_failed_messages(client_for, administrator, officer_a, grid):
    notify(officer_a, subject=grid, reason="urge", title="催办")
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, attempts=10,
                                                       last_error="SMTPRecipientsRefused")
    client = client_for(administrator)

    page = client.get("/admin/enforcement/outboxmessage/")
    assert page.status_code == 200
    assert "SMTPRecipientsRefused" in page.content.decode()
    assert "发送失败 1 条" in page.content.decode()

    response = client.post("/admin/enforcement/outboxmessage/",
                           {"action": "retry_now", "_selected_action": [message.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    # Requeued and, in process (no broker in tests), sent by the kick.
    assert message.status == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [[officer_a.email]]
