"""Measure the paper list, a search with facet counts and paper pages under load, behind gunicorn.

Run from the repository root, after ``bench/seed.py --papers 100000``::

    .venv/bin/python bench/web_load.py [--seconds 20] [--rounds 2] [--clients 4 8]

It collects static files into ``/tmp/pof_lit_bench_static`` (DEBUG is off, so pages need
the manifest), starts ``gunicorn pof_lit.wsgi --workers 3`` on a free loopback port with
the benchmark database ``pof_lit_bench100k`` and Redis database 3, warms every page up, and
for each round, page and number of clients sends requests for ``--seconds``, recording
every latency (send to last byte of the HTML; static files are not fetched). Pages are
read anonymously, as most readers do:

- the list, newest first (``/``),
- a search, which shows facet counts for the matches (``/?q=granulosa apoptosis``),
- a search with facets chosen (``/?q=mesenchymal stem cells&mechanism=anti_apoptosis&
  cell_source=umbilical_cord&year_min=2015``),
- facets without a search (``/?mechanism=exosomes&model=animal``),
- 2,000 different one-word searches in turn (the fixtures' most frequent words), so
  almost every request misses the facet-count cache, as a new search does,
- paper pages, 200 different papers in turn (``/papers/<pmid>/``).

The list caches its facet counts per filter until a paper changes; the cache (Redis
database 3) is emptied before every measured run, so each run's first request of a URL
counts facets and later ones of the same URL reuse them. Target: p95 under 150 ms. It then
counts each page's SQL queries in process (Django's test client) at list page sizes 20
and 100, with the cache empty and then warm, and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of
each page's slowest queries with the cache empty (``--no-explain`` to skip). Output is
Markdown for docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from urllib.parse import urlencode

from api_load import explain_section, measure, query_counts
from httpload import LOAD_HEADERS, Gunicorn, Target, load_row, markdown_table
from seed import (
    BENCH_DATABASE,
    DEFAULT_PAPERS,
    FIRST_PMID,
    bench_environ,
    load_average,
    require_seeded,
    setup_django,
)

TARGET_MS = 150.0
PAPER_PAGES = 200
VARIED_SEARCHES = 2000


def list_pages() -> list[tuple[str, str]]:
    """Return (label, path) of the list pages, without page_size."""
    chosen = {
        "q": "mesenchymal stem cells",
        "mechanism": "anti_apoptosis",
        "cell_source": "umbilical_cord",
        "year_min": "2015",
    }
    return [
        ("list: newest first", "/?"),
        ("search: q=granulosa apoptosis, with facet counts", "/?q=granulosa+apoptosis&"),
        (
            "search with facets chosen: q, mechanism, cell_source, year_min",
            "/?" + urlencode(chosen) + "&",
        ),
        ("facets only: mechanism=exosomes, model=animal", "/?mechanism=exosomes&model=animal&"),
    ]


def varied_searches(count: int = VARIED_SEARCHES) -> list[str]:
    """Return ``count`` one-word searches, the fixtures' most frequent words, shuffled."""
    from collections import Counter

    from seed import _vocabulary, template_records

    templates, _ = template_records()
    words = [word for word, _ in Counter(_vocabulary(templates)).most_common(count)]
    random.Random(11).shuffle(words)
    return [f"/?q={word}" for word in words]


def paper_paths(count: int = PAPER_PAGES) -> list[str]:
    """Return ``count`` different paper pages, the same ones every run."""
    rng = random.Random(7)
    return [f"/papers/{FIRST_PMID + n}/" for n in rng.sample(range(DEFAULT_PAPERS), count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per page and clients")
    parser.add_argument("--rounds", type=int, default=2, help="times each measurement runs")
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE")
    options = parser.parse_args()

    setup_django()
    require_seeded()
    from django.core.cache import cache
    from django.core.management import call_command

    from curation.models import Paper

    call_command("collectstatic", "--no-input", verbosity=0)
    pages = list_pages()
    papers = paper_paths()
    targets = [(label, [Target(path)], TARGET_MS) for label, path in pages]
    searches = varied_searches()
    targets.append(
        (
            f"search: {len(searches):,} different words in turn (facet cache missed)",
            [Target(path) for path in searches],
            TARGET_MS,
        )
    )
    targets.append(
        (f"paper page ({len(papers)} papers in turn)", [Target(p) for p in papers], TARGET_MS)
    )
    print(
        f"# Pages under load: {Paper.objects.count():,} papers in {BENCH_DATABASE}, gunicorn "
        f"--workers {options.workers}, 2 cores shared with the load generator",
        flush=True,
    )
    print(f"load average at start: {load_average()}", file=sys.stderr, flush=True)
    with Gunicorn(bench_environ(), workers=options.workers) as server:
        results = measure(
            server,
            targets,
            clients=options.clients,
            seconds=options.seconds,
            rounds=options.rounds,
            headers={},
            before_run=cache.clear,
        )
    print()
    print(
        f"Latency from sending a request to reading the last byte of the HTML; "
        f"{options.seconds:.0f} s per row; anonymous reader; load average at the end "
        f"{load_average()}."
    )
    print()
    print(markdown_table(LOAD_HEADERS, [load_row(r, target_ms=t) for r, t in results]))

    headers = {"HTTP_HOST": "127.0.0.1"}
    rows = []
    for label, path in pages:
        for size in (20, 100):
            url = f"{path}page_size={size}"
            cache.clear()
            [(_, status, cold, cold_ms)] = query_counts([(label, url)], headers=headers, warm=False)
            [(_, _, warm, warm_ms)] = query_counts([(label, url)], headers=headers)
            rows.append(
                (
                    f"{label}, page_size={size}",
                    status,
                    cold,
                    f"{cold_ms:.0f}",
                    warm,
                    f"{warm_ms:.0f}",
                )
            )
    for label, status, queries, ms in query_counts(
        [(f"paper page {path}", path) for path in papers[:2]], headers=headers
    ):
        rows.append((label, status, queries, f"{ms:.0f}", queries, f"{ms:.0f}"))
    print()
    print("SQL queries per page (in process, Django test client; facet cache empty, then warm):")
    print()
    print(
        markdown_table(
            ("Page", "Status", "Queries (cold)", "ms (cold)", "Queries (warm)", "ms (warm)"),
            rows,
        )
    )
    if not options.no_explain:
        print()
        print("Slowest queries of each page (EXPLAIN ANALYZE, BUFFERS):")
        print()
        shapes = [(label, f"{path}page_size=20") for label, path in pages]
        shapes.append(("paper page", papers[0]))
        print(explain_section(shapes, headers=headers, before=cache.clear))
    missed = [r for r, target in results if r.errors or r.p95 >= target]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
