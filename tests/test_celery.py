"""Celery: a real worker consumes through Redis; beat's schedule names real tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings

from bureau.celery import app
from bureau.schedule import BEAT_SCHEDULE


@pytest.mark.redis
@pytest.mark.celery_worker
def test_worker_consumes_ping_through_redis_and_the_result_comes_back(live_worker, monkeypatch):
    # The suite runs tasks eagerly (settings "Celery"); this test wants the broker.
    monkeypatch.setitem(app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    result = app.send_task("bureau.ping", queue=live_worker.queue)

    assert result.get(timeout=30) == "pong"
    assert result.state == "SUCCESS"


@pytest.mark.redis
@pytest.mark.celery_worker
def test_worker_answers_control_ping_by_its_name(live_worker):
    replies = app.control.ping(destination=[live_worker.hostname], timeout=5)

    assert replies == [{live_worker.hostname: {"ok": "pong"}}]


def test_beat_schedule_is_the_one_in_bureau_schedule():
    assert BEAT_SCHEDULE, "bureau/schedule.py declares no periodic work"
    assert app.conf.beat_schedule == BEAT_SCHEDULE


def test_every_scheduled_task_is_registered_with_the_app():
    app.loader.import_default_modules()  # runs autodiscover_tasks() over INSTALLED_APPS

    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    missing = sorted(scheduled - set(app.tasks))

    assert not missing, f"scheduled but not registered: {missing}"


def test_every_schedule_entry_has_a_schedule_celery_understands():
    from celery.schedules import maybe_schedule

    for name, entry in BEAT_SCHEDULE.items():
        schedule = maybe_schedule(entry["schedule"], app=app)
        assert hasattr(schedule, "is_due"), name


def test_without_redis_tasks_run_in_process_or_on_the_filesystem_queue():
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
        assert app.conf.result_backend == settings.REDIS_URL
    else:
        assert app.conf.broker_url == "filesystem://"
        assert app.conf.task_always_eager is True


@pytest.mark.celery_worker
def test_embedded_worker_with_beat_runs_periodic_task_on_filesystem_transport(tmp_path):
    """`make run` without Redis: `celery worker -B --pool=solo` must fire and consume periodic work."""
    script = (
        "from bureau.celery import app\n"
        # A one-second entry on top of the real schedule, so the test does not wait for 06:00.
        "app.conf.beat_schedule['test-ping'] = {'task': 'bureau.ping', 'schedule': 1.0}\n"
        "app.worker_main(['worker', '-B', '--pool=solo', '--loglevel=INFO', '--without-gossip', '--without-mingle'])\n"
    )
    # No Redis, and no real database: a task that touched one would hit an empty SQLite file.
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path / "var"), CELERY_TASK_ALWAYS_EAGER="0", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 45
        # The worker (not beat) logs the task; beat alone would run it eagerly in its own process.
        done = [line for line in lines if "Task bureau.ping" in line and "succeeded" in line]
        while not done and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            done = [line for line in lines if "Task bureau.ping" in line and "succeeded" in line]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        reader.join(timeout=5)

    output = "".join(lines)
    assert "Sending due task test-ping (bureau.ping)" in output, output[-3000:]
    assert any("MainProcess" in line for line in done), output[-3000:]
    assert "filesystem://" in output
    # Every broker file stays under VAR_DIR, none in the working directory.
    assert list((tmp_path / "var" / "celery" / "control").glob("*.exchange"))


def test_tasks_survive_their_worker_and_redis_waits_longer_than_any_task():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert settings.CELERY_VISIBILITY_TIMEOUT > app.conf.task_time_limit
    if settings.REDIS_URL:
        assert app.conf.broker_transport_options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
