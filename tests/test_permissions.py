"""Who may do what: every API endpoint and method, for every persona."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from curation.models import Feed, ImportRun, Mechanism
from notes import services as notes_services
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "researcher", "other_researcher", "curator", "admin")


@pytest.fixture
def world(researcher, other_researcher, curator, admin, settings):
    """A paper with notes by the researcher, a feed with a run, and a client per persona."""
    settings.CELERY_BROKER_URL = ""  # refreshes queue in process, run at commit (never here)
    paper = make_paper()
    private = notes_services.note_create(paper=paper, author=researcher, body="Rita's own.")
    public = notes_services.note_create(
        paper=paper, author=researcher, body="Rita's shared.", visibility="public"
    )
    feed = Feed.objects.create(name="A feed", query="poi")
    run = ImportRun.objects.create(kind="feed", feed=feed, status="succeeded")
    users = {
        "researcher": researcher,
        "other_researcher": other_researcher,
        "curator": curator,
        "admin": admin,
    }
    return {
        "pmid": paper.pmid,
        "private": private.pk,
        "public": public.pk,
        "feed": feed.pk,
        "run": run.pk,
        "users": users,
    }


def _client(world, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(world["users"][persona])
    return client


# (method, path, body, expected status for anonymous, rita, omar, cora, ada)
MATRIX = [
    ("get", "/api/papers/", None, (200, 200, 200, 200, 200)),
    ("post", "/api/papers/", {}, (401, 405, 405, 405, 405)),
    ("get", "/api/papers/{pmid}/", None, (200, 200, 200, 200, 200)),
    ("put", "/api/papers/{pmid}/", {}, (401, 405, 405, 405, 405)),
    ("delete", "/api/papers/{pmid}/", None, (401, 405, 405, 405, 405)),
    ("get", "/api/papers/{pmid}/cite/", None, (200, 200, 200, 200, 200)),
    ("get", "/api/papers/{pmid}/tags/", None, (200, 200, 200, 200, 200)),
    (
        "post",
        "/api/papers/{pmid}/tags/",
        {"mechanism": "exosomes", "action": "add"},
        (401, 403, 403, 201, 201),
    ),
    ("get", "/api/papers/{pmid}/history/", None, (200, 200, 200, 200, 200)),
    ("get", "/api/mechanisms/", None, (200, 200, 200, 200, 200)),
    ("get", "/api/mechanisms/exosomes/", None, (200, 200, 200, 200, 200)),
    (
        "post",
        "/api/mechanisms/",
        {"slug": "angiogenesis", "name": "Angiogenesis"},
        (401, 403, 403, 201, 201),
    ),
    ("patch", "/api/mechanisms/exosomes/", {"position": 7}, (401, 403, 403, 200, 200)),
    ("delete", "/api/mechanisms/exosomes/", None, (401, 403, 403, 405, 405)),
    ("get", "/api/feeds/", None, (401, 403, 403, 200, 200)),
    ("post", "/api/feeds/", {"name": "New", "query": "msc"}, (401, 403, 403, 201, 201)),
    ("get", "/api/feeds/{feed}/", None, (401, 403, 403, 200, 200)),
    ("patch", "/api/feeds/{feed}/", {"is_active": False}, (401, 403, 403, 200, 200)),
    ("delete", "/api/feeds/{feed}/", None, (401, 403, 403, 405, 405)),
    ("post", "/api/feeds/{feed}/refresh/", None, (401, 403, 403, 202, 202)),
    ("get", "/api/feeds/{feed}/runs/", None, (401, 403, 403, 200, 200)),
    ("get", "/api/runs/", None, (401, 403, 403, 200, 200)),
    ("get", "/api/runs/{run}/", None, (401, 403, 403, 200, 200)),
    ("get", "/api/notes/", None, (401, 200, 200, 200, 200)),
    ("post", "/api/notes/", {"paper": "{pmid}", "body": "Hi."}, (401, 201, 201, 201, 201)),
    ("post", "/api/notes/preview/", {"body": "*Hi*"}, (401, 200, 200, 200, 200)),
    ("get", "/api/notes/{private}/", None, (401, 200, 404, 404, 404)),
    ("patch", "/api/notes/{private}/", {"body": "Edit."}, (401, 200, 404, 404, 404)),
    ("delete", "/api/notes/{private}/", None, (401, 204, 404, 404, 404)),
    ("get", "/api/notes/{public}/", None, (401, 200, 200, 200, 200)),
    ("patch", "/api/notes/{public}/", {"body": "Edit."}, (401, 200, 403, 403, 403)),
    ("delete", "/api/notes/{public}/", None, (401, 204, 403, 403, 403)),
    ("delete", "/api/auth/token/", None, (401, 204, 204, 204, 204)),
    ("get", "/api/schema/", None, (200, 200, 200, 200, 200)),
    ("get", "/api/docs/", None, (200, 200, 200, 200, 200)),
]


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**{k: v for k, v in world.items() if k != "users"})
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_expected_status(world, method, path, body, expected, persona):
    client = _client(world, persona)
    url = _fill(path, world)

    response = getattr(client, method)(url, _fill(body, world), format="json")

    assert response.status_code == expected[PERSONAS.index(persona)], response.content[:300]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_error_has_the_same_body(world, persona):
    client = _client(world, persona)

    for method, path, body, expected in MATRIX:
        status = expected[PERSONAS.index(persona)]
        if status < 400 or path.startswith("/api/docs"):
            continue
        response = getattr(client, method)(_fill(path, world), _fill(body, world), format="json")
        data = response.json()
        assert set(data) == {"status", "code", "detail", "fields"}, (method, path)
        assert data["status"] == status


def test_a_session_write_without_the_csrf_token_is_refused(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["users"]["curator"])
    url = f"/api/papers/{world['pmid']}/tags/"

    refused = client.post(url, {"mechanism": "exosomes", "action": "add"}, format="json")
    client.get("/api/mechanisms/")  # any page sets the csrftoken cookie for the session
    page = client.get("/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        client.cookies["csrftoken"] = token
    accepted = client.post(
        url, {"mechanism": "exosomes", "action": "add"}, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert Mechanism.objects.get(slug="exosomes").tags.count() == 1
