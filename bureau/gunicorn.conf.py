"""Gunicorn settings for production (docker-compose.yml's web service).

Every value can be changed from the environment without rebuilding the image.
"""

from __future__ import annotations

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
