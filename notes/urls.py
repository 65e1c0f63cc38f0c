from __future__ import annotations

from django.urls import path

from notes import views

app_name = "notes"

# The notes box's form posts when JavaScript is off (with it, the box uses /api/notes/).
urlpatterns = [
    path("papers/<int:pmid>/notes/", views.note_create, name="note-create"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note-delete"),
]
