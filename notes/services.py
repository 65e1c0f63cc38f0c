"""Writes for notes: create, edit (keeping the previous text), delete, re-render."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from curation.models import Paper
from notes.models import Note, NoteRevision, Visibility
from notes.render import RENDERER_VERSION, RenderedNote, render_note

PREVIEW_NAMESPACE = "preview"


def normalize_body(body: str) -> str:
    """Return the body with CRLF and lone CR as LF, as the browser's counter sees it."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def note_preview(*, body: str) -> RenderedNote:
    """Render a draft through the same pipeline a saved note uses; raises NoteTooLongError."""
    return render_note(normalize_body(body), namespace=PREVIEW_NAMESPACE)


def note_create(*, paper: Paper, author, body: str, visibility: str = Visibility.PRIVATE) -> Note:
    """Save a new note with its rendered HTML; raises NoteTooLongError over 300 characters."""
    body = normalize_body(body)
    note = Note(paper=paper, author=author, body=body, visibility=visibility)
    note.html = render_note(body, namespace=note.dom_key).html
    note.renderer_version = RENDERER_VERSION
    note.save()
    return note


def note_update(*, note: Note, body: str | None = None, visibility: str | None = None) -> Note:
    """Change a note's text or visibility, keeping the previous version as a revision."""
    new_body = note.body if body is None else normalize_body(body)
    new_visibility = note.visibility if visibility is None else visibility
    if (new_body, new_visibility) == (note.body, note.visibility):
        return note
    rendered = render_note(new_body, namespace=note.dom_key)
    now = timezone.now()
    with transaction.atomic():
        NoteRevision.objects.create(
            note=note,
            body=note.body,
            visibility=note.visibility,
            written_at=note.updated_at,
            replaced_at=now,
        )
        note.body = new_body
        note.visibility = new_visibility
        note.html = rendered.html
        note.renderer_version = RENDERER_VERSION
        note.updated_at = now
        note.save(update_fields=["body", "visibility", "html", "renderer_version", "updated_at"])
    return note


def note_delete(*, note: Note) -> None:
    note.delete()


def notes_rerender_stale(*, batch_size: int = 500) -> int:
    """Re-render notes made by an older renderer; return how many changed."""
    count = 0
    while True:
        stale = list(Note.objects.exclude(renderer_version=RENDERER_VERSION)[:batch_size])
        if not stale:
            return count
        for note in stale:
            note.html = render_note(note.body, namespace=note.dom_key).html
            note.renderer_version = RENDERER_VERSION
        Note.objects.bulk_update(stale, ["html", "renderer_version"])
        count += len(stale)
