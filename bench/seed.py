"""Fill the benchmark database ``pof_lit_bench100k`` with realistic papers, tags, users and notes.

Run from the repository root, with PostgreSQL and Redis listening on 127.0.0.1::

    .venv/bin/python bench/seed.py --papers 100000 [--reset]

Every HTTP and service benchmark (``bench/api_load.py``, ``web_load.py``, ``notes_http.py``,
``refresh_noop.py``, ``retag.py``) runs against this database and never another: the
development database and the test databases are left alone. The steps, each timed:

1. create the database when it is missing (``--reset`` drops it first) and migrate it;
2. parse the real fixture records once (``tests/fixtures/pubmed/**.xml[.gz]`` and
   ``curation/demo/*.nbib``) with ``curation.parser`` and clone them under PMIDs
   50,000,001 onwards: publication years 1995-2026 (more papers in recent years), a journal
   drawn from the fixtures' journals, a unique DOI, and two words of the fixtures' own
   vocabulary added to each title, so full-text search meets a realistic spread of
   lexemes. ``--topical-share`` (30 % by default) of the clones copy the 15 demo records on
   MSC therapy for POI, so mechanism and cell-source filters select thousands of papers,
   as they would in a database filled by the default feed. The papers go in through
   ``services.paper_upsert_batch``, the importer every import uses;
3. tag every paper with ``services.papers_tag`` (the real tagging path);
4. create three users: ``rita`` (a researcher with an API token), ``cora`` (a curator) and
   ``omar`` (another researcher), all with the password ``bench-password``;
5. have the curator decide about 2 % of the tags with ``services.tag_decide`` (confirm,
   reject, and a few mechanisms added by hand);
6. write 60 notes with ``notes.services.note_create`` on PMID 50,000,001 (a clone of the
   umbilical-cord MSC paper 35677383): 30 of rita's (half private), 20 public and 10
   private of omar's, so rita's paper page shows 50 notes;
7. ``VACUUM ANALYZE``, so the planner and index-only scans see what a settled database has.

Re-running with the same ``--papers`` does nothing but check; a larger number adds the
missing papers (and tags them). Tasks are only queued (Redis database 3 is the broker),
never run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "pof_lit_bench100k"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
BENCH_DATABASE_URL = f"{PG_SERVER}/{BENCH_DATABASE}"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/3"
DEFAULT_PAPERS = 100_000
FIRST_PMID = 50_000_001
NOTES_PMID = FIRST_PMID
NOTES_TEMPLATE_PMID = 35677383  # "Umbilical Cord Mesenchymal Stem Cells Ameliorate POI ..."
PASSWORD = "bench-password"
USERS = ("rita", "cora", "omar")  # researcher with a token, curator, another researcher
BATCH = 500
YEARS = (1995, 2026)
DECISION_SHARE = 0.02
FIXTURES = ROOT / "tests" / "fixtures" / "pubmed"
DEMO = ROOT / "curation" / "demo"
_WORD = re.compile(r"[A-Za-z][a-z]{4,}")
# Function words of five letters or more, which a title variant should not be made of.
_STOPWORD_TEXT = (
    "about above after again against among being below between could during either every "
    "further having itself other should since their there these those through under until "
    "where which while within without would"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def bench_environ(**overrides: str) -> dict[str, str]:
    """Return the environment every benchmark process runs with: the bench database only.

    DEBUG is off (no query log growing in memory, production settings), Redis database 3
    is both the cache (throttle counters) and the Celery broker, so a task is queued and
    never run, and throttling is set high enough not to refuse the load generator.
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="pof_lit.settings",
        DEBUG="0",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=BENCH_DATABASE_URL,
        REDIS_URL=BENCH_REDIS_URL,
        CELERY_BROKER_URL=BENCH_REDIS_URL,
        # Per second: DRF keeps every request time of the window in the cache entry.
        API_ANON_RATE="100000/s",
        API_USER_RATE="100000/s",
        STATIC_ROOT="/tmp/pof_lit_bench_static",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def setup_django(**overrides: str) -> None:
    """Point this process at the bench database and Redis database 3, then start Django."""
    if "django.conf" in sys.modules:
        from django.conf import settings

        if settings.configured:
            raise RuntimeError("Django was configured before setup_django(); refusing to run")
    os.environ.update(bench_environ(**overrides))
    import django

    django.setup()
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    if name != BENCH_DATABASE:
        raise SystemExit(f"refusing to run against database {name!r}, not {BENCH_DATABASE!r}")


def _server() -> psycopg2.extensions.connection:
    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    connection.autocommit = True
    return connection


def database_exists() -> bool:
    with _server() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
        return cursor.fetchone() is not None


def database_reset(*, drop: bool) -> bool:
    """Create the bench database when missing (dropping it first with ``drop``).

    Return whether it was created.
    """
    connection = _server()
    try:
        with connection.cursor() as cursor:
            if drop:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(BENCH_DATABASE)
                    )
                )
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
            if cursor.fetchone() is not None:
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
            return True
    finally:
        connection.close()


def require_seeded(papers: int = DEFAULT_PAPERS) -> None:
    """Exit with a message unless bench/seed.py has finished seeding ``papers`` papers."""
    from rest_framework.authtoken.models import Token

    from curation.models import Paper
    from notes.models import Note

    have = Paper.objects.filter(pmid__gte=FIRST_PMID, pmid__lt=FIRST_PMID + papers).count()
    finished = (
        Token.objects.filter(user__username="rita").exists()
        and Note.objects.filter(paper__pmid=NOTES_PMID).exists()
    )
    if have < papers or not finished:
        raise SystemExit(
            f"{BENCH_DATABASE} holds {have:,} of {papers:,} papers"
            f"{'' if finished else ', and seeding has not finished'}: run "
            f"`.venv/bin/python bench/seed.py --papers {papers}` first"
        )


def table_writes() -> dict[str, tuple[int, int, int]]:
    """Return rows inserted, updated and deleted so far per table of the bench database.

    Django's connection is closed first: a backend hands its pending counts to the
    statistics collector when it exits, so what this process wrote is all counted.
    """
    from django.db import connection

    connection.close()
    time.sleep(1.0)
    reader = psycopg2.connect(BENCH_DATABASE_URL)
    try:
        with reader.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
            )
            return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}
    finally:
        reader.close()


def writes_between(
    before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]
) -> dict[str, tuple[int, int, int]]:
    """Return the tables whose counts moved, with (inserted, updated, deleted) rows."""
    moved = {}
    for table, counts in after.items():
        old = before.get(table, (0, 0, 0))
        delta = tuple(new - was for new, was in zip(counts, old, strict=True))
        if any(delta):
            moved[table] = delta
    return moved


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, as uptime prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --- records --------------------------------------------------------------------------


def template_records() -> tuple[list, list]:
    """Return (every fixture record, the demo records), each PMID once, parsed once."""
    from curation import parser
    from curation.records import MalformedSourceError, PaperRecord

    paths = [p for p in sorted(FIXTURES.rglob("*")) if p.name.endswith((".xml", ".xml.gz"))]
    found: dict[int, PaperRecord] = {}
    for path in paths:
        try:
            for item in parser.parse_file(path):
                if isinstance(item, PaperRecord):
                    found.setdefault(item.pmid, item)
        except MalformedSourceError:
            continue  # esearch answers live among the fixtures too
    demo: dict[int, PaperRecord] = {}
    for path in sorted(DEMO.glob("*.nbib")):
        for item in parser.parse_file(path):
            if isinstance(item, PaperRecord):
                demo.setdefault(item.pmid, item)
    for pmid, record in demo.items():
        found.setdefault(pmid, record)
    return list(found.values()), list(demo.values())


def _vocabulary(records: Sequence) -> list[str]:
    """Return the fixtures' words as they occur (frequent words often), for title variants."""
    words = []
    for record in records:
        for word in _WORD.findall(f"{record.title} {record.abstract}"):
            lowered = word.lower()
            if lowered not in _STOPWORDS:
                words.append(lowered)
    return words


def _year_weights() -> tuple[list[int], list[float]]:
    # The literature grows about 9 % a year; a database of it has more recent papers.
    years = list(range(YEARS[0], YEARS[1] + 1))
    return years, [1.09 ** (year - YEARS[0]) for year in years]


def _with_year(value: dt.date | None, year: int) -> dt.date | None:
    if value is None:
        return None
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February
        return value.replace(year=year, day=28)


class CloneMaker:
    """Make the n-th benchmark paper from the templates, the same one every time."""

    def __init__(self, templates: Sequence, demo: Sequence, *, topical_share: float) -> None:
        self.templates = list(templates)
        self.demo = [record for record in demo if record.pmid]
        self.topical_share = topical_share
        self.journals = [record.journal for record in self.templates if record.journal.title]
        self.words = _vocabulary(self.templates)
        self.years, self.weights = _year_weights()
        by_pmid = {record.pmid: record for record in self.templates}
        self.notes_template = by_pmid[NOTES_TEMPLATE_PMID]

    def make(self, n: int):
        """Return the record of benchmark paper ``n`` (1-based): PMID 50,000,000 + n."""
        from curation.records import PubDate

        rng = random.Random(n)
        if n == 1:
            template = self.notes_template
        elif rng.random() < self.topical_share:
            template = rng.choice(self.demo)
        else:
            template = rng.choice(self.templates)
        year = rng.choices(self.years, self.weights)[0]
        date = template.pub_date
        medline_date = date.medline_date
        if medline_date:
            old = re.match(r"\d{4}", medline_date)
            shift = year - int(old.group(0)) if old else 0
            medline_date = re.sub(r"\d{4}", lambda m: str(int(m.group(0)) + shift), medline_date)
        pub_date = PubDate(
            year=year,
            month=date.month,
            day=date.day,
            season=date.season,
            medline_date=medline_date,
        )
        suffix = f": {rng.choice(self.words)} and {rng.choice(self.words)}"
        title = template.title.rstrip(". ") + suffix + "."
        title_html = (template.title_html or template.title).rstrip(". ") + suffix + "."
        journal = template.journal if n == 1 else rng.choice(self.journals)
        pmid = FIRST_PMID + n - 1
        return dataclasses.replace(
            template,
            pmid=pmid,
            title=title,
            title_html=title_html,
            journal=journal,
            pub_date=pub_date,
            article_date=_with_year(template.article_date, year),
            entrez_date=_with_year(template.entrez_date, year),
            doi=f"{template.doi}.b{n}" if template.doi else "",
            pmcid="",
            pii="",
        )


# --- steps -----------------------------------------------------------------------------


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0.0
    print(f"  {label}: {done:,}/{total:,} ({rate:,.0f}/s)", end="\r", flush=True)


def step_papers(papers: int, *, topical_share: float) -> str:
    """Insert the missing benchmark papers through the importer; return what was done."""
    from curation import services
    from curation.models import Paper

    existing = set(
        Paper.objects.filter(pmid__gte=FIRST_PMID, pmid__lt=FIRST_PMID + papers).values_list(
            "pmid", flat=True
        )
    )
    missing = [n for n in range(1, papers + 1) if FIRST_PMID + n - 1 not in existing]
    if not missing:
        return f"all {papers:,} papers present"
    templates, demo = template_records()
    maker = CloneMaker(templates, demo, topical_share=topical_share)
    started = time.perf_counter()
    created = 0
    errors = 0
    for chunk in _chunks(missing, BATCH):
        result = services.paper_upsert_batch(records=[maker.make(n) for n in chunk])
        created += len(result.created)
        errors += len(result.errors)
        _progress("papers", created, len(missing), started)
    print()
    if errors:
        raise SystemExit(f"the importer refused {errors} benchmark records")
    return f"{created:,} papers created from {len(templates)} templates"


def step_tag() -> str:
    """Tag every paper the current tagger has not seen; return what was done."""
    from curation import services

    ids = services.paper_ids_to_tag()
    if not ids:
        return "every paper tagged by the current tagger"
    started = time.perf_counter()
    changed = 0
    done = 0
    for chunk in _chunks(ids, 5000):
        result = services.papers_tag(paper_ids=list(chunk))
        changed += result.papers_changed
        done += len(chunk)
        _progress("tagged", done, len(ids), started)
    print()
    return f"{len(ids):,} papers tagged ({changed:,} changed)"


def bench_users() -> dict[str, object]:
    """Return the three benchmark users by name, creating them (and rita's token) if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from curation.permissions import CURATORS_GROUP

    model = get_user_model()
    users = {}
    for name in USERS:
        user, created = model.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.org"}
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        users[name] = user
    users["cora"].groups.add(Group.objects.get(name=CURATORS_GROUP))
    Token.objects.get_or_create(user=users["rita"])
    return users


def rita_token() -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get(user__username="rita").key


def step_users() -> str:
    bench_users()
    return "rita (researcher, API token), cora (curator), omar (researcher)"


def step_decisions() -> str:
    """Have the curator decide about ~2 % of the tags, as curators would over time."""
    from curation import services
    from curation.models import Mechanism, Paper, Tag, TagSource

    if Tag.objects.filter(decided_by__isnull=False).exists():
        return "curator decisions present"
    curator = bench_users()["cora"]
    rng = random.Random(2)
    ids = list(
        Tag.objects.filter(source=TagSource.AUTO).order_by("pk").values_list("pk", flat=True)
    )
    picked = rng.sample(ids, round(len(ids) * DECISION_SHARE))
    # Only the keys: a paper row holds its whole source record.
    chosen = list(
        Tag.objects.filter(pk__in=picked)
        .select_related("paper", "mechanism")
        .only("paper", "mechanism", "paper__pmid", "mechanism__slug")
        .order_by("pk")
    )
    mechanisms = list(Mechanism.objects.all())
    confirmed = rejected = added = 0
    for index, tag in enumerate(chosen):
        action = "reject" if index % 4 == 3 else "confirm"
        services.tag_decide(
            paper=tag.paper, mechanism=tag.mechanism, action=action, user=curator, comment=""
        )
        if action == "reject":
            rejected += 1
        else:
            confirmed += 1
    # A curator also adds mechanisms the tagger missed, on a tenth as many papers.
    papers = list(
        Paper.objects.filter(pmid__gte=FIRST_PMID).order_by("?").only("pk")[: len(chosen) // 10]
    )
    for paper in papers:
        services.tag_decide(
            paper=paper,
            mechanism=rng.choice(mechanisms),
            action="add",
            user=curator,
            comment="Seen in the full text.",
        )
        added += 1
    return f"{confirmed} confirmed, {rejected} rejected, {added} added by the curator"


def note_bodies() -> list[str]:
    """Return 300-character notes using the whole notes syntax (bench/notes_render.py's)."""
    from notes_render import NOTES, pad_to_limit

    return [pad_to_limit(note) for note in NOTES]


def step_notes() -> str:
    """Write rita's and omar's 60 notes on the notes paper, 50 of them visible to rita."""
    from curation.models import Paper
    from notes.models import Note, Visibility
    from notes.services import note_create

    paper = Paper.objects.get(pmid=NOTES_PMID)
    if Note.objects.filter(paper=paper).exists():
        return f"notes on PMID {NOTES_PMID} present"
    users = bench_users()
    bodies = note_bodies()
    plan = [("rita", Visibility.PRIVATE if i % 2 else Visibility.PUBLIC) for i in range(30)]
    plan += [("omar", Visibility.PUBLIC)] * 20 + [("omar", Visibility.PRIVATE)] * 10
    for index, (author, visibility) in enumerate(plan):
        note_create(
            paper=paper,
            author=users[author],
            body=bodies[index % len(bodies)],
            visibility=visibility,
        )
    return f"{len(plan)} notes on PMID {NOTES_PMID} (50 visible to rita)"


def step_vacuum() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return "VACUUM ANALYZE"


def _timed(label: str, step: Callable[[], str], rows: list[tuple[str, float, str]]) -> None:
    print(f"{label} ...", flush=True)
    started = time.perf_counter()
    outcome = step()
    elapsed = time.perf_counter() - started
    print(f"{label}: {outcome} ({elapsed:.1f} s)", flush=True)
    rows.append((label, elapsed, outcome))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=DEFAULT_PAPERS, help="papers to hold")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--topical-share",
        type=float,
        default=0.3,
        help="share of papers cloned from the MSC/POI demo records (0-1)",
    )
    options = parser.parse_args()
    if options.papers < 1:
        parser.error("--papers must be at least 1")
    if not 0 <= options.topical_share <= 1:
        parser.error("--topical-share must be between 0 and 1")

    rows: list[tuple[str, float, str]] = []
    _timed(
        "database",
        lambda: (
            f"{BENCH_DATABASE} created"
            if database_reset(drop=options.reset)
            else f"{BENCH_DATABASE} exists"
        ),
        rows,
    )
    setup_django()
    from django.core.management import call_command

    _timed("migrate", lambda: call_command("migrate", verbosity=0) or "migrated", rows)
    from curation.models import Paper

    seeded = Paper.objects.filter(pmid__gte=FIRST_PMID)
    beyond = seeded.filter(pmid__gte=FIRST_PMID + options.papers).count()
    if beyond:
        raise SystemExit(
            f"{BENCH_DATABASE} holds {beyond:,} papers beyond --papers {options.papers:,}: "
            "run with --reset to shrink it"
        )
    _timed("papers", lambda: step_papers(options.papers, topical_share=options.topical_share), rows)
    _timed("tagging", step_tag, rows)
    _timed("users", step_users, rows)
    _timed("curator decisions", step_decisions, rows)
    _timed("notes", step_notes, rows)
    _timed("vacuum", step_vacuum, rows)

    print()
    print(
        f"Seeding {BENCH_DATABASE} with {options.papers:,} papers (load average {load_average()})"
    )
    print()
    print("| Step | Seconds | Outcome |")
    print("|---|---:|---|")
    for label, elapsed, outcome in rows:
        print(f"| {label} | {elapsed:.1f} | {outcome} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
