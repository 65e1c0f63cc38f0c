"""Measure /api/papers/ pages and RIS exports under concurrent load, behind gunicorn.

Run from the repository root, after ``bench/seed.py --papers 100000``::

    .venv/bin/python bench/api_load.py [--seconds 20] [--rounds 2] [--clients 4 8]

It starts ``gunicorn pof_lit.wsgi --workers 3`` on a free loopback port with DEBUG off, the
benchmark database ``pof_lit_bench100k`` and Redis database 3 (throttle counters; any task
is only queued), warms every request shape up, then for each round, shape and number of
clients sends requests for ``--seconds`` and records every latency (send to last byte).
Requests carry rita's API token, as a script or a reference manager would. The shapes:

- a page of 100 filtered by mechanism and year, by full-text search and cell source, an
  incremental-sync page (``ordering=updated_at&updated_since=``, the time chosen so that
  10,000 papers match) and the next page through its cursor, and an unfiltered page;
- an RIS export of 1,000 papers, filtered by mechanism and unfiltered.

Targets: p95 under 150 ms for a page and under 1 s for an export. It then counts the SQL
queries of each shape at page sizes 10 and 100 (and 1,000 for exports) in process with
Django's test client, which must not grow with the page, and prints ``EXPLAIN (ANALYZE,
BUFFERS)`` of the slowest queries of each shape (``--no-explain`` to skip). Everything
printed is Markdown, ready for docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from httpload import (
    LOAD_HEADERS,
    Gunicorn,
    LoadResult,
    Target,
    load_row,
    markdown_table,
    process_cpu_seconds,
    run_load,
)
from seed import (
    BENCH_DATABASE,
    bench_environ,
    load_average,
    require_seeded,
    rita_token,
    setup_django,
)

PAGE_TARGET_MS = 150.0
EXPORT_TARGET_MS = 1000.0
SYNC_MATCHES = 10_000
WARMUP_SECONDS = 3.0


@dataclass(frozen=True)
class Shape:
    """A request shape: a label, its path without page_size, and the page sizes to count."""

    label: str
    path: str  # ends with "?" or "&" so "page_size=N" can follow
    size: int  # the page size measured under load
    target_ms: float
    count_sizes: tuple[int, ...] = (10, 100)

    def url(self, size: int | None = None) -> str:
        return f"{self.path}page_size={size or self.size}"


def sync_since() -> str:
    """Return the updated_at at which SYNC_MATCHES papers are newer, as an ISO timestamp."""
    from curation.models import Paper

    moments = Paper.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    return moments[SYNC_MATCHES - 1].isoformat()


def api_shapes() -> list[Shape]:
    since = quote(sync_since(), safe="")
    exports = (10, 100, 1000)
    return [
        Shape(
            "page: mechanism=exosomes, year_min=2015",
            "/api/papers/?mechanism=exosomes&year_min=2015&",
            100,
            PAGE_TARGET_MS,
        ),
        Shape(
            "page: q=granulosa apoptosis, cell_source=umbilical_cord",
            "/api/papers/?"
            + urlencode({"q": "granulosa apoptosis"})
            + "&cell_source=umbilical_cord&",
            100,
            PAGE_TARGET_MS,
        ),
        Shape(
            "page: ordering=updated_at, updated_since (10,000 match)",
            f"/api/papers/?ordering=updated_at&updated_since={since}&",
            100,
            PAGE_TARGET_MS,
        ),
        Shape("page: unfiltered", "/api/papers/?", 100, PAGE_TARGET_MS),
        Shape(
            "RIS export: mechanism=anti_apoptosis",
            "/api/papers/?format=ris&mechanism=anti_apoptosis&",
            1000,
            EXPORT_TARGET_MS,
            exports,
        ),
        Shape(
            "RIS export: unfiltered", "/api/papers/?format=ris&", 1000, EXPORT_TARGET_MS, exports
        ),
    ]


def next_page_path(path: str, headers: dict) -> str | None:
    """Return the path of the page after ``path`` (its Link: rel="next"), if any."""
    from django.test import Client

    response = Client().get(path, **headers)
    link = response.headers.get("Link", "")
    for part in link.split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip().strip("<>")
            return url[url.index("/api/") :]
    return None


def query_counts(
    paths: Sequence[tuple[str, str]], *, headers: dict, warm: bool = True
) -> list[tuple[str, int, int, float]]:
    """Return (label, status, SQL queries, ms) of each path, in process with the test client.

    With ``warm`` the path is requested once first and the second request is measured.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rows = []
    for label, path in paths:
        if warm:
            client.get(path, **headers)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
            elapsed = 1000 * (time.perf_counter() - started)
        rows.append((label, response.status_code, len(captured.captured_queries), elapsed))
    return rows


def slowest_queries(
    path: str,
    *,
    headers: dict,
    keep: int = 3,
    floor_ms: float = 5.0,
    before: Callable[[], None] | None = None,
) -> list[tuple[float, str, list[str]]]:
    """Return (ms, SQL, set-up) of the ``keep`` slowest queries of ``path`` over ``floor_ms``.

    The path is requested twice; ``before`` runs between the two (to empty a cache). The
    set-up is what the request ran before the query to make and analyze the temporary
    tables of facet counts (gone once it answered): ``explain`` runs it again first.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(path, **headers)
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
        if response.streaming:
            b"".join(response.streaming_content)
    queries = [(1000 * float(query["time"]), query["sql"]) for query in captured.captured_queries]
    temporary = ("CREATE TEMPORARY TABLE ", "ANALYZE pg_temp.")
    timed = []
    for index, (ms, text) in enumerate(queries):
        setup = [earlier for _, earlier in queries[:index] if earlier.startswith(temporary)]
        timed.append((ms, text, setup))
    timed.sort(key=lambda item: item[0], reverse=True)
    return [item for item in timed[:keep] if item[0] >= floor_ms]


def explain(query: str, setup: Sequence[str] = ()) -> str:
    """Return EXPLAIN (ANALYZE, BUFFERS) of ``query`` as text, after ``setup``, rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in setup:
            cursor.execute(statement)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def explain_section(
    shapes: Sequence[tuple[str, str]], *, headers: dict, before: Callable[[], None] | None = None
) -> str:
    """Return Markdown with the plans of each shape's slowest queries."""
    parts = []
    for label, path in shapes:
        for ms, text, setup in slowest_queries(path, headers=headers, before=before):
            short = text if len(text) < 1500 else text[:1500] + " ..."
            # DROP and ANALYZE of the temporary tables have no plan to show.
            plannable = text.startswith(("SELECT", "WITH", "CREATE TEMPORARY TABLE"))
            plan = explain(text, setup) if plannable else "(not a query: no plan)"
            parts.append(
                f"**{label}**: {ms:.1f} ms in process\n\n```sql\n{short}\n```\n\n```\n{plan}\n```\n"
            )
    return "\n".join(parts) or "No query took 5 ms or more."


def db_backend_pids() -> list[int]:
    """Return the pids of the other PostgreSQL backends connected to the bench database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [BENCH_DATABASE],
        )
        return [pid for (pid,) in cursor.fetchall()]


def server_cpu_probe(server: Gunicorn) -> Callable[[], dict[str, float]]:
    """Return a probe of the CPU seconds gunicorn ("app") and its backends ("db") have used.

    A backend's last reading is kept after it disconnects, so the total never drops.
    Parallel query workers are short-lived processes of their own and are not counted.
    """
    seen: dict[int, float] = {}

    def probe() -> dict[str, float]:
        for pid in db_backend_pids():
            seen[pid] = max(seen.get(pid, 0.0), process_cpu_seconds(pid))
        return {"app": server.cpu_seconds(), "db": sum(seen.values())}

    return probe


def measure(
    server: Gunicorn,
    targets: Sequence[tuple[str, list[Target], float | None]],
    *,
    clients: Sequence[int],
    seconds: float,
    rounds: int,
    headers: dict,
    before_run: Callable[[], None] | None = None,
) -> list[tuple[LoadResult, float | None]]:
    """Warm each target set up, then run every (round, set, clients) combination.

    ``before_run`` is called before each measured run (to empty a cache, for example).
    """
    probe = server_cpu_probe(server)
    for label, paths, _ in targets:
        run_load(server.url, paths, clients=2, seconds=WARMUP_SECONDS, headers=headers, label=label)
    results = []
    for round_number in range(1, rounds + 1):
        for label, paths, target_ms in targets:
            for count in clients:
                if before_run is not None:
                    before_run()
                result = run_load(
                    server.url,
                    paths,
                    clients=count,
                    seconds=seconds,
                    headers=headers,
                    label=f"{label} (run {round_number})",
                    cpu_probe=probe,
                )
                print(
                    f"  {result.label}, {count} clients: p50 {result.p50:.1f} ms, "
                    f"p95 {result.p95:.1f} ms, {result.requests} requests, "
                    f"{result.errors} errors, app CPU {result.cpu_ms('app'):.1f} ms/req, "
                    f"DB CPU {result.cpu_ms('db'):.1f} ms/req, load {result.load}",
                    file=sys.stderr,
                    flush=True,
                )
                results.append((result, target_ms))
    results.sort(key=lambda pair: (pair[0].label.rsplit(" (run", 1)[0], pair[0].clients))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per shape and clients")
    parser.add_argument("--rounds", type=int, default=2, help="times each measurement runs")
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE")
    options = parser.parse_args()

    setup_django()
    require_seeded()
    from curation.models import Paper

    token = rita_token()
    wire_headers = {"Authorization": f"Token {token}"}
    client_headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_HOST": "127.0.0.1"}
    shapes = api_shapes()
    sync_shape = shapes[2]
    cursor_path = next_page_path(sync_shape.url(), client_headers)
    if cursor_path is None:
        raise SystemExit("the incremental-sync page has no next page: is the database seeded?")

    targets = [(shape.label, [Target(shape.url())], shape.target_ms) for shape in shapes]
    targets.insert(
        3, ("page: the sync page after it (cursor)", [Target(cursor_path)], PAGE_TARGET_MS)
    )
    papers = Paper.objects.count()
    print(
        f"# /api/papers/ under load: {papers:,} papers in {BENCH_DATABASE}, gunicorn "
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
            headers=wire_headers,
        )
    print()
    print(
        f"Latency from sending a request to reading its last byte; {options.seconds:.0f} s per "
        f"row; requests as rita with an API token; load average at the end {load_average()}."
    )
    print()
    print(
        markdown_table(
            LOAD_HEADERS, [load_row(result, target_ms=target) for result, target in results]
        )
    )

    count_paths = []
    for shape in shapes:
        for size in shape.count_sizes:
            count_paths.append((f"{shape.label}, page_size={size}", shape.url(size)))
    print()
    print("SQL queries per request (in process, Django test client, second request of each):")
    print()
    print(
        markdown_table(
            ("Request", "Status", "Queries", "In-process ms"),
            [
                (label, status, queries, f"{ms:.0f}")
                for label, status, queries, ms in query_counts(count_paths, headers=client_headers)
            ],
        )
    )
    if not options.no_explain:
        print()
        print("Slowest queries of each shape (EXPLAIN ANALYZE, BUFFERS):")
        print()
        print(
            explain_section(
                [(shape.label, shape.url()) for shape in shapes], headers=client_headers
            )
        )
    missed = [r for r, target in results if r.errors or r.p95 >= target]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
