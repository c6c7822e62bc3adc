"""Gunicorn settings for production (docker-compose.yml's web service).

Every value can be changed from the environment without rebuilding the image.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers with a few threads: pages are short database-bound requests.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# No keep-alive by default: a connection left idle between two requests is closed by the worker
# (after `keepalive` seconds, or when the worker exits), and a client that sends its next request
# at that moment gets a reset - the load test (bench/load) lost 15 of 1,040 requests that way with
# keep-alive 5 s, 2 with none. A reverse proxy in front talks to gunicorn one request per connection
# anyway; GUNICORN_KEEPALIVE=5 brings keep-alive back for clients connected directly.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Recycling workers (GUNICORN_MAX_REQUESTS, e.g. 5000) bounds a slow memory leak, but a gthread worker
# that exits drops the connections it has accepted and not yet read (the remaining resets of the
# load test), so it is off unless asked for.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Heartbeat files in memory: container file systems can stall on fsync.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The reverse proxy in front sets X-Forwarded-Proto; trust it only from the
# addresses named here (settings.SECURE_PROXY_SSL_HEADER relies on it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

# Garbage collection: the worker's code and settings (hundreds of thousands of
# objects) never become garbage, yet every full collection walks them all.
# Once the application is loaded, freeze them out of the collector's sight and
# collect the young generation less often. Cut the CPU of a ticket intake by
# 10-25 % (bench/bench_intake.py). GC_THRESHOLD="700,10,10" restores Python's
# defaults.
GC_THRESHOLD = tuple(int(n) for n in os.environ.get("GC_THRESHOLD", "10000,20,20").split(","))


def post_worker_init(worker):
    from importlib import import_module

    from django.conf import settings

    import_module(settings.ROOT_URLCONF)  # every view now, not on the first request, so it is frozen too
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
