"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from curation.permissions import is_curator


def roles(request: HttpRequest) -> dict[str, bool]:
    """Expose whether the signed-in user is a curator, so pages hide curator controls."""
    return {"user_is_curator": is_curator(getattr(request, "user", None))}
