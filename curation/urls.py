from __future__ import annotations

from django.urls import path

from curation import views
from notes import views as note_views

app_name = "curation"

urlpatterns = [
    path("", views.paper_list, name="paper-list"),
    path("papers/<int:pmid>/", views.paper_detail, name="paper-detail"),
    # The notes box's form posts when JavaScript is off (with it, the box uses /api/notes/).
    path("papers/<int:pmid>/notes/", note_views.note_create, name="note-create"),
    path("notes/<int:pk>/edit/", note_views.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", note_views.note_delete, name="note-delete"),
]
