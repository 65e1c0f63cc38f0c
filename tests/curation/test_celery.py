"""Feed refreshes through a real Celery worker (and beat) on real Redis and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from curation import services, tasks
from curation.models import Feed, ImportRun, Paper, RunStatus
from tests.fake_eutils import Fault

pytestmark = [
    pytest.mark.celery,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 10


def _wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _purge_broker() -> None:
    """Drop messages and unacknowledged tasks other tests left on the broker."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


class Processes:
    """Celery processes started for one test, each in its own process group."""

    def __init__(self, eutils, tmp_path: Path) -> None:
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "REDIS_URL": settings.REDIS_URL,
            "PUBMED_EUTILS_URL": eutils.url,
            "NCBI_EMAIL": "tests@example.org",
            "NCBI_API_KEY": "test-key",
            "PUBMED_BATCH_SIZE": "3",
            "CELERY_TASK_TIME_LIMIT": str(VISIBILITY_TIMEOUT - 2),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "FEED_DISPATCH_SECONDS": "5",
        }
        self.tmp_path = tmp_path
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str, name: str) -> tuple[subprocess.Popen, Path]:
        log = self.tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pof_lit", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process, log

    def worker(self, name: str) -> tuple[subprocess.Popen, Path]:
        process, log = self.start(
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={name}@%h",
            name=name,
        )
        _wait_for(lambda: "ready." in log.read_text(), timeout=30, what=f"{name} to start")
        return process, log

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def eutils(fake_eutils):
    fake_eutils.corpus.keep(fake_eutils.corpus.pmids()[:7])
    return fake_eutils


@pytest.fixture
def celery(eutils, tmp_path) -> Iterator[Processes]:
    _purge_broker()
    processes = Processes(eutils, tmp_path)
    yield processes
    processes.stop_all()
    _purge_broker()


def _finished(run: ImportRun) -> Callable[[], bool]:
    def check() -> bool:
        run.refresh_from_db()
        return run.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)

    return check


def test_tasks_are_acknowledged_late_with_a_visibility_timeout_longer_than_any_task():
    assert tasks.refresh_feed.acks_late
    assert tasks.tag_papers.acks_late
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT


def test_a_worker_refreshes_a_feed_and_tags_what_it_fetched(celery, eutils):
    celery.worker("w1")
    feed = Feed.objects.create(name="Worker feed", query="poi")

    run = services.feed_refresh_start(feed=feed)
    _wait_for(_finished(run), timeout=60, what="the refresh")

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.created == 7
    assert run.task_id
    _wait_for(
        lambda: Paper.objects.exclude(tagger_version="").count() == 7,
        timeout=60,
        what="the tagging task",
    )


def test_a_worker_killed_mid_task_loses_and_duplicates_nothing_on_redelivery(celery, eutils):
    first, _ = celery.worker("w1")
    eutils.inject("efetch", Fault.delay(VISIBILITY_TIMEOUT))
    feed = Feed.objects.create(name="Killed feed", query="poi")

    run = services.feed_refresh_start(feed=feed)
    _wait_for(lambda: eutils.requests_to("efetch"), timeout=30, what="the first efetch")
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    celery.kill(first)
    # Redis hands the unacknowledged task to a worker once the visibility timeout has
    # passed; a replacement worker sweeps for such tasks when it starts.
    time.sleep(VISIBILITY_TIMEOUT + 1)

    celery.worker("w2")
    _wait_for(_finished(run), timeout=90, what="the redelivered refresh")

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert Paper.objects.count() == 7
    assert sorted(Paper.objects.values_list("pmid", flat=True)) == eutils.corpus.pmids()
    assert run.created == 7
    assert feed.runs.count() == 1


def test_beat_dispatches_due_feeds_to_the_worker(celery, eutils):
    Feed.objects.exclude(name="Beat feed").update(is_active=False)
    feed = Feed.objects.create(name="Beat feed", query="poi")
    celery.worker("w1")
    celery.start(
        "beat",
        "--loglevel=INFO",
        f"--schedule={celery.tmp_path / 'beat-schedule'}",
        name="beat",
    )

    _wait_for(lambda: feed.runs.exists(), timeout=40, what="beat to dispatch the feed")
    run = feed.runs.get()
    _wait_for(_finished(run), timeout=60, what="the scheduled refresh")

    assert run.status == RunStatus.SUCCEEDED
    feed.refresh_from_db()
    assert feed.last_success_at is not None
