"""Settings come from the environment; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7$Lw3!qv9#Rz2^Tn5&Yb8*Kp1@Hd4%Mf6(Jc0)Gs-Ue_Ai+Oo=Xl[Qr]Vt{Wy}Zh",
    "ALLOWED_HOSTS": "pof-lit.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/pof"),
        ("DATABASE_URL", "nonsense"),
        ("REDIS_URL", "http://localhost:6379"),
        ("PUBMED_EUTILS_URL", "ftp://mirror.example.org/eutils/"),
        ("NCBI_EMAIL", "not-an-address"),
        ("PUBMED_TIMEOUT", "soon"),
        ("CELERY_TASK_TIME_LIMIT", "2"),
        ("CELERY_VISIBILITY_TIMEOUT", "60"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = _start({variable: value})

    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_needs_a_secret_key():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]

    result = _start(env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_needs_allowed_hosts():
    env = {**PRODUCTION, "ALLOWED_HOSTS": ""}

    result = _start(env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _start(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_starts_with_no_environment_at_all():
    result = _start({})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("setting", "tuned"), [(None, True), ("1", True), ("0", False)])
def test_the_wsgi_application_tunes_the_garbage_collector_unless_told_not_to(setting, tuned):
    env = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "REDIS_URL"}}
    env.pop("GC_TUNING", None)
    if setting is not None:
        env["GC_TUNING"] = setting
    probe = (
        "import gc; default = gc.get_threshold()[0]; import pof_lit.wsgi; "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 0, default)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    threshold, frozen, default = result.stdout.split()
    assert (threshold, frozen) == (("50000", "True") if tuned else (default, "False"))
