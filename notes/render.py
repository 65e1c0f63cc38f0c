"""Render a researcher's note (a little markdown) to sanitized HTML: the one pipeline.

The live preview, the save and every page that shows a note call :func:`render_note`, so a
note looks the same everywhere and the sanitizer can never be skipped by one caller.

Supported syntax, exactly what the notes box's help promises and nothing more:

- ``*italics*`` -> ``<em>``, ``_underline_`` -> ``<u>``, ``**bold**`` -> ``<strong>``
  (``__x__`` is bold too, as in all markdown). Underscores inside words stay literal, so
  gene and variable names such as ``hsa_circ_0002021`` or ``snake_case_name`` survive.
- ``<sup>text</sup>`` and ``<sub>text</sub>``: the only raw HTML that renders, only
  without attributes and only when the closing tag matches (nesting one in the other works).
  Every other ``<tag>`` is shown as text; ``\\<sup>`` shows the tag itself.
- Lists: ``1.`` numbered lines, ``-`` or ``*`` bullets. A list may directly follow a line of
  text (no blank line needed, as in CommonMark), numbered lists must start at 1 to do that.
  Nested items are indented by four spaces.
- Links ``[text](http://...)`` (http, https, mailto) and images
  ``![alt](https://... "Title")`` (http, https).
- Footnotes: ``[^1]`` with ``[^1]: text`` anywhere in the note, and the inline form
  ``[^1](text)``; both end up in one numbered list under the note. When an inline footnote's
  label is already taken (by a ``[^1]: ...`` definition or an earlier inline footnote), the
  inline one still becomes its own footnote with its own number: nothing a researcher typed
  is dropped, and ``[^1]`` keeps pointing at the ``[^1]: ...`` definition. An inline
  footnote inside a footnote's text is shown as typed.
- A single line break is kept as ``<br>`` (researchers type notes line by line).

Headings, block quotes, code, horizontal rules, reference-style links and autolinks are
not part of the syntax and come out as the text that was typed.

Footnote ids carry the caller's namespace (``fn-n42-1``, ``fnref-n42-1``) so any number of
notes can share one page. The HTML is then cleaned by bleach against an allowlist of exactly
what the renderer emits; see :func:`sanitize_html`.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown.extensions import Extension
from markdown.extensions.footnotes import (
    FootnoteBlockProcessor,
    FootnoteExtension,
    FootnoteTreeprocessor,
)
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "MAX_NOTE_LENGTH",
    "RENDERER_VERSION",
    "NoteTooLongError",
    "RenderedNote",
    "note_length",
    "render_note",
    "sanitize_html",
]

MAX_NOTE_LENGTH = 300

# The leading number is ours: bump it whenever the output for some input changes. The library
# versions are appended so that upgrading Python-Markdown or bleach (which can change output
# too) re-renders stored notes without anyone having to remember to bump.
RENDERER_VERSION = f"1+markdown{markdown.__version__}+bleach{bleach.__version__}"

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "u", "sup", "sub", "ol", "ul", "li", "a", "img", "div", "hr"}
)
# What may survive on each tag. Values are checked further in _allow_attribute (URL schemes,
# footnote ids and classes); rel, loading and referrerpolicy are set by _LinkAndImageFilter,
# never copied from the input.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "class", "rel"}),
    "img": frozenset({"src", "alt", "title", "loading", "referrerpolicy"}),
    "ol": frozenset({"start"}),
    "li": frozenset({"id"}),
    "sup": frozenset({"id"}),
    "div": frozenset({"class"}),
}

LINK_REL = "nofollow noopener noreferrer"
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})
_FOOTNOTE_CLASSES = {
    "a": frozenset({"footnote-ref", "footnote-backref"}),
    "div": frozenset({"footnote"}),
}

_NAMESPACE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# fn-<namespace>-<n> on the footnote, fnref-<namespace>-<n> on the reference; a footnote
# referenced twice gets fnref2-..., fnref3-... for the extra references. <n> is digits only,
# so splitting at the last "-" gives back the namespace: two namespaces never share an id.
_FOOTNOTE_ID_RE = re.compile(r"fn-[A-Za-z0-9_-]{1,64}-[0-9]{1,4}")
_FOOTNOTE_REF_ID_RE = re.compile(r"fnref(?:[2-9]|[1-9][0-9]{1,3})?-[A-Za-z0-9_-]{1,64}-[0-9]{1,4}")
# Per the URL standard a browser strips leading and trailing C0 controls and spaces, drops
# tabs and newlines anywhere, then reads an ASCII scheme up to the first colon.
_URL_STRIP = "".join(chr(c) for c in range(0x21))
_URL_TAB_OR_NEWLINE_RE = re.compile(r"[\t\n\r]")
_URL_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Python-Markdown uses STX/ETX as its own placeholders; other C0 controls have no business in
# a note and some (NUL) are rewritten differently by each HTML parser.
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


class NoteTooLongError(ValueError):
    """A note is longer than MAX_NOTE_LENGTH code points."""

    def __init__(self, length: int, limit: int = MAX_NOTE_LENGTH) -> None:
        self.length = length
        self.limit = limit
        super().__init__(f"Notes are limited to {limit} characters; this one has {length}.")


@dataclass(frozen=True, slots=True)
class RenderedNote:
    """A note's sanitized HTML and how much of the length budget it uses."""

    html: str
    length: int
    remaining: int


def note_length(body: str) -> int:
    """Return the length of a note as the browser counter shows it: Unicode code points.

    CRLF and lone CR count as one LF, because a browser's ``textarea.value`` uses LF while a
    submitted form sends CRLF. The counter in the page must count the same way:
    ``[...textarea.value].length`` (iterating a JS string yields code points), not
    ``value.length`` (UTF-16 code units: "🧬" would count 2) and not the ``maxlength``
    attribute (also code units). So "🧬" and "α" count 1 each; a sequence drawn as one symbol
    counts every code point in it: a flag "🇫🇷" counts 2 (two regional indicators), the
    ZWJ sequence "👩‍🔬" (woman scientist) counts 3.
    Nothing is stripped: leading and trailing whitespace counts, as it does in the browser.
    """
    return len(_normalise_newlines(body))


def render_note(body: str, *, namespace: str) -> RenderedNote:
    """Render a note's markdown to sanitized HTML.

    ``namespace`` (1-64 ASCII letters, digits, "_" or "-", e.g. ``"n42"``) goes into
    every footnote id and href, so notes rendered with different namespaces share no id.
    Raises NoteTooLongError over MAX_NOTE_LENGTH code points (see note_length) and ValueError
    for a bad namespace. An empty or blank note renders to "".
    """
    if not _NAMESPACE_RE.fullmatch(namespace):
        raise ValueError(
            f'namespace must be 1-64 ASCII letters, digits, "_" or "-", got {namespace!r}'
        )
    text = _normalise_newlines(body)
    length = len(text)
    if length > MAX_NOTE_LENGTH:
        raise NoteTooLongError(length)
    text = _LONE_SURROGATE_RE.sub("\ufffd", _CONTROL_CHARS_RE.sub("", text))
    pipeline = _pipeline()
    pipeline.footnotes.namespace = namespace
    # reset() first: footnotes and numbering from the previous note (even one that failed
    # halfway) must not leak into this one.
    raw_html = pipeline.md.reset().convert(text)
    return RenderedNote(
        html=pipeline.cleaner.clean(raw_html) if raw_html else "",
        length=length,
        remaining=MAX_NOTE_LENGTH - length,
    )


def sanitize_html(html: str) -> str:
    """Return ``html`` cleaned down to what the note renderer emits.

    Tags other than ALLOWED_TAGS are escaped (shown as text), comments dropped, attributes
    outside ALLOWED_ATTRIBUTES dropped. ``href`` must be http, https or mailto, or a
    ``#fn-...`` footnote anchor; ``src`` must be http or https: any other scheme, a relative
    URL, or one hidden by entities, tabs, newlines, control or full-width characters loses
    the attribute. External links get ``rel="nofollow noopener noreferrer"`` and images
    ``loading="lazy" referrerpolicy="no-referrer"``, whatever the input said. Idempotent:
    ``sanitize_html(sanitize_html(x)) == sanitize_html(x)``.
    """
    return _pipeline().cleaner.clean(html)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- sanitizing -------------------------------------------------------------------------


def _url_scheme(value: str) -> str | None:
    """Return the lowercase scheme a browser reads from an attribute value, or None."""
    value = _URL_TAB_OR_NEWLINE_RE.sub("", value.strip(_URL_STRIP))
    match = _URL_SCHEME_RE.match(value)
    return match.group(1).lower() if match else None


def _has_scheme(value: str, schemes: frozenset[str]) -> bool:
    """Tell whether every reading of a raw attribute value has an allowed explicit scheme.

    bleach hands over the value with its character references still in it. The browser
    decodes them once; decoding twice as well costs nothing and shuts out double-encoding.
    Relative and scheme-relative URLs are refused: a note links out, never into the site.
    """
    once = html.unescape(value)
    readings = (value, once, html.unescape(once))
    if any(_CONTROL_CHARS_RE.search(reading) for reading in readings):
        return False
    return all(_url_scheme(reading) in schemes for reading in readings)


def _is_footnote_href(value: str) -> bool:
    return value.startswith("#") and bool(
        _FOOTNOTE_ID_RE.fullmatch(value[1:]) or _FOOTNOTE_REF_ID_RE.fullmatch(value[1:])
    )


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Decide whether bleach keeps one attribute (value as written, entities undecoded)."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    match tag, name:
        case "a", "href":
            return _is_footnote_href(value) or _has_scheme(value, _LINK_SCHEMES)
        case "img", "src":
            return _has_scheme(value, _IMAGE_SCHEMES)
        case (("a" | "div"), "class"):
            return value in _FOOTNOTE_CLASSES[tag]
        case "ol", "start":
            return value.isascii() and value.isdigit() and len(value) <= 9
        case "li", "id":
            return bool(_FOOTNOTE_ID_RE.fullmatch(value))
        case "sup", "id":
            return bool(_FOOTNOTE_REF_ID_RE.fullmatch(value))
        case _, ("rel" | "loading" | "referrerpolicy"):
            # Set by _LinkAndImageFilter after sanitizing; an input value is never trusted.
            return False
    return True


class _LinkAndImageFilter(Filter):
    """Stamp rel on external links and lazy, referrer-free loading on images.

    Runs after bleach's sanitizer. Attributes are written in name order so a second pass
    produces byte-identical output.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] in ("a", "img"):
                attrs = dict(token["data"])
                if token["name"] == "a":
                    attrs.pop((None, "rel"), None)
                    href = attrs.get((None, "href"))
                    if href is not None and not href.startswith("#"):
                        attrs[(None, "rel")] = LINK_REL
                else:
                    attrs[(None, "loading")] = "lazy"
                    attrs[(None, "referrerpolicy")] = "no-referrer"
                token["data"] = dict(sorted(attrs.items(), key=lambda item: item[0][1]))
            yield token


def _make_cleaner() -> bleach.Cleaner:
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=_LINK_SCHEMES,
        strip=False,
        strip_comments=True,
        filters=[_LinkAndImageFilter],
    )
    # bleach only un-doubles "&amp;" in double-quoted values; html5lib single-quotes a value
    # that contains '"', so alt='x"&amp;' would grow an "amp;" on every pass. Always using
    # double quotes (a '"' becomes &quot;) keeps sanitizing idempotent.
    cleaner.serializer.use_best_quote_char = False
    return cleaner


# --- markdown ---------------------------------------------------------------------------

_LIST_ITEM_RE = re.compile(r" {0,3}(?:(?P<bullet>[*+-])|(?P<number>[0-9]{1,9})\.)[ \t]+\S")


class _ListAfterTextPreprocessor(Preprocessor):
    """Let a list start right under a line of text, as people type it in a textarea.

    Python-Markdown needs a blank line before a list; without one, "Findings:\\n- AMH up"
    stays one paragraph, and "1. a\\n- b" makes "- b" part of item a. As in CommonMark, a
    blank line is inserted before a top-level list line that follows text which is not part
    of a list (numbered lists only when they start at 1, so "in\\n2. mg" stays text), or
    that switches between numbered and bulleted.
    """

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with the blank lines Python-Markdown needs added."""
        result: list[str] = []
        in_paragraph = False
        list_kind: str | None = None  # kind of the last top-level item in this paragraph
        for line in lines:
            item = _LIST_ITEM_RE.match(line)
            if not line.strip():
                in_paragraph, list_kind = False, None
            elif item:
                kind = "bullet" if item["bullet"] else "number"
                starts_list = kind == "bullet" or item["number"] == "1"
                if (in_paragraph and list_kind is None and starts_list) or (
                    list_kind is not None and kind != list_kind
                ):
                    result.append("")
                in_paragraph, list_kind = True, kind
            else:
                in_paragraph = True
            result.append(line)
        return result


class _RawTagProcessor(InlineProcessor):
    """Turn a literal ``<sup>..</sup>`` or ``<sub>..</sub>`` into that element.

    Only the bare tag (any letter case, no attributes) counts, and only with a matching
    closing tag. Same-name tags inside count towards finding that closing tag but are shown
    as text (<sup>a<sup>b</sup></sup>); a sub inside a sup, or the reverse, renders.
    Anything else stays text.
    """

    def __init__(self, tag: str) -> None:
        super().__init__(rf"(?i)<{tag}>")
        self.tag = tag
        self.tags_re = re.compile(rf"<(/?){tag}>", re.IGNORECASE)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        depth = 1
        for tag in self.tags_re.finditer(data, m.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                content = data[m.end() : tag.start()]
                if not content.strip():
                    break
                el = etree.Element(self.tag)
                el.text = content
                return el, m.start(), tag.end()
        return None, None, None


class NotesSyntaxExtension(Extension):
    """Cut Python-Markdown down to the notes syntax and add underline, sup and sub."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Deregister unsupported syntax (raw HTML first of all) and register ours."""
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(_ListAfterTextPreprocessor(md), "notes_list_after_text", 25)
        for name in ("code", "hashheader", "setextheader", "hr", "quote", "reference"):
            md.parser.blockprocessors.deregister(name)
        for name in (
            "html",
            "backtick",
            "reference",
            "image_reference",
            "short_reference",
            "short_image_ref",
            "autolink",
            "automail",
        ):
            md.inlinePatterns.deregister(name)
        # Word-boundary ("smart") underscores, as Python-Markdown does for <em>, but single
        # ones mean underline here; inner underscores of hsa_circ_0002021 never pair.
        if md.delimiters is None:
            raise RuntimeError("Python-Markdown no longer registers its delimiter processor")
        md.delimiters.add("_", "strong,u", smart=True)
        # sup above sub: the inner tag of <sup>a<sub>b</sub></sup> is found in the sup's text
        # by the patterns that run after it, and <sub>a<sup>b</sup></sub> by running first.
        md.inlinePatterns.register(_RawTagProcessor("sup"), "notes_sup", 91)
        md.inlinePatterns.register(_RawTagProcessor("sub"), "notes_sub", 90)
        # So that \<sup> can show the tag itself.
        md.ESCAPED_CHARS.append("<")


class _NoteFootnoteBlockProcessor(FootnoteBlockProcessor):
    """Read ``[^1]: text`` definitions, except inside a footnote's own text."""

    footnotes: NoteFootnoteExtension

    def test(self, parent: etree.Element, block: str) -> bool:
        # A definition inside a footnote would be stored while the footnote list is being
        # built from that same storage; it stays text instead.
        return not self.footnotes.building_list


class _FootnoteProcessor(InlineProcessor):
    """Read ``[^label]`` references and, with ``inline=True``, ``[^label](text)`` footnotes.

    One processor reads both forms so that they are met in reading order. An inline
    footnote's text goes into the footnotes extension's storage, exactly like a
    ``[^label]: text`` definition, and a reference is left in its place.
    """

    def __init__(self, footnotes: NoteFootnoteExtension, *, inline: bool) -> None:
        super().__init__(r"\[\^([^\]\n]+)\]")
        self.footnotes = footnotes
        self.inline = inline

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        before = data[: m.start()]
        if (len(before) - len(before.rstrip("\\"))) % 2:
            return None, None, None  # \[^1] is text
        label = m.group(1)
        if self.inline and data.startswith("(", m.end()):
            close = _closing_paren(data, m.end() + 1)
            text = data[m.end() + 1 : close].strip() if close is not None else ""
            if close is not None and text:
                if self.footnotes.building_list:
                    # Footnotes inside footnotes: the list is already built; show the text.
                    return data[m.start() : close + 1], m.start(), close + 1
                return self.footnotes.add_inline(label, text), m.start(), close + 1
        if label not in self.footnotes.footnotes:
            return None, None, None
        return self.footnotes.make_reference(label), m.start(), m.end()


def _closing_paren(data: str, start: int) -> int | None:
    """Return the index of the ``)`` closing a ``(`` just before ``start``, or None."""
    depth = 1
    index = start
    while index < len(data):
        char = data[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


class _LateFootnoteTreeprocessor(FootnoteTreeprocessor):
    """Number the footnotes in reading order, then build their list and render its text.

    The stock processor builds the list before inline patterns run, which is too early for
    footnotes that only come into being when an inline ``[^1](text)`` is read, and it
    numbers them in the order the inline pass meets them (paragraphs before list items).
    """

    footnotes: NoteFootnoteExtension

    def __init__(self, footnotes: NoteFootnoteExtension, md: markdown.Markdown) -> None:
        super().__init__(footnotes)
        self.md = md

    def run(self, root: etree.Element) -> None:
        """Number references in document order, append the list, inline-process it."""
        fns = self.footnotes
        if not fns.footnotes:
            return
        pending = {id(sup): (sup, key) for sup, key in fns.pending_references}
        in_document_order = [pending[id(el)] for el in root.iter("sup") if id(el) in pending]
        for _sup, key in in_document_order:
            fns.number(key)
        # Footnotes nobody references come last, in the order they were written.
        for key in fns.footnotes:
            fns.number(key)
        fns.footnotes = OrderedDict(
            sorted(fns.footnotes.items(), key=lambda item: fns.numbers[item[0]])
        )
        for sup, key in in_document_order:
            fns.stamp_reference(sup, key)
        fns.building_list = True
        try:
            super().run(root)
            for div in root.iter("div"):
                if div.get("class") == "footnote":
                    self.md.treeprocessors["inline"].run(div, ancestors=["div"])
                    break
        finally:
            fns.building_list = False


class NoteFootnoteExtension(FootnoteExtension):
    """Footnotes numbered in reading order, with ids in the note's namespace.

    Set ``namespace`` before each conversion. Ids are ``fn-<namespace>-<number>`` and
    ``fnref-<namespace>-<number>`` (``fnref2-...`` for a second reference to the same
    footnote), never the label a researcher typed.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.namespace = "note"
        self.numbers: dict[str, int] = {}
        self.pending_references: list[tuple[etree.Element, str]] = []
        self.building_list = False
        super().__init__(SEPARATOR="-", **kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Register the stock footnote processors, then swap in ours."""
        super().extendMarkdown(md)
        md.parser.blockprocessors.register(_NoteFootnoteBlockProcessor(self), "footnote", 17)
        md.inlinePatterns.register(_FootnoteProcessor(self, inline=False), "footnote", 175)
        # After "inline" (20); before "footnote-duplicate" (15), which adds the extra
        # back-links for a footnote referenced twice.
        md.treeprocessors.deregister("footnote")
        md.treeprocessors.register(_LateFootnoteTreeprocessor(self, md), "footnote", 18)

    def reset(self) -> None:
        """Forget the previous note's footnotes and numbering."""
        super().reset()
        self.numbers = {}
        self.pending_references = []
        self.building_list = False

    def number(self, key: str) -> int:
        """Return the footnote's number, giving it the next one on first use."""
        return self.numbers.setdefault(key, len(self.numbers) + 1)

    def makeFootnoteId(self, id: str) -> str:
        """Return the id of footnote ``id`` in the list."""
        return f"fn-{self.namespace}-{self.number(id)}"

    def makeFootnoteRefId(self, id: str, found: bool = False) -> str:
        """Return the id of a reference to footnote ``id`` (fnref2-... for a second one)."""
        return self.unique_ref(f"fnref-{self.namespace}-{self.number(id)}", found)

    def add_inline(self, label: str, text: str) -> etree.Element:
        """Store an inline footnote and return a reference to it.

        A label that is taken (by a definition or an earlier inline footnote) does not
        merge or overwrite: the inline footnote gets a key of its own.
        """
        key = label
        copy = 1
        while key in self.footnotes:
            copy += 1
            # A control character cannot come from a note (render_note removes them).
            key = f"{label}\x1f{copy}"
        self.setFootnote(key, text)
        return self.make_reference(key)

    def make_reference(self, key: str) -> etree.Element:
        """Return the ``<sup><a>n</a></sup>`` reference to a stored footnote.

        In the text, ids and the number are filled in by _LateFootnoteTreeprocessor once
        every reference is known; inside the footnote list they are known already.
        """
        self.addFootnoteRef(key)
        sup = etree.Element("sup")
        etree.SubElement(sup, "a").set("class", "footnote-ref")
        if self.building_list:
            self.stamp_reference(sup, key)
        else:
            self.pending_references.append((sup, key))
        return sup

    def stamp_reference(self, sup: etree.Element, key: str) -> None:
        """Write the ids, href and number of one reference."""
        sup.set("id", self.makeFootnoteRefId(key, found=True))
        a = sup[0]
        a.set("href", "#" + self.makeFootnoteId(key))
        a.text = str(self.number(key))


class InlineFootnoteExtension(Extension):
    """Add inline footnotes ``[^1](text)`` to NoteFootnoteExtension's storage.

    Must come after NoteFootnoteExtension in the extension list.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Replace the footnote reference pattern by one that reads both forms."""
        footnotes = next(
            (ext for ext in md.registeredExtensions if isinstance(ext, NoteFootnoteExtension)),
            None,
        )
        if footnotes is None:
            raise RuntimeError("InlineFootnoteExtension needs NoteFootnoteExtension first")
        # Above "escape" (180): the footnote text is stored before any placeholder is put in
        # it, since placeholders only mean something during one inline pass (escaped
        # "\\[^1]" is handled in the processor). Above "link" (160), which would read
        # "[^1](text)" as a link.
        md.inlinePatterns.deregister("footnote")
        md.inlinePatterns.register(_FootnoteProcessor(footnotes, inline=True), "footnote", 185)


@dataclass(slots=True)
class _Pipeline:
    md: markdown.Markdown
    footnotes: NoteFootnoteExtension
    cleaner: bleach.Cleaner


_local = threading.local()


def _pipeline() -> _Pipeline:
    """Return this thread's Markdown instance and Cleaner (neither is thread-safe).

    Building them costs several times more than a render, so each thread keeps its own.
    """
    pipeline: _Pipeline | None = getattr(_local, "pipeline", None)
    if pipeline is None:
        footnotes = NoteFootnoteExtension()
        md = markdown.Markdown(
            extensions=[
                NotesSyntaxExtension(),
                "sane_lists",
                "nl2br",
                footnotes,
                InlineFootnoteExtension(),
            ],
            output_format="html",
        )
        pipeline = _Pipeline(md=md, footnotes=footnotes, cleaner=_make_cleaner())
        _local.pipeline = pipeline
    return pipeline
