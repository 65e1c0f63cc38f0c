"""Marking search terms and evidence sentences: escaping first, offsets mapped per section."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from curation.highlight import (
    Evidence,
    Highlight,
    evidence_spans,
    highlight_terms,
    inline_html_text,
    mark_inline_html,
    mark_text,
    snippet,
    term_spans,
)
from curation.templatetags.curation_tags import _INLINE, clean_inline

SECTIONS = [
    {"label": "BACKGROUND", "text": "POI causes infertility."},
    {"label": "", "text": "Unlabelled middle part."},
    {"label": "RESULTS", "text": "MSCs reduced apoptosis. Exosomes helped."},
]
ABSTRACT = (
    "BACKGROUND: POI causes infertility.\n"
    "Unlabelled middle part.\n"
    "RESULTS: MSCs reduced apoptosis. Exosomes helped."
)


def _at(sentence: str, **extra) -> Evidence:
    start = ABSTRACT.index(sentence)
    return Evidence(sentence=sentence, start=start, end=start + len(sentence), **extra)


def test_it_keeps_words_and_phrases_but_not_operators_or_exclusions():
    terms = highlight_terms('exosomes "granulosa cells" OR apoptosis -rats -"in vitro" | AND')

    assert terms == ["exosomes", "granulosa cells", "apoptosis"]


def test_it_matches_other_forms_of_a_word_from_its_start():
    text = "Exosome and exosomal cargo; therapies and therapy; cells. Nonexosomes."

    found = [text[h.start : h.end] for h in term_spans(text, ["exosomes", "therapies", "cell"])]

    assert found == ["Exosome", "exosomal", "therapies", "therapy", "cells"]


def test_a_phrase_matches_across_any_separator():
    text = "granulosa-cell apoptosis and granulosa  cells"

    found = [text[h.start : h.end] for h in term_spans(text, ["granulosa cell"])]

    assert found == ["granulosa-cell", "granulosa  cells"]


def test_terms_with_regex_characters_are_literal():
    assert term_spans("a (b) c+", ["(b)", "c+"]) == [Highlight(3, 4), Highlight(6, 7)]


def test_marking_escapes_the_text_first():
    text = "<b>MSC</b> & <script>"

    assert (
        mark_text(text, [Highlight(3, 6)])
        == "&lt;b&gt;<mark>MSC</mark>&lt;/b&gt; &amp; &lt;script&gt;"
    )


def test_labels_and_anchors_are_escaped_attributes():
    marked = mark_text(
        "abc", [Highlight(0, 3, label='a "b" <c>', anchor="x")], css_class="evidence"
    )

    assert marked == '<mark id="x" class="evidence" title="a &quot;b&quot; &lt;c&gt;">abc</mark>'


def test_overlapping_highlights_are_split_and_name_every_cover():
    marked = mark_text("abcdef", [Highlight(0, 4, "A", "a"), Highlight(2, 6, "B", "b")])

    assert marked == (
        '<mark id="a" title="A">ab</mark>'
        '<mark id="b" title="A; B">cd</mark>'
        '<mark title="B">ef</mark>'
    )


def test_two_highlights_starting_together_keep_both_anchors():
    marked = mark_text("abc", [Highlight(0, 3, "A", "a"), Highlight(0, 3, "B", "b")])

    assert marked == '<span id="b"></span><mark id="a" title="A; B">abc</mark>'


def test_out_of_range_highlights_are_ignored():
    assert mark_text("abc", [Highlight(2, 9), Highlight(-1, 2), Highlight(2, 2)]) == "abc"


def test_inline_markup_is_kept_and_marks_are_cut_around_its_tags():
    markup = "<i>TERT</i> and Ca<sup>2+</sup> &amp; more"

    text = inline_html_text(markup)
    marked = mark_inline_html(markup, [Highlight(0, 8, anchor="t")])

    assert text == "TERT and Ca2+ & more"
    assert marked == '<i><mark id="t">TERT</mark></i><mark> and</mark> Ca<sup>2+</sup> &amp; more'


def test_inline_marking_refuses_markup_it_did_not_expect():
    assert mark_inline_html('<img src="x">text', [Highlight(0, 2)]) is None
    assert mark_inline_html('<i class="x">text</i>', [Highlight(0, 2)]) is None


def test_evidence_offsets_map_into_each_sections_text():
    spans = evidence_spans(SECTIONS, [_at("MSCs reduced apoptosis.", label="L", anchor="e1")])

    assert spans[0] == []
    assert spans[1] == []
    assert spans[2] == [Highlight(0, 23, "L", "e1")]


def test_evidence_in_an_unlabelled_section_maps_too():
    spans = evidence_spans(SECTIONS, [_at("Unlabelled middle part.")])

    assert spans[1] == [Highlight(0, 23)]


def test_evidence_across_a_section_break_is_cut_and_never_marks_a_label():
    start = ABSTRACT.index("infertility.")
    end = ABSTRACT.index("MSCs") + len("MSCs")
    item = Evidence(sentence=ABSTRACT[start:end], start=start, end=end, anchor="e")

    spans = evidence_spans(SECTIONS, [item])

    assert spans[0] == [Highlight(11, 23, anchor="e")]
    assert spans[1] == [Highlight(0, 23)]
    assert spans[2] == [Highlight(0, 4)]


def test_stale_offsets_fall_back_to_finding_the_sentence():
    item = Evidence(sentence="Exosomes helped.", start=0, end=16, anchor="e")

    spans = evidence_spans(SECTIONS, [item])

    assert spans[2] == [Highlight(24, 40, anchor="e")]


def test_a_sentence_found_nowhere_and_title_evidence_are_left_out():
    items = [
        Evidence(sentence="Not there.", start=0, end=10),
        Evidence(sentence="POI", start=0, end=3, field="title"),
    ]

    assert evidence_spans(SECTIONS, items) == [[], [], []]


def test_a_snippet_centres_on_the_first_match_at_word_breaks():
    text = " ".join(f"word{i}" for i in range(100)) + " exosomes " + "tail " * 100

    window, spans, before, after = snippet(text, term_spans(text, ["exosomes"]), width=120)

    assert before
    assert after
    assert len(window) <= 120
    assert window[spans[0].start : spans[0].end] == "exosomes"
    assert window.split(" ")[0].startswith("word")


def test_a_short_text_is_its_own_snippet():
    assert snippet("short", [Highlight(0, 5)]) == ("short", [Highlight(0, 5)], False, False)


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60),
        st.text(alphabet="ab <>&;#x\"'=/iu\r\n\t\xa0\x00\u2028αµ", max_size=40),
    )
)
def test_clean_inline_skips_the_sanitizer_only_where_it_changes_nothing(text):
    # The fast path (printable, no "<", ">" or "&") must give what the sanitizer gives.
    assert clean_inline(text) == _INLINE.clean(text)


def test_clean_inline_still_sanitizes_markup():
    assert clean_inline("<i>Foxl2</i> & <b onclick=x>Cyp19a1</b>") == (
        "<i>Foxl2</i> &amp; <b>Cyp19a1</b>"
    )
    assert clean_inline("<script>alert(1)</script>x<sup>2</sup>") == "alert(1)x<sup>2</sup>"
