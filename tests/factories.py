"""Factories for test data: plain records, and papers written through the real importer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import itertools
from pathlib import Path

from curation import services
from curation.models import Paper
from curation.records import (
    AbstractSection,
    Author,
    Journal,
    MeshHeading,
    MeshQualifier,
    PaperRecord,
    PubDate,
)

FIXTURES = Path(__file__).parent / "fixtures"
PUBMED = FIXTURES / "pubmed"
_pmids = itertools.count(90_000_001)

MSC_ABSTRACT = (
    AbstractSection(
        label="BACKGROUND",
        category="BACKGROUND",
        text="Premature ovarian insufficiency (POI) causes infertility in young women.",
        html="Premature ovarian insufficiency (POI) causes infertility in young women.",
    ),
    AbstractSection(
        label="RESULTS",
        category="RESULTS",
        text=(
            "Transplantation of human umbilical cord mesenchymal stem cells (hUC-MSCs) into "
            "cyclophosphamide-induced POI rats reduced granulosa cell apoptosis, lowering "
            "TUNEL-positive cells and cleaved caspase-3."
        ),
        html=(
            "Transplantation of human umbilical cord mesenchymal stem cells (hUC-MSCs) into "
            "cyclophosphamide-induced POI rats reduced granulosa cell apoptosis, lowering "
            "TUNEL-positive cells and cleaved caspase-3."
        ),
    ),
)


def paper_record(**overrides) -> PaperRecord:
    """Return a realistic MSC/POI record with a fresh PMID; override any field."""
    values = {
        "pmid": next(_pmids),
        "title": "Umbilical cord MSCs reduce granulosa cell apoptosis in POI rats.",
        "title_html": "Umbilical cord MSCs reduce granulosa cell apoptosis in POI rats.",
        "abstract_sections": MSC_ABSTRACT,
        "journal": Journal(
            title="Stem cell research & therapy",
            iso_abbreviation="Stem Cell Res Ther",
            medline_ta="Stem Cell Res Ther",
            issn="1757-6512",
            issn_type="Electronic",
            issn_linking="1757-6512",
            nlm_unique_id="101527581",
        ),
        "volume": "11",
        "issue": "1",
        "pages": "269",
        "pub_date": PubDate(year=2020, month=7, day=3),
        "languages": ("eng",),
        "publication_types": ("Journal Article", "Research Support, Non-U.S. Gov't"),
        "mesh_headings": (
            MeshHeading(
                descriptor="Primary Ovarian Insufficiency",
                ui="D016649",
                major_topic=True,
                qualifiers=(MeshQualifier(name="therapy", ui="Q000628", major_topic=True),),
            ),
        ),
        "keywords": ("Premature ovarian insufficiency", "Mesenchymal stem cells"),
        "date_revised": dt.date(2021, 1, 5),
        "entrez_date": dt.date(2020, 7, 4),
        "doi": "10.1186/s13287-020-01784-7",
        "authors": (
            Author(
                last_name="Lu",
                fore_name="Xueyan",
                initials="X",
                affiliations=("Department of Gynecology, Example University, China.",),
            ),
            Author(last_name="Bao", fore_name="Hongchu", initials="H"),
        ),
        "source_format": "pubmed_xml",
        "source": "<PubmedArticle/>",
    }
    if "title" in overrides and "title_html" not in overrides:
        overrides["title_html"] = html.escape(overrides["title"], quote=False)
    values.update(overrides)
    return PaperRecord(**values)


def revised(record: PaperRecord, **changes) -> PaperRecord:
    return dataclasses.replace(record, **changes)


def make_papers(*records: PaperRecord) -> list[Paper]:
    """Write records through the real upsert and return their papers in the same order."""
    services.paper_upsert_batch(records=list(records))
    by_pmid = {p.pmid: p for p in Paper.objects.filter(pmid__in=[r.pmid for r in records])}
    return [by_pmid[r.pmid] for r in records]


def make_paper(**overrides) -> Paper:
    return make_papers(paper_record(**overrides))[0]
