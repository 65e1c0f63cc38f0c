"""Enqueue a Celery task after the current transaction commits, or run it in process.

With a broker configured the task goes to a worker once the rows it reads are committed
(``delay_on_commit``). Without one (``make run`` on a laptop) the same task body runs in
this process after commit, so development needs no Redis and behaves the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue(task: Task, /, **kwargs: Any) -> None:
    """Send ``task`` with JSON keyword arguments once the transaction commits."""
    if broker_configured():
        task.delay_on_commit(**kwargs)
        return

    def run_here() -> None:
        result = task.apply(kwargs=kwargs)
        if result.failed():
            logger.error("In-process task %s failed: %s", task.name, result.result)

    transaction.on_commit(run_here)
