"""pubmed_sync and feed refreshes against the fake E-utilities server, in process."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from curation import services
from curation.models import Feed, ImportRun, Paper, RunStatus
from curation.pubmed import PubmedConfig, PubmedUnavailable
from pof_lit.lib.ratelimit import FileRateLimiter
from tests.fake_eutils import Fault

DEFAULT_FEED_NAME = "POF/POI and stem cells, MSCs, exosomes, secretome"

pytestmark = pytest.mark.django_db


@pytest.fixture
def eutils(fake_eutils, settings, tmp_path):
    """The fake server with seven real records, and settings that point PubMed at it."""
    fake_eutils.corpus.keep(fake_eutils.corpus.pmids()[:7])
    settings.PUBMED_EUTILS_URL = fake_eutils.url
    settings.NCBI_EMAIL = "tests@example.org"
    settings.NCBI_API_KEY = "test-key"  # NCBI's 10 requests/s rather than 3
    settings.PUBMED_BATCH_SIZE = 3
    return fake_eutils


def _client(eutils, tmp_path, **overrides):
    from curation.pubmed import PubmedClient

    values = {
        "base_url": eutils.url,
        "email": "tests@example.org",
        "api_key": "test-key",
        "batch_size": 3,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "timeout": 2.0,
        "limiter": FileRateLimiter(tmp_path / "limiter"),
    }
    config = PubmedConfig(**{**values, **overrides})
    return PubmedClient(config)


def test_pubmed_sync_fetches_every_record_once_in_batches(eutils):
    out = io.StringIO()

    call_command("pubmed_sync", "premature ovarian failure", stdout=out)

    assert Paper.objects.count() == 7
    assert out.getvalue().splitlines()[0] == "created 7, updated 0, unchanged 0, failed 0"
    assert len(eutils.requests_to("esearch")) == 1
    assert len(eutils.requests_to("efetch")) == 3  # batches of 3, 3 and 1
    assert all(r.params.get("WebEnv") for r in eutils.requests_to("efetch"))
    assert "E-utilities requests: 4" in out.getvalue()


def test_pubmed_sync_twice_changes_nothing(eutils):
    call_command("pubmed_sync", "poi", stdout=io.StringIO())
    stamps = list(Paper.objects.order_by("pk").values_list("updated_at", flat=True))
    out = io.StringIO()

    call_command("pubmed_sync", "poi", stdout=out)

    assert out.getvalue().splitlines()[0] == "created 0, updated 0, unchanged 7, failed 0"
    assert list(Paper.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_nothing_is_lost_or_duplicated_through_transient_faults(eutils, tmp_path):
    eutils.inject("esearch", Fault.status(429, retry_after=0))
    eutils.inject(
        "efetch",
        Fault.status(500),
        Fault.drop_connection(),
        Fault.truncate(0.5),
        Fault.delay(3.0),  # longer than the client's 2 s read timeout
        Fault.status(503),
    )

    # Five faults in a row on the first batch: the sixth attempt gets through.
    run = services.pubmed_sync(query="poi", client=_client(eutils, tmp_path, max_attempts=6))

    assert run.status == RunStatus.SUCCEEDED
    assert run.created == 7
    assert sorted(Paper.objects.values_list("pmid", flat=True)) == eutils.corpus.pmids()
    assert run.requests == len(eutils.requests)


def test_a_pmid_pubmed_never_returns_is_reported(eutils, tmp_path):
    missing = eutils.corpus.pmids()[2]
    eutils.withheld.add(missing)

    run = services.pubmed_sync(query="poi", client=_client(eutils, tmp_path))

    assert run.status == RunStatus.PARTIAL
    assert run.missing_pmids == [missing]
    assert run.created == 6
    out, err = io.StringIO(), io.StringIO()
    from curation.management.runs import report_run

    report_run(type("C", (), {"stdout": out, "stderr": err})(), run)
    assert f"missing from PubMed's answers: {missing}" in err.getvalue()


def test_pubmed_unavailable_fails_the_run_with_its_reason(eutils, tmp_path):
    eutils.inject("esearch", *[Fault.status(502)] * 3)

    run = services.pubmed_sync(query="poi", client=_client(eutils, tmp_path, max_attempts=3))

    assert run.status == RunStatus.FAILED
    assert "esearch failed 3 times" in run.error
    assert "502" in run.error


def test_a_client_error_is_not_retried(eutils, tmp_path):
    eutils.inject("esearch", Fault.status(400))

    run = services.pubmed_sync(query="poi", client=_client(eutils, tmp_path))

    assert run.status == RunStatus.FAILED
    assert len(eutils.requests_to("esearch")) == 1


def test_pubmed_sync_since_a_date_fetches_only_new_and_revised_records(eutils):
    pmids = eutils.corpus.pmids()
    today = dt.date.today()
    eutils.corpus.clone(pmids[0], 99_000_001, edat=today)
    eutils.corpus.revise(pmids[1], mdat=today, title="A revised title.")

    out = io.StringIO()
    call_command("pubmed_sync", "poi", "--since", str(today - dt.timedelta(days=1)), stdout=out)

    assert set(Paper.objects.values_list("pmid", flat=True)) == {99_000_001, pmids[1]}
    assert Paper.objects.get(pmid=pmids[1]).title == "A revised title."


def test_pubmed_sync_max_stops_after_n_records(eutils):
    call_command("pubmed_sync", "poi", "--max", "4", stdout=io.StringIO())

    assert Paper.objects.count() == 4


def test_pubmed_sync_rejects_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("pubmed_sync", "poi", "--since", "last week")


def test_a_search_over_ten_thousand_hits_is_split_and_fully_imported(fake_eutils, tmp_path):
    fake_eutils.corpus.keep(fake_eutils.corpus.pmids()[:3])
    fake_eutils.corpus.add_clones(10_050, templates=fake_eutils.corpus.pmids())
    client = _client(fake_eutils, tmp_path, batch_size=500)

    run = services.pubmed_sync(query="poi", client=client)

    assert run.status == RunStatus.SUCCEEDED
    assert run.created == Paper.objects.count() == 10_053
    assert len(fake_eutils.requests_to("esearch")) > 2  # the date windows


# Feed refreshes ---------------------------------------------------------------------


@pytest.fixture
def feed():
    return Feed.objects.create(name="Test feed", query="poi AND stem cells")


def _refresh(feed, eutils, tmp_path, **kwargs) -> ImportRun:
    run = ImportRun.objects.create(kind="feed", feed=feed, source=feed.query)
    return services.feed_refresh(run_id=run.pk, client=_client(eutils, tmp_path), **kwargs)


def test_a_feed_refresh_fetches_everything_first_then_only_what_changed(eutils, feed, tmp_path):
    first = _refresh(feed, eutils, tmp_path)
    feed.refresh_from_db()
    assert first.created == 7
    assert feed.synced_until == first.window_end
    assert feed.last_success_at is not None

    today = dt.date.today()
    pmids = eutils.corpus.pmids()
    eutils.corpus.clone(pmids[0], 99_000_002, edat=today)
    eutils.corpus.revise(pmids[3], mdat=today, title="Revised by the journal.")
    eutils.reset_log()

    second = _refresh(feed, eutils, tmp_path)

    assert (second.created, second.updated, second.unchanged) == (1, 1, 0)
    assert second.window_start == first.window_end - services.FEED_WINDOW_OVERLAP
    assert Paper.objects.get(pmid=pmids[3]).title == "Revised by the journal."


def test_a_refresh_with_nothing_new_makes_one_esearch_per_window_and_writes_nothing(
    eutils, feed, tmp_path
):
    _refresh(feed, eutils, tmp_path)
    stamps = list(Paper.objects.order_by("pk").values_list("updated_at", flat=True))
    eutils.reset_log()

    run = _refresh(feed, eutils, tmp_path)

    assert [r.params["datetype"] for r in eutils.requests_to("esearch")] == ["edat", "mdat"]
    assert eutils.requests_to("efetch") == []
    assert (run.created, run.updated, run.unchanged) == (0, 0, 0)
    assert run.requests == 2
    assert list(Paper.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_two_refreshes_of_one_feed_never_run_at_once(eutils, feed):
    first = services.feed_refresh_start(feed=feed)
    second = services.feed_refresh_start(feed=feed)

    assert first is not None
    assert second is None
    assert feed.runs.count() == 1


def test_a_run_claimed_by_a_live_task_is_not_taken_by_another(eutils, feed, tmp_path):
    run = ImportRun.objects.create(
        kind="feed",
        feed=feed,
        status=RunStatus.RUNNING,
        task_id="task-a",
        heartbeat_at=timezone.now(),
    )

    other = services.feed_refresh(run_id=run.pk, task_id="task-b", client=_client(eutils, tmp_path))

    assert other.status == RunStatus.RUNNING
    assert other.task_id == "task-a"
    assert Paper.objects.count() == 0


def test_a_redelivered_task_finishes_its_own_run(eutils, feed, tmp_path):
    run = ImportRun.objects.create(
        kind="feed",
        feed=feed,
        status=RunStatus.RUNNING,
        task_id="task-a",
        heartbeat_at=timezone.now(),
        created=3,  # counted by the attempt that was killed
    )

    finished = services.feed_refresh(
        run_id=run.pk, task_id="task-a", client=_client(eutils, tmp_path)
    )

    assert finished.status == RunStatus.SUCCEEDED
    assert finished.created == 7
    assert Paper.objects.count() == 7


def test_pubmed_down_requeues_the_run_until_the_final_attempt(eutils, feed, tmp_path):
    eutils.inject("esearch", *[Fault.status(500)] * 10)
    run = ImportRun.objects.create(kind="feed", feed=feed, source=feed.query)
    client = _client(eutils, tmp_path, max_attempts=2)

    with pytest.raises(PubmedUnavailable):
        services.feed_refresh(run_id=run.pk, final_attempt=False, client=client)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert run.error.startswith("Will retry:")

    with pytest.raises(PubmedUnavailable):
        services.feed_refresh(run_id=run.pk, final_attempt=True, client=client)
    run.refresh_from_db()
    feed.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "500" in run.error
    assert feed.synced_until is None


def test_the_dispatcher_queues_due_feeds_only(eutils, feed, settings):
    settings.CELERY_BROKER_URL = ""  # in process: the refresh runs when the test commits
    Feed.objects.create(name="Fresh", query="x", last_success_at=timezone.now())
    Feed.objects.create(name="Paused", query="y", is_active=False)

    runs = services.feeds_dispatch_due()

    # The default feed from the data migration has never run, so it is due too.
    assert sorted(run.feed.name for run in runs) == sorted([DEFAULT_FEED_NAME, "Test feed"])


def test_the_dispatcher_fails_runs_whose_worker_was_lost(feed, settings):
    lost = ImportRun.objects.create(
        kind="feed",
        feed=feed,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5),
    )

    services.feeds_dispatch_due()

    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED
    assert "stopped answering" in lost.error
    assert feed.runs.filter(status=RunStatus.QUEUED).count() == 1
