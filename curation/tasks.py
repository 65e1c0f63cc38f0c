"""Celery tasks: ids in, one service call. Every task is safe to run twice.

``acks_late`` with ``reject_on_worker_lost`` (settings) means a worker killed mid-task
leaves the message on the queue and another worker runs it again; each service below is
idempotent, so the second run finishes the work without duplicating any of it.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from curation import services
from curation.pubmed import PubmedUnavailable

# Transient failures worth retrying: the database or NCBI briefly unavailable.
TRANSIENT = (OperationalError, InterfaceError, PubmedUnavailable)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=4,
)
def refresh_feed(self, *, run_id: int) -> str:
    """Refresh one feed for the run a dispatcher or a curator created."""
    run = services.feed_refresh(
        run_id=run_id,
        task_id=self.request.id or "",
        final_attempt=self.request.retries >= self.max_retries,
    )
    return run.summary()


@shared_task(acks_late=True)
def dispatch_due_feeds() -> int:
    """Queue a refresh for every active feed that is due (one beat entry calls this)."""
    return len(services.feeds_dispatch_due())


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    max_retries=5,
)
def tag_papers(*, paper_ids: list[int]) -> int:
    """Tag the given papers; decided tags stay as curators left them."""
    return services.papers_tag(paper_ids=paper_ids).papers_changed
