"""Turn a PaperRecord into what reference managers and readers ask for.

Exports: RIS, BibTeX, CSL-JSON and MEDLINE (.nbib) for one paper, streaming list helpers
for many, and the four strings of PubMed's "Cite" dialog (NLM, AMA, APA, MLA). Everything
here is pure: a record (plus optional ``Extras``) in, text or plain data out.

Sources followed, so the next reader can check rather than guess:

- NLM: NLM's sample citation on "MEDLINE/PubMed Journal Article Citation Format"
  (nlm.nih.gov/bsd/policy/cit_format.html) and PubMed's Cite output as pasted in public
  READMEs, e.g. "Guzman G, Reed MR, ... Curr Oncol Rep. 2023 May;25(5):479-489. doi:
  10.1007/s11912-023-01380-x. Epub 2023 Feb 28. PMID: 36853475; PMCID: PMC10110629." and
  "Lee CC, ... Humanit Soc Sci Commun. 2022;9(1):335. doi: ... Epub 2022 Sep 24. PMID: ...".
  Organisations are separated from personal names by a semicolon (Citing Medicine, ch. 1).
  A retraction is noted as "Retraction in: <source>." (Citing Medicine's and PubMed's
  "Summary (text)" wording for linked retraction notices).
- AMA 11th edition as PubMed gives it: "Liu Q, Luo X, Liang Z, et al. <title> Proc Natl Acad
  Sci U S A. 2024;121(8):e2318030121. doi:10.1073/pnas.2318030121" (more than 6 authors:
  first 3 and "et al."; full page ranges; "doi:" without a space or final period).
- APA 7th edition as PubMed gives it: "Dockery, D. W., Pope, C. A., 3rd, ... Ferris, B. G.,
  Jr, & Speizer, F. E. (1993). <title> The New England journal of medicine, 329(24),
  1753–1759. https://doi.org/..." and, with a group author and no DOI, "Biggeri, A., ...,
  & Italian MISA Group (2001). Metanalisi ... [Meta-analysis of ...]. Epidemiologia e
  prevenzione, 25(2 Suppl), 1–71. https://pubmed.ncbi.nlm.nih.gov/11515188/". Up to 20
  authors are listed; from 21 on, the first 19, an ellipsis (U+2026) and the last, as in
  "Harris, C. R., ..., Peterson, P., … Oliphant, T. E. (2020)." (APA 7, section 9.8).
- MLA as PubMed gives it: "Schwengers, Oliver et al. “Bakta: ...” Microbial genomics vol.
  7,11 (2021): 000685. doi:10.1099/mgen.0.000685"; two authors "Dever, Thomas E, and Rachel
  Green."; a group "ENCODE Project Consortium. “An integrated ...” Nature vol. 489,7414
  (2012): 57-74. doi:...". PubMed keeps MedlinePgn as it is here ("2817-26").
- Retracted papers: every cite string starts with "Retracted: ", the prefix COPE-following
  publishers put on a retracted article's title (Crossref shows the Lancet paper, PMID
  9500320, as "RETRACTED: Ileal-lymphoid-nodular hyperplasia, ..."); PubMed's cite strings
  carry no marker of their own, and a researcher pasting one must not lose the warning.
- RIS: the RIS specification (tag, two spaces, hyphen, space; CRLF line ends; "ER  - "),
  tags as rispy 0.10 and Zotero read them. MEDLINE: PubMed's "Save -> PubMed format" as in
  Biopython's ``Tests/Medline/pubmed_result4.txt`` (tags padded to four characters plus
  "- ", continuation lines indented six spaces, text wrapped at 81 characters with the
  breaking space left at the end of the line). CSL-JSON: the CSL 1.0.2 input schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from curation.records import MONTHS, Author, PaperRecord

__all__ = [
    "Extras",
    "bibtex_document",
    "cite_all",
    "cite_ama",
    "cite_apa",
    "cite_mla",
    "cite_nlm",
    "csl_json_document",
    "medline_document",
    "ris_document",
    "to_bibtex",
    "to_csl_json",
    "to_medline",
    "to_ris",
]

RETRACTED_PREFIX = "Retracted: "
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
DOI_URL = "https://doi.org/{doi}"

# PubMed language codes are ISO 639-2/B; CSL wants a BCP 47 tag and biblatex a babel name.
_LANGUAGES = {
    "ara": ("ar", "arabic"),
    "chi": ("zh", "chinese"),
    "cze": ("cs", "czech"),
    "dan": ("da", "danish"),
    "dut": ("nl", "dutch"),
    "eng": ("en", "english"),
    "fin": ("fi", "finnish"),
    "fre": ("fr", "french"),
    "ger": ("de", "german"),
    "gre": ("el", "greek"),
    "heb": ("he", "hebrew"),
    "hun": ("hu", "hungarian"),
    "ita": ("it", "italian"),
    "jpn": ("ja", "japanese"),
    "kor": ("ko", "korean"),
    "nor": ("no", "norsk"),
    "per": ("fa", "farsi"),
    "pol": ("pl", "polish"),
    "por": ("pt", "portuguese"),
    "rus": ("ru", "russian"),
    "spa": ("es", "spanish"),
    "swe": ("sv", "swedish"),
    "tur": ("tr", "turkish"),
}

# MEDLINE tags for CommentsCorrections RefTypes (NLM's "MEDLINE/PubMed Data Element
# (Field) Descriptions"); unknown future types fall back to a general note.
_LINK_TAGS = {
    "CommentIn": "CIN",
    "CommentOn": "CON",
    "ErratumIn": "EIN",
    "ErratumFor": "EFR",
    "CorrectedandRepublishedIn": "CRI",
    "CorrectedandRepublishedFrom": "CRF",
    "ExpressionOfConcernIn": "ECI",
    "ExpressionOfConcernFor": "ECF",
    "PartialRetractionIn": "PRIN",
    "PartialRetractionOf": "PROF",
    "RepublishedIn": "RPI",
    "RepublishedFrom": "RPF",
    "RetractionIn": "RIN",
    "RetractionOf": "ROF",
    "RetractedandRepublishedIn": "RRI",
    "RetractedandRepublishedFrom": "RRF",
    "UpdateIn": "UIN",
    "UpdateOf": "UOF",
    "SummaryForPatientsIn": "SPIN",
    "OriginalReportIn": "ORI",
}

_BIB_MONTHS = tuple(name.lower() for name in MONTHS)
_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PAGE_RANGE = re.compile(r"^(?P<p1>[A-Za-z]*)(?P<n1>\d+)-(?P<p2>[A-Za-z]*)(?P<n2>\d+)$")
_MEDLINE_WIDTH = 81


@dataclass(frozen=True, slots=True)
class Extras:
    """Optional additions the API passes on request.

    ``notes`` are plain-text notes the requester may see (already filtered), ``keywords``
    mechanism tags written as keywords ("mechanism: exosomes"), ``url`` the paper's page in
    this app. Lists are accepted and stored as tuples; a bare string is refused because it
    would otherwise be read one character at a time.
    """

    notes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    url: str = ""

    def __post_init__(self) -> None:
        for name in ("notes", "keywords"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (tuple, list)):
                raise TypeError(f"Extras.{name} must be a tuple of strings, not {value!r}")
            if not all(isinstance(item, str) for item in value):
                raise TypeError(f"Extras.{name} must hold strings only: {value!r}")
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.url, str):
            raise TypeError(f"Extras.url must be a string, not {self.url!r}")


_NO_EXTRAS = Extras()


# --- shared helpers -------------------------------------------------------------------


def _check(record: object) -> PaperRecord:
    """Return the record, or raise a clear error for anything that is not a usable one."""
    if not isinstance(record, PaperRecord):
        raise TypeError(f"expected a PaperRecord, got {type(record).__name__}")
    if isinstance(record.pmid, bool) or not isinstance(record.pmid, int) or record.pmid <= 0:
        raise ValueError(f"a PaperRecord needs a positive integer pmid, got {record.pmid!r}")
    return record


def _extras(extras: Extras | None) -> Extras:
    if extras is None:
        return _NO_EXTRAS
    if not isinstance(extras, Extras):
        raise TypeError(f"extras must be an Extras or None, got {type(extras).__name__}")
    return extras


def _clean(text: str) -> str:
    """Return text on one line: control characters dropped, runs of whitespace one space."""
    # Printable text holds no control character and no whitespace but " ": only "  " and
    # the ends can need work. The common case skips the regex (an export cleans 56 values
    # a paper).
    if text.isprintable() and "  " not in text:
        return text.strip()
    return " ".join(_CONTROL.sub("", text).split())


def _unique(values: Iterable[str]) -> list[str]:
    """Return the non-empty values cleaned, in order, without case-insensitive repeats."""
    seen: set[str] = set()
    out = []
    for value in values:
        cleaned = _clean(value)
        if cleaned and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            out.append(cleaned)
    return out


def _keywords(record: PaperRecord, extras: Extras) -> list[str]:
    return _unique([*record.keywords, *extras.keywords])


def _with_period(text: str) -> str:
    """Return text ending in sentence punctuation, adding a period only when needed."""
    text = text.rstrip()
    if not text or text[-1] in ".?!":
        return text
    return text + "."


def _initials(author: Author) -> str:
    """Return "SB" for Stephen B, preferring PubMed's own Initials."""
    if author.initials:
        return author.initials.replace(".", "").replace(" ", "")
    return "".join(part[0].upper() for part in re.split(r"[\s\-.]+", author.fore_name) if part)


def _short_name(author: Author) -> str:
    """Return PubMed's "Freedman SB" ("Pope CA 3rd"), or the collective name as written."""
    if author.collective_name:
        return _clean(author.collective_name)
    parts = (author.last_name, _initials(author), author.suffix)
    return _clean(" ".join(part for part in parts if part))


def _pubmed_author_list(authors: Iterable[Author]) -> str:
    """Join names NLM-style: commas between people, semicolons around organisations."""
    text = ""
    previous: Author | None = None
    for author in authors:
        name = _short_name(author)
        if not name:
            continue
        if previous is not None:
            both_people = not author.collective_name and not previous.collective_name
            text += ", " if both_people else "; "
        text += name
        previous = author
    return text


def _journal_abbreviation(record: PaperRecord) -> str:
    """Return the NLM title abbreviation PubMed prints: MedlineTA, else ISO without periods."""
    journal = record.journal
    if journal.medline_ta:
        return _clean(journal.medline_ta)
    if journal.iso_abbreviation:
        return _clean(journal.iso_abbreviation.replace(".", ""))
    return _clean(journal.title)


def _journal_title(record: PaperRecord) -> str:
    return _clean(
        record.journal.title or record.journal.iso_abbreviation or record.journal.medline_ta
    )


def _pages(record: PaperRecord) -> str:
    """Return MedlinePgn, or the article number when the paper has no pages."""
    return _clean(record.pages or record.elocation_id)


def _expand_range(token: str, dash: str) -> str:
    """Expand one page range ("1698-705" -> "1698<dash>1705"), leaving odd forms readable."""
    match = _PAGE_RANGE.match(token)
    if match is None:
        if token.count("-") == 1:
            start, end = token.split("-")
            return f"{start}{dash}{end}"
        return token
    p1, n1, p2, n2 = match.group("p1", "n1", "p2", "n2")
    if p2 and p2 != p1:
        return f"{p1}{n1}{dash}{p2}{n2}"
    if len(n2) < len(n1):
        full = n1[: len(n1) - len(n2)] + n2
        # "120-9" is 120-129; a shortened end that lands below the start is bad data.
        n2 = full if int(full) >= int(n1) else n2
    return f"{p1}{n1}{dash}{p1}{n2}"


def _expand_pages(pages: str, dash: str = "-") -> str:
    """Expand every range in a pagination ("60-1, 68-70" -> "60-61, 68-70")."""
    pieces = re.split(r"(\s*[,;]\s*)", _clean(pages))
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(piece)
            continue
        words = piece.split(" ")
        words[-1] = _expand_range(words[-1], dash)
        out.append(" ".join(words))
    return "".join(out)


def _page_bounds(pages: str) -> tuple[str, str]:
    """Return (first page, last page) of a pagination; the last is "" for one page."""
    expanded = _expand_pages(pages)
    if not expanded:
        return "", ""
    ranges = [piece.strip().split(" ")[-1] for piece in re.split(r"[,;]", expanded)]
    first = ranges[0].split("-")[0]
    last = ranges[-1].split("-")[-1] if (len(ranges) > 1 or "-" in ranges[0]) else ""
    return first, last


def _year(record: PaperRecord) -> int | None:
    if record.pub_date.year is not None:
        return record.pub_date.year
    return record.article_date.year if record.article_date else None


def _date_text(record: PaperRecord) -> str:
    return _clean(record.pub_date.display()) or (str(_year(record)) if _year(record) else "")


def _source_detail(date: str, record: PaperRecord, pages: str) -> str:
    """Return "2006 Apr 20;354(16):1698-705" with missing parts dropped, not left as gaps."""
    volume = _clean(record.volume)
    issue = _clean(record.issue)
    text = date
    if volume or issue:
        text += ";" if text else ""
        text += volume + (f"({issue})" if issue else "")
    if pages:
        text += ":" + pages
    return text


def _epub(record: PaperRecord) -> str:
    """Return "2023 Feb 28" for an electronic date PubMed would show next to the print one."""
    article_date = record.article_date
    if article_date is None:
        return ""
    if record.pub_date.precision == "day" and record.pub_date.as_date() == article_date:
        return ""
    return f"{article_date.year} {MONTHS[article_date.month - 1]} {article_date.day}"


def _retraction_notices(record: PaperRecord) -> list[str]:
    """Return "Lancet. 2010 Feb 6;375(9713):445. PMID: 20137807" for each RetractionIn."""
    notices = []
    for link in record.comments_corrections:
        if link.ref_type != "RetractionIn":
            continue
        source = _clean(link.source).rstrip(".")
        pmid = f"PMID: {link.pmid}" if link.pmid else ""
        notices.append(". ".join(part for part in (source, pmid) if part))
    return notices


def _retraction_note(record: PaperRecord) -> str:
    """Return the plain-text retraction warning the export formats carry, or ""."""
    if not record.is_retracted:
        return ""
    notices = _retraction_notices(record)
    if not notices:
        return "Retracted publication."
    return "Retracted publication. " + " ".join(f"Retraction in: {n}." for n in notices)


def _abstract(record: PaperRecord) -> str:
    return " ".join(_clean(line) for line in record.abstract.split("\n") if line.strip())


def _title(record: PaperRecord) -> str:
    return _clean(record.title or record.vernacular_title)


# --- cite strings -----------------------------------------------------------------------


def _mark(record: PaperRecord, text: str) -> str:
    return RETRACTED_PREFIX + text if record.is_retracted else text


def cite_nlm(record: PaperRecord) -> str:
    """Return PubMed's NLM citation: all authors, MedlineTA, full date, doi, Epub, PMID.

    Missing parts are dropped with their punctuation ("2020;13:114." without an issue);
    an article number stands in for missing pages; a retracted paper starts with
    "Retracted: " and lists its retraction notices before the PMID.
    """
    record = _check(record)
    parts = []
    authors = _pubmed_author_list(record.authors)
    if authors:
        parts.append(_with_period(authors))
    if _title(record):
        parts.append(_with_period(_title(record)))
    journal = _journal_abbreviation(record)
    if journal:
        parts.append(_with_period(journal))
    detail = _source_detail(_date_text(record), record, _pages(record))
    if detail:
        parts.append(detail + ".")
    if record.doi:
        parts.append(f"doi: {_clean(record.doi)}.")
    if _epub(record):
        parts.append(f"Epub {_epub(record)}.")
    parts.extend(f"Retraction in: {notice}." for notice in _retraction_notices(record))
    ids = f"PMID: {record.pmid}"
    if record.pmcid:
        ids += f"; PMCID: {_clean(record.pmcid)}"
    parts.append(ids + ".")
    return _mark(record, " ".join(parts))


def cite_ama(record: PaperRecord) -> str:
    """Return the AMA 11 citation PubMed gives: up to 6 authors, else 3 and "et al."."""
    record = _check(record)
    named = [author for author in record.authors if _short_name(author)]
    authors = _pubmed_author_list(named[:3] if len(named) > 6 else named)
    if len(named) > 6:
        authors += ", et al"
    parts = []
    if authors:
        parts.append(_with_period(authors))
    if _title(record):
        parts.append(_with_period(_title(record)))
    journal = _journal_abbreviation(record)
    if journal:
        parts.append(_with_period(journal))
    year = _year(record)
    pages = _expand_pages(_pages(record))
    detail = _source_detail(str(year) if year else "", record, pages)
    if detail:
        parts.append(detail + ".")
    if record.doi:
        parts.append(f"doi:{_clean(record.doi)}")
    return _mark(record, " ".join(parts))


def _apa_name(author: Author) -> str:
    if author.collective_name:
        return _clean(author.collective_name)
    initials = " ".join(f"{letter}." for letter in _initials(author))
    name = ", ".join(part for part in (_clean(author.last_name), initials) if part)
    return f"{name}, {_clean(author.suffix)}" if author.suffix else name


def _apa_authors(authors: Iterable[Author]) -> str:
    names = [name for name in (_apa_name(author) for author in authors) if name]
    if len(names) <= 1:
        return "".join(names)
    if len(names) <= 20:
        return ", ".join(names[:-1]) + ", & " + names[-1]
    return ", ".join(names[:19]) + ", … " + names[-1]


def cite_apa(record: PaperRecord) -> str:
    """Return the APA 7 citation PubMed gives: full journal title, en-dash pages, DOI URL.

    Without a DOI the PubMed page stands in, as PubMed's own APA string does; a vernacular
    title is given first with the English one in brackets after it.
    """
    record = _check(record)
    year = _year(record)
    title = _title(record)
    if record.vernacular_title and record.title.startswith("["):
        title = f"{_clean(record.vernacular_title).rstrip('.')} {_clean(record.title)}"
    title = _with_period(title)
    authors = _apa_authors(record.authors)
    when = f"({year})." if year else "(n.d.)."
    parts = [f"{authors} {when}", title] if authors else [title, when]
    source = _journal_title(record)
    volume = _clean(record.volume)
    issue = _clean(record.issue)
    if volume:
        source += f", {volume}" + (f"({issue})" if issue else "")
    pages = _expand_pages(_pages(record), "–")
    if pages:
        source += f", {pages}"
    if source:
        parts.append(source + ".")
    doi = _clean(record.doi)
    parts.append(DOI_URL.format(doi=doi) if doi else PUBMED_URL.format(pmid=record.pmid))
    return _mark(record, " ".join(part for part in parts if part))


def _mla_full_name(author: Author, *, inverted: bool) -> str:
    if author.collective_name:
        return _clean(author.collective_name)
    given = _clean(author.fore_name) or _initials(author)
    last = _clean(author.last_name)
    if inverted:
        name = ", ".join(part for part in (last, given) if part)
    else:
        name = " ".join(part for part in (given, last) if part)
    return f"{name}, {_clean(author.suffix)}" if author.suffix else name


def cite_mla(record: PaperRecord) -> str:
    """Return PubMed's MLA citation: "Last, First et al. “Title.” Journal vol. V,I (Y): pp."."""
    record = _check(record)
    named = [author for author in record.authors if _short_name(author)]
    if not named:
        authors = ""
    elif len(named) == 1:
        authors = _mla_full_name(named[0], inverted=True)
    elif len(named) == 2:
        first = _mla_full_name(named[0], inverted=True)
        authors = f"{first}, and {_mla_full_name(named[1], inverted=False)}"
    else:
        authors = _mla_full_name(named[0], inverted=True) + " et al"
    parts = [_with_period(authors)] if authors else []
    if _title(record):
        parts.append(f"“{_with_period(_title(record))}”")
    source = _journal_title(record)
    volume = _clean(record.volume)
    issue = _clean(record.issue)
    if volume:
        source += f" vol. {volume}" + (f",{issue}" if issue else "")
    year = _year(record)
    if year:
        source += f" ({year})"
    pages = _pages(record)
    if pages:
        source += f": {pages}"
    if source:
        parts.append(source.strip() + ".")
    if record.doi:
        parts.append(f"doi:{_clean(record.doi)}")
    return _mark(record, " ".join(parts))


def cite_all(record: PaperRecord) -> dict[str, str]:
    """Return the four strings of PubMed's Cite dialog, keyed "nlm", "ama", "apa", "mla"."""
    return {
        "nlm": cite_nlm(record),
        "ama": cite_ama(record),
        "apa": cite_apa(record),
        "mla": cite_mla(record),
    }


# --- RIS --------------------------------------------------------------------------------

_CRLF = "\r\n"


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {_clean(value)}{_CRLF}"


def to_ris(record: PaperRecord, extras: Extras | None = None) -> str:
    """Return one RIS record (CRLF line ends, ending "ER  - ") for reference managers.

    Collective authors are AU lines as written; pages are split into SP/EP with the end
    page expanded ("1698-705" -> 1698, 1705); an article number goes in SP. Every value is
    on one line. A retracted paper gets an N1 note naming its retraction notices.
    """
    record = _check(record)
    extras = _extras(extras)
    lines = [_ris_line("TY", "JOUR")]
    for author in record.authors:
        if author.collective_name:
            lines.append(_ris_line("AU", author.collective_name))
        elif author.last_name:
            given = _clean(author.fore_name) or _initials(author)
            name = ", ".join(part for part in (author.last_name, given, author.suffix) if part)
            lines.append(_ris_line("AU", name))
    if _title(record):
        lines.append(_ris_line("TI", _title(record)))
    journal = _journal_title(record)
    if journal:
        lines += [_ris_line(tag, journal) for tag in ("T2", "JO", "JF")]
    if _journal_abbreviation(record):
        lines.append(_ris_line("J2", _journal_abbreviation(record)))
    year = _year(record)
    if year:
        lines.append(_ris_line("PY", str(year)))
    date = record.pub_date
    if date.year is not None:
        parts = [f"{date.year:04d}"]
        if date.month:
            parts.append(f"{date.month:02d}")
            if date.day:
                parts.append(f"{date.day:02d}")
        lines.append(_ris_line("DA", "/".join(parts)))
    if record.volume:
        lines.append(_ris_line("VL", record.volume))
    if record.issue:
        lines.append(_ris_line("IS", record.issue))
    first, last = _page_bounds(_pages(record))
    if first:
        lines.append(_ris_line("SP", first))
    if last:
        lines.append(_ris_line("EP", last))
    if _abstract(record):
        lines.append(_ris_line("AB", _abstract(record)))
    if record.doi:
        lines.append(_ris_line("DO", record.doi))
    lines.append(_ris_line("AN", str(record.pmid)))
    if record.pmcid:
        lines.append(_ris_line("C2", record.pmcid))
    for issn in _unique([record.journal.issn, record.journal.issn_linking]):
        lines.append(_ris_line("SN", issn))
    for language in record.languages:
        lines.append(_ris_line("LA", language))
    lines += [_ris_line("KW", keyword) for keyword in _keywords(record, extras)]
    if _retraction_note(record):
        lines.append(_ris_line("N1", _retraction_note(record)))
    lines += [_ris_line("N1", note) for note in extras.notes if _clean(note)]
    urls = _unique([extras.url, PUBMED_URL.format(pmid=record.pmid)])
    lines += [_ris_line("UR", url) for url in urls]
    lines.append("ER  - " + _CRLF)
    return "".join(lines)


# --- BibTeX -----------------------------------------------------------------------------

_BIB_SIMPLE_ESCAPES = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _braces_balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _bib_escape(text: str) -> str:
    """Escape LaTeX specials so any text sits safely inside a braced BibTeX field.

    BibTeX counts every brace, escaped or not, to find the end of a field, so literal
    braces are written ``\\{``/``\\}`` only when they pair up; otherwise they become
    ``\\textbraceleft{}``/``\\textbraceright{}``. "--" is split so LaTeX keeps two hyphens.
    """
    text = _clean(text)
    paired = _braces_balanced(text)
    out = []
    for char in text:
        if char in _BIB_SIMPLE_ESCAPES:
            out.append(_BIB_SIMPLE_ESCAPES[char])
        elif char in "{}":
            if paired:
                out.append("\\" + char)
            else:
                out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
        else:
            out.append(char)
    return "".join(out).replace("--", "-{}-")


def _needs_protection(word: str) -> bool:
    """Return True for words a BibTeX style must not lowercase (POI, hUC-MSCs, miR-21, D)."""
    letters = word.strip("([{\"'“‘:;,.!?)]}”’")
    if not letters:
        return False
    if len(letters) == 1:
        return letters.isupper() and letters != "A"
    return any(char.isupper() for char in letters[1:]) or (
        any(char.isdigit() for char in letters) and any(char.isupper() for char in letters)
    )


def _bib_title(text: str) -> str:
    """Escape a title and brace the words whose capitals carry meaning."""
    words = []
    for word in _clean(text).split(" "):
        escaped = _bib_escape(word)
        if _needs_protection(word):
            # A group opening with a backslash is a BibTeX "special character" whose case
            # styles still change, so it needs a second pair of braces.
            escaped = f"{{{{{escaped}}}}}" if escaped.startswith("\\") else f"{{{escaped}}}"
        words.append(escaped)
    return " ".join(words)


def _bib_verbatim(text: str) -> str:
    """Return a DOI or URL for a verbatim field, percent-encoding what would break braces."""
    replacements = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}
    return "".join(replacements.get(char, char) for char in _clean(text))


def _bib_name_part(text: str) -> str:
    escaped = _bib_escape(text)
    # A lone "and" inside a name would split it into two authors.
    return f"{{{escaped}}}" if re.search(r"\band\b", escaped, re.IGNORECASE) else escaped


def _bib_given(author: Author) -> str:
    given = _clean(author.fore_name)
    if not given:
        return " ".join(f"{letter}." for letter in _initials(author))
    return " ".join(
        f"{token}." if len(token) == 1 and token.isalpha() and token.isupper() else token
        for token in given.split(" ")
    )


def _bib_author(author: Author) -> str:
    if author.collective_name:
        return "{" + _bib_escape(author.collective_name) + "}"
    last = _bib_name_part(author.last_name)
    given = _bib_name_part(_bib_given(author))
    if not given:
        return "{" + last + "}"
    if author.suffix:
        return f"{last}, {_bib_name_part(author.suffix)}, {given}"
    return f"{last}, {given}"


def _bib_key(record: PaperRecord) -> str:
    return f"pmid{record.pmid}"


def _bibtex_entry(record: PaperRecord, extras: Extras, key: str) -> str:
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str, *, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else "{" + value + "}"))

    authors = [_bib_author(author) for author in record.authors if _short_name(author)]
    add("author", " and ".join(authors))
    add("title", _bib_title(_title(record)))
    add("journal", _bib_escape(_journal_title(record)))
    add("shortjournal", _bib_escape(_journal_abbreviation(record)))
    year = _year(record)
    add("year", str(year) if year else "")
    if record.pub_date.month:
        add("month", _BIB_MONTHS[record.pub_date.month - 1], raw=True)
    add("volume", _bib_escape(record.volume))
    add("number", _bib_escape(record.issue))
    # Page ranges are the one place where "--" must stay a LaTeX en dash.
    add("pages", _bib_escape(_expand_pages(_pages(record), "--")).replace("-{}-", "--"))
    add("doi", _bib_verbatim(record.doi))
    add("pmid", str(record.pmid))
    add("pmcid", _bib_escape(record.pmcid))
    # biblatex's own way to link a PubMed id.
    add("eprint", str(record.pmid))
    add("eprinttype", "pubmed")
    add("issn", _bib_escape(record.journal.issn or record.journal.issn_linking))
    if record.language:
        add("language", _LANGUAGES.get(record.language, ("", record.language))[1])
    add("abstract", _bib_escape(_abstract(record)))
    add("keywords", ", ".join(_bib_escape(keyword) for keyword in _keywords(record, extras)))
    add("url", _bib_verbatim(extras.url))
    add("annote", "\n\n".join(_bib_escape(note) for note in extras.notes if _clean(note)))
    add("note", _bib_escape(_retraction_note(record)))
    body = "".join(f"  {name} = {value},\n" for name, value in fields)
    return f"@article{{{key},\n{body}}}\n"


def to_bibtex(record: PaperRecord, extras: Extras | None = None) -> str:
    """Return one ``@article{pmidNNN, ...}`` entry, UTF-8 kept, LaTeX specials escaped.

    Authors are "Freedman, Stephen B." (collective names in braces), the title braces
    words whose capitals matter, the month is a bib macro, pages use "--". The PMID is in
    ``pmid`` and biblatex's ``eprint``/``eprinttype``; notes go to ``annote`` and a
    retraction warning to ``note``.
    """
    record = _check(record)
    return _bibtex_entry(record, _extras(extras), _bib_key(record))


# --- CSL-JSON ---------------------------------------------------------------------------


def _csl_issued(record: PaperRecord) -> dict | None:
    """Return CSL ``issued``: year, month and day as far as known, a Season as CSL season.

    A MedlineDate range ("2022 Jul-Aug") gives its start, which is what PubMed sorts by:
    CSL date ranges would keep the end too, but citeproc-py prints nothing at all for
    them, so a range would lose even its year there.
    """
    date = record.pub_date
    if date.year is None:
        if record.article_date is None:
            return None
        day = record.article_date
        return {"date-parts": [[day.year, day.month, day.day]]}
    parts = [date.year]
    if date.month:
        parts.append(date.month)
        if date.day:
            parts.append(date.day)
    issued: dict = {"date-parts": [parts]}
    season = _SEASONS.get(date.season.lower()) if date.season else None
    if season:
        issued["season"] = season
    return issued


def _csl_name(author: Author) -> dict[str, str] | None:
    if author.collective_name:
        return {"literal": _clean(author.collective_name)}
    if not author.last_name:
        return None
    name = {"family": _clean(author.last_name)}
    given = _clean(author.fore_name) or _initials(author)
    if given:
        name["given"] = given
    if author.suffix:
        name["suffix"] = _clean(author.suffix)
    return name


def to_csl_json(record: PaperRecord, extras: Extras | None = None) -> dict:
    """Return one CSL-JSON item (schema 1.0.2) for citeproc processors and Zotero.

    ``issued`` holds as much of the date as is known (a MedlineDate range by its start,
    a Season as CSL season); the Epub date is ``available-date``. Notes and the
    retraction warning go to ``note``, a retracted paper also gets ``status: retracted``.
    """
    record = _check(record)
    extras = _extras(extras)
    item: dict = {"id": _bib_key(record), "type": "article-journal"}

    def put(key: str, value: object) -> None:
        if value:
            item[key] = value

    put("title", _title(record))
    if record.vernacular_title:
        put("original-title", _clean(record.vernacular_title))
    put("container-title", _journal_title(record))
    put("container-title-short", _journal_abbreviation(record))
    put("journalAbbreviation", _journal_abbreviation(record))
    put("author", [name for name in map(_csl_name, record.authors) if name])
    put("issued", _csl_issued(record))
    if record.article_date:
        day = record.article_date
        put("available-date", {"date-parts": [[day.year, day.month, day.day]]})
    put("volume", _clean(record.volume))
    put("issue", _clean(record.issue))
    put("page", _pages(record))
    put("DOI", _clean(record.doi))
    put("PMID", str(record.pmid))
    put("PMCID", _clean(record.pmcid))
    put("ISSN", _clean(record.journal.issn or record.journal.issn_linking))
    put("URL", _clean(extras.url))
    put("abstract", "\n".join(_clean(line) for line in record.abstract.split("\n") if line.strip()))
    if record.language:
        put("language", _LANGUAGES.get(record.language, (record.language, ""))[0])
    put("keyword", ", ".join(_keywords(record, extras)))
    notes = [_retraction_note(record), *(_clean(note) for note in extras.notes)]
    put("note", "\n".join(note for note in notes if note))
    if record.is_retracted:
        item["status"] = "retracted"
    return item


# --- MEDLINE ----------------------------------------------------------------------------


def _medline_field(tag: str, value: str) -> str:
    """Return "TAG - value" lines wrapped as PubMed wraps them."""
    words = _clean(value).split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > _MEDLINE_WIDTH:
            lines.append(current + " ")
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    head = f"{tag:<4}- "
    return head + ("\n" + " " * 6).join(lines) + "\n"


def _medline_date(value: object) -> str:
    return f"{value:%Y%m%d}" if value else ""


def _mesh_line(heading) -> str:
    text = ("*" if heading.major_topic else "") + _clean(heading.descriptor)
    for qualifier in heading.qualifiers:
        text += "/" + ("*" if qualifier.major_topic else "") + _clean(qualifier.name)
    return text


def _medline_source(record: PaperRecord) -> str:
    """Return the SO line: "N Engl J Med. 2006 Apr 20;354(16):1698-705. doi: 10.1056/x."."""
    parts = []
    journal = _journal_abbreviation(record)
    if journal:
        parts.append(_with_period(journal))
    detail = _source_detail(_date_text(record), record, _pages(record))
    if detail:
        parts.append(detail + ".")
    if record.doi:
        parts.append(f"doi: {_clean(record.doi)}.")
    if _epub(record):
        parts.append(f"Epub {_epub(record)}.")
    return " ".join(parts)


def to_medline(record: PaperRecord, extras: Extras | None = None) -> str:
    """Return the record as PubMed's MEDLINE (.nbib) text, ending in a newline.

    Tags follow PubMed's order. Collective authors are CN lines in author order; ORCIDs
    are "AUID- ORCID: ..."; the article number is "LID - e30013 [pii]" and the DOI
    "LID/AID - ... [doi]"; CommentsCorrections become CIN/EIN/RIN/... lines. Extras:
    keywords are added as OT lines and notes as GN (general note) lines; MEDLINE has no
    field for an app URL, so ``extras.url`` is not written.
    """
    record = _check(record)
    extras = _extras(extras)
    out: list[str] = []

    def add(tag: str, value: object) -> None:
        text = _clean(str(value)) if value is not None else ""
        if text:
            out.append(_medline_field(tag, text))

    add("PMID", record.pmid)
    add("OWN", "NLM")
    add("STAT", record.status)
    add("DCOM", _medline_date(record.date_completed))
    add("LR", _medline_date(record.date_revised))
    journal = record.journal
    if journal.issn:
        add("IS", f"{journal.issn} ({journal.issn_type})" if journal.issn_type else journal.issn)
    if journal.issn_linking:
        add("IS", f"{journal.issn_linking} (Linking)")
    add("VI", record.volume)
    add("IP", record.issue)
    add("DP", _date_text(record))
    add("TI", record.title)
    add("PG", record.pages)
    if record.elocation_id:
        add("LID", f"{_clean(record.elocation_id)} [pii]")
    if record.doi:
        add("LID", f"{_clean(record.doi)} [doi]")
    add("AB", _abstract(record))
    add("CI", record.copyright)
    for author in record.authors:
        if author.collective_name:
            add("CN", author.collective_name)
            continue
        if not author.last_name:
            continue
        full = ", ".join(part for part in (author.last_name, _clean(author.fore_name)) if part)
        add("FAU", f"{full} {author.suffix}" if author.suffix else full)
        add("AU", _short_name(author))
        if author.orcid:
            add("AUID", f"ORCID: {_clean(author.orcid)}")
        for affiliation in author.affiliations:
            add("AD", affiliation)
    for language in record.languages:
        add("LA", language)
    for publication_type in record.publication_types:
        add("PT", publication_type)
    add("TT", record.vernacular_title)
    add("DEP", _medline_date(record.article_date))
    add("PL", journal.country)
    add("TA", journal.medline_ta)
    add("JT", journal.title)
    add("JID", journal.nlm_unique_id)
    for link in record.comments_corrections:
        source = _clean(link.source).rstrip(".")
        value = ". ".join(
            part for part in (source, f"PMID: {link.pmid}" if link.pmid else "") if part
        )
        tag = _LINK_TAGS.get(link.ref_type)
        if tag:
            add(tag, value)
        else:
            add("GN", f"{link.ref_type}: {value}")
    for heading in record.mesh_headings:
        add("MH", _mesh_line(heading))
    add("PMC", record.pmcid)
    keywords = _keywords(record, extras)
    if keywords:
        add("OTO", "NOTNLM")
    for keyword in keywords:
        add("OT", keyword)
    for note in extras.notes:
        add("GN", note)
    if record.entrez_date:
        add("EDAT", f"{record.entrez_date:%Y/%m/%d} 00:00")
    add("AID", f"{_clean(record.pii)} [pii]" if record.pii else "")
    add("AID", f"{_clean(record.doi)} [doi]" if record.doi else "")
    add("SO", _medline_source(record))
    return "".join(out)


# --- documents --------------------------------------------------------------------------


def _pairs(
    records_and_extras: Iterable[tuple[PaperRecord, Extras | None]],
) -> Iterator[tuple[PaperRecord, Extras | None]]:
    """Yield (record, extras) pairs, accepting a bare record and rejecting anything else."""
    for position, item in enumerate(records_and_extras):
        if isinstance(item, PaperRecord):
            yield item, None
        elif isinstance(item, tuple) and len(item) == 2:
            yield item
        else:
            raise TypeError(
                f"item {position} must be a (PaperRecord, Extras | None) pair, "
                f"got {type(item).__name__}"
            )


def ris_document(
    records_and_extras: Iterable[tuple[PaperRecord, Extras | None]],
) -> Iterator[str]:
    """Yield a RIS file one record at a time, records separated by a blank line."""
    for index, (record, extras) in enumerate(_pairs(records_and_extras)):
        yield (_CRLF if index else "") + to_ris(record, extras)


def bibtex_document(
    records_and_extras: Iterable[tuple[PaperRecord, Extras | None]],
) -> Iterator[str]:
    """Yield a .bib file one entry at a time; a repeated PMID gets a "-2" key suffix."""
    seen: dict[str, int] = {}
    for index, (record, extras) in enumerate(_pairs(records_and_extras)):
        key = _bib_key(_check(record))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        yield ("\n" if index else "") + _bibtex_entry(record, _extras(extras), key)


def medline_document(
    records_and_extras: Iterable[tuple[PaperRecord, Extras | None]],
) -> Iterator[str]:
    """Yield a .nbib file as PubMed writes it: a blank line before every record."""
    for record, extras in _pairs(records_and_extras):
        yield "\n" + to_medline(record, extras)


def csl_json_document(
    records_and_extras: Iterable[tuple[PaperRecord, Extras | None]],
) -> Iterator[str]:
    """Yield a JSON array of CSL items, one item per chunk, never the whole list at once."""
    yield "["
    for index, (record, extras) in enumerate(_pairs(records_and_extras)):
        item = json.dumps(to_csl_json(record, extras), ensure_ascii=False, indent=2)
        yield ("," if index else "") + "\n" + item
    yield "\n]\n"
