"""The one notification service: inbox row plus e-mail, at most once per (recipient, subject, reason)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from enforcement.models import Notification, OutboxMessage, OutboxStatus
from enforcement.notifications import (
    mark_all_read,
    mark_read,
    notify,
    notify_many,
    unread_count,
)
from enforcement.outbox import drain
from tests.factories import GridFactory


@pytest.fixture
def grid(county):
    return GridFactory(township=county.town_a)


def test_notify_creates_inbox_entry_and_sends_email_once(grid, officer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(officer_a, subject=grid, reason="warning.yellow", title="即将超期", body="请尽快处理", url="/x/")
        second = notify(officer_a, subject=grid, reason="warning.yellow", title="即将超期")

    assert first is not None and second is None
    assert Notification.objects.filter(recipient=officer_a).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "即将超期"
    assert mail.outbox[0].to == [officer_a.email]
    assert "http://127.0.0.1:8000/x/" in mail.outbox[0].body or "/x/" in mail.outbox[0].body


def test_a_new_reason_or_subject_notifies_again(grid, county, officer_a):
    other = GridFactory(township=county.town_a)
    assert notify(officer_a, subject=grid, reason="warning.yellow", title="黄灯", email=False)
    assert notify(officer_a, subject=grid, reason="warning.red", title="红灯", email=False)
    assert notify(officer_a, subject=other, reason="warning.red", title="红灯", email=False)
    assert notify(officer_a, reason="calendar.uncovered.2027", title="无对象通知", email=False)
    assert notify(officer_a, reason="calendar.uncovered.2027", title="无对象通知", email=False) is None
    assert Notification.objects.filter(recipient=officer_a).count() == 4


def test_notify_many_is_once_per_recipient_and_constant_queries(
    grid, officer_a, officer_b, dispatcher, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    notify(officer_a, subject=grid, reason="urge", title="催办", email=False)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(6):
        created = notify_many([officer_a, officer_b, dispatcher], subject=grid, reason="urge", title="催办")

    assert {n.recipient_id for n in created} == {officer_b.pk, dispatcher.pk}
    assert Notification.objects.filter(reason="urge").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer_b.email, dispatcher.email])
    assert notify_many([officer_a, officer_b], subject=grid, reason="urge", title="催办") == []


def test_a_drain_sends_each_outbox_row_once(grid, officer_a):
    note = notify(officer_a, subject=grid, reason="x", title="标题")  # in a test transaction: no commit, no kick
    assert drain().sent == 1
    assert drain().sent == 0
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_mark_read_only_affects_the_recipient(grid, officer_a, officer_b):
    note = notify(officer_a, subject=grid, reason="x", title="标题", email=False)
    notify(officer_a, subject=grid, reason="y", title="标题2", email=False)
    mark_read(note, by=officer_b)
    assert unread_count(officer_a) == 2
    mark_read(note, by=officer_a)
    assert unread_count(officer_a) == 1
    assert mark_all_read(by=officer_a) == 1
    assert unread_count(officer_a) == 0


def test_notify_each_sends_many_subjects_once_in_constant_queries(
    county, officer_a, dispatcher, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from enforcement.notifications import Message, notify_each

    grids = [GridFactory(township=county.town_a) for _ in range(20)]
    notify(officer_a, subject=grids[0], reason="warning.red", title="红灯", email=False)
    messages = [Message([officer_a, dispatcher], g, "warning.red", f"红灯 {g.code}") for g in grids]

    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(6):
        created = notify_each(messages)

    assert len(created) == 39  # 20 subjects x 2 recipients, minus the one sent before
    assert Notification.objects.filter(reason="warning.red").count() == 40
    assert len(mail.outbox) == 39
    assert notify_each(messages) == []
    assert Notification.objects.filter(reason="warning.red").count() == 40


def test_notify_each_when_a_concurrent_sender_inserted_a_row_meanwhile(postgres, grid, officer_a, officer_b,
                                                                     monkeypatch):
    """The INSERT hits the unique constraint: the others are still sent, the raced one only once.

    PostgreSQL: SQLite cannot hold the constraint (NULLS NOT DISTINCT), and the embedded default's
    get_or_create guard is what keeps notify() once there.
    """
    from enforcement.notifications import Message, notify_each

    real_bulk_create = Notification.objects.bulk_create
    calls = []

    def racing_bulk_create(objs, **kwargs):
        if not calls:
            # Another worker sends officer_a's notification between our check and our INSERT.
            Notification.objects.create(recipient=officer_a, content_type_id=objs[0].content_type_id,
                                        object_id=grid.pk, reason="warning.red", title="红灯")
        calls.append(kwargs)
        return real_bulk_create(objs, **kwargs)

    monkeypatch.setattr(Notification.objects, "bulk_create", racing_bulk_create)
    created = notify_each([Message([officer_a, officer_b], grid, "warning.red", "红灯")], email=False)

    assert calls == [{}, {"ignore_conflicts": True}]  # the plain INSERT failed, the fallback ran
    assert Notification.objects.filter(reason="warning.red", recipient=officer_a).count() == 1
    assert Notification.objects.filter(reason="warning.red", recipient=officer_b).count() == 1
    assert officer_b.pk in {n.recipient_id for n in created}


class FailingBackend:
    """An SMTP server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("smtp down")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_a_failed_send_stays_in_the_outbox_for_the_retry(grid, officer_a, officer_b, settings):
    notify_many([officer_a, officer_b], subject=grid, reason="urge", title="催办")
    settings.EMAIL_BACKEND = "tests.enforcement.test_notifications.FailingBackend"
    result = drain()
    assert (result.sent, result.failed) == (0, 2)
    assert Notification.objects.filter(reason="urge", emailed_at__isnull=True).count() == 2
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxStatus.PENDING, 1)}
    assert "smtp down" in OutboxMessage.objects.first().last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert drain().sent == 0  # not due yet: backing off
    assert drain(now=timezone.now() + timedelta(hours=1)).sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer_a.email, officer_b.email])
    assert drain(now=timezone.now() + timedelta(hours=2)).sent == 0
    assert len(mail.outbox) == 2


def test_a_large_send_sets_every_id_and_stays_once_per_reason(county, officer_a, officer_b, dispatcher,
                                                             django_assert_max_num_queries):
    """Sixty subjects x three recipients: the one-statement INSERT on PostgreSQL, bulk_create elsewhere."""
    from django.db import connection

    from enforcement.notifications import Message, notify_each

    grids = [GridFactory(township=county.town_a) for _ in range(60)]
    messages = [Message([officer_a, officer_b, dispatcher], g, f"warning.red.{g.pk}", f"红灯 {g.code}",
                        body="办结期限", url=f"/grids/{g.pk}/") for g in grids]
    # PostgreSQL: the check and one INSERT (SQLite's bulk_create splits it by its variable limit).
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 12):
        created = notify_each(messages, email=False)

    assert len(created) == 180 and all(n.pk for n in created)
    stored = {n.pk: n for n in Notification.objects.filter(reason__startswith="warning.red.")}
    assert set(stored) == {n.pk for n in created}
    for n in created:  # each id is the row of its own key
        row = stored[n.pk]
        assert (row.recipient_id, row.object_id, row.reason, row.title, row.url) == (
            n.recipient_id, n.object_id, n.reason, n.title, n.url)
    assert notify_each(messages, email=False) == []
    assert Notification.objects.count() == 180


def test_a_large_send_racing_a_concurrent_sender_still_sends_each_once(postgres, county, officer_a, officer_b,
                                                                       django_assert_max_num_queries):
    """PostgreSQL, 50 rows or more: one INSERT ... ON CONFLICT DO NOTHING, no query asking first.

    A row another sender wrote (committed before our INSERT, or committing while it waits) is
    skipped by the once-only constraint: not sent twice, not e-mailed twice, not counted as ours.
    """
    from enforcement.notifications import Message, notify_each

    grids = [GridFactory(township=county.town_a) for _ in range(40)]
    messages = [Message([officer_a, officer_b], g, "warning.red", "红灯") for g in grids]
    notify(officer_a, subject=grids[7], reason="warning.red", title="红灯")  # the other sender's, with its e-mail
    queued_before = OutboxMessage.objects.count()

    with django_assert_max_num_queries(4):  # savepoint, the INSERT, the outbox rows, release
        created = notify_each(messages)

    assert all(n.pk for n in created)
    assert {(n.recipient_id, n.object_id) for n in created} == {
        (u.pk, g.pk) for g in grids for u in (officer_a, officer_b)} - {(officer_a.pk, grids[7].pk)}
    assert Notification.objects.filter(reason="warning.red").count() == 80
    assert OutboxMessage.objects.count() == queued_before + 79
    assert notify_each(messages) == []


def test_a_large_send_stores_every_text_exactly_as_given(postgres, county, officer_a, officer_b):
    """The one-statement INSERT sends each column as one array literal: quoting must not alter a text.

    Quotes, backslashes, braces, commas, the word NULL, an empty string, line breaks and spaces at the
    ends each appear in a title, a body or a URL, and come back unchanged; a subject given by model and
    id (SubjectRef, as the sweep sends) is stored as the same content type and id as the instance.
    """
    from django.contrib.contenttypes.models import ContentType

    from enforcement.notifications import Message, SubjectRef, notify_each

    awkward = ['say "hi"', "C:\\temp\\", "{a,b}", "NULL", "", " two\nlines ", "逗号，引号“”", "\\\"", "a\tb"]
    grids = [GridFactory(township=county.town_a) for _ in range(30)]
    messages = [
        Message([officer_a, officer_b], SubjectRef(type(g), g.pk) if i % 2 else g, f"odd.{i}",
                title=awkward[i % len(awkward)], body=awkward[(i + 1) % len(awkward)],
                url=awkward[(i + 2) % len(awkward)])
        for i, g in enumerate(grids)
    ]
    created = notify_each(messages, email=False)  # 60 rows: the one-statement path

    assert len(created) == 60
    grid_type = ContentType.objects.get_for_model(type(grids[0]))
    for i, g in enumerate(grids):
        for user in (officer_a, officer_b):
            row = Notification.objects.get(recipient=user, reason=f"odd.{i}")
            assert (row.content_type_id, row.object_id) == (grid_type.pk, g.pk)
            assert (row.title, row.body, row.url) == (
                awkward[i % len(awkward)], awkward[(i + 1) % len(awkward)], awkward[(i + 2) % len(awkward)])
