"""Shared test set-up: service detection, personas and the fake E-utilities server.

Tests that need PostgreSQL, Redis, a Celery worker or Chromium carry a marker. Without the
service they are skipped with the reason; with REQUIRE_SERVICES=1 (CI) a missing service
fails the run instead, so nothing is silently skipped there.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings

from tests.fake_eutils import fake_eutils  # noqa: F401 - a fixture for every test module

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def _missing_services() -> dict[str, str]:
    missing = {}
    if not settings.USES_POSTGRES:
        missing["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if not _redis_reachable():
        missing["redis"] = "needs Redis: set REDIS_URL=redis://... to a running server"
        missing["celery"] = "needs a Celery broker on Redis: set REDIS_URL and CELERY_BROKER_URL"
    elif not settings.CELERY_BROKER_URL:
        missing["celery"] = "needs a Celery broker: set CELERY_BROKER_URL"
    if not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")):
        missing["browser"] = "needs Chromium (Debian package chromium)"
    return missing


def pytest_configure(config) -> None:
    # Personas are created in almost every test; a deliberately slow hasher costs minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if settings.USES_POSTGRES:
        # One test database per test session, so two sessions on one server never drop
        # each other's database.
        database = settings.DATABASES["default"]
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"


def pytest_collection_modifyitems(config, items) -> None:
    missing = _missing_services()
    if not missing:
        return
    if REQUIRE_SERVICES:
        needed = {name for item in items for name in missing if name in item.keywords}
        if needed:
            reasons = "; ".join(missing[name] for name in sorted(needed))
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {reasons}")
        return
    for item in items:
        for name, reason in missing.items():
            if name in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _clear_cache():
    """Start every test with empty caches and throttle counters."""
    from django.core.cache import cache

    cache.clear()


# Personas: the people who use the app, shared by every test.


@pytest.fixture
def researcher(django_user_model):
    return django_user_model.objects.create_user("rita", "rita@example.org", "rita-password-1")


@pytest.fixture
def other_researcher(django_user_model):
    return django_user_model.objects.create_user("omar", "omar@example.org", "omar-password-1")


@pytest.fixture
def curator(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("cora", "cora@example.org", "cora-password-1")
    user.groups.add(Group.objects.get(name="curators"))
    return user


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@example.org", "ada-password-1")
