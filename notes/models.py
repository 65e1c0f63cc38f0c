"""Researchers' short markdown notes on papers, with every earlier version kept."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from curation.models import Paper
from notes.render import MAX_NOTE_LENGTH


class Visibility(models.TextChoices):
    PRIVATE = "private", "only me"
    PUBLIC = "public", "every signed-in user"


def new_dom_key() -> str:
    """Return a random prefix for a note's footnote ids, known before the note is saved."""
    return "n" + secrets.token_hex(5)


class Note(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    # Markdown with CRLF normalised to LF, at most 300 Unicode code points.
    body = models.TextField()
    # notes.render output, stored so pages do no markdown work; renderer_version says
    # which renderer made it, and rerender_notes refreshes stale ones.
    html = models.TextField()
    renderer_version = models.CharField(max_length=64)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # Prefixes the note's footnote ids so many notes on one page never collide.
    dom_key = models.CharField(max_length=16, default=new_dom_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dom_key"], name="note_dom_key_unique"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MAX_NOTE_LENGTH),
                name="note_body_max_length",
            ),
        ]
        indexes = [
            # The notes on a paper page: mine and public ones, newest first.
            models.Index(fields=["paper", "visibility", "-created_at"], name="note_paper_idx"),
            # "My notes" in the API.
            models.Index(fields=["author", "-created_at"], name="note_author_idx"),
            # rerender_notes finds notes made by an older renderer.
            models.Index(fields=["renderer_version"], name="note_renderer_idx"),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} by {self.author} on PMID {self.paper.pmid}"

    def is_visible_to(self, user) -> bool:
        """Return whether ``user`` may read this note: its author, or anyone signed in if public."""
        if not user.is_authenticated:
            return False
        return self.author_id == user.pk or self.visibility == Visibility.PUBLIC


class NoteRevision(models.Model):
    """An earlier version of a note, kept when its author edits it."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    # When this version was written (the note's updated_at before the edit).
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of note {self.note_id} from {self.written_at:%Y-%m-%d %H:%M}"
