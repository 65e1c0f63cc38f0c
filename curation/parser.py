"""Turn PubMed XML and MEDLINE text into ``PaperRecord``\\ s, one record at a time.

Three entry points, all generators, so a 30,000-record baseline file never sits in memory:

- ``parse_pubmed_xml``: efetch answers (``PubmedArticleSet``) and MEDLINE baseline/update
  files (``MedlineCitationSet`` or ``PubmedArticleSet``, with ``DeleteCitation``).
- ``parse_medline``: PubMed's MEDLINE text format (``.nbib``, what "Save -> PubMed format"
  writes).
- ``parse_file``: opens a path (gzip detected by its magic bytes) and picks one of the two
  by sniffing the content, not the name.

A record that cannot become a ``PaperRecord`` (no PMID, a non-numeric PMID) is yielded as a
``RecordError`` and parsing goes on; a source that stops being parseable (truncated answer,
garbage) yields every record completed before the fault and then raises
``MalformedSourceError``.

Choices worth knowing:

- Inline markup survives only in the ``*_html`` fields and only as ``<i>``, ``<b>``, ``<u>``,
  ``<sup>`` and ``<sub>``; every text node is escaped and every other element contributes
  its escaped text, so the HTML is safe by construction. ``text`` fields never hold markup.
- MathML is rendered into those tags (``msup`` -> ``x<sup>2</sup>``, single-letter ``mi``
  -> ``<i>x</i>``, ``mfrac`` -> ``(a)/(b)``, ``msqrt`` -> ``√(x)``, isotopes written with
  ``mmultiscripts`` -> ``<sup>3</sup>He``); its plain text is the same string without tags
  ("x2", "3He"), which is how PubMed flattens ``<sup>`` in its own MEDLINE output.
  Parentheses are left out around a fraction part or root that is one number or word.
- Whitespace runs (including no-break spaces) collapse to one space in every field.
- Authors with ``ValidYN="N"`` are skipped: NLM marks so a name that is wrong in the
  original and corrected by another ``Author`` element; keeping it would list a person twice.
- ``ReferenceList`` is never read (only ``PubmedData/ArticleIdList`` supplies identifiers),
  and ``CommentsCorrections RefType="Cites"`` (how records before 2018 listed references)
  is dropped, so ``comments_corrections`` holds errata, retractions, comments and updates.
- ``pii`` is the publisher id of ``ArticleIdList`` (MEDLINE ``AID [pii]``);
  ``elocation_id`` is ``ELocationID EIdType="pii"`` (MEDLINE ``LID [pii]``), usually the
  article number ("e30013"). ``pages`` is MedlinePgn/PG exactly as given.
- ``entrez_date`` is the ``entrez`` history date (``pubmed`` when missing); MEDLINE text
  gives it as ``PHST [entrez]``, with ``EDAT`` as the fallback. A linked citation
  (``RefSource``, an ``EIN`` line) loses its final period, on which the formats disagree.
- MEDLINE text is read line by line here rather than with ``Bio.Medline``: Biopython turns
  every wrapped line of a list field (a long ``OT`` keyword, an ``EIN`` citation) into a
  separate item and drops the order of fields, which is what ties each ``AD`` and ``AUID``
  line to its author; it also keeps no raw text for ``source``. Its inline structured
  abstracts are split at "LABEL: " headings that start a sentence and contain a word of
  NLM's heading vocabulary (so "POI: ..." stays text); their NlmCategory is unknown ("").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import html
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from lxml import etree

from curation.records import (
    AbstractSection,
    Author,
    CommentCorrection,
    Deletion,
    Journal,
    MalformedSourceError,
    MalformedXMLError,
    MeshHeading,
    MeshQualifier,
    PaperRecord,
    PubDate,
    RecordError,
    month_number,
)

__all__ = ["parse_file", "parse_medline", "parse_pubmed_xml"]

SOURCE_PUBMED_XML = "pubmed_xml"
SOURCE_MEDLINE = "medline"

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
INLINE_TAGS = frozenset({"i", "b", "u", "sup", "sub"})

_RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "DeleteCitation", "PubmedBookArticle")
_SET_TAGS = frozenset({"PubmedArticleSet", "MedlineCitationSet"})
_GZIP_MAGIC = b"\x1f\x8b"
_SPACE_RUN = re.compile(r"\s+")
_SPACE_AFTER_OPEN_TAG = re.compile(r"(\s)((?:<(?:i|b|u|sup|sub)>)+)\s")
_SPACE_BEFORE_CLOSE_TAG = re.compile(r"\s((?:</(?:i|b|u|sup|sub)>)+)(\s)")
_EMPTY_TAG = re.compile(r"<(i|b|u|sup|sub)></\1>")
_ORCID_DIGITS = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")
# "PMC4665247", "4665247", and in 2016 files "PMC4665247 [Available on 06/15/16]".
_PMCID = re.compile(r"^(?:PMC)?(\d+)(?:\s|$)", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


class _BadRecord(Exception):
    """A record lacks what a PaperRecord needs; becomes a RecordError."""

    def __init__(self, reason: str, pmid: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pmid = pmid


# --- shared helpers ------------------------------------------------------------------


def _collapse(text: str | None) -> str:
    """Return ``text`` with whitespace runs turned into single spaces and stripped."""
    if not text:
        return ""
    # isprintable() is False for any whitespace but " ": then only "  " and the ends can
    # need work. Skipping split/join this way halves the cost on a long abstract.
    if text.isprintable() and "  " not in text:
        return text.strip()
    return " ".join(text.split())


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _tidy_html(markup: str) -> str:
    """Collapse whitespace in built HTML the way ``_collapse`` does for the text."""
    markup = _SPACE_RUN.sub(" ", markup)
    # "a <i> b</i>" and "<i>a </i> b" carry two spaces for one in the text.
    markup = _SPACE_AFTER_OPEN_TAG.sub(r"\1\2", markup)
    markup = _SPACE_BEFORE_CLOSE_TAG.sub(r"\1\2", markup)
    markup = _EMPTY_TAG.sub("", markup)
    return markup.strip()


def _pmid(text: str | None) -> int:
    """Return the PMID in ``text``; raise _BadRecord when it is missing or not a number."""
    value = (text or "").strip()
    if not value:
        raise _BadRecord("the record has no PMID")
    if not value.isascii() or not value.isdigit() or int(value) <= 0:
        raise _BadRecord(f"PMID {value[:40]!r} is not a positive number")
    return int(value)


def _int_or_none(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _safe_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _orcid(text: str | None) -> str:
    """Return a bare "0000-0002-1825-0097" from a URL, a dashed or an undashed ORCID."""
    match = _ORCID_DIGITS.search((text or "").strip().upper())
    return "-".join(match.groups()) if match else ""


def _pmcid(text: str | None) -> str:
    match = _PMCID.match((text or "").strip())
    return f"PMC{match.group(1)}" if match else ""


def _doi(text: str | None) -> str:
    return _DOI_PREFIX.sub("", (text or "").strip())


def _unique(values: list[str]) -> tuple[str, ...]:
    """Return the non-empty values in first-seen order, without repeats."""
    if len(values) == 1:
        return (values[0],) if values[0] else ()
    return tuple(dict.fromkeys(value for value in values if value))


def _citation_text(text: str) -> str:
    """Return a linked citation without its final period.

    The formats disagree about it: "...111044." in RefSource, "...111044. PMID: 1" in EIN.
    """
    return text.strip().removesuffix(".").rstrip()


# --- inline markup and MathML --------------------------------------------------------


def _local_name(tag: object) -> str:
    """Return an element's name without namespace or (undeclared) prefix."""
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    if tag[0] == "{":
        return tag.rpartition("}")[2]
    return tag.rpartition(":")[2]


def _is_mathml_root(tag: str) -> bool:
    if tag.startswith("{"):
        return tag == f"{{{MATHML_NAMESPACE}}}math"
    return tag.rpartition(":")[2] == "math"


def _rich_text(element: etree._Element | None) -> tuple[str, str]:
    """Return ``(text, html)`` for a mixed-content element such as ArticleTitle."""
    if element is None:
        return "", ""
    if len(element) == 0:  # the common case: no markup at all
        text = _collapse(element.text)
        return text, _escape(text)
    texts: list[str] = []
    markup: list[str] = []
    _render_children(element, texts, markup)
    return _collapse("".join(texts)), _tidy_html("".join(markup))


def _render_children(element: etree._Element, texts: list[str], markup: list[str]) -> None:
    """Append the text and HTML of an element's content (not of its own tag)."""
    if element.text:
        texts.append(element.text)
        markup.append(_escape(element.text))
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            name = _local_name(tag)
            if _is_mathml_root(tag):
                text, math_html = _render_math(child)
                texts.append(text)
                markup.append(math_html)
            elif name in INLINE_TAGS and tag == name:
                markup.append(f"<{name}>")
                _render_children(child, texts, markup)
                markup.append(f"</{name}>")
            else:
                # Unknown or unsafe elements keep their text, never their tag or attributes.
                _render_children(child, texts, markup)
        if child.tail:
            texts.append(child.tail)
            markup.append(_escape(child.tail))


_ACCENTS = {
    ".": "\u0307",
    "˙": "\u0307",
    "•": "\u0307",
    "..": "\u0308",
    "¨": "\u0308",
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "¯": "\u0304",
    "‾": "\u0305",
    "_": "\u0332",
    "→": "\u20d7",
}
_MATH_SILENT = frozenset({"annotation", "annotation-xml", "mphantom", "none", "mprescripts"})
_SIMPLE_OPERAND = re.compile(r"^[\w.]+$")


def _math_children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _wrap(tag: str, part: tuple[str, str]) -> tuple[str, str]:
    text, markup = part
    return (text, f"<{tag}>{markup}</{tag}>") if text.strip() else ("", "")


def _join(parts: Iterable[tuple[str, str]]) -> tuple[str, str]:
    texts: list[str] = []
    markups: list[str] = []
    for text, markup in parts:
        texts.append(text)
        markups.append(markup)
    return "".join(texts), "".join(markups)


def _grouped(part: tuple[str, str]) -> tuple[str, str]:
    """Put parentheses around a fraction or root operand unless it is one number/word."""
    text, markup = part
    if _SIMPLE_OPERAND.match(text.strip()):
        return text.strip(), markup.strip()
    return f"({text.strip()})", f"({markup.strip()})"


def _render_math(element: etree._Element) -> tuple[str, str]:
    """Return ``(text, html)`` for one MathML element, HTML limited to i/sup/sub."""
    name = _local_name(element.tag)
    children = _math_children(element)
    if name in _MATH_SILENT:
        return "", ""
    if name == "mi":
        token = _collapse("".join(element.itertext()))
        italic = len(token) == 1 and token.isalpha() and element.get("mathvariant") != "normal"
        return token, f"<i>{_escape(token)}</i>" if italic else _escape(token)
    if name in ("mn", "mo"):
        token = _collapse("".join(element.itertext()))
        return token, _escape(token)
    if name == "mtext":
        token = "".join(element.itertext())
        return token, _escape(token)
    if name == "ms":
        token = '"' + "".join(element.itertext()) + '"'
        return token, _escape(token)
    if name == "mspace":
        return " ", " "
    rendered = [_render_math(child) for child in children]
    if name in ("msup", "msub", "msubsup") and rendered:
        base = rendered[0]
        if name == "msup":
            scripts = [_wrap("sup", rendered[1])] if len(rendered) > 1 else []
        elif name == "msub":
            scripts = [_wrap("sub", rendered[1])] if len(rendered) > 1 else []
        else:
            scripts = [_wrap("sub", part) for part in rendered[1:2]]
            scripts += [_wrap("sup", part) for part in rendered[2:3]]
        return _join([base, *scripts])
    if name == "mmultiscripts" and rendered:
        return _render_multiscripts(children, rendered)
    if name == "mfrac" and len(rendered) >= 2:
        numerator, denominator = _grouped(rendered[0]), _grouped(rendered[1])
        return _join([numerator, ("/", "/"), denominator])
    if name == "msqrt":
        return _join([("√", "√"), _grouped(_join(rendered))])
    if name == "mroot" and rendered:
        index = _wrap("sup", rendered[1]) if len(rendered) > 1 else ("", "")
        return _join([index, ("√", "√"), _grouped(rendered[0])])
    if name in ("mover", "munder", "munderover") and rendered:
        return _render_under_over(rendered)
    if name == "mfenced":
        opening, closing = element.get("open", "("), element.get("close", ")")
        separator = (element.get("separators", ",").strip() or ",")[0]
        inner = ("", "")
        for position, part in enumerate(rendered):
            inner = _join([inner, (separator, _escape(separator)), part] if position else [part])
        return _join([(opening, _escape(opening)), inner, (closing, _escape(closing))])
    if name == "semantics":
        return rendered[0] if rendered else ("", "")
    if name == "mtable":
        return _join(_interleave(rendered, ("; ", "; ")))
    if name in ("mtr", "mlabeledtr"):
        return _join(_interleave(rendered, (" ", " ")))
    # math, mrow, mstyle, mpadded, menclose, merror, mtd, maction and unknown elements.
    parts: list[tuple[str, str]] = []
    for child, part in zip(children, rendered, strict=True):
        parts.append(part)
        if child.tail and child.tail.strip():
            parts.append((child.tail, _escape(child.tail)))
    if element.text and element.text.strip():
        parts.insert(0, (element.text, _escape(element.text)))
    return _join(parts)


def _interleave(parts: list[tuple[str, str]], separator: tuple[str, str]) -> list:
    joined: list[tuple[str, str]] = []
    for position, part in enumerate(parts):
        if position:
            joined.append(separator)
        joined.append(part)
    return joined


def _render_multiscripts(
    children: list[etree._Element], rendered: list[tuple[str, str]]
) -> tuple[str, str]:
    """Render ``<mmultiscripts>`` (base, post sub/sup pairs, mprescripts, pre pairs)."""
    names = [_local_name(child.tag) for child in children]
    split = names.index("mprescripts") if "mprescripts" in names else len(names)
    post, pre = rendered[1:split], rendered[split + 1 :]

    def scripts(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for position, part in enumerate(pairs):
            out.append(_wrap("sub" if position % 2 == 0 else "sup", part))
        return out

    return _join([*scripts(pre), rendered[0], *scripts(post)])


def _render_under_over(rendered: list[tuple[str, str]]) -> tuple[str, str]:
    """Render ``<mover>``/``<munder>``: an accent becomes a combining mark on the base."""
    base_text, base_html = rendered[0]
    rest: list[tuple[str, str]] = []
    for text, markup in rendered[1:]:
        accent = _ACCENTS.get(text.strip())
        if accent is None:
            rest.append((text, markup))
            continue
        base_text += accent
        # Keep the mark inside the base's <i> so it sits on the letter it belongs to.
        closing = re.search(r"(</(?:i|b|u|sup|sub)>)+$", base_html)
        cut = closing.start() if closing else len(base_html)
        base_html = base_html[:cut] + accent + base_html[cut:]
    return _join([(base_text, base_html), *rest])


# --- PubMed XML -----------------------------------------------------------------------


def parse_pubmed_xml(source: BinaryIO | bytes) -> Iterator[PaperRecord | Deletion | RecordError]:
    """Yield the records of PubMed XML (bytes or a binary file), streaming.

    A PaperRecord per ``PubmedArticle`` or set-level ``MedlineCitation``, a Deletion per
    ``DeleteCitation``, a RecordError per record that cannot be read. Never loads or
    downloads a DTD and never resolves entities, so a ``<!DOCTYPE>`` naming an http URL
    parses offline. Gzip-compressed ``bytes`` are decompressed. An empty
    ``PubmedArticleSet`` yields nothing; a well-formed document of another kind (an
    ``eSearchResult``, an ``eFetchResult`` carrying an ``ERROR``) raises
    MalformedSourceError after the parse, as does XML that stops being well-formed, once
    every record completed before the fault has been yielded (MalformedXMLError, for XML
    that stops being well-formed).
    """
    if isinstance(source, str):
        raise TypeError("parse_pubmed_xml() takes bytes or a binary file, not str")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if data[:2] == _GZIP_MAGIC:
            data = gzip.decompress(data)
        source = io.BytesIO(data)
    context = etree.iterparse(
        source,
        events=("end",),
        tag=_RECORD_TAGS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    count = 0
    try:
        for _event, element in context:
            tag = element.tag
            parent = element.getparent()
            if tag == "MedlineCitation" and parent is not None and parent.tag == "PubmedArticle":
                continue  # read with its PubmedArticle
            count += 1
            yield from _read_item(element, count)
            # Free what has been read: the element and everything before it in the set.
            element.clear(keep_tail=True)
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        # This parse's own log: the exception's may carry errors of earlier parses.
        log = context.error_log
        fatal = [entry for entry in log if entry.domain_name != "NAMESPACE"]
        if fatal or not len(log):
            entry = fatal[-1] if fatal else None
            raise MalformedXMLError(
                line=entry.line if entry else exc.lineno,
                column=entry.column if entry else (exc.position[1] if exc.position else 0),
                detail=(entry.message if entry else exc.msg).strip(),
                records=count,
            ) from exc
        # Only namespace errors (an undeclared "mml:" prefix): every record was read.
    root = getattr(context, "root", None)
    if root is not None and root.tag not in _SET_TAGS and root.tag not in _RECORD_TAGS:
        # efetch reports a bad request as <eFetchResult><ERROR>...</ERROR></eFetchResult>.
        detail = _collapse(root.findtext(".//ERROR"))[:200]
        raise MalformedSourceError(
            f"expected a PubmedArticleSet or MedlineCitationSet, got <{root.tag}>"
            + (f": {detail}" if detail else "")
        )


def parse_pubmed_document(data: bytes) -> Iterator[PaperRecord | Deletion | RecordError]:
    """Yield the records of a PubMed XML document held in memory, as ``parse_pubmed_xml``.

    The whole tree is built at once, which for a document of a few MB (a piece of a file,
    ``curation.parallel``) costs half of what reading it as a stream does. A document
    that is not a well-formed set is read by ``parse_pubmed_xml``, which yields the
    records before the fault and reports it the same way.
    """
    try:
        root = etree.fromstring(data, _document_parser())
    except etree.XMLSyntaxError:
        root = None
    if root is None or root.tag not in _SET_TAGS:
        yield from parse_pubmed_xml(data)
        return
    count = 0
    for element in root:
        if element.tag in _RECORD_TAGS:
            count += 1
            yield from _read_item(element, count)


@functools.cache
def _document_parser() -> etree.XMLParser:
    # As iterparse in parse_pubmed_xml: no DTD, no network, no entities resolved.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _read_item(element: etree._Element, count: int) -> list[PaperRecord | Deletion | RecordError]:
    """Return what one top-level element of the set turns into.

    A list rather than a generator: this runs thousands of times a second.
    """
    position = f"record {count}"
    tag = element.tag
    if tag == "DeleteCitation":
        items: list[PaperRecord | Deletion | RecordError] = []
        pmids: list[int] = []
        for pmid_element in element.iterchildren("PMID"):
            try:
                pmids.append(_pmid(pmid_element.text))
            except _BadRecord as exc:
                items.append(RecordError(reason=f"DeleteCitation: {exc.reason}", position=position))
        if pmids:
            items.append(Deletion(pmids=tuple(pmids)))
        return items
    if tag == "PubmedBookArticle":
        return [
            RecordError(
                reason="a PubmedBookArticle (book or chapter) is not a journal article",
                pmid=_int_or_none(element.findtext("BookDocument/PMID")),
                position=position,
            )
        ]
    if tag == "PubmedArticle":
        citation = element.find("MedlineCitation")
        pubmed_data = element.find("PubmedData")
    else:
        citation, pubmed_data = element, None
    if citation is None:
        return [RecordError(reason="PubmedArticle has no MedlineCitation", position=position)]
    try:
        return [_citation_record(citation, pubmed_data, element)]
    except _BadRecord as exc:
        return [RecordError(reason=exc.reason, pmid=exc.pmid, position=position)]


def _plain(element: etree._Element | None) -> str:
    """Return an element's text without markup, whitespace collapsed."""
    if element is None:
        return ""
    return _collapse("".join(element.itertext()) if len(element) else element.text)


def _date_parts(element: etree._Element) -> dict[str, str]:
    return {part.tag: part.text for part in element if part.text}


def _xml_date(element: etree._Element | None) -> dt.date | None:
    """Return a Year/Month/Day element as a date; None when incomplete or impossible."""
    if element is None:
        return None
    year = month = day = None
    for part in element:
        tag, text = part.tag, part.text
        if tag == "Year":
            year = _int_or_none(text)
        elif tag == "Month":
            month = month_number(text) if text else None
        elif tag == "Day":
            day = _int_or_none(text)
    return _safe_date(year, month, day)


def _xml_pub_date(element: etree._Element | None) -> PubDate:
    """Return a PubDate from Year/Month/Day, Season or MedlineDate; "Aug" and "08" alike."""
    if element is None:
        return PubDate()
    parts = _date_parts(element)
    medline_date = _collapse(parts.get("MedlineDate"))
    if medline_date:
        return PubDate.from_medline_date(medline_date)
    year = _int_or_none(parts.get("Year"))
    month_text = _collapse(parts.get("Month"))
    season = _collapse(parts.get("Season"))
    month = month_number(month_text) if month_text else None
    if month_text and month is None:
        season = season or month_text
    day = _int_or_none(parts.get("Day")) if month else None
    if day is not None and not 1 <= day <= 31:
        day = None
    return PubDate(year=year, month=month, day=day, season=season)


def _xml_abstract(container: etree._Element) -> tuple[tuple[AbstractSection, ...], str]:
    """Return the sections and copyright line of an Abstract or OtherAbstract."""
    sections = []
    copyright_text = ""
    for part in container:
        if part.tag == "AbstractText":
            text, markup = _rich_text(part)
            label = _collapse(part.get("Label"))
            if text or label:
                category = _collapse(part.get("NlmCategory"))
                sections.append(
                    AbstractSection(label=label, category=category, text=text, html=markup)
                )
        elif part.tag == "CopyrightInformation":
            copyright_text = _plain(part)
    return tuple(sections), copyright_text


def _xml_author(author: etree._Element) -> Author | None:
    """Return the Author of an ``<Author>``; None when it names nobody."""
    names: dict[str, str] = {}
    orcid = ""
    affiliations: list[str] = []
    for part in author:
        tag = part.tag
        if tag == "AffiliationInfo":
            for line in part.iterchildren("Affiliation"):
                affiliation = _plain(line)
                if affiliation and affiliation not in affiliations:
                    affiliations.append(affiliation)
        elif tag == "Identifier":
            if not orcid and (part.get("Source") or "").upper() == "ORCID":
                orcid = _orcid(part.text)
        elif isinstance(tag, str):
            # LastName, ForeName, Initials, Suffix, CollectiveName: inlined _plain (hot).
            text = "".join(part.itertext()) if len(part) else part.text
            names[tag] = " ".join(text.split()) if text else ""  # short: split is fastest
    last_name = names.get("LastName", "")
    fore_name = names.get("ForeName", "")
    collective_name = names.get("CollectiveName", "")
    if not (last_name or fore_name or collective_name):
        return None
    return Author(
        last_name=last_name,
        fore_name=fore_name,
        initials=names.get("Initials", ""),
        suffix=names.get("Suffix", ""),
        collective_name=collective_name,
        orcid=orcid,
        affiliations=tuple(affiliations),
    )


def _xml_authors(author_list: etree._Element) -> list[Author]:
    """Return the valid authors of an ``<AuthorList>`` in their order."""
    if author_list.get("Type", "authors") != "authors":
        return []  # the editors of a book
    authors = []
    for element in author_list.iterchildren("Author"):
        if element.get("ValidYN") == "N":
            continue
        author = _xml_author(element)
        if author is not None:
            authors.append(author)
    return authors


def _xml_mesh(heading_list: etree._Element) -> tuple[MeshHeading, ...]:
    """Return the descriptors of a ``<MeshHeadingList>`` with their qualifiers."""
    headings = []
    for heading in heading_list.iterchildren("MeshHeading"):
        descriptor: etree._Element | None = None
        qualifiers = []
        for part in heading:
            if part.tag == "DescriptorName":
                descriptor = part
            elif part.tag == "QualifierName":
                qualifiers.append(
                    MeshQualifier(
                        name=_plain(part),
                        ui=part.get("UI", ""),
                        major_topic=part.get("MajorTopicYN") == "Y",
                    )
                )
        if descriptor is not None:
            headings.append(
                MeshHeading(
                    descriptor=_plain(descriptor),
                    ui=descriptor.get("UI", ""),
                    major_topic=descriptor.get("MajorTopicYN") == "Y",
                    qualifiers=tuple(qualifiers),
                )
            )
    return tuple(headings)


def _xml_comments(link_list: etree._Element) -> list[CommentCorrection]:
    """Return the links of a ``<CommentsCorrectionsList>``, without "Cites"."""
    links = []
    for link in link_list.iterchildren("CommentsCorrections"):
        ref_type = link.get("RefType", "")
        if ref_type == "Cites":
            continue  # until 2018 PubMed listed the paper's references here: not links
        links.append(
            CommentCorrection(
                ref_type=ref_type,
                pmid=_int_or_none(link.findtext("PMID")),
                source=_citation_text(_plain(link.find("RefSource"))),
            )
        )
    return links


def _xml_journal(
    journal: etree._Element | None, journal_info: etree._Element | None
) -> tuple[Journal, etree._Element | None]:
    """Return the Journal and its JournalIssue element."""
    values: dict[str, str] = {}
    journal_issue = None
    for container in (journal, journal_info):
        if container is None:
            continue
        for part in container:
            tag = part.tag
            if tag == "JournalIssue":
                journal_issue = part
            elif tag == "ISSN":
                values.setdefault("issn", _plain(part))
                values.setdefault("issn_type", part.get("IssnType", ""))
            elif isinstance(tag, str):
                values.setdefault(tag, _plain(part))
    return (
        Journal(
            title=values.get("Title", ""),
            iso_abbreviation=values.get("ISOAbbreviation", ""),
            medline_ta=values.get("MedlineTA", ""),
            issn=values.get("issn", ""),
            issn_type=values.get("issn_type", ""),
            issn_linking=values.get("ISSNLinking", ""),
            nlm_unique_id=values.get("NlmUniqueID", ""),
            country=values.get("Country", ""),
        ),
        journal_issue,
    )


def _xml_pages(pagination: etree._Element) -> str:
    """Return MedlinePgn, else "StartPage-EndPage", else whichever page there is."""
    parts = {part.tag: _plain(part) for part in pagination}
    pages = parts.get("MedlinePgn", "")
    if not pages:
        start, end = parts.get("StartPage", ""), parts.get("EndPage", "")
        pages = f"{start}-{end}" if start and end else start or end
    return pages


def _xml_pubmed_data(pubmed_data: etree._Element | None) -> tuple[dict[str, str], dt.date | None]:
    """Return the article's own ids by type and its entrez date."""
    article_ids: dict[str, str] = {}
    history: dict[str, etree._Element] = {}
    if pubmed_data is None:
        return article_ids, None
    for part in pubmed_data:
        # Only PubmedData/ArticleIdList: ReferenceList holds the ids of cited papers.
        if part.tag == "ArticleIdList":
            for article_id in part.iterchildren("ArticleId"):
                kind = (article_id.get("IdType") or "").lower()
                value = _collapse(article_id.text)
                if kind and value:
                    article_ids.setdefault(kind, value)
        elif part.tag == "History":
            for date in part.iterchildren("PubMedPubDate"):
                history.setdefault(date.get("PubStatus") or "", date)
    entrez_date = _xml_date(history.get("entrez")) or _xml_date(history.get("pubmed"))
    return article_ids, entrez_date


def _citation_record(
    citation: etree._Element, pubmed_data: etree._Element | None, element: etree._Element
) -> PaperRecord:
    """Return the PaperRecord of a MedlineCitation (and its PubmedArticle's PubmedData).

    Children are visited once each instead of looked up by path: it is the hot loop.
    """
    pmid_text: str | None = None
    article = journal_info = None
    mesh: tuple[MeshHeading, ...] = ()
    keywords: list[str] = []
    comments: list[CommentCorrection] = []
    other_abstracts: list[etree._Element] = []
    other_ids: list[str] = []
    date_completed = date_revised = None
    for part in citation:
        tag = part.tag
        if tag == "PMID":
            pmid_text = part.text if pmid_text is None else pmid_text
        elif tag == "Article":
            article = part
        elif tag == "MedlineJournalInfo":
            journal_info = part
        elif tag == "MeshHeadingList":
            mesh = _xml_mesh(part)
        elif tag == "KeywordList":
            keywords.extend(_plain(keyword) for keyword in part.iterchildren("Keyword"))
        elif tag == "CommentsCorrectionsList":
            comments = _xml_comments(part)
        elif tag == "DateCompleted":
            date_completed = _xml_date(part)
        elif tag == "DateRevised":
            date_revised = _xml_date(part)
        elif tag == "OtherAbstract":
            other_abstracts.append(part)
        elif tag == "OtherID":
            other_ids.append(part.text or "")
    pmid = _pmid(pmid_text)
    if article is None:
        raise _BadRecord("the record has no Article", pmid=pmid)

    journal = None
    title = title_html = vernacular_title = pages = copyright_text = ""
    sections: tuple[AbstractSection, ...] = ()
    location_ids: dict[str, str] = {}
    authors: list[Author] = []
    languages: list[str] = []
    publication_types: list[str] = []
    article_date = None
    for part in article:
        tag = part.tag
        if tag == "Journal":
            journal = part
        elif tag == "ArticleTitle":
            title, title_html = _rich_text(part)
        elif tag == "Pagination":
            pages = _xml_pages(part)
        elif tag == "ELocationID":
            kind = (part.get("EIdType") or "").lower()
            value = _collapse(part.text)
            if kind and value and part.get("ValidYN") != "N":
                location_ids.setdefault(kind, value)
        elif tag == "Abstract":
            sections, copyright_text = _xml_abstract(part)
        elif tag == "AuthorList":
            authors.extend(_xml_authors(part))
        elif tag == "Language":
            languages.append(_plain(part))
        elif tag == "PublicationTypeList":
            publication_types.extend(_plain(kind) for kind in part)
        elif tag == "VernacularTitle":
            vernacular_title = _plain(part)
        elif (
            tag == "ArticleDate"
            and article_date is None
            and part.get("DateType", "Electronic") == "Electronic"
        ):
            article_date = _xml_date(part)
    if not sections:
        # A translated abstract stands in only when it is in English.
        for other in other_abstracts:
            if other.get("Language") == "eng":
                sections, other_copyright = _xml_abstract(other)
                copyright_text = copyright_text or other_copyright
                if sections:
                    break

    journal_record, journal_issue = _xml_journal(journal, journal_info)
    volume = issue = ""
    pub_date = PubDate()
    if journal_issue is not None:
        for part in journal_issue:
            if part.tag == "Volume":
                volume = _plain(part)
            elif part.tag == "Issue":
                issue = _plain(part)
            elif part.tag == "PubDate":
                pub_date = _xml_pub_date(part)

    article_ids, entrez_date = _xml_pubmed_data(pubmed_data)
    pmcid = _pmcid(article_ids.get("pmc"))
    if not pmcid:
        # MEDLINE files without PubmedData carry the PMCID as <OtherID Source="NLM">.
        pmcid = next((_pmcid(text) for text in other_ids if text.strip()[:3] == "PMC"), "")

    return PaperRecord(
        pmid=pmid,
        title=title,
        title_html=title_html,
        vernacular_title=vernacular_title,
        abstract_sections=sections,
        copyright=copyright_text,
        journal=journal_record,
        volume=volume,
        issue=issue,
        pages=pages,
        elocation_id=location_ids.get("pii", ""),
        pub_date=pub_date,
        article_date=article_date,
        languages=_unique(languages),
        publication_types=_unique(publication_types),
        mesh_headings=mesh,
        keywords=_unique(keywords),
        comments_corrections=tuple(comments),
        status=citation.get("Status", ""),
        date_completed=date_completed,
        date_revised=date_revised,
        entrez_date=entrez_date,
        doi=_doi(article_ids.get("doi") or location_ids.get("doi")),
        pmcid=pmcid,
        pii=article_ids.get("pii", ""),
        authors=tuple(authors),
        source_format=SOURCE_PUBMED_XML,
        source=etree.tostring(element, encoding="unicode", with_tail=False),
    )


# --- MEDLINE text ---------------------------------------------------------------------

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- ?(.*)$")
_IDENTIFIER = re.compile(r"^(.*?)\s*\[([A-Za-z-]+)\]$")
_LINKED_PMID = re.compile(r"^(.*?)\s*\.?\s*PMID:\s*(\d+)\s*\.?$")
_AUTHOR_SUFFIXES = frozenset({"Jr", "Sr", "2nd", "3rd", "4th", "II", "III", "IV", "V"})
_COMMENT_TAGS = {
    "CON": "CommentOn",
    "CIN": "CommentIn",
    "EIN": "ErratumIn",
    "EFR": "ErratumFor",
    "CRI": "CorrectedandRepublishedIn",
    "CRF": "CorrectedandRepublishedFrom",
    "PRIN": "PartialRetractionIn",
    "PROF": "PartialRetractionOf",
    "RPI": "RepublishedIn",
    "RPF": "RepublishedFrom",
    "RIN": "RetractionIn",
    "ROF": "RetractionOf",
    "RRI": "RetractedandRepublishedIn",
    "RRF": "RetractedandRepublishedFrom",
    "UIN": "UpdateIn",
    "UOF": "UpdateOf",
    "SPIN": "SummaryForPatientsIn",
    "ORI": "OriginalReportIn",
    "ECI": "ExpressionOfConcernIn",
    "ECF": "ExpressionOfConcernFor",
}
# Words of PubMed's structured-abstract headings; a capitalised "LABEL: " at a sentence
# start only opens a section when it contains one, so "POI: ..." or "HIV: ..." do not.
_HEADING_WORD_LIST = """
    ABSTRACT AIM AIMS ANALYSIS ANALYSES ANIMALS APPLICATION APPLICATIONS APPROACH
    AVAILABILITY BACKGROUND BACKGROUNDS CASE CASES CLINICAL COMMENT COMMENTS CONCLUSION
    CONCLUSIONS CONTEXT CONTRIBUTION CRITERIA DATA DESCRIPTION DESIGN DISCUSSION
    DISSEMINATION ELIGIBILITY ETHICS EVIDENCE EXPERIMENTAL EXPOSURE EXPOSURES EXTRACTION
    FINDINGS FUNDING GOAL GOALS HYPOTHESIS IMPLICATIONS IMPORTANCE INTERPRETATION
    INTERVENTION INTERVENTIONS INTRODUCTION KEYWORDS LIMITATIONS MATERIAL MATERIALS
    MEASUREMENT MEASUREMENTS MEASURES METHOD METHODOLOGY METHODS MOTIVATION NOVELTY
    OBJECTIVE OBJECTIVES OBSERVATION OBSERVATIONS OUTCOME OUTCOMES PARTICIPANTS PATIENTS
    PERSPECTIVE PERSPECTIVES POPULATION PRESENTATION PROCEDURE PROCEDURES PROTOCOL PURPOSE
    PURPOSES QUESTION QUESTIONS RATIONALE RECOMMENDATION RECOMMENDATIONS REGISTRATION
    RELEVANCE RESULT RESULTS REVIEW SAMPLE SAMPLES SCOPE SELECTION SETTING SETTINGS
    SIGNIFICANCE SOURCES STRENGTHS STUDY SUBJECTS SUMMARY SYNTHESIS TRIAL UNLABELLED
"""
_HEADING_WORDS = frozenset(_HEADING_WORD_LIST.split())
_HEADING = re.compile(r"(?:^|(?<=[.?!] ))([A-Z][A-Z0-9]*(?:[ ,/&-]+[A-Z0-9]+)*):(?: |$)")
_HEADING_SPLIT = re.compile(r"[ ,/&-]+")


def parse_medline(source: TextIO | str) -> Iterator[PaperRecord | RecordError]:
    """Yield a PaperRecord per record of MEDLINE text (a string or a text file).

    Records are separated by blank lines (a ``PMID-`` line also starts a new one).
    A record without PMID, or whose PMID is not a number, becomes a RecordError; text
    whose first line is not a MEDLINE field ("XXXX- value") raises MalformedSourceError.
    """
    lines: Iterable[str] = source.splitlines() if isinstance(source, str) else source
    for number, (start, raw_lines) in enumerate(_medline_chunks(lines), start=1):
        position = f"record {number} (line {start})"
        try:
            yield _medline_record(raw_lines, start)
        except _BadRecord as exc:
            yield RecordError(reason=exc.reason, pmid=exc.pmid, position=position)


def _medline_chunks(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first line number, lines)`` per record."""
    chunk: list[str] = []
    start = 0
    seen_content = False
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            if chunk:
                yield start, chunk
                chunk = []
            continue
        if not seen_content:
            seen_content = True
            if not _TAG_LINE.match(line):
                raise MalformedSourceError(
                    f"not MEDLINE text: line {number} should start with a field "
                    f"such as 'PMID- ', found {line[:60]!r}"
                )
        if chunk and line.startswith("PMID-"):
            yield start, chunk
            chunk = []
        if not chunk:
            start = number
        chunk.append(line)
    if chunk:
        yield start, chunk


def _medline_fields(raw_lines: list[str], start: int) -> list[tuple[str, str]]:
    """Return the record's ``(tag, value)`` pairs in order, wrapped lines joined."""
    fields: list[tuple[str, list[str]]] = []
    for offset, line in enumerate(raw_lines):
        match = None if line[:1].isspace() else _TAG_LINE.match(line)
        if match:
            fields.append((match.group(1), [match.group(2)]))
        elif fields:
            fields[-1][1].append(line)  # a wrapped line, indented or not
        else:
            raise _BadRecord(f"line {start + offset} is not a MEDLINE field: {line.strip()[:60]!r}")
    return [(tag, _collapse(" ".join(parts))) for tag, parts in fields]


def _compact_date(text: str) -> dt.date | None:
    """Return a date from "20221012" (DCOM, LR, DEP) or "2022/10/12 06:00" (EDAT)."""
    digits = re.match(r"^(\d{4})/?(\d{2})/?(\d{2})", text.strip())
    if not digits:
        return None
    return _safe_date(*(int(part) for part in digits.groups()))


def _split_abstract(text: str) -> tuple[AbstractSection, ...]:
    """Split an inline structured abstract ("BACKGROUND: ... METHODS: ...") into sections."""
    if not text:
        return ()
    headings = [
        match
        for match in _HEADING.finditer(text)
        if len(match.group(1)) <= 80
        and _HEADING_WORDS.intersection(_HEADING_SPLIT.split(match.group(1)))
    ]
    if not headings:
        return (AbstractSection(text=text, html=_escape(text)),)
    sections = []
    preface = text[: headings[0].start()].strip()
    if preface:
        sections.append(AbstractSection(text=preface, html=_escape(preface)))
    for position, match in enumerate(headings):
        end = headings[position + 1].start() if position + 1 < len(headings) else len(text)
        body = text[match.end() : end].strip()
        sections.append(AbstractSection(label=match.group(1), text=body, html=_escape(body)))
    return tuple(sections)


def _split_short_author(au: str, last_name: str) -> tuple[str, str, str]:
    """Return ``(last name, initials, suffix)`` from an AU value such as "Smith JA Jr"."""
    if last_name and au.startswith(last_name + " "):
        rest = au[len(last_name) + 1 :].split()
        last = last_name
    else:
        words = au.split()
        if len(words) > 1 and words[-1] in _AUTHOR_SUFFIXES:
            last, rest = " ".join(words[:-2]) or words[0], words[-2:]
        elif len(words) > 1:
            last, rest = " ".join(words[:-1]), words[-1:]
        else:
            return au, "", ""
    suffix = rest.pop() if len(rest) > 1 and rest[-1] in _AUTHOR_SUFFIXES else ""
    return last, " ".join(rest), suffix


@dataclass(slots=True)
class _AuthorDraft:
    """An author being read from FAU/AU/CN lines and the AD/AUID lines that follow them."""

    last: str = ""
    fore: str = ""
    collective: str = ""
    initials: str = ""
    suffix: str = ""
    has_short: bool = False
    orcid: str = ""
    affiliations: list[str] = field(default_factory=list)

    def build(self) -> Author:
        fore = self.fore
        if self.suffix and fore.endswith(" " + self.suffix):
            fore = fore[: -len(self.suffix) - 1]
        return Author(
            last_name=self.last,
            fore_name=fore,
            initials=self.initials,
            suffix=self.suffix,
            collective_name=self.collective,
            orcid=self.orcid,
            affiliations=_unique(self.affiliations),
        )


def _medline_authors(fields: list[tuple[str, str]]) -> tuple[Author, ...]:
    """Return the authors of a record, each with the AD and AUID lines that follow it."""
    drafts: list[_AuthorDraft] = []
    current: _AuthorDraft | None = None
    pending_affiliations: list[str] = []
    for tag, value in fields:
        if tag == "FAU":
            last, _, fore = value.partition(",")
            current = _AuthorDraft(last=last.strip(), fore=fore.strip())
            drafts.append(current)
        elif tag == "AU":
            if current is None or current.has_short or current.collective:
                current = _AuthorDraft()
                drafts.append(current)
            last, initials, suffix = _split_short_author(value, current.last)
            current.last = current.last or last
            current.initials, current.suffix, current.has_short = initials, suffix, True
        elif tag == "CN":
            current = _AuthorDraft(collective=value)
            drafts.append(current)
        elif tag in ("IR", "FIR"):
            current = None  # investigators are not authors; their lines are not either
        elif tag == "AD" and value:
            if current is None:
                pending_affiliations.append(value)
            else:
                current.affiliations.append(value)
        elif tag == "AUID" and current is not None and value.upper().startswith("ORCID"):
            current.orcid = current.orcid or _orcid(value)
        if current is not None and pending_affiliations and tag in ("FAU", "AU", "CN"):
            current.affiliations[:0] = pending_affiliations
            pending_affiliations = []
    return tuple(draft.build() for draft in drafts if draft.last or draft.collective)


def _medline_mesh(value: str) -> MeshHeading:
    """Read "*Mesenchymal Stem Cells/cytology/*metabolism" (a star marks a major topic)."""
    descriptor, *qualifiers = (part.strip() for part in value.split("/"))
    return MeshHeading(
        descriptor=descriptor.lstrip("*").strip(),
        major_topic=descriptor.startswith("*"),
        qualifiers=tuple(
            MeshQualifier(name=name.lstrip("*").strip(), major_topic=name.startswith("*"))
            for name in qualifiers
            if name.lstrip("*").strip()
        ),
    )


def _medline_comment(ref_type: str, value: str) -> CommentCorrection:
    """Read "Cell Rep. 2022 Jun 28;39(13):111044. PMID: 35767954" (an EIN, RIN... line)."""
    match = _LINKED_PMID.match(value)
    if match:
        return CommentCorrection(
            ref_type=ref_type, pmid=int(match.group(2)), source=_citation_text(match.group(1))
        )
    return CommentCorrection(ref_type=ref_type, source=_citation_text(value))


def _medline_record(raw_lines: list[str], start: int) -> PaperRecord:
    """Return the PaperRecord of one MEDLINE record; raise _BadRecord without a PMID."""
    fields = _medline_fields(raw_lines, start)
    values: dict[str, list[str]] = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(value)

    def first(tag: str) -> str:
        return values.get(tag, [""])[0]

    pmid = _pmid(first("PMID") if "PMID" in values else None)

    issn = issn_type = issn_linking = ""
    for value in values.get("IS", []):
        match = _IDENTIFIER.match(value.replace("(", "[").replace(")", "]"))
        number, kind = (match.group(1), match.group(2)) if match else (value, "")
        if kind == "Linking":
            issn_linking = issn_linking or number
        elif not issn:
            issn, issn_type = number, kind

    identifiers: dict[str, str] = {}
    for tag in ("LID", "AID"):
        for value in values.get(tag, []):
            match = _IDENTIFIER.match(value)
            if match:
                identifiers.setdefault(f"{tag}:{match.group(2).lower()}", match.group(1))

    # PHST "[entrez]" is the XML's PubMedPubDate PubStatus="entrez"; EDAT is the "pubmed"
    # one, hours later. Prefer the former so both formats give the same date.
    history = {
        match.group(2): match.group(1)
        for match in (_IDENTIFIER.match(value) for value in values.get("PHST", []))
        if match
    }
    entrez_date = _compact_date(history.get("entrez", "")) or _compact_date(first("EDAT"))
    entrez_date = entrez_date or _compact_date(history.get("pubmed", ""))

    title = first("TI")
    comments = tuple(
        _medline_comment(_COMMENT_TAGS[tag], value) for tag, value in fields if tag in _COMMENT_TAGS
    )
    return PaperRecord(
        pmid=pmid,
        title=title,
        title_html=_escape(title),
        vernacular_title=first("TT"),
        abstract_sections=_split_abstract(first("AB")),
        copyright=first("CI"),
        journal=Journal(
            title=first("JT"),
            medline_ta=first("TA"),
            issn=issn,
            issn_type=issn_type,
            issn_linking=issn_linking,
            nlm_unique_id=first("JID"),
            country=first("PL"),
        ),
        volume=first("VI"),
        issue=first("IP"),
        pages=first("PG"),
        elocation_id=identifiers.get("LID:pii", ""),
        pub_date=PubDate.from_medline_date(first("DP")) if first("DP") else PubDate(),
        article_date=_compact_date(first("DEP")),
        languages=_unique(values.get("LA", [])),
        publication_types=_unique(values.get("PT", [])),
        mesh_headings=tuple(_medline_mesh(value) for value in values.get("MH", []) if value),
        keywords=_unique(values.get("OT", [])),
        comments_corrections=comments,
        status=first("STAT"),
        date_completed=_compact_date(first("DCOM")),
        date_revised=_compact_date(first("LR")),
        entrez_date=entrez_date,
        doi=_doi(identifiers.get("AID:doi") or identifiers.get("LID:doi")),
        pmcid=_pmcid(first("PMC")) or _pmcid(identifiers.get("AID:pmc")),
        pii=identifiers.get("AID:pii", ""),
        authors=_medline_authors(fields),
        source_format=SOURCE_MEDLINE,
        source="\n".join(raw_lines) + "\n",
    )


# --- files ----------------------------------------------------------------------------


def parse_file(path: str | Path) -> Iterator[PaperRecord | Deletion | RecordError]:
    """Yield the records of a PubMed XML or MEDLINE text file, gzip-compressed or not.

    The format is read from the content (gzip magic bytes, then ``<`` for XML or a
    ``PMID- `` style field line for MEDLINE), so a misnamed file still works. Unknown
    content, decoding errors and malformed content raise MalformedSourceError naming
    the file.
    """
    path = Path(path)
    with open_binary(path) as stream:
        try:
            head = stream.peek(512)[:512]  # type: ignore[attr-defined]
            kind = _sniff(head)
            if kind is None:
                preview = head[:40].decode("utf-8", "replace")
                message = "is empty" if not head.strip() else f"starts with {preview!r}"
                raise MalformedSourceError(
                    f"{path}: not PubMed XML or MEDLINE text (the content {message})"
                )
            if kind == "xml":
                yield from parse_pubmed_xml(stream)
            else:
                text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline=None)
                yield from parse_medline(text)
        except MalformedSourceError as exc:
            if str(exc).startswith(f"{path}:"):
                raise
            raise MalformedSourceError(f"{path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise MalformedSourceError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise MalformedSourceError(f"{path}: the gzip data is damaged ({exc})") from exc


@contextlib.contextmanager
def open_binary(path: str | Path) -> Iterator[BinaryIO]:
    """Open a file for reading bytes (with ``peek``), decompressed when it is gzip-compressed."""
    with Path(path).open("rb") as raw:
        if raw.peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield raw


def _sniff(head: bytes) -> str | None:
    """Return "xml", "medline" or None for the first bytes of a file."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "xml"
    if re.match(rb"[A-Z][A-Z0-9]{0,3} *- ", text):
        return "medline"
    return None
