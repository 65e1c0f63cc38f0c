"""pof-lit: literature curation for MSC therapy of premature ovarian failure / insufficiency."""

from __future__ import annotations

from pof_lit.celery import app as celery_app

__all__ = ("celery_app",)
