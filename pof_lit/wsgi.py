"""WSGI entry point (gunicorn pof_lit.wsgi)."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pof_lit.settings")

application = get_wsgi_application()


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector out of the latency of pages and API answers.

    Django, DRF and the URL and template machinery leave some 150,000 long-lived objects
    after start-up, and every full collection walked all of them: on a page of 100 papers
    (about 100,000 short-lived objects) that put the 95th percentile at three times the
    median (bench/api_load.py; docs/performance.md). Freezing what start-up built moves it
    out of the collector's sight, and a larger first generation collects 100 times less
    often; reference counting still frees almost everything at once.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


if os.environ.get("GC_TUNING", "1") != "0":
    tune_garbage_collector()
