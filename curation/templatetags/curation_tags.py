"""Template filters and tags for papers and the paper list's URLs."""

from __future__ import annotations

import bleach
from django import template
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from curation.facets import facet_label
from curation.highlight import (
    Highlight,
    inline_html_text,
    mark_inline_html,
    mark_text,
    snippet,
    term_spans,
)
from notes.render import MAX_NOTE_LENGTH, note_length

register = template.Library()

# The parser builds titles and abstracts from escaped text plus these five tags only;
# cleaning again on output keeps that promise even for rows written by an older parser.
_INLINE = bleach.sanitizer.Cleaner(
    tags={"i", "b", "u", "sup", "sub"}, attributes={}, protocols=set(), strip=True
)
_MARKUP_CHARACTERS = frozenset("<>&")
# The list's filters as the API names them; export links carry exactly these.
FILTER_PARAMETERS = (
    "q",
    "mechanism",
    "tag_status",
    "cell_source",
    "model",
    "year_min",
    "year_max",
    "journal",
    "publication_type",
    "retracted",
)
EXPORT_ORDERING = {"newest": "-pub_date", "oldest": "pub_date"}
EXPORT_PAGE_SIZE = 5000  # the API's largest export page


def clean_inline(value: str) -> str:
    """Return PubMed inline markup reduced to the five attribute-free inline tags."""
    value = value or ""
    # Most titles hold no markup, and for printable text without "<", ">" and "&" the
    # sanitizer gives the text back unchanged: skip its HTML parse (some 0.2 ms a title,
    # 20 a page). tests/curation/test_highlight.py checks this against the sanitizer.
    if value.isprintable() and not _MARKUP_CHARACTERS.intersection(value):
        return value
    return _INLINE.clean(value)


@register.filter
def inline_html(value: str) -> SafeString:
    """Return PubMed inline markup (italics, super/subscripts) safe to insert in a page."""
    return mark_safe(clean_inline(value))


@register.simple_tag
def optional_url(name: str, *args, **kwargs) -> str:
    """Reverse a URL name, or return "" when no such URL is installed (yet)."""
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _query(params: QueryDict) -> str:
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _current(context) -> QueryDict:
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    params.pop("page", None)  # any change of filters starts again at page 1
    return params


@register.simple_tag(takes_context=True)
def toggle_url(context, name: str, value: str, multiple: bool = False) -> str:
    """Return the list URL with ``name=value`` switched on or off, on page 1.

    A ``multiple`` parameter keeps its other values (repeated parameters; comma-separated
    ones are split first); a single one is replaced.
    """
    params = _current(context)
    values = [part for item in params.getlist(name) for part in item.split(",") if part]
    if value in values:
        values = [v for v in values if v != value]
    elif multiple:
        values.append(value)
    else:
        values = [value]
    params.setlist(name, values)
    if not values:
        params.pop(name)
    return _query(params)


@register.simple_tag(takes_context=True)
def replace_url(context, **changes) -> str:
    """Return the list URL with parameters set (or removed when the value is "" or None).

    ``page`` is kept only when it is one of the changes.
    """
    params = _current(context)
    for name, value in changes.items():
        params.pop(name, None)
        if value not in ("", None):
            params[name] = str(value)
    return _query(params)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """Return the current list URL on page ``number``."""
    return replace_url(context, page=number if number != 1 else "")


@register.simple_tag(takes_context=True)
def export_url(context, fmt: str) -> str:
    """Return the API URL of this list (same filters and order) in a citation format."""
    request = context.get("request")
    source = request.GET if request is not None else QueryDict()
    params = QueryDict(mutable=True)
    for name in FILTER_PARAMETERS:
        values = [value for value in source.getlist(name) if value.strip()]
        if values:
            params.setlist(name, values)
    ordering = EXPORT_ORDERING.get(context.get("sort", ""))
    if ordering:
        params["ordering"] = ordering
    params["page_size"] = str(EXPORT_PAGE_SIZE)
    params["format"] = fmt
    return f"{reverse('api:paper-list')}?{params.urlencode()}"


@register.simple_tag
def marked_title(paper, terms: list[str]) -> SafeString:
    """Return the paper's title as HTML with the search terms in ``<mark>``."""
    markup = clean_inline(paper.title_html) if paper.title_html else ""
    if markup and inline_html_text(markup) == paper.title:
        marked = mark_inline_html(markup, term_spans(paper.title, terms))
        if marked is not None:
            return mark_safe(marked)
    if markup and not terms:
        return mark_safe(markup)
    return mark_safe(mark_text(paper.title, term_spans(paper.title, terms)))


@register.simple_tag
def abstract_snippet(paper, terms: list[str], width: int = 280) -> SafeString:
    """Return about ``width`` characters of the abstract around the first search term."""
    text = " ".join((section.get("text") or "") for section in paper.abstract_sections or [])
    if not text:
        return mark_safe("")
    spans: list[Highlight] = term_spans(text, terms)
    window, shifted, cut_before, cut_after = snippet(text, spans, width=width)
    body = mark_text(window, shifted)
    return mark_safe(("… " if cut_before else "") + body + (" …" if cut_after else ""))


@register.filter
def facet_selected(facet) -> list:
    """Return the chosen options of a facet."""
    return [option for option in facet.options if option.selected]


@register.filter
def percent_of(value: int, total: int) -> int:
    """Return ``value`` as a whole percentage of ``total`` (0 when total is 0)."""
    return round(100 * value / total) if total else 0


@register.filter
def facet_name(facet) -> str:
    """Return the display name of a PaperFacet ("Umbilical cord / Wharton's jelly")."""
    return facet_label(facet.kind, facet.value)


@register.filter
def later_than(value, other) -> bool:
    """Tell whether datetime ``value`` is more than a second after ``other`` (an edit)."""
    if value is None or other is None:
        return False
    return (value - other).total_seconds() > 1


@register.simple_tag
def note_counter(body: str) -> str:
    """Return the notes box's counter text, counting as notes.render.note_length does."""
    remaining = MAX_NOTE_LENGTH - note_length(body or "")
    if remaining >= 0:
        return f"{remaining} character{'' if remaining == 1 else 's'} remaining"
    over = -remaining
    return f"{over} character{'' if over == 1 else 's'} too many"
