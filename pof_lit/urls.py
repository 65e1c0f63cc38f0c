from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from pof_lit.views import healthz

urlpatterns = [
    path("", include("curation.urls")),
    path("", include("notes.urls")),
    path("api/", include("pof_lit.api_urls")),
    path("curate/", include("curation.curator_urls")),
    path("evidence/", include("curation.evidence_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
