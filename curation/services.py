"""Writes for curation: paper upserts, imports, syncs, feed refreshes, tagging, decisions."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, models, transaction
from django.db.models import Model, Prefetch, Q
from django.utils import timezone

from curation import parallel, parser, tagger
from curation.models import (
    Author,
    FacetKind,
    Feed,
    ImportRun,
    Journal,
    Mechanism,
    Paper,
    PaperFacet,
    PublicationType,
    RunKind,
    RunStatus,
    Tag,
    TagAction,
    TagEvent,
    TagSource,
    TagStatus,
)
from curation.pubmed import FetchBatch, PubmedClient, PubmedError, SearchWindow
from curation.records import Deletion, MalformedSourceError, PaperRecord, RecordError
from curation.rows import (
    AUTHOR_COLUMNS,
    CONTENT_COLUMNS,
    JOURNAL_FIELDS,
    PreparedRecord,
    RowSpec,
    copy_fields,
    copy_line,
    prepare,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A batch also ends at this much source text: an import holds about three batches.
BATCH_CHARS = 8_000_000
# Batches an import writes at once on PostgreSQL, each on a connection of its own.
IMPORT_WRITERS = 2


@dataclass
class BatchResult:
    """What one batch of records did to the database."""

    created: list[int] = field(default_factory=list)  # paper ids
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    deleted: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[int]:
        return self.created + self.updated


@functools.cache
def _row_spec(*, as_text: bool) -> RowSpec:
    """Return how records are prepared for this database's paper columns."""
    limits = tuple(
        (model_field.attname, model_field.max_length, model_field.verbose_name)
        for model_field in Paper._meta.concrete_fields
        if getattr(model_field, "max_length", None) is not None
    )
    return RowSpec(limits=limits, as_text=as_text)


def record_spec() -> RowSpec:
    """Return the RowSpec records are prepared with for the default database."""
    return _row_spec(as_text=connection.vendor == "postgresql")


def prepare_records(items: Iterable[Any]) -> Iterator[Any]:
    """Yield ``items`` with each PaperRecord prepared for writing; the rest as they come."""
    spec = record_spec()
    for item in items:
        yield prepare(item, spec) if isinstance(item, PaperRecord) else item


def _stored_journals(keys: Iterable[str]) -> dict[str, tuple]:
    """Return key -> (id, then the ``JOURNAL_FIELDS``) of the stored journals of ``keys``."""
    found = Journal.objects.filter(key__in=list(keys)).values_list("key", "pk", *JOURNAL_FIELDS)
    return {key: tuple(row) for key, *row in found}


def _journal_ids(recs: Sequence[PreparedRecord]) -> dict[str, int]:
    """Return journal key -> id for the records' journals, creating or completing rows."""
    # A record with no journal at all has the empty key "title:" and gets no Journal row.
    wanted = {prep.journal_key: prep.journal for prep in recs if prep.journal_key != "title:"}
    if not wanted:
        return {}
    stored = _stored_journals(wanted)
    missing = [
        Journal(key=key, **dict(zip(JOURNAL_FIELDS, journal, strict=True)))
        for key, journal in wanted.items()
        if key not in stored
    ]
    if missing:
        Journal.objects.bulk_create(missing, ignore_conflicts=True)
        stored = _stored_journals(wanted)
    # A later, fuller record (an efetch after a demo .nbib) fills in what was missing.
    completed = []
    for key, journal in wanted.items():
        pk, *values = stored[key]
        fuller = [new or old for new, old in zip(journal, values, strict=True)]
        if fuller != values:
            completed.append(
                Journal(pk=pk, key=key, **dict(zip(JOURNAL_FIELDS, fuller, strict=True)))
            )
    if completed:
        Journal.objects.bulk_update(completed, JOURNAL_FIELDS)
    return {key: row[0] for key, row in stored.items()}


def _publication_type_ids(recs: Sequence[PreparedRecord]) -> dict[str, int]:
    names = {name for r in recs for name in r.publication_types}
    if not names:
        return {}
    existing = dict(PublicationType.objects.filter(name__in=names).values_list("name", "pk"))
    if len(existing) < len(names):
        PublicationType.objects.bulk_create(
            # Sorted: writers running at once then wait on each other, never deadlock.
            [PublicationType(name=name) for name in sorted(names - existing.keys())],
            ignore_conflicts=True,
        )
        existing = dict(PublicationType.objects.filter(name__in=names).values_list("name", "pk"))
    return existing


# Text per INSERT statement (SQLite): the driver holds a statement two or three times
# over while sending it, so a batch of long records goes as several statements.
_STATEMENT_CHARS = 2_000_000


def _chunks(rows: Sequence[Sequence], *, max_rows: int) -> Iterator[Sequence[Sequence]]:
    """Split ``rows`` into runs of at most ``max_rows`` rows and about ``_STATEMENT_CHARS``."""
    start = size = 0
    for end, row in enumerate(rows):
        if end > start and (end - start >= max_rows or size >= _STATEMENT_CHARS):
            yield rows[start:end]
            start = end
            size = 0
        size += sum(len(value) for value in row if isinstance(value, str))
    if start < len(rows):
        yield rows[start:]


def _insert_rows(
    model: type[Model],
    fields: Sequence[models.Field],
    rows: Sequence[Sequence],
    *,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert ``rows`` (driver-ready values, one per field) with multi-row INSERTs.

    The path of databases without COPY (SQLite): ``bulk_create`` builds a model instance
    and runs every field's conversion on every value, which cost an import more than the
    database's own work. ``returning`` names columns to read back.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model_field.column) for model_field in fields)
    tail = f" RETURNING {', '.join(quote(name) for name in returning)}" if returning else ""
    # SQLite takes 999 parameters per statement.
    limit = connection.features.max_query_params
    max_rows = max(limit // len(fields), 1) if limit else len(rows)
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        for part in _chunks(rows, max_rows=max_rows):
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(part))}{tail}",
                [value for row in part for value in row],
            )
            if returning:
                returned.extend(cursor.fetchall())
    return returned


class _CopyReader:
    """Lines of COPY text, handed to the driver a chunk at a time as it reads them.

    A batch's lines as one string would be some 60 MB (raw records are some 10 kB each),
    and ``io.StringIO`` would hold it again at four bytes a character.
    """

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        length = 0
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return b"".join(parts)

    readline = read  # never called for COPY FROM; psycopg2 asks that it exist


def _copy_into(table: str, fields: Sequence[models.Field], lines: Iterable[bytes]) -> None:
    """COPY ``lines`` (each a row in COPY's text format, UTF-8 encoded) into ``table``.

    PostgreSQL reads COPY's text format for a fraction of what it spends on the literals
    of an INSERT (a paper's raw record is some 10 kB), and the client escapes a value
    with a few scans in C where quoting it as a parameter cost more.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model_field.column) for model_field in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Read in 1 MiB chunks, not 8 KiB (positional: Django's debug cursor takes no size=).
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", _CopyReader(lines), 1 << 20)


def _copy_rows(
    model: type[Model], fields: Sequence[models.Field], rows: Sequence[Sequence]
) -> None:
    """Add ``rows`` (driver-ready values, one per field) with COPY on PostgreSQL.

    Other databases get ``_insert_rows``.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        _insert_rows(model, fields, rows)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    _copy_into(table, fields, map(copy_line, rows))


def _copy_id(pk: int | None) -> bytes:
    return b"\\N" if pk is None else b"%d" % pk


def _next_ids(model: type[Model], count: int) -> list[int]:
    """Take ``count`` primary keys from ``model``'s identity sequence (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _update_rows(
    model: type[Model], fields: Sequence[models.Field], rows: Sequence[Sequence]
) -> None:
    """Update rows by primary key: each row is its pk, then one value per field, driver-ready.

    ``bulk_update`` writes one ``CASE WHEN pk = ...`` per column, whose cost grows with the
    square of the batch. PostgreSQL gets ``_update_copied``; other databases one UPDATE per
    row.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        _update_copied(model, fields, map(copy_line, rows))
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s",
            [(*row[1:], row[0]) for row in rows],
        )


def _update_copied(
    model: type[Model], fields: Sequence[models.Field], lines: Iterable[bytes]
) -> None:
    """Update rows by primary key from COPY lines (the pk, then each field) on PostgreSQL.

    The lines go by COPY into a temporary table, then one ``UPDATE ... FROM`` it.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    columns = [quote(f.column) for f in (pk, *fields)]
    # Dropped here, not at commit: a caller's transaction may update twice.
    stage = quote(f"{model._meta.db_table}_update")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} AS SELECT {', '.join(columns)} FROM {table} "
            "WITH NO DATA"
        )
        _copy_into(stage, (pk, *fields), lines)
        assignments = ", ".join(f"{column} = s.{column}" for column in columns[1:])
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {stage} AS s "
            f"WHERE {table}.{columns[0]} = s.{columns[0]}"
        )
        cursor.execute(f"DROP TABLE {stage}")


@functools.cache
def _paper_update_fields() -> tuple[models.Field, ...]:
    """Return the columns written for a paper new or revised: three, then the record's own."""
    leading = tuple(Paper._meta.get_field(name) for name in ("journal", "updated_at", "deleted_at"))
    return (*leading, *_content_fields())


@functools.cache
def _paper_insert_fields() -> tuple[models.Field, ...]:
    """Return the columns of a new paper: its pmid and journal, the columns every new paper
    of a batch has the same value in (``_paper_constants``), then the record's own.

    The primary key is not among them; a trigger fills the search vector.
    """
    leading = ("pmid", "journal")
    rest = [
        f
        for f in Paper._meta.concrete_fields
        if not f.primary_key
        and f.name != "search_vector"
        and f.name not in leading
        and f.attname not in CONTENT_COLUMNS
    ]
    return (*(Paper._meta.get_field(name) for name in leading), *rest, *_content_fields())


@functools.cache
def _content_fields() -> tuple[models.Field, ...]:
    return tuple(Paper._meta.get_field(name) for name in CONTENT_COLUMNS)


def _paper_constants(stamp: object) -> tuple:
    """Return the values of a new paper's columns between its journal and its content."""
    constant = _paper_insert_fields()[2 : -len(CONTENT_COLUMNS)]
    timestamps = {"created_at": stamp, "updated_at": stamp, "deleted_at": None}
    return tuple(
        timestamps[f.attname] if f.attname in timestamps else f.get_default() for f in constant
    )


@functools.cache
def _author_fields() -> tuple[models.Field, ...]:
    return (Author._meta.get_field("paper"), *(Author._meta.get_field(n) for n in AUTHOR_COLUMNS))


@functools.cache
def _link_fields() -> tuple[models.Field, ...]:
    through = Paper.publication_types.through
    return (through._meta.get_field("paper"), through._meta.get_field("publicationtype"))


@dataclass
class _BatchPlan:
    """What a batch writes, decided before any paper row is touched."""

    now: dt.datetime
    result: BatchResult
    # (pk, or None for a new paper; the prepared record), new papers first
    writing: list[tuple[int | None, PreparedRecord]]
    journal_ids: dict[str, int]


def _plan_batch(preps: Sequence[PreparedRecord], *, now: dt.datetime) -> _BatchPlan:
    """Sort ``preps`` (distinct PMIDs) into new, revised and unchanged; create their journals."""
    result = BatchResult()
    pmids = [p.pmid for p in preps]
    columns = ("pmid", "pk", "content_hash", "date_revised", "deleted_at")
    if connection.vendor == "postgresql":
        # One array parameter: the ORM's IN list prepared 500 values one by one.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pmid, id, content_hash, date_revised, deleted_at FROM curation_paper "
                "WHERE pmid = ANY(%s)",
                [pmids],
            )
            found = cursor.fetchall()
    else:
        found = Paper.objects.filter(pmid__in=pmids).values_list(*columns)
    existing = {pmid: rest for pmid, *rest in found}
    new: list[tuple[int | None, PreparedRecord]] = []
    revised: list[tuple[int | None, PreparedRecord]] = []
    for prep in preps:
        known = existing.get(prep.pmid)
        if known is None:
            new.append((None, prep))
            continue
        pk, stored_hash, date_revised, deleted_at = known
        stale = (
            prep.date_revised is not None
            and date_revised is not None
            and prep.date_revised < date_revised
        )
        if stale or (stored_hash == prep.content_hash and deleted_at is None):
            # An older revision than the stored one (update files applied out of order)
            # or the same content: nothing to write.
            result.unchanged += 1
        else:
            revised.append((pk, prep))
    writing = new + revised
    journal_ids = _journal_ids([prep for _, prep in writing]) if writing else {}
    return _BatchPlan(now=now, result=result, writing=writing, journal_ids=journal_ids)


def _compress_with_lz4() -> None:
    """Store this transaction's long values lz4-compressed when the server has lz4.

    A paper's source XML, abstract and MeSH are stored compressed; with lz4 rather than
    the default pglz the server spends about 2 s less per 12,000 new papers (a quarter
    of its work) for about the same size. A server built without lz4 keeps pglz.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )


def _write_plan(plan: _BatchPlan) -> BatchResult:
    """Write the papers of ``plan`` with their authors and publication types.

    On PostgreSQL records come prepared as COPY text: a paper's line is its id and the
    columns only the database knows, then the record's own fields as prepared.
    """
    result, now = plan.result, plan.now
    if not plan.writing:
        return result
    type_ids = _publication_type_ids([prep for _, prep in plan.writing])
    postgres = connection.vendor == "postgresql"
    new: list[PreparedRecord] = []
    changed: list[tuple[int, PreparedRecord]] = []
    for pk, prep in plan.writing:
        if prep.problem:
            result.errors.append(RecordError(reason=prep.problem, pmid=prep.pmid))
        elif pk is None:
            new.append(prep)
        else:
            changed.append((pk, prep))

    # As the driver takes a timestamp: COPY reads str(now); SQLite wants Django's text.
    stamp = now if postgres else connection.ops.adapt_datetimefield_value(now)

    def journal(prep: PreparedRecord) -> int | None:
        return plan.journal_ids.get(prep.journal_key)

    constants = _paper_constants(stamp)
    if postgres:
        _compress_with_lz4()
        # Ids first, then COPY: COPY returns nothing. The search vector is the trigger's.
        new_ids = _next_ids(Paper, len(new)) if new else []
        shared = copy_fields(constants).encode()
        _copy_into(
            connection.ops.quote_name(Paper._meta.db_table),
            (Paper._meta.pk, *_paper_insert_fields()),
            (
                b"%d\t%d\t%b\t%b\t%b\n"
                % (pk, prep.pmid, _copy_id(journal(prep)), shared, prep.text)
                for pk, prep in zip(new_ids, new, strict=True)
            ),
        )
    else:
        returned = dict(
            _insert_rows(
                Paper,
                _paper_insert_fields(),
                [(prep.pmid, journal(prep), *constants, *prep.values) for prep in new],
                returning=("pmid", "id"),
            )
        )
        new_ids = [returned[prep.pmid] for prep in new]
    created = list(zip(new_ids, new, strict=True))
    if changed:
        if postgres:
            moment = copy_fields((stamp, None)).encode()
            _update_copied(
                Paper,
                _paper_update_fields(),
                (
                    b"%d\t%b\t%b\t%b\n" % (pk, _copy_id(journal(prep)), moment, prep.text)
                    for pk, prep in changed
                ),
            )
        else:
            _update_rows(
                Paper,
                _paper_update_fields(),
                [(pk, journal(prep), stamp, None, *prep.values) for pk, prep in changed],
            )
        changed_ids = [pk for pk, _ in changed]
        Author.objects.filter(paper_id__in=changed_ids).delete()
        Paper.publication_types.through.objects.filter(paper_id__in=changed_ids).delete()

    written = created + changed
    if postgres:
        _copy_into(
            connection.ops.quote_name(Author._meta.db_table),
            _author_fields(),
            (b"%d\t%b\n" % (pk, line) for pk, prep in written for line in prep.author_lines),
        )
    else:
        _insert_rows(
            Author,
            _author_fields(),
            [(pk, *row) for pk, prep in written for row in prep.authors],
        )
    links = [(pk, type_ids[name]) for pk, prep in written for name in prep.publication_types]
    _copy_rows(Paper.publication_types.through, _link_fields(), links)

    result.created = [pk for pk, _ in created]
    result.updated = [pk for pk, _ in changed]
    return result


def _write_batch(preps: Sequence[PreparedRecord], *, now: dt.datetime) -> BatchResult:
    """Insert or update ``preps`` (distinct PMIDs) in the current transaction."""
    return _write_plan(_plan_batch(preps, now=now))


def paper_upsert_batch(
    *, records: Sequence[PaperRecord], now: dt.datetime | None = None
) -> BatchResult:
    """Insert new papers and update revised ones, in one transaction per batch.

    PMIDs must be distinct within a batch (``_batches`` guarantees it). A record the
    database refuses is isolated: the batch is retried one record at a time, so one bad
    record is reported and the rest of its batch is still written. A paper is never
    half-written: its row, authors and publication types commit together.
    """
    return _upsert_prepared(list(prepare_records(records)), now=now or timezone.now())


def _upsert_prepared(preps: Sequence[PreparedRecord], *, now: dt.datetime) -> BatchResult:
    try:
        with transaction.atomic():
            return _write_batch(preps, now=now)
    except (DatabaseError, ValueError) as exc:
        logger.warning("Batch of %d records failed (%s); retrying one by one", len(preps), exc)
    return _upsert_one_by_one(preps, now=now)


def _upsert_one_by_one(preps: Sequence[PreparedRecord], *, now: dt.datetime) -> BatchResult:
    """Write each record in a transaction of its own, reporting those the database refuses."""
    result = BatchResult()
    for prep in preps:
        try:
            with transaction.atomic():
                one = _write_batch([prep], now=now)
        except (DatabaseError, ValueError) as exc:
            result.errors.append(RecordError(reason=f"database refused it: {exc}", pmid=prep.pmid))
            continue
        result.created += one.created
        result.updated += one.updated
        result.unchanged += one.unchanged
        result.errors += one.errors
    return result


def paper_delete_pmids(*, pmids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Honour a DeleteCitation: hide the papers, keeping their rows for notes and history."""
    now = now or timezone.now()
    return Paper.objects.filter(pmid__in=list(pmids), deleted_at__isnull=True).update(
        deleted_at=now, updated_at=now
    )


def _batches(
    items: Iterable[PreparedRecord | Deletion | RecordError], size: int
) -> Iterator[list[PreparedRecord | Deletion | RecordError]]:
    """Group items into batches of distinct PMIDs, keeping file order across batches.

    A Deletion or a repeated PMID closes the batch, so what comes later in a file always
    wins over what came earlier; so do ``size`` records or ``BATCH_CHARS`` of their source
    text, so that long records (efetch answers with long reference lists) do not make
    memory grow. A source that stops being well-formed ends with a RecordError after the
    records read before the fault, which are still written.
    """
    batch: list = []
    pmids: set[int] = set()
    chars = 0
    try:
        for item in items:
            if isinstance(item, PreparedRecord):
                if (
                    item.pmid in pmids
                    or len(pmids) >= size
                    or (pmids and chars + item.source_chars > BATCH_CHARS)
                ):
                    yield batch
                    batch, pmids, chars = [], set(), 0
                pmids.add(item.pmid)
                chars += item.source_chars
                batch.append(item)
            elif isinstance(item, Deletion):
                batch.append(item)
                yield batch
                batch, pmids = [], set()
            else:
                batch.append(item)
    except MalformedSourceError as exc:
        batch.append(RecordError(reason=str(exc)))
    if batch:
        yield batch


def _error_entry(error: RecordError, *, origin: str = "") -> dict:
    position = ", ".join(part for part in (origin, error.position) if part)
    return {"pmid": error.pmid, "reason": error.reason, "position": position}


OnBatch = Callable[[ImportRun, BatchResult], None]


def _finish_batch(
    run: ImportRun,
    batch: list,
    result: BatchResult,
    *,
    origin: str,
    on_batch: OnBatch | None,
) -> None:
    """Apply a written batch's deletions, count it into ``run`` and queue its tagging."""
    for item in batch:
        if isinstance(item, Deletion):
            result.deleted += paper_delete_pmids(pmids=item.pmids)
        elif isinstance(item, RecordError):
            result.errors.append(item)
    run.created += len(result.created)
    run.updated += len(result.updated)
    run.unchanged += result.unchanged
    run.failed += len(result.errors)
    run.deleted += result.deleted
    run.errors.extend(_error_entry(error, origin=origin) for error in result.errors)
    run.progress_done += sum(1 for item in batch if isinstance(item, PreparedRecord | RecordError))
    run.heartbeat_at = timezone.now()
    run.save(
        update_fields=[
            "created",
            "updated",
            "unchanged",
            "failed",
            "deleted",
            "errors",
            "progress_done",
            "heartbeat_at",
        ]
    )
    if result.changed_ids:
        _enqueue_tagging(result.changed_ids)
    if on_batch:
        on_batch(run, result)


class _Writers:
    """Threads running jobs on database connections of their own, closed on exit."""

    def __init__(self, count: int) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"import-writer-{n}", daemon=True)
            for n in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable, *args) -> Future:
        future: Future = Future()
        self._jobs.put((future, function, args))
        return future

    def _work(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                future, function, args = job
                try:
                    future.set_result(function(*args))
                except BaseException as exc:
                    future.set_exception(exc)
        finally:
            connections.close_all()

    def __enter__(self) -> _Writers:
        return self

    def __exit__(self, *exc_info) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()


def _write_planned(plan: _BatchPlan) -> BatchResult | None:
    """Write ``plan`` in one transaction; return None when the database refused the batch."""
    try:
        with transaction.atomic():
            return _write_plan(plan)
    except (DatabaseError, ValueError) as exc:
        logger.warning(
            "Batch of %d records failed (%s); retrying one by one", len(plan.writing), exc
        )
        return None


def run_record_items(
    *,
    run: ImportRun,
    items: Iterable[PaperRecord | PreparedRecord | Deletion | RecordError],
    origin: str = "",
    batch_size: int = BATCH_SIZE,
    on_batch: OnBatch | None = None,
) -> None:
    """Write parsed items into the database in batches, counting into ``run`` as it goes.

    On PostgreSQL, unless the caller holds a transaction (which other connections could
    not see into), ``IMPORT_WRITERS`` batches are written at once, each on a connection
    of its own, while this thread reads the next one: parsing and both cores' worth of
    database work overlap. The outcome is the serial one: this thread sorts each batch
    into new, revised and unchanged papers and creates its journals in file order
    (``_plan_batch``); a batch naming a PMID of a batch still being written waits for it,
    so what comes later in a file still wins; batches are counted, their deletions
    applied and ``on_batch`` called in file order. A batch the database refuses is
    retried one record at a time here, as ``paper_upsert_batch`` does. Records may come
    prepared (``curation.parallel`` prepares them in other processes).
    """
    items = prepare_records(items)

    def finish(batch: list, result: BatchResult) -> None:
        _finish_batch(run, batch, result, origin=origin, on_batch=on_batch)

    if IMPORT_WRITERS < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        for batch in _batches(items, batch_size):
            recs = [item for item in batch if isinstance(item, PreparedRecord)]
            finish(batch, _upsert_prepared(recs, now=timezone.now()) if recs else BatchResult())
        return

    # (batch, the PMIDs it writes or deletes, its records, when, the writer's answer)
    pending: deque[tuple[list, set[int], list[PreparedRecord], dt.datetime, Future | None]]
    pending = deque()

    def collect() -> None:
        batch, _pmids, recs, now, future = pending.popleft()
        result = future.result() if future is not None else BatchResult()
        if result is None:
            result = _upsert_one_by_one(recs, now=now)
        finish(batch, result)

    with _Writers(IMPORT_WRITERS) as writers:
        try:
            for batch in _batches(items, batch_size):
                recs = [item for item in batch if isinstance(item, PreparedRecord)]
                pmids = {record.pmid for record in recs}
                for item in batch:
                    if isinstance(item, Deletion):
                        pmids.update(item.pmids)
                while pending and (
                    len(pending) >= IMPORT_WRITERS
                    or any(pmids & written for _, written, *_ in pending)
                ):
                    collect()
                now = timezone.now()
                future = None
                if recs:
                    try:
                        with transaction.atomic():
                            plan = _plan_batch(recs, now=now)
                    except (DatabaseError, ValueError) as exc:
                        logger.warning("Batch of %d records failed (%s)", len(recs), exc)
                        future = Future()
                        future.set_result(None)  # one record at a time, by collect()
                    else:
                        future = writers.submit(_write_planned, plan)
                pending.append((batch, pmids, recs, now, future))
        finally:
            # What was handed out is written and counted, even when reading failed.
            while pending:
                collect()


def _enqueue_tagging(paper_ids: list[int]) -> None:
    from curation import tasks
    from pof_lit.lib.tasks import enqueue

    enqueue(tasks.tag_papers, paper_ids=paper_ids)


def run_start(
    *, kind: str, source: str, user=None, feed=None, total: int | None = None
) -> ImportRun:
    """Create a run in the running state."""
    now = timezone.now()
    return ImportRun.objects.create(
        kind=kind,
        status=RunStatus.RUNNING,
        source=source,
        started_by=user,
        feed=feed,
        progress_total=total,
        started_at=now,
        heartbeat_at=now,
    )


def run_finish(*, run: ImportRun, error: str = "") -> ImportRun:
    """Close a run: failed with ``error``, partial when some records failed, else succeeded."""
    if error:
        run.status = RunStatus.FAILED
        run.error = error
    elif run.failed or run.missing_pmids:
        run.status = RunStatus.PARTIAL
    else:
        run.status = RunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    return run


def pubmed_file_import(
    *,
    paths: Sequence[str | Path],
    user=None,
    on_batch: OnBatch | None = None,
    workers: int = 0,
) -> ImportRun:
    """Import PubMed XML (.xml, .xml.gz) and MEDLINE text (.nbib, .txt) files, offline.

    A file that stops being well-formed keeps what was read before the fault and is
    reported as a failure; the other files are still imported. With ``workers``, PubMed
    XML files of ``parallel.MIN_FILE_BYTES`` or more are parsed by that many processes
    (``curation.parallel``); the outcome is the same.
    """
    run = run_start(kind=RunKind.FILE, source="\n".join(str(p) for p in paths), user=user)
    for path in paths:
        name = Path(path).name
        try:
            items: Iterable = parser.parse_file(path)
            if (
                workers > 0
                and Path(path).stat().st_size >= parallel.MIN_FILE_BYTES
                and parallel.splittable(path)
            ):
                items = parallel.parse_file_prepared(path, spec=record_spec(), workers=workers)
            run_record_items(run=run, items=items, origin=name, on_batch=on_batch)
        except (MalformedSourceError, OSError, EOFError, UnicodeDecodeError) as exc:
            run.failed += 1
            run.errors.append({"pmid": None, "reason": str(exc), "position": name})
            run.save(update_fields=["failed", "errors"])
    return run_finish(run=run)


def demo_path() -> Path:
    return Path(settings.BASE_DIR) / "curation" / "demo" / "pof_msc_demo.nbib"


def demo_load(*, on_batch: OnBatch | None = None) -> ImportRun:
    """Load the bundled real demo records through the same importer as any file."""
    return pubmed_file_import(paths=[demo_path()], on_batch=on_batch)


# --- PubMed sync and feed refresh ------------------------------------------------------

# Feed windows overlap the previous run by this much: PubMed dates are whole days and a
# record indexed late on the boundary day must not fall between two runs.
FEED_WINDOW_OVERLAP = dt.timedelta(days=2)


def _fetch_into_run(
    *,
    run: ImportRun,
    batches: Iterable[FetchBatch],
    limit: int | None = None,
    on_batch: OnBatch | None = None,
) -> set[int]:
    """Upsert every fetched batch into ``run``; return the PMIDs seen (up to ``limit``)."""
    seen: set[int] = set()
    for batch in batches:
        records = list(batch.records)
        if limit is not None:
            records = records[: max(limit - len(seen), 0)]
        seen.update(record.pmid for record in records)
        items: list = [*records, *batch.deletions, *batch.errors]
        run_record_items(run=run, items=items, origin="efetch", on_batch=on_batch)
        if batch.missing:
            run.missing_pmids = sorted({*run.missing_pmids, *batch.missing})
            run.save(update_fields=["missing_pmids"])
        if limit is not None and len(seen) >= limit:
            break
    return seen


def _window_plan(
    client: PubmedClient,
    *,
    query: str,
    since: dt.date | None,
    until: dt.date,
) -> tuple[list[SearchWindow], list[int]]:
    """Search new records (entry date) and, with ``since``, revised ones (modification date).

    Return the entry-date windows, fetched through the history server, and the PMIDs that
    only the modification-date search found, fetched by id.
    """
    windows = client.search(query, mindate=since, maxdate=until if since else None, datetype="edat")
    if since is None:
        return windows, []
    known = {pmid for window in windows for pmid in window.pmids}
    revised = client.search(query, mindate=since, maxdate=until, datetype="mdat")
    extra = [pmid for window in revised for pmid in window.pmids if pmid not in known]
    return windows, list(dict.fromkeys(extra))


def _sync(
    *,
    run: ImportRun,
    client: PubmedClient,
    query: str,
    since: dt.date | None,
    until: dt.date,
    retry_pmids: Sequence[int] = (),
    limit: int | None = None,
    on_batch: OnBatch | None = None,
) -> None:
    windows, extra = _window_plan(client, query=query, since=since, until=until)
    known = {pmid for window in windows for pmid in window.pmids}
    extra += [pmid for pmid in retry_pmids if pmid not in known and pmid not in extra]
    run.progress_total = sum(window.count for window in windows) + len(extra)
    if limit is not None:
        run.progress_total = min(run.progress_total, limit)
    run.save(update_fields=["progress_total"])
    seen: set[int] = set()
    for window in windows:
        if limit is not None and len(seen) >= limit:
            break
        remaining = None if limit is None else limit - len(seen)
        seen |= _fetch_into_run(
            run=run, batches=client.fetch(window), limit=remaining, on_batch=on_batch
        )
    if extra and (limit is None or len(seen) < limit):
        remaining = None if limit is None else limit - len(seen)
        _fetch_into_run(
            run=run, batches=client.fetch_pmids(extra), limit=remaining, on_batch=on_batch
        )


def pubmed_sync(
    *,
    query: str,
    since: dt.date | None = None,
    limit: int | None = None,
    user=None,
    client: PubmedClient | None = None,
    on_batch: OnBatch | None = None,
) -> ImportRun:
    """Fetch a PubMed query's records (added or revised since ``since``) into the database."""
    client = client or PubmedClient.from_settings()
    source = query if since is None else f"{query} (since {since.isoformat()})"
    run = run_start(kind=RunKind.SYNC, source=source, user=user)
    requests_before = client.requests_made
    try:
        _sync(
            run=run,
            client=client,
            query=query,
            since=since,
            until=timezone.localdate(),
            limit=limit,
            on_batch=on_batch,
        )
    except PubmedError as exc:
        run.requests = client.requests_made - requests_before
        return run_finish(run=run, error=str(exc))
    run.requests = client.requests_made - requests_before
    return run_finish(run=run)


def feed_refresh_start(*, feed: Feed, user=None) -> ImportRun | None:
    """Queue a refresh of ``feed``; return None when one is already queued or running."""
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                kind=RunKind.FEED,
                status=RunStatus.QUEUED,
                feed=feed,
                source=feed.query,
                started_by=user,
            )
    except IntegrityError:
        return None  # run_one_open_per_feed: another refresh of this feed is open
    from curation import tasks
    from pof_lit.lib.tasks import enqueue

    enqueue(tasks.refresh_feed, background=True, run_id=run.pk)
    return run


def runs_fail_lost(*, now: dt.datetime | None = None) -> int:
    """Fail open runs whose worker stopped writing heartbeats (killed, or its host lost)."""
    now = now or timezone.now()
    limit = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    lost = ImportRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
        heartbeat_at__lt=now - limit,
    )
    return lost.update(
        status=RunStatus.FAILED,
        error="The worker running this refresh stopped answering; it was marked failed.",
        finished_at=now,
    )


def feeds_dispatch_due(*, now: dt.datetime | None = None) -> list[ImportRun]:
    """Queue a refresh for every active feed that is due; skip feeds with an open run."""
    now = now or timezone.now()
    runs_fail_lost(now=now)
    runs = []
    for feed in Feed.objects.filter(is_active=True):
        if feed.is_due(now):
            run = feed_refresh_start(feed=feed)
            if run is not None:
                runs.append(run)
    return runs


def _run_claim(run_id: int, *, task_id: str) -> ImportRun | None:
    """Mark a queued run as running for this task; None if another task is running it.

    A redelivered task (its worker was killed) carries the same task id, so it takes over
    its own run; a second, different task for the same run finds it taken and stops.
    """
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, heartbeat_at__lt=stale)
    if task_id:
        claimable |= Q(status=RunStatus.RUNNING, task_id=task_id)
    claimed = ImportRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING,
        task_id=task_id,
        started_at=now,
        heartbeat_at=now,
        # A redelivered run starts its counts again; the upserts it repeats are no-ops.
        created=0,
        updated=0,
        unchanged=0,
        failed=0,
        deleted=0,
        errors=[],
        missing_pmids=[],
        progress_done=0,
        requests=0,
    )
    if not claimed:
        return None
    return ImportRun.objects.select_related("feed").get(pk=run_id)


def feed_refresh(
    *,
    run_id: int,
    task_id: str = "",
    final_attempt: bool = True,
    client: PubmedClient | None = None,
) -> ImportRun:
    """Run one feed refresh: fetch what is new or revised since the last successful run.

    The window starts ``FEED_WINDOW_OVERLAP`` before the previous run's end, so nothing
    falls between runs; PMIDs the previous run could not fetch or store are tried again.
    Only a run that finished moves the feed's ``synced_until``. When PubMed stays
    unavailable the error is raised for the task to retry; the run goes back to queued
    (keeping the error) unless this was the final attempt, which marks it failed.
    """
    run = _run_claim(run_id, task_id=task_id)
    if run is None:
        return ImportRun.objects.get(pk=run_id)
    feed = run.feed
    client = client or PubmedClient.from_settings()
    until = run.started_at
    since = feed.synced_until - FEED_WINDOW_OVERLAP if feed.synced_until else None
    run.window_start = since
    run.window_end = until
    run.save(update_fields=["window_start", "window_end"])
    previous = (
        feed.runs.filter(status__in=[RunStatus.PARTIAL, RunStatus.SUCCEEDED])
        .exclude(pk=run.pk)
        .order_by("-finished_at")
        .first()
    )
    retry = []
    if previous is not None:
        retry = [*previous.missing_pmids, *(e["pmid"] for e in previous.errors if e.get("pmid"))]
    requests_before = client.requests_made
    try:
        _sync(
            run=run,
            client=client,
            query=feed.query,
            since=since.date() if since else None,
            until=until.date(),
            retry_pmids=retry,
        )
    except PubmedError as exc:
        run.requests = client.requests_made - requests_before
        if final_attempt:
            run_finish(run=run, error=str(exc))
        else:
            run.status = RunStatus.QUEUED
            run.error = f"Will retry: {exc}"
            run.save(update_fields=["status", "error", "requests"])
        raise
    run.requests = client.requests_made - requests_before
    run.error = ""
    run_finish(run=run)
    Feed.objects.filter(pk=feed.pk).update(synced_until=until, last_success_at=timezone.now())
    return run


# --- Tagging -------------------------------------------------------------------------


@dataclass
class TaggingResult:
    papers: int = 0
    papers_changed: int = 0
    suggested: int = 0
    revised: int = 0
    withdrawn: int = 0


@dataclass
class _TagWrites:
    """Row changes for a chunk of papers, written in bulk."""

    papers: list[Paper] = field(default_factory=list)
    facets_new: list[PaperFacet] = field(default_factory=list)
    facets_changed: list[PaperFacet] = field(default_factory=list)
    facets_gone: list[int] = field(default_factory=list)
    tags_new: list[Tag] = field(default_factory=list)
    tags_changed: list[Tag] = field(default_factory=list)
    tags_gone: list[int] = field(default_factory=list)
    events: list[TagEvent] = field(default_factory=list)

    def save(self) -> None:
        if self.facets_gone:
            PaperFacet.objects.filter(pk__in=self.facets_gone).delete()
        if self.tags_gone:
            # Re-check the status in the DELETE itself: a curator may have decided meanwhile.
            Tag.objects.filter(
                pk__in=self.tags_gone, source=TagSource.AUTO, status=TagStatus.SUGGESTED
            ).delete()
        PaperFacet.objects.bulk_create(self.facets_new)
        PaperFacet.objects.bulk_update(self.facets_changed, ["evidence", "tagger_version"])
        # A curator adding the same mechanism meanwhile wins over the suggestion.
        Tag.objects.bulk_create(self.tags_new, ignore_conflicts=True)
        Tag.objects.bulk_update(
            self.tags_changed, ["score", "evidence", "tagger_version", "updated_at"]
        )
        TagEvent.objects.bulk_create(self.events)
        Paper.objects.bulk_update(
            self.papers, ["is_relevant", "relevance_score", "tagger_version", "updated_at"]
        )


def _evidence_json(evidence: Iterable) -> list[dict]:
    return [
        {"sentence": e.sentence, "start": e.start, "end": e.end, "field": e.field} for e in evidence
    ]


def _tag_event(paper: Paper, mechanism: Mechanism, action: str, now: dt.datetime) -> TagEvent:
    return TagEvent(
        paper=paper,
        mechanism=mechanism,
        action=action,
        from_status="" if action == TagAction.SUGGESTED else TagStatus.SUGGESTED,
        to_status="" if action == TagAction.WITHDRAWN else TagStatus.SUGGESTED,
        tagger_version=tagger.TAGGER_VERSION,
        created_at=now,
    )


def _plan_tagging(
    paper: Paper,
    outcome: tagger.TagResult,
    *,
    mechanisms: dict[str, Mechanism],
    now: dt.datetime,
    writes: _TagWrites,
    counts: TaggingResult,
) -> bool:
    """Plan the writes one tagger outcome needs; curator decisions are never touched.

    Return whether anything about the paper changes.
    """
    version = tagger.TAGGER_VERSION
    changed = False

    relevance = (outcome.relevant, round(outcome.relevance_score, 4), version)
    if (paper.is_relevant, paper.relevance_score, paper.tagger_version) != relevance:
        paper.is_relevant, paper.relevance_score, paper.tagger_version = relevance
        changed = True

    wanted_facets = {
        (kind, hit.value): _evidence_json(hit.evidence)
        for kind, hits in (
            (FacetKind.CELL_SOURCE, outcome.cell_sources),
            (FacetKind.MODEL, outcome.models),
            (FacetKind.AGENT, outcome.inducing_agents),
        )
        for hit in hits
    }
    current_facets = {(f.kind, f.value): f for f in paper.facets.all()}
    for key, facet in current_facets.items():
        if key not in wanted_facets:
            writes.facets_gone.append(facet.pk)
            changed = True
    for (kind, value), evidence in wanted_facets.items():
        facet = current_facets.get((kind, value))
        if facet is None:
            writes.facets_new.append(
                PaperFacet(
                    paper=paper, kind=kind, value=value, evidence=evidence, tagger_version=version
                )
            )
            changed = True
        elif facet.evidence != evidence or facet.tagger_version != version:
            facet.evidence, facet.tagger_version = evidence, version
            writes.facets_changed.append(facet)
            changed = True

    hits = {hit.slug: hit for hit in outcome.mechanisms if hit.slug in mechanisms}
    current_tags = {t.mechanism.slug: t for t in paper.tags.all()}
    for slug, tag in current_tags.items():
        if tag.is_decided or slug in hits:
            continue
        writes.tags_gone.append(tag.pk)
        writes.events.append(_tag_event(paper, tag.mechanism, TagAction.WITHDRAWN, now))
        counts.withdrawn += 1
        changed = True
    for slug, hit in hits.items():
        evidence = _evidence_json(hit.evidence)
        score = round(hit.score, 4)
        tag = current_tags.get(slug)
        if tag is None:
            writes.tags_new.append(
                Tag(
                    paper=paper,
                    mechanism=mechanisms[slug],
                    source=TagSource.AUTO,
                    status=TagStatus.SUGGESTED,
                    score=score,
                    evidence=evidence,
                    tagger_version=version,
                    created_at=now,
                    updated_at=now,
                )
            )
            writes.events.append(_tag_event(paper, mechanisms[slug], TagAction.SUGGESTED, now))
            counts.suggested += 1
            changed = True
        elif not tag.is_decided and (
            tag.score != score or tag.evidence != evidence or tag.tagger_version != version
        ):
            tag.score, tag.evidence, tag.tagger_version, tag.updated_at = (
                score,
                evidence,
                version,
                now,
            )
            writes.tags_changed.append(tag)
            writes.events.append(_tag_event(paper, tag.mechanism, TagAction.REVISED, now))
            counts.revised += 1
            changed = True
    if changed:
        paper.updated_at = now
        writes.papers.append(paper)
    return changed


def papers_tag(*, paper_ids: Sequence[int], chunk_size: int = 500) -> TaggingResult:
    """Tag papers with the current tagger; only auto-suggested tags ever change.

    Curator tags and decided tags (confirmed or rejected) are left exactly as they are,
    and a second run over the same papers writes nothing.
    """
    mechanisms = {m.slug: m for m in Mechanism.objects.all()}
    counts = TaggingResult()
    for start in range(0, len(paper_ids), chunk_size):
        chunk = paper_ids[start : start + chunk_size]
        papers = (
            Paper.objects.filter(pk__in=chunk)
            .only("pk", "title", "abstract", "is_relevant", "relevance_score", "tagger_version")
            .prefetch_related(
                "facets", Prefetch("tags", queryset=Tag.objects.select_related("mechanism"))
            )
        )
        writes = _TagWrites()
        now = timezone.now()
        for paper in papers:
            outcome = tagger.tag(title=paper.title, abstract=paper.abstract)
            counts.papers += 1
            if _plan_tagging(
                paper, outcome, mechanisms=mechanisms, now=now, writes=writes, counts=counts
            ):
                counts.papers_changed += 1
        with transaction.atomic():
            writes.save()
    return counts


def paper_ids_to_tag(*, everything: bool = False, pmids: Sequence[int] = ()) -> list[int]:
    """Return ids of papers to tag: these PMIDs, every paper, or those an older tagger saw."""
    papers = Paper.objects.active()
    if pmids:
        papers = papers.filter(pmid__in=pmids)
    elif not everything:
        papers = papers.exclude(tagger_version=tagger.TAGGER_VERSION)
    return list(papers.order_by("pk").values_list("pk", flat=True))


# --- Curator decisions --------------------------------------------------------------


class DecisionAction(models.TextChoices):
    CONFIRM = "confirm", "confirm"
    REJECT = "reject", "reject"
    ADD = "add", "add"


def tag_decide(*, paper: Paper, mechanism: Mechanism, action: str, user, comment: str = "") -> Tag:
    """Record a curator's decision on a paper's mechanism; the tagger never overrides it.

    Confirming or adding creates a curator tag when none exists; rejecting a mechanism the
    tagger never suggested records the rejection too, so a later tagger version cannot add it.
    """
    now = timezone.now()
    to_status = TagStatus.REJECTED if action == DecisionAction.REJECT else TagStatus.CONFIRMED
    with transaction.atomic():
        tag = Tag.objects.select_for_update().filter(paper=paper, mechanism=mechanism).first()
        from_status = tag.status if tag else ""
        if tag is None:
            tag = Tag(
                paper=paper,
                mechanism=mechanism,
                source=TagSource.CURATOR,
                created_at=now,
            )
        tag.status = to_status
        tag.decided_by = user
        tag.decided_at = now
        tag.comment = comment
        tag.updated_at = now
        tag.save()
        if action == DecisionAction.ADD and not from_status:
            event_action = TagAction.ADDED
        else:
            event_action = (
                TagAction.REJECTED if to_status == TagStatus.REJECTED else TagAction.CONFIRMED
            )
        TagEvent.objects.create(
            paper=paper,
            mechanism=mechanism,
            action=event_action,
            from_status=from_status,
            to_status=to_status,
            user=user,
            comment=comment,
            created_at=now,
        )
        Paper.objects.filter(pk=paper.pk).update(updated_at=now)
    return tag
