"""A parsed record as the rows the importer writes: the mapping, its fingerprint, COPY text.

Nothing here imports Django, so the processes that parse a large file in parallel
(``curation.parallel``) prepare records exactly as the importer does in its own process.
``services`` adds what only the database knows (ids, the journal's row, timestamps).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from curation.records import Journal, PaperRecord

# Part of every fingerprint: bumped when the mapping from records to rows changes, so that
# every paper is rewritten once. 2: the fingerprint is taken of the rows, not the record.
MAPPING_VERSION = "2"

# The paper columns a record fills, in the order of ``PreparedRecord.values``.
CONTENT_COLUMNS = (
    "doi",
    "pmcid",
    "pii",
    "title",
    "title_html",
    "vernacular_title",
    "abstract",
    "abstract_sections",
    "copyright",
    "volume",
    "issue",
    "pages",
    "elocation_id",
    "pub_year",
    "pub_month",
    "pub_day",
    "pub_season",
    "medline_date",
    "pub_date",
    "pub_date_precision",
    "article_date",
    "languages",
    "mesh_headings",
    "keywords",
    "comments_corrections",
    "is_retracted",
    "status",
    "date_completed",
    "date_revised",
    "entrez_date",
    "index_terms",
    # Last: the fingerprint covers every column before these three.
    "source_format",
    "source",
    "content_hash",
)
JSON_COLUMNS = frozenset(
    {"abstract_sections", "languages", "mesh_headings", "keywords", "comments_corrections"}
)
DATE_COLUMNS = frozenset(
    {"pub_date", "article_date", "date_completed", "date_revised", "entrez_date"}
)
JOURNAL_FIELDS = tuple(f.name for f in dataclasses.fields(Journal))
# An author row after its paper id, in this order.
AUTHOR_COLUMNS = (
    "position",
    "last_name",
    "fore_name",
    "initials",
    "suffix",
    "collective_name",
    "orcid",
    "affiliations",
)


@dataclass(frozen=True, slots=True)
class RowSpec:
    """What preparing a record needs to know about the database's columns.

    ``limits`` are (column, max length, label) of the paper's length-limited columns; with
    ``as_text`` a record is prepared as COPY text (PostgreSQL), else as driver values.
    """

    limits: tuple[tuple[str, int, str], ...] = ()
    as_text: bool = True


class PreparedRecord(NamedTuple):
    """A record mapped onto its paper and author rows, ready to be written.

    ``values`` are driver-ready values in ``CONTENT_COLUMNS`` order and ``authors`` rows in
    ``AUTHOR_COLUMNS`` order; prepared as text, ``text`` and ``author_lines`` hold the same
    as COPY fields joined by tabs, UTF-8 encoded (what the driver sends, and what crosses
    from a parsing process for the least), and ``values`` and ``authors`` are empty.
    ``journal`` holds the journal's ``JOURNAL_FIELDS``. ``problem`` says why the paper row
    would not fit its columns ("" when it fits). A tuple: it crosses between processes
    thousands of times a second.
    """

    pmid: int
    content_hash: str
    date_revised: dt.date | None
    journal_key: str
    journal: tuple[str, ...]
    publication_types: tuple[str, ...]
    source_chars: int
    problem: str = ""
    values: tuple = ()
    authors: tuple[tuple, ...] = ()
    text: bytes = b""
    author_lines: tuple[bytes, ...] = ()


def _journal_values(journal: Journal) -> tuple[str, ...]:
    return tuple([getattr(journal, name) for name in JOURNAL_FIELDS])


def index_terms(record: PaperRecord) -> str:
    """Return the keywords and MeSH terms a paper is found by, besides its title and abstract."""
    terms = list(record.keywords)
    for heading in record.mesh_headings:
        terms.append(heading.descriptor)
        terms.extend(qualifier.name for qualifier in heading.qualifiers)
    return "; ".join(terms)


def paper_content(record: PaperRecord) -> dict:
    """Return the paper columns a record fills, but its fingerprint, as Python values.

    In ``CONTENT_COLUMNS`` order: ``_driver_row`` relies on it.
    """
    date = record.pub_date
    return {
        "doi": record.doi,
        "pmcid": record.pmcid,
        "pii": record.pii,
        "title": record.title,
        "title_html": record.title_html,
        "vernacular_title": record.vernacular_title,
        "abstract": record.abstract,
        "abstract_sections": [
            {"label": s.label, "category": s.category, "text": s.text, "html": s.html}
            for s in record.abstract_sections
        ],
        "copyright": record.copyright,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "elocation_id": record.elocation_id,
        "pub_year": date.year,
        "pub_month": date.month,
        "pub_day": date.day,
        "pub_season": date.season,
        "medline_date": date.medline_date,
        "pub_date": date.as_date(),
        "pub_date_precision": date.precision,
        "article_date": record.article_date,
        "languages": list(record.languages),
        "mesh_headings": [
            {
                "descriptor": h.descriptor,
                "ui": h.ui,
                "major_topic": h.major_topic,
                "qualifiers": [
                    {"name": q.name, "ui": q.ui, "major_topic": q.major_topic} for q in h.qualifiers
                ],
            }
            for h in record.mesh_headings
        ],
        "keywords": list(record.keywords),
        "comments_corrections": [
            {"ref_type": c.ref_type, "pmid": c.pmid, "source": c.source}
            for c in record.comments_corrections
        ],
        "is_retracted": record.is_retracted,
        "status": record.status,
        "date_completed": record.date_completed,
        "date_revised": record.date_revised,
        "entrez_date": record.entrez_date,
        "index_terms": index_terms(record),
        "source_format": record.source_format,
        "source": record.source,
    }


# Where the JSON and date columns are among those ``paper_content`` returns.
_JSON_AT = tuple(n for n, column in enumerate(CONTENT_COLUMNS) if column in JSON_COLUMNS)
_DATES_AT = tuple(n for n, column in enumerate(CONTENT_COLUMNS) if column in DATE_COLUMNS)


def _driver_row(values: dict) -> list:
    """Return ``paper_content``'s values as both drivers and COPY take them: JSON and dates
    as text. The dict is in ``CONTENT_COLUMNS`` order (the hot loop: no lookups by name).
    """
    row = list(values.values())
    for n in _JSON_AT:
        row[n] = json.dumps(row[n]) if row[n] else "[]"
    for n in _DATES_AT:
        if row[n] is not None:
            row[n] = row[n].isoformat()
    return row


def too_long(values: dict, limits: Sequence[tuple[str, int, str]]) -> str:
    """Return why a row of ``values`` would not fit its columns, or "" when it fits."""
    for column, limit, label in limits:
        value = values.get(column)
        if isinstance(value, str) and len(value) > limit:
            return f"{label} is {len(value)} characters long (limit {limit})"
    return ""


def author_rows(record: PaperRecord) -> tuple[tuple, ...]:
    """Return the record's author rows (``AUTHOR_COLUMNS``): those that name someone."""
    return tuple(
        (
            position,
            author.last_name,
            author.fore_name,
            author.initials,
            author.suffix,
            author.collective_name,
            author.orcid,
            json.dumps(list(author.affiliations)) if author.affiliations else "[]",
        )
        for position, author in enumerate(record.authors)
        if author.last_name or author.collective_name
    )


def fingerprint(fields: bytes, author_lines: Sequence[bytes], record: PaperRecord) -> str:
    """Return the fingerprint of what a record writes, whatever the layout of its source.

    ``fields`` are its paper columns before ``source_format`` as COPY text: any change
    to what a paper, its authors, journal or publication types would store changes it.
    """
    digest = hashlib.sha256(f"{MAPPING_VERSION}\n".encode())
    digest.update(fields)
    digest.update(b"\n")
    digest.update(b"\n".join(author_lines))
    digest.update(f"\n{record.journal!r}\n{record.publication_types!r}".encode())
    return digest.hexdigest()


def prepare(record: PaperRecord, spec: RowSpec) -> PreparedRecord:
    """Return ``record`` mapped onto its rows, as ``spec`` asks."""
    try:
        values = paper_content(record)
    except ValueError as exc:  # a date no calendar has: the parser never makes one
        return PreparedRecord(
            pmid=record.pmid,
            content_hash="",
            date_revised=record.date_revised,
            journal_key=record.journal.key,
            journal=_journal_values(record.journal),
            publication_types=(),
            source_chars=len(record.source),
            problem=f"the record cannot be stored: {exc}",
        )
    row = _driver_row(values)[:-2]  # up to source_format
    fields = copy_fields(row).encode()
    authors = author_rows(record)
    author_lines = tuple([copy_fields(author).encode() for author in authors])
    content_hash = fingerprint(fields, author_lines, record)
    values["content_hash"] = content_hash
    tail = (record.source_format, record.source, content_hash)
    if spec.as_text:
        forms = {
            "text": b"%b\t%b" % (fields, copy_fields(tail).encode()),
            "author_lines": author_lines,
        }
    else:
        forms = {"values": (*row, *tail), "authors": authors}
    return PreparedRecord(
        pmid=record.pmid,
        content_hash=content_hash,
        date_revised=record.date_revised,
        journal_key=record.journal.key,
        journal=_journal_values(record.journal),
        publication_types=tuple(dict.fromkeys(record.publication_types)),
        source_chars=len(record.source),
        problem=too_long(values, spec.limits),
        **forms,
    )


def copy_text(value: object) -> str:
    """Return ``value`` as a field of COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    for char, escaped in (("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        if char in text:
            text = text.replace(char, escaped)
    return text


def copy_line(row: Sequence) -> bytes:
    """Return ``row`` as one line of COPY's text format, UTF-8 encoded."""
    return (copy_fields(row) + "\n").encode()


def copy_fields(row: Sequence) -> str:
    """Return ``row`` as the fields of one line of COPY's text format, without the newline."""
    # Most values are text with nothing to escape: they skip the call (the hot loop).
    return "\t".join(
        [
            value
            if value.__class__ is str and value.isprintable() and "\\" not in value
            else copy_text(value)
            for value in row
        ]
    )
