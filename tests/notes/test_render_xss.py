"""Throw every known XSS payload, and Hypothesis's inventions, at the notes pipeline.

Output is judged by parsing it (stdlib html.parser and html5lib, which parses like a
browser) and inspecting every element and attribute: only allowlisted tags and attributes,
no event handler, no URL whose scheme, once unescaped, stripped of whitespace and control
characters and case-folded, is anything but http, https, mailto or a footnote anchor.
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bleach._vendor import html5lib  # the parser bleach itself uses; parses like a browser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notes.render import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MAX_NOTE_LENGTH,
    NoteTooLongError,
    render_note,
    sanitize_html,
)

PAYLOADS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "xss" / "payloads.jsonl"
EXPECTED_PAYLOADS = 7019
URL_ATTRIBUTES = frozenset({"href", "src"})
SAFE_SCHEMES = {"a": {"http", "https", "mailto"}, "img": {"http", "https"}}
_EVENT_HANDLER_RE = re.compile(r"on\w+", re.IGNORECASE)
_IGNORABLE_IN_URL_RE = re.compile(r"[\x00-\x20\x7f-\xa0\s\u200b-\u200f\u2028-\u202f\ufeff]+")
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):")
_FOOTNOTE_FRAGMENT_RE = re.compile(r"#fn(?:ref[0-9]*)?-[A-Za-z0-9_-]+-[0-9]+")


@dataclass(frozen=True, slots=True)
class Payload:
    """One line of payloads.jsonl."""

    number: int
    text: str
    kind: str


@functools.cache
def load_payloads() -> tuple[Payload, ...]:
    """Return every payload in the fixture file, numbered from 1 like its lines."""
    with PAYLOADS_FILE.open(encoding="utf-8") as lines:
        return tuple(
            Payload(number=number, text=row["payload"], kind=row["kind"])
            for number, row in enumerate(map(json.loads, lines), start=1)
        )


# Each markdown construct that takes text, with the payload at "PAYLOAD".
MARKDOWN_CONTEXTS = {
    "link target": "[link](PAYLOAD)",
    "image source": "![image](PAYLOAD)",
    "link title": '[link](https://example.org "PAYLOAD")',
    "inline footnote": "A[^1](PAYLOAD)",
    "footnote definition": "A[^1]\n\n[^1]: PAYLOAD",
    "emphasis and sup": "*PAYLOAD* <sup>PAYLOAD</sup>",
    "list item": "- PAYLOAD",
}


def as_note(text: str) -> str:
    """Cut text to the longest note the pipeline accepts (code points, as it counts)."""
    return text.replace("\r\n", "\n")[:MAX_NOTE_LENGTH]


# --- inspecting output ------------------------------------------------------------------


def url_scheme(value: str) -> str | None:
    """Return the scheme of an attribute value as leniently as any browser could read it."""
    value = unicodedata.normalize("NFKC", html.unescape(html.unescape(value)))
    value = _IGNORABLE_IN_URL_RE.sub("", value).casefold()
    match = _SCHEME_RE.match(value)
    return match.group(1) if match else None


class _StdlibElements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, [(name, value or "") for name, value in attrs]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def parsed_elements(markup: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return (tag, attributes) of every element, as html.parser and html5lib each see it."""
    stdlib = _StdlibElements()
    stdlib.feed(markup)
    stdlib.close()
    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    browserlike = [
        (str(el.tag), [(str(name), value) for name, value in el.attrib.items()])
        for el in fragment.iter()
        if el is not fragment and isinstance(el.tag, str)
    ]
    return stdlib.elements + browserlike


def problems_in(markup: str) -> list[str]:
    """Return what is unsafe or outside the allowlist in sanitized HTML; [] when it is fine."""
    problems = []
    for tag, attributes in parsed_elements(markup):
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attributes:
            if _EVENT_HANDLER_RE.fullmatch(name):
                problems.append(f"event handler {name}= on <{tag}>")
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                problems.append(f"attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES:
                if tag == "a" and _FOOTNOTE_FRAGMENT_RE.fullmatch(value):
                    continue
                scheme = url_scheme(value)
                if scheme not in SAFE_SCHEMES.get(tag, ()):
                    problems.append(f"{name}={value!r} (scheme {scheme}) on <{tag}>")
    return problems


def check_sanitized(markup: str) -> list[str]:
    """Return every problem with sanitized markup, idempotence included."""
    problems = problems_in(markup)
    if sanitize_html(markup) != markup:
        problems.append("sanitizing again changes it")
    return problems


def check_note(body: str) -> list[str]:
    """Render a note and return every problem with the result."""
    return check_sanitized(render_note(body, namespace="xss").html)


# --- the checker itself must catch what it is meant to catch ----------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<img src=x onerror=alert(1)>",
        "<p ONCLICK='x()'>t</p>",
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="ｊａｖａｓｃｒｉｐｔ:alert(1)">x</a>',
        "<script>alert(1)</script>",
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<p style="x">t</p>',
        '<a href="#login">x</a>',
    ],
)
def test_the_checker_flags_unsanitized_markup(markup: str) -> None:
    assert problems_in(markup) != []


def test_the_checker_accepts_what_the_renderer_emits() -> None:
    body = '[l](https://e.org) ![i](http://e.org/i.png "t") A[^1](x) [m](mailto:a@e.org)'
    assert check_note(body) == []


# --- the fixture ------------------------------------------------------------------------


def test_the_fixture_holds_every_payload() -> None:
    payloads = load_payloads()
    assert len(payloads) == EXPECTED_PAYLOADS
    assert len({payload.text for payload in payloads}) == EXPECTED_PAYLOADS
    assert {payload.kind for payload in payloads} == {"html", "markdown"}


# --- every payload ----------------------------------------------------------------------


def failures(check: Callable[[str], list[str]], inputs: Iterable[tuple[int, str]]) -> list[str]:
    """Run check on every (payload number, text); describe each failing payload."""
    found = []
    for number, text in inputs:
        try:
            problems = check(text)
        except Exception as error:  # a crash is a finding too, reported with its payload
            problems = [f"raised {error!r}"]
        if problems:
            found.append(f"payload {number} {text[:80]!r}: {problems}")
    return found


def test_the_sanitizer_makes_every_full_payload_safe() -> None:
    inputs = ((p.number, p.text) for p in load_payloads())
    assert failures(lambda text: check_sanitized(sanitize_html(text)), inputs) == []


def test_the_pipeline_makes_every_payload_safe_as_a_note() -> None:
    inputs = ((p.number, as_note(p.text)) for p in load_payloads())
    assert failures(check_note, inputs) == []


@pytest.mark.parametrize("context", MARKDOWN_CONTEXTS)
def test_the_pipeline_makes_every_payload_safe_inside_markdown(context: str) -> None:
    template = MARKDOWN_CONTEXTS[context]
    inputs = ((p.number, as_note(template.replace("PAYLOAD", p.text))) for p in load_payloads())
    assert failures(check_note, inputs) == []


def test_the_pipeline_renders_the_end_of_long_payloads_too() -> None:
    # Truncating to 300 characters hides whatever a long payload keeps at its end.
    inputs = (
        (p.number, as_note(p.text.replace("\r\n", "\n")[-MAX_NOTE_LENGTH:]))
        for p in load_payloads()
        if len(p.text) > MAX_NOTE_LENGTH
    )
    assert failures(check_note, inputs) == []


# --- Hypothesis -------------------------------------------------------------------------

FRAGMENTS = (
    "*", "_", "**", "__", "[", "]", "(", ")", "![", "[^1]", "[^1]: ", "[^1](", "[^x]",
    "<sup>", "</sup>", "<sub>", "</sub>", "<SUP>", "\n", "\n\n", "\r\n", "- ", "* ", "1. ",
    "3. ", "    ", "\t", "\\", "`", "#", "> ", "---", "&", "&#106;", "&#x09;", "&amp;",
    "&lt;", "<", ">", '"', "'", "=", ":", "javascript:", "JaVaScRiPt:", "java\tscript:",
    "data:text/html,", "vbscript:", "http://e.org/", "https://e.org/a?b=1&c=2",
    "mailto:a@e.org", "//evil.example", "#fn-xss-1", "<img src=x onerror=alert(1)>",
    "<script>", "</script>", "<a href=javascript:alert(1)>", "<svg onload=alert(1)>",
    "<!--", "-->", "onerror=", " title=", "\x00", "\x02", "\x03", "klzzwxh:0000", "🧬",
    "ｊａｖａｓｃｒｉｐｔ", "\u200b", "<sup x>", "<style>", "<iframe>", "hsa_circ_0002021",
)  # fmt: skip

fragment_soup = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60
).map("".join)

PROPERTY_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(st.text(max_size=MAX_NOTE_LENGTH))
def test_any_text_renders_to_safe_allowlisted_html(body: str) -> None:
    assert check_note(body) == []


@PROPERTY_SETTINGS
@given(fragment_soup)
def test_any_markdown_and_html_soup_renders_to_safe_allowlisted_html(soup: str) -> None:
    body = as_note(soup)
    assert check_note(body) == []


@PROPERTY_SETTINGS
@given(st.one_of(fragment_soup, st.text()))
def test_the_sanitizer_alone_is_safe_and_idempotent_on_anything(markup: str) -> None:
    assert check_sanitized(sanitize_html(markup)) == []


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=MAX_NOTE_LENGTH + 1, max_size=MAX_NOTE_LENGTH + 40))
def test_anything_over_300_characters_is_refused_and_nothing_else_raises(body: str) -> None:
    if len(body.replace("\r\n", "\n").replace("\r", "\n")) > MAX_NOTE_LENGTH:
        with pytest.raises(NoteTooLongError):
            render_note(body, namespace="xss")
    else:
        assert check_note(body) == []
