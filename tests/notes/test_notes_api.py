"""The notes API: the 300-character limit, the preview, who may see and change which note."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from notes import services
from notes.models import Note, NoteRevision
from notes.render import RENDERER_VERSION, render_note
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

EMOJI = "🧬"
GREEK = "α"


@pytest.fixture
def paper():
    return make_paper()


@pytest.fixture
def rita(researcher) -> APIClient:
    client = APIClient()
    client.force_authenticate(researcher)
    return client


@pytest.fixture
def omar(other_researcher) -> APIClient:
    client = APIClient()
    client.force_authenticate(other_researcher)
    return client


# The 300-character limit -----------------------------------------------------------------


@pytest.mark.parametrize("body", ["x" * 300, EMOJI * 300, GREEK * 150 + EMOJI * 150])
def test_a_note_of_exactly_300_characters_is_saved(rita, paper, body):
    response = rita.post("/api/notes/", {"paper": paper.pmid, "body": body}, format="json")

    assert response.status_code == 201, response.json()
    assert Note.objects.get().body == body


@pytest.mark.parametrize("body", ["x" * 301, EMOJI * 301, GREEK * 300 + EMOJI])
def test_a_note_of_301_characters_is_refused_with_a_clear_message(rita, paper, body):
    response = rita.post("/api/notes/", {"paper": paper.pmid, "body": body}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["body"] == [
        "Notes are limited to 300 characters; this one has 301."
    ]
    assert "300 characters" in response.json()["detail"]
    assert Note.objects.count() == 0


def test_crlf_counts_as_one_character_as_in_the_browser(rita, paper):
    body = "a\r\n" * 100  # 300 characters once CRLF is LF; 400 code units as sent

    response = rita.post("/api/notes/", {"paper": paper.pmid, "body": body}, format="json")

    assert response.status_code == 201
    assert Note.objects.get().body == "a\n" * 100


# The preview -------------------------------------------------------------------------------


def test_the_preview_answers_html_and_remaining_and_stores_nothing(rita):
    response = rita.post("/api/notes/preview/", {"body": f"*Pearl* {EMOJI}[^1](fn)"}, format="json")

    data = response.json()
    assert response.status_code == 200
    assert set(data) == {"html", "remaining"}
    assert data["remaining"] == 300 - len(f"*Pearl* {EMOJI}[^1](fn)")
    assert "<em>Pearl</em>" in data["html"]
    assert 'id="fn-preview-1"' in data["html"]
    assert Note.objects.count() == 0


def test_the_preview_of_an_empty_draft_is_empty(rita):
    response = rita.post("/api/notes/preview/", {"body": ""}, format="json")

    assert response.json() == {"html": "", "remaining": 300}


def test_the_preview_refuses_301_characters_clearly(rita):
    response = rita.post("/api/notes/preview/", {"body": EMOJI * 301}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["body"] == [
        "Notes are limited to 300 characters; this one has 301."
    ]


def test_the_preview_needs_a_signed_in_user():
    response = APIClient().post("/api/notes/preview/", {"body": "x"}, format="json")

    assert response.status_code == 401


# Listing, creating, editing, deleting -------------------------------------------------------


def test_the_list_holds_my_notes_and_public_ones_only(rita, researcher, other_researcher, paper):
    other_paper = make_paper()
    mine = services.note_create(paper=paper, author=researcher, body="Mine, private.")
    theirs_public = services.note_create(
        paper=paper, author=other_researcher, body="Omar's, public.", visibility="public"
    )
    services.note_create(paper=paper, author=other_researcher, body="Omar's, private.")
    elsewhere = services.note_create(paper=other_paper, author=researcher, body="Elsewhere.")

    everything = rita.get("/api/notes/").json()["results"]
    on_paper = rita.get("/api/notes/", {"paper": paper.pmid}).json()["results"]

    assert {note["id"] for note in everything} == {mine.pk, theirs_public.pk, elsewhere.pk}
    assert {note["id"] for note in on_paper} == {mine.pk, theirs_public.pk}
    by_id = {note["id"]: note for note in on_paper}
    assert by_id[mine.pk]["is_mine"] is True
    assert by_id[theirs_public.pk]["is_mine"] is False
    assert by_id[theirs_public.pk]["author"] == "omar"


def test_i_create_a_note_and_get_its_rendering(rita, researcher, paper):
    response = rita.post(
        "/api/notes/",
        {"paper": paper.pmid, "body": "A **pearl**[^1](From the methods.)", "visibility": "public"},
        format="json",
    )

    data = response.json()
    note = Note.objects.get()
    assert response.status_code == 201
    assert data["id"] == note.pk
    assert data["author"] == "rita"
    assert data["visibility"] == "public"
    assert data["is_mine"] is True
    assert note.author == researcher
    assert note.html == data["html"]
    assert note.html == render_note(note.body, namespace=note.dom_key).html
    assert note.renderer_version == RENDERER_VERSION


def test_footnote_ids_carry_the_notes_dom_key(rita, paper):
    rita.post(
        "/api/notes/",
        {"paper": paper.pmid, "body": "See[^1] and[^2](inline).\n\n[^1]: Long one."},
        format="json",
    )

    note = Note.objects.get()
    ids = set(re.findall(r'id="([^"]+)"', note.html))
    assert ids == {
        f"fnref-{note.dom_key}-1",
        f"fnref-{note.dom_key}-2",
        f"fn-{note.dom_key}-1",
        f"fn-{note.dom_key}-2",
    }


def test_the_default_visibility_is_private(rita, paper):
    rita.post("/api/notes/", {"paper": paper.pmid, "body": "Quiet."}, format="json")

    assert Note.objects.get().visibility == "private"


def test_a_note_on_an_unknown_paper_is_refused(rita):
    response = rita.post("/api/notes/", {"paper": 1, "body": "x"}, format="json")

    assert response.status_code == 400
    assert "paper" in response.json()["fields"]


def test_editing_my_note_keeps_the_previous_text(rita, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="First version.")

    first = rita.patch(f"/api/notes/{note.pk}/", {"body": "Second *version*."}, format="json")
    second = rita.patch(f"/api/notes/{note.pk}/", {"visibility": "public"}, format="json")

    note.refresh_from_db()
    assert first.status_code == 200
    assert second.status_code == 200
    assert note.body == "Second *version*."
    assert note.visibility == "public"
    assert "<em>version</em>" in note.html
    revisions = list(NoteRevision.objects.filter(note=note).order_by("replaced_at", "pk"))
    assert [(r.body, r.visibility) for r in revisions] == [
        ("First version.", "private"),
        ("Second *version*.", "private"),
    ]


def test_an_edit_over_300_characters_changes_nothing(rita, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Kept.")

    response = rita.patch(f"/api/notes/{note.pk}/", {"body": "x" * 301}, format="json")

    note.refresh_from_db()
    assert response.status_code == 400
    assert note.body == "Kept."
    assert NoteRevision.objects.count() == 0


def test_a_note_never_moves_to_another_paper(rita, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Stay.")
    other = make_paper()

    rita.patch(f"/api/notes/{note.pk}/", {"paper": other.pmid}, format="json")

    note.refresh_from_db()
    assert note.paper == paper


def test_i_delete_my_note(rita, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Gone soon.")

    response = rita.delete(f"/api/notes/{note.pk}/")

    assert response.status_code == 204
    assert not Note.objects.filter(pk=note.pk).exists()


# Other people's notes -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_users_private_note_does_not_exist_for_me(omar, researcher, paper, method):
    note = services.note_create(paper=paper, author=researcher, body="Rita's secret.")

    response = getattr(omar, method)(f"/api/notes/{note.pk}/", {"body": "x"}, format="json")

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.body == "Rita's secret."


def test_another_users_public_note_is_readable(omar, researcher, paper):
    note = services.note_create(
        paper=paper, author=researcher, body="Rita's shared.", visibility="public"
    )

    response = omar.get(f"/api/notes/{note.pk}/")

    assert response.status_code == 200
    assert response.json()["body"] == "Rita's shared."
    assert response.json()["is_mine"] is False


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_another_users_public_note_cannot_be_changed(omar, researcher, paper, method):
    note = services.note_create(
        paper=paper, author=researcher, body="Rita's shared.", visibility="public"
    )

    response = getattr(omar, method)(
        f"/api/notes/{note.pk}/", {"body": "Vandalised.", "paper": paper.pmid}, format="json"
    )

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.body == "Rita's shared."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/notes/"),
        ("post", "/api/notes/"),
        ("get", "/api/notes/{id}/"),
        ("patch", "/api/notes/{id}/"),
        ("delete", "/api/notes/{id}/"),
        ("post", "/api/notes/preview/"),
    ],
)
def test_anonymous_requests_are_unauthorised(researcher, paper, method, path):
    note = services.note_create(paper=paper, author=researcher, body="Public.", visibility="public")

    response = getattr(APIClient(), method)(path.format(id=note.pk), {"body": "x"}, format="json")

    assert response.status_code == 401
    assert Note.objects.get().body == "Public."


# CSRF for session-authenticated writes ------------------------------------------------------


def _signed_in_browser(user) -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get("/")  # any page with a form sets the csrftoken cookie
    assert page.status_code == 200
    return browser, browser.cookies["csrftoken"].value


def test_a_session_post_without_the_csrf_token_is_refused(researcher, paper):
    browser, _ = _signed_in_browser(researcher)

    response = browser.post(
        "/api/notes/",
        {"paper": paper.pmid, "body": "Forged."},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Note.objects.count() == 0


def test_a_session_post_with_the_csrf_token_succeeds(researcher, paper):
    browser, token = _signed_in_browser(researcher)

    response = browser.post(
        "/api/notes/",
        {"paper": paper.pmid, "body": "Real."},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 201
    assert Note.objects.get().body == "Real."


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_session_edits_and_deletes_need_the_csrf_token_too(researcher, paper, method):
    note = services.note_create(paper=paper, author=researcher, body="Mine.")
    browser, token = _signed_in_browser(researcher)
    send = getattr(browser, method)

    refused = send(f"/api/notes/{note.pk}/", {"body": "x"}, content_type="application/json")
    accepted = send(
        f"/api/notes/{note.pk}/",
        {"body": "Changed."},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == 403
    assert accepted.status_code == (200 if method == "patch" else 204)


def test_the_api_client_enforcing_csrf_refuses_a_session_preview_without_token(researcher):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(researcher)

    response = client.post("/api/notes/preview/", {"body": "x"}, format="json")

    assert response.status_code == 403
