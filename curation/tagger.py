"""Tag POF/POI abstracts by mechanism, cell source, study model and inducing agent.

Pure: text in, frozen dataclasses out, no Django. Hand-written rules carry the biology
(see ``/work/shared/DOMAIN.md`` and the labelling rules of the abstracts set):

1. The abstract is split into sentences (abbreviation-, decimal- and bracket-aware) and
   each sentence gets a role from its section label ("BACKGROUND: ..." lines, heading-only
   lines) or, without labels, from its position relative to the first sentence that
   speaks about *this* study ("Here we ...", "This study aimed ...").
2. Relevance comes first: a paper is relevant when a stem-cell-based intervention (cells,
   their exosomes/EVs, conditioned medium, secretome, or cells reprogrammed into
   granulosa-like cells) and the ovary (POI/POF, ovarian damage or ageing, PCOS, granulosa
   cells, follicles, oocytes) are both talked about as the paper's own subject, not in
   the background, in work left for the future or in a list of other diseases, and the
   paper names a condition or a therapeutic purpose.
3. Mechanisms are only tagged on relevant papers, from sentences that are not background
   (prior work, problem statements, the opening sentences before the study is introduced)
   and whose cue is not inside a negation scope ("did not differentiate into granulosa
   cells", "no significant difference in apoptosis"); a sentence whose strongest statement
   of a mechanism is negated denies it, whatever weaker cue it also holds. Reviews count
   every sentence: their abstract says what they cover.
4. Facets (cell source, study model, inducing agent) are extracted for every paper,
   relevant or not, so pages can facet everything; mechanisms are empty when not relevant.

Evidence offsets index the exact ``abstract`` (or ``title``) string passed in: matching is
done on a copy folded character by character (Unicode hyphens, Greek letters, quotes), so
offsets never shift. ``TAGGER_VERSION`` must be bumped whenever a rule changes, so stored
papers get re-tagged.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

TAGGER_VERSION = "2026.11.25-3"

MECHANISMS: tuple[str, ...] = (
    "gc_differentiation",
    "immune_regulation",
    "exosomes",
    "anti_apoptosis",
)
CELL_SOURCES: tuple[str, ...] = (
    "bone_marrow",
    "umbilical_cord",
    "adipose",
    "menstrual_endometrium",
    "amniotic",
    "placenta",
    "pluripotent",
    "other",
)
MODELS: tuple[str, ...] = ("clinical", "animal", "in_vitro", "review")
INDUCING_AGENTS: tuple[str, ...] = (
    "cyclophosphamide",
    "cisplatin",
    "busulfan",
    "vcd",
    "d_galactose",
    "autoimmune",
    "tripterygium",
    "radiation",
    "ageing",
    "other_chemotherapy",
)

# A mechanism is tagged when its best sentence reaches this weighted cue strength.
MECHANISM_THRESHOLD = 0.5
# At most this many evidence sentences per mechanism or facet value.
MAX_EVIDENCE = 2


@dataclass(frozen=True, slots=True)
class Evidence:
    sentence: str
    start: int
    end: int
    field: str = "abstract"  # or "title"


@dataclass(frozen=True, slots=True)
class MechanismHit:
    slug: str
    score: float  # in (0, 1]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class FacetHit:
    value: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class TagResult:
    relevant: bool
    relevance_score: float
    mechanisms: tuple[MechanismHit, ...]  # empty when not relevant
    cell_sources: tuple[FacetHit, ...]
    models: tuple[FacetHit, ...]
    inducing_agents: tuple[FacetHit, ...]

    def labels(self) -> tuple[str, ...]:
        """Return the tagged mechanism slugs in ``MECHANISMS`` order."""
        return tuple(hit.slug for hit in self.mechanisms)


# --- Folding ---------------------------------------------------------------------------

# One character for one character, so offsets in the folded copy are offsets in the input.
_FOLD = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u03b1": "a",
        "\u03b2": "b",
        "\u03b3": "g",
        "\u03ba": "k",
        "\u00b5": "u",
        "\u03bc": "u",
        "\u0391": "A",
        "\u0392": "B",
        "\u00fc": "u",
        "\u00e9": "e",
        "\u00f6": "o",
    }
)


def _fold(text: str) -> str:
    return text.translate(_FOLD)


# --- Sections and sentences --------------------------------------------------------------

_HEADING_WORDS = frozenset(
    [
        "abstract",
        "abbreviations",
        "graphical",
        "keywords",
        "words",
        "aim",
        "aims",
        "and",
        "background",
        "case",
        "clinical",
        "conclusion",
        "conclusions",
        "context",
        "data",
        "design",
        "discussion",
        "evidence",
        "extraction",
        "findings",
        "goal",
        "goals",
        "highlights",
        "hypothesis",
        "implications",
        "importance",
        "interpretation",
        "intervention",
        "interventions",
        "introduction",
        "key",
        "already",
        "answer",
        "caution",
        "chance",
        "competing",
        "duration",
        "for",
        "funding",
        "interest",
        "interests",
        "is",
        "known",
        "number",
        "question",
        "reasons",
        "role",
        "s",
        "size",
        "what",
        "wider",
        "limitations",
        "main",
        "material",
        "materials",
        "measure",
        "measures",
        "measurements",
        "method",
        "methodology",
        "methods",
        "objective",
        "objectives",
        "of",
        "outcome",
        "outcomes",
        "participants",
        "patients",
        "presentation",
        "purpose",
        "purposes",
        "rationale",
        "registration",
        "relevance",
        "research",
        "result",
        "results",
        "selection",
        "setting",
        "settings",
        "significance",
        "sources",
        "statement",
        "study",
        "subjects",
        "summary",
        "synthesis",
        "the",
        "trial",
    ]
)
_ROLE_KEYWORDS = (
    # Keyword and abbreviation lists are not sentences of the abstract.
    # So are funding and competing-interest statements.
    ("skip", ("keyword", "words", "abbreviation", "graphical", "funding", "competing")),
    (
        "background",
        ("background", "introduction", "context", "rationale", "importance", "known"),
    ),
    ("aim", ("aim", "objective", "purpose", "goal", "hypothesis", "question")),
    (
        "conclusion",
        ("conclusion", "interpretation", "implication", "significance", "discussion", "summary"),
    ),
    ("results", ("result", "finding", "outcome")),
    (
        "methods",
        ("method", "design", "setting", "participant", "patient", "intervention", "material"),
    ),
)
_HEADING_PREFIX = re.compile(r"([A-Za-z][A-Za-z &/,'()-]{1,60}?)\s*:\s*")
# Any case is fine: ``_heading_role`` only accepts heading vocabulary ("Methods", "Results").
_INLINE_HEADING = re.compile(r"([A-Z][A-Za-z &/,()-]{2,60}):\s+")
# A copyright footer ends the abstract proper.
_COPYRIGHT = re.compile(r"(?:copyright\b|\u00a9|\(c\)\s*(?:19|20)[0-9]{2})", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")
_SENTENCE_CLOSE = re.compile(r"[.!?][\"')\]]*$")
_NOT_ENDING_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "vs",
        "v",
        "viz",
        "fig",
        "figs",
        "ref",
        "refs",
        "approx",
        "ca",
        "cf",
        "resp",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "vol",
        "no",
        "nos",
        "nr",
        "eq",
        "eqs",
        "suppl",
        "tab",
        "sp",
        "spp",
        "var",
        "subsp",
        "etc",
        "i.p",
        "i.v",
        "s.c",
        "i.m",
        "p.o",
        "b.i.d",
        "t.i.d",
        "u.s",
        "u.k",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# Abbreviations after which a sentence may still continue with a capitalised word.
_STRICT_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "vs",
        "viz",
        "fig",
        "figs",
        "ref",
        "refs",
        "approx",
        "ca",
        "cf",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "no",
        "nos",
    ]
)
_GREEK_START = re.compile(r"[\u0370-\u03ff]")
# Parentheses left open this long are a truncation or a typo, not an aside.
_MAX_PAREN_SPAN = 300


def _heading_role(heading: str) -> str | None:
    """Return the section role for a heading text, or None when it is not a heading."""
    words = re.findall(r"[a-z]+", heading.lower())
    if not words or len(words) > 8:
        return None
    known = [word for word in words if word in _HEADING_WORDS]
    if len(known) != len(words) and not heading.isupper():
        return None
    for role, keys in _ROLE_KEYWORDS:
        if any(word.startswith(key) for word in words for key in keys):
            return role
    return "other"


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        spans.append((position, position + len(stripped)))
        position += len(line)
    return spans


def _blocks(text: str) -> list[tuple[int, int, str | None]]:
    """Split text into paragraphs with the role of the heading that opens them.

    A heading-only line ("Results") or a heading prefix ("RESULTS: ...") starts a new
    block; a blank line ends one; a single line break inside running text (hard-wrapped
    input) does not.
    """
    blocks: list[tuple[int, int, str | None]] = []
    current: list[int] | None = None  # [start, end]
    role: str | None = None
    current_role: str | None = None
    previous_ends_sentence = True
    for start, end in _line_spans(text):
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append((current[0], current[1], current_role))
                current = None
            previous_ends_sentence = True
            continue
        lead = start + len(line) - len(line.lstrip())
        if len(stripped) <= 60 and not stripped.endswith("."):
            heading_role = _heading_role(stripped.rstrip(":"))
            if heading_role is not None and stripped[0].isupper():
                if current:
                    blocks.append((current[0], current[1], current_role))
                    current = None
                role = heading_role
                previous_ends_sentence = True
                continue
        prefix = _HEADING_PREFIX.match(text, lead, end)
        if prefix and text[lead].isupper():
            heading_role = _heading_role(prefix.group(1))
            if heading_role is not None:
                if current:
                    blocks.append((current[0], current[1], current_role))
                role = heading_role
                current = [prefix.end(), end]
                current_role = role
                previous_ends_sentence = text[start:end].rstrip()[-1:] in ".!?"
                continue
        if current and not previous_ends_sentence:
            current[1] = end  # a hard-wrapped line continues the sentence
        else:
            if current:
                blocks.append((current[0], current[1], current_role))
            current = [lead, end]
            current_role = role
        previous_ends_sentence = stripped[-1] in ".!?" or stripped.endswith(('."', ".)"))
    if current:
        blocks.append((current[0], current[1], current_role))
    return blocks


def _is_boundary(text: str, punct_start: int, punct_end: int, block_end: int) -> bool:
    """Decide whether the punctuation at [punct_start, punct_end) ends a sentence."""
    after = punct_end
    while after < block_end and text[after].isspace():
        after += 1
    if after >= block_end:
        return True
    if text[punct_start] == ".":
        word_start = punct_start
        while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] != "(":
            word_start -= 1
        word = text[word_start:punct_start].lower()
        if word in ("no", "nos", "nr"):
            if text[after].isdigit():
                return False  # "No. 698"
        elif word in _STRICT_ABBREVIATIONS or (
            word in _NOT_ENDING_ABBREVIATIONS and not text[after].isupper()
        ):
            return False
    next_token_end = after
    while next_token_end < block_end and not text[next_token_end].isspace():
        next_token_end += 1
    token = text[after:next_token_end]
    first = token[0]
    if (
        first.isupper()
        or first.isdigit()
        or first in "([\"'\u201c\u2018"
        or _GREEK_START.match(first)
    ):
        return True
    # A lower-case start begins a sentence only when it is an identifier
    # ("hAEC-derived exosomes ...", "miR-21 ...", "p53 ...", "hsa_circ_0002021 ...").
    return any(char.isupper() or char.isdigit() or char == "_" for char in token)


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one paragraph into sentence spans, never inside brackets."""
    spans = []
    cursor = start
    depth = 0
    opened_at: list[int] = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        for index in range(position, match.start()):
            char = text[index]
            if char in "([":
                depth += 1
                opened_at.append(index)
            elif char in ")]" and depth:
                depth -= 1
                opened_at.pop()
        position = match.start()
        while opened_at and match.start() - opened_at[0] > _MAX_PAREN_SPAN:
            opened_at.pop(0)
            depth -= 1
        if depth:
            continue  # a full stop inside an aside: "(p. R264Q)", "(Fig. 2.)"
        punct_end = match.end()
        if not _is_boundary(text, match.start(), punct_end, end):
            continue
        position = punct_end
        span = _trim(text, cursor, punct_end)
        if span:
            spans.append(span)
        cursor = punct_end
    span = _trim(text, cursor, end)
    if span:
        spans.append(span)
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _sections(text: str) -> list[tuple[int, int, str | None]]:
    """Return (start, end, section role) for every sentence; headings are left out."""
    folded = _fold(text)
    out = []
    for block_start, block_end, block_role in _blocks(folded):
        role = block_role
        for start, end in _split_block(folded, block_start, block_end):
            if _COPYRIGHT.match(folded, start, end):
                role = "skip"
            # "... ovary. METHODS: Rats were ..." when the labels were run together.
            inline = _INLINE_HEADING.match(folded, start, end)
            if inline and start != block_start:
                heading_role = _heading_role(inline.group(1))
                if heading_role is not None:
                    role = heading_role
                    start = inline.end()
            if start < end and role != "skip":
                out.append((start, end, role))
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the sentences of ``text``.

    Section headings ("Background" on its own line, the "RESULTS: " of a labelled line)
    are not sentences and are left out; ``text[start:end]`` is the sentence without
    surrounding whitespace. Periods in "et al.", "e.g.", "vs.", "Fig. 2", decimals
    ("2.5 mg"), bracketed asides ("(p. R264Q)") and lower-case continuations do not end a
    sentence; a lower-case identifier ("hAEC-derived ...", "miR-21 ...") may start one.
    """
    return [(start, end) for start, end, _ in _sections(text)]


# --- Abbreviations ----------------------------------------------------------------------

_PAREN_SHORT_FORM = re.compile(r"\(\s*([A-Za-z0-9][^()\s;,]{0,14}?)\s*(?:[;,][^()]*)?\)")


def _best_long_form(short: str, long: str) -> str | None:
    """Find the long form of ``short`` at the end of ``long`` (Schwartz & Hearst, 2003)."""
    s_index = len(short) - 1
    l_index = len(long) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            long[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and long[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    l_index = long.rfind(" ", 0, l_index + 1) + 1
    return long[l_index:]


def _abbreviations(folded: str) -> dict[str, str]:
    """Map the short forms an abstract defines ("bone marrow stromal cells (BMSCs)")."""
    found: dict[str, str] = {}
    for match in _PAREN_SHORT_FORM.finditer(folded):
        short = match.group(1)
        if not any(char.isalpha() for char in short) or len(short) < 2:
            continue
        if not any(char.isupper() for char in short):
            continue
        window_start = max(0, match.start() - 120)
        before = folded[window_start : match.start()].rstrip()
        words = before.split()
        limit = min(len(short) + 5, len(short) * 2)
        candidate = " ".join(words[-limit:])
        long = _best_long_form(short, candidate)
        if not long or len(long) <= len(short) or long.lower().startswith(short.lower()):
            continue
        found.setdefault(short, long)
        # The plural (or singular) is the same short form: "ESC" defined, "ESCs" used.
        if short.endswith("s") and len(short) > 2:
            found.setdefault(short[:-1], long)
        else:
            found.setdefault(short + "s", long)
    return found


# --- Lexicon ----------------------------------------------------------------------------
#
# Every pattern comes in two halves: ``ci`` is written in lower case and runs on a
# lower-cased copy of the text (several times faster than re.IGNORECASE), ``cs`` holds the
# short forms whose case matters ("EV" is a vesicle, "ev" is not; "CM" is conditioned
# medium, "cm" a centimetre) and runs on the folded text.


def _lower(text: str) -> str:
    """Lower-case ``text`` without changing its length (so offsets stay valid)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


@dataclass(frozen=True, slots=True)
class _Text:
    folded: str
    lower: str


# --- Start characters of a pattern -------------------------------------------------------
#
# ``re`` scans fast for a literal prefix, but a pattern that opens with ``\b``, a
# look-behind or a long alternation is tried alternative by alternative at every position
# of the text. Putting a look-ahead on the characters a match can start with in front
# (``(?=[ehm])(?:...)``) lets it skip most positions at once: about 30% of the tagger's
# time. The set is read from the pattern text itself (``re`` exposes no parse tree through
# a public API), and the reader is conservative: anything it does not fully understand
# (``.``, ``\w``, a negated class, inline flags, a bad quantifier) means "no guard", which
# is slower but never wrong.

_QUANTIFIER = re.compile(r"(?:[?*+]|\{(\d*)(?:,(\d*))?\})[?+]?")
_ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


class _Unknown(Exception):
    """The pattern uses syntax the start-character reader does not follow."""


def _class_end(pattern: str, start: int) -> int:
    """Return the index of the ``]`` that closes the character class opened at ``start``."""
    index = start + 1
    if pattern.startswith("^", index):
        index += 1
    if pattern.startswith("]", index):
        index += 1  # "[]...]": a leading "]" is a literal
    while index < len(pattern):
        if pattern[index] == "\\":
            index += 2
            continue
        if pattern[index] == "]":
            return index
        index += 1
    raise _Unknown(pattern)


def _group_end(pattern: str, start: int) -> int:
    """Return the index of the ``)`` that closes the group opened at ``start``."""
    depth = 0
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise _Unknown(pattern)


def _class_chars(body: str) -> set[str]:
    """Return the characters of a character class body ("a-z_-" in ``[a-z_-]``)."""
    if body.startswith("^"):
        raise _Unknown(body)
    chars: set[str] = set()
    items: list[tuple[str, bool]] = []  # (character, whether it was escaped)
    index = 0
    while index < len(body):
        if body[index] == "\\":
            escaped = body[index + 1 : index + 2]
            if not escaped or escaped.isalnum():
                raise _Unknown(body)  # \w, \d, \s, \x41, \b (a backspace here): not followed
            items.append((escaped, True))
            index += 2
        else:
            items.append((body[index], False))
            index += 1
    position = 0
    while position < len(items):
        if position + 2 < len(items) and items[position + 1] == ("-", False):
            low, high = ord(items[position][0]), ord(items[position + 2][0])
            if high < low:
                raise _Unknown(body)
            chars.update(chr(code) for code in range(low, high + 1))
            position += 3
        else:
            chars.add(items[position][0])
            position += 1
    return chars


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level ``|``."""
    parts = []
    start = index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            index = _group_end(pattern, index) + 1
            continue
        if char == "[":
            index = _class_end(pattern, index) + 1
            continue
        if char == "|":
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def _sequence_start(pattern: str) -> tuple[set[str], bool]:
    """Return (characters a match can start with, whether it can match the empty string)."""
    chars: set[str] = set()
    for alternative in _alternatives(pattern):
        alternative_chars, nullable = _element_chain_start(alternative)
        chars |= alternative_chars
        if nullable:
            return chars, True
    return chars, False


def _element_chain_start(pattern: str) -> tuple[set[str], bool]:
    """Return what ``_sequence_start`` returns, for one alternative (no top-level ``|``).

    Elements are read left to right until one cannot match the empty string; zero-width
    ones (``\\b``, ``^``, look-arounds) add nothing.
    """
    chars: set[str] = set()
    index = 0
    while index < len(pattern):
        char = pattern[index]
        element: set[str]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if escaped in _ZERO_WIDTH_ESCAPES:
                index += 2
                continue
            if not escaped or escaped.isalnum():
                raise _Unknown(pattern)
            element, nullable, index = {escaped}, False, index + 2
        elif char in "^$":
            index += 1
            continue
        elif char == "[":
            end = _class_end(pattern, index)
            element, nullable, index = _class_chars(pattern[index + 1 : end]), False, end + 1
        elif char == "(":
            end = _group_end(pattern, index)
            if pattern.startswith(_LOOKAROUND, index):
                index = end + 1
                continue  # zero-width: the next element decides
            if pattern.startswith("(?:", index):
                inner = pattern[index + 3 : end]
            elif pattern.startswith("(?P<", index):
                inner = pattern[pattern.index(">", index) + 1 : end]
            elif pattern.startswith("(?", index):
                raise _Unknown(pattern)  # inline flags, conditionals, comments
            else:
                inner = pattern[index + 1 : end]
            element, nullable = _sequence_start(inner)
            index = end + 1
        elif char in ".*+?{|)":
            raise _Unknown(pattern)
        else:
            element, nullable, index = {char}, False, index + 1
        quantifier = _QUANTIFIER.match(pattern, index)
        if quantifier:
            if quantifier.group(0)[0] == "{":
                minimum = quantifier.group(1)
                if minimum == "" and quantifier.group(2) is None:
                    raise _Unknown(pattern)  # "{}" is a literal brace
                nullable = nullable or minimum == "" or int(minimum) == 0
            else:
                nullable = nullable or quantifier.group(0)[0] in "?*"
            index = quantifier.end()
        elif pattern.startswith("{", index):
            raise _Unknown(pattern)
        chars |= element
        if not nullable:
            return chars, False
    return chars, True


def _start_chars(pattern: str) -> frozenset[str] | None:
    """Return the characters every match of ``pattern`` starts with, or None if unknown.

    None also when the pattern can match the empty string or uses syntax this reader
    does not follow (``.``, ``\\w``, a negated class, inline flags, conditionals).
    """
    try:
        chars, nullable = _sequence_start(pattern)
    except (_Unknown, IndexError, ValueError):
        return None
    return frozenset(chars) if chars and not nullable else None


def _compile(pattern: str) -> re.Pattern[str] | None:
    """Compile ``pattern`` behind a look-ahead on the characters a match can start with."""
    if not pattern:
        return None
    compiled = re.compile(pattern)  # a bad pattern fails here, with re's own message
    chars = _start_chars(pattern)
    if chars is None:
        return compiled
    guard = "".join(re.escape(char) for char in sorted(chars))
    return re.compile(f"(?=[{guard}])(?:{pattern})")


class _Lexeme:
    """A case-insensitive half and a case-sensitive half, matched as one pattern.

    ``word=True`` anchors every alternative of ``ci`` at the start of a word, which is
    both what the lexicon means ("menstrual" is not inside "premenstrual") and faster.
    """

    __slots__ = ("ci", "ci_source", "cs", "cs_source")

    def __init__(self, ci: str = "", cs: str = "", *, word: bool = False) -> None:
        self.ci_source = rf"\b(?:{ci})" if ci and word else ci
        self.cs_source = cs
        self.ci = _compile(self.ci_source)
        self.cs = _compile(cs)

    def finditer(self, text: _Text) -> Iterator[re.Match[str]]:
        if self.ci is not None:
            yield from self.ci.finditer(text.lower)
        if self.cs is not None:
            yield from self.cs.finditer(text.folded)

    def search(self, text: _Text) -> re.Match[str] | None:
        if self.ci is not None:
            match = self.ci.search(text.lower)
            if match:
                return match
        return self.cs.search(text.folded) if self.cs is not None else None


# Haematopoietic stem-cell (bone marrow) transplantation treats blood cancers and causes
# POI through its conditioning; cancer stem cells are tumour cells. Neither is an ovarian
# intervention.
_NOT_AN_INTERVENTION = (
    r"(?<!hematopoietic )(?<!haematopoietic )(?<!hemopoietic )(?<!cancer )(?<!tumor )"
    r"(?<!tumour )(?<!leukemia )(?<!leukaemia )"
)
_STEM_WORD = (
    _NOT_AN_INTERVENTION + r"stem[-\s]+cells?(?![-\s]+factor)"
    r"|stem[-\s]+cell[-\s]*(?:based|derived|therapy)"
    r"|\bmesenchymal\b|\bmscs?\b|\bprogenitor cells?|\bmultipotent"
    r"|\b(?:mesenchymal|marrow|adipose|menstrual[-\s]blood|amniotic|placental?|umbilical"
    r"[-\s]cord|chorionic|derived)[-\s]+(?:\w+[-\s]+)?stromal cells?"
)
# "MSC", "hUC-MSCs", "BMSC", "ADSCs", "MenSC", "hAFSC", "iPSC"; a bare "SC" needs a definition.
_STEM_ABBREVIATION = r"\b[a-z]{0,3}(?:[A-Z]{0,4}-?MSC|[A-Z][A-Za-z]{0,4}-?SC)s?\b"
# The same in lower case, inside longer case-insensitive patterns.
_STEM_TERM_LOWER = r"stem|mscs?\b|[a-z]{0,5}-?scs?\b|pluripotent|progenitor"
# Granulosa cells made from other cells ("human induced granulosa-like cells"), not
# "chemotherapy-induced granulosa cell apoptosis".
_INDUCED_GC = (
    r"(?<![-\w])induced granulosa(?![-\s]+(?:cells?[-\s]+)?(?:apoptosis|damage|injur\w*|"
    r"senescence|death|dysfunction|loss|toxicity|atresia|pyroptosis|autophagy|ferroptosis))"
)
_NOT_A_CELL_LINE = r"(?![-\s]+(?:tumou?r\b|(?:cells?[-\s]+)?lines?\b))"
_GC_LIKE_WORDS = (
    rf"granulos[ae][-\s]*(?:cell[-\s]*)?like{_NOT_A_CELL_LINE}|\bgc-like{_NOT_A_CELL_LINE}"
    r"|\bglcs?\b|" + _INDUCED_GC
)

CLASS_PATTERNS: dict[str, _Lexeme] = {
    # Cell sources. The abbreviation lists follow DOMAIN.md; "hAD-MSC" is amnion-derived
    # there, while "AD-MSC", "ADSC" and "hADSC" are adipose.
    "src:bone_marrow": _Lexeme(
        word=True,
        ci=r"bone[-\s]+marrow(?=[-\s]+(?:derived|mesenchymal|stromal|stem|mononuclear|cells?|"
        r"mscs?|scs?|aspirat\w*|concentrate)\b)|\bfrom (?:the )?bone[-\s]marrow",
        cs=r"\b[hrm]?BM-?MSCs?\b|\b[hrm]?BMSCs?\b|\bA?BMDSC\w*|\bBM-?MNCs?\b|\bBMMSCs?\b"
        r"|\bBMDCs?\b",
    ),
    "src:umbilical_cord": _Lexeme(
        word=True,
        ci=r"umbilical[-\s]+cord|wharton'?s?[-\s]+jelly|cord[-\s]blood"
        r"|\b[hr]?(?:ucb?|u|wj|hwj)-?msc",
    ),
    "src:adipose": _Lexeme(
        word=True,
        ci=r"adipose|fat[-\s]derived|lipoaspirate|stromal vascular fraction",
        cs=r"\bh?ADSCs?\b|(?<![hA-Za-z])AD-?MSCs?\b|\bh?ADMSCs?\b|\bSVF\b|\bh?ASCs?\b",
    ),
    "src:menstrual_endometrium": _Lexeme(
        word=True,
        ci=r"menstrual[-\s]+(?:blood|fluid|derived|stem|stromal|mesenchymal)|menstrual-?blood"
        r"|endometri(?:al|um)[-\s]+(?:derived[-\s]+)?(?:mesenchymal[-\s]+)?"
        r"(?:stem|stromal stem|progenitor|regenerative)[-\s]+cells?|endometrial mscs?"
        r"|\bmen-?scs?\b|\benscs?\b|\bemscs?\b|\bmb-?scs?\b",
        cs=r"\bERCs?\b",
    ),
    "src:amniotic": _Lexeme(
        word=True,
        ci=r"amniotic|\bamnion|\bh?afscs?\b|\bh?af-?mscs?\b|\bhaecs?\b|\bh?am-?mscs?\b"
        r"|\bhad-?mscs?\b",
        cs=r"\bh?AMSCs?\b|\bh?AMCs?\b",
    ),
    "src:placenta": _Lexeme(
        word=True,
        ci=r"\b(?:placenta\w*|chorion\w*|decidua\w*)(?=[-\s]+(?:\w+[-\s]+){0,3}?"
        r"(?:stem|stromal|mscs?|mesenchymal|derived)\b)"
        r"|\bh?p-?mscs?\b|\bh?pd-?mscs?\b|\bh?cv-?mscs?\b|\bh?cp-?mscs?\b|\bh?dmscs?\b",
    ),
    "src:pluripotent": _Lexeme(
        word=True,
        ci=r"induced pluripotent|embryonic stem cells?|(?<!type of )(?<!kind of )(?<!are )"
        r"(?<!is )(?<!as )pluripotent stem cells\b|\bh?i?pscs?\b|\bips cells",
        cs=r"\bh?ESCs?\b",
    ),
    "src:other": _Lexeme(
        word=True,
        ci=r"skin[-\s]derived (?:stem|precursor)|dental pulp|ovarian stem cells?|oogonial stem"
        r"|germ[-\s]?line stem cells?|very small embryonic[-\s]like"
        r"|(?:hair follicle|muscle|urine)[-\s]derived stem|theca stem cells?"
        r"|fibroblasts?(?=[^.;]{0,60}\b(?:reprogramm\w*|induced into|converted))"
        r"|(?<=reprogrammed )(?:human )?fibroblasts?|\bh?dpscs?\b|\bfgscs?\b|\bvsels?\b",
        cs=r"\bSHED\b|\bOSCs\b",
    ),
    # The intervention, for the relevance gate.
    "stem": _Lexeme(word=True, ci=_STEM_WORD, cs=_STEM_ABBREVIATION),
    "therapy": _Lexeme(
        word=True,
        ci=r"\bcell(?:ular)?[-\s]+(?:based[-\s]+)?(?:therapy|therapies|transplantation|treatment)"
        r"|\bcell[-\s]based (?:therapy|therapies|therapeutic|treatments?|approach\w*|strateg\w*|"
        r"regenerat\w*)|" + _GC_LIKE_WORDS,
    ),
    "exo": _Lexeme(
        word=True,
        ci=r"\bexosom\w*|\bexos?\b|extracellular[-\s]+vesicles?|micro-?vesicles?|nano-?vesicles?",
        cs=r"\bs?EVs?\b|\bMVs\b",
    ),
    # A culture supernatant is conditioned medium only when the stem cells made it (not
    # "estradiol in the culture supernatant of KGN cells").
    "cm": _Lexeme(
        word=True,
        ci=r"conditioned[-\s]+medi(?:um|a)|secretome|(?:culture[-\s]+)?supernatants?[-\s]+"
        r"(?:of|from)[-\s]+(?:the[-\s]+)?(?:[\w-]+[-\s]+){0,3}?(?:" + _STEM_TERM_LOWER + r")",
        cs=r"-CM\b",
    ),
    "glc": _Lexeme(word=True, ci=_GC_LIKE_WORDS),
    "gc": _Lexeme(
        word=True,
        ci=r"granulos[ae]|ovarian granular cells?|\bkgn\b|\bglcs?\b|\bogcs?\b|\bhgl\b",
        cs=r"\b[hrmO]?GCs?\b",
    ),
    # The organ: ovarian insufficiency, damage, ageing, PCOS, granulosa cells, follicles.
    "ovary": _Lexeme(
        word=True,
        ci=r"\bovar(?:y|ies|ian)\b(?![-\s]+(?:cancers?|carcinomas?|tumou?rs?|neoplasms?|"
        r"malignanc\w*|hyperstimulation|cysts?|torsion|endometrio\w*))"
        # Oocytes and their cumulus cells are the ovary's too ("in vitro maturation of
        # oocytes from aged mice").
        r"|\boocytes?\b|\bcumulus\b"
        r"|\b(?:premature|primary)[-\s]+ovarian|polycystic ovar|granulos[ae]"
        r"|(?<!hair )\bfollic(?:le|les|ular)\b(?![-\s]+(?:lymphoma|thyroid|carcinoma|helper|"
        r"dendritic|t\b))|oophor\w*"
        # Menopause itself is no ovarian subject ("vaginal atrophy after menopause"); the
        # transition into it and an early one are.
        r"|\bperimenopaus\w*|\b(?:premature|early|precocious)[-\s]+menopaus\w*",
        cs=r"\bPO[IF]s?\b|\bDOR\b|\bPCOS\b|\bKGN\b|\bCOV-?434\b",
    ),
    # Inducing agents: the word itself; the model context is checked later.
    "agent:cyclophosphamide": _Lexeme(
        word=True,
        ci=r"cyclophosphamide|cytoxan|endoxan|phosphoramide mustard|\bctx\b",
        cs=r"\bCy\b|\bCYP?\b(?=[-\s/]*(?:induced|Bu|and busulfan|\+))|\bCPA\b|\bCyc\b",
    ),
    "agent:cisplatin": _Lexeme(word=True, ci=r"cis-?platin\w*|cis-?platinum|\bc?ddp\b"),
    "agent:busulfan": _Lexeme(word=True, ci=r"busul(?:f|ph)an", cs=r"\bBu\b|\bBUS\b"),
    "agent:vcd": _Lexeme(word=True, ci=r"vinyl-?cyclohexene|vinyl cyclohexene|\bvcd\b"),
    "agent:d_galactose": _Lexeme(word=True, ci=r"\bd-?galactose|\bd-?gal\b"),
    "agent:autoimmune": _Lexeme(
        word=True,
        ci=r"\bzp-?3\b|zona pellucida(?: glycoprotein)?(?: 3| peptide| antigen)"
        r"|autoimmune (?:pof|poi|premature ovarian|ovarian|oophoritis)"
        r"|\bimmuni[sz]ed (?:with|by) (?:\w+ ){0,3}(?:zp|zona|peptide|ovarian)",
    ),
    "agent:tripterygium": _Lexeme(
        word=True, ci=r"tripterygium|\bgtw\b", cs=r"\bTG\b(?=[-\s]+induced)"
    ),
    "agent:radiation": _Lexeme(
        word=True,
        ci=r"\b(?:ir)?radiat(?:ion|ed)\b|radiotherap\w*|\bx-ray|gamma[-\s]ray"
        r"|\b[0-9]+(?:\.[0-9]+)? ?gy\b",
    ),
    "agent:ageing": _Lexeme(
        word=True,
        ci=r"\b(?:naturally[-\s]+)?(?:aged|aging|ageing|old|elderly|perimenopausal|middle-aged|"
        r"reproductively aged)\s+(?:female\s+)?(?:\w+\s+)?(?:mice|mouse|rats?|animals|"
        r"primates|monkeys|macaques|sows|ewes)\b|\bnatural(?:ly)? (?:aging|ageing)\b"
        r"|\b(?:ovarian|reproductive) (?:aging|ageing) (?:model|mice|rats)",
    ),
    "agent:other_chemotherapy": _Lexeme(
        word=True,
        ci=r"doxorubicin|adriamycin|paclitaxel|docetaxel|methotrexate|carboplatin|oxaliplatin"
        r"|5-fluorouracil|etoposide|vincristine|vinblastine|actinomycin|bleomycin|chlorambucil"
        r"|melphalan|ifosfamide|temozolomide|epirubicin|mitoxantrone|procarbazine|dacarbazine"
        r"|gemcitabine|\b5-fu\b",
        cs=r"\bDOX\b",
    ),
}

_GENERIC_CHEMO = _Lexeme(
    ci=r"chemotherap\w*|anticancer drugs?|cytotoxic (?:drugs?|agents?)|alkylating"
)
_MODEL_CONTEXT = _Lexeme(
    ci=r"\b(?:mice|mouse|murine|rats?|rodents?|animals?|models?|in vivo|induced|injected|"
    r"injection|administ\w*|intraperitoneal\w*|i\.p\.|exposed|treated)\b"
)

# --- Cues about the sentence itself -----------------------------------------------------

_OWN = _Lexeme(
    ci=r"\b(?:in|from) (?:this|the present|the current|our) (?:\w+ )?(?:study|work|research|"
    r"paper|report|experiment|investigation|review|article|trial)\b"
    r"|\b(?:this|the present|the current|our) (?:\w+[ -])?(?:study|work|research|paper|review|"
    r"article|report|trial|experiment|editorial)s? (?:was |were |is )?(?:aim|design|investigat|"
    r"explor|evaluat|examin|assess|sought|seek|demonstrat|show|found|report|summar|analy|"
    r"describ|highlight|focus|provid|discuss|identif|establish|reveal|indicat|suggest|confirm|"
    r"consider|address|cover|outline|compar)"
    r"|\bhere(?:in)?,? we\b|\bherein\b"
    r"|\bwe (?:also |further |then |first |have |had |additionally )?(?:aimed|aim|sought|seek|"
    r"investigated|investigate|examined|examine|explored|explore|evaluated|evaluate|assessed|"
    r"assess|hypothesi[sz]ed|hypothesi[sz]e|tested|test|determined|determine|studied|found|"
    r"find|showed|shown|show|demonstrated|demonstrate|observed|observe|report|reported|describe|"
    r"described|review|reviewed|summari[sz]e|summari[sz]ed|discuss|discussed|propose|proposed|"
    r"established|establish|performed|used|isolated|compared|identified|developed|"
    r"characteri[sz]ed|generated|differentiated|transplanted|analy[sz]ed|conducted|designed|"
    r"treated|injected|applied|measured|detected|confirmed|revealed|highlight|explain|present|"
    r"presented|focus|focused|list|listed|introduce|outline|provide)\b"
    r"|\bour (?:results|findings|data|study|work|observations?|analysis)\b"
    r"|\bthe (?:aims?|objectives?|purposes?|goals?) (?:of|was|were|is)\b|\b(?:aimed|designed) to\b"
    r"|\bto (?:investigate|explore|evaluate|examine|assess|determine|clarify|elucidate|study|"
    r"test|identify|verify|validate|compare|characteri[sz]e|understand) (?:whether|the|if|how|"
    r"its|their|these|possible|potential|a |an )"
    r"|\b(?:the |these )?results? (?:showed|show|shows|shown|indicated|indicate|revealed|reveal|"
    r"suggested|suggest|demonstrated|demonstrate)\b"
    r"|\b(?:in vivo|in vitro) (?:studies|experiments|results|data) (?:revealed|showed|"
    r"demonstrated|indicated)\b"
    r"|\b(?:studies|experiments) in vitro (?:revealed|showed|demonstrated|indicated)\b"
    r"|\b(?:consistent|in line|in agreement|in accordance) with\b"
)
_PRIOR = _Lexeme(
    ci=r"(?<!as )\bpreviously\b(?! described)|\bprevious (?:studies|study|research|reports?|"
    r"work|findings|data|experiments|trials)\b|\bin our (?:previous|prior|earlier)\b"
    r"|\bwe (?:have )?previously\b"
    r"|\b(?:has|have) been (?:widely |extensively |well |previously |increasingly |repeatedly |"
    r"frequently |recently |already )?(?:shown|reported|demonstrated|proven|proved|suggested|"
    r"found|documented|described|established|recogni[sz]ed|considered|proposed|used|applied|"
    r"studied|investigated|accepted|confirmed|observed|regarded)\b"
    r"|\b(?:is|are) (?:well[-\s])?known\b|\bit is (?:well[-\s])?(?:known|established|accepted|"
    r"believed|thought|recogni[sz]ed)\b"
    r"|\b(?:increasing|accumulating|growing|emerging|mounting|compelling|considerable|recent)"
    r" (?:evidence|data|studies|research|reports|findings)\b"
    r"|\b(?:many|several|numerous|some|other|various|prior|earlier|multiple) (?:\w+ )?"
    r"(?:studies|reports|researchers|investigators|publications|trials)\b"
    r"|(?<!vivo )(?<!vitro )(?<!our )(?<!these )(?<!present )(?<!current )(?<!further )"
    r"\bstudies (?:have )?(?:shown|demonstrated|reported|indicated|suggested|found|confirmed|"
    r"revealed|show|suggest|indicate)\b"
    r"|\btraditionally\b|\b(?:is|are) (?:generally |widely )?(?:considered|thought|believed|"
    r"regarded)\b|\b(?:has|have) (?:emerged|attracted|received|gained)\b"
    r"|\breports? (?:show|suggest|indicate)\b|\bliterature\b(?! review)"
)
# "Consistent with previous studies, we found ..." compares; it does not restate.
_AGREEMENT = _Lexeme(
    ci=r"\b(?:consistent|in line|in agreement|in accordance|similar(?:ly)?) (?:with|to)\b"
)
# A procedure of the study itself, written in the passive ("Female mice were given ...").
_STUDY_ACTION = _Lexeme(
    ci=r"\b(?:was|were)\s+(?:\w+ly\s+)?(?:given|treated|injected|administered|transplanted|"
    r"infused|randomi[sz]ed|divided|assigned|allocated|isolated|cultured|co-cultured|exposed|"
    r"established|induced|collected|measured|evaluated|assessed|examined|analy[sz]ed|"
    r"performed|enrolled|recruited|characteri[sz]ed|obtained|subjected|harvested|transfected|"
    r"labell?ed|determined|immuni[sz]ed|irradiated|fed|used|selected|sacrificed|killed|mated|"
    r"implanted|operated)\b|\b(?:received|underwent)\b"
)
# A finding stated before the study is introduced (a highlights line opening the text).
_PAST_FINDING = _Lexeme(
    ci=r"\b(?:reprogrammed|differentiated into|alleviated|improved|restored|reduced|inhibited|"
    r"attenuated|rescued|ameliorated|protected|prevented|suppressed|enhanced|promoted|"
    r"secreted|resembled)\b"
)
_PROBLEM = _Lexeme(
    ci=r"\bremains? (?:largely |still )?(?:unclear|unknown|elusive|obscure|controversial|"
    r"poorly|to be (?:determined|elucidated|clarified|explored))"
    r"|\b(?:is|are|was|were|remain|remains) (?:still )?(?:not|poorly|incompletely) (?:well |"
    r"fully |completely |yet |clearly )?(?:understood|known|clear|elucidated|defined|"
    r"characteri[sz]ed)"
    r"|\b(?:has|have) not (?:yet )?been (?:fully |well |clearly |thoroughly )?(?:elucidated|"
    r"clarified|explored|investigated|understood|determined)"
    r"|\b(?:is|are) (?:still )?(?:unclear|unknown|obscure|lacking)\b|\blittle is known\b"
)
_FUTURE = _Lexeme(
    ci=r"\bwill\b|\bfurther (?:studies|research|investigations?|experiments|work|trials)\b"
    r"|\bfuture\b|\b(?:is|are) expected to\b|\bremains? to be\b|\bneeds? to be\b|\bwarrant\w*"
    r"|\bshould be\b|\bmay (?:provide|offer|become|serve|represent|be a)\b|\bpromising\b"
    r"|\bprospects?\b"
)
# Work still to be done ("Future studies should compare this with stem cell therapy"): what
# it names is not what the paper did.
_FUTURE_WORK = _Lexeme(
    ci=r"\b(?:future|further|additional|more) (?:\w+ )?(?:studies|research|investigations?|"
    r"experiments|work|trials|directions)\b|\bremains? to be\b|\bwarrant\w*"
    r"|\bshould (?:be )?(?:compar|evaluat|investigat|test|explor|stud|examin|consider)\w*"
)
_REVIEW = _Lexeme(
    ci=r"\b(?:this|the present|the current|our|narrative|systematic|comprehensive|"
    r"scoping|literature)\s+review\b|\bmini-?\s*reviews?\b"
    r"|\bthis (?:editorial|commentary|perspective|overview)\b"
    r"|\bwe (?:review|reviewed|summari[sz]e|summari[sz]ed|overview)\b"
    r"|\breview (?:of|on) (?:the )?(?:literature|recent|current)|\bmeta-?analys[ie]s\b"
    r"|\bthis (?:article|chapter|paper) (?:reviews|summari[sz]es|discusses|provides an overview)"
    r"|\b(?:here|herein),? we (?:review|summari[sz]e|discuss|overview|describe recent)"
)
_TITLE_REVIEW = _Lexeme(
    ci=r"\breview\b|meta-?analysis|\boverview\b|\bupdate on\b|\bperspectives?\b"
)
_ANNOTATION = _Lexeme(
    ci=r"\bbiological process(?:es)?\b|\bgene ontology\b|\bgo (?:terms?|analysis|enrichment)\b"
    r"|\bkegg\b|\benrich(?:ed|ment)\b|\bpathway analysis\b|\bfunctional annotation\b"
    r"|\bparticipate in (?:a variety of|various|multiple)\b|\bbioinformatic\w*"
)

# --- Negation (NegEx-style: trigger + scope limited to the clause) ------------------------

_NEG_TRIGGER = _Lexeme(
    ci=r"\b(?:not|none|neither|nor|without|never|cannot|can't|didn't|doesn't|don't|wasn't|"
    r"weren't|isn't|aren't|hasn't|haven't|failed to|fails? to|unable to|absence of|"
    r"lack(?:ed|s|ing)?(?: of)?|rather than|instead of|other than|apart from|"
    r"non-?significant|insignificant|rarely|seldom|hardly|"
    r"(?:little|scant|scarce|limited|weak) (?:or no )?evidence)\b",
    cs=r"\b[Nn]o\b",  # not "NO", nitric oxide
)
_NEG_PSEUDO = _Lexeme(
    ci=r"\bnot (?:only|just|merely|limited to|necessarily|yet|well|fully|completely|clearly|"
    r"clear|been fully|been well|been clearly|been completely|been thoroughly|been elucidated|"
    r"been investigated|been explored|been studied|been reported)\b|\bwhether or not\b"
    r"|\bno doubt\b|\bno effective\b|\bno (?:cure|treatment|therapy)\b"
)
_NEG_POST = _Lexeme(
    ci=r"\b(?:is|are|was|were|be|been)\s+(?:not|never)\s+(?:\w+ly\s+)?(?:observed|detected|"
    r"found|seen|affected|altered|changed|different|significant|evident|present|identified|"
    r"noted|shown|involved|required|responsible|reduced|increased|decreased|improved|"
    r"inhibited|prevented|induced|attenuated)\b"
    r"|\b(?:was|were|remained)\s+(?:absent|undetectable|unchanged|unaffected)\b"
    r"|\b(?:has|have|had)\s+not\s+been\s+(?:\w+ly\s+)?(?:observed|detected|found|seen)\b"
    # "Apoptosis was similar between groups" reports no effect; "comparable to controls"
    # (restored to normal) is a finding and stays one.
    r"|\b(?:was|were|remained)\s+(?:\w+ly\s+)?(?:similar|comparable)\s+(?:between|among|"
    r"across)\b"
)
_CLAUSE_BREAK = re.compile(
    r"[,;:]|\b(?:but|whereas|while|although|though|however|yet|except|which|who|instead)\b"
)
_CLAUSE_BREAK_BACKWARD = re.compile(r"[;:]|\b(?:but|whereas|while|although|though|however|and)\b")
_WORD = re.compile(r"\S+")
_MAX_SCOPE_WORDS = 12


def _negation_scopes(text: _Text) -> list[tuple[int, int]]:
    """Return the character ranges of one sentence that a negation covers."""
    pseudo = [match.span() for match in _NEG_PSEUDO.finditer(text)]
    lower = text.lower
    scopes = []
    for match in _NEG_TRIGGER.finditer(text):
        if any(start <= match.start() < end for start, end in pseudo):
            continue
        stop = _CLAUSE_BREAK.search(lower, match.end())
        end = stop.start() if stop else len(lower)
        words = list(_WORD.finditer(lower, match.end(), end))
        if len(words) > _MAX_SCOPE_WORDS:
            end = words[_MAX_SCOPE_WORDS - 1].end()
        scopes.append((match.start(), end))
    for match in _NEG_POST.finditer(text):
        start = 0
        for brk in _CLAUSE_BREAK_BACKWARD.finditer(lower, 0, match.start()):
            start = brk.end()
        scopes.append((start, match.end()))
    return scopes


def _negated(scopes: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in scopes)


# --- Mechanism cues ---------------------------------------------------------------------

_GC_TARGET = (
    r"(?:granulos[ae](?:[-\s]+lutein)?(?:[-\s]*cell)?(?:[-\s]*like)?|ovarian granular"
    r"|(?<![\w-])(?:[hrmo]|hi)?gcs?\b|\bglcs?\b|\bhgl\b)"
)
_DIFF_VERB = (
    r"(?:trans)?differentiat\w*|reprogramm?\w*|convert\w*|transform\w*|gave rise|give rise|"
    r"giving rise|turn(?:ed|s|ing)? into|develop(?:ed|s|ing)? into|becom\w*|became|"
    r"induc\w* (?:to|into)"
)
# Words that cannot sit between "into" and the granulosa target ("differentiated into
# adipocytes and reduced GC apoptosis" is not granulosa differentiation).
_BLOCKED_TOKEN = (
    r"(?!(?:\w+ed|promot\w*|inhibit\w*|reduc\w*|increas\w*|decreas\w*|improv\w*|restor\w*|"
    r"protect\w*|prevent\w*|enhanc\w*|alleviat\w*|attenuat\w*|regulat\w*|suppress\w*|"
    r"repair\w*|apoptosis|and then|which|that)\b)"
)
_GC_DIFFERENTIATION = _Lexeme(
    ci=rf"\b(?:{_DIFF_VERB})\b[^.;:]{{0,70}}?\b(?:into|towards?|to(?=\s+{_GC_TARGET}))\s+"
    rf"(?:{_BLOCKED_TOKEN}[\w'-]+,?\s+){{0,4}}?{_GC_TARGET}"
    # "become granulosa cells" needs no "into".
    rf"|\b(?:becom(?:e|es|ing)|became)\s+(?:(?:a|an|the|functional|mature|new|ovarian|"
    rf"steroidogenic)\s+){{0,2}}{_GC_TARGET}"
)
_GC_DERIVED = _Lexeme(
    ci=rf"{_GC_TARGET}(?:[-\s]+cells?)?\s+(?:\([^)]{{0,12}}\)\s+)?(?:were |was |are |is )?"
    rf"(?:derived|differentiated|generated|obtained|induced|produced|reprogrammed|converted)"
    rf"\s+from\b[^.;]{{0,40}}?(?:{_STEM_TERM_LOWER}|fibroblast|somatic cells)"
    # "iPSC-derived (functional) granulosa-like cells", not "MSC-derived exosomes protect
    # granulosa cells".
    rf"|(?:{_STEM_TERM_LOWER})[-\s]derived\s+(?:(?:functional|mature|ovarian|human|mouse|rat|"
    rf"steroidogenic|early|late|putative|[\w]+-like|[\w]+-stage)\s+){{0,2}}?{_GC_TARGET}"
)
# "a reprogramming method to induce early- and late-stage granulosa cells"
_GC_INDUCED = _Lexeme(
    ci=r"\b(?:induc|generat|produc|obtain)(?:e|es|ed|ing)\b(?:\s+(?:early|late|mature|"
    r"functional|steroidogenic|human|mouse|rat|ovarian|cumulus|mural|different|both|and|or|"
    r"the|[\w]+-stage|[\w]+-like|[\w]+-producing|oestrogen|estrogen)){0,4}?\s+"
    r"granulos[ae](?:[-\s]+like)?[-\s]+cells?\b(?![-\s]+(?:apoptosis|damage|injur\w*|"
    r"senescence|death|dysfunction|loss|toxicity|pyroptosis|autophagy|ferroptosis))"
)
_GC_MAKING = _Lexeme(
    ci=r"reprogramm\w*|differentiat\w*|\bstem cells?\b|\bi?pscs?\b|fibroblasts?",
    cs=r"\bESCs?\b",
)
_GC_LIKE = _Lexeme(
    ci=_GC_LIKE_WORDS + r"|(?:functional|steroidogenic) granulosa cells? (?:were|was) "
    r"(?:generated|obtained|induced)"
)
# Stem cells taking on a granulosa identity ("acquired a granulosa cell phenotype").
_GC_PHENOTYPE = _Lexeme(
    ci=r"\bgranulos[ae](?:[-\s]+cells?)?[-\s]+(?:like[-\s]+)?(?:phenotypes?|fate|lineage|"
    r"identity)\b|\bgranulos[ae](?:[-\s]+cells?)?[-\s]+like[-\s]+(?:features|characteristics|"
    r"morphology)\b"
)
_GC_REGENERATION = _Lexeme(
    ci=rf"\b(?:regenerat\w*|replac\w*|repopulat\w*|replenish\w*|reconstitut\w*)\b(?:\s+of)?"
    rf"(?:\s+(?:the|damaged|lost|injured|new|functional|ovarian)){{0,3}}\s+{_GC_TARGET}"
    rf"|{_GC_TARGET}(?:[-\s]+cells?)?\s+regeneration"
)
_TRACKER = _Lexeme(
    ci=r"\b(?:e?gfp|pkh[-\s]?(?:26|67)|cm-?dii|brdu|y[-\s]chromosome|sry|luciferase|"
    r"labell?ed|tracked|traced)\b",
    cs=r"\bDi[RI]\b",
)
# Cells placed in follicles: the verb, then where, within one clause.
# Cells in the stroma "around" or "between" follicles are not in them.
_IN_FOLLICLES = _Lexeme(
    ci=r"\b(?:hom(?:ed|ing|es?)|migrat\w*|engraft\w*|locali[sz]\w*|incorporat\w*|integrat\w*|"
    r"reside[ds]?|found|detected|observed|located|distributed|present|seen)\b[^,;:.]{0,60}?"
    r"\b(?:in|into|to|within|among|inside)\s+(?:(?!stroma|interstiti|around|outside|near|"
    r"between|surround|adjacent|periphery|medulla|cortex|vessels?)[\w-]+\s+){0,4}?"
    r"(?:granulos[ae]|gcs?\b|follic\w*|theca\b)"
)
# What was placed: labelled oocytes in follicles came from germline cells.
_GERM_CELLS = re.compile(r"\boocytes?\b|\bgerm(?:[-\s]?line)?[-\s]+cells?\b|\beggs?\b")
_OVARIAN_SUBJECT = _Lexeme(ci=r"granulos[ae]|\bovar\w*|\bfollic\w*|\btissues?\b", cs=r"\bGCs?\b")
_GC_MARKER = _Lexeme(
    ci=r"\b(?:fshr|fsh receptors?|cyp19a1|cyp19|aromatase|amh|anti-mullerian hormone|foxl2|"
    r"inhibin(?:[-\s]?[ab])?|cyp17a1|cyp11a1|lhcgr)\b"
    r"|\bgranulosa(?:[-\s]+cells?)?[-\s]+(?:specific[-\s]+)?markers?\b",
    cs=r"\bStAR\b",
)
_MARKER_EXPRESSION = _Lexeme(
    ci=r"\b(?:expressed|expressing|co-?expressed|positive for|co-?locali[sz]ed with|"
    r"stained for)\b"
)

# Said of stem cells (mechanisms are only read in papers about them): "through soluble
# factors such as HGF", "secreted proteins mediate the effect", "a cell-free therapy".
_PARACRINE = _Lexeme(
    ci=r"\bparacrin\w*|\btrophic (?:factors?|effects?|support|actions?|functions?|activity)"
    r"|\b(?:soluble|secreted|released) (?:growth )?(?:factors?|mediators?|molecules|proteins|"
    r"cytokines)\b|\bcell-free (?:therap\w*|products?|approach\w*|strateg\w*|treatments?|"
    r"preparations?)"
)
_SECRETION = _Lexeme(
    ci=r"\bsecret(?:e|es|ed|ing|ion|ions|ory)\b|\breleas(?:e|es|ed|ing)\b|\bproduc(?:e|es|ed|"
    r"ing|tion) of\b"
)
_SECRETED_FACTOR = _Lexeme(
    ci=r"growth factors?|cytokines?|chemokines?|(?:soluble|bioactive|trophic|secreted|"
    r"paracrine|protective|regenerative|angiogenic) (?:factors?|molecules|mediators|proteins)"
    r"|angiopoietin|\bvegf\w*|\bhgf\b|\bigf-?(?:1|i)\b|\bb?fgf\w*|\begf\b|\bpdgf\w*|\btgf-?b\w*"
    r"|\bgdf-?9\b|\bsdf-?1\w*|\btsg-?6\b|\bngf\b|\bkgf\b|\bil-?\d+\w*|\bg-csf\b"
)

_IMMUNE_CUES = (
    (
        _Lexeme(
            ci=r"\bt[-\s]?(?:cells?|lymphocytes?|helper)\b|\btregs?\b|regulatory t\b"
            r"|\bth(?:1|2|17)\b|\bcd(?:4|8|25)\+|\bfoxp3\b|macrophages?|\bm[12](?:[-\s]+"
            r"(?:macrophages?|polari[sz]ation|phenotype|type))|\bu?nk cells?|natural killer"
            r"|neutrophils?|\bb cells?\b|dendritic cells?|lymphocytes?|monocytes?|mast cells?"
            r"|leukocytes?"
        ),
        0.9,
    ),
    (
        _Lexeme(
            ci=r"immunomodulat\w*|immunoregulat\w*|immunosuppress\w*|immune[-\s]+(?:cells?|"
            r"responses?|regulation|modulation|balance|homeostasis|microenvironment|tolerance|"
            r"system|function|status|environment|infiltration|disorders?|imbalance|reactions?|"
            r"activity|effects?|mediators?)|\bimmunity\b|\bimmuni[sz]ation\b"
            # Autoimmune ovarian damage: the antibodies against the ovary.
            r"|\bautoimmunity\b|\bauto-?antibod\w*|\banti-?ovarian antibod\w*|\bhumoral\b"
            r"|\btolerogenic\b",
            cs=r"\bAOAs?\b",
        ),
        0.8,
    ),
    (_Lexeme(ci=r"\binflamm\w*|anti-?inflammat\w*|pro-?inflammat\w*"), 0.8),
    (_Lexeme(ci=r"\bnlrp3\b|inflammasome"), 0.75),
    (_Lexeme(ci=r"pyroptosis"), 0.6),
)
_IMMUNE_GATE = re.compile(
    r"immun|inflamm|\bt[-\s]?(?:cell|lymph|helper)|treg|regulatory t|\bth[12]|\bcd(?:4|8|25)"
    r"|foxp3|macrophage|\bm[12]\b|\bu?nk cell|killer|neutrophil|\bb cell|dendritic|lymphocyte"
    r"|monocyte|mast cell|leukocyte|nlrp3|pyroptosis|interleukin|\bifn|interferon|\btnf"
    r"|necrosis factor|\bil-?[0-9]|antibod|humoral|tolerogenic|\baoas?\b"
)
_IMMUNE_CYTOKINE = _Lexeme(
    ci=r"interleukin|\bifn(?:-?g(?:amma)?)?\b|interferon|\btnf(?:-?a(?:lpha)?)?\b"
    r"|tumou?r necrosis factor|\bil-?\d{1,2}[a-z]?\b"
)
_CHANGE_VERB = re.compile(
    r"\b(?:reduc|decreas|down-?regulat|inhibit|suppress|attenuat|lower|increas|up-?regulat|"
    r"elevat|restor|balanc|modulat|alleviat|normali[sz]|revers|ameliorat|level|"
    r"concentration|serum)\w*"
)
_AUTOIMMUNE_MODEL = re.compile(r"\bzp-?3\b|zona pellucida|immuni[sz]ed with")

_APOPTOSIS_GATE = re.compile(
    r"apopto|tunel|annexin|caspase|\bbax|\bbcl|cytochrome|\bfas|death|nick|lymphoma[-\s]2|parp"
)
_NOT_NECROTIC = r"(?<!ferroptotic )(?<!pyroptotic )(?<!necroptotic )(?<!autophagic )"
_APOPTOSIS_CUES = (
    (_Lexeme(ci=r"\b(?:anti-?)?apoptos[ie]s\b|\b(?:anti-?)?apoptotic\b|\bapoptosis-related"), 0.95),
    # TUNEL, also spelled out ("terminal deoxynucleotidyl transferase dUTP nick end labelling").
    (_Lexeme(ci=r"\btunel\b|\bnick[-\s]+end[-\s]+label\w*"), 0.9),
    (_Lexeme(ci=r"\bannexin\b"), 0.85),
    # Caspase-1, -4, -5 and -11 are the inflammatory caspases of pyroptosis, not apoptosis.
    (
        _Lexeme(
            ci=r"\bcaspase(?![-\s]?(?:1|11|4|5)\b)\w*|\bbax\b|\bbcl-?(?:2|xl)\b|\bbcl2\b"
            r"|\bb[-\s]cell lymphoma[-\s]2\b"
        ),
        0.8,
    ),
    (_Lexeme(ci=_NOT_NECROTIC + r"\bprogrammed (?:cell )?death\b"), 0.75),
    (_Lexeme(ci=r"\bcleaved[-\s]+parp\b|\bparp(?:-?1)?[-\s]+cleavage\b"), 0.7),
    (_Lexeme(ci=r"cytochrome c\b", cs=r"\bFasL?\b"), 0.6),
    # Weak alone: "ferroptotic cell death" is not apoptosis.
    (_Lexeme(ci=_NOT_NECROTIC + r"\bcell death\b"), 0.45),
)


# --- The per-sentence view ----------------------------------------------------------------


@dataclass(slots=True)
class _Sentence:
    start: int
    end: int
    text: _Text
    field: str
    section: str | None
    classes: dict[str, list[tuple[int, int]]]  # offsets relative to the sentence
    scopes: list[tuple[int, int]] = field(default_factory=list)
    own: bool = False
    prior: bool = False
    problem: bool = False
    future: bool = False
    future_work: bool = False
    background: bool = False
    fragment: bool = False  # the cut-off end of a truncated abstract

    def has(self, name: str) -> bool:
        return bool(self.classes.get(name))

    def has_source(self) -> bool:
        return any(name.startswith("src:") for name in self.classes)


@dataclass(slots=True)
class _Document:
    title: str
    abstract: str
    sentences: list[_Sentence]  # the title first, when there is one
    is_review: bool
    whole: _Text  # title and abstract, for questions about the paper as a whole


_SUPPORT = {
    "adipose": re.compile(r"adipose|fat[-\s]derived|lipoaspirate"),
    "amnion": re.compile(r"amnio|amnion"),
    "ovary": re.compile(r"\bovar|follic|granulosa"),
    "busulfan": re.compile(r"busulf|cyclophosphamide|\bctx\b"),
    "chemotherapy": re.compile(r"doxorubicin|adriamycin|chemotherap"),
    "endometrium": re.compile(r"endometri|menstrual"),
}
# Short forms that mean different things in different papers: the classes they stand for
# when the paper does not define them, and the word that must appear somewhere in the
# paper for that reading ("NLRP3/ASC/caspase-1" is not adipose stem cells).
_AMBIGUOUS: dict[str, tuple[frozenset[str], str | None]] = {
    **dict.fromkeys(("EV", "EVs", "MVs"), (frozenset({"exo"}), None)),
    **dict.fromkeys(
        ("ESC", "ESCs", "hESC", "hESCs"), (frozenset({"src:pluripotent", "stem"}), None)
    ),
    **dict.fromkeys(
        ("ASC", "ASCs", "hASC", "hASCs"), (frozenset({"src:adipose", "stem"}), "adipose")
    ),
    # "hAMSC" is amniotic (DOMAIN.md); a bare "AMSC" is as often adipose.
    **dict.fromkeys(("AMSC", "AMSCs"), (frozenset({"src:amniotic", "stem"}), "amnion")),
    **dict.fromkeys(("AMC", "AMCs", "hAMC", "hAMCs"), (frozenset({"src:amniotic"}), "amnion")),
    **dict.fromkeys(("OSC", "OSCs"), (frozenset({"src:other", "stem"}), "ovary")),
    **dict.fromkeys(
        ("ERC", "ERCs"), (frozenset({"src:menstrual_endometrium", "stem"}), "endometrium")
    ),
    **dict.fromkeys(("GC", "GCs"), (frozenset({"gc"}), None)),
    # Haematopoietic stem cells or hepatic stellate cells: never the ovarian intervention.
    **dict.fromkeys(("HSC", "HSCs", "CSC", "CSCs"), (frozenset(), None)),
    **dict.fromkeys(("Cy", "CY", "CYP", "CPA"), (frozenset({"agent:cyclophosphamide"}), None)),
    **dict.fromkeys(("Bu", "BUS"), (frozenset({"agent:busulfan"}), "busulfan")),
    "DOX": (frozenset({"agent:other_chemotherapy"}), "chemotherapy"),
    "TG": (frozenset({"agent:tripterygium"}), None),
    "SVF": (frozenset({"src:adipose"}), None),
    "DOR": (frozenset({"ovary"}), "ovary"),
}

_CLASSIFIED = tuple(CLASS_PATTERNS.items())


@lru_cache(maxsize=4096)
def _classify_long_form(long_form: str) -> frozenset[str]:
    text = _Text(long_form, _lower(long_form))
    return frozenset(name for name, lexeme in _CLASSIFIED if lexeme.search(text))


@lru_cache(maxsize=512)
def _abbreviation_pattern(shorts: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(short) for short in sorted(shorts, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?:s|es)?(?![A-Za-z0-9])")


def _class_matches(
    text: _Text, whole_lower: str, abbreviations: dict[str, frozenset[str]]
) -> dict[str, list[tuple[int, int]]]:
    """Find every lexicon class in ``text``, honouring the paper's own abbreviations.

    ``whole_lower`` is the title and abstract together, where an ambiguous short form
    looks for the word that supports its usual reading.
    """
    folded = text.folded
    found: dict[str, list[tuple[int, int]]] = {}
    for name, lexeme in _CLASSIFIED:
        spans = []
        for match in lexeme.finditer(text):
            token = folded[match.start() : match.end()]
            meaning = abbreviations.get(token)
            if meaning is not None:
                if name not in meaning:
                    continue  # the paper defines this short form as something else
            elif token in _AMBIGUOUS:
                classes, support = _AMBIGUOUS[token]
                if name not in classes or (support and not _SUPPORT[support].search(whole_lower)):
                    continue
            spans.append(match.span())
        if spans:
            found[name] = spans
    if abbreviations:
        pattern = _abbreviation_pattern(tuple(sorted(abbreviations)))
        for match in pattern.finditer(folded):
            token = match.group(0)
            meaning = abbreviations.get(token) or abbreviations.get(token.rstrip("s")) or ()
            for name in meaning:
                found.setdefault(name, []).append(match.span())
    return found


_SENTENCE_CUES = (
    ("own", _OWN),
    ("prior", _PRIOR),
    ("agreement", _AGREEMENT),
    ("problem", _PROBLEM),
    ("future", _FUTURE),
    ("future_work", _FUTURE_WORK),
)


def _build_document(title: str, abstract: str) -> _Document:
    folded_abstract = _fold(abstract)
    folded_title = _fold(title)
    whole = folded_title + " \n" + folded_abstract
    meanings = {short: _classify_long_form(long) for short, long in _abbreviations(whole).items()}
    whole_lower = _lower(whole)

    sentences: list[_Sentence] = []
    title_span = _trim(title, 0, len(title))
    if title_span:
        start, end = title_span
        text = _Text(folded_title[start:end], _lower(folded_title[start:end]))
        sentences.append(
            _Sentence(
                start=start,
                end=end,
                text=text,
                field="title",
                section="title",
                classes=_class_matches(text, whole_lower, meanings),
                scopes=_negation_scopes(text),
            )
        )

    abstract_text = _Text(folded_abstract, _lower(folded_abstract))
    spans = _sections(abstract)
    starts = [start for start, _, _ in spans]

    def sentence_of(position: int) -> int | None:
        index = bisect_right(starts, position) - 1
        # A match inside a heading ("WHAT IS KNOWN ALREADY:") belongs to no sentence.
        return index if index >= 0 and position < spans[index][1] else None

    # One pass over the whole abstract per pattern, then shared out by sentence.
    per_sentence: list[dict[str, list[tuple[int, int]]]] = [{} for _ in spans]
    for name, matches in _class_matches(abstract_text, whole_lower, meanings).items():
        for s, e in matches:
            index = sentence_of(s)
            if index is not None:
                base = spans[index][0]
                per_sentence[index].setdefault(name, []).append((s - base, e - base))
    cued = {
        name: {sentence_of(m.start()) for m in lexeme.finditer(abstract_text)}
        for name, lexeme in _SENTENCE_CUES
    }
    for index, ((start, end, section), found) in enumerate(zip(spans, per_sentence, strict=True)):
        text = _Text(folded_abstract[start:end], abstract_text.lower[start:end])
        sentences.append(
            _Sentence(
                start=start,
                end=end,
                text=text,
                field="abstract",
                section=section,
                classes=found,
                scopes=_negation_scopes(text),
                own=index in cued["own"],
                prior=index in cued["prior"] and index not in cued["agreement"],
                problem=index in cued["problem"],
                future=index in cued["future"],
                future_work=index in cued["future_work"],
            )
        )

    body = [s for s in sentences if s.field == "abstract"]
    if body and not _SENTENCE_CLOSE.search(body[-1].text.folded):
        body[-1].fragment = True
    title_text = sentences[0].text if title_span else None
    is_review = any(_REVIEW.search(s.text) for s in body) or bool(
        title_text and _TITLE_REVIEW.search(title_text)
    )
    _mark_background(body)
    return _Document(
        title=title,
        abstract=abstract,
        sentences=sentences,
        is_review=is_review,
        whole=_Text(whole, whole_lower),
    )


def _mark_background(body: list[_Sentence]) -> None:
    """Mark sentences that restate prior work or set the scene rather than report the study.

    Under a section label, the BACKGROUND/INTRODUCTION section is background except for
    a sentence that introduces this study. Without a label, the sentences before the
    first one about this study ("Here we ...", "Mice were given ...") are, unless they
    state a finding about the intervention (a highlights line). Anywhere, a sentence
    citing prior work ("previous studies", "has been reported") or an open problem
    ("remains unclear") is background.
    """
    unlabelled = [s for s in body if s.section is None]
    anchor = next(
        (
            index
            for index, s in enumerate(unlabelled)
            if (s.own or _STUDY_ACTION.search(s.text)) and not s.prior
        ),
        None,
    )
    if anchor is None:
        # Nothing introduces the study: the opening lines up to the first one that names
        # the intervention set the scene.
        anchor = next(
            (
                index
                for index, s in enumerate(unlabelled)
                if s.has("stem") or s.has("exo") or s.has("cm")
            ),
            0,
        )
    opening = {id(s) for s in unlabelled[:anchor]}
    for sentence in body:
        own_statement = sentence.own and not sentence.prior
        if (sentence.prior or sentence.problem) and not own_statement:
            sentence.background = True
        elif sentence.section is not None:
            sentence.background = sentence.section == "background" and not own_statement
        elif id(sentence) in opening:
            sentence.background = not (
                _PAST_FINDING.search(sentence.text)
                and (
                    sentence.has("stem")
                    or sentence.has("therapy")
                    or sentence.has("glc")
                    or sentence.has_source()
                )
            )


# --- Relevance --------------------------------------------------------------------------


_REPRODUCTIVE = _Lexeme(
    ci=r"\b(?:female|women's) (?:reproducti\w*|infertility|fertility)|\breproductive "
    r"(?:disorders?|diseases?|medicine|health|system|dysfunction)|\bgyn(?:a)?ecolog\w*"
    r"|\bfemale infertility\b"
)


# In a paper on blood cancers, "stem cell transplantation" is haematopoietic: its
# conditioning causes POI, it does not treat it.
_HAEMATOLOGY = _Lexeme(
    ci=r"\bleuk(?:a)?emi\w*|\blymphoma|\bmyelo(?:ma|dysplas\w*|id)|\baplastic|\bthalass(?:a)?emi"
    r"|\bsickle|\bh(?:a)?ematolog\w*|graft[-\s]versus[-\s]host|\bgvhd\b|\bconditioning\b"
    r"|total[-\s]body irradiation|\bh(?:a)?ematopoietic"
)
_TRANSPLANTATION = _Lexeme(
    ci=r"(?:stem[-\s]+cells?|bone[-\s]+marrow|cord[-\s]+blood|progenitor cells?)[-\s]+"
    r"(?:transplant\w*|recipients?|grafts?)|\b(?:allo-?|auto-?)?(?:hsct|sct|bmt|hct)s?\b"
)


# Other organs and diseases: a sentence naming several of them beside the ovary is a list
# ("trials in graft-versus-host disease, osteoarthritis, liver cirrhosis and premature
# ovarian failure"), not the paper's subject.
_OTHER_ORGANS = _Lexeme(
    ci=r"\bliver\b|\bhepat\w*|\bcirrho\w*|\bheart\b|\bcardi\w*|\bmyocard\w*|\blungs?\b"
    r"|\bpulmonary\b|\bkidneys?\b|\brenal\b|\bbrain\b|\bneur\w*|\bstroke\b|\bspinal\b"
    r"|\bbones?\b|\bosteo\w*|\bcartilage\b|\barthrit\w*|\bskin\b|\bwounds?\b|\bdiabet\w*"
    r"|\bcrohn\w*|\bcolitis\b|\bbowel\b|\bintestin\w*|graft[-\s]versus[-\s]host|\bgvhd\b"
    r"|\bsepsis\b|\blupus\b|\bsclerosis\b|\bcovid\w*|\bretina\w*|\bcorneal?\b|\bmuscles?\b"
    r"|\bparkinson\w*|\balzheimer\w*"
)
# Relevance needs a condition or a therapeutic purpose: the characterisation of germline
# stem cells in healthy ovaries is basic biology, not an intervention.
_PURPOSE = _Lexeme(
    ci=r"insufficien\w*|\bfailure\b|\bdamag\w*|\binjur\w*|\bag(?:e)?ing\b|\baged\b|toxic\w*"
    r"|menopaus\w*|polycystic|infertil\w*|\bfertility\b|\breserve\b|chemotherap\w*"
    r"|gonadotox\w*|\btreat\w*|\btherap\w*|transplant\w*|\binject\w*|\binfus\w*"
    r"|\badminist\w*|regenerat\w*|\brepair\w*|\brestor\w*|\brescu\w*|\bprotect\w*"
    r"|\bimprov\w*|\bameliorat\w*|\balleviat\w*|\battenuat\w*|\bdeplet\w*|dysfunction"
    r"|\bdisease\w*|\bdisorders?\b|\bmodels?\b",
    cs=r"\bPO[IF]s?\b|\bDOR\b|\bPCOS\b",
)


# A stem-cell therapy named as one item of a list of alternatives ("antioxidant therapies
# such as melatonin, vitamins, stem cell therapies, antioxidant monomers and TCM") is a
# passing mention in a paper about something else, not the paper's intervention.
_LISTED_THERAPY = _Lexeme(
    ci=r"(?:,|\bsuch as|\bincluding|\be\.g\.)\s*(?:[\w-]+\s+){0,3}?"
    r"(?:stem[-\s]cells?|mesenchymal[-\s]stem[-\s]cells?|exosomes?|cell[-\s]based)"
    r"(?:[-\s][\w-]+){0,2}\s*(?:,|\band\b|\bor\b)",
)


def _is_listed_therapy(sentence: _Sentence) -> bool:
    """Return whether the sentence names stem cells only as an item in a list of others."""
    return sentence.text.folded.count(",") >= 2 and bool(_LISTED_THERAPY.search(sentence.text))


def _is_intervention(sentence: _Sentence, paper_has_cells: bool, haematology: bool) -> bool:
    spans = [
        span
        for name, found in sentence.classes.items()
        if name in ("stem", "therapy") or name.startswith("src:")
        for span in found
    ]
    if haematology and spans:
        transplants = [m.span() for m in _TRANSPLANTATION.finditer(sentence.text)]
        spans = [(s, e) for s, e in spans if not any(s < te and ts < e for ts, te in transplants)]
    if spans:
        return True
    # Vesicles, conditioned medium or a secretome count when the paper is about cells.
    return paper_has_cells and (sentence.has("exo") or sentence.has("cm"))


def _relevance(doc: _Document) -> tuple[bool, float]:
    """Decide whether the paper is about a stem-cell-based intervention on the ovary.

    Both must be the paper's own subject: the intervention named in the title or in a
    sentence that is not background, and the ovary named in the title or in such a
    sentence. A single passing mention of the ovary is not enough (a disease list in a
    broad stem-cell paper: "... liver fibrosis and POF"), unless the paper is about
    female reproduction or the mention is part of what the study did ("POF was induced
    in mice").
    """
    haematology = bool(_HAEMATOLOGY.search(doc.whole))
    title = next((s for s in doc.sentences if s.field == "title"), None)
    # Background and work left for the future ("Future studies should compare this with
    # stem cell therapy") are not what the paper did.
    counted = [
        s
        for s in doc.sentences
        if s.field == "abstract"
        and (doc.is_review or not s.background)
        and not (s.future_work and not s.own)
    ]
    # Vesicles are the intervention only in a paper that itself works with stem cells.
    paper_has_cells = any(
        _is_intervention(s, paper_has_cells=False, haematology=haematology)
        for s in ([title] if title else []) + counted
    )
    title_i = bool(title and _is_intervention(title, paper_has_cells, haematology))
    title_o = bool(title and title.has("ovary"))
    abstract_i = sum(
        _is_intervention(s, paper_has_cells, haematology) and not _is_listed_therapy(s)
        for s in counted
    )
    # Mentions, not sentences; "premature ovarian failure (POF)" is one mention. A mention
    # in the background counts towards two only when another is in the study itself.
    all_mentions = [
        (s, start)
        for s in doc.sentences
        if s.field == "abstract"
        for start, _ in s.classes.get("ovary", ())
        if s.text.folded[start - 1 : start] != "("
    ]
    counted_ids = {id(s) for s in counted}
    lists = {
        id(s)
        for s in counted
        if s.has("ovary")
        and s.text.folded.count(",") >= 2
        and len(list(itertools.islice(_OTHER_ORGANS.finditer(s.text), 2))) == 2
    }
    mentions = [
        (s, start) for s, start in all_mentions if id(s) in counted_ids and id(s) not in lists
    ]
    both = sum(
        _is_intervention(s, paper_has_cells, haematology) and s.has("ovary") for s in counted
    )
    both += title_i and title_o
    has_i = title_i or abstract_i > 0
    ovary_is_subject = (
        title_o
        or (mentions and len(all_mentions) >= 2)
        or bool(
            mentions
            and (
                any(_REPRODUCTIVE.search(s.text) for s in doc.sentences)
                or any(s.own or _STUDY_ACTION.search(s.text) for s, _ in mentions)
            )
        )
    )
    # A damaging agent is a purpose too ("KGN cells exposed to cisplatin"); "ZP3" alone is
    # also an oocyte marker, and the autoimmune model names its condition anyway.
    purpose = bool(_PURPOSE.search(doc.whole)) or any(
        name.startswith("agent:") and name != "agent:autoimmune"
        for s in doc.sentences
        for name in s.classes
    )
    relevant = has_i and ovary_is_subject and purpose
    strength = (
        both
        + 0.5 * title_i
        + 0.5 * title_o
        + 0.25 * min(abstract_i, 4)
        + 0.25 * min(len(mentions), 4)
    )
    if relevant:
        score = 0.5 + 0.5 * (1 - math.exp(-strength / 2))
    else:
        score = 0.2 * has_i + 0.2 * bool(mentions or title_o) + 0.05 * min(both, 1)
    return relevant, round(score, 4)


# --- Mechanisms -------------------------------------------------------------------------


def _first_valid(lexeme: _Lexeme, sentence: _Sentence) -> re.Match[str] | None:
    """Return the first match of ``lexeme`` in the sentence that no negation covers."""
    for match in lexeme.finditer(sentence.text):
        if not _negated(sentence.scopes, match.start(), match.end()):
            return match
    return None


def _class_valid(sentence: _Sentence, name: str) -> bool:
    return any(not _negated(sentence.scopes, s, e) for s, e in sentence.classes.get(name, ()))


def _cue_gc_differentiation(sentence: _Sentence) -> float:
    """Score stem cells becoming or regenerating granulosa(-like) cells."""
    text = sentence.text
    if not (sentence.has("gc") or sentence.has("glc") or "follic" in text.lower):
        return 0.0  # every rule below needs granulosa cells or follicles
    if _first_valid(_GC_DIFFERENTIATION, sentence) or _first_valid(_GC_DERIVED, sentence):
        return 0.95
    strength = 0.0
    cells_named = sentence.has("stem") or sentence.has_source()
    if (
        _first_valid(_GC_LIKE, sentence)
        or (_first_valid(_GC_INDUCED, sentence) and _GC_MAKING.search(text))
        or (cells_named and _first_valid(_GC_PHENOTYPE, sentence))
    ):
        strength = 0.75
    elif _class_valid(sentence, "glc"):
        strength = 0.55  # an abbreviation of granulosa-like cells ("hiGCs", "GLC-EVs")
    if not sentence.has("exo"):
        # Transplanted (labelled) cells homing into follicles and taking on granulosa markers;
        # vesicles reaching follicles are not cells becoming granulosa cells.
        placed = _first_valid(_IN_FOLLICLES, sentence)
        if placed and _GERM_CELLS.search(_clause_before(sentence, placed.start())):
            placed = None  # "GFP-positive oocytes were present in growing follicles"
        marker = _first_valid(_GC_MARKER, sentence)
        expressed = _MARKER_EXPRESSION.search(text)
        by_the_cells = bool(
            marker and expressed and _expressed_by_the_cells(sentence, expressed.start())
        )
        if placed and by_the_cells:
            strength = max(strength, 0.9)
        elif (placed and _TRACKER.search(text)) or (cells_named and by_the_cells):
            strength = max(strength, 0.6)
    if strength < 0.6 and _first_valid(_GC_REGENERATION, sentence):
        strength = 0.6
    return strength


_SUBJECT_BREAK = re.compile(r"[,;:(]|\b(?:and|where|which|while|whereas|but|that)\b")


def _expressed_by_the_cells(sentence: _Sentence, verb_at: int) -> bool:
    """Tell whether the transplanted cells, not the ovary's own cells, express the markers.

    The subject is read from the clause just before the verb: empty ("... homed to the
    follicles and expressed FSHR") or a pronoun ("where they co-expressed") points back
    to the cells; "granulosa cells expressed more FSHR" does not.
    """
    named_before = [
        start
        for name, spans in sentence.classes.items()
        if name == "stem" or name.startswith("src:")
        for start, _ in spans
        if start < verb_at
    ]
    if not named_before and not _TRACKER.search(sentence.text):
        return False
    lower = _clause_before(sentence, verb_at)
    clause = _Text(sentence.text.folded[verb_at - len(lower) : verb_at], lower)
    return not _OVARIAN_SUBJECT.search(clause)


def _clause_before(sentence: _Sentence, at: int) -> str:
    """Return the lower-cased clause that ends at ``at``: where the subject of a verb is."""
    lower = sentence.text.lower
    clause_start = 0
    for brk in _SUBJECT_BREAK.finditer(lower, 0, at):
        clause_start = brk.end()
    return lower[clause_start:at]


def _cue_exosomes(sentence: _Sentence) -> float:
    """Score vesicles, conditioned medium, secretome and secreted factors (paracrine action)."""
    if _class_valid(sentence, "exo") or _class_valid(sentence, "cm"):
        return 1.0
    if _first_valid(_PARACRINE, sentence):
        return 0.9
    # Growth factors or cytokines the stem cells secrete; secreted hormones do not count,
    # nor what the ovary's own cells secrete.
    if (
        (sentence.has("stem") or sentence.has_source())
        and _first_valid(_SECRETION, sentence)
        and _SECRETED_FACTOR.search(sentence.text)
    ):
        return 0.8
    return 0.0


def _cue_immune(sentence: _Sentence) -> float:
    """Score immune cells, immune regulation, inflammation and immune cytokines."""
    text = sentence.text
    if not _IMMUNE_GATE.search(text.lower) or _ANNOTATION.search(text):
        return 0.0  # "biological processes including ... immune response"
    strength = 0.0
    for lexeme, weight in _IMMUNE_CUES:
        if weight <= strength:
            continue
        for match in lexeme.finditer(text):
            if _negated(sentence.scopes, match.start(), match.end()):
                continue
            if text.lower.startswith("immuni", match.start()) and _AUTOIMMUNE_MODEL.search(
                text.lower
            ):
                continue  # immunising with ZP3 induces the model; it is not the mechanism
            strength = weight
            break
    if strength < 0.7:
        cytokine = _first_valid(_IMMUNE_CYTOKINE, sentence)
        if cytokine:
            # A cytokine listed among what the cells secrete is paracrine, not immune
            # regulation, unless the sentence says its level changes.
            secreted = _SECRETION.search(text) or sentence.has("cm")
            if not secreted or _CHANGE_VERB.search(text.lower, 0, cytokine.start()):
                strength = 0.7
    return strength


_OF_THE_CELLS = re.compile(r"\s*(?:rates?\s+)?of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$")


def _about_the_stem_cells(sentence: _Sentence, start: int, end: int) -> bool:
    """Tell whether an apoptosis cue is about the transplanted cells ("apoptosis of BMSCs")."""
    lower = sentence.text.lower
    for stem_start, stem_end in sentence.classes.get("stem", ()):
        if 0 <= start - stem_end <= 1:
            return True  # "MSC apoptosis"
        if 0 < stem_start - end <= 40 and _OF_THE_CELLS.match(lower, end, stem_start):
            return True
    return False


def _cue_apoptosis(sentence: _Sentence) -> float:
    """Score apoptosis of ovarian cells as a finding or a studied endpoint."""
    if not _APOPTOSIS_GATE.search(sentence.text.lower) or _ANNOTATION.search(sentence.text):
        return 0.0
    strength = 0.0
    for lexeme, weight in _APOPTOSIS_CUES:
        if weight <= strength:
            continue
        for match in lexeme.finditer(sentence.text):
            if not _negated(sentence.scopes, match.start(), match.end()) and not (
                _about_the_stem_cells(sentence, match.start(), match.end())
            ):
                strength = weight
                break
    return strength


_CUES = (
    ("gc_differentiation", _cue_gc_differentiation),
    ("immune_regulation", _cue_immune),
    ("exosomes", _cue_exosomes),
    ("anti_apoptosis", _cue_apoptosis),
)

_SECTION_WEIGHT = {
    "title": 0.9,
    "background": 1.0,  # only reached by sentences that introduce the study
    "aim": 1.0,
    "methods": 0.85,
    "results": 1.0,
    "conclusion": 1.0,
    "other": 0.95,
    None: 1.0,
}


def _sentence_weight(sentence: _Sentence, is_review: bool) -> float:
    if sentence.field == "title":
        return _SECTION_WEIGHT["title"]
    if sentence.background and not is_review:
        return 0.0
    weight = _SECTION_WEIGHT.get(sentence.section, 1.0)
    if sentence.problem:
        weight *= 0.5
    if sentence.future and not sentence.own:
        weight *= 0.7
    return weight


def _evidence(sentence: _Sentence, doc: _Document) -> Evidence:
    source = doc.title if sentence.field == "title" else doc.abstract
    return Evidence(
        sentence=source[sentence.start : sentence.end],
        start=sentence.start,
        end=sentence.end,
        field=sentence.field,
    )


def _pick_evidence(
    scored: list[tuple[float, int, _Sentence]], doc: _Document
) -> tuple[Evidence, ...]:
    """Keep the strongest sentences, in order.

    The title is evidence only when no sentence of the abstract reaches the threshold, and
    the cut-off end of a truncated abstract only when no whole sentence does.
    """
    strong = [item for item in scored if item[0] >= MECHANISM_THRESHOLD]
    in_abstract = [item for item in strong if item[2].field == "abstract"]
    whole = [item for item in in_abstract if not item[2].fragment]
    pool = whole or in_abstract or strong
    best = max(score for score, _, _ in pool)
    chosen = [item for item in pool if item[0] >= max(MECHANISM_THRESHOLD, best * 0.9)]
    chosen.sort(key=lambda item: (-item[0] - _evidence_preference(item[2]), item[1]))
    chosen = sorted(chosen[:MAX_EVIDENCE], key=lambda item: item[1])
    return tuple(_evidence(sentence, doc) for _, _, sentence in chosen)


# Among equally strong sentences, a curator quotes the one that says what the study set out
# to do or found, and how ("by transferring miRNAs"), not how the vesicles were isolated.
_HOW = _Lexeme(
    ci=r"\b(?:through|via|mediat\w*|responsible for|by (?:carrying|transferring|delivering|"
    r"secreting|releasing|inhibiting|suppressing|reducing|regulating|promoting))\b"
    r"|\bparacrin\w*|\bcargo\b|\bcarr(?:y|ies|ying|ied)\b"
)
_CHARACTERISATION = _Lexeme(
    ci=r"morpholog\w*|\bdiameter\b|nanoparticle tracking|\bnta\b|electron microscop\w*"
    r"|\btem\b|\bcd(?:63|9|81)\b|\btsg-?101\b|\balix\b|ultracentrifug\w*|size distribution"
    r"|cup-shaped|\bcharacteri[sz]\w*|\bisolated\b|\bpurified\b|\btransfected\b"
)


_STUDY_AIM = _Lexeme(
    ci=r"\b(?:aim(?:s|ed)?|objectives?|purposes?|goals?)\b|\b(?:in|from) (?:this|the present|the "
    r"current|our) (?:\w+ )?(?:study|work|research)\b|\bhere(?:in)?,? we\b|\bwe (?:\w+ )?"
    r"(?:investigated|explored|examined|evaluated|assessed|tested|asked|sought)\b"
)


def _evidence_preference(sentence: _Sentence) -> float:
    """Return a small bonus that ranks equally strong evidence sentences.

    First what the study set out to do ("This study aimed to ...", "Here we tested ..."),
    then what it says it found, and how; last, how the material was prepared.
    """
    if sentence.field == "title":
        return 0.0
    preference = 0.0
    if sentence.section == "aim" or _STUDY_AIM.search(sentence.text):
        preference += 0.08
    elif sentence.own or sentence.section == "conclusion":
        preference += 0.04
    if _HOW.search(sentence.text):
        preference += 0.03
    if _CHARACTERISATION.search(sentence.text) or _ANNOTATION.search(sentence.text):
        preference -= 0.1
    return preference


_QUESTION = _Lexeme(
    ci=r"\bwhether\b|\bwe asked\b|\bto (?:test|investigate|explore|evaluate|examine|assess|"
    r"determine|study|clarify)\b"
)
_MEASUREMENT = _Lexeme(
    ci=r"\b(?:was|were) (?:\w+ly )?(?:measured|assessed|detected|evaluated|examined|"
    r"determined|analy[sz]ed|quantified|counted|performed|tested)\b|\bby (?:evaluating|"
    r"measuring|assessing)\b"
)


def _asks_or_measures(sentence: _Sentence) -> bool:
    """Tell whether a sentence asks a question or describes a measurement, not a result."""
    if sentence.field == "title":
        return False
    if sentence.section in ("aim", "methods"):
        return True
    return bool(_QUESTION.search(sentence.text) or _MEASUREMENT.search(sentence.text))


def _cue_or_denial(sentence: _Sentence, cue) -> tuple[float, bool]:
    """Return (cue strength, whether the sentence states the mechanism only to deny it).

    A sentence denies the mechanism when its strongest statement of it is negated: "the
    cells were found around follicles, but none expressed FSHR, indicating that they did
    not become granulosa cells" is a denial, whatever weaker cue it also holds.
    """
    strength = cue(sentence)
    if not sentence.scopes or _asks_or_measures(sentence):
        return strength, False
    unnegated = cue(dataclasses.replace(sentence, scopes=[]))
    if unnegated >= MECHANISM_THRESHOLD and unnegated > strength:
        return 0.0, True
    return strength, False


def _mechanisms(doc: _Document) -> tuple[MechanismHit, ...]:
    """Tag the mechanisms a relevant paper states as findings or studied mechanisms.

    A mechanism denied in a result ("the cells did not differentiate into granulosa
    cells") is not tagged on the strength of the question or the method alone ("we asked
    whether ...", "apoptosis was measured by TUNEL").
    """
    weights = [_sentence_weight(s, doc.is_review) for s in doc.sentences]
    hits = []
    for slug, cue in _CUES:
        scored = []
        denied = False
        for index, (sentence, weight) in enumerate(zip(doc.sentences, weights, strict=True)):
            if weight == 0.0:
                continue
            strength, denial = _cue_or_denial(sentence, cue)
            if strength > 0:
                scored.append((strength * weight, index, sentence))
            denied = denied or denial
        if not scored or max(score for score, _, _ in scored) < MECHANISM_THRESHOLD:
            continue
        if denied and all(
            _asks_or_measures(sentence)
            for score, _, sentence in scored
            if score >= MECHANISM_THRESHOLD
        ):
            continue
        score = 1.0 - math.prod(1.0 - s for s, _, _ in scored)
        hits.append(
            MechanismHit(
                slug=slug,
                score=round(min(1.0, max(score, 1e-4)), 4),
                evidence=_pick_evidence(scored, doc),
            )
        )
    return tuple(hits)


# --- Facets -----------------------------------------------------------------------------


def _facet_hits(
    candidates: dict[str, list[_Sentence]], order: tuple[str, ...], doc: _Document
) -> tuple[FacetHit, ...]:
    hits = []
    for value in order:
        sentences = candidates.get(value)
        if not sentences:
            continue
        unique: list[_Sentence] = []
        for sentence in sentences:
            if all(sentence is not seen for seen in unique):
                unique.append(sentence)
        hits.append(
            FacetHit(
                value=value,
                evidence=tuple(_evidence(s, doc) for s in unique[:MAX_EVIDENCE]),
            )
        )
    return tuple(hits)


def _counted_for_facets(doc: _Document) -> list[_Sentence]:
    """Return the sentences facets are read from: the title and what the study itself did."""
    return [
        s
        for s in doc.sentences
        if s.field == "title" or doc.is_review or (not s.background and not s.future)
    ]


def _cell_sources(doc: _Document) -> tuple[FacetHit, ...]:
    def collect(sentences: list[_Sentence]) -> dict[str, list[_Sentence]]:
        found: dict[str, list[_Sentence]] = {}
        for sentence in sentences:
            for value in CELL_SOURCES:
                if _class_valid(sentence, f"src:{value}"):
                    found.setdefault(value, []).append(sentence)
        return found

    found = collect(_counted_for_facets(doc))
    if not found:
        # A truncated or background-heavy abstract may name its cells only in passing.
        found = collect(doc.sentences)
    if "other" in found and len(found) > 1:
        # "fibroblasts" or "ovarian stem cells" beside a named MSC source are context.
        named = [s for value, hits in found.items() if value != "other" for s in hits]
        found["other"] = [s for s in found["other"] if all(s is not n for n in named)]
    return _facet_hits(found, CELL_SOURCES, doc)


_ANIMAL = _Lexeme(
    ci=r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|sheep|ewes?|pigs?|porcine|swine|"
    r"primates?|monkeys?|macaques?|dogs?|canine|goats?|bovine|cows?|hamsters?|zebrafish|"
    r"in vivo|animal models?|animals)\b"
    r"(?!(?:[-\s]+[\w-]+){0,2}?[-\s]+(?:[\w-]*cells?|[\w-]*mscs?|gcs?|granulosa|fibroblasts?|"
    r"stem|oocytes?|embryonic|bone marrow|umbilical|adipose|amniotic)\b)"
)
_CLINICAL_STRONG = _Lexeme(
    ci=r"\bcase (?:report|series)\b|\bclinical (?:trial|study|studies|pilot)\b"
    r"|\bphase (?:i{1,3}|[123])(?:/(?:i{1,3}|[123]))? (?:clinical )?(?:trial|study)\b"
    r"|\bnct\d{8}\b|\bchictr|\birct\d|\bisrctn|\bfirst[-\s]in[-\s]human\b|\bopen[-\s]label\b"
)
# Designs animal studies share ("rats were randomized"): clinical only with people.
_CLINICAL_DESIGN = _Lexeme(
    ci=r"\bpilot (?:study|trial)\b|\brandomi[sz]ed\b|\bsingle[-\s]arm\b"
    r"|\bretrospective(?:ly)?\b|\bprospective(?:ly)?\b|\bcohort\b"
)
_CLINICAL_PEOPLE = _Lexeme(
    ci=r"\b(?:patients?|women|woman|participants?|subjects|volunteers?|girls?|infertile)\b"
)
_CLINICAL_ACTION = _Lexeme(
    ci=r"\b(?:enrolled|recruited|received|underwent|undergoing|treated|randomi[sz]ed|included|"
    r"injected|transplanted|infused|followed|aged|years? old|year-old|resumed|conceived|"
    r"delivered|pregnan\w*|menstruation)\b|\b(?:\d+|two|three|four|five|six|seven|eight|nine|"
    r"ten|twelve|fifteen|twenty|thirty|forty|fifty)\s+(?:\w+\s+){0,2}(?:patients|women|"
    r"participants|subjects)\b"
)
_IN_VITRO = _Lexeme(
    ci=r"\bin vitro\b(?![-\s]+(?:fertili[sz]ation|fertili[sz]ed))|\bin culture\b"
    r"|\b(?:we|were|was) (?:\w+ )?differentiated\b[^.;]{0,80}\binto\b(?![^.;]*\bin vivo\b)"
    r"|\bkgn\b|\bcov-?434\b|\bhgl\b|\bco-?cultur\w*|\bcell lines?\b|\btranswell"
    r"|\bcell(?:ular)? models?\b|\bprimary (?:\w+ ){0,3}(?:granulosa|gcs|ogcs)\b"
    r"|\b(?:ovarian|ovary|follicle|organ|tissue) cultures?\b"
    r"|\bcultured (?:\w+ ){0,2}(?:granulosa|gcs|ovar\w*|follicles?)\b"
    r"|\b(?:granulosa|gcs?)\b[^.;]{0,40}\b(?:were|was) (?:treated|exposed|incubated|cultured)\b"
)


_OWN_CASE = _Lexeme(
    ci=r"\bwe (?:also )?(?:report|present)\b|\bour (?:own )?(?:case|patients?|experience|cohort)"
    r"|\bcase report\b"
)


def _models(doc: _Document) -> tuple[FacetHit, ...]:
    found: dict[str, list[_Sentence]] = {}
    for sentence in _counted_for_facets(doc):
        text = sentence.text
        if doc.is_review and sentence.field == "abstract":
            if _REVIEW.search(text):
                found.setdefault("review", []).append(sentence)
            # A review reports its own study only in a sentence that says so ("we report").
            if not _OWN_CASE.search(text):
                continue
        if sentence.future:
            continue
        if _ANIMAL.search(text):
            found.setdefault("animal", []).append(sentence)
        if _IN_VITRO.search(text):
            found.setdefault("in_vitro", []).append(sentence)
        people = _CLINICAL_PEOPLE.search(text)
        if _first_valid(_CLINICAL_STRONG, sentence) or (
            people and (_CLINICAL_ACTION.search(text) or _CLINICAL_DESIGN.search(text))
        ):
            found.setdefault("clinical", []).append(sentence)
    if doc.is_review and "review" not in found:
        evidence = [s for s in doc.sentences if s.field == "title"]
        if evidence:
            found["review"] = evidence
    return _facet_hits(found, MODELS, doc)


_NAMED_CHEMOTHERAPY = ("cyclophosphamide", "cisplatin", "busulfan", "other_chemotherapy")


def _inducing_agents(doc: _Document) -> tuple[FacetHit, ...]:
    found: dict[str, list[_Sentence]] = {}
    counted = _counted_for_facets(doc)
    for sentence in counted:
        for value in INDUCING_AGENTS:
            if not _class_valid(sentence, f"agent:{value}"):
                continue
            if value == "radiation" and not _MODEL_CONTEXT.search(sentence.text):
                continue
            found.setdefault(value, []).append(sentence)
    if not any(value in found for value in _NAMED_CHEMOTHERAPY):
        # "Chemotherapy-induced POF mice" without the drug named is still chemotherapy.
        for sentence in counted:
            text = sentence.text
            if (
                _first_valid(_GENERIC_CHEMO, sentence)
                and _MODEL_CONTEXT.search(text)
                and (_ANIMAL.search(text) or _IN_VITRO.search(text))
            ):
                found.setdefault("other_chemotherapy", []).append(sentence)
    return _facet_hits(found, INDUCING_AGENTS, doc)


# --- Entry point ------------------------------------------------------------------------


def tag(*, title: str, abstract: str) -> TagResult:
    """Tag one paper from its title and abstract.

    Relevance is decided first; mechanisms are only given to relevant papers. Cell
    sources, study models and inducing agents are extracted for every paper, so
    irrelevant papers can still be faceted (and a curator can overrule relevance).
    Evidence offsets index ``abstract`` (``field="abstract"``) or ``title``
    (``field="title"``). Empty input gives an irrelevant, empty result.
    """
    title = title or ""
    abstract = abstract or ""
    doc = _build_document(title, abstract)
    relevant, relevance_score = _relevance(doc)
    return TagResult(
        relevant=relevant,
        relevance_score=relevance_score,
        mechanisms=_mechanisms(doc) if relevant else (),
        cell_sources=_cell_sources(doc),
        models=_models(doc),
        inducing_agents=_inducing_agents(doc),
    )
