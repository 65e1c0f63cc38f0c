"""Measure the notes preview endpoint and a paper page showing 50 notes, behind gunicorn.

Run from the repository root, after ``bench/seed.py --papers 100000``::

    .venv/bin/python bench/notes_http.py [--seconds 20] [--rounds 2] [--clients 1 4 8]

First, in process with Django's test client, it checks the claim that a page showing
stored notes does no markdown work: signed in as rita, it requests the paper page of PMID
50,000,001 (60 notes, 50 of them visible to her) while counting calls to
``markdown.Markdown.convert`` and ``bleach.Cleaner.clean``. There must be no convert call,
the page must show all 50 notes, and it must make no more clean calls than the same page
read anonymously, without notes (the paper's own title and abstract markup is cleaned for
every reader). A preview request must call each once, which shows the counters see the
renderer when it runs. The SQL queries of each are counted.

Then it starts ``gunicorn pof_lit.wsgi --workers 3`` (DEBUG off, the benchmark database
``pof_lit_bench100k``, Redis database 3) and, for each round and number of clients, sends
for ``--seconds``:

- ``POST /api/notes/preview/`` with a 300-character note using the whole notes syntax
  (bench/notes_render.py's notes), authenticated with rita's API token;
- ``GET /papers/50000001/`` with rita's session cookie (50 notes shown);
- the same page anonymously (no notes), to show what the 50 notes cost.

Render plus sanitize alone is bench/notes_render.py. Output is Markdown for
docs/performance.md; the paper page is judged against the web pages' 150 ms p95 target.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from api_load import measure
from httpload import LOAD_HEADERS, Gunicorn, Target, load_row, markdown_table
from seed import (
    BENCH_DATABASE,
    NOTES_PMID,
    bench_environ,
    load_average,
    note_bodies,
    require_seeded,
    rita_token,
    setup_django,
)

PAGE_TARGET_MS = 150.0
VISIBLE_NOTES = 50


@contextmanager
def counting(owner: type, name: str) -> Iterator[list[int]]:
    """Count calls to ``owner.name`` while the block runs (the method still runs)."""
    original: Callable = getattr(owner, name)
    calls = [0]

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    setattr(owner, name, counted)
    try:
        yield calls
    finally:
        setattr(owner, name, original)


def _counted(client, method: str, path: str, **extra) -> tuple:
    """Send one request in process; return (response, converts, cleans, queries, ms)."""
    import bleach
    import markdown
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with (
        counting(markdown.Markdown, "convert") as converts,
        counting(bleach.Cleaner, "clean") as cleans,
        CaptureQueriesContext(connection) as queries,
    ):
        started = time.perf_counter()
        response = getattr(client, method)(path, HTTP_HOST="127.0.0.1", **extra)
        elapsed = 1000 * (time.perf_counter() - started)
    return response, converts[0], cleans[0], len(queries), elapsed


def check_no_markdown_work(session_client, token: str, body: str) -> list[tuple]:
    """Assert the notes page renders no note and the preview does; return table rows.

    The paper page cleans the paper's own title and abstract markup with bleach whoever
    reads it, so the notes must add no ``clean`` call to the anonymous page's count.
    """
    from django.test import Client

    page = f"/papers/{NOTES_PMID}/"
    anonymous = Client()
    for client in (session_client, anonymous):
        client.get(page, HTTP_HOST="127.0.0.1")  # fills per-process caches
    response, converts, cleans, queries, ms = _counted(session_client, "get", page)
    shown = response.content.decode().count('data-note-id="')
    if response.status_code != 200 or shown != VISIBLE_NOTES:
        raise SystemExit(f"{page}: status {response.status_code}, {shown} notes shown")
    rows = [(f"GET {page} as rita ({shown} notes)", converts, cleans, queries, ms)]
    response, base_converts, base_cleans, queries, ms = _counted(anonymous, "get", page)
    rows.append((f"GET {page} anonymous (no notes)", base_converts, base_cleans, queries, ms))
    if converts or cleans != base_cleans:
        raise SystemExit(
            f"{page} did note rendering work: {converts} convert calls, {cleans} clean calls "
            f"against {base_cleans} without notes"
        )
    response, converts, cleans, queries, ms = _counted(
        Client(),
        "post",
        "/api/notes/preview/",
        data=json.dumps({"body": body}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    if response.status_code != 200 or converts != 1 or cleans != 1:
        raise SystemExit(
            f"preview: status {response.status_code}, {converts} convert and {cleans} clean "
            "calls (expected 1 each): the counters do not see the renderer"
        )
    rows.append(("POST /api/notes/preview/", converts, cleans, queries, ms))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per request and clients")
    parser.add_argument("--rounds", type=int, default=2, help="times each measurement runs")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    options = parser.parse_args()

    setup_django()
    require_seeded()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--no-input", verbosity=0)
    token = rita_token()
    rita = get_user_model().objects.get(username="rita")
    session_client = Client()
    session_client.force_login(rita)
    session = session_client.cookies["sessionid"].value
    bodies = note_bodies()

    checks = check_no_markdown_work(session_client, token, bodies[0])
    print(f"# Notes over HTTP: {BENCH_DATABASE}, gunicorn --workers {options.workers}", flush=True)
    print()
    print("Markdown work per request (in process, Django test client, counted calls):")
    print()
    print(
        markdown_table(
            ("Request", "Markdown.convert", "Cleaner.clean", "Queries", "In-process ms"),
            [(label, c, k, q, f"{ms:.0f}") for label, c, k, q, ms in checks],
        )
    )

    page = f"/papers/{NOTES_PMID}/"
    preview = [
        Target(
            "/api/notes/preview/",
            method="POST",
            body=json.dumps({"body": body}).encode(),
            headers=(
                ("Content-Type", "application/json"),
                ("Authorization", f"Token {token}"),
            ),
        )
        for body in bodies
    ]
    targets = [
        ("POST /api/notes/preview/ (300-character note, token)", preview, None),
        (
            f"GET {page} as rita (50 notes)",
            [Target(page, headers=(("Cookie", f"sessionid={session}"),))],
            PAGE_TARGET_MS,
        ),
        (f"GET {page} anonymous (no notes)", [Target(page)], PAGE_TARGET_MS),
    ]
    print(f"load average at start: {load_average()}", file=sys.stderr, flush=True)
    with Gunicorn(bench_environ(), workers=options.workers) as server:
        results = measure(
            server,
            targets,
            clients=options.clients,
            seconds=options.seconds,
            rounds=options.rounds,
            headers={},
        )
    print()
    print(
        f"Latency from sending a request to reading its last byte; {options.seconds:.0f} s per "
        f"row; load average at the end {load_average()}."
    )
    print()
    print(markdown_table(LOAD_HEADERS, [load_row(r, target_ms=t) for r, t in results]))
    missed = [r for r, target in results if r.errors or (target and r.p95 >= target)]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
