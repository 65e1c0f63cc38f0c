"""The notes box without JavaScript: plain form posts that save and go back to the paper.

With JavaScript the box talks to the JSON API (/api/notes/) instead; both save through
notes.services, so a note is validated and rendered the same way either way.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from curation import selectors as curation_selectors
from curation.models import Paper
from curation.views import paper_page
from notes import selectors, services
from notes.models import Note, Visibility
from notes.render import MAX_NOTE_LENGTH, note_length


class NoteForm(forms.Form):
    # No max_length: it would add a maxlength attribute, which counts UTF-16 code units
    # ("🧬" as 2); the limit is checked in code points, as the counter shows it.
    body = forms.CharField(label="Your note", strip=False, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.PRIVATE

    def clean_body(self) -> str:
        body = services.normalize_body(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("Write something first: the note is empty.")
        length = note_length(body)
        if length > MAX_NOTE_LENGTH:
            raise forms.ValidationError(
                f"Notes are limited to {MAX_NOTE_LENGTH} characters; this one has {length}. "
                f"Remove {length - MAX_NOTE_LENGTH} to save it."
            )
        return body


def _own_note(request: HttpRequest, pk: int) -> Note:
    """Return the user's own note; 404 when they may not see it, 403 when it is not theirs."""
    note = get_object_or_404(selectors.notes_visible_to(request.user), pk=pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only the note's author may change it.")
    return note


def _back_to(note: Note) -> str:
    return f"{note.paper.get_absolute_url()}#note-{note.pk}"


@login_required
@require_POST
def note_create(request: HttpRequest, pmid: int) -> HttpResponse:
    """Save a note from the paper page's form, or show the page again with the error."""
    try:
        paper = curation_selectors.paper_detail(pmid=pmid)
    except Paper.DoesNotExist:
        raise Http404("No paper with this PMID.") from None
    form = NoteForm(request.POST)
    if not form.is_valid():
        return paper_page(request, paper, note_form=form, status=400)
    note = services.note_create(
        paper=paper,
        author=request.user,
        body=form.cleaned_data["body"],
        visibility=form.cleaned_data["visibility"],
    )
    messages.success(request, "Note saved.")
    return redirect(_back_to(note))


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit one of my notes on its own page (the box edits in place with JavaScript)."""
    note = _own_note(request, pk)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            services.note_update(
                note=note,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
            )
            messages.success(request, "Note updated.")
            return redirect(_back_to(note))
        status = 400
    else:
        form = NoteForm(initial={"body": note.body, "visibility": note.visibility})
        status = 200
    return render(
        request,
        "notes/note_edit.html",
        {"note": note, "paper": note.paper, "form": form, "max_length": MAX_NOTE_LENGTH},
        status=status,
    )


@login_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of my notes and go back to its paper."""
    note = _own_note(request, pk)
    paper_url = note.paper.get_absolute_url()
    services.note_delete(note=note)
    messages.success(request, "Note deleted.")
    return redirect(f"{paper_url}#notes")
