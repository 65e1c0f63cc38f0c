"""/healthz reports the database and the broker for container healthchecks."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_it_reports_a_healthy_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_an_unreachable_broker_answers_503(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.redis
def test_it_reports_a_reachable_redis_broker(client, settings):
    settings.CELERY_BROKER_URL = settings.REDIS_URL

    assert client.get("/healthz").json()["broker"] == "ok"
