"""Reads for notes: what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from notes.models import Note, Visibility


def notes_visible_to(user) -> QuerySet[Note]:
    """Return the user's own notes and everyone's public ones; nothing for anonymous users.

    Another user's private note is never in this queryset, so every page, API answer,
    search and export built on it treats such a note as if it did not exist.
    """
    if user is None or not user.is_authenticated:
        return Note.objects.none()
    return Note.objects.filter(Q(author=user) | Q(visibility=Visibility.PUBLIC)).select_related(
        "author", "paper"
    )
