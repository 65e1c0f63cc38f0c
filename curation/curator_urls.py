"""Curator pages, mounted at /curate/ (curators only)."""

from __future__ import annotations

from django.urls import path

from curation import curator_views

app_name = "curate"

urlpatterns = [
    path("queue/", curator_views.queue, name="queue"),
    path("papers/<int:pmid>/decide/", curator_views.decide, name="decide"),
    path("tagger/", curator_views.tagger, name="tagger"),
    path("feeds/", curator_views.feed_list, name="feeds"),
    path("feeds/add/", curator_views.feed_add, name="feed-add"),
    path("feeds/<int:pk>/", curator_views.feed_detail, name="feed-detail"),
    path("feeds/<int:pk>/edit/", curator_views.feed_edit, name="feed-edit"),
    path("feeds/<int:pk>/refresh/", curator_views.feed_refresh, name="feed-refresh"),
    path("runs/", curator_views.run_list, name="runs"),
    path("runs/<int:pk>/", curator_views.run_detail, name="run-detail"),
]
