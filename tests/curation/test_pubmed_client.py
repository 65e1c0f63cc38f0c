"""The E-utilities client against the fake server, over real HTTP through Biopython."""

from __future__ import annotations

import datetime as dt
import itertools
import logging

import pytest
from Bio import Entrez

from curation.pubmed import (
    ESEARCH_MAX,
    FetchBatch,
    PubmedClient,
    PubmedConfig,
    PubmedHTTPError,
    PubmedQueryError,
    PubmedUnavailable,
    SearchTooLarge,
    SearchWindow,
)
from pof_lit.lib.ratelimit import FileRateLimiter
from tests.fake_eutils import FakeEutils, Fault

EMAIL = "curator@example.org"
API_KEY = "test-api-key"


class SleepRecorder:
    """Stand in for time.sleep where a test checks the pauses, not the waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def limiter(tmp_path):
    return FileRateLimiter(tmp_path / "rate.json")


@pytest.fixture
def make_client(fake_eutils: FakeEutils, limiter):
    def make(*, sleep=None, **overrides) -> PubmedClient:
        settings = {
            "base_url": fake_eutils.url,
            "email": EMAIL,
            "api_key": API_KEY,
            "limiter": limiter,
            "timeout": 5.0,
            "backoff_base": 0.01,
            "backoff_max": 0.05,
            **overrides,
        }
        config = PubmedConfig(**settings)
        return PubmedClient(config, sleep=sleep) if sleep else PubmedClient(config)

    return make


def fetched_pmids(batches: list[FetchBatch]) -> list[int]:
    return [record.pmid for batch in batches for record in batch.records]


def small_corpus(server: FakeEutils, size: int) -> list[int]:
    """Keep only the ``size`` shortest records (cheap templates for thousands of clones)."""
    shortest = sorted(server.corpus.records(), key=lambda record: len(record.xml))[:size]
    pmids = sorted(record.pmid for record in shortest)
    server.corpus.keep(pmids)
    return pmids


# --- searching and fetching ---------------------------------------------------------------


def test_it_searches_with_the_history_server_and_fetches_every_record_once(
    fake_eutils, make_client
):
    client = make_client(batch_size=50)

    [window] = client.search("mesenchymal stem cells")
    batches = list(client.fetch(window))

    assert window.count == len(fake_eutils.corpus) == len(window.pmids)
    assert window.webenv
    assert window.query_key == "1"
    assert sorted(fetched_pmids(batches)) == fake_eutils.corpus.pmids()
    [search] = fake_eutils.requests_to("esearch")
    assert search.params["usehistory"] == "y"
    assert search.params["retmax"] == str(ESEARCH_MAX)
    fetches = fake_eutils.requests_to("efetch")
    assert [(r.params["WebEnv"], r.params["query_key"]) for r in fetches] == [
        (window.webenv, "1")
    ] * 3
    assert [r.params["retstart"] for r in fetches] == ["0", "50", "100"]
    assert {r.params["rettype"] for r in fetches} == {"abstract"}
    assert all(not batch.missing and not batch.errors for batch in batches)


def test_it_fetches_in_batches_of_batch_size(fake_eutils, make_client):
    pmids = small_corpus(fake_eutils, 7)
    client = make_client(batch_size=2)

    [window] = client.search("ovarian insufficiency")
    batches = list(client.fetch(window))

    assert [len(batch.requested) for batch in batches] == [2, 2, 2, 1]
    assert [len(batch.records) for batch in batches] == [2, 2, 2, 1]
    assert [batch.requested for batch in batches] == [
        window.pmids[0:2],
        window.pmids[2:4],
        window.pmids[4:6],
        window.pmids[6:7],
    ]
    assert sorted(fetched_pmids(batches)) == sorted(pmids)
    assert [r.params["retmax"] for r in fake_eutils.requests_to("efetch")] == ["2", "2", "2", "1"]


def test_a_window_with_nothing_new_costs_one_esearch_and_no_efetch(fake_eutils, make_client):
    client = make_client()
    today = dt.date.today()

    windows = client.search("pof", mindate=today - dt.timedelta(days=7), maxdate=today)

    assert windows == [
        SearchWindow(
            mindate=today - dt.timedelta(days=7),
            maxdate=today,
            datetype="edat",
            count=0,
            pmids=(),
            webenv=windows[0].webenv,
            query_key=windows[0].query_key,
        )
    ]
    assert list(client.fetch(windows[0])) == []
    assert len(fake_eutils.requests) == 1
    [search] = fake_eutils.requests
    assert (search.params["datetype"], search.params["maxdate"]) == ("edat", f"{today:%Y/%m/%d}")


def test_it_filters_by_modification_date(fake_eutils, make_client):
    small_corpus(fake_eutils, 5)
    revised = fake_eutils.corpus.pmids()[2]
    fake_eutils.corpus.revise(revised, mdat=dt.date(2031, 5, 4), title="A revised title.")
    client = make_client()

    [window] = client.search(
        "x", mindate=dt.date(2031, 5, 1), maxdate=dt.date(2031, 5, 31), datetype="mdat"
    )
    [batch] = list(client.fetch(window))

    assert window.pmids == (revised,)
    assert batch.records[0].title == "A revised title."
    assert batch.records[0].date_revised == dt.date(2031, 5, 4)


def test_it_splits_a_search_over_esearchs_cap_into_date_windows(fake_eutils, make_client):
    templates = small_corpus(fake_eutils, 10)
    clones = fake_eutils.corpus.add_clones(
        10_500, start=dt.date(2019, 1, 1), end=dt.date(2023, 12, 31), templates=templates
    )
    fake_eutils.corpus.keep(clones)
    client = make_client(batch_size=5_000)

    windows = client.search("stem cells")
    batches = [batch for window in windows for batch in client.fetch(window)]

    assert len(windows) > 1
    assert all(0 < window.count <= ESEARCH_MAX for window in windows)
    assert all(window.count == len(window.pmids) for window in windows)
    listed = [pmid for window in windows for pmid in window.pmids]
    assert sorted(listed) == sorted(clones)  # every PMID in exactly one window
    for earlier, later in itertools.pairwise(windows):
        assert earlier.maxdate < later.mindate
    fetched = fetched_pmids(batches)
    assert len(fetched) == len(set(fetched)) == 10_500
    assert set(fetched) == set(clones)
    assert not any(batch.missing for batch in batches)


def test_it_splits_within_the_dates_asked_for(fake_eutils, make_client):
    templates = small_corpus(fake_eutils, 3)
    clones = fake_eutils.corpus.add_clones(
        10_500, start=dt.date(2022, 3, 1), end=dt.date(2022, 3, 10), templates=templates
    )
    client = make_client()

    windows = client.search("x", mindate=dt.date(2022, 3, 1), maxdate=dt.date(2022, 3, 31))

    assert windows[0].mindate == dt.date(2022, 3, 1)
    assert windows[-1].maxdate <= dt.date(2022, 3, 31)
    assert sorted(p for window in windows for p in window.pmids) == clones
    assert {r.params["datetype"] for r in fake_eutils.requests_to("esearch")} == {"edat"}


def test_it_refuses_a_single_day_over_the_cap(fake_eutils, make_client):
    templates = small_corpus(fake_eutils, 3)
    day = dt.date(2021, 6, 15)
    fake_eutils.corpus.add_clones(10_000, start=day, end=day, templates=templates)
    client = make_client()

    with pytest.raises(SearchTooLarge) as caught:
        client.search("x", mindate=dt.date(2021, 6, 1), maxdate=dt.date(2021, 6, 30))

    assert (caught.value.day, caught.value.count) == (day, 10_000)


def test_it_reports_how_many_records_match(fake_eutils, make_client):
    client = make_client()

    assert client.count("anything") == len(fake_eutils.corpus)
    assert client.count("1[pmid] OR 2[pmid]") == 0
    requests = fake_eutils.requests_to("esearch")
    assert [request.params["retmax"] for request in requests] == ["0", "0"]
    assert not any("usehistory" in request.params for request in requests)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": " "}, "empty"),
        ({"query": "x", "datetype": "crdt"}, "datetype"),
        ({"query": "x", "mindate": dt.date(2024, 2, 1), "maxdate": dt.date(2024, 1, 1)}, "after"),
    ],
)
def test_it_refuses_a_bad_search_before_asking_ncbi(fake_eutils, make_client, kwargs, message):
    client = make_client()
    query = kwargs.pop("query")

    with pytest.raises(ValueError, match=message):
        client.search(query, **kwargs)
    assert fake_eutils.requests == []


# --- faults: what is retried, what is not -------------------------------------------------


def test_it_retries_a_429_after_the_pause_retry_after_asks_for(fake_eutils, make_client, caplog):
    sleep = SleepRecorder()
    client = make_client(sleep=sleep, backoff_max=5.0)
    fake_eutils.inject("esearch", Fault.status(429, retry_after=2))

    with caplog.at_level(logging.WARNING, logger="curation.pubmed"):
        [window] = client.search("x")

    assert window.count == len(fake_eutils.corpus)
    assert len(fake_eutils.requests_to("esearch")) == 2
    assert len(sleep.calls) == 1
    assert 2.0 <= sleep.calls[0] <= 5.0
    assert "HTTP 429" in caplog.text


def test_it_retries_a_500_then_succeeds(fake_eutils, make_client):
    small_corpus(fake_eutils, 3)
    client = make_client()
    [window] = client.search("x")
    fake_eutils.inject("efetch", Fault.status(500), Fault.status(503))

    [batch] = list(client.fetch(window))

    assert sorted(record.pmid for record in batch.records) == fake_eutils.corpus.pmids()
    assert [r.fault for r in fake_eutils.requests_to("efetch")] == [
        "status 500",
        "status 503",
        None,
    ]


def test_it_gives_up_after_max_attempts_of_5xx(fake_eutils, make_client):
    sleep = SleepRecorder()
    client = make_client(sleep=sleep, max_attempts=4, backoff_base=1.0, backoff_max=3.0)
    fake_eutils.inject("esearch", *[Fault.status(502)] * 10)

    with pytest.raises(PubmedUnavailable, match="HTTP 502") as caught:
        client.search("x")

    assert (caught.value.attempts, caught.value.status) == (4, 502)
    assert len(fake_eutils.requests_to("esearch")) == 4
    # Full jitter: each pause is somewhere below its doubling ceiling, capped at backoff_max.
    assert len(sleep.calls) == 3
    for pause, ceiling in zip(sleep.calls, [1.0, 2.0, 3.0], strict=True):
        assert 0 <= pause <= ceiling


@pytest.mark.parametrize("status", [400, 404, 414])
def test_it_does_not_retry_another_4xx(fake_eutils, make_client, status):
    client = make_client()
    fake_eutils.inject("esearch", Fault.status(status))

    with pytest.raises(PubmedHTTPError) as caught:
        client.search("x")

    assert caught.value.status == status
    assert len(fake_eutils.requests_to("esearch")) == 1


def test_it_retries_a_dropped_connection(fake_eutils, make_client):
    small_corpus(fake_eutils, 3)
    client = make_client()
    fake_eutils.inject("esearch", Fault.drop_connection())
    fake_eutils.inject("efetch", Fault.drop_connection())

    [window] = client.search("x")
    [batch] = list(client.fetch(window))

    assert len(batch.records) == 3
    assert len(fake_eutils.requests_to("esearch")) == 2
    assert len(fake_eutils.requests_to("efetch")) == 2


def test_it_retries_a_read_timeout(fake_eutils, make_client):
    small_corpus(fake_eutils, 3)
    client = make_client(timeout=0.3)
    [window] = client.search("x")
    fake_eutils.inject("efetch", Fault.delay(1.0), Fault.delay(0.05))

    [batch] = list(client.fetch(window))

    assert len(batch.records) == 3
    assert [r.fault for r in fake_eutils.requests_to("efetch")] == ["delay 1.0s", "delay 0.05s"]


def test_a_read_timeout_on_every_attempt_makes_pubmed_unavailable(fake_eutils, make_client):
    client = make_client(timeout=0.2, max_attempts=2)
    fake_eutils.inject("esearch", Fault.delay(0.6), Fault.delay(0.6))

    with pytest.raises(PubmedUnavailable, match="timed out"):
        client.count("x")


@pytest.mark.parametrize("keep_length", [False, True], ids=["short-body", "incomplete-read"])
def test_it_refetches_a_truncated_answer_whole(fake_eutils, make_client, keep_length):
    small_corpus(fake_eutils, 6)
    client = make_client()
    [window] = client.search("x")
    fake_eutils.inject("efetch", Fault.truncate(at_fraction=0.6, keep_length=keep_length))

    batches = list(client.fetch(window))

    assert sorted(fetched_pmids(batches)) == fake_eutils.corpus.pmids()
    assert len(fake_eutils.requests_to("efetch")) == 2


def test_it_retries_a_truncated_esearch(fake_eutils, make_client):
    client = make_client()
    fake_eutils.inject("esearch", Fault.truncate(at_fraction=0.3))

    [window] = client.search("x")

    assert len(window.pmids) == len(fake_eutils.corpus)


def test_it_retries_an_esearch_backend_error_answered_with_200(fake_eutils, make_client):
    client = make_client()
    fake_eutils.inject("esearch", Fault.error("Search Backend failed: read timeout"))

    assert client.count("x") == len(fake_eutils.corpus)
    assert len(fake_eutils.requests_to("esearch")) == 2


def test_it_does_not_retry_an_esearch_error_no_retry_can_fix(fake_eutils, make_client):
    client = make_client()
    fake_eutils.inject("esearch", Fault.error("Invalid query syntax"))

    with pytest.raises(PubmedQueryError, match="Invalid query syntax"):
        client.count("x")
    assert len(fake_eutils.requests_to("esearch")) == 1


# --- missing records and expired history sessions -----------------------------------------


def test_it_reports_a_pmid_efetch_never_returns(fake_eutils, make_client):
    pmids = small_corpus(fake_eutils, 5)
    fake_eutils.withheld.add(pmids[1])
    client = make_client(batch_size=3)

    [window] = client.search("x")
    batches = list(client.fetch(window))

    assert [batch.missing for batch in batches if batch.missing] == [(pmids[1],)]
    assert sorted(fetched_pmids(batches)) == sorted(set(pmids) - {pmids[1]})
    refetches = [r for r in fake_eutils.requests_to("efetch") if "id" in r.params]
    assert [r.params["id"] for r in refetches] == [str(pmids[1])]


def test_it_recovers_a_pmid_left_out_once(fake_eutils, make_client):
    pmids = small_corpus(fake_eutils, 4)
    client = make_client()
    [window] = client.search("x")
    fake_eutils.inject("efetch", Fault.omit_pmids({pmids[0], pmids[3]}))

    [batch] = list(client.fetch(window))

    assert batch.missing == ()
    assert sorted(record.pmid for record in batch.records) == pmids
    refetch = fake_eutils.requests_to("efetch")[-1]
    assert sorted(int(p) for p in refetch.params["id"].split(",")) == [pmids[0], pmids[3]]


@pytest.mark.parametrize("status", [400, 200])
def test_it_fetches_by_pmid_once_the_history_session_expired(
    fake_eutils, make_client, status, caplog
):
    pmids = small_corpus(fake_eutils, 5)
    fake_eutils.expired_history_status = status
    client = make_client(batch_size=2)
    [window] = client.search("x")
    fetching = client.fetch(window)
    first = next(fetching)
    fake_eutils.expire_history()

    with caplog.at_level(logging.WARNING, logger="curation.pubmed"):
        rest = list(fetching)

    fetched = fetched_pmids([first, *rest])
    assert sorted(fetched) == pmids
    assert len(fetched) == len(set(fetched))
    assert "History session expired" in caplog.text
    by_id = [r.params["id"] for r in fake_eutils.requests_to("efetch") if "id" in r.params]
    assert by_id == [",".join(map(str, window.pmids[2:4])), str(window.pmids[4])]


def test_fetch_pmids_drops_duplicates_and_reports_unknown_pmids(fake_eutils, make_client):
    pmids = small_corpus(fake_eutils, 3)
    client = make_client(batch_size=2)

    batches = list(client.fetch_pmids([pmids[0], pmids[1], pmids[0], 99_999_999, pmids[2]]))

    assert [batch.requested for batch in batches] == [
        (pmids[0], pmids[1]),
        (99_999_999, pmids[2]),
    ]
    assert sorted(fetched_pmids(batches)) == pmids
    assert [batch.missing for batch in batches] == [(), (99_999_999,)]


def test_fetch_pmids_refuses_what_is_not_a_pmid(make_client):
    client = make_client()

    with pytest.raises(ValueError, match="not a PMID"):
        list(client.fetch_pmids([123, "abc"]))


# --- identity, base URL, settings ---------------------------------------------------------


def test_it_sends_email_api_key_and_tool_on_every_request(fake_eutils, make_client):
    small_corpus(fake_eutils, 3)
    client = make_client(batch_size=2)
    fake_eutils.inject("efetch", Fault.status(500))

    [window] = client.search("x")
    list(client.fetch(window))
    list(client.fetch_pmids([window.pmids[0]]))

    assert len(fake_eutils.requests) == 5
    for request in fake_eutils.requests:
        assert request.params["email"] == EMAIL
        assert request.params["api_key"] == API_KEY
        assert request.params["tool"] == "pof-lit"


def test_it_sends_get_and_post_requests_to_the_configured_base_url(fake_eutils, make_client):
    templates = small_corpus(fake_eutils, 3)
    clones = fake_eutils.corpus.add_clones(250, templates=templates)
    client = make_client(batch_size=300)

    [window] = client.search("x")
    [batch] = list(client.fetch_pmids(clones))

    assert len(batch.records) == 250
    assert [(r.endpoint, r.method) for r in fake_eutils.requests] == [
        ("esearch", "GET"),
        ("efetch", "POST"),  # Biopython posts 200 ids or more
    ]
    assert fake_eutils.requests[1].params["id"].split(",") == [str(p) for p in clones]
    assert window.count == 253


def test_it_leaves_biopython_retries_to_the_client(make_client):
    make_client()

    assert Entrez.max_tries == 1
    assert getattr(Entrez.urlopen, "pof_lit", False)


def test_it_is_built_from_django_settings(fake_eutils, settings):
    settings.PUBMED_EUTILS_URL = fake_eutils.url
    settings.NCBI_EMAIL = EMAIL
    settings.NCBI_API_KEY = ""
    settings.REDIS_URL = ""
    settings.PUBMED_TIMEOUT = 12.5

    client = PubmedClient.from_settings()

    assert client.config.base_url == fake_eutils.url
    assert client.config.timeout == 12.5
    assert client.config.rate == 3.0
    assert isinstance(client.config.limiter, FileRateLimiter)
    assert client.count("x") == len(fake_eutils.corpus)
    [request] = fake_eutils.requests
    assert request.params["email"] == EMAIL
    assert "api_key" not in request.params


def test_its_config_refuses_bad_values():
    with pytest.raises(ValueError, match="base_url"):
        PubmedConfig(base_url="ftp://example.org/")
    with pytest.raises(ValueError, match="batch_size"):
        PubmedConfig(batch_size=10_001)
    assert PubmedConfig(base_url="http://mirror.example.org/eutils").base_url.endswith("/")
    assert "secret" not in repr(PubmedConfig(api_key="secret"))


def test_every_pmid_comes_once_across_batches_with_faults_everywhere(fake_eutils, make_client):
    pmids = small_corpus(fake_eutils, 9)
    client = make_client(batch_size=2)
    fake_eutils.inject("esearch", Fault.status(503))
    [window] = client.search("x")
    fake_eutils.inject(
        "efetch",
        Fault.status(429, retry_after=0),
        Fault.truncate(0.5),
        Fault.drop_connection(),
        Fault.omit_pmids({window.pmids[1]}),
        Fault.status(500),
    )

    batches = list(client.fetch(window))

    fetched = fetched_pmids(batches)
    assert sorted(fetched) == pmids
    assert len(fetched) == len(set(fetched))
    assert [batch.missing for batch in batches] == [()] * 5
    faults = [request.fault for request in fake_eutils.requests_to("efetch")]
    assert faults[:6] == [
        "status 429",
        "truncate",
        "drop",
        f"omit [{window.pmids[1]}]",
        "status 500",  # the refetch of the omitted PMID, by id
        None,
    ]
    assert fake_eutils.requests_to("efetch")[5].params["id"] == str(window.pmids[1])
