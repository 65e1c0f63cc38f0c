"""Enqueue a Celery task after the current transaction commits, or run it in process.

With a broker configured the task goes to a worker once the rows it reads are committed
(``delay_on_commit``). Without one (``make run`` on a laptop) the same task body runs in
this process after commit, so development needs no Redis and behaves the same way; a long
task (a feed refresh asked for from a page) runs in a background thread so the request
that asked for it is answered at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue(task: Task, /, *, background: bool = False, **kwargs: Any) -> None:
    """Send ``task`` with JSON keyword arguments once the transaction commits.

    Without a broker, run it here after commit: in this thread, or with ``background`` in
    a thread of its own (which closes its database connection when done).
    """
    if broker_configured():
        task.delay_on_commit(**kwargs)
        return

    def run_here() -> None:
        result = task.apply(kwargs=kwargs)
        if result.failed():
            logger.error("In-process task %s failed: %s", task.name, result.result)

    def run_in_thread() -> None:
        try:
            run_here()
        finally:
            connection.close()

    if background:
        transaction.on_commit(
            lambda: threading.Thread(target=run_in_thread, name=task.name, daemon=True).start()
        )
    else:
        transaction.on_commit(run_here)
