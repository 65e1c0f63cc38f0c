"""Plain records shared by the parser, the importer and the citation formatters.

Nothing here imports Django: the parser turns PubMed XML or MEDLINE text into these
dataclasses, services map them onto models, and ``Paper.to_record()`` rebuilds one from
the database so the citation formatters work on exactly the same shape.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}

RETRACTION_TYPES = frozenset({"Retracted Publication"})
RETRACTION_LINKS = frozenset({"RetractionIn"})


def month_number(text: str) -> int | None:
    """Return 1-12 for a month written as a number, "Aug" or "August"; None otherwise."""
    text = text.strip()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTH_NUMBERS.get(text[:3].lower())


@dataclass(frozen=True, slots=True)
class PubDate:
    """A publication date as precise as PubMed gives it.

    ``medline_date`` keeps PubMed's free-text form ("2022 Jul-Aug", "1998 Dec-1999 Jan")
    when that is all there is; ``year`` and ``month`` are then read from its start so the
    paper still sorts and filters by year. ``season`` is a ``<Season>`` ("Spring").
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: str = ""
    medline_date: str = ""

    @property
    def precision(self) -> str:
        """Return "day", "month", "year" or "" for how much of the date is known."""
        if self.year is None:
            return ""
        if self.month is None:
            return "year"
        if self.day is None:
            return "month"
        return "day"

    def as_date(self) -> dt.date | None:
        """Return the first day the date can mean, for sorting; None without a year."""
        if self.year is None:
            return None
        try:
            return dt.date(self.year, self.month or 1, self.day or 1)
        except ValueError:
            return dt.date(self.year, self.month or 1, 1)

    def display(self) -> str:
        """Return the date as PubMed prints it: "2022 Aug 12", "2022 Jul-Aug", "1990 Spring"."""
        if self.medline_date:
            return self.medline_date
        if self.year is None:
            return ""
        parts = [str(self.year)]
        if self.season:
            parts.append(self.season)
        elif self.month:
            parts.append(MONTHS[self.month - 1])
            if self.day:
                parts.append(str(self.day))
        return " ".join(parts)

    @classmethod
    def from_medline_date(cls, text: str) -> PubDate:
        """Parse a MedlineDate or MEDLINE ``DP`` value, keeping the raw text when it is a range."""
        text = " ".join(text.split())
        match = re.match(r"^(\d{4})(?:\s+([A-Za-z]+)(?:\s+(\d{1,2}))?)?$", text)
        if match:
            year, month_text, day = match.groups()
            month = month_number(month_text) if month_text else None
            if month_text and month is None:
                return cls(year=int(year), season=month_text)
            return cls(year=int(year), month=month, day=int(day) if day and month else None)
        year_match = re.match(r"^(\d{4})", text)
        month_match = re.match(r"^\d{4}\s+([A-Za-z]{3})", text)
        return cls(
            year=int(year_match.group(1)) if year_match else None,
            month=month_number(month_match.group(1)) if month_match else None,
            medline_date=text,
        )


@dataclass(frozen=True, slots=True)
class Journal:
    title: str = ""
    iso_abbreviation: str = ""
    medline_ta: str = ""
    issn: str = ""
    issn_type: str = ""  # "Print" or "Electronic"
    issn_linking: str = ""
    nlm_unique_id: str = ""
    country: str = ""

    @property
    def key(self) -> str:
        """Return the identity used to share one Journal row between papers."""
        if self.nlm_unique_id:
            return f"nlm:{self.nlm_unique_id}"
        if self.issn_linking or self.issn:
            return f"issn:{self.issn_linking or self.issn}"
        name = self.title or self.medline_ta or self.iso_abbreviation
        return "title:" + " ".join(name.lower().split())

    @property
    def abbreviation(self) -> str:
        """Return the short name citations use: ISO abbreviation, else MedlineTA, else title."""
        return self.iso_abbreviation or self.medline_ta or self.title


@dataclass(frozen=True, slots=True)
class Author:
    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    suffix: str = ""
    collective_name: str = ""
    orcid: str = ""  # bare "0000-0002-1825-0097", no URL
    affiliations: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """Return "Last FM" (PubMed's short form) or the collective name."""
        if self.collective_name:
            return self.collective_name
        return " ".join(part for part in (self.last_name, self.initials, self.suffix) if part)


@dataclass(frozen=True, slots=True)
class AbstractSection:
    """One ``<AbstractText>``: its Label, NlmCategory, plain text and safe inline HTML.

    ``html`` is built by the parser from escaped text plus only ``i``, ``b``, ``u``,
    ``sup`` and ``sub`` elements (MathML is rendered into those), so it is safe to
    emit; ``text`` is the same content without markup.
    """

    label: str = ""
    category: str = ""
    text: str = ""
    html: str = ""


@dataclass(frozen=True, slots=True)
class MeshQualifier:
    name: str
    ui: str = ""
    major_topic: bool = False


@dataclass(frozen=True, slots=True)
class MeshHeading:
    descriptor: str
    ui: str = ""
    major_topic: bool = False
    qualifiers: tuple[MeshQualifier, ...] = ()


@dataclass(frozen=True, slots=True)
class CommentCorrection:
    """A ``<CommentsCorrections>`` link: "ErratumIn", "RetractionIn", "RetractionOf"...."""

    ref_type: str
    pmid: int | None = None
    source: str = ""  # the citation text PubMed gives ("Medicine. 2023;102(1):e1")


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One PubMed citation, whatever format it came from."""

    pmid: int
    title: str = ""
    title_html: str = ""
    vernacular_title: str = ""
    abstract_sections: tuple[AbstractSection, ...] = ()
    copyright: str = ""
    journal: Journal = field(default_factory=Journal)
    volume: str = ""
    issue: str = ""
    pages: str = ""  # MedlinePgn, "1698-705"
    elocation_id: str = ""  # the article number when there is one ("e30013"), not the DOI
    pub_date: PubDate = field(default_factory=PubDate)
    article_date: dt.date | None = None  # electronic publication date
    languages: tuple[str, ...] = ()
    publication_types: tuple[str, ...] = ()
    mesh_headings: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    comments_corrections: tuple[CommentCorrection, ...] = ()
    status: str = ""  # MedlineCitation Status / MEDLINE STAT ("MEDLINE", "PubMed-not-MEDLINE")
    date_completed: dt.date | None = None
    date_revised: dt.date | None = None
    entrez_date: dt.date | None = None  # when the record entered PubMed (EDAT)
    doi: str = ""
    pmcid: str = ""  # "PMC1234567"
    pii: str = ""
    authors: tuple[Author, ...] = ()
    source_format: str = ""  # "pubmed_xml" or "medline"
    source: str = ""  # the record exactly as read, so a better parser can re-read it

    @property
    def abstract(self) -> str:
        """Return the abstract as plain text, labelled sections as "LABEL: text" lines."""
        return "\n".join(
            f"{section.label}: {section.text}" if section.label else section.text
            for section in self.abstract_sections
        )

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else ""

    @property
    def is_retracted(self) -> bool:
        return bool(RETRACTION_TYPES.intersection(self.publication_types)) or any(
            link.ref_type in RETRACTION_LINKS for link in self.comments_corrections
        )


@dataclass(frozen=True, slots=True)
class Deletion:
    """PMIDs a MEDLINE update file's ``<DeleteCitation>`` removes."""

    pmids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record that could not be read; the rest of its file still is."""

    reason: str
    pmid: int | None = None
    position: str = ""  # "record 12", "line 340"


class MalformedSourceError(ValueError):
    """The file or answer stops being well-formed; records before the fault were yielded."""


_LINE_IN_DETAIL = re.compile(r"\bline (\d+)\b")


class MalformedXMLError(MalformedSourceError):
    """XML that stops being well-formed at a line and column, after ``records`` records."""

    def __init__(self, *, line: int, column: int, detail: str, records: int) -> None:
        super().__init__(
            f"PubMed XML is malformed at line {line}, column {column}: {detail} "
            f"({records} records read before the fault)"
        )
        self.line, self.column, self.detail, self.records = line, column, detail, records

    def __reduce__(self):
        return _malformed_xml, (self.line, self.column, self.detail, self.records)

    def shifted(self, *, lines: int, records: int) -> MalformedXMLError:
        """Return the fault as seen from a file in which this XML starts further down."""
        return MalformedXMLError(
            line=self.line + lines,
            column=self.column,
            # libxml2 names the line of a start tag that has no end: "... Title line 26 and".
            detail=_LINE_IN_DETAIL.sub(lambda m: f"line {int(m[1]) + lines}", self.detail),
            records=self.records + records,
        )


def _malformed_xml(line: int, column: int, detail: str, records: int) -> MalformedXMLError:
    return MalformedXMLError(line=line, column=column, detail=detail, records=records)
