"""The OpenAPI schema matches the API: schemathesis finds no 5xx and no schema violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from curation import services
from curation.models import Paper

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def _schemathesis(live_server, *args: str) -> subprocess.CompletedProcess:
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    return subprocess.run(
        [
            executable,
            "run",
            f"{live_server.url}/api/schema/",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--seed",
            "20261125",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def demo(db):
    services.demo_load()
    services.papers_tag(paper_ids=list(Paper.objects.values_list("pk", flat=True)))


def test_a_curator_exercising_every_operation_meets_the_schema(live_server, demo, curator):
    token = Token.objects.create(user=curator)

    result = _schemathesis(
        live_server,
        "--header",
        f"Authorization: Token {token.key}",
        "--max-examples",
        "8",
        # Revoking the token would turn the rest of the run into 401s.
        "--exclude-path",
        "/api/auth/token/",
    )

    assert result.returncode == 0, result.stdout[-6000:]


def test_an_anonymous_client_reading_meets_the_schema(live_server, demo):
    result = _schemathesis(live_server, "--include-method", "GET", "--max-examples", "5")

    assert result.returncode == 0, result.stdout[-6000:]
