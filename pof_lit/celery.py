"""The Celery application: a worker and beat read Django settings prefixed ``CELERY_``.

Start them with ``celery -A pof_lit worker`` and ``celery -A pof_lit beat``. Without a
broker (``make run``) tasks are not sent anywhere: ``pof_lit.lib.tasks.enqueue`` runs them
in the process that asks, after the transaction commits.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pof_lit.settings")

app = Celery("pof_lit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
