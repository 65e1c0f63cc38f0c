"""The notes box on the paper page, and its form posts for browsers without JavaScript."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from notes import services
from notes.models import Note, NoteRevision
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

HELP_ITEMS = [
    "Simple formatting can be added to notes, such as *italics*, _underline_ or **bold**.",
    "Superscript can be denoted by <sup>text</sup> and subscript <sub>text</sub>.",
    "Numbered or bulleted lists can be created using either numbered lines 1. 2. 3., "
    "hyphens - or asterisks *.",
    "Links can be included with: [my link to pubmed](http://pubmed.com)",
    "Images can be included with: "
    '![alt text](https://bestmedicaljournal.com/study_graph.jpg "Image Title Text")',
    "For footnotes use [^1](This is a footnote.) inline.",
    "Or use an inline reference [^1] to refer to a longer footnote elsewhere in the document "
    "[^1]: This is a long footnote.",
]


@pytest.fixture
def paper():
    return make_paper()


def _page(client: Client, paper) -> str:
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _notes_box(html: str) -> str:
    return html.split('<section id="notes"', 1)[1].split("<template", 1)[0]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


# What each persona sees ----------------------------------------------------------------


def test_anonymous_readers_are_asked_to_sign_in_and_see_no_notes(client, researcher, paper):
    services.note_create(paper=paper, author=researcher, body="Public pearl.", visibility="public")
    services.note_create(paper=paper, author=researcher, body="Private pearl.")

    html = _page(client, paper)

    assert "Sign in to add notes" in html
    assert f"/accounts/login/?next=/papers/{paper.pmid}/%23notes" in html
    assert "pearl" not in html
    assert "<textarea" not in html


def test_the_box_offers_the_placeholder_counter_and_help(client, researcher, paper):
    client.force_login(researcher)

    html = _page(client, paper)

    assert 'placeholder="Knowledge, pearl, summary or comment to share?"' in html
    assert 'aria-live="polite" data-note-counter>300 characters remaining</p>' in html
    assert "maxlength" not in html
    assert '<span class="when-closed">help</span><span class="when-open">hide</span>' in html
    help_text = html.split('class="note-help-text">', 1)[1].split("</div>", 1)[0]
    items = [_text(item) for item in re.findall(r"<li>(.*?)</li>", help_text)]
    assert _text(help_text).startswith(
        "You can also include formatting, links, images and footnotes in your notes"
    )
    assert items == HELP_ITEMS
    assert '<input type="radio" name="visibility" value="private" checked>' in html
    assert 'data-preview-url="/api/notes/preview/"' in html


def test_i_see_my_notes_and_public_ones_never_others_private_ones(
    client, researcher, other_researcher, paper
):
    services.note_create(paper=paper, author=researcher, body="My private pearl.")
    services.note_create(
        paper=paper, author=other_researcher, body="Omar's public pearl.", visibility="public"
    )
    services.note_create(paper=paper, author=other_researcher, body="Omar's private pearl.")
    client.force_login(researcher)

    box = _notes_box(_page(client, paper))

    mine, others = box.split('id="public-notes-heading"', 1)
    assert "My private pearl." in mine
    assert "Omar&#x27;s public pearl." in others or "Omar's public pearl." in others
    assert "Omar's private pearl." not in box
    assert "Omar&#x27;s private pearl." not in box
    assert ">omar</span>" in others
    assert "Edit<span" in mine
    assert "Edit<span" not in others


def test_each_note_shows_its_author_date_and_visibility(client, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Dated.", visibility="public")
    client.force_login(researcher)

    box = _notes_box(_page(client, paper))

    assert f'id="note-{note.pk}"' in box
    assert ">rita</span>" in box
    assert f'datetime="{note.created_at.isoformat()}"' in box
    assert f">{note.created_at:%-d %b %Y}</time>" in box
    assert "data-note-visibility>Public</span>" in box


def test_the_page_prints_the_stored_html_and_does_no_markdown_work(
    client, researcher, paper, monkeypatch
):
    note = services.note_create(paper=paper, author=researcher, body="*Stored* text[^1](fn).")
    Note.objects.filter(pk=note.pk).update(html="<p>As <em>stored</em> by the pipeline.</p>")

    def refuse(*args, **kwargs):
        raise AssertionError("the page rendered markdown")

    monkeypatch.setattr("notes.render.render_note", refuse)
    monkeypatch.setattr("notes.services.render_note", refuse)
    client.force_login(researcher)

    box = _notes_box(_page(client, paper))

    assert "<p>As <em>stored</em> by the pipeline.</p>" in box


def test_footnotes_of_two_notes_on_one_page_never_share_an_id(client, researcher, paper):
    first = services.note_create(paper=paper, author=researcher, body="One[^1](a).")
    second = services.note_create(paper=paper, author=researcher, body="Two[^1](b).")
    client.force_login(researcher)

    html = _page(client, paper)

    ids = re.findall(r'id="(fn[^"]*)"', html)
    assert len(ids) == len(set(ids)) == 4
    assert f'id="fn-{first.dom_key}-1"' in html
    assert f'id="fn-{second.dom_key}-1"' in html


# Without JavaScript: the box posts a form ---------------------------------------------------


def test_a_form_post_saves_the_note_and_returns_to_it(client, researcher, paper):
    client.force_login(researcher)

    response = client.post(
        f"/papers/{paper.pmid}/notes/",
        {"body": "A pearl[^1](with a footnote).", "visibility": "public"},
    )

    note = Note.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.pmid}/#note-{note.pk}"
    assert note.author == researcher
    assert note.visibility == "public"
    assert f'id="fn-{note.dom_key}-1"' in note.html
    page = client.get(response["Location"]).content.decode()
    assert "Note saved." in page
    assert "with a footnote" in page


def test_a_form_post_of_301_characters_shows_the_error_and_keeps_the_text(
    client, researcher, paper
):
    client.force_login(researcher)
    body = "🧬" * 301

    response = client.post(f"/papers/{paper.pmid}/notes/", {"body": body, "visibility": "public"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Notes are limited to 300 characters; this one has 301." in html
    assert f"data-note-body>{body}</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert "1 character too many" in html
    assert '<input type="radio" name="visibility" value="public" checked>' in html
    assert Note.objects.count() == 0


def test_a_form_post_of_300_emoji_is_saved(client, researcher, paper):
    client.force_login(researcher)

    response = client.post(f"/papers/{paper.pmid}/notes/", {"body": "🧬" * 300})

    assert response.status_code == 302
    assert Note.objects.get().body == "🧬" * 300


def test_an_empty_form_post_is_refused(client, researcher, paper):
    client.force_login(researcher)

    response = client.post(f"/papers/{paper.pmid}/notes/", {"body": "   "})

    assert response.status_code == 400
    assert "the note is empty" in response.content.decode()


def test_an_anonymous_form_post_goes_to_sign_in(client, paper):
    response = client.post(f"/papers/{paper.pmid}/notes/", {"body": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Note.objects.count() == 0


def test_a_form_post_without_the_csrf_token_is_refused(researcher, paper):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(researcher)

    response = browser.post(f"/papers/{paper.pmid}/notes/", {"body": "Forged."})

    assert response.status_code == 403
    assert Note.objects.count() == 0


def test_the_edit_page_changes_my_note_and_keeps_a_revision(client, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Before.")
    client.force_login(researcher)

    form = client.get(f"/notes/{note.pk}/edit/").content.decode()
    response = client.post(
        f"/notes/{note.pk}/edit/", {"body": "After **edit**.", "visibility": "public"}
    )

    note.refresh_from_db()
    assert "data-note-body>Before.</textarea>" in form
    assert "Save changes" in form
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.pmid}/#note-{note.pk}"
    assert note.body == "After **edit**."
    assert "<strong>edit</strong>" in note.html
    assert NoteRevision.objects.get(note=note).body == "Before."


def test_the_edit_page_shows_the_length_error(client, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Before.")
    client.force_login(researcher)

    response = client.post(f"/notes/{note.pk}/edit/", {"body": "x" * 301, "visibility": "private"})

    assert response.status_code == 400
    assert "this one has 301" in response.content.decode()
    note.refresh_from_db()
    assert note.body == "Before."


def test_i_delete_my_note_with_a_form_post(client, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Bye.")
    client.force_login(researcher)

    response = client.post(f"/notes/{note.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.pmid}/#notes"
    assert not Note.objects.exists()


@pytest.mark.parametrize(("visibility", "expected"), [("private", 404), ("public", 403)])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/notes/{pk}/edit/"), ("post", "/notes/{pk}/edit/"), ("post", "/notes/{pk}/delete/")],
)
def test_another_users_note_cannot_be_edited_or_deleted(
    client, researcher, other_researcher, paper, visibility, expected, method, path
):
    note = services.note_create(
        paper=paper, author=other_researcher, body="Omar's.", visibility=visibility
    )
    client.force_login(researcher)

    response = getattr(client, method)(path.format(pk=note.pk), {"body": "Hijacked."})

    assert response.status_code == expected
    note.refresh_from_db()
    assert note.body == "Omar's."


def test_deleting_needs_a_post(client, researcher, paper):
    note = services.note_create(paper=paper, author=researcher, body="Stay.")
    client.force_login(researcher)

    assert client.get(f"/notes/{note.pk}/delete/").status_code == 405
    assert Note.objects.filter(pk=note.pk).exists()
