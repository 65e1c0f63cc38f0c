"""Measure tagging throughput end to end, database writes included, over every paper.

Run from the repository root, after ``bench/seed.py --papers 100000``::

    .venv/bin/python bench/retag.py [--chunk 500] [--limit N]

``services.papers_tag`` (what the ``tag_papers`` task and ``manage.py tag_papers`` run)
tags the papers of ``pof_lit_bench100k`` in chunks of ``--chunk`` ids, three times:

1. first tagging: beforehand the tagger's own rows are removed (undecided auto tags,
   facets, the tagger's history events) and the papers' tagger fields cleared, so every
   suggestion and facet is written as new; curator decisions stay, as the tagger must
   leave them;
2. re-tagging after a tagger upgrade: beforehand the stored tagger version of papers,
   facets and undecided tags is set to an older one, so every auto tag and facet is
   rewritten (the case the issue's "re-tagging 100,000 papers" is about);
3. a second run with nothing changed, which must write no row.

For each run it reports papers per second over wall-clock time and over this process's
CPU time (the tagger and the ORM; PostgreSQL works in its own process on the other core),
the rows written per table (``pg_stat_user_tables`` deltas), the size of the paper table
after it and the load average. Target: at least 200 abstracts/s on one core, so 100,000
papers take under ten minutes. A run that changes every paper writes a new version of
every paper row, so the table grows by its own size each time; at the end ``VACUUM FULL
ANALYZE`` (then a plain ``VACUUM`` for the visibility map) gives the tables back their
seeded size, so later benchmarks measure a settled database. Output is Markdown for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from httpload import markdown_table
from seed import (
    BENCH_DATABASE,
    load_average,
    require_seeded,
    setup_django,
    table_writes,
    writes_between,
)

TARGET = 200.0
OLD_VERSION = "bench-previous"
TABLES = ("curation_paper", "curation_tag", "curation_paperfacet", "curation_tagevent")


@dataclass
class Run:
    label: str
    papers: int
    wall: float
    cpu: float
    changed: int
    suggested: int
    revised: int
    withdrawn: int
    writes: dict[str, tuple[int, int, int]]
    load: str
    table_size: str

    @property
    def wall_rate(self) -> float:
        return self.papers / self.wall if self.wall else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.papers / self.cpu if self.cpu else 0.0


def paper_table_size() -> str:
    """Return the size of the paper table's heap (without indexes and TOAST), as "180 MB"."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('curation_paper'))")
        return cursor.fetchone()[0]


def vacuum_full() -> float:
    """Rewrite the tables tagging touches compactly; return the seconds it took."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL ANALYZE {', '.join(TABLES)}")
        # VACUUM FULL leaves the visibility map empty, and this machine runs PostgreSQL
        # without autovacuum: a plain VACUUM sets it again, so index-only scans (the
        # facet counts') stay index-only, as on a server whose autovacuum keeps up.
        cursor.execute(f"VACUUM {', '.join(TABLES)}")
    return time.perf_counter() - started


def reset_to_untagged(paper_ids: list[int]) -> None:
    """Remove what the tagger wrote for ``paper_ids``; curator decisions stay."""
    from django.db import transaction

    from curation.models import Paper, PaperFacet, Tag, TagAction, TagEvent, TagSource, TagStatus

    with transaction.atomic():
        Tag.objects.filter(
            paper_id__in=paper_ids, source=TagSource.AUTO, status=TagStatus.SUGGESTED
        ).delete()
        PaperFacet.objects.filter(paper_id__in=paper_ids).delete()
        TagEvent.objects.filter(
            paper_id__in=paper_ids,
            user__isnull=True,
            action__in=[TagAction.SUGGESTED, TagAction.REVISED, TagAction.WITHDRAWN],
        ).delete()
        Paper.objects.filter(pk__in=paper_ids).update(
            is_relevant=None, relevance_score=None, tagger_version=""
        )


def age_tagger_version(paper_ids: list[int]) -> None:
    """Make the stored tagging look like an older tagger's, as after an upgrade."""
    from django.db import transaction

    from curation.models import Paper, PaperFacet, Tag, TagSource, TagStatus

    with transaction.atomic():
        Paper.objects.filter(pk__in=paper_ids).update(tagger_version=OLD_VERSION)
        PaperFacet.objects.filter(paper_id__in=paper_ids).update(tagger_version=OLD_VERSION)
        Tag.objects.filter(
            paper_id__in=paper_ids, source=TagSource.AUTO, status=TagStatus.SUGGESTED
        ).update(tagger_version=OLD_VERSION)


def tag_all(label: str, paper_ids: list[int], *, chunk: int) -> Run:
    """Run ``papers_tag`` over ``paper_ids`` and measure it."""
    from curation import services

    before = table_writes()
    wall, cpu = time.perf_counter(), time.process_time()
    result = services.papers_tag(paper_ids=paper_ids, chunk_size=chunk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    load = load_average()
    writes = writes_between(before, table_writes())
    run = Run(
        label=label,
        papers=result.papers,
        wall=wall,
        cpu=cpu,
        changed=result.papers_changed,
        suggested=result.suggested,
        revised=result.revised,
        withdrawn=result.withdrawn,
        writes={table: writes.get(table, (0, 0, 0)) for table in TABLES},
        load=load,
        table_size=paper_table_size(),
    )
    print(
        f"  {label}: {run.papers:,} papers in {wall:.0f} s ({run.wall_rate:.0f}/s wall, "
        f"{run.cpu_rate:.0f}/s CPU), load {load}",
        file=sys.stderr,
        flush=True,
    )
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk", type=int, default=500, help="papers per papers_tag chunk")
    parser.add_argument("--limit", type=int, default=None, help="tag only the first N papers")
    options = parser.parse_args()

    setup_django()
    require_seeded()
    from curation import services, tagger

    paper_ids = services.paper_ids_to_tag(everything=True)
    if options.limit:
        paper_ids = paper_ids[: options.limit]
    print(f"load average at start: {load_average()}", file=sys.stderr, flush=True)
    size_before = paper_table_size()

    reset_to_untagged(paper_ids)
    runs = [tag_all("first tagging", paper_ids, chunk=options.chunk)]
    age_tagger_version(paper_ids)
    runs.append(tag_all("re-tagging after a tagger upgrade", paper_ids, chunk=options.chunk))
    runs.append(tag_all("second run, nothing changed", paper_ids, chunk=options.chunk))

    print(
        f"# Tagging {len(paper_ids):,} papers of {BENCH_DATABASE} with services.papers_tag "
        f"(tagger {tagger.TAGGER_VERSION}, chunks of {options.chunk})"
    )
    print()
    print(
        markdown_table(
            (
                "Run",
                "Papers",
                "Wall s",
                "Papers/s (wall)",
                "CPU s",
                "Papers/s (CPU)",
                "100k at CPU rate",
                "Changed",
                "Suggested / revised / withdrawn",
                "Paper table after",
                "Load (1/5/15 min)",
            ),
            [
                (
                    run.label,
                    f"{run.papers:,}",
                    f"{run.wall:.0f}",
                    f"{run.wall_rate:.0f}",
                    f"{run.cpu:.0f}",
                    f"{run.cpu_rate:.0f}",
                    f"{100_000 / run.cpu_rate / 60:.1f} min" if run.cpu_rate else "-",
                    f"{run.changed:,}",
                    f"{run.suggested:,} / {run.revised:,} / {run.withdrawn:,}",
                    run.table_size,
                    run.load,
                )
                for run in runs
            ],
        )
    )
    print()
    print("Rows written per table (inserted / updated / deleted, from pg_stat_user_tables):")
    print()
    print(
        markdown_table(
            ("Run", *TABLES),
            [
                (run.label, *(f"{i:,} / {u:,} / {d:,}" for i, u, d in run.writes.values()))
                for run in runs
            ],
        )
    )
    seconds = vacuum_full()
    print()
    print(
        f"Paper table heap: {size_before} before, {runs[-1].table_size} after the runs, "
        f"{paper_table_size()} after VACUUM FULL ANALYZE ({seconds:.0f} s)."
    )
    unchanged = runs[-1]
    failures = []
    if unchanged.changed or any(any(counts) for counts in unchanged.writes.values()):
        failures.append("the second run wrote rows")
    if min(run.cpu_rate for run in runs) < TARGET:
        failures.append(f"a run tagged fewer than {TARGET:.0f} papers/s on CPU")
    print()
    print("verdict: " + ("; ".join(failures) if failures else f"meets {TARGET:.0f}/s, no writes"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
