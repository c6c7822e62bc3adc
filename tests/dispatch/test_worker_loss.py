"""A worker killed in the middle of a sweep: the task is delivered again and finishes, nothing sent twice.

A real ``celery worker`` (prefork, one child) on the test Redis and the test
database. Its child process is killed with SIGKILL while the sweep holds its
second chunk's transaction open; with ``task_acks_late`` and
``task_reject_on_worker_lost`` the parent gives the message back to the queue
and a fresh child runs the sweep again, which takes up the tickets the first
run did not finish. The outbox then sends one e-mail per notification.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from dispatch.models import Ticket, WarningLevel
from enforcement.models import Notification, OutboxMessage, OutboxStatus
from tests.conftest import require, stop_process_group

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker,
              pytest.mark.django_db(transaction=True)]

# Runs in the worker: small chunks, and a pause after each chunk's notifications (inside its
# transaction) that the test uses to kill the child; every pause leaves a line "pid" in MARKS.
WORKER = """
import os, sys, time
import django
django.setup()
from bureau.celery import app
import dispatch.sla as sla

marks = os.environ["MARKS"]
sla.sweep_warnings.__kwdefaults__ = {"chunk": 2}
notify_level = sla._notify_level

def slow_notify_level(*args, **kwargs):
    sent = notify_level(*args, **kwargs)
    with open(marks, "a") as out:
        out.write(f"{os.getpid()}\\n")
    time.sleep(1.5)
    return sent

sla._notify_level = slow_notify_level
app.conf.task_default_queue = os.environ["QUEUE"]  # the outbox kick goes to this worker too
app.worker_main(["worker", "--pool=prefork", "-c", "1", "-Q", os.environ["QUEUE"], "-n", os.environ["QUEUE"] + "@%h",
                 "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"])
"""


def wait_for(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


# The sweep is sent by name to the real worker's queue: eager mode (on in tests) is meant not to apply.
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_sweep_whose_worker_dies_is_finished_by_the_next_delivery_and_sends_nothing_twice(
    postgres, redis_url, assigned, squadron_officer, dispatcher, tmp_path
):
    from bureau.celery import app

    require(settings.REDIS_URL is not None, "Redis")
    tickets = [assigned() for _ in range(6)]
    past = timezone.now() - dt.timedelta(days=3)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(resolve_due=past, accept_due=past, warn_at=past)
    OutboxMessage.objects.update(status=OutboxStatus.SENT)  # the assignment e-mails are not this test's
    before = Notification.objects.count()

    queue = f"bureau-loss-{uuid.uuid4().hex[:8]}"
    marks, log, maildir = tmp_path / "marks", tmp_path / "worker.log", tmp_path / "mail"
    maildir.mkdir()
    db = connection.settings_dict
    env = {**os.environ, "BUREAU_TESTING": "1", "CELERY_TASK_ALWAYS_EAGER": "0", "QUEUE": queue,
           "MARKS": str(marks), "EMAIL_URL": f"file://{maildir}",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    with open(log, "wb") as out:
        worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=settings.BASE_DIR, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: b"ready" in log.read_bytes(), 60, "the worker to start", log)
        app.send_task("dispatch.tasks.sweep_ticket_warnings", queue=queue)

        # Kill the child during the second chunk: the first chunk is committed, the second is not.
        lines = wait_for(lambda: marks.exists() and len(marks.read_text().split()) >= 2 and marks.read_text().split(),
                         60, "the sweep's second chunk", log)
        victim = int(lines[1])
        os.kill(victim, signal.SIGKILL)
        red_after_kill = Ticket.objects.filter(pk__in=[t.pk for t in tickets], warning_level=WarningLevel.RED).count()
        assert red_after_kill == 2, "only the first chunk should have been committed"

        # The message comes back; a fresh child finishes the sweep, then the outbox drains.
        wait_for(lambda: not Ticket.objects.filter(pk__in=[t.pk for t in tickets])
                 .exclude(warning_level=WarningLevel.RED).exists(), 90, "the redelivered sweep", log)
        wait_for(lambda: not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists(), 60,
                 "the outbox to drain", log)
    finally:
        stop_process_group(worker)

    output = log.read_text()
    assert "WorkerLostError" in output or "exited prematurely" in output, output[-3000:]
    assert {int(pid) for pid in marks.read_text().split()} - {victim}, "no second child ran the sweep"

    # Once per (recipient, ticket, reason), one outbox row each, one e-mail each.
    new = Notification.objects.order_by().filter(pk__gt=0).count() - before
    assert new == 6 * 2  # the squadron officer and the dispatcher, per ticket
    assert not Notification.objects.values("recipient", "object_id", "reason").annotate(n=Count("id")).filter(n__gt=1)
    assert not OutboxMessage.objects.values("notification").annotate(n=Count("id")).filter(n__gt=1)
    sent_files = list(maildir.iterdir())
    mails = "".join(p.read_text(errors="replace") for p in sent_files)
    assert mails.count("Subject:") == new, mails[:2000]
