"""Citation formats checked against PubMed's own strings and read back by real readers.

The records are real PubMed citations typed in by hand from NLM's example (16625009) and
from the PubMed XML under shared/data/pubmed (metapub fixtures and the 2016 MEDLINE update
file). The retracted one is Wakefield et al., Lancet 1998 (9500320), whose retraction
notice is PMID 20137807. Abstracts are cut to their first sentences; every other value is
as PubMed has it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from Bio import Medline
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation import citations
from curation.citations import (
    Extras,
    bibtex_document,
    cite_all,
    cite_ama,
    cite_apa,
    cite_mla,
    cite_nlm,
    csl_json_document,
    medline_document,
    ris_document,
    to_bibtex,
    to_csl_json,
    to_medline,
    to_ris,
)
from curation.records import (
    AbstractSection,
    Author,
    CommentCorrection,
    Journal,
    MeshHeading,
    MeshQualifier,
    PaperRecord,
    PubDate,
)

CSL_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "csl-data.json").read_text()
)

FREEDMAN = PaperRecord(
    pmid=16625009,
    title="Oral ondansetron for gastroenteritis in a pediatric emergency department.",
    journal=Journal(
        title="The New England journal of medicine",
        iso_abbreviation="N Engl J Med",
        medline_ta="N Engl J Med",
        issn="1533-4406",
        issn_type="Electronic",
        issn_linking="0028-4793",
        nlm_unique_id="0255562",
        country="United States",
    ),
    volume="354",
    issue="16",
    pages="1698-705",
    pub_date=PubDate(year=2006, month=4, day=20),
    languages=("eng",),
    publication_types=("Journal Article", "Randomized Controlled Trial"),
    doi="10.1056/NEJMoa055119",
    authors=(
        Author(last_name="Freedman", fore_name="Stephen B", initials="SB"),
        Author(last_name="Adler", initials="M"),
        Author(last_name="Seshadri", initials="R"),
        Author(last_name="Powell", fore_name="Elizabeth C", initials="EC"),
    ),
)

# An article number and no pages (J Clin Invest, PMID 37966116), two authors.
JCI_ORGANOIDS = PaperRecord(
    pmid=37966116,
    title="Recent advances in lung organoid development and applications in disease modeling.",
    abstract_sections=(
        AbstractSection(
            text="Over the last decade, several organoid models have evolved to acquire "
            "increasing cellular, structural, and functional complexity."
        ),
    ),
    journal=Journal(
        title="The Journal of clinical investigation",
        iso_abbreviation="J Clin Invest",
        medline_ta="J Clin Invest",
        issn="1558-8238",
        issn_type="Electronic",
        issn_linking="0021-9738",
        nlm_unique_id="7802877",
        country="United States",
    ),
    volume="133",
    issue="22",
    elocation_id="e170500",
    pub_date=PubDate(year=2023, month=11, day=15),
    article_date=dt.date(2023, 11, 15),
    languages=("eng",),
    publication_types=(
        "Journal Article",
        "Review",
        "Research Support, Non-U.S. Gov't",
        "Research Support, N.I.H., Extramural",
    ),
    mesh_headings=(
        MeshHeading(descriptor="Endothelial Cells"),
        MeshHeading(descriptor="Induced Pluripotent Stem Cells", major_topic=True),
        MeshHeading(descriptor="Lung"),
        MeshHeading(descriptor="Pluripotent Stem Cells", major_topic=True),
        MeshHeading(descriptor="Organoids", qualifiers=(MeshQualifier(name="pathology"),)),
    ),
    status="MEDLINE",
    date_completed=dt.date(2023, 11, 16),
    date_revised=dt.date(2024, 10, 12),
    entrez_date=dt.date(2023, 11, 15),
    doi="10.1172/JCI170500",
    pmcid="PMC10645385",
    pii="170500",
    authors=(
        Author(
            last_name="Vazquez-Armendariz",
            fore_name="Ana I",
            initials="AI",
            affiliations=(
                "University of Bonn, Transdisciplinary Research Area Life and Health, Organoid "
                "Biology, Life & Medical Sciences Institute, Bonn, Germany.",
                "Department of Medicine V, Cardio-Pulmonary Institute, Universities of Giessen "
                "and Marburg Lung Center, Member of the German Center for Lung Research and "
                "Institute for Lung Health, Giessen, Germany.",
            ),
        ),
        Author(
            last_name="Tata",
            fore_name="Purushothama Rao",
            initials="PR",
            affiliations=(
                "Department of Cell Biology, Duke University School of Medicine, Durham, North "
                "Carolina, USA.",
            ),
        ),
    ),
)

# No issue, an article number, one author with an ORCID (FEMS Microbiol Lett, 38866711).
FEMS_INCLUSIVE = PaperRecord(
    pmid=38866711,
    title="Contributing to an inclusive education for neurodivergent students: sharing "
    "reflections, practices, and experiences.",
    abstract_sections=(
        AbstractSection(
            text="It is estimated that one in seven individuals, more than 15% of the "
            "population in the UK, are neurodivergent."
        ),
    ),
    copyright="© The Author(s) 2024. Published by Oxford University Press on behalf of FEMS.",
    journal=Journal(
        title="FEMS microbiology letters",
        iso_abbreviation="FEMS Microbiol Lett",
        medline_ta="FEMS Microbiol Lett",
        issn="1574-6968",
        issn_type="Electronic",
        issn_linking="0378-1097",
        nlm_unique_id="7705721",
        country="England",
    ),
    volume="371",
    elocation_id="fnae046",
    pub_date=PubDate(year=2024, month=1, day=9),
    languages=("eng",),
    publication_types=("Journal Article",),
    mesh_headings=(
        MeshHeading(descriptor="Humans"),
        MeshHeading(
            descriptor="Students", major_topic=True, qualifiers=(MeshQualifier(name="psychology"),)
        ),
        MeshHeading(descriptor="Universities"),
    ),
    keywords=("best practice", "inclusive design", "neurodiversity", "participatory approaches"),
    status="MEDLINE",
    date_completed=dt.date(2024, 7, 4),
    date_revised=dt.date(2025, 1, 3),
    entrez_date=dt.date(2024, 6, 12),
    doi="10.1093/femsle/fnae046",
    pii="7692017",
    authors=(
        Author(
            last_name="Pigato",
            fore_name="Giorgia",
            initials="G",
            orcid="0009-0003-1183-7017",
            affiliations=(
                "Queen Mary Academy, Queen Mary University of London, London, E1 4UJ, "
                "United Kingdom.",
            ),
        ),
    ),
)

# A MedlineDate ("2008 Jul-Aug") and a structured abstract (Psychosomatics, 18621939).
PSYCHOSOMATICS = PaperRecord(
    pmid=18621939,
    title="Clusters of alcohol use disorders diagnostic criteria and predictors of alcohol use "
    "after liver transplantation for alcoholic liver disease.",
    abstract_sections=(
        AbstractSection(
            label="BACKGROUND",
            category="BACKGROUND",
            text="Establishing the correct alcohol use disorder diagnosis is clinically relevant.",
        ),
        AbstractSection(
            label="METHOD",
            category="METHODS",
            text="A group of 120 ALD liver transplant recipients received the Structured "
            "Clinical Interview for DSM-IV (SCID) module for alcohol abuse/dependence, and a "
            "cluster analysis was performed.",
        ),
        AbstractSection(
            label="CONCLUSION",
            category="CONCLUSIONS",
            text="Results therefore suggest that the prognosis regarding continued abstinence "
            "posttransplant is much more positive for individuals with a diagnosis of abuse.",
        ),
    ),
    journal=Journal(
        title="Psychosomatics",
        iso_abbreviation="Psychosomatics",
        medline_ta="Psychosomatics",
        issn="0033-3182",
        issn_type="Print",
        issn_linking="0033-3182",
        nlm_unique_id="0376506",
        country="United States",
    ),
    volume="49",
    issue="4",
    pages="332-40",
    pub_date=PubDate.from_medline_date("2008 Jul-Aug"),
    languages=("eng",),
    publication_types=("Journal Article", "Research Support, N.I.H., Extramural"),
    mesh_headings=(
        MeshHeading(
            descriptor="Alcoholism",
            qualifiers=(
                MeshQualifier(name="diagnosis", major_topic=True),
                MeshQualifier(name="epidemiology", major_topic=True),
            ),
        ),
        MeshHeading(
            descriptor="Diagnostic and Statistical Manual of Mental Disorders", major_topic=True
        ),
        MeshHeading(
            descriptor="Liver Transplantation",
            qualifiers=(MeshQualifier(name="statistics & numerical data", major_topic=True),),
        ),
    ),
    status="MEDLINE",
    date_completed=dt.date(2008, 8, 20),
    date_revised=dt.date(2015, 12, 26),
    doi="10.1176/appi.psy.49.4.332",
    authors=(
        Author(last_name="DiMartini", fore_name="Andrea", initials="A"),
        Author(last_name="Dew", fore_name="Mary Amanda", initials="MA"),
        Author(last_name="Fitzgerald", fore_name="Mary Grace", initials="MG"),
        Author(last_name="Fontes", fore_name="Paulo", initials="P"),
    ),
)

# Nine people and a group, no issue, an Epub date (J Clin Epidemiol, 26092286).
ROBIS = PaperRecord(
    pmid=26092286,
    title="ROBIS: A new tool to assess risk of bias in systematic reviews was developed.",
    abstract_sections=(
        AbstractSection(
            label="OBJECTIVE",
            text="To develop ROBIS, a new tool for assessing the risk of bias in systematic "
            "reviews (rather than in primary studies).",
        ),
        AbstractSection(
            label="STUDY DESIGN AND SETTING",
            text="We used four-stage approach to develop ROBIS: define the scope, review the "
            "evidence base, hold a face-to-face meeting, and refine the tool through piloting.",
        ),
        AbstractSection(
            label="CONCLUSIONS",
            text="ROBIS is the first rigorously developed tool designed specifically to assess "
            "the risk of bias in systematic reviews.",
        ),
    ),
    copyright="Copyright © 2016 The Authors. Published by Elsevier Inc. All rights reserved.",
    journal=Journal(
        title="Journal of clinical epidemiology",
        iso_abbreviation="J Clin Epidemiol",
        medline_ta="J Clin Epidemiol",
        issn="1878-5921",
        issn_type="Electronic",
        issn_linking="0895-4356",
        nlm_unique_id="8801383",
        country="United States",
    ),
    volume="69",
    pages="225-34",
    elocation_id="S0895-4356(15)00308-X",
    pub_date=PubDate(year=2016, month=1),
    article_date=dt.date(2015, 6, 16),
    languages=("eng",),
    publication_types=("Journal Article",),
    keywords=("Evidence", "Meta-analysis", "Quality", "Risk of bias", "Systematic review", "Tool"),
    status="In-Data-Review",
    date_revised=dt.date(2015, 12, 26),
    doi="10.1016/j.jclinepi.2015.06.005",
    pii="S0895-4356(15)00308-X",
    authors=(
        Author(last_name="Whiting", fore_name="Penny", initials="P"),
        Author(last_name="Savović", fore_name="Jelena", initials="J"),
        Author(last_name="Higgins", fore_name="Julian P T", initials="JP"),
        Author(last_name="Caldwell", fore_name="Deborah M", initials="DM"),
        Author(last_name="Reeves", fore_name="Barnaby C", initials="BC"),
        Author(last_name="Shea", fore_name="Beverley", initials="B"),
        Author(last_name="Davies", fore_name="Philippa", initials="P"),
        Author(last_name="Kleijnen", fore_name="Jos", initials="J"),
        Author(last_name="Churchill", fore_name="Rachel", initials="R"),
        Author(collective_name="ROBIS group"),
    ),
)

# A group as the only author (Am Psychol, 34843274).
APA_GUIDELINE = PaperRecord(
    pmid=34843274,
    title="Summary of the clinical practice guideline for the treatment of depression across "
    "three age cohorts.",
    journal=Journal(
        title="The American psychologist",
        iso_abbreviation="Am Psychol",
        medline_ta="Am Psychol",
        issn="1935-990X",
        issn_type="Electronic",
        issn_linking="0003-066X",
        nlm_unique_id="0370521",
        country="United States",
    ),
    volume="77",
    issue="6",
    pages="770-780",
    pub_date=PubDate(year=2022, month=9),
    article_date=dt.date(2021, 11, 29),
    languages=("eng",),
    publication_types=("Journal Article", "Research Support, Non-U.S. Gov't"),
    status="MEDLINE",
    date_completed=dt.date(2022, 9, 13),
    date_revised=dt.date(2025, 7, 28),
    entrez_date=dt.date(2021, 11, 29),
    doi="10.1037/amp0000904",
    pii="2022-06921-001",
    authors=(
        Author(
            collective_name="Guideline Development Panel for the Treatment of Depressive Disorders"
        ),
    ),
)

_WEYL_AUTHORS = (
    ("Xu", "Su-Yang", "SY"),
    ("Belopolski", "Ilya", "I"),
    ("Sanchez", "Daniel S", "DS"),
    ("Zhang", "Chenglong", "C"),
    ("Chang", "Guoqing", "G"),
    ("Guo", "Cheng", "C"),
    ("Bian", "Guang", "G"),
    ("Yuan", "Zhujun", "Z"),
    ("Lu", "Hong", "H"),
    ("Chang", "Tay-Rong", "TR"),
    ("Shibayev", "Pavel P", "PP"),
    ("Prokopovych", "Mykhailo L", "ML"),
    ("Alidoust", "Nasser", "N"),
    ("Zheng", "Hao", "H"),
    ("Lee", "Chi-Cheng", "CC"),
    ("Huang", "Shin-Ming", "SM"),
    ("Sankar", "Raman", "R"),
    ("Chou", "Fangcheng", "F"),
    ("Hsu", "Chuang-Han", "CH"),
    ("Jeng", "Horng-Tay", "HT"),
    ("Bansil", "Arun", "A"),
    ("Neupert", "Titus", "T"),
    ("Strocov", "Vladimir N", "VN"),
    ("Lin", "Hsin", "H"),
    ("Jia", "Shuang", "S"),
    ("Hasan", "M Zahid", "MZ"),
)

# 26 authors (Sci Adv, 26702446): APA's 20-author rule and AMA's "et al.".
WEYL = PaperRecord(
    pmid=26702446,
    title="Experimental discovery of a topological Weyl semimetal state in TaP.",
    journal=Journal(
        title="Science advances",
        iso_abbreviation="Sci Adv",
        medline_ta="Sci Adv",
        issn="2375-2548",
        issn_type="Electronic",
        issn_linking="2375-2548",
        nlm_unique_id="101653440",
        country="United States",
    ),
    volume="1",
    issue="10",
    pages="e1501092",
    pub_date=PubDate(year=2015, month=11),
    article_date=dt.date(2015, 11, 13),
    languages=("eng",),
    publication_types=("Journal Article",),
    keywords=("Fermi arc", "Topological insulator", "Topological physics", "Weyl Fermion"),
    status="PubMed-not-MEDLINE",
    doi="10.1126/sciadv.1501092",
    authors=tuple(
        Author(last_name=last, fore_name=fore, initials=initials)
        for last, fore, initials in _WEYL_AUTHORS
    ),
)

_WAKEFIELD_AUTHORS = (
    ("Wakefield", "A J"),
    ("Murch", "S H"),
    ("Anthony", "A"),
    ("Linnell", "J"),
    ("Casson", "D M"),
    ("Malik", "M"),
    ("Berelowitz", "M"),
    ("Dhillon", "A P"),
    ("Thomson", "M A"),
    ("Harvey", "P"),
    ("Valentine", "A"),
    ("Davies", "S E"),
    ("Walker-Smith", "J A"),
)

# Retracted in 2010 (Lancet, 9500320; notice PMID 20137807).
WAKEFIELD = PaperRecord(
    pmid=9500320,
    title="Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
    "developmental disorder in children.",
    journal=Journal(
        title="Lancet (London, England)",
        iso_abbreviation="Lancet",
        medline_ta="Lancet",
        issn="0140-6736",
        issn_type="Print",
        issn_linking="0140-6736",
        nlm_unique_id="2985213R",
        country="England",
    ),
    volume="351",
    issue="9103",
    pages="637-41",
    pub_date=PubDate(year=1998, month=2, day=28),
    languages=("eng",),
    publication_types=("Journal Article", "Retracted Publication"),
    comments_corrections=(
        CommentCorrection(
            ref_type="RetractionIn", pmid=20137807, source="Lancet. 2010 Feb 6;375(9713):445"
        ),
    ),
    doi="10.1016/s0140-6736(97)11096-0",
    pii="S0140-6736(97)11096-0",
    authors=tuple(
        Author(last_name=last, fore_name=fore, initials=fore.replace(" ", ""))
        for last, fore in _WAKEFIELD_AUTHORS
    ),
)

REAL_RECORDS = (
    FREEDMAN,
    JCI_ORGANOIDS,
    FEMS_INCLUSIVE,
    PSYCHOSOMATICS,
    ROBIS,
    APA_GUIDELINE,
    WEYL,
    WAKEFIELD,
)

EXTRAS = Extras(
    notes=("Curator: dose & route {IV} at 50% — see \\S2", "Second note"),
    keywords=("mechanism: exosomes", "mechanism: anti-apoptosis"),
    url="https://pof-lit.example.org/papers/16625009/",
)

# A real title made deliberately hard: every LaTeX special, quotes, Greek letters.
AWKWARD_TITLE = (
    'Quotes "double" and ‘single’: 50% of A&B cost $5 #1, set {x} in C:\\temp, '
    "a_b ~ 2^3, IL-1β and TNF-α in “POI” expert systems--knowledge tools."
)
AWKWARD = dataclasses.replace(
    JCI_ORGANOIDS,
    title=AWKWARD_TITLE,
    title_html="Quotes <i>in vitro</i> markup",
    abstract_sections=(
        AbstractSection(label="RESULTS", text="Caspase-3 fell by 40% & Bax {p<0.05}."),
    ),
)


def _parse_bib(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return library


# --- cite strings -------------------------------------------------------------------------


def test_it_cites_nlms_own_example_in_all_four_styles() -> None:
    assert cite_all(FREEDMAN) == {
        "nlm": "Freedman SB, Adler M, Seshadri R, Powell EC. Oral ondansetron for "
        "gastroenteritis in a pediatric emergency department. N Engl J Med. 2006 Apr "
        "20;354(16):1698-705. doi: 10.1056/NEJMoa055119. PMID: 16625009.",
        "ama": "Freedman SB, Adler M, Seshadri R, Powell EC. Oral ondansetron for "
        "gastroenteritis in a pediatric emergency department. N Engl J Med. "
        "2006;354(16):1698-1705. doi:10.1056/NEJMoa055119",
        "apa": "Freedman, S. B., Adler, M., Seshadri, R., & Powell, E. C. (2006). Oral "
        "ondansetron for gastroenteritis in a pediatric emergency department. The New "
        "England journal of medicine, 354(16), 1698–1705. https://doi.org/10.1056/NEJMoa055119",
        "mla": "Freedman, Stephen B et al. “Oral ondansetron for gastroenteritis in a pediatric "
        "emergency department.” The New England journal of medicine vol. 354,16 (2006): "
        "1698-705. doi:10.1056/NEJMoa055119",
    }


def test_it_cites_an_article_number_when_there_are_no_pages() -> None:
    title = "Recent advances in lung organoid development and applications in disease modeling."
    assert cite_all(JCI_ORGANOIDS) == {
        "nlm": f"Vazquez-Armendariz AI, Tata PR. {title} J Clin Invest. 2023 Nov "
        "15;133(22):e170500. doi: 10.1172/JCI170500. PMID: 37966116; PMCID: PMC10645385.",
        "ama": f"Vazquez-Armendariz AI, Tata PR. {title} J Clin Invest. 2023;133(22):e170500. "
        "doi:10.1172/JCI170500",
        "apa": f"Vazquez-Armendariz, A. I., & Tata, P. R. (2023). {title} The Journal of "
        "clinical investigation, 133(22), e170500. https://doi.org/10.1172/JCI170500",
        "mla": f"Vazquez-Armendariz, Ana I, and Purushothama Rao Tata. “{title}” The Journal of "
        "clinical investigation vol. 133,22 (2023): e170500. doi:10.1172/JCI170500",
    }


def test_it_drops_the_parentheses_when_the_issue_is_missing() -> None:
    title = FEMS_INCLUSIVE.title
    assert cite_all(FEMS_INCLUSIVE) == {
        "nlm": f"Pigato G. {title} FEMS Microbiol Lett. 2024 Jan 9;371:fnae046. "
        "doi: 10.1093/femsle/fnae046. PMID: 38866711.",
        "ama": f"Pigato G. {title} FEMS Microbiol Lett. 2024;371:fnae046. "
        "doi:10.1093/femsle/fnae046",
        "apa": f"Pigato, G. (2024). {title} FEMS microbiology letters, 371, fnae046. "
        "https://doi.org/10.1093/femsle/fnae046",
        "mla": f"Pigato, Giorgia. “{title}” FEMS microbiology letters vol. 371 (2024): fnae046. "
        "doi:10.1093/femsle/fnae046",
    }


def test_it_keeps_the_medline_date_in_nlm_and_the_year_elsewhere() -> None:
    title = PSYCHOSOMATICS.title
    authors = "DiMartini A, Dew MA, Fitzgerald MG, Fontes P."
    assert cite_all(PSYCHOSOMATICS) == {
        "nlm": f"{authors} {title} Psychosomatics. 2008 Jul-Aug;49(4):332-40. "
        "doi: 10.1176/appi.psy.49.4.332. PMID: 18621939.",
        "ama": f"{authors} {title} Psychosomatics. 2008;49(4):332-340. "
        "doi:10.1176/appi.psy.49.4.332",
        "apa": "DiMartini, A., Dew, M. A., Fitzgerald, M. G., & Fontes, P. (2008). "
        f"{title} Psychosomatics, 49(4), 332–340. https://doi.org/10.1176/appi.psy.49.4.332",
        "mla": f"DiMartini, Andrea et al. “{title}” Psychosomatics vol. 49,4 (2008): 332-40. "
        "doi:10.1176/appi.psy.49.4.332",
    }


def test_it_separates_a_group_author_with_a_semicolon_and_shows_the_epub_date() -> None:
    title = ROBIS.title
    assert cite_nlm(ROBIS) == (
        "Whiting P, Savović J, Higgins JP, Caldwell DM, Reeves BC, Shea B, Davies P, "
        f"Kleijnen J, Churchill R; ROBIS group. {title} J Clin Epidemiol. 2016 Jan;69:225-34. "
        "doi: 10.1016/j.jclinepi.2015.06.005. Epub 2015 Jun 16. PMID: 26092286."
    )
    assert cite_ama(ROBIS) == (
        f"Whiting P, Savović J, Higgins JP, et al. {title} J Clin Epidemiol. 2016;69:225-234. "
        "doi:10.1016/j.jclinepi.2015.06.005"
    )
    assert cite_apa(ROBIS) == (
        "Whiting, P., Savović, J., Higgins, J. P., Caldwell, D. M., Reeves, B. C., Shea, B., "
        "Davies, P., Kleijnen, J., Churchill, R., & ROBIS group (2016). "
        f"{title} Journal of clinical epidemiology, 69, 225–234. "
        "https://doi.org/10.1016/j.jclinepi.2015.06.005"
    )
    assert cite_mla(ROBIS) == (
        f"Whiting, Penny et al. “{title}” Journal of clinical epidemiology vol. 69 (2016): "
        "225-34. doi:10.1016/j.jclinepi.2015.06.005"
    )


def test_it_cites_a_group_as_the_only_author_as_written() -> None:
    group = "Guideline Development Panel for the Treatment of Depressive Disorders"
    title = APA_GUIDELINE.title
    assert cite_all(APA_GUIDELINE) == {
        "nlm": f"{group}. {title} Am Psychol. 2022 Sep;77(6):770-780. doi: 10.1037/amp0000904. "
        "Epub 2021 Nov 29. PMID: 34843274.",
        "ama": f"{group}. {title} Am Psychol. 2022;77(6):770-780. doi:10.1037/amp0000904",
        "apa": f"{group} (2022). {title} The American psychologist, 77(6), 770–780. "
        "https://doi.org/10.1037/amp0000904",
        "mla": f"{group}. “{title}” The American psychologist vol. 77,6 (2022): 770-780. "
        "doi:10.1037/amp0000904",
    }


def test_it_lists_every_author_in_nlm_but_shortens_ama_and_apa_for_26_authors() -> None:
    nlm = cite_nlm(WEYL)
    assert nlm.startswith("Xu SY, Belopolski I, Sanchez DS, Zhang C, Chang G, Guo C, Bian G,")
    assert "Lin H, Jia S, Hasan MZ. Experimental discovery" in nlm
    assert nlm.count(", ") == 25 + nlm.split(". Experimental")[1].count(", ")
    assert cite_ama(WEYL) == (
        "Xu SY, Belopolski I, Sanchez DS, et al. Experimental discovery of a topological Weyl "
        "semimetal state in TaP. Sci Adv. 2015;1(10):e1501092. doi:10.1126/sciadv.1501092"
    )
    apa = cite_apa(WEYL)
    nineteen = ", ".join(
        f"{last}, " + " ".join(f"{letter}." for letter in initials)
        for last, _, initials in _WEYL_AUTHORS[:19]
    )
    assert apa == (
        f"{nineteen}, … Hasan, M. Z. (2015). Experimental discovery of a topological Weyl "
        "semimetal state in TaP. Science advances, 1(10), e1501092. "
        "https://doi.org/10.1126/sciadv.1501092"
    )
    assert "Jeng" not in apa


def test_apa_lists_all_twenty_authors_when_there_are_exactly_twenty() -> None:
    twenty = dataclasses.replace(WEYL, authors=WEYL.authors[:20])
    apa = cite_apa(twenty)
    assert "…" not in apa
    assert ", & Jeng, H. T. (2015)." in apa
    assert apa.count(".,") == 19


def test_ama_lists_six_authors_without_et_al() -> None:
    six = dataclasses.replace(WEYL, authors=WEYL.authors[:6])
    assert cite_ama(six).startswith(
        "Xu SY, Belopolski I, Sanchez DS, Zhang C, Chang G, Guo C. Experimental"
    )
    seven = dataclasses.replace(WEYL, authors=WEYL.authors[:7])
    assert cite_ama(seven).startswith("Xu SY, Belopolski I, Sanchez DS, et al. Experimental")


def test_it_marks_a_retracted_paper_in_every_cite_string() -> None:
    cites = cite_all(WAKEFIELD)
    assert all(text.startswith("Retracted: Wakefield") for text in cites.values())
    assert cites["nlm"] == (
        "Retracted: Wakefield AJ, Murch SH, Anthony A, Linnell J, Casson DM, Malik M, "
        "Berelowitz M, Dhillon AP, Thomson MA, Harvey P, Valentine A, Davies SE, "
        "Walker-Smith JA. Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
        "pervasive developmental disorder in children. Lancet. 1998 Feb 28;351(9103):637-41. "
        "doi: 10.1016/s0140-6736(97)11096-0. Retraction in: Lancet. 2010 Feb "
        "6;375(9713):445. PMID: 20137807. PMID: 9500320."
    )
    assert cites["ama"] == (
        "Retracted: Wakefield AJ, Murch SH, Anthony A, et al. Ileal-lymphoid-nodular "
        "hyperplasia, non-specific colitis, and pervasive developmental disorder in children. "
        "Lancet. 1998;351(9103):637-641. doi:10.1016/s0140-6736(97)11096-0"
    )
    assert cites["mla"].endswith(
        "Lancet (London, England) vol. 351,9103 (1998): 637-41. doi:10.1016/s0140-6736(97)11096-0"
    )


def test_a_paper_that_is_not_retracted_carries_no_marker() -> None:
    assert not any("Retract" in text for text in cite_all(FREEDMAN).values())


def test_apa_puts_the_vernacular_title_first_and_falls_back_to_the_pubmed_url() -> None:
    italian = dataclasses.replace(
        FREEDMAN,
        title="[Meta-analysis of the Italian studies on short-term effects of air pollution].",
        vernacular_title="Metanalisi italiana degli studi sugli effetti a breve termine "
        "dell'inquinamento atmosferico",
        doi="",
    )
    apa = cite_apa(italian)
    assert "(2006). Metanalisi italiana degli studi sugli effetti a breve termine " in apa
    assert "atmosferico [Meta-analysis of the Italian studies on short-term effects" in apa
    assert apa.endswith("1698–1705. https://pubmed.ncbi.nlm.nih.gov/16625009/")


def test_it_expands_abbreviated_page_ranges_for_ama_only() -> None:
    pages = dataclasses.replace(FREEDMAN, pages="60-1, 68-70")
    assert "2006;354(16):60-61, 68-70." in cite_ama(pages)
    assert "354(16):60-1, 68-70. doi" in cite_nlm(pages)
    supplement = dataclasses.replace(FREEDMAN, pages="S1-22; quiz S23-4")
    assert "354(16):S1-S22; quiz S23-S24." in cite_ama(supplement)


def test_it_writes_suffixes_the_way_pubmed_does() -> None:
    pope = Author(last_name="Pope", fore_name="C Arden", initials="CA", suffix="3rd")
    record = dataclasses.replace(FREEDMAN, authors=(FREEDMAN.authors[0], pope))
    assert cite_nlm(record).startswith("Freedman SB, Pope CA 3rd. Oral")
    assert cite_apa(record).startswith("Freedman, S. B., & Pope, C. A., 3rd (2006).")
    assert cite_mla(record).startswith("Freedman, Stephen B, and C Arden Pope, 3rd. “Oral")


def test_cite_strings_use_the_plain_title_not_its_html() -> None:
    for text in cite_all(AWKWARD).values():
        assert "<i>" not in text
        assert "expert systems--knowledge tools." in text


def test_it_refuses_something_that_is_not_a_paper_record() -> None:
    with pytest.raises(TypeError, match="expected a PaperRecord, got dict"):
        cite_nlm({"pmid": 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive integer pmid"):
        to_ris(dataclasses.replace(FREEDMAN, pmid=0))


def test_extras_refuse_a_bare_string_and_accept_lists() -> None:
    with pytest.raises(TypeError, match=r"Extras\.notes must be a tuple of strings"):
        Extras(notes="one note")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must hold strings only"):
        Extras(keywords=("ok", 3))  # type: ignore[arg-type]
    assert Extras(keywords=["a", "b"]).keywords == ("a", "b")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="extras must be an Extras"):
        to_ris(FREEDMAN, {"notes": ()})  # type: ignore[arg-type]


# --- RIS ----------------------------------------------------------------------------------


def test_ris_is_read_back_by_rispy_with_pages_split_and_extras_kept() -> None:
    text = to_ris(FREEDMAN, EXTRAS)
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "JOUR"
    assert entry["authors"] == [
        "Freedman, Stephen B",
        "Adler, M",
        "Seshadri, R",
        "Powell, Elizabeth C",
    ]
    assert entry["title"] == FREEDMAN.title
    assert entry["secondary_title"] == "The New England journal of medicine"
    assert entry["alternate_title1"] == "N Engl J Med"
    assert (entry["year"], entry["date"]) == ("2006", "2006/04/20")
    assert (entry["volume"], entry["number"]) == ("354", "16")
    assert (entry["start_page"], entry["end_page"]) == ("1698", "1705")
    assert entry["doi"] == "10.1056/NEJMoa055119"
    assert entry["accession_number"] == "16625009"
    assert entry["keywords"] == ["mechanism: exosomes", "mechanism: anti-apoptosis"]
    assert entry["notes"] == list(EXTRAS.notes)
    assert entry["urls"] == [EXTRAS.url, "https://pubmed.ncbi.nlm.nih.gov/16625009/"]


def test_ris_uses_crlf_line_ends_and_one_line_per_value() -> None:
    text = to_ris(PSYCHOSOMATICS)
    assert text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert all(line[2:6] == "  - " and line[:2].isalnum() for line in lines)
    [entry] = rispy.loads(text)
    assert entry["abstract"].startswith("BACKGROUND: Establishing the correct")
    assert " METHOD: A group of 120 ALD" in entry["abstract"]
    assert entry["date"] == "2008/07"


def test_ris_puts_an_article_number_in_sp_and_a_collective_name_in_au() -> None:
    [jci] = rispy.loads(to_ris(JCI_ORGANOIDS))
    assert jci["start_page"] == "e170500"
    assert "end_page" not in jci
    assert jci["custom2"] == "PMC10645385"
    [robis] = rispy.loads(to_ris(ROBIS))
    assert robis["authors"][-1] == "ROBIS group"
    assert (robis["start_page"], robis["end_page"]) == ("225", "234")


def test_ris_notes_a_retraction() -> None:
    [entry] = rispy.loads(to_ris(WAKEFIELD, EXTRAS))
    assert entry["notes"][0] == (
        "Retracted publication. Retraction in: Lancet. 2010 Feb 6;375(9713):445. PMID: 20137807."
    )
    assert entry["notes"][1:] == list(EXTRAS.notes)


def test_ris_document_streams_records_separated_by_a_blank_line() -> None:
    chunks = list(ris_document((record, None) for record in REAL_RECORDS))
    assert len(chunks) == len(REAL_RECORDS)
    text = "".join(chunks)
    assert text.count("ER  - \r\n\r\nTY  - JOUR") == len(REAL_RECORDS) - 1
    entries = rispy.loads(text)
    assert [entry["accession_number"] for entry in entries] == [str(r.pmid) for r in REAL_RECORDS]


def test_awkward_characters_survive_ris() -> None:
    [entry] = rispy.loads(to_ris(AWKWARD))
    assert entry["title"] == AWKWARD_TITLE
    assert "<i>" not in to_ris(AWKWARD)


# --- BibTeX -------------------------------------------------------------------------------


def test_bibtex_is_read_by_bibtexparser_with_every_field_intact() -> None:
    library = _parse_bib(to_bibtex(FREEDMAN, EXTRAS))
    [entry] = library.entries
    assert (entry.entry_type, entry.key) == ("article", "pmid16625009")
    assert entry["author"] == (
        "Freedman, Stephen B. and Adler, M. and Seshadri, R. and Powell, Elizabeth C."
    )
    assert entry["title"] == FREEDMAN.title
    assert entry["journal"] == "The New England journal of medicine"
    assert (entry["year"], entry["month"], entry["volume"], entry["number"]) == (
        "2006",
        "apr",
        "354",
        "16",
    )
    assert entry["pages"] == "1698–1705"  # LaTeX's "--", decoded
    assert (entry["doi"], entry["pmid"], entry["eprinttype"]) == (
        "10.1056/NEJMoa055119",
        "16625009",
        "pubmed",
    )
    assert entry["keywords"] == "mechanism: exosomes, mechanism: anti-apoptosis"
    assert entry["url"] == EXTRAS.url
    assert entry["annote"] == "Curator: dose & route {IV} at 50% — see \\S2\n\nSecond note"


def test_bibtex_keeps_the_month_as_a_macro_and_pages_as_latex_dashes() -> None:
    text = to_bibtex(PSYCHOSOMATICS)
    assert "  month = jul,\n" in text
    assert "  pages = {332--340},\n" in text


def test_bibtex_braces_a_collective_author_and_splits_people_correctly() -> None:
    library = bibtexparser.parse_string(
        to_bibtex(ROBIS), append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    names = library.entries[0]["author"]
    assert len(names) == 10
    assert names[2].last == ["Higgins"]
    assert names[2].first == ["Julian", "P.", "T."]
    assert names[-1].last == ["{ROBIS group}"]
    assert names[-1].first == []


def test_bibtex_protects_acronyms_in_titles() -> None:
    text = to_bibtex(ROBIS)
    assert "title = {{ROBIS:} A new tool to assess risk of bias" in text
    weyl = to_bibtex(WEYL)
    # "Weyl" cannot be told from an ordinary capitalised word; "TaP" can.
    assert "topological Weyl semimetal state in {TaP.}}," in weyl


def test_awkward_characters_round_trip_through_bibtex() -> None:
    text = to_bibtex(AWKWARD, EXTRAS)
    assert text.count("{") == text.count("}")
    [entry] = _parse_bib(text).entries
    # pylatexenc renders \textasciicircum{} as U+02C6; LaTeX itself prints "^".
    assert entry["title"].replace("ˆ", "^") == AWKWARD_TITLE
    assert entry["abstract"] == "RESULTS: Caspase-3 fell by 40% & Bax {p<0.05}."
    assert "<i>" not in text


def test_bibtex_escapes_unpaired_braces_so_the_entry_still_parses() -> None:
    record = dataclasses.replace(FREEDMAN, title="A } stray { brace")
    text = to_bibtex(record)
    assert r"A \textbraceright{} stray \textbraceleft{} brace" in text
    _parse_bib(text)


def test_bibtex_notes_a_retraction() -> None:
    [entry] = _parse_bib(to_bibtex(WAKEFIELD)).entries
    assert entry["note"].startswith("Retracted publication. Retraction in: Lancet. 2010")


def test_bibtex_document_gives_every_entry_a_unique_stable_key() -> None:
    pairs = [(FREEDMAN, None), (WAKEFIELD, EXTRAS), (FREEDMAN, None)]
    library = _parse_bib("".join(bibtex_document(pairs)))
    assert [entry.key for entry in library.entries] == [
        "pmid16625009",
        "pmid9500320",
        "pmid16625009-2",
    ]


# --- CSL-JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("record", REAL_RECORDS, ids=lambda record: str(record.pmid))
def test_csl_items_validate_against_the_official_schema(record: PaperRecord) -> None:
    jsonschema.validate([to_csl_json(record, EXTRAS)], CSL_SCHEMA)


def test_csl_item_carries_names_dates_and_identifiers() -> None:
    item = to_csl_json(ROBIS, EXTRAS)
    assert item["type"] == "article-journal"
    assert item["author"][0] == {"family": "Whiting", "given": "Penny"}
    assert item["author"][-1] == {"literal": "ROBIS group"}
    assert item["issued"] == {"date-parts": [[2016, 1]]}
    assert item["available-date"] == {"date-parts": [[2015, 6, 16]]}
    assert (item["PMID"], item["DOI"], item["page"]) == (
        "26092286",
        "10.1016/j.jclinepi.2015.06.005",
        "225-34",
    )
    assert item["container-title-short"] == "J Clin Epidemiol"
    assert item["language"] == "en"
    assert item["keyword"].endswith("Tool, mechanism: exosomes, mechanism: anti-apoptosis")
    assert item["note"] == "\n".join(EXTRAS.notes)
    assert item["URL"] == EXTRAS.url


def test_csl_dates_a_medline_date_range_by_its_start_and_keeps_a_season() -> None:
    assert to_csl_json(PSYCHOSOMATICS)["issued"] == {"date-parts": [[2008, 7]]}
    winter = dataclasses.replace(
        PSYCHOSOMATICS, pub_date=PubDate.from_medline_date("1998 Dec-1999 Jan")
    )
    assert to_csl_json(winter)["issued"] == {"date-parts": [[1998, 12]]}
    spring = dataclasses.replace(PSYCHOSOMATICS, pub_date=PubDate.from_medline_date("1990 Spring"))
    assert to_csl_json(spring)["issued"] == {"date-parts": [[1990]], "season": 1}


def test_csl_marks_a_retraction_in_note_and_status() -> None:
    item = to_csl_json(WAKEFIELD)
    assert item["status"] == "retracted"
    assert item["note"].startswith("Retracted publication. Retraction in: Lancet.")
    assert "status" not in to_csl_json(FREEDMAN)


# citeproc-py does not know Zotero's journalAbbreviation or CSL 1.0.2's available-date.
@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_citeproc_renders_every_csl_item() -> None:
    items = json.loads("".join(csl_json_document((record, EXTRAS) for record in REAL_RECORDS)))
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(REAL_RECORDS)
    text = "\n".join(rendered)
    assert "Freedman, S.B." in text
    assert "Oral ondansetron for gastroenteritis" in text
    assert "Guideline Development Panel for the Treatment of Depressive Disorders (2022)" in text
    assert "Available at: https://doi.org/10.1056/NEJMoa055119" in text
    assert "(2008) “Clusters of alcohol use disorders" in text


def test_csl_json_document_streams_a_valid_array() -> None:
    chunks = list(csl_json_document((record, None) for record in REAL_RECORDS))
    assert len(chunks) == len(REAL_RECORDS) + 2
    items = json.loads("".join(chunks))
    assert [item["PMID"] for item in items] == [str(record.pmid) for record in REAL_RECORDS]
    jsonschema.validate(items, CSL_SCHEMA)
    assert json.loads("".join(csl_json_document([]))) == []


def test_awkward_characters_survive_csl_json() -> None:
    item = json.loads("".join(csl_json_document([(AWKWARD, None)])))[0]
    assert item["title"] == AWKWARD_TITLE


# --- MEDLINE ------------------------------------------------------------------------------


def test_medline_is_read_back_by_biopython() -> None:
    text = "".join(medline_document((record, None) for record in REAL_RECORDS))
    records = list(Medline.parse(io.StringIO(text)))
    assert [record["PMID"] for record in records] == [str(r.pmid) for r in REAL_RECORDS]
    freedman, jci, fems = records[:3]
    assert freedman["TI"] == FREEDMAN.title
    assert freedman["AU"] == ["Freedman SB", "Adler M", "Seshadri R", "Powell EC"]
    assert freedman["FAU"][0] == "Freedman, Stephen B"
    assert freedman["SO"] == (
        "N Engl J Med. 2006 Apr 20;354(16):1698-705. doi: 10.1056/NEJMoa055119."
    )
    assert freedman["IS"] == "1533-4406 (Electronic) 0028-4793 (Linking)"
    assert jci["LID"] == "e170500 [pii] 10.1172/JCI170500 [doi]"
    assert jci["AID"] == ["170500 [pii]", "10.1172/JCI170500 [doi]"]
    assert jci["MH"][1] == "*Induced Pluripotent Stem Cells"
    assert jci["PMC"] == "PMC10645385"
    assert jci["AD"][0] == JCI_ORGANOIDS.authors[0].affiliations[0]
    assert fems["AUID"] == ["ORCID: 0009-0003-1183-7017"]
    assert fems["OT"] == list(FEMS_INCLUSIVE.keywords)
    assert fems["EDAT"] == "2024/06/12 00:00"
    assert records[4]["CN"] == ["ROBIS group"]
    assert records[-1]["RIN"] == ["Lancet. 2010 Feb 6;375(9713):445. PMID: 20137807"]
    assert "Retracted Publication" in records[-1]["PT"]


def test_medline_wraps_long_values_like_pubmed() -> None:
    text = to_medline(ROBIS)
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 6 + 81
    abstract_start = lines.index(next(line for line in lines if line.startswith("AB  - ")))
    assert lines[abstract_start].endswith(" ")
    assert lines[abstract_start + 1].startswith("      ")
    assert "AB  - OBJECTIVE: To develop ROBIS" in text
    assert "STUDY DESIGN AND SETTING: We used four-stage approach" in " ".join(
        line.strip() for line in lines
    )
    assert "MH  - Alcoholism/*diagnosis/*epidemiology\n" in to_medline(PSYCHOSOMATICS)


def test_medline_puts_tags_in_pubmeds_order() -> None:
    tags = [line[:4].rstrip() for line in to_medline(JCI_ORGANOIDS).splitlines() if line[:1] != " "]
    expected_order = ["PMID", "OWN", "STAT", "DCOM", "LR", "IS", "VI", "IP", "DP", "TI", "LID"]
    expected_order += ["AB", "FAU", "LA", "PT", "DEP", "PL", "TA", "JT", "JID", "MH", "PMC"]
    expected_order += ["EDAT", "AID", "SO"]
    positions = [tags.index(tag) for tag in expected_order]
    assert positions == sorted(positions)


def test_medline_carries_extras_as_keywords_and_general_notes() -> None:
    [parsed] = Medline.parse(io.StringIO(to_medline(FEMS_INCLUSIVE, EXTRAS)))
    assert parsed["OT"][-2:] == list(EXTRAS.keywords)
    assert parsed["GN"] == list(EXTRAS.notes)
    assert parsed["OTO"] == ["NOTNLM"]


def test_awkward_characters_survive_medline() -> None:
    [parsed] = Medline.parse(io.StringIO(to_medline(AWKWARD)))
    assert parsed["TI"] == AWKWARD_TITLE


_ROUND_TRIP_FIELDS = (
    "pmid",
    "title",
    "vernacular_title",
    "copyright",
    "volume",
    "issue",
    "pages",
    "elocation_id",
    "pub_date",
    "article_date",
    "languages",
    "publication_types",
    "mesh_headings",
    "keywords",
    "comments_corrections",
    "status",
    "date_completed",
    "date_revised",
    "entrez_date",
    "doi",
    "pmcid",
    "pii",
    "authors",
)


@pytest.mark.parametrize("record", REAL_RECORDS, ids=lambda record: str(record.pmid))
def test_the_projects_parser_reads_the_medline_export_back_to_the_same_record(
    record: PaperRecord,
) -> None:
    from curation.parser import parse_medline

    [parsed] = list(parse_medline(to_medline(record)))
    assert isinstance(parsed, PaperRecord), parsed
    for name in _ROUND_TRIP_FIELDS:
        assert getattr(parsed, name) == getattr(record, name), name
    # MEDLINE has no ISO abbreviation and no NlmCategory; everything else must match.
    assert dataclasses.replace(parsed.journal, iso_abbreviation="") == dataclasses.replace(
        record.journal, iso_abbreviation=""
    )
    assert [(s.label, s.text) for s in parsed.abstract_sections] == [
        (s.label, s.text) for s in record.abstract_sections
    ]


def test_medline_document_starts_every_record_with_a_blank_line() -> None:
    text = "".join(medline_document([(FREEDMAN, None), (WAKEFIELD, None)]))
    assert text.startswith("\nPMID- 16625009\n")
    assert "\n\nPMID- 9500320\n" in text


# --- streaming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document", [ris_document, bibtex_document, medline_document, csl_json_document]
)
def test_documents_are_lazy_generators(document) -> None:
    consumed = []

    def records():
        for record in REAL_RECORDS:
            consumed.append(record.pmid)
            yield record, None

    chunks = document(records())
    assert consumed == []
    text = ""
    while "16625009" not in text:
        text += next(chunks)
    assert consumed == [16625009]


@pytest.mark.parametrize(
    "document", [ris_document, bibtex_document, medline_document, csl_json_document]
)
def test_documents_reject_items_that_are_not_pairs(document) -> None:
    with pytest.raises(TypeError, match=r"item 1 must be a \(PaperRecord, Extras \| None\) pair"):
        list(document([(FREEDMAN, None), "16625009"]))


def test_control_characters_and_line_breaks_never_reach_a_one_line_value() -> None:
    record = dataclasses.replace(FREEDMAN, title="Oral\x1b ondansetron\r\nfor\u2028gastroenteritis")
    assert "TI  - Oral ondansetron for gastroenteritis\r\n" in to_ris(record)
    assert "TI  - Oral ondansetron for gastroenteritis\n" in to_medline(record)
    assert cite_nlm(record).startswith(
        "Freedman SB, Adler M, Seshadri R, Powell EC. Oral ondansetron for gastroenteritis. N Engl"
    )


# --- any text at all ----------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from("\n\t\r {}\\%&$#_~^"),
    max_size=120,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, name=_TEXT, group=_TEXT, journal=_TEXT, pages=_TEXT, note=_TEXT)
def test_every_format_stays_readable_whatever_the_text(
    title: str, name: str, group: str, journal: str, pages: str, note: str
) -> None:
    record = dataclasses.replace(
        FREEDMAN,
        title=title,
        journal=Journal(title=journal, medline_ta=journal),
        pages=pages,
        abstract_sections=(AbstractSection(label="RESULTS", text=note),),
        authors=(Author(last_name=name, fore_name=name), Author(collective_name=group)),
    )
    extras = Extras(notes=(note,), keywords=(note,), url="https://example.org/" + note)

    ris = to_ris(record, extras)
    assert all(line[2:6] == "  - " for line in ris.split("\r\n")[:-1])
    [entry] = rispy.loads(ris)
    assert entry["accession_number"] == "16625009"

    bib = to_bibtex(record, extras)
    library = bibtexparser.parse_string(bib)
    assert library.failed_blocks == []
    assert [entry.key for entry in library.entries] == ["pmid16625009"]

    jsonschema.validate([to_csl_json(record, extras)], CSL_SCHEMA)

    [parsed] = Medline.parse(io.StringIO(to_medline(record, extras)))
    assert parsed["PMID"] == "16625009"
    assert parsed.get("TI", "") == " ".join(title.split())

    for text in cite_all(record).values():
        assert "\n" not in text
        assert "PMID: 16625009" in text or "doi" in text


@given(st.text(alphabet=" a\t\n\r\x0b\x07\x7f\u00a0\u2003\u200b\u2028µ–", max_size=12))
def test_a_value_is_cleaned_onto_one_line_however_it_is_spaced(text):
    expected = " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).split())

    assert citations._clean(text) == expected
