"""Reads for curation: paper lists and full-text search."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Max, Prefetch, Q, QuerySet

from curation.models import Author, Feed, Paper

_TERM = re.compile(r'"([^"]+)"|(\S+)')


def search_terms(q: str) -> list[str]:
    """Split a query into words and "quoted phrases", dropping search operators."""
    terms = []
    for phrase, word in _TERM.findall(q):
        term = (phrase or word).strip()
        if term.upper() in {"OR", "AND", "NOT"} or term in {"-", "|"}:
            continue
        terms.append(term.lstrip("-"))
    return [t for t in terms if t]


def paper_search(papers: QuerySet[Paper], q: str) -> QuerySet[Paper]:
    """Filter papers by a free-text query over title, abstract, keywords and MeSH terms.

    PostgreSQL uses the weighted tsvector (GIN index) with web-search syntax ("quoted
    phrases", OR, -exclusions) and annotates ``rank``; SQLite falls back to every term
    appearing somewhere, case-insensitively, with a constant rank.
    """
    q = q.strip()
    if not q:
        return papers
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(q, search_type="websearch", config="english")
        return papers.filter(search_vector=query).annotate(
            rank=SearchRank("search_vector", query, normalization=32)
        )
    from django.db.models import FloatField, Value

    for term in search_terms(q):
        papers = papers.filter(
            Q(title__icontains=term) | Q(abstract__icontains=term) | Q(index_terms__icontains=term)
        )
    return papers.annotate(rank=Value(1.0, output_field=FloatField()))


def paper_list(*, q: str = "") -> QuerySet[Paper]:
    """Return active papers with what a list or an export shows, optionally searched."""
    papers = (
        Paper.objects.active()
        .select_related("journal")
        .prefetch_related(
            Prefetch("authors", queryset=Author.objects.order_by("position")),
            "publication_types",
        )
    )
    return paper_search(papers, q)


def feeds_with_last_run_id() -> QuerySet[Feed]:
    """Return feeds annotated with ``last_run_id``, the id of each one's newest run."""
    return Feed.objects.annotate(last_run_id=Max("runs__id")).order_by("name")
