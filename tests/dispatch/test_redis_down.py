"""Redis down degrades, never breaks: the public form, assign and urge keep answering at once."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from dispatch.views_public import rate_count
from enforcement.models import OutboxMessage, OutboxStatus
from enforcement.outbox import drain
from tests.dispatch.test_public_report import NEW, _categories, form_data  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.django_db


def test_public_form_works_with_the_cache_down_and_still_limits_per_process(client, county, cache_down, settings):
    """Before the fallback cache both the GET and the POST answered 500 (the rate limit reads the cache)."""
    settings.PUBLIC_REPORT_RATE = 2
    assert client.get(NEW).status_code == 200
    for _ in range(2):
        assert client.post(NEW, form_data()).status_code == 302
    assert rate_count("report", "127.0.0.1") == 2
    refused = client.post(NEW, form_data())
    assert refused.status_code == 429


def test_the_health_check_and_the_banner_name_redis(client_for, administrator, cache_down, settings):
    client = client_for(administrator)
    body = client.get("/healthz").json()
    assert body["redis"]["status"] == "down"
    page = client.get("/").content.decode()
    assert "Redis 无法连接" in page


@pytest.mark.redis
def test_assign_and_urge_with_the_broker_down_answer_at_once_and_the_email_follows(
    make_ticket, matter, county, dispatcher, squadron_officer, api_for, broker_down, cache_down,
    django_capture_on_commit_callbacks,
):
    """Before the outbox the on-commit queueing waited ~19 s on kombu's retries, then answered 500."""
    ticket = make_ticket()
    api = api_for(dispatcher)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        triage = api.post(f"/api/tickets/{ticket.pk}/triage/", {"matter": matter.pk}, format="json")
        assign = api.post(f"/api/tickets/{ticket.pk}/assign/", {"agency": county.squadron_a.pk}, format="json")
        urge = api.post(f"/api/tickets/{ticket.pk}/urge/", {"note": "请今天处理"}, format="json")
    elapsed = time.monotonic() - started

    assert (triage.status_code, assign.status_code, urge.status_code) == (200, 200, 200), (
        triage.content, assign.content, urge.content)
    assert elapsed < 5, f"the requests waited {elapsed:.1f} s on the broker"
    assert mail.outbox == []
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, recipient=squadron_officer.email)
    assert pending.count() >= 2  # assigned, urged

    drain()  # the next periodic run
    assert squadron_officer.email in {m.to[0] for m in mail.outbox}
    assert not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists()
