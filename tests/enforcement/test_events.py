"""The event log is append-only: in the model layer and, on PostgreSQL, in the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from enforcement.models import AppendOnlyError, Event
from enforcement.workflow import record_event
from tests.workflow_app.models import Sample


@pytest.fixture
def event(county, dispatcher):
    sample = Sample.objects.create(title="样例", agency=county.town_a)
    return record_event(sample, "created", by=dispatcher, note="原始记录")


def test_event_save_after_creation_is_refused(event):
    event.note = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get(pk=event.pk).note == "原始记录"


def test_event_delete_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).note == "原始记录"


def test_raw_sql_update_is_refused_by_postgres_trigger(postgres, event):
    with pytest.raises((IntegrityError, InternalError)) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE enforcement_event SET note = %s WHERE id = %s", ["篡改", event.pk])
    assert "append-only" in str(exc.value)
    assert Event.objects.get(pk=event.pk).note == "原始记录"


def test_raw_sql_delete_is_refused_by_postgres_trigger(postgres, event):
    with pytest.raises((IntegrityError, InternalError)) as exc:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM enforcement_event WHERE id = %s", [event.pk])
    assert "append-only" in str(exc.value)
    assert Event.objects.filter(pk=event.pk).exists()


def test_admin_shows_events_read_only(event, administrator, client_for):
    client = client_for(administrator)
    change_url = f"/admin/enforcement/event/{event.pk}/change/"
    assert client.get("/admin/enforcement/event/").status_code == 200
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="note"' not in page.content  # read-only: no editable input
    assert client.post(f"/admin/enforcement/event/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/enforcement/event/add/").status_code == 403
