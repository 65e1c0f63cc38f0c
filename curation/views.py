"""Pages: the paper list (search, facets, sorting) and the paper page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from curation import citations, selectors
from curation.facets import LABELS as FACET_LABELS
from curation.highlight import (
    Evidence,
    Highlight,
    evidence_spans,
    highlight_terms,
    inline_html_text,
    mark_inline_html,
    mark_text,
)
from curation.models import FacetKind, Paper
from curation.templatetags.curation_tags import clean_inline
from notes.selectors import notes_visible_to
from pof_lit.lib.pagination import rows_by_ids

CITE_STYLES = (("nlm", "NLM"), ("ama", "AMA"), ("apa", "APA"), ("mla", "MLA"))
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
FACET_KIND_TITLES = {
    FacetKind.CELL_SOURCE: "Cell source",
    FacetKind.MODEL: "Study model",
    FacetKind.AGENT: "Inducing agent (POI model)",
}


class _CountedPaginator(Paginator):
    """A paginator told the list's length, which paper_browse counted (or cached) already."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count

    def page(self, number) -> Page:
        # As Paginator.page, with the page's rows found by their ids first (rows_by_ids).
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_by_ids(self.object_list, bottom, top), number, self)


def _page_size(raw: str | None) -> int:
    try:
        size = int(raw or PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


def paper_list(request: HttpRequest) -> HttpResponse:
    """List papers: full-text search, facets with counts, sorting, pages; all in the URL."""
    params = request.GET
    browse = selectors.paper_browse(params=params)
    page_size = _page_size(params.get("page_size"))
    page = _CountedPaginator(browse.papers, page_size, count=browse.total).get_page(
        params.get("page")
    )
    selectors.attach_list_details(page.object_list)
    q = (params.get("q") or "").strip()
    facets = browse.facets
    chosen = [
        (facet, option) for facet in facets.values() for option in facet.options if option.selected
    ]
    years = [year for year, _ in browse.years]
    context = {
        "page": page,
        "q": q,
        "terms": highlight_terms(q),
        "sort": browse.sort,
        "sorts": [("relevance", "Best match"), ("newest", "Newest"), ("oldest", "Oldest")]
        if q
        else [("newest", "Newest"), ("oldest", "Oldest")],
        "facets": facets,
        "chosen": chosen,
        "years": browse.years,
        "year_peak": max((n for _, n in browse.years), default=0),
        "year_bounds": (years[0], years[-1]) if years else None,
        "year_min": params.get("year_min", ""),
        "year_max": params.get("year_max", ""),
        "errors": browse.errors,
        "page_size": page_size,
        "export_formats": [
            ("ris", "RIS"),
            ("bibtex", "BibTeX"),
            ("csljson", "CSL-JSON"),
            ("nbib", "MEDLINE (.nbib)"),
        ],
    }
    status = 400 if browse.errors else 200
    return render(request, "curation/paper_list.html", context, status=status)


def paper_detail(request: HttpRequest, pmid: int) -> HttpResponse:
    try:
        paper = selectors.paper_detail(pmid=pmid)
    except Paper.DoesNotExist:
        raise Http404("No paper with this PMID.") from None
    return paper_page(request, paper)


def paper_page(
    request: HttpRequest, paper: Paper, *, note_form=None, status: int = 200
) -> HttpResponse:
    """Render the paper page; the notes views call it to show a note form's errors."""
    tags = paper.shown_tags
    evidence = [
        Evidence(
            sentence=item.get("sentence", ""),
            start=item.get("start", -1),
            end=item.get("end", -1),
            field=item.get("field", "abstract"),
            label=f"Evidence: {tag.mechanism.name}",
            anchor=f"evidence-{tag.mechanism.slug}-{index}",
        )
        for tag in tags
        for index, item in enumerate(tag.evidence or [], start=1)
    ]
    notes = list(notes_visible_to(request.user).filter(paper=paper).order_by("-created_at", "-pk"))
    my_notes = [note for note in notes if note.author_id == request.user.pk]
    facets: dict[str, list[str]] = {title: [] for title in FACET_KIND_TITLES.values()}
    for facet in paper.facet_list():
        label = FACET_LABELS.get(facet.kind, {}).get(facet.value) or facet.value
        facets.setdefault(FACET_KIND_TITLES.get(facet.kind, facet.kind), []).append(label)
    facets = {title: values for title, values in facets.items() if values}
    url = request.build_absolute_uri(paper.get_absolute_url())
    context = {
        "paper": paper,
        "title_html": _marked_title(paper, evidence),
        "abstract": _marked_abstract(paper, evidence),
        "tags": [
            {
                "tag": tag,
                "evidence": [
                    (item.anchor, item.sentence)
                    for item in evidence
                    if item.anchor.startswith(f"evidence-{tag.mechanism.slug}-")
                ],
            }
            for tag in tags
        ],
        "paper_facets": facets,
        "citations": _citations(paper),
        "downloads": [
            ("ris", "RIS", "Zotero, EndNote, Mendeley"),
            ("bibtex", "BibTeX", "LaTeX, JabRef"),
            ("nbib", "MEDLINE (.nbib)", "PubMed format"),
            ("csljson", "CSL-JSON", "citeproc"),
        ],
        "citation_meta": citation_meta(paper, url=url),
        "canonical_url": url,
        "my_notes": my_notes,
        "public_notes": [note for note in notes if note.author_id != request.user.pk],
        "note_form": note_form,
    }
    return render(request, "curation/paper_detail.html", context, status=status)


def _citations(paper: Paper) -> list[tuple[str, str, str]]:
    """Return (key, style name, citation) in the order of PubMed's Cite dialog."""
    strings = citations.cite_all(paper.to_record())
    return [(key, label, strings[key]) for key, label in CITE_STYLES]


def _marked_title(paper: Paper, evidence: list[Evidence]) -> SafeString:
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


def _marked_abstract(paper: Paper, evidence: list[Evidence]) -> list[dict]:
    """Return each abstract section's label and HTML with evidence sentences marked.

    Sections without evidence keep the parser's inline markup (cleaned again); marked
    sections keep it too when its text is exactly the section's text, and are otherwise
    built from the escaped plain text.
    """
    sections = paper.abstract_sections or []
    spans = evidence_spans(sections, evidence)
    out = []
    for section, highlights in zip(sections, spans, strict=True):
        text = section.get("text") or ""
        markup = clean_inline(section.get("html") or "")
        if not highlights:
            body = markup if markup else mark_text(text, [])
        elif markup and inline_html_text(markup) == text:
            body = mark_inline_html(markup, highlights, css_class="evidence") or mark_text(
                text, highlights, css_class="evidence"
            )
        else:
            body = mark_text(text, highlights, css_class="evidence")
        out.append({"label": section.get("label") or "", "html": mark_safe(body)})
    return out


def _publication_date(paper: Paper) -> str:
    """Return "2021/10/22", "2021/10" or "2021": as much of the date as is known."""
    if not paper.pub_year:
        return ""
    parts = [f"{paper.pub_year:04d}"]
    if paper.pub_month:
        parts.append(f"{paper.pub_month:02d}")
        if paper.pub_day:
            parts.append(f"{paper.pub_day:02d}")
    return "/".join(parts)


def _page_range(pages: str) -> tuple[str, str]:
    """Return the first and last page of "1698-705" as ("1698", "1705"); "" when unknown."""
    first_part = pages.split(",")[0].strip()
    if not first_part:
        return "", ""
    start, _, end = first_part.partition("-")
    start, end = start.strip(), end.strip()
    if end and start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end  # MEDLINE drops the leading digits
    return start, end


def citation_meta(paper: Paper, *, url: str) -> list[tuple[str, str]]:
    """Return the Highwire ``citation_*`` tags reference managers read, in order.

    One ``citation_author`` per author ("Last, Fore" or the collective name); the first
    page from the pages ("1698-705" gives 1698) or else the article number ("e30013").
    Empty values are left out.
    """
    meta: list[tuple[str, str]] = [("citation_title", paper.title)]
    for author in paper.author_list():
        if author.collective_name:
            name = author.collective_name
        else:
            given = author.fore_name or author.initials
            name = f"{author.last_name}, {given}" if given else author.last_name
            if author.suffix:
                name = f"{name} {author.suffix}"
        meta.append(("citation_author", name))
    journal = paper.journal
    first, last = _page_range(paper.pages)
    meta += [
        ("citation_publication_date", _publication_date(paper)),
        ("citation_journal_title", journal.title if journal else ""),
        ("citation_journal_abbrev", journal.abbreviation if journal else ""),
        ("citation_issn", (journal.issn or journal.issn_linking) if journal else ""),
        ("citation_volume", paper.volume),
        ("citation_issue", paper.issue),
        ("citation_firstpage", first or paper.elocation_id),
        ("citation_lastpage", last),
        ("citation_doi", paper.doi),
        ("citation_pmid", str(paper.pmid)),
        ("citation_language", paper.language),
        ("citation_abstract_html_url", url),
    ]
    meta += [("citation_keywords", keyword) for keyword in paper.keywords]
    return [(name, value) for name, value in meta if value]
