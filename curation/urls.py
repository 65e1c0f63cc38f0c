from __future__ import annotations

from django.urls import path

from curation import views

app_name = "curation"

urlpatterns = [
    path("", views.paper_list, name="paper-list"),
    path("papers/<int:pmid>/", views.paper_detail, name="paper-detail"),
]
