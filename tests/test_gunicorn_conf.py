"""bureau/gunicorn.conf.py: the production server settings load, and the worker hook tunes the collector."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "bureau" / "gunicorn.conf.py"


def test_workers_and_threads_follow_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["threads"]) == (3, 4)
    assert conf["bind"].endswith(":8000")


def test_post_worker_init_freezes_the_loaded_application(monkeypatch):
    monkeypatch.setenv("GC_THRESHOLD", "12345,11,12")
    conf = runpy.run_path(str(CONF))
    before = gc.get_threshold()
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_threshold() == (12345, 11, 12)
        assert gc.get_freeze_count() > 10_000  # Django, the project and its URLconf
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_no_keep_alive_or_recycling_unless_asked(monkeypatch):
    # Both drop connections under load (bench/load: resets when a worker closed an idle keep-alive
    # connection or exited after max_requests), so the defaults are off and the environment opts in.
    monkeypatch.delenv("GUNICORN_KEEPALIVE", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    conf = runpy.run_path(str(CONF))
    assert (conf["keepalive"], conf["max_requests"]) == (0, 0)
    monkeypatch.setenv("GUNICORN_KEEPALIVE", "5")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "5000")
    conf = runpy.run_path(str(CONF))
    assert (conf["keepalive"], conf["max_requests"]) == (5, 5000)
