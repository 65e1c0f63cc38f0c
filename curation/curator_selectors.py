"""Reads for curators and the evidence map: the review queue, tagger precision, counts.

Every function here runs a fixed number of queries, whatever the number of rows: the
queue pages, the tagger page and the evidence map stay fast as the library grows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from curation.facets import LABELS
from curation.highlight import (
    Evidence,
    Highlight,
    evidence_spans,
    inline_html_text,
    mark_inline_html,
    mark_text,
)
from curation.models import (
    FacetKind,
    Mechanism,
    Paper,
    PaperFacet,
    Tag,
    TagAction,
    TagEvent,
    TagSource,
    TagStatus,
)
from curation.templatetags.curation_tags import clean_inline

QUEUE_ORDERS: dict[str, tuple] = {
    # Both orders match a partial index on suggested tags (tag_queue_*_idx).
    "newest": ("-created_at", "-pk"),
    "confidence": (F("score").asc(nulls_last=True), "created_at", "pk"),
}
DEFAULT_QUEUE_ORDER = "newest"

# The queue shows title and abstract; the raw PubMed source can be hundreds of kilobytes.
_QUEUE_DEFERRED = (
    "paper__source",
    "paper__search_vector",
    "paper__mesh_headings",
    "paper__comments_corrections",
    "paper__index_terms",
)


# --- The review queue -------------------------------------------------------------------


def tag_queue(*, order: str = DEFAULT_QUEUE_ORDER, mechanism: Mechanism | None = None) -> QuerySet:
    """Return the tagger's suggestions awaiting a decision, on papers PubMed still has.

    ``order`` is "newest" (latest suggestion first) or "confidence" (lowest score first);
    an unknown order falls back to newest. Each tag's paper comes with its journal and all
    its tags, so a page of the queue costs the same few queries at any size.
    """
    tags = (
        Tag.objects.filter(status=TagStatus.SUGGESTED, paper__deleted_at__isnull=True)
        .select_related("paper", "paper__journal", "mechanism")
        .defer(*_QUEUE_DEFERRED)
        .prefetch_related(
            Prefetch(
                "paper__tags",
                queryset=Tag.objects.select_related("mechanism").order_by(
                    "mechanism__position", "mechanism__name"
                ),
            )
        )
    )
    if mechanism is not None:
        tags = tags.filter(mechanism=mechanism)
    return tags.order_by(*QUEUE_ORDERS.get(order, QUEUE_ORDERS[DEFAULT_QUEUE_ORDER]))


def _evidence(tag: Tag) -> list[Evidence]:
    """Return a tag's evidence for :mod:`curation.highlight`, each with a page-unique anchor."""
    return [
        Evidence(
            sentence=item.get("sentence") or "",
            start=item.get("start") if isinstance(item.get("start"), int) else -1,
            end=item.get("end") if isinstance(item.get("end"), int) else -1,
            field=item.get("field") or "abstract",
            label=f"Evidence: {tag.mechanism.name}",
            anchor=f"evidence-{tag.pk}-{index}",
        )
        for index, item in enumerate(tag.evidence or [], start=1)
    ]


def marked_title(paper: Paper, evidence: Sequence[Evidence]) -> SafeString:
    """Return the title as HTML with its evidence marked, keeping PubMed's inline markup."""
    spans = [
        Highlight(item.start, item.end, item.label, item.anchor)
        for item in evidence
        if item.field == "title" and paper.title[item.start : item.end] == item.sentence
    ]
    markup = clean_inline(paper.title_html) if paper.title_html else ""
    if markup and inline_html_text(markup) == paper.title:
        marked = mark_inline_html(markup, spans, css_class="evidence")
        if marked is not None:
            return mark_safe(marked)
    if markup and not spans:
        return mark_safe(markup)
    return mark_safe(mark_text(paper.title, spans, css_class="evidence"))


def marked_abstract(paper: Paper, evidence: Sequence[Evidence]) -> list[dict]:
    """Return each abstract section's label and HTML with the evidence sentences marked.

    Offsets index ``Paper.abstract`` (sections joined as "LABEL: text" lines); when they no
    longer select their sentence, :func:`curation.highlight.evidence_spans` looks it up.
    """
    sections = paper.abstract_sections or []
    if not sections and paper.abstract:
        sections = [{"label": "", "text": paper.abstract, "html": ""}]
    out = []
    for section, highlights in zip(sections, evidence_spans(sections, evidence), strict=True):
        text = section.get("text") or ""
        markup = clean_inline(section.get("html") or "")
        if markup and inline_html_text(markup) == text:
            body = mark_inline_html(markup, highlights, css_class="evidence")
        else:
            body = None
        if body is None:
            body = mark_text(text, highlights, css_class="evidence")
        out.append({"label": section.get("label") or "", "html": mark_safe(body)})
    return out


@dataclass
class QueueItem:
    """One suggestion as the review queue shows it."""

    tag: Tag
    paper: Paper
    title_html: SafeString
    abstract: list[dict]
    # Evidence sentences the current title and abstract no longer contain.
    unplaced: list[str] = field(default_factory=list)
    other_tags: list[Tag] = field(default_factory=list)
    addable: list[Mechanism] = field(default_factory=list)

    @property
    def has_marks(self) -> bool:
        return "<mark" in self.title_html or any("<mark" in s["html"] for s in self.abstract)


def queue_items(tags: Iterable[Tag], *, mechanisms: Sequence[Mechanism]) -> list[QueueItem]:
    """Shape queue tags for display; ``tags`` come from :func:`tag_queue` (no extra queries).

    ``addable`` lists the mechanisms the paper has no tag for yet, in display order.
    """
    items = []
    for tag in tags:
        paper = tag.paper
        evidence = _evidence(tag)
        title = marked_title(paper, evidence)
        abstract = marked_abstract(paper, evidence)
        shown = title + "".join(section["html"] for section in abstract)
        paper_tags = list(paper.tags.all())
        tagged = {t.mechanism_id for t in paper_tags}
        items.append(
            QueueItem(
                tag=tag,
                paper=paper,
                title_html=title,
                abstract=abstract,
                unplaced=[
                    item.sentence
                    for item in evidence
                    if item.sentence and f'id="{item.anchor}"' not in shown
                ],
                other_tags=[t for t in paper_tags if t.pk != tag.pk],
                addable=[m for m in mechanisms if m.pk not in tagged],
            )
        )
    return items


# --- How good the tagger is -----------------------------------------------------------


def _tag_counts() -> dict[int, dict[str, int]]:
    rows = (
        Tag.objects.values("mechanism_id")
        .annotate(
            suggested=Count("pk", filter=Q(source=TagSource.AUTO, status=TagStatus.SUGGESTED)),
            confirmed=Count("pk", filter=Q(source=TagSource.AUTO, status=TagStatus.CONFIRMED)),
            rejected=Count("pk", filter=Q(source=TagSource.AUTO, status=TagStatus.REJECTED)),
            added=Count("pk", filter=Q(source=TagSource.CURATOR, status=TagStatus.CONFIRMED)),
        )
        .order_by()
    )
    return {row.pop("mechanism_id"): row for row in rows}


def _precision(confirmed: int, rejected: int) -> float | None:
    decided = confirmed + rejected
    return round(confirmed / decided, 4) if decided else None


def mechanism_tag_stats() -> dict[int, dict]:
    """Count the tagger's suggestions per mechanism and its precision from curators' decisions.

    Keys are mechanism ids; values hold ``suggested`` (still waiting), ``confirmed``,
    ``rejected`` and ``precision`` = confirmed / (confirmed + rejected), None before any
    decision. Mechanisms the tagger never suggested are absent.
    """
    stats = {}
    for mechanism_id, row in _tag_counts().items():
        if not (row["suggested"] or row["confirmed"] or row["rejected"]):
            continue
        stats[mechanism_id] = {
            "suggested": row["suggested"],
            "confirmed": row["confirmed"],
            "rejected": row["rejected"],
            "precision": _precision(row["confirmed"], row["rejected"]),
        }
    return stats


def wilson_interval(successes: int, trials: int, *, z: float = 1.96) -> tuple[float, float] | None:
    """Return the Wilson score interval (95% by default) of a proportion, None without trials.

    Unlike the plain ±, it stays inside [0, 1] and is honest about tiny samples: 2 of 2
    confirmed gives roughly 0.34-1.0, not "100%".
    """
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


@dataclass(frozen=True)
class PrecisionRow:
    """The tagger's record on one mechanism."""

    mechanism: Mechanism
    suggested: int
    confirmed: int
    rejected: int
    added: int  # confirmed by curators without a suggestion: what the tagger missed
    precision: float | None
    interval: tuple[float, float] | None

    @property
    def decided(self) -> int:
        return self.confirmed + self.rejected


def tagger_precision() -> list[PrecisionRow]:
    """Return every mechanism's suggestion counts and precision, in display order."""
    counts = _tag_counts()
    empty = {"suggested": 0, "confirmed": 0, "rejected": 0, "added": 0}
    rows = []
    for mechanism in Mechanism.objects.all():
        row = counts.get(mechanism.pk, empty)
        decided = row["confirmed"] + row["rejected"]
        rows.append(
            PrecisionRow(
                mechanism=mechanism,
                suggested=row["suggested"],
                confirmed=row["confirmed"],
                rejected=row["rejected"],
                added=row["added"],
                precision=_precision(row["confirmed"], row["rejected"]),
                interval=wilson_interval(row["confirmed"], decided),
            )
        )
    return rows


def recent_decisions(*, limit: int = 50) -> QuerySet[TagEvent]:
    """Return the latest curator decisions (who, what and when), newest first."""
    return (
        TagEvent.objects.filter(
            user__isnull=False,
            action__in=[TagAction.CONFIRMED, TagAction.REJECTED, TagAction.ADDED],
        )
        .select_related("paper", "mechanism", "user")
        .only(
            "action",
            "from_status",
            "to_status",
            "comment",
            "created_at",
            "paper__pmid",
            "paper__title",
            "mechanism__name",
            "mechanism__slug",
            "user__username",
        )
        .order_by("-created_at", "-pk")[:limit]
    )


# --- The evidence map -----------------------------------------------------------------


def counted_tags() -> QuerySet[Tag]:
    """Return the tags the evidence map counts: not rejected, on active, relevant papers.

    A curator's confirmation makes a paper relevant whatever the tagger thought of it, so
    the counts agree with the paper list filtered by the same mechanism.
    """
    return Tag.objects.filter(
        Q(paper__is_relevant=True) | Q(status=TagStatus.CONFIRMED),
        status__in=[TagStatus.SUGGESTED, TagStatus.CONFIRMED],
        paper__deleted_at__isnull=True,
    )


@dataclass
class EvidenceMap:
    """Papers per mechanism per year, and per mechanism and cell source."""

    mechanisms: list[Mechanism]
    years: list[int]
    # mechanism id -> year -> papers; undated papers are counted in ``undated``.
    by_year: dict[int, dict[int, int]]
    undated: dict[int, int]
    totals: dict[int, int]
    cell_sources: list[str]
    # (mechanism id, cell source) -> papers
    matrix: dict[tuple[int, str], int]

    @property
    def year_max(self) -> int:
        return max((n for counts in self.by_year.values() for n in counts.values()), default=0)

    @property
    def matrix_max(self) -> int:
        return max(self.matrix.values(), default=0)


def evidence_map() -> EvidenceMap:
    """Count papers per mechanism and year, and per mechanism and cell source (3 queries).

    Years run without gaps from the first to the last year with a paper. Cell sources list
    every known source in the facet order, then any other value the data holds.
    """
    mechanisms = list(Mechanism.objects.all())
    by_year: dict[int, dict[int, int]] = defaultdict(dict)
    undated: dict[int, int] = {}
    totals: dict[int, int] = defaultdict(int)
    year_rows = (
        counted_tags()
        .values("mechanism_id", "paper__pub_year")
        .annotate(n=Count("paper_id", distinct=True))
        .order_by()
    )
    for row in year_rows:
        mechanism_id, year, n = row["mechanism_id"], row["paper__pub_year"], row["n"]
        # A paper has one year and one tag per mechanism, so the rows add up without overlap.
        totals[mechanism_id] += n
        if year is None:
            undated[mechanism_id] = n
        else:
            by_year[mechanism_id][year] = n
    seen_years = {year for counts in by_year.values() for year in counts}
    years = list(range(min(seen_years), max(seen_years) + 1)) if seen_years else []

    source_rows = (
        PaperFacet.objects.filter(
            kind=FacetKind.CELL_SOURCE,
            paper__tags__in=counted_tags(),
        )
        .values("paper__tags__mechanism_id", "value")
        .annotate(n=Count("paper_id", distinct=True))
        .order_by()
    )
    matrix = {(row["paper__tags__mechanism_id"], row["value"]): row["n"] for row in source_rows}
    known = list(LABELS[FacetKind.CELL_SOURCE])
    extra = sorted({value for _, value in matrix} - set(known))
    return EvidenceMap(
        mechanisms=mechanisms,
        years=years,
        by_year=dict(by_year),
        undated=undated,
        totals=dict(totals),
        cell_sources=known + extra,
        matrix=matrix,
    )
