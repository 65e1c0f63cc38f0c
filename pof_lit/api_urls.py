"""The API: one router for every app's viewsets, the schema and its local docs."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from curation.api.views import PaperViewSet
from notes.api.views import NoteViewSet

app_name = "api"

router = DefaultRouter()
router.register("papers", PaperViewSet, basename="paper")
router.register("notes", NoteViewSet, basename="note")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
