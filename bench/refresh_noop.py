"""Count the E-utilities requests and database writes of a feed refresh with nothing new.

Run from the repository root, after ``bench/seed.py --papers 100000``::

    .venv/bin/python bench/refresh_noop.py [--runs 3] [--recent 200] [--keep]

It starts ``tests.fake_eutils.FakeEutils`` in process, serving the real fixture records
(old entry dates) plus ``--recent`` clones of them entered yesterday and today, points
``PUBMED_EUTILS_URL`` at it, and refreshes a feed of its own ("bench: nothing new") in
``pof_lit_bench100k`` through the real services, as a worker would: ``feed_refresh_start``
queues the run (the task only goes to Redis database 3, nothing consumes it) and
``feed_refresh`` runs it here. The first run imports everything; every later run has
nothing new, but its window overlaps the previous one by ``FEED_WINDOW_OVERLAP``, so the
recent records are listed and fetched again and must be found unchanged.

For each run it reports the fake server's requests per endpoint, the rows each table
gained, changed or lost (``pg_stat_user_tables`` deltas, with the run's own bookkeeping
in ``curation_importrun`` and ``curation_feed`` shown apart) and the tasks queued. Target:
one esearch per window and no writes. Unless ``--keep`` is given, the papers the
refresh brought in and the feed are removed afterwards, so the database holds exactly what
bench/seed.py put there. Output is Markdown for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter

from httpload import markdown_table
from seed import (
    BENCH_DATABASE,
    BENCH_REDIS_URL,
    load_average,
    require_seeded,
    setup_django,
    table_writes,
    writes_between,
)

from tests.fake_eutils import Corpus, FakeEutils  # importable: seed puts the root on sys.path

FEED_NAME = "bench: nothing new"
RECENT_FIRST_PMID = 60_000_001
BOOKKEEPING = ("curation_importrun", "curation_feed")
QUEUE = "celery"


def _queued() -> int:
    import redis

    return redis.Redis.from_url(BENCH_REDIS_URL).llen(QUEUE)


def _window(params: dict[str, str]) -> str:
    if "datetype" not in params:
        return "no dates"
    return f"{params['datetype']} {params.get('mindate', '')}..{params.get('maxdate', '')}"


def refresh_once(feed, fake: FakeEutils) -> dict:
    """Queue and run one refresh of ``feed``; return what it cost."""
    from curation import services

    fake.reset_log()
    queued = _queued()
    before = table_writes()
    started = time.perf_counter()
    run = services.feed_refresh_start(feed=feed)
    if run is None:
        raise SystemExit(f"feed {feed.name!r} already has an open run")
    run = services.feed_refresh(run_id=run.pk)
    elapsed = time.perf_counter() - started
    writes = writes_between(before, table_writes())
    requests = Counter(request.endpoint for request in fake.requests)
    searches = [_window(r.params) for r in fake.requests if r.endpoint == "esearch"]
    return {
        "run": run,
        "seconds": elapsed,
        "esearch": requests["esearch"],
        "efetch": requests["efetch"],
        "searches": searches,
        "data": {t: w for t, w in writes.items() if t not in BOOKKEEPING},
        "bookkeeping": {t: w for t, w in writes.items() if t in BOOKKEEPING},
        "tasks": _queued() - queued,
    }


def _writes_text(writes: dict[str, tuple[int, int, int]]) -> str:
    if not writes:
        return "none"
    return "; ".join(f"{table} +{i} ~{u} -{d}" for table, (i, u, d) in sorted(writes.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="refreshes (the first imports)")
    parser.add_argument("--recent", type=int, default=200, help="records entered lately")
    parser.add_argument("--keep", action="store_true", help="keep the imported papers")
    options = parser.parse_args()
    if options.runs < 2:
        parser.error("--runs must be at least 2: the first run imports")

    corpus = Corpus.from_fixtures()
    today = dt.date.today()
    corpus.add_clones(
        options.recent,
        first_pmid=RECENT_FIRST_PMID,
        start=today - dt.timedelta(days=1),
        end=today,
    )
    fake = FakeEutils(corpus).start()
    try:
        setup_django(PUBMED_EUTILS_URL=fake.url, NCBI_EMAIL="bench@example.org")
        require_seeded()
        from curation.models import Feed, Paper
        from curation.services import FEED_WINDOW_OVERLAP

        Feed.objects.filter(name=FEED_NAME).delete()
        feed = Feed.objects.create(
            name=FEED_NAME, query='"premature ovarian insufficiency" AND "stem cell*"'
        )
        print(f"load average at start: {load_average()}", file=sys.stderr, flush=True)
        results = []
        for number in range(1, options.runs + 1):
            feed.refresh_from_db()
            outcome = refresh_once(feed, fake)
            outcome["label"] = "first run (imports)" if number == 1 else f"run {number}"
            outcome["load"] = load_average()
            results.append(outcome)
            print(
                f"  {outcome['label']}: {outcome['run'].summary()}, "
                f"{outcome['esearch']} esearch, {outcome['efetch']} efetch",
                file=sys.stderr,
                flush=True,
            )
        if not options.keep:
            Paper.objects.filter(pmid__in=corpus.pmids()).delete()
            Feed.objects.filter(pk=feed.pk).delete()
    finally:
        fake.stop()

    print(
        f"# Feed refresh with nothing new: {len(corpus):,} records on the fake E-utilities "
        f"server, {options.recent} of them entered yesterday or today; {BENCH_DATABASE}; "
        f"window overlap {FEED_WINDOW_OVERLAP.days} days"
    )
    print()
    print(
        markdown_table(
            (
                "Run",
                "Seconds",
                "esearch",
                "efetch",
                "Searches (datetype window)",
                "Created / updated / unchanged",
                "Rows written (+ins ~upd -del)",
                "Run bookkeeping rows",
                "Tasks queued",
                "Load (1/5/15 min)",
            ),
            [
                (
                    r["label"],
                    f"{r['seconds']:.1f}",
                    r["esearch"],
                    r["efetch"],
                    "<br>".join(r["searches"]),
                    f"{r['run'].created} / {r['run'].updated} / {r['run'].unchanged}",
                    _writes_text(r["data"]),
                    _writes_text(r["bookkeeping"]),
                    r["tasks"],
                    r["load"],
                )
                for r in results
            ],
        )
    )
    later = results[1:]
    failures = []
    if any(r["data"] for r in later):
        failures.append("a refresh with nothing new wrote rows")
    # A refresh searches two windows (new by entry date, revised by modification date).
    if any(r["esearch"] > len(r["searches"]) or len(r["searches"]) > 2 for r in later):
        failures.append("a refresh with nothing new made more than one esearch per window")
    print()
    print(
        "verdict: "
        + ("; ".join(failures) if failures else "one esearch per window, no paper writes")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
