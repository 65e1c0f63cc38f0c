"""The paper list and the paper page, as a researcher reads them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from curation.records import AbstractSection, Author, Journal, PubDate
from tests.factories import make_paper, make_papers, paper_record

pytestmark = pytest.mark.django_db


def test_the_list_shows_newest_papers_first(client):
    older = paper_record(title="Older study.", pub_date=PubDate(year=2015, month=1))
    newer = paper_record(title="Newer study.", pub_date=PubDate(year=2023, month=5))
    make_papers(older, newer)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer study.") < html.index("Older study.")


def test_the_list_searches_titles_and_abstracts(client):
    make_papers(
        paper_record(title="Exosomes restore ovarian function."),
        paper_record(title="Unrelated cardiology paper.", abstract_sections=()),
    )

    response = client.get("/", {"q": "exosomes"})

    html = response.content.decode()
    assert "Exosomes restore ovarian function." in html
    assert "Unrelated cardiology paper." not in html
    assert 'value="exosomes"' in html


def test_the_list_paginates(client):
    make_papers(*(paper_record(title=f"Paper number {i}.") for i in range(25)))

    first = client.get("/").content.decode()
    second = client.get("/", {"page": 2}).content.decode()

    assert first.count('class="paper-item"') == 20
    assert second.count('class="paper-item"') == 5
    assert "Page 2 of 2" in second


def test_the_paper_page_reads_like_a_literature_reader(client):
    paper = make_paper(
        title="Biological mechanisms of mesenchymal stem cells in POF.",
        journal=Journal(title="Medicine", iso_abbreviation="Medicine (Baltimore)"),
        volume="101",
        issue="32",
        pages="",
        elocation_id="e30013",
        pub_date=PubDate(year=2022, month=8, day=12),
        doi="10.1097/MD.0000000000030013",
        pmcid="PMC9371580",
        authors=(
            Author(last_name="Wang", fore_name="Xin", initials="X", affiliations=("Dept A.",)),
            Author(last_name="Li", fore_name="Hua", initials="H", affiliations=("Dept B.",)),
            Author(last_name="Zhou", fore_name="Mei", initials="M", affiliations=("Dept A.",)),
        ),
        abstract_sections=(
            AbstractSection(label="BACKGROUND", text="POF is common.", html="POF is common."),
            AbstractSection(label="CONCLUSION", text="MSCs help.", html="MSCs help."),
        ),
    )

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "Medicine · Aug 2022" in html
    assert "Medicine (Baltimore). 2022 Aug 12; 101(32): e30013" in html
    assert "Biological mechanisms of mesenchymal stem cells in POF." in html
    assert "Xin Wang<sup>1</sup>" in html
    assert "Hua Li<sup>2</sup>" in html
    assert "Mei Zhou<sup>1</sup>" in html
    assert "BACKGROUND:</strong> POF is common." in html
    assert f"https://pubmed.ncbi.nlm.nih.gov/{paper.pmid}/" in html
    assert "https://doi.org/10.1097/MD.0000000000030013" in html
    assert "https://pmc.ncbi.nlm.nih.gov/articles/PMC9371580/" in html


def test_inline_markup_is_rendered_and_anything_else_escaped(client):
    paper = make_paper(
        title="TERT and r2 <script>alert(1)</script>",
        title_html="<i>TERT</i> and r<sup>2</sup> &lt;script&gt;alert(1)&lt;/script&gt;",
    )

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "<i>TERT</i> and r<sup>2</sup>" in html
    assert "<script>alert(1)" not in html


def test_a_forged_title_html_never_reaches_the_page_as_markup(client):
    paper = make_paper(title_html='<img src=x onerror="alert(1)"><i>ok</i>')

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "onerror" not in html
    assert "<i>ok</i>" in html


def test_a_retracted_paper_says_so_at_the_top(client):
    paper = make_paper(publication_types=("Journal Article", "Retracted Publication"))

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "Retracted publication." in html


def test_an_unknown_pmid_is_not_found(client):
    assert client.get("/papers/123/").status_code == 404


def test_every_demo_paper_page_reads_well(client):
    call_command("load_demo", stdout=None)
    from curation.models import Paper

    for paper in Paper.objects.all():
        response = client.get(paper.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert paper.citation_line() in html
        assert "None" not in html.split("<main", 1)[1].split("</main>", 1)[0]
