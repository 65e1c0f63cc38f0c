"""Reads for curation: paper lists, full-text search, facet counts and the paper page."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict

from curation import records
from curation.facets import facet_label
from curation.models import (
    Author,
    FacetKind,
    Feed,
    Journal,
    Mechanism,
    Paper,
    PaperFacet,
    Tag,
    TagStatus,
    author_record,
    pub_date_order,
)

_TERM = re.compile(r'(-?)"([^"]+)"|(\S+)')
_OPERATORS = {"OR", "AND", "NOT"}


def _query_terms(q: str) -> list[tuple[str, bool]]:
    """Split a query into (term, excluded) pairs: words and "quoted phrases", no operators."""
    terms = []
    for negated_phrase, phrase, word in _TERM.findall(q):
        if phrase:
            term, excluded = phrase.strip(), bool(negated_phrase)
        else:
            if word.upper() in _OPERATORS or word in {"-", "|"}:
                continue
            term, excluded = word.lstrip("-"), word.startswith("-")
        if term:
            terms.append((term, excluded))
    return terms


def search_terms(q: str) -> list[str]:
    """Split a query into words and "quoted phrases", dropping search operators."""
    return [term for term, _ in _query_terms(q)]


def paper_search(papers: QuerySet[Paper], q: str) -> QuerySet[Paper]:
    """Filter papers by a free-text query over title, abstract, keywords and MeSH terms.

    PostgreSQL uses the weighted tsvector (GIN index) with web-search syntax ("quoted
    phrases", OR, -exclusions) and defines ``rank`` for ordering by relevance; SQLite falls
    back to every term appearing somewhere, case-insensitively (and no ``-excluded`` one),
    with a constant rank. ``rank`` is an alias, not a selected column: ranking reads every
    match's vector, which only an order by relevance needs.
    """
    q = q.strip()
    if not q:
        return papers
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(q, search_type="websearch", config="english")
        # F(): rank the stored, weighted vector. A bare field name would make SearchRank
        # rebuild a vector from its text for every match (slow, and without the weights).
        return papers.filter(search_vector=query).alias(
            rank=SearchRank(F("search_vector"), query, normalization=32)
        )
    from django.db.models import FloatField, Value

    for term, excluded in _query_terms(q):
        anywhere = (
            Q(title__icontains=term) | Q(abstract__icontains=term) | Q(index_terms__icontains=term)
        )
        papers = papers.exclude(anywhere) if excluded else papers.filter(anywhere)
    return papers.alias(rank=Value(1.0, output_field=FloatField()))


# Columns no API answer or export shows: the raw record, and what search works from.
API_DEFERRED = ("source", "search_vector", "index_terms", "content_hash")


def paper_relations() -> list[Prefetch]:
    """Return prefetches of what a paper page shows, into the lists ``Paper.author_list()``
    etc. read: one query per relation, and no related manager per paper.
    """
    return [
        Prefetch(
            "authors", queryset=Author.objects.order_by("position"), to_attr="prefetched_authors"
        ),
        Prefetch("publication_types", to_attr="prefetched_publication_types"),
        Prefetch("facets", to_attr="prefetched_facets"),
    ]


def paper_list(*, q: str = "") -> QuerySet[Paper]:
    """Return active papers as API answers and exports read them, optionally searched.

    The raw source record and the search columns, which no answer shows, stay in the
    database. Tags, authors, publication types and facets are read for the papers of a
    page once it is cut (``attach_relations``, ``attach_tags``).
    """
    papers = Paper.objects.active().defer(*API_DEFERRED).select_related("journal")
    return paper_search(papers, q)


class AuthorRow(NamedTuple):
    """An author as answers and exports read one: plain values, not a model instance.

    A page of 100 papers has some 700 authors, an export of 1,000 some 7,000: building a
    model instance for each cost more than the query.
    """

    last_name: str
    fore_name: str
    initials: str
    suffix: str
    collective_name: str
    orcid: str
    affiliations: list[str]

    def __str__(self) -> str:
        return Author.__str__(self)

    def to_record(self) -> records.Author:
        return author_record(self)


class PublicationTypeRow(NamedTuple):
    name: str


class MechanismRow(NamedTuple):
    slug: str
    name: str


class UserRow(NamedTuple):
    username: str

    def get_username(self) -> str:
        return self.username


class ShownTag(NamedTuple):
    """A tag as a result in the list shows it: its mechanism and status, nothing more."""

    mechanism: MechanismRow
    status: str


class TagRow(NamedTuple):
    """A tag as answers and exports read one, with its mechanism and curator as rows."""

    mechanism: MechanismRow
    status: str
    source: str
    score: float | None
    evidence: list[dict]
    tagger_version: str
    comment: str
    decided_by: UserRow | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class FacetRow(NamedTuple):
    kind: str
    value: str
    evidence: list[dict]


def author_rows(
    paper_ids: Sequence[int], *, affiliations: bool = True
) -> dict[int, list[AuthorRow]]:
    """Return each paper's authors in order, one query. Without ``affiliations`` (formats
    that do not show them) they come empty: decoding 7,000 JSON lists is a tenth of an
    export.
    """
    authors: dict[int, list[AuthorRow]] = defaultdict(list)
    rows = (
        Author.objects.filter(paper_id__in=paper_ids)
        .order_by("paper_id", "position")
        .values_list(
            "paper_id",
            "last_name",
            "fore_name",
            "initials",
            "suffix",
            "collective_name",
            "orcid",
            *(["affiliations"] if affiliations else []),
        )
    )
    for paper_id, *values in rows:
        authors[paper_id].append(AuthorRow(*values) if affiliations else AuthorRow(*values, []))
    return authors


def publication_type_names(paper_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return each paper's publication types by name, in name order, one query."""
    names: dict[int, list[str]] = defaultdict(list)
    links = Paper.publication_types.through.objects.filter(paper_id__in=paper_ids)
    for paper_id, name in links.order_by("paper_id", "publicationtype__name").values_list(
        "paper_id", "publicationtype__name"
    ):
        names[paper_id].append(name)
    return names


def tag_rows(paper_ids: Sequence[int]) -> dict[int, list[TagRow]]:
    """Return each paper's tags as plain rows (``TagRow``), in the order of Tag's Meta: one
    query, and no model instances (a page of 100 papers built some 200 for its tags and
    their mechanisms).
    """
    username = f"decided_by__{get_user_model().USERNAME_FIELD}"
    rows = Tag.objects.filter(paper_id__in=paper_ids).order_by("paper_id", *Tag._meta.ordering)
    rows = rows.values_list(
        "paper_id",
        "mechanism__slug",
        "mechanism__name",
        "status",
        "source",
        "score",
        "evidence",
        "tagger_version",
        "comment",
        username,
        "decided_at",
        "created_at",
        "updated_at",
    )
    tags: dict[int, list[TagRow]] = defaultdict(list)
    # ``values``: status, source, score, evidence, tagger_version, comment, in TagRow's order;
    # a tag no curator decided joins no user, so its curator's name is None.
    for paper_id, slug, name, *values, curator, decided, created, updated in rows:
        decided_by = None if curator is None else UserRow(curator)
        tags[paper_id].append(
            TagRow(MechanismRow(slug, name), *values, decided_by, decided, created, updated)
        )
    return tags


def facet_rows(paper_ids: Sequence[int], *, kinds: Sequence[str] = ()) -> dict[int, list[FacetRow]]:
    """Return each paper's facets (of ``kinds``, or all) as plain rows, one query."""
    rows = PaperFacet.objects.filter(paper_id__in=paper_ids)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    found: dict[int, list[FacetRow]] = defaultdict(list)
    for paper_id, kind, value, evidence in rows.order_by("paper_id", "kind", "value").values_list(
        "paper_id", "kind", "value", "evidence"
    ):
        found[paper_id].append(FacetRow(kind, value, evidence))
    return found


def attach_tags(papers: Sequence[Paper]) -> None:
    """Give ``papers`` their tags as plain rows, into the list ``Paper.tag_list()`` reads."""
    tags = tag_rows([paper.pk for paper in papers])
    for paper in papers:
        paper.prefetched_tags = tags.get(paper.pk, [])


def attach_relations(papers: Sequence[Paper]) -> None:
    """Give ``papers`` their tags, authors, publication types and facets as plain rows,
    into the lists ``Paper.tag_list()``, ``Paper.author_list()`` etc. read: one query each.
    """
    attach_tags(papers)
    ids = [paper.pk for paper in papers]
    authors = author_rows(ids)
    types = publication_type_names(ids)
    found = facet_rows(ids)
    for paper in papers:
        paper.prefetched_authors = authors.get(paper.pk, [])
        paper.prefetched_publication_types = [
            PublicationTypeRow(name) for name in types.get(paper.pk, ())
        ]
        paper.prefetched_facets = found.get(paper.pk, [])


def paper_records(
    papers: Sequence[Paper], *, affiliations: bool = True
) -> Iterator[records.PaperRecord]:
    """Return the records of ``papers`` for an export, built as they are iterated.

    Authors and publication types are read at once, one query each, as plain values
    (``author_rows``, ``publication_type_names``).
    """
    ids = [paper.pk for paper in papers]
    authors = author_rows(ids, affiliations=affiliations)
    types = publication_type_names(ids)
    return (
        paper.to_record(
            authors=tuple(author.to_record() for author in authors.get(paper.pk, ())),
            publication_types=tuple(types.get(paper.pk, ())),
        )
        for paper in papers
    )


def feeds_with_last_run_id() -> QuerySet[Feed]:
    """Return feeds annotated with ``last_run_id``, the id of each one's newest run."""
    return Feed.objects.annotate(last_run_id=Max("runs__id")).order_by("name")


# --- The paper list: filters, sorting and facet counts -------------------------------------

SORTS = ("relevance", "newest", "oldest")
# Parameters a facet drives; a facet's counts ignore its own parameters, so choosing one
# value still shows what the others would give (the other facets' filters all apply).
FACET_PARAMETERS: dict[str, tuple[str, ...]] = {
    "mechanism": (),  # every chosen mechanism must apply, so its counts use the full filter
    "tag_status": ("tag_status",),
    "cell_source": ("cell_source",),
    "model": ("model",),
    "year": ("year_min", "year_max"),
    "journal": ("journal",),
    "publication_type": ("publication_type",),
    "retracted": ("retracted",),
}
# Without tag_status, a mechanism counts when it is suggested or confirmed (as in PaperFilter).
DEFAULT_TAG_STATUSES = (TagStatus.SUGGESTED, TagStatus.CONFIRMED)
FACETS_CACHE_SECONDS = 300
FACETS_CACHE_VERSION = 1  # bump when the cached shape changes
JOURNAL_FACET_SIZE = 10
PUBLICATION_TYPE_FACET_SIZE = 12
TAG_STATUS_LABELS = {
    TagStatus.CONFIRMED: "Confirmed by a curator",
    TagStatus.SUGGESTED: "Suggested by the tagger",
    TagStatus.REJECTED: "Rejected by a curator",
}


@dataclass(frozen=True, slots=True)
class FacetOption:
    """One value of a facet: what the URL says, what the reader sees, how many papers."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(slots=True)
class Facet:
    """One facet of the paper list, named after its GET parameter."""

    name: str
    title: str
    options: list[FacetOption] = field(default_factory=list)
    multiple: bool = False  # several values may be chosen (repeated parameter)


@dataclass(slots=True)
class PaperBrowse:
    """What the paper list shows: papers in order, facets, and the filters' complaints."""

    papers: QuerySet[Paper]
    facets: dict[str, Facet]
    sort: str
    years: list[tuple[int, int]]  # (year, papers) over the list without its year filter
    total: int  # papers in the list
    errors: dict[str, list[str]] = field(default_factory=dict)


def _paper_filter(params: QueryDict, *, without: tuple[str, ...] = ()):
    # Imported here: curation.api.filters imports this module for paper_search.
    from curation.api.filters import PaperFilter

    if without:
        params = params.copy()
        for name in without:
            params.pop(name, None)
    return PaperFilter(params, queryset=Paper.objects.active())


def _values(params: Mapping, name: str) -> list[str]:
    raw = params.getlist(name) if hasattr(params, "getlist") else [params.get(name, "")]
    return [part.strip() for item in raw if item for part in item.split(",") if part.strip()]


def paper_list_sort(params: Mapping) -> str:
    """Return the list's sort: as asked when valid, else relevance for a search, else newest."""
    q = (params.get("q") or "").strip()
    sort = params.get("sort") or ""
    if sort not in SORTS or (sort == "relevance" and not q):
        sort = "relevance" if q else "newest"
    return sort


def _year_bounds_on_pub_date(papers: QuerySet[Paper], cleaned: Mapping) -> QuerySet[Paper]:
    """Repeat the year filter on the date order, which the date-ordered index can seek to.

    pub_date is the first day of the publication date, so it falls in pub_year: the
    results do not change (the pub_year filter still applies, and leaves undated papers
    out), but "oldest first from 2010" no longer walks every earlier paper in the index
    (PostgreSQL cannot tell that the two columns move together).
    """
    year_min, year_max = cleaned.get("year_min"), cleaned.get("year_max")
    bounded = papers.alias(date_order=pub_date_order())
    if year_min is not None and 1 <= year_min <= 9999:
        bounded = bounded.filter(date_order__gte=dt.date(int(year_min), 1, 1))
    if year_max is not None and 1 <= year_max < 9999:
        bounded = bounded.filter(date_order__lt=dt.date(int(year_max) + 1, 1, 1))
    return bounded


def _ordered(papers: QuerySet[Paper], sort: str) -> QuerySet[Paper]:
    if sort == "relevance":
        return papers.order_by("-rank", pub_date_order().desc(), "-pk")
    # The order of the paper_pub_date_idx index (and of the API), read forwards or
    # backwards, so a page is an index scan: undated papers come last newest-first.
    if sort == "oldest":
        return papers.order_by(pub_date_order().asc(), "pk")
    return papers.order_by(pub_date_order().desc(), "-pk")


# Columns a result never shows; the raw record and the tsvector are the bulk of a row.
LIST_DEFERRED = (
    "source",
    "search_vector",
    "abstract",
    "index_terms",
    "mesh_headings",
    "keywords",
    "comments_corrections",
    "copyright",
    "vernacular_title",
)


def _with_list_details(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """Add what a result shows from its own row and journal (``attach_list_details`` adds
    its authors, tags and facets once the page is cut).
    """
    return papers.defer(*LIST_DEFERRED).select_related("journal")


def attach_list_details(papers: Sequence[Paper]) -> None:
    """Give a page of results what each one shows, as plain rows, one query per relation
    whatever the page size: authors (``author_list()``), tags but the rejected ones
    (``shown_tags``), and cell sources and study models (``shown_facets``).
    """
    ids = [paper.pk for paper in papers]
    authors = author_rows(ids, affiliations=False)
    tags: dict[int, list[ShownTag]] = defaultdict(list)
    shown = (
        Tag.objects.filter(paper_id__in=ids)
        .exclude(status=TagStatus.REJECTED)
        .order_by("paper_id", *Tag._meta.ordering)
        .values_list("paper_id", "mechanism__slug", "mechanism__name", "status")
    )
    for paper_id, slug, name, status in shown:
        tags[paper_id].append(ShownTag(MechanismRow(slug, name), status))
    facets = facet_rows(ids, kinds=(FacetKind.CELL_SOURCE, FacetKind.MODEL))
    for paper in papers:
        paper.prefetched_authors = authors.get(paper.pk, [])
        paper.shown_tags = tags.get(paper.pk, [])
        paper.shown_facets = facets.get(paper.pk, [])


class _Bases:
    """The list filtered by all but some parameters, each distinct variant built once.

    A facet's counts ignore its own parameters; when the request does not set them, its
    base is the fully filtered list, which the other facets then share.

    On PostgreSQL each base the counts use is run once into a temporary table of its
    papers' (id, pub_year, is_retracted, journal_id): the counts then join that table
    instead of running the search and filters again each (a common word's search reads
    tens of thousands of rows). Use as a context manager: the tables go at the end.
    """

    def __init__(self, params: QueryDict, filtered: QuerySet[Paper]) -> None:
        self.params = params
        self._querysets: dict[tuple[str, ...], QuerySet[Paper]] = {(): filtered}
        self._tables: dict[tuple[str, ...], str] = {}
        self._materialize = connection.vendor == "postgresql"

    def __enter__(self) -> _Bases:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if not self._tables:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(self._tables.values())}")
        except DatabaseError:
            # A failed transaction cannot drop them; the error that failed it matters more
            # (and the tables go with the session).
            if exc_type is None:
                raise

    def key(self, facet: str) -> tuple[str, ...]:
        """Return the parameters of ``facet`` that this request sets."""
        return tuple(
            name
            for name in FACET_PARAMETERS[facet]
            if any(value.strip() for value in self.params.getlist(name))
        )

    def papers(self, key: tuple[str, ...]) -> QuerySet[Paper]:
        if key not in self._querysets:
            self._querysets[key] = _paper_filter(self.params, without=key).qs
        return self._querysets[key]

    def table(self, key: tuple[str, ...]) -> str | None:
        """Return the temporary table holding the base's papers (PostgreSQL), else None."""
        if not self._materialize or not self._worth_materializing(key):
            return None
        if key not in self._tables:
            name = f"pg_temp.facet_base_{next(_BASE_TABLES)}"
            rows = (
                self.papers(key).order_by().values("pk", "pub_year", "is_retracted", "journal_id")
            )
            sql, params = rows.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {name} (id, pub_year, is_retracted, journal_id) "
                    f"AS {sql}",
                    params,
                )
                if cursor.rowcount > ANALYZE_BASES_ABOVE:
                    cursor.execute(f"ANALYZE {name}")
            self._tables[key] = name
        return self._tables[key]

    def _worth_materializing(self, key: tuple[str, ...]) -> bool:
        """Say whether the base has a filter that is costly to run again for each count.

        The search and the filters on tags, facets and publication types are; the others
        (years, journal, retraction, updated_since) read the paper table's covering index
        of active papers, and a base of most of the table costs more to copy than to read
        again (the unfiltered list: 0.34 s against 0.73 s cold, on 100,000 papers).
        """
        return any(
            value.strip()
            for name in COSTLY_FILTERS
            if name not in key
            for value in self.params.getlist(name)
        )

    def ids(self, key: tuple[str, ...]) -> RawSQL | QuerySet[Paper]:
        """Return what a count filters paper ids on: the base's table, or the base itself."""
        table = self.table(key)
        return (
            self.papers(key).values("pk")
            if table is None
            else RawSQL(f"SELECT base.id FROM {table} AS base", ())
        )

    def grouped(self, key: tuple[str, ...], columns: str) -> list[tuple]:
        """Return ``columns`` of the base's table with a count of papers for each value."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns}, COUNT(*) FROM {self.table(key)} GROUP BY {columns}")
            return cursor.fetchall()


# A temporary table has no statistics: PostgreSQL guesses 200 distinct ids and joins each
# count to it by probing an index once per paper. Past some 8,000 papers (measured: the
# counts of "ovarian", 24,243 matches, 387 -> 219 ms; of "cells", 37,439, 624 -> 333 ms)
# hash joins are cheaper, and ANALYZE (10-60 ms) lets it choose them; below, probing wins.
ANALYZE_BASES_ABOVE = 8_000
# Filters that join or search (see _Bases._worth_materializing).
COSTLY_FILTERS = ("q", "mechanism", "tag_status", "cell_source", "model", "publication_type")
# Names of temporary tables: unique within a process, and a connection is one process's.
_BASE_TABLES = itertools.count()


def _mechanism_facet(bases: _Bases, params: QueryDict) -> Facet:
    chosen = set(_values(params, "mechanism"))
    status = params.get("tag_status")
    statuses = [status] if status in TagStatus.values else list(DEFAULT_TAG_STATUSES)
    counts = dict(
        Tag.objects.filter(paper_id__in=bases.ids(()), status__in=statuses)
        .values_list("mechanism__slug")
        .annotate(n=Count("pk"))  # one tag per paper and mechanism (tag_one_per_mechanism)
        .order_by()
    )
    facet = Facet(name="mechanism", title="Mechanism", multiple=True)
    for mechanism in Mechanism.objects.order_by("position", "name").only("slug", "name"):
        facet.options.append(
            FacetOption(
                value=mechanism.slug,
                label=mechanism.name,
                count=counts.get(mechanism.slug, 0),
                selected=mechanism.slug in chosen,
            )
        )
    return facet


def _tag_status_facet(bases: _Bases, params: QueryDict) -> Facet:
    tags = Tag.objects.filter(paper_id__in=bases.ids(bases.key("tag_status")))
    mechanisms = _values(params, "mechanism")
    if mechanisms:
        tags = tags.filter(mechanism__slug__in=mechanisms)
    counts = dict(
        tags.values_list("status").annotate(n=Count("paper_id", distinct=True)).order_by()
    )
    chosen = params.get("tag_status")
    return Facet(
        name="tag_status",
        title="Tag status",
        options=[
            FacetOption(value, TAG_STATUS_LABELS[value], counts.get(value, 0), value == chosen)
            for value in (TagStatus.CONFIRMED, TagStatus.SUGGESTED, TagStatus.REJECTED)
        ],
    )


PAPER_FACETS = (
    ("cell_source", FacetKind.CELL_SOURCE, "Cell source"),
    ("model", FacetKind.MODEL, "Study model"),
)


def _paper_facets(bases: _Bases, params: QueryDict) -> list[Facet]:
    """Count cell sources and study models: one query for both unless one is chosen."""
    kinds_by_base: dict[tuple[str, ...], list[str]] = {}
    for name, kind, _ in PAPER_FACETS:
        kinds_by_base.setdefault(bases.key(name), []).append(kind)
    counts: dict[str, list[tuple[str, int]]] = {kind: [] for _, kind, _ in PAPER_FACETS}
    for key, kinds in kinds_by_base.items():
        rows = (
            PaperFacet.objects.filter(kind__in=kinds, paper_id__in=bases.ids(key))
            .values_list("kind", "value")
            .annotate(n=Count("paper_id"))  # one row per paper, kind and value
            .order_by("-n", "value")
        )
        for kind, value, count in rows:
            counts[kind].append((value, count))
    facets = []
    for name, kind, title in PAPER_FACETS:
        chosen = set(_values(params, name))
        facet = Facet(name=name, title=title, multiple=True)
        for value, count in counts[kind]:
            facet.options.append(
                FacetOption(value, facet_label(kind, value), count, value in chosen)
            )
        seen = {value for value, _ in counts[kind]}
        for value in sorted(chosen - seen):
            facet.options.append(FacetOption(value, facet_label(kind, value), 0, True))
        facets.append(facet)
    return facets


def _journal_counts(bases: _Bases, key: tuple[str, ...]) -> list[tuple[Journal, int]]:
    """Return the base's most frequent journals with their counts, most papers first."""
    if bases.table(key) is None:
        counts = dict(
            bases.papers(key)
            .filter(journal__isnull=False)
            .order_by()
            .values_list("journal_id")
            .annotate(n=Count("pk"))
        )
    else:
        counts = {j: n for j, n in bases.grouped(key, "journal_id") if j is not None}
    # Only journals that can make the top ten: those with at least the tenth-largest count
    # (ties are ordered by title, so every journal tied at that count is needed).
    floor = sorted(counts.values(), reverse=True)[JOURNAL_FACET_SIZE - 1 : JOURNAL_FACET_SIZE]
    wanted = [pk for pk, n in counts.items() if not floor or n >= floor[0]]
    journals = Journal.objects.in_bulk(wanted) if wanted else {}
    ranked = sorted(journals.values(), key=lambda j: (-counts[j.pk], j.title, j.pk))
    return [(journal, counts[journal.pk]) for journal in ranked[:JOURNAL_FACET_SIZE]]


def _journal_facet(bases: _Bases, params: QueryDict) -> Facet:
    chosen = (params.get("journal") or "").strip()
    facet = Facet(name="journal", title="Journal")
    for journal, count in _journal_counts(bases, bases.key("journal")):
        value = journal.iso_abbreviation or journal.medline_ta or journal.title
        label = journal.title or value
        selected = bool(chosen) and chosen.lower() in {
            (name or "").lower()
            for name in (journal.title, journal.iso_abbreviation, journal.medline_ta)
        }
        facet.options.append(FacetOption(value, label, count, selected))
    if chosen and not any(option.selected for option in facet.options):
        facet.options.append(FacetOption(chosen, chosen, 0, True))
    return facet


def _publication_type_facet(bases: _Bases, params: QueryDict) -> Facet:
    through = Paper.publication_types.through
    rows = (
        through.objects.filter(paper_id__in=bases.ids(bases.key("publication_type")))
        .values_list("publicationtype__name")
        .annotate(n=Count("paper_id"))
        .order_by("-n", "publicationtype__name")[:PUBLICATION_TYPE_FACET_SIZE]
    )
    chosen = (params.get("publication_type") or "").strip()
    facet = Facet(name="publication_type", title="Publication type")
    for name, count in rows:
        facet.options.append(FacetOption(name, name, count, name == chosen))
    if chosen and not any(option.selected for option in facet.options):
        facet.options.append(FacetOption(chosen, chosen, 0, True))
    return facet


def _years_retraction_total(
    bases: _Bases, params: QueryDict
) -> tuple[list[tuple[int, int]], Facet, int]:
    """Count papers per year, retracted or not, and in all: one query unless filtered by them.

    All three come from one count per (year, retracted) over the list; years ignore the
    year filter and retraction ignores the retracted filter, so a request that sets those
    needs the counts over other bases too.
    """
    year_key, retracted_key = bases.key("year"), bases.key("retracted")
    grouped: dict[tuple[str, ...], list[tuple[int | None, bool, int]]] = {}
    for key in dict.fromkeys(((), year_key, retracted_key)):
        if bases.table(key) is None:
            grouped[key] = list(
                bases.papers(key)
                .order_by()
                .values_list("pub_year", "is_retracted")
                .annotate(n=Count("pk"))
            )
        else:
            grouped[key] = bases.grouped(key, "pub_year, is_retracted")
    per_year: dict[int, int] = {}
    for year, _, count in grouped[year_key]:
        if year is not None:
            per_year[year] = per_year.get(year, 0) + count
    retracted = sum(count for _, is_retracted, count in grouped[retracted_key] if is_retracted)
    not_retracted = sum(
        count for _, is_retracted, count in grouped[retracted_key] if not is_retracted
    )
    chosen = (params.get("retracted") or "").lower()
    facet = Facet(
        name="retracted",
        title="Retraction",
        options=[
            FacetOption("true", "Retracted", retracted, chosen in {"true", "1"}),
            FacetOption("false", "Not retracted", not_retracted, chosen in {"false", "0"}),
        ],
    )
    total = sum(count for _, _, count in grouped[()])
    return sorted(per_year.items()), facet, total


def _data_version() -> str:
    """Return a marker that moves whenever papers, their tags or their facets change.

    Every write a list can show moves ``Paper.updated_at`` (imports, tagging, curator
    decisions, deletions), and its newest value is one step down an index.
    """
    return str(Paper.objects.aggregate(newest=Max("updated_at"))["newest"])


def _facets_cache_key(params: QueryDict, version: str) -> str:
    from curation.api.filters import PaperFilter

    filters = sorted(
        (name, sorted(values))
        for name, values in params.lists()
        if name in PaperFilter.base_filters and any(value.strip() for value in values)
    )
    digest = hashlib.sha256(json.dumps([filters, version]).encode()).hexdigest()
    return f"paper-browse:{FACETS_CACHE_VERSION}:{digest}"


def paper_browse(*, params: QueryDict) -> PaperBrowse:
    """Filter, sort and count the paper list for the GET parameters the API also takes.

    Filtering is curation.api.filters.PaperFilter, so the page and ``/api/papers/`` agree on
    every parameter; invalid values (``year_min=abc``) are reported in ``errors`` and
    ignored. Facet counts take one grouped query per facet (fewer when facets share a
    base) whatever the number of values or papers, each over the list filtered by every
    other facet's parameters: choosing a cell source still counts the other sources.

    Counting scans the whole filtered list, which is what costs at 100,000 papers, so the
    counts (and the list's total) are cached for the same filters until any paper changes
    (or FACETS_CACHE_SECONDS pass: mechanism and journal renames do not move papers).
    """
    filterset = _paper_filter(params)
    errors = {name: [str(e) for e in messages] for name, messages in filterset.errors.items()}
    sort = paper_list_sort(params)
    papers = filterset.qs
    if sort == "relevance" and "rank" not in papers.query.annotations:
        sort = "newest"
    key = _facets_cache_key(params, _data_version())
    counted = cache.get(key)
    if counted is None:
        # One transaction: the temporary tables and the counts share one server
        # connection even behind a transaction-pooling proxy, and an error rolls them back.
        materializing = connection.vendor == "postgresql"
        with (
            transaction.atomic() if materializing else nullcontext(),
            _Bases(params, papers) as bases,
        ):
            years, retracted, total = _years_retraction_total(bases, params)
            facets = [
                _mechanism_facet(bases, params),
                _tag_status_facet(bases, params),
                *_paper_facets(bases, params),
                _journal_facet(bases, params),
                _publication_type_facet(bases, params),
                retracted,
            ]
        counted = {"facets": {f.name: f for f in facets}, "years": years, "total": total}
        cache.set(key, counted, FACETS_CACHE_SECONDS)
    page_papers = _year_bounds_on_pub_date(papers, getattr(filterset.form, "cleaned_data", {}))
    return PaperBrowse(
        papers=_with_list_details(_ordered(page_papers, sort)),
        facets=counted["facets"],
        sort=sort,
        years=counted["years"],
        total=counted["total"],
        errors=errors,
    )


def paper_detail(*, pmid: int) -> Paper:
    """Return an active paper with everything its page shows; raises Paper.DoesNotExist.

    Authors, publication types, tags (with their mechanism) and cell source / model facets
    come in one query each, however many there are.
    """
    return (
        Paper.objects.active()
        .select_related("journal")
        .prefetch_related(
            *paper_relations(),
            Prefetch(
                "tags",
                queryset=Tag.objects.exclude(status=TagStatus.REJECTED)
                .select_related("mechanism")
                .order_by("mechanism__position", "mechanism__name"),
                to_attr="shown_tags",
            ),
        )
        .get(pmid=pmid)
    )
