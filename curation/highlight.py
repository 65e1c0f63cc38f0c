"""Mark query terms and evidence sentences in titles and abstracts, safely (pure).

Everything here works on plain text offsets and returns HTML built by escaping text and
inserting ``<mark>`` elements, so no stored markup is ever trusted:

- :func:`mark_text` escapes plain text and wraps the highlighted ranges.
- :func:`mark_inline_html` does the same inside markup that holds only the parser's
  attribute-free inline tags (``<i>``, ``<b>``, ``<u>``, ``<sup>``, ``<sub>``), closing and
  reopening a mark around those tags so the result always nests properly.
- :func:`term_spans` finds a search's words and phrases in text, loosely enough to match
  what PostgreSQL's English stemming matched ("exosomes" marks "exosome" and "exosomal").
- :func:`evidence_spans` maps the tagger's evidence offsets (into ``Paper.abstract``, the
  sections joined as "LABEL: text" lines) onto each section's own text.
- :func:`snippet` cuts a window of text around the first highlight, for result lists.

Overlapping highlights are split into pieces, each piece's ``title`` naming every
highlight covering it; a highlight's ``anchor`` becomes the ``id`` of its first piece.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Evidence",
    "Highlight",
    "evidence_spans",
    "highlight_terms",
    "inline_html_text",
    "mark_inline_html",
    "mark_text",
    "snippet",
    "term_spans",
]

# The parser's inline tags, without attributes; anything else is not inline markup we made.
_INLINE_TAG_RE = re.compile(r"</?(?:i|b|u|sup|sub)>")
_QUERY_TOKEN_RE = re.compile(r'(-?)"([^"]+)"|(\S+)')
_OPERATORS = frozenset({"OR", "AND", "NOT"})
_WORD_RE = re.compile(r"\w+")
# Light English suffix stripping, longest first: enough to meet PostgreSQL's stemmer halfway.
_SUFFIXES = ("ations", "ation", "ies", "ing", "es", "ed", "s")
_MIN_STEM = 3


@dataclass(frozen=True, slots=True)
class Highlight:
    """A range of plain text to mark, ``[start, end)``, and what the mark means."""

    start: int
    end: int
    label: str = ""  # shown as the mark's title, e.g. "Evidence: Anti-apoptosis"
    anchor: str = ""  # the id of the mark's first piece, for links to it


@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence sentence of a tag: offsets into the paper's abstract (or title)."""

    sentence: str
    start: int
    end: int
    field: str = "abstract"
    label: str = ""
    anchor: str = ""


def highlight_terms(q: str) -> list[str]:
    """Return the words and "quoted phrases" of a query worth marking in results.

    Operators (OR, AND, NOT, ``|``) and excluded terms (``-word``, ``-"a phrase"``) are
    dropped: excluded terms never appear in the results anyway.
    """
    terms = []
    for negated_phrase, phrase, word in _QUERY_TOKEN_RE.findall(q):
        if phrase:
            if not negated_phrase:
                terms.append(phrase.strip())
            continue
        if word.startswith("-") or word.upper() in _OPERATORS or word in {"|", "-"}:
            continue
        terms.append(word.strip("\"'()"))
    return [term for term in dict.fromkeys(terms) if _WORD_RE.search(term)]


def _stem(word: str) -> str:
    lowered = word.lower()
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) - len(suffix) >= _MIN_STEM:
            return lowered[: -len(suffix)]
    return lowered


def _term_pattern(term: str) -> str | None:
    words = _WORD_RE.findall(term)
    if not words:
        return None
    # Each word matches from the start of a word in the text, with any ending: "cell" marks
    # "cells", "exosom" marks "exosomes"; a phrase's words may be separated by any non-word.
    parts = [re.escape(_stem(word)) + r"\w*" for word in words]
    return r"(?<!\w)" + r"\W+".join(parts)


@functools.lru_cache(maxsize=256)
def _terms_regex(terms: tuple[str, ...]) -> re.Pattern | None:
    """Return one regex for the search terms (a page marks 40 texts with the same terms)."""
    patterns = [pattern for term in terms if (pattern := _term_pattern(term))]
    if not patterns:
        return None
    # Longest alternatives first, so a phrase wins over one of its words at the same place.
    patterns.sort(key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def term_spans(text: str, terms: Iterable[str]) -> list[Highlight]:
    """Return where the search terms occur in ``text``, case-insensitively, in order."""
    regex = _terms_regex(tuple(terms)) if text else None
    if regex is None:
        return []
    return [Highlight(m.start(), m.end()) for m in regex.finditer(text) if m.end() > m.start()]


def _pieces(length: int, highlights: Sequence[Highlight]) -> list[tuple[int, int, list]]:
    """Split ``[0, length)`` at every highlight edge; return (start, end, covering) runs."""
    spans = [h for h in highlights if 0 <= h.start < h.end <= length]
    if not spans:
        return [(0, length, [])]
    edges = sorted({0, length, *(h.start for h in spans), *(h.end for h in spans)})
    return [
        (start, end, [h for h in spans if h.start < end and h.end > start])
        for start, end in itertools.pairwise(edges)
        if end > start
    ]


def _open_mark(covering: list[Highlight], start: int, css_class: str, used: set[str]) -> str:
    """Return the opening ``<mark>`` of a piece, preceded by anchors it cannot carry itself.

    Several highlights can start at one place (a sentence supporting two mechanisms); the
    mark takes the first anchor as its id and each other one gets an empty ``<span>``.
    """
    attributes = []
    anchors = [h.anchor for h in covering if h.anchor and h.start == start and h.anchor not in used]
    anchors = list(dict.fromkeys(anchors))
    used.update(anchors)
    if anchors:
        attributes.append(f'id="{html.escape(anchors[0])}"')
    if css_class:
        attributes.append(f'class="{html.escape(css_class)}"')
    labels = list(dict.fromkeys(h.label for h in covering if h.label))
    if labels:
        attributes.append(f'title="{html.escape("; ".join(labels))}"')
    extra = "".join(f'<span id="{html.escape(anchor)}"></span>' for anchor in anchors[1:])
    return extra + "<mark" + "".join(" " + attribute for attribute in attributes) + ">"


def mark_text(text: str, highlights: Sequence[Highlight], *, css_class: str = "") -> str:
    """Return ``text`` escaped for HTML with each highlight wrapped in ``<mark>``."""
    used: set[str] = set()
    out = []
    for start, end, covering in _pieces(len(text), highlights):
        piece = html.escape(text[start:end], quote=False)
        if covering:
            out.append(f"{_open_mark(covering, start, css_class, used)}{piece}</mark>")
        else:
            out.append(piece)
    return "".join(out)


def inline_html_text(markup: str) -> str:
    """Return the plain text of inline markup: tags removed, entities decoded."""
    return html.unescape(_INLINE_TAG_RE.sub("", markup))


def mark_inline_html(
    markup: str, highlights: Sequence[Highlight], *, css_class: str = ""
) -> str | None:
    """Mark plain-text ranges inside inline markup; None when the markup is not inline-only.

    ``markup`` must be text plus attribute-free ``<i> <b> <u> <sup> <sub>`` tags (what the
    parser stores, after cleaning); offsets count the plain text (:func:`inline_html_text`).
    Text is decoded and escaped again, so the output holds only those tags and ``<mark>``.
    A mark crossing a tag is cut in two, so the result nests properly. Returns None if
    anything else that looks like a tag is left, so the caller can fall back to plain text.
    """
    chunks = _INLINE_TAG_RE.split(markup)
    if any("<" in chunk for chunk in chunks):
        return None  # cleaned markup escapes every other "<"; this is not what we expect
    tags = _INLINE_TAG_RE.findall(markup)
    used: set[str] = set()
    out = []
    offset = 0
    for index, chunk in enumerate(chunks):
        text = html.unescape(chunk)
        local = [
            Highlight(
                max(h.start - offset, 0),
                min(h.end - offset, len(text)),
                h.label,
                h.anchor if h.start >= offset else "",  # a mark continued from the last chunk
            )
            for h in highlights
            if h.start < offset + len(text) and h.end > offset
        ]
        for start, end, covering in _pieces(len(text), local):
            piece = html.escape(text[start:end], quote=False)
            if covering:
                out.append(f"{_open_mark(covering, start, css_class, used)}{piece}</mark>")
            else:
                out.append(piece)
        offset += len(text)
        if index < len(tags):
            out.append(tags[index])
    return "".join(out)


def _section_starts(sections: Sequence[Mapping]) -> list[int]:
    """Return where each section's text starts in the joined abstract."""
    starts = []
    offset = 0
    for section in sections:
        label = section.get("label") or ""
        text_start = offset + (len(label) + 2 if label else 0)
        starts.append(text_start)
        offset = text_start + len(section.get("text") or "") + 1
    return starts


def evidence_spans(
    sections: Sequence[Mapping], evidence: Iterable[Evidence]
) -> list[list[Highlight]]:
    """Return, for each abstract section, the evidence highlights inside its text.

    Offsets are trusted only when the joined abstract still reads the sentence there; a
    sentence spanning a section break is cut at the break (labels are never marked).
    Otherwise (the record changed since tagging) the sentence is looked up in the
    sections' text, and an evidence sentence found nowhere is left out.
    """
    texts = [section.get("text") or "" for section in sections]
    starts = _section_starts(sections)
    abstract = "\n".join(
        f"{section['label']}: {text}" if section.get("label") else text
        for section, text in zip(sections, texts, strict=True)
    )
    found: list[list[Highlight]] = [[] for _ in sections]
    for item in evidence:
        if item.field != "abstract" or not item.sentence:
            continue
        if 0 <= item.start < item.end <= len(abstract) and (
            abstract[item.start : item.end] == item.sentence
        ):
            first = True
            for index, (text_start, text) in enumerate(zip(starts, texts, strict=True)):
                start = max(item.start, text_start) - text_start
                end = min(item.end, text_start + len(text)) - text_start
                if start < end:
                    anchor = item.anchor if first else ""
                    found[index].append(Highlight(start, end, item.label, anchor))
                    first = False
            continue
        for index, text in enumerate(texts):
            position = text.find(item.sentence)
            if position >= 0:
                found[index].append(
                    Highlight(position, position + len(item.sentence), item.label, item.anchor)
                )
                break
    return found


def snippet(
    text: str, highlights: Sequence[Highlight], *, width: int = 280
) -> tuple[str, list[Highlight], bool, bool]:
    """Cut about ``width`` characters of ``text`` around the first highlight, at word breaks.

    Return the window, the highlights shifted into it, and whether text was cut before and
    after it (the caller adds the ellipses).
    """
    if len(text) <= width:
        return text, list(highlights), False, False
    first = min((h.start for h in highlights), default=0)
    start = max(0, first - width // 4)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 40 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    window = text[start:end]
    shifted = [
        Highlight(max(h.start, start) - start, min(h.end, end) - start, h.label, h.anchor)
        for h in highlights
        if h.start < end and h.end > start
    ]
    return window, shifted, start > 0, end < len(text)
