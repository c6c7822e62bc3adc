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
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
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
