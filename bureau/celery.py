"""The Celery app: broker and schedule come from settings (CELERY_* names).

With REDIS_URL, Redis is broker and result backend; without it the embedded
default runs tasks in process and `make run` starts a worker with beat on
kombu's filesystem transport (bureau/settings.py "Celery").
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

app = Celery("bureau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="bureau.ping")
def ping() -> str:
    """Answer "pong": used by the worker tests and to check a worker by hand."""
    return "pong"
