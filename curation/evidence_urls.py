"""The evidence map, mounted at /evidence/ (public)."""

from __future__ import annotations

from django.urls import path

from curation import evidence_views

app_name = "evidence"

urlpatterns = [
    path("", evidence_views.evidence_map, name="map"),
]
