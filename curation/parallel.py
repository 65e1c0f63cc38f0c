"""Parse a large PubMed XML file in several processes, handing records over prepared.

Reading a record (lxml, then Python for every field) and preparing its rows cost the
importer more than PostgreSQL's work on them, and in one process they all share one
interpreter lock. Here the importing process only cuts the file into pieces of whole
records: a ``PubmedArticleSet`` or ``MedlineCitationSet`` is a flat list of top-level
elements, so it can be cut after any of their end tags (``</PubmedArticle>``...) with a
byte search, no XML parse. Each piece, wrapped in the file's own prolog and root element,
is parsed and prepared (``curation.rows``) by a worker process started fresh ("spawn":
nothing of Django or of the importer's database connections is inherited), and the
results come back in file order, so an import behaves exactly as a serial one: later
records win, a fault keeps every record before it and reports the file's own line and
record number.

A file this cutting does not recognise (a prolog with comments or an internal DTD
subset, another root, MEDLINE text) is read serially by ``parser.parse_file``.
Nothing here imports Django.
"""

from __future__ import annotations

import dataclasses
import gzip
import multiprocessing
import multiprocessing.connection
import os
import re
import threading
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from curation import parser
from curation.records import (
    Deletion,
    MalformedSourceError,
    MalformedXMLError,
    PaperRecord,
    RecordError,
)
from curation.rows import PreparedRecord, RowSpec, prepare

# Bytes of XML per piece: some 100 efetch articles or 300 MEDLINE citations.
PIECE_BYTES = 1 << 20
# A file smaller than this is read serially: starting the workers would cost more.
MIN_FILE_BYTES = 4 << 20
# Where the prolog and root tag must be found (PubMed's take some 250 bytes).
_HEAD_BYTES = 4096

# The XML declaration, a DOCTYPE naming an external DTD at most, then the root's start tag.
_PROLOG = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>\s*)?"
    rb'(?:<!DOCTYPE\s+[\w.-]+(?:\s+(?:PUBLIC\s+"[^"<>]*"\s+"[^"<>]*"|SYSTEM\s+"[^"<>]*"))?\s*>\s*)?'
    rb"<(PubmedArticleSet|MedlineCitationSet)(?:\s[^<>]*)?>"
)
# End tags after which a set can be cut: those of its top-level elements.
_RECORD_ENDS = {
    b"PubmedArticleSet": (b"</PubmedArticle>", b"</PubmedBookArticle>", b"</DeleteCitation>"),
    b"MedlineCitationSet": (b"</MedlineCitation>", b"</DeleteCitation>"),
}

Item = PreparedRecord | Deletion | RecordError


def _pieces(stream, head: bytes, piece_bytes: int) -> Iterator[tuple[bytes, bool]]:
    """Cut the set read from ``stream`` into pieces of whole records (the prolog left off).

    ``head`` is what was read so far: the prolog and root tag (``_PROLOG``), and more.
    Yield each piece and whether it is the last. Every piece but the last ends with a
    record's end tag; the last holds the rest: the root's end tag, or whatever the file
    ends with. Damaged gzip data raises after the records read before the damage.
    """
    match = _PROLOG.match(head)
    assert match is not None
    ends = _RECORD_ENDS[match.group(1)]
    buffer = head[match.end() :]
    while True:
        try:
            block = stream.read(piece_bytes)
        except (EOFError, zlib.error, gzip.BadGzipFile):
            if cut := _after_last(buffer, ends):
                yield buffer[:cut], False
            raise
        if not block:
            yield buffer, True
            return
        buffer += block
        if cut := _after_last(buffer, ends):  # else no record ends in it yet: read on
            yield buffer[:cut], False
            buffer = buffer[cut:]


# How far from the end of what was read the last record's end tag is looked for first.
_TAIL_BYTES = 1 << 18


def _after_last(buffer: bytes, ends: tuple[bytes, ...]) -> int:
    """Return the offset just after the last of the end tags ``ends`` in ``buffer``, or 0."""
    # Records are far shorter than _TAIL_BYTES: a search of the tail finds the last one.
    for start in (max(len(buffer) - _TAIL_BYTES, 0), 0):
        cut = 0
        for end in ends:
            at = buffer.rfind(end, start)
            if at >= 0:
                cut = max(cut, at + len(end))
        if cut or start == 0:
            return cut
    return 0


# Set in each worker by ``_start_worker``.
_SPEC = RowSpec()
_HEADER = b""
_ENDS: tuple[bytes, ...] = ()
_CLOSING = b""


def _start_worker(spec: RowSpec, header: bytes) -> None:
    global _SPEC, _HEADER, _ENDS, _CLOSING
    # A worker outlives an importer killed outright (SIGKILL), waiting for work forever:
    # it leaves as soon as its parent is gone.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_leave_with, args=(parent.sentinel,), daemon=True).start()
    root = _PROLOG.match(header).group(1)  # type: ignore[union-attr]
    _SPEC, _HEADER, _ENDS, _CLOSING = spec, header, _RECORD_ENDS[root], b"</" + root + b">"


def _leave_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _prepare_piece(
    piece: bytes, last: bool
) -> tuple[list[Item], MalformedSourceError | None, int, int]:
    """Parse and prepare one piece as a document of its own.

    Return its items (positions counted from the piece's first record), the fault that
    ended it (None), and how many top-level elements and lines it holds: the importing
    process adds those of the pieces before it to positions and faults.
    """
    items: list[Item] = []
    fault = None
    document = _HEADER + piece + (b"" if last else _CLOSING)
    try:
        for item in parser.parse_pubmed_document(document):
            items.append(prepare(item, _SPEC) if isinstance(item, PaperRecord) else item)
    except MalformedSourceError as exc:
        fault = exc
    return items, fault, sum(piece.count(end) for end in _ENDS), piece.count(b"\n")


_RECORD_POSITION = re.compile(r"record (\d+)")


def _placed(item: Item, records_before: int) -> Item:
    """Return ``item`` with its position ("record N") counted from the start of the file."""
    if isinstance(item, RecordError) and (match := _RECORD_POSITION.fullmatch(item.position)):
        return dataclasses.replace(item, position=f"record {int(match[1]) + records_before}")
    return item


def splittable(path: str | Path) -> bool:
    """Return whether ``path`` is PubMed XML that ``parse_file_prepared`` can cut up."""
    try:
        with parser.open_binary(path) as stream:
            return _PROLOG.match(stream.read(_HEAD_BYTES)) is not None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        return False


def parse_file_prepared(
    path: str | Path, *, spec: RowSpec, workers: int, piece_bytes: int | None = None
) -> Iterator[Item]:
    """Yield the items of the PubMed XML file ``path``, records prepared, in file order.

    ``workers`` processes parse it (``splittable(path)`` must be true). Raise
    MalformedSourceError naming the file, after the items before the fault, as
    ``parser.parse_file`` does; OSError when a worker process dies.
    """
    path = Path(path)
    with parser.open_binary(path) as stream:
        head = stream.read(_HEAD_BYTES)
        match = _PROLOG.match(head)
        if match is None:
            raise ValueError(f"{path} cannot be cut into pieces: check splittable() first")
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(spec, head[: match.end()]),
        )
        pending: deque[Future] = deque()
        records_before = lines_before = 0

        def take() -> Iterator[Item]:
            nonlocal records_before, lines_before
            try:
                items, fault, records, lines = pending.popleft().result()
            except BrokenProcessPool as exc:
                raise OSError(f"{path}: a parsing process stopped ({exc})") from exc
            for item in items:
                yield _placed(item, records_before)
            if isinstance(fault, MalformedXMLError):
                fault = fault.shifted(lines=lines_before, records=records_before)
            if fault is not None:
                raise MalformedSourceError(f"{path}: {fault}") from fault
            records_before += records
            lines_before += lines

        try:
            try:
                for piece, last in _pieces(stream, head, piece_bytes or PIECE_BYTES):
                    pending.append(pool.submit(_prepare_piece, piece, last))
                    # A piece a worker in flight, and one more: memory stays flat.
                    while len(pending) > workers + 1:
                        yield from take()
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                # Damaged gzip data: the pieces before the damage still count.
                while pending:
                    yield from take()
                raise MalformedSourceError(f"{path}: the gzip data is damaged ({exc})") from exc
            while pending:
                yield from take()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
