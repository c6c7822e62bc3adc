"""/healthz: one JSON answer on the database, Redis and the Celery worker."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def healthz(client, db):
    def get():
        return client.get("/healthz")

    return get


# These two look at the shape only: do not wait long for a worker that may not run.
@override_settings(HEALTHZ_WORKER_TIMEOUT=0.2)
def test_healthz_answers_json_with_database_redis_and_worker_parts(healthz):
    response = healthz()

    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert {"status", "database", "redis", "worker"} <= set(body)
    assert body["database"]["status"] == "ok"
    from django.db import connection

    assert body["database"]["engine"] == connection.vendor


@override_settings(HEALTHZ_WORKER_TIMEOUT=0.2)
def test_healthz_needs_no_login_and_is_never_cached(healthz):
    response = healthz()

    assert response.status_code in (200, 503)  # not a redirect to the login page
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_200_when_every_configured_part_answers(request, healthz):
    if settings.REDIS_URL:
        request.getfixturevalue("redis_url")
        request.getfixturevalue("live_worker")

    response = healthz()

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@override_settings(REDIS_URL=None)
def test_without_redis_the_worker_is_this_process(healthz):
    body = healthz().json()

    assert body["redis"] == {"status": "not_configured"}
    assert body["worker"] == {"status": "in_process"}


@override_settings(REDIS_URL=CLOSED_PORT_REDIS)
def test_healthz_is_503_when_redis_is_configured_but_down(healthz):
    response = healthz()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["redis"]["status"] == "down"
    assert body["redis"]["error"]
    assert body["worker"]["status"] == "down"
    assert body["database"]["status"] == "ok"


@pytest.mark.redis
@pytest.mark.celery_worker
def test_healthz_worker_part_is_ok_when_a_worker_answers(redis_url, live_worker, healthz):
    body = healthz().json()

    assert body["redis"]["status"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["ms"] < 1500


@pytest.mark.redis
def test_healthz_worker_part_is_down_when_no_worker_answers(redis_url, healthz, monkeypatch):
    from bureau.celery import app

    monkeypatch.setattr(app.control, "ping", lambda **kwargs: [])

    response = healthz()

    assert response.status_code == 503
    assert response.json()["worker"] == {"status": "down", "error": "no worker answered the ping"}
