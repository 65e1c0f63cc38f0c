"""The API: one router for every app's viewsets, the schema and its local docs."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from curation.api.views import FeedViewSet, MechanismViewSet, PaperViewSet, RunViewSet
from notes.api.views import NoteViewSet
from pof_lit.api_auth import TokenView

app_name = "api"

router = DefaultRouter()
router.register("papers", PaperViewSet, basename="paper")
router.register("notes", NoteViewSet, basename="note")
router.register("mechanisms", MechanismViewSet, basename="mechanism")
router.register("feeds", FeedViewSet, basename="feed")
router.register("runs", RunViewSet, basename="run")

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
