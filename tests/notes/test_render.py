"""The notes pipeline: syntax, footnotes, length, sanitizing, idempotence."""

from __future__ import annotations

import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from notes.render import (
    MAX_NOTE_LENGTH,
    RENDERER_VERSION,
    NoteTooLongError,
    RenderedNote,
    note_length,
    render_note,
    sanitize_html,
)

REL = 'rel="nofollow noopener noreferrer"'
IMG_DEFAULTS = 'loading="lazy" referrerpolicy="no-referrer"'


def html_of(body: str, namespace: str = "n42") -> str:
    return render_note(body, namespace=namespace).html


def backref(namespace: str, number: int) -> str:
    return (
        f'<a class="footnote-backref" href="#fnref-{namespace}-{number}" '
        f'title="Jump back to footnote {number} in the text">&#8617;</a>'
    )


def footnote_ref(namespace: str, number: int) -> str:
    return (
        f'<sup id="fnref-{namespace}-{number}"><a class="footnote-ref" '
        f'href="#fn-{namespace}-{number}">{number}</a></sup>'
    )


def footnote_list(namespace: str, *texts: str) -> str:
    items = "".join(
        f'<li id="fn-{namespace}-{number}">\n<p>{text}&#160;{backref(namespace, number)}</p>\n'
        "</li>\n"
        for number, text in enumerate(texts, start=1)
    )
    return f'<div class="footnote">\n<hr>\n<ol>\n{items}</ol>\n</div>'


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.fragment_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name == "href" and value and value.startswith("#"):
                self.fragment_targets.append(value[1:])


def ids_and_targets(html: str) -> tuple[list[str], list[str]]:
    collector = _Collector()
    collector.feed(html)
    return collector.ids, collector.fragment_targets


# --- syntax -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("*italics*", "<p><em>italics</em></p>"),
        ("_underline_", "<p><u>underline</u></p>"),
        ("**bold**", "<p><strong>bold</strong></p>"),
        ("__bold__", "<p><strong>bold</strong></p>"),
        (
            "**bold _and underlined_ text**",
            "<p><strong>bold <u>and underlined</u> text</strong></p>",
        ),
        ("E = mc<sup>2</sup>", "<p>E = mc<sup>2</sup></p>"),
        ("H<sub>2</sub>O", "<p>H<sub>2</sub>O</p>"),
        ("10<sup>*6*</sup> cells", "<p>10<sup><em>6</em></sup> cells</p>"),
        ("x<sup>a<sub>b</sub></sup>", "<p>x<sup>a<sub>b</sub></sup></p>"),
        ("x<sub>a<sup>b</sup></sub>", "<p>x<sub>a<sup>b</sup></sub></p>"),
        ("<SUP>upper</SUP> case", "<p><sup>upper</sup> case</p>"),
    ],
)
def test_it_renders_the_inline_formatting_the_help_promises(body: str, expected: str) -> None:
    assert html_of(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1. one\n2. two\n3. three", "<ol>\n<li>one</li>\n<li>two</li>\n<li>three</li>\n</ol>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("* one\n* two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
        (
            "- one\n    - nested\n- two",
            "<ul>\n<li>one<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>two</li>\n</ul>",
        ),
        (
            "1. numbered\n\n- bulleted",
            "<ol>\n<li>numbered</li>\n</ol>\n<ul>\n<li>bulleted</li>\n</ul>",
        ),
    ],
)
def test_it_renders_numbered_and_bulleted_lists(body: str, expected: str) -> None:
    assert html_of(body) == expected


def test_it_starts_a_list_right_under_a_line_of_text() -> None:
    assert html_of("Findings:\n- AMH up\n- FSH down") == (
        "<p>Findings:</p>\n<ul>\n<li>AMH up</li>\n<li>FSH down</li>\n</ul>"
    )
    assert html_of("Steps:\n1. isolate\n2. inject") == (
        "<p>Steps:</p>\n<ol>\n<li>isolate</li>\n<li>inject</li>\n</ol>"
    )


def test_it_starts_a_new_list_when_numbers_switch_to_bullets() -> None:
    assert html_of("1. one\n- bullet\n2. two") == (
        "<ol>\n<li>one</li>\n</ol>\n<ul>\n<li>bullet</li>\n</ul>\n"
        '<ol start="2">\n<li>two</li>\n</ol>'
    )


def test_it_does_not_read_a_number_in_running_text_as_a_list() -> None:
    assert html_of("Dose was\n2. mg per kg") == "<p>Dose was<br>\n2. mg per kg</p>"
    assert html_of("1.5 mg/kg") == "<p>1.5 mg/kg</p>"


def test_it_keeps_single_line_breaks_and_separates_paragraphs() -> None:
    assert html_of("Line one\nline two") == "<p>Line one<br>\nline two</p>"
    assert html_of("Para one\n\nPara two") == "<p>Para one</p>\n<p>Para two</p>"


def test_it_renders_the_help_texts_link() -> None:
    assert html_of("[my link to pubmed](http://pubmed.com)") == (
        f'<p><a href="http://pubmed.com" {REL}>my link to pubmed</a></p>'
    )


def test_it_keeps_a_links_title_and_escapes_its_query_string() -> None:
    body = '[PubMed](https://pubmed.ncbi.nlm.nih.gov/?term=poi&sort=date "Search")'
    assert html_of(body) == (
        '<p><a href="https://pubmed.ncbi.nlm.nih.gov/?term=poi&amp;sort=date" '
        f'{REL} title="Search">PubMed</a></p>'
    )


def test_it_allows_mailto_links() -> None:
    assert html_of("[mail](mailto:curator@example.org)") == (
        f'<p><a href="mailto:curator@example.org" {REL}>mail</a></p>'
    )


def test_it_renders_the_help_texts_image_lazily_and_without_referrer() -> None:
    body = '![alt text](https://bestmedicaljournal.com/study_graph.jpg "Image Title Text")'
    assert html_of(body) == (
        f'<p><img alt="alt text" {IMG_DEFAULTS} '
        'src="https://bestmedicaljournal.com/study_graph.jpg" title="Image Title Text"></p>'
    )


@pytest.mark.parametrize(
    "body", ["hsa_circ_0002021", "snake_case_name", "miR_21_5p and TGF_beta_1", "a_b_c_d"]
)
def test_it_keeps_underscores_inside_words(body: str) -> None:
    assert html_of(body) == f"<p>{body}</p>"


def test_it_underlines_next_to_a_gene_name_without_touching_it() -> None:
    assert html_of("_up_ in hsa_circ_0002021") == "<p><u>up</u> in hsa_circ_0002021</p>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# Heading", "<p># Heading</p>"),
        ("Title\n===", "<p>Title<br>\n===</p>"),
        ("> quote", "<p>&gt; quote</p>"),
        ("`code`", "<p>`code`</p>"),
        ("    indented", "<p>indented</p>"),
        ("---", "<p>---</p>"),
        ("<http://example.com>", "<p>&lt;http://example.com&gt;</p>"),
        (
            "[x][ref]\n\n[ref]: http://example.com",
            "<p>[x][ref]</p>\n<p>[ref]: http://example.com</p>",
        ),
    ],
)
def test_it_shows_markdown_outside_the_notes_syntax_as_typed(body: str, expected: str) -> None:
    assert html_of(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<div>block</div>", "<p>&lt;div&gt;block&lt;/div&gt;</p>"),
        ('<sup class="x">2</sup>', '<p>&lt;sup class="x"&gt;2&lt;/sup&gt;</p>'),
        ("<sup onclick=alert(1)>2</sup>", "<p>&lt;sup onclick=alert(1)&gt;2&lt;/sup&gt;</p>"),
        ("<sup>unclosed", "<p>&lt;sup&gt;unclosed</p>"),
        ("<sup>a</sub>", "<p>&lt;sup&gt;a&lt;/sub&gt;</p>"),
        ("<sup></sup>", "<p>&lt;sup&gt;&lt;/sup&gt;</p>"),
        ("x<sup>a<sup>b</sup></sup>", "<p>x<sup>a&lt;sup&gt;b&lt;/sup&gt;</sup></p>"),
        ("\\<sup>2</sup>", "<p>&lt;sup&gt;2&lt;/sup&gt;</p>"),
        ("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>"),
        ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>'),
    ],
)
def test_it_shows_raw_html_other_than_sup_and_sub_as_text(body: str, expected: str) -> None:
    assert html_of(body) == expected


def test_it_keeps_character_references_as_text() -> None:
    assert html_of("&amp; &lt;b&gt; &copy;") == "<p>&amp; &lt;b&gt; &copy;</p>"


# --- footnotes --------------------------------------------------------------------------


def test_it_renders_a_referenced_footnote() -> None:
    body = "Text[^1] more.\n\n[^1]: This is a long footnote."
    assert html_of(body) == (
        f"<p>Text{footnote_ref('n42', 1)} more.</p>\n"
        + footnote_list("n42", "This is a long footnote.")
    )


def test_it_renders_an_inline_footnote_like_a_referenced_one() -> None:
    inline = html_of("Text[^1](This is a footnote.) more.")
    referenced = html_of("Text[^1] more.\n\n[^1]: This is a footnote.")
    assert inline == referenced
    assert inline == (
        f"<p>Text{footnote_ref('n42', 1)} more.</p>\n" + footnote_list("n42", "This is a footnote.")
    )


def test_it_numbers_both_footnote_forms_in_reading_order_in_one_list() -> None:
    body = "- listed[^a](first)\n\nSee[^1] and[^2](*third*).\n\n[^1]: second"
    assert html_of(body) == (
        f"<ul>\n<li>listed{footnote_ref('n42', 1)}</li>\n</ul>\n"
        f"<p>See{footnote_ref('n42', 2)} and{footnote_ref('n42', 3)}.</p>\n"
        + footnote_list("n42", "first", "second", "<em>third</em>")
    )


def test_it_allows_parentheses_inside_an_inline_footnote() -> None:
    assert html_of("MSC[^1](n = 12 (6 per arm), p \\) 0.05)") == (
        f"<p>MSC{footnote_ref('n42', 1)}</p>\n"
        + footnote_list("n42", "n = 12 (6 per arm), p ) 0.05")
    )


def test_it_keeps_an_inline_footnote_whose_label_a_definition_already_has() -> None:
    # Decision: nothing typed is dropped. The inline footnote becomes a footnote of its own;
    # [^1] keeps pointing at the [^1]: definition.
    body = "A[^1](inline text) B[^1]\n\n[^1]: defined text"
    assert html_of(body) == (
        f"<p>A{footnote_ref('n42', 1)} B{footnote_ref('n42', 2)}</p>\n"
        + footnote_list("n42", "inline text", "defined text")
    )


def test_it_keeps_two_inline_footnotes_with_the_same_label_apart() -> None:
    body = "A[^1](one) B[^1](two)"
    assert html_of(body) == (
        f"<p>A{footnote_ref('n42', 1)} B{footnote_ref('n42', 2)}</p>\n"
        + footnote_list("n42", "one", "two")
    )


def test_it_links_every_reference_to_a_footnote_cited_twice() -> None:
    html = html_of("A[^1] B[^1]\n\n[^1]: shared")
    assert '<sup id="fnref-n42-1"><a class="footnote-ref" href="#fn-n42-1">1</a></sup>' in html
    assert '<sup id="fnref2-n42-1"><a class="footnote-ref" href="#fn-n42-1">1</a></sup>' in html
    assert 'href="#fnref2-n42-1"' in html


def test_it_lists_a_footnote_nobody_references_last() -> None:
    html = html_of("A[^2]\n\n[^1]: orphan\n[^2]: cited")
    assert html.index("cited&#160;") < html.index("orphan&#160;")
    assert '<li id="fn-n42-2">\n<p>orphan' in html


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("\\[^1](not a footnote)", "<p>[^1](not a footnote)</p>"),
        ("[^1]()", "<p><a>^1</a></p>"),
        ("Undefined[^9] ref", "<p>Undefined[^9] ref</p>"),
    ],
)
def test_it_leaves_text_that_only_looks_like_a_footnote(body: str, expected: str) -> None:
    assert html_of(body) == expected


def test_it_shows_footnotes_nested_in_footnotes_as_typed() -> None:
    html = html_of("A[^1](see [^2](inner)) B[^3]([^4]: x)")
    assert "see [^2](inner)&#160;" in html
    assert "[^4]: x&#160;" in html
    assert html.count("<li ") == 2


def test_two_notes_on_one_page_share_no_id() -> None:
    body = "A[^1] B[^2](inline) C[^1]\n\n[^1]: first"
    first = html_of(body, namespace="n1")
    second = html_of(body, namespace="n2")
    first_ids, first_targets = ids_and_targets(first)
    second_ids, second_targets = ids_and_targets(second)
    assert first_ids
    assert set(first_ids).isdisjoint(second_ids)
    assert len(set(first_ids + second_ids)) == len(first_ids + second_ids)
    # Every footnote link stays inside its own note.
    assert set(first_targets) <= set(first_ids)
    assert set(second_targets) <= set(second_ids)


def test_namespaces_that_differ_only_around_hyphens_share_no_id() -> None:
    body = "A[^1](x) B[^2](y) C[^3](z)"
    ids: list[str] = []
    for namespace in ("a", "a-1", "a-1-2", "a-", "1-a"):
        ids.extend(ids_and_targets(html_of(body, namespace=namespace))[0])
    assert len(ids) == 5 * 6
    assert len(set(ids)) == len(ids)


def test_it_uses_the_namespace_in_every_footnote_id_and_href() -> None:
    ids, targets = ids_and_targets(html_of("A[^1](x) B[^2]\n\n[^2]: y", namespace="paper_7"))
    assert sorted(ids) == ["fn-paper_7-1", "fn-paper_7-2", "fnref-paper_7-1", "fnref-paper_7-2"]
    assert sorted(targets) == sorted(ids)


@pytest.mark.parametrize(
    "namespace", ["", "n 42", "n.42", "n:42", "n42\n", "é", "x" * 65, '"><script>']
)
def test_it_rejects_a_namespace_that_cannot_go_into_an_id(namespace: str) -> None:
    with pytest.raises(ValueError, match="namespace"):
        render_note("text", namespace=namespace)


# --- length -----------------------------------------------------------------------------


def test_it_accepts_exactly_300_characters() -> None:
    note = render_note("a" * 300, namespace="n1")
    assert note == RenderedNote(html=f"<p>{'a' * 300}</p>", length=300, remaining=0)


def test_it_refuses_301_characters_with_a_clear_message() -> None:
    with pytest.raises(NoteTooLongError) as caught:
        render_note("a" * 301, namespace="n1")
    assert str(caught.value) == "Notes are limited to 300 characters; this one has 301."
    assert caught.value.length == 301
    assert isinstance(caught.value, ValueError)


def test_it_reports_how_many_characters_remain() -> None:
    note = render_note("**AMH** up", namespace="n1")
    assert (note.length, note.remaining) == (10, MAX_NOTE_LENGTH - 10)


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("🧬", 1),  # one astral code point; JS value.length would say 2
        ("αβγ Δ", 5),
        ("🇫🇷", 2),  # a flag is two regional indicators
        ("👩‍🔬", 3),  # woman, zero width joiner, microscope
        ("e\u0301", 2),  # e + combining acute: counted as typed, not normalised
        ("a\r\nb", 3),  # CRLF from a form post counts as the textarea's LF
        ("a\rb", 3),
        (" padded \n", 9),
    ],
)
def test_it_counts_code_points_like_the_browser_counter(text: str, length: int) -> None:
    assert note_length(text) == length


def test_it_counts_300_emoji_as_300_and_refuses_301() -> None:
    assert render_note("🧬" * 300, namespace="n1").remaining == 0
    with pytest.raises(NoteTooLongError, match="has 301"):
        render_note("🧬" * 301, namespace="n1")


def test_it_counts_greek_letters_as_one_each() -> None:
    assert render_note("α" * 300, namespace="n1").length == 300
    with pytest.raises(NoteTooLongError):
        render_note("Ω" * 301, namespace="n1")


def test_it_counts_a_posted_crlf_note_as_the_browser_does() -> None:
    posted = "line\r\n" * 60  # 360 characters as posted, 300 in the textarea
    note = render_note(posted, namespace="n1")
    assert note.length == 300
    assert note.html.count("<br>") == 59


def test_it_renders_an_empty_or_blank_note_as_nothing() -> None:
    assert render_note("", namespace="n1") == RenderedNote(html="", length=0, remaining=300)
    assert render_note(" \n\t", namespace="n1").html == ""


def test_it_drops_control_characters_and_markdowns_own_placeholders() -> None:
    assert html_of("a\x00b\x02klzzwxh:0000\x03c\x1b") == "<p>abklzzwxh:0000c</p>"


# --- sanitizing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "/papers/1",
        "//evil.example/",
    ],
)
def test_it_drops_a_link_target_that_is_not_http_https_or_mailto(url: str) -> None:
    assert html_of(f"[x]({url})") == "<p><a>x</a></p>"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
        "vbscript:msgbox(1)",
        "mailto:a@example.org",
        "/static/x.png",
    ],
)
def test_it_drops_an_image_source_that_is_not_http_or_https(url: str) -> None:
    assert html_of(f"![x]({url})") == f'<p><img alt="x" {IMG_DEFAULTS}></p>'


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java&#x09;script:alert(1)",
        "java&Tab;script:alert(1)",
        "jav&#x0A;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;&#x61;&#x76;&#x61;script:alert(1)",
        "&#0000106&#0000097vascript:alert(1)",
        "javascript&colon;alert(1)",
        "&amp;#106;avascript:alert(1)",
        "ｊａｖａｓｃｒｉｐｔ:alert(1)",
        "javascript%3Aalert(1)",
        "%6Aavascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "#not-a-footnote",
        "relative/path",
    ],
)
def test_sanitizing_drops_every_dressed_up_dangerous_href(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">x</a>') == "<a>x</a>"


def test_sanitizing_drops_a_dangerous_image_source() -> None:
    assert sanitize_html('<img src="java&#x09;script:alert(1)" alt="a">') == (
        f'<img alt="a" {IMG_DEFAULTS}>'
    )


def test_sanitizing_keeps_a_footnote_anchor_without_rel() -> None:
    assert sanitize_html('<a href="#fn-n1-2" rel="nofollow">2</a>') == '<a href="#fn-n1-2">2</a>'


def test_sanitizing_stamps_rel_on_external_links_whatever_the_input_said() -> None:
    assert (
        sanitize_html(
            '<a href="https://example.org" rel="opener" target="_blank" onclick="x()">x</a>'
        )
        == f'<a href="https://example.org" {REL}>x</a>'
    )


def test_sanitizing_forces_lazy_referrer_free_images() -> None:
    assert (
        sanitize_html(
            '<img src="https://example.org/a.png" loading="eager" referrerpolicy="unsafe-url" '
            'width="9999" onerror="alert(1)">'
        )
        == f'<img {IMG_DEFAULTS} src="https://example.org/a.png">'
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ('<p style="color:red" class="lead" onclick="x()">t</p>', "<p>t</p>"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<h1>big</h1><code>c</code>", "&lt;h1&gt;big&lt;/h1&gt;&lt;code&gt;c&lt;/code&gt;"),
        ("a<!-- secret -->b", "ab"),
        ('<a class="footnote-ref evil" href="#fn-n1-1">1</a>', '<a href="#fn-n1-1">1</a>'),
        ('<div class="footnote" id="main">x</div>', '<div class="footnote">x</div>'),
        ('<li id="fn-n1-1">a</li><li id="login">b</li>', '<li id="fn-n1-1">a</li><li>b</li>'),
        (
            '<sup id="fnref2-n1-1">1</sup><sup id="fn-n1-1">2</sup>',
            '<sup id="fnref2-n1-1">1</sup><sup>2</sup>',
        ),
        (
            '<ol start="3"><li>a</li></ol><ol start="-1; x"></ol>',
            '<ol start="3"><li>a</li></ol><ol></ol>',
        ),
        ('<img alt=x"&amp;>', f'<img alt="x&quot;&amp;" {IMG_DEFAULTS}>'),
    ],
)
def test_sanitizing_keeps_only_the_allowlist(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    "body",
    [
        "*a* _b_ **c** x<sup>2</sup> H<sub>2</sub>O",
        "Findings:\n- AMH[^1](anti-Müllerian hormone) up\n1. one",
        '[l](https://pubmed.gov/?a=1&b=2 "t") ![i](https://x.org/i.png "T")',
        "A[^1] B[^1]\n\n[^1]: shared & <b>escaped</b>",
    ],
)
def test_rendered_html_passes_the_sanitizer_unchanged(body: str) -> None:
    html = html_of(body)
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "dirty",
    [
        "<img alt='x\"&amp;'>",
        "<a href=https://x.org?a=1&b=2&amp;c>x</a>",
        "<p><p>nested<ol><li>x</p>",
        "<a><a>inner</a></a>",
        "<sup><div>x</div></sup>&lt;b&gt;",
    ],
)
def test_sanitizing_twice_changes_nothing(dirty: str) -> None:
    once = sanitize_html(dirty)
    assert sanitize_html(once) == once


# --- the pipeline as a whole ------------------------------------------------------------


def test_it_renders_every_syntax_item_in_one_300_character_note() -> None:
    body = (
        "*Phase I* MSC trial in _POI_: **AMH** up, FSH down; hsa_circ_0002021 & E<sub>2</sub> "
        "x10<sup>6</sup>.\n1. UC-MSC[^1](umbilical cord)\n- exosomes[^2]\n"
        "[PubMed](https://pubmed.ncbi.nlm.nih.gov/) "
        '![graph](https://example.org/g.png "Graph")\n\n[^2]: via tail vein'
    )
    assert note_length(body) <= MAX_NOTE_LENGTH
    html = html_of(body)
    for fragment in (
        "<em>Phase I</em>",
        "<u>POI</u>",
        "<strong>AMH</strong>",
        "hsa_circ_0002021",
        "E<sub>2</sub>",
        "x10<sup>6</sup>",
        "<ol>\n<li>UC-MSC",
        "<ul>\n<li>exosomes",
        f'<a href="https://pubmed.ncbi.nlm.nih.gov/" {REL}>PubMed</a>',
        f'<img alt="graph" {IMG_DEFAULTS} src="https://example.org/g.png" title="Graph">',
        "umbilical cord&#160;",
        "via tail vein&#160;",
    ):
        assert fragment in html


def test_it_renders_the_same_in_many_threads_at_once() -> None:
    bodies = [f"Note {i}: *x*[^1](fn {i}) and [l](https://e.org/{i})" for i in range(40)]
    expected = {body: html_of(body, namespace="t") for body in bodies}
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def work(chunk: list[str]) -> None:
        try:
            for _ in range(5):
                for body in chunk:
                    results[body] = html_of(body, namespace="t")
        except BaseException as error:  # re-raised below via the assertion
            errors.append(error)

    threads = [threading.Thread(target=work, args=(bodies[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == expected


def test_one_failed_render_does_not_leak_footnotes_into_the_next() -> None:
    with pytest.raises(NoteTooLongError):
        render_note("x[^1](leak)" + "a" * 300, namespace="n1")
    html_of("A[^1](first)")
    assert "first" not in html_of("plain")


def test_the_renderer_version_names_the_libraries_it_depends_on() -> None:
    assert RENDERER_VERSION.startswith("1+")
    assert markdown.__version__ in RENDERER_VERSION


def test_the_renderer_imports_no_django() -> None:
    root = Path(__file__).resolve().parents[2]
    code = "import sys, notes.render; print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
