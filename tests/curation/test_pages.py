"""The paper list and the paper page, as a researcher reads them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curation import citations, selectors, services
from curation.models import FacetKind, Mechanism, Paper, PaperFacet, Tag, TagStatus
from curation.records import AbstractSection, Author, Journal, PubDate
from curation.templatetags.curation_tags import optional_url
from tests.factories import MSC_ABSTRACT, make_paper, make_papers, paper_record

pytestmark = pytest.mark.django_db


def _tag(paper: Paper, slug: str, status: str = TagStatus.SUGGESTED, evidence=()) -> Tag:
    return Tag.objects.create(
        paper=paper,
        mechanism=Mechanism.objects.get(slug=slug),
        source="auto",
        status=status,
        score=0.8,
        evidence=list(evidence),
    )


def _facet(paper: Paper, kind: str, value: str) -> PaperFacet:
    return PaperFacet.objects.create(paper=paper, kind=kind, value=value)


def _meta(html: str, name: str) -> list[str]:
    return [
        unescape(value) for value in re.findall(rf'<meta name="{name}" content="([^"]*)">', html)
    ]


def _facet_counts(html: str, facet: str) -> dict[str, int]:
    """Read a facet's options and counts from the page: {value: count} for linked options."""
    found = re.findall(
        rf'data-facet="{facet}" data-value="([^"]+)".*?<span class="facet-count">(\d+)',
        html,
    )
    return {unescape(value): int(count) for value, count in found}


def _abstract(html: str) -> str:
    return html.split('id="abstract-heading"', 1)[1].split("</section>", 1)[0]


def _listed_pmids(html: str) -> list[int]:
    return [int(pmid) for pmid in re.findall(r'<a href="/papers/(\d+)/">', html)]


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
    assert "<mark>Exosomes</mark> restore ovarian function." in html
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


# Search and browse ---------------------------------------------------------------------


def test_search_reaches_keywords_and_mesh_terms(client):
    by_keyword = make_paper(
        title="A study of stromal cells.",
        abstract_sections=(),
        keywords=("Wharton jelly",),
        mesh_headings=(),
    )
    make_paper(title="Another study.", abstract_sections=(), keywords=(), mesh_headings=())

    html = client.get("/", {"q": "wharton"}).content.decode()

    assert _listed_pmids(html) == [by_keyword.pmid]


def test_query_terms_are_highlighted_only_after_escaping(client):
    make_paper(
        title="Exosomes <script>alert(1)</script> & granulosa cells",
        abstract_sections=(
            AbstractSection(
                text="Exosomes <img src=x onerror=alert(1)> protect granulosa cells.",
                html="Exosomes &lt;img src=x onerror=alert(1)&gt; protect granulosa cells.",
            ),
        ),
    )

    html = client.get("/", {"q": "exosomes granulosa"}).content.decode()

    assert "<mark>Exosomes</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html
    assert "<mark>granulosa</mark> cells" in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


def test_highlighting_keeps_the_titles_inline_markup(client):
    make_paper(
        title="TERT exosomes in POI",
        title_html="<i>TERT</i> exosomes in POI",
    )

    html = client.get("/", {"q": "exosome"}).content.decode()

    assert "<i>TERT</i> <mark>exosomes</mark> in POI" in html


def test_a_phrase_and_an_excluded_word_are_handled_like_pubmed(client):
    wanted = make_paper(title="Granulosa cell apoptosis after chemotherapy.", abstract_sections=())
    make_paper(title="Granulosa cell apoptosis in rats.", abstract_sections=())
    make_paper(title="Apoptosis of cells in granulosa.", abstract_sections=())

    html = client.get("/", {"q": '"granulosa cell" -rats'}).content.decode()

    assert _listed_pmids(html) == [wanted.pmid]
    assert "<mark>Granulosa cell</mark> apoptosis after chemotherapy." in html
    assert "<mark>rats" not in html


def test_facets_count_papers_per_value_over_the_list(client):
    first, second, third = make_papers(paper_record(), paper_record(), paper_record())
    _tag(first, "exosomes")
    _tag(second, "exosomes", TagStatus.CONFIRMED)
    _tag(third, "exosomes", TagStatus.REJECTED)
    _tag(first, "anti_apoptosis")
    _facet(first, FacetKind.CELL_SOURCE, "bone_marrow")
    _facet(second, FacetKind.CELL_SOURCE, "umbilical_cord")
    _facet(third, FacetKind.CELL_SOURCE, "umbilical_cord")
    _facet(first, FacetKind.MODEL, "animal")

    html = client.get("/").content.decode()

    assert _facet_counts(html, "mechanism") == {"exosomes": 2, "anti_apoptosis": 1}
    assert _facet_counts(html, "tag_status") == {"suggested": 1, "confirmed": 1, "rejected": 1}
    assert _facet_counts(html, "cell_source") == {"umbilical_cord": 2, "bone_marrow": 1}
    assert _facet_counts(html, "model") == {"animal": 1}
    assert "Exosomes and paracrine secretion" in html
    assert "Umbilical cord / Wharton&#x27;s jelly" in html
    assert _facet_counts(html, "publication_type")["Journal Article"] == 3
    assert _facet_counts(html, "journal") == {"Stem Cell Res Ther": 3}
    assert _facet_counts(html, "retracted") == {"false": 3}


@pytest.mark.postgres
@pytest.mark.parametrize("analyzed", [False, True], ids=["small base", "large base, analyzed"])
def test_searched_counts_come_from_one_run_of_the_search_and_leave_no_table_behind(
    client, monkeypatch, analyzed
):
    """On PostgreSQL a searched or tag-filtered base is copied once into a temporary table
    (and a large one analyzed: here every base counts as large when ``analyzed``).
    """
    if analyzed:
        monkeypatch.setattr(selectors, "ANALYZE_BASES_ABOVE", 0)
    first, second, third = make_papers(
        paper_record(title="Exosomes from MSCs.", pub_date=PubDate(year=2020)),
        paper_record(
            title="Exosomes again.",
            pub_date=PubDate(year=2021),
            publication_types=("Journal Article", "Retracted Publication"),
        ),
        paper_record(title="Something else entirely.", pub_date=PubDate(year=2021)),
    )
    _tag(first, "exosomes")
    _tag(second, "exosomes", TagStatus.CONFIRMED)
    _tag(third, "exosomes")
    _facet(first, FacetKind.CELL_SOURCE, "adipose")
    _facet(second, FacetKind.CELL_SOURCE, "adipose")

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/", {"q": "exosomes", "cell_source": "adipose"}).content.decode()

    creates = [q["sql"] for q in queries if q["sql"].startswith("CREATE TEMPORARY TABLE")]
    # The full filter, and the one without cell_source for the cell-source counts.
    assert len(creates) == 2
    analyzes = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE pg_temp.")]
    assert len(analyzes) == (2 if analyzed else 0)
    assert sorted(_listed_pmids(html)) == sorted([first.pmid, second.pmid])
    assert _facet_counts(html, "mechanism") == {"exosomes": 2}
    assert _facet_counts(html, "tag_status") == {"suggested": 1, "confirmed": 1}
    assert _facet_counts(html, "cell_source") == {"adipose": 2}
    assert _facet_counts(html, "retracted") == {"true": 1, "false": 1}
    assert _facet_counts(html, "journal") == {"Stem Cell Res Ther": 2}
    assert "2 papers" in html
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'facet_base_%'")
        assert cursor.fetchone() == (0,)


def test_choosing_a_facet_narrows_the_list_and_the_other_facets(client):
    first, second, third = make_papers(paper_record(), paper_record(), paper_record())
    _tag(first, "exosomes")
    _tag(second, "exosomes")
    _tag(second, "immune_regulation")
    _facet(first, FacetKind.MODEL, "animal")
    _facet(second, FacetKind.MODEL, "clinical")
    _facet(third, FacetKind.MODEL, "clinical")

    html = client.get("/", {"mechanism": "exosomes"}).content.decode()

    assert sorted(_listed_pmids(html)) == sorted([first.pmid, second.pmid])
    assert _facet_counts(html, "model") == {"animal": 1, "clinical": 1}
    assert _facet_counts(html, "mechanism") == {"exosomes": 2, "immune_regulation": 1}
    assert 'data-value="exosomes" aria-current="true"' in html
    assert "2 papers" in html


def test_a_chosen_cell_source_still_counts_the_other_sources(client):
    first, second = make_papers(paper_record(), paper_record())
    _facet(first, FacetKind.CELL_SOURCE, "bone_marrow")
    _facet(second, FacetKind.CELL_SOURCE, "adipose")

    html = client.get("/", {"cell_source": "bone_marrow"}).content.decode()

    assert _listed_pmids(html) == [first.pmid]
    assert _facet_counts(html, "cell_source") == {"bone_marrow": 1, "adipose": 1}
    adipose_link = re.search(r'href="([^"]+)" data-facet="cell_source" data-value="adipose"', html)
    assert unescape(adipose_link.group(1)) == "?cell_source=bone_marrow&cell_source=adipose"


def test_facet_links_keep_the_search_and_other_filters_and_restart_at_page_one(client):
    paper = make_paper(title="Exosomes in POI.")
    _tag(paper, "exosomes")
    _facet(paper, FacetKind.MODEL, "animal")

    html = client.get(
        "/", {"q": "exosomes", "model": "animal", "page": "1", "sort": "newest"}
    ).content.decode()

    link = re.search(r'href="([^"]+)" data-facet="mechanism" data-value="exosomes"', html)
    assert unescape(link.group(1)) == "?q=exosomes&model=animal&sort=newest&mechanism=exosomes"
    removal = re.search(r'href="([^"]+)" data-facet="model" data-value="animal"', html)
    assert unescape(removal.group(1)) == "?q=exosomes&sort=newest"


def test_the_page_and_the_api_filter_alike(client):
    papers = make_papers(
        paper_record(pub_date=PubDate(year=2018)),
        paper_record(pub_date=PubDate(year=2021), publication_types=("Review",)),
        paper_record(pub_date=PubDate(year=2022)),
        paper_record(pub_date=PubDate(year=2023), title="Exosomes again."),
    )
    for paper in papers[1:]:
        _tag(paper, "exosomes")
    _facet(papers[2], FacetKind.CELL_SOURCE, "adipose")
    queries = [
        {"mechanism": "exosomes", "year_min": "2020"},
        {"mechanism": "exosomes", "year_max": "2022", "publication_type": "Review"},
        {"cell_source": "adipose,bone_marrow"},
        {"q": "exosomes", "retracted": "false"},
        {"journal": "Stem Cell Res Ther", "tag_status": "suggested"},
    ]
    for params in queries:
        page = _listed_pmids(client.get("/", params).content.decode())
        api = [p["pmid"] for p in client.get("/api/papers/", params).json()["results"]]
        assert sorted(page) == sorted(api), params


def test_the_list_sorts_by_relevance_or_date(client):
    make_papers(
        paper_record(title="Old exosomes paper.", pub_date=PubDate(year=2010)),
        paper_record(title="New exosomes paper.", pub_date=PubDate(year=2024)),
        paper_record(title="Middle exosomes paper.", pub_date=PubDate(year=2017)),
    )

    def titles(**params) -> list[str]:
        html = client.get("/", params).content.decode()
        return re.findall(r"(\w+) <mark>exosomes</mark> paper\.", html)

    assert titles(q="exosomes", sort="newest") == ["New", "Middle", "Old"]
    assert titles(q="exosomes", sort="oldest") == ["Old", "Middle", "New"]

    # A paper without a date comes last newest first, and first oldest first, as in the API.
    make_papers(paper_record(title="Undated exosomes paper.", pub_date=PubDate()))
    assert titles(q="exosomes", sort="newest") == ["New", "Middle", "Old", "Undated"]
    assert titles(q="exosomes", sort="oldest") == ["Undated", "Old", "Middle", "New"]
    searched = client.get("/", {"q": "exosomes"}).content.decode()
    assert 'aria-current="true" class="is-selected" aria-describedby="sort-label">Best match' in (
        searched
    )
    browsed = client.get("/", {"sort": "relevance"}).content.decode()
    assert "Best match" not in browsed  # nothing to rank without a search
    assert 'class="is-selected" aria-describedby="sort-label">Newest' in browsed


def test_the_year_range_filters_and_years_are_counted(client):
    make_papers(
        paper_record(pub_date=PubDate(year=2015)),
        paper_record(pub_date=PubDate(year=2020)),
        paper_record(pub_date=PubDate(year=2020)),
        paper_record(pub_date=PubDate(year=2024)),
    )

    html = client.get("/", {"year_min": "2016", "year_max": "2022"}).content.decode()

    assert len(_listed_pmids(html)) == 2
    assert "Year: 2016–2022" in html
    # The year counts ignore the year filter, so a reader sees where to widen it.
    years = dict(re.findall(r'data-year="(\d+)">.*?<span class="facet-count">(\d+)', html))
    assert years == {"2015": "1", "2020": "2", "2024": "1"}


def test_a_retracted_paper_is_counted_and_can_be_filtered(client):
    retracted, _ = make_papers(
        paper_record(publication_types=("Journal Article", "Retracted Publication")),
        paper_record(),
    )

    everything = client.get("/").content.decode()
    only_retracted = client.get("/", {"retracted": "true"}).content.decode()

    assert _facet_counts(everything, "retracted") == {"true": 1, "false": 1}
    assert _listed_pmids(only_retracted) == [retracted.pmid]
    assert '<span class="badge badge-retracted">Retracted</span>' in only_retracted


def test_bad_filter_values_are_reported_and_ignored(client):
    make_paper()

    response = client.get("/", {"year_min": "soon", "tag_status": "maybe"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Some filters were ignored" in html
    assert "<code>year_min</code>" in html
    assert "<code>tag_status</code>" in html
    assert len(_listed_pmids(html)) == 1


def test_pages_keep_the_filters_in_the_url(client):
    papers = make_papers(*(paper_record() for _ in range(7)))
    for paper in papers:
        _tag(paper, "exosomes")

    html = client.get("/", {"mechanism": "exosomes", "page_size": "3"}).content.decode()

    nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert unescape(nxt.group(1)) == "?mechanism=exosomes&page_size=3&page=2"
    third = client.get("/", {"mechanism": "exosomes", "page_size": "3", "page": "3"})
    assert len(_listed_pmids(third.content.decode())) == 1


def test_the_list_links_to_the_same_papers_as_citation_files(client):
    paper = make_paper(title="Exosomes in POI.")
    _tag(paper, "exosomes")

    html = client.get("/", {"q": "exosomes", "mechanism": "exosomes", "sort": "oldest"})
    links = re.findall(r'<a href="(/api/papers/\?[^"]+)" download>', html.content.decode())

    assert len(links) == 4
    ris = unescape(links[0])
    assert ris == (
        "/api/papers/?q=exosomes&mechanism=exosomes&ordering=pub_date&page_size=5000&format=ris"
    )
    body = b"".join(client.get(ris).streaming_content).decode()
    assert f"AN  - {paper.pmid}" in body or str(paper.pmid) in body


def _rich_papers(count: int) -> list[Paper]:
    authors = tuple(Author(last_name=f"Author{i}", initials="A") for i in range(8))
    papers = make_papers(
        *(
            paper_record(title=f"Exosomes study {i}.", authors=authors, keywords=("MSC",))
            for i in range(count)
        )
    )
    for paper in papers:
        _tag(paper, "exosomes")
        _tag(paper, "anti_apoptosis", TagStatus.CONFIRMED)
        _facet(paper, FacetKind.CELL_SOURCE, "bone_marrow")
        _facet(paper, FacetKind.MODEL, "animal")
    return papers


def _query_count(client: Client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "exosomes"},
        {
            "q": "exosomes",
            "mechanism": "exosomes",
            "cell_source": "bone_marrow",
            "year_min": "2000",
        },
    ],
)
def test_the_list_makes_the_same_number_of_queries_for_5_or_25_results(client, params):
    _rich_papers(25)
    cold, warm = [], []

    for size in (5, 25):
        cache.clear()
        cold.append(_query_count(client, "/", {**params, "page_size": size}))
        warm.append(_query_count(client, "/", {**params, "page_size": size}))

    assert cold[0] == cold[1]
    assert warm[0] == warm[1]
    # Cold: the page, its prefetches and one count per facet; on PostgreSQL also one
    # temporary table per distinct base (at most three here), the DROP of them all, and
    # the savepoint of the counts' transaction (the test itself runs in one).
    assert cold[0] <= 22
    assert warm[0] <= 6  # counts from the cache: the page's ids, its rows, three prefetches


def test_the_list_makes_the_same_number_of_queries_for_a_signed_in_researcher(client, researcher):
    _rich_papers(25)
    client.force_login(researcher)

    cache.clear()
    few = _query_count(client, "/", {"q": "exosomes", "page_size": 5})
    cache.clear()
    many = _query_count(client, "/", {"q": "exosomes", "page_size": 25})

    assert few == many


def test_cached_counts_follow_changes_to_papers(client, curator):
    first, second = make_papers(paper_record(), paper_record())
    _tag(first, "exosomes")
    assert _facet_counts(client.get("/").content.decode(), "mechanism") == {"exosomes": 1}

    services.tag_decide(
        paper=second,
        mechanism=Mechanism.objects.get(slug="exosomes"),
        action="add",
        user=curator,
    )

    html = client.get("/").content.decode()
    assert _facet_counts(html, "mechanism") == {"exosomes": 2}
    assert _facet_counts(html, "tag_status") == {"suggested": 1, "confirmed": 1}


def test_cached_counts_are_per_filter(client):
    first, _ = make_papers(paper_record(pub_date=PubDate(year=2019)), paper_record())
    _facet(first, FacetKind.MODEL, "animal")

    everything = client.get("/").content.decode()
    narrowed = client.get("/", {"year_max": "2019"}).content.decode()

    assert "2 papers" in everything
    assert "1 paper<" in narrowed or "1 paper " in narrowed
    assert len(_listed_pmids(narrowed)) == 1


# The paper page -------------------------------------------------------------------------


def test_the_paper_page_carries_zotero_metadata(client):
    paper = make_paper(
        title="MSC-derived exosomes & POI.",
        pub_date=PubDate(year=2021, month=10, day=22),
        volume="12",
        issue="3",
        pages="1698-705",
        doi="10.1000/xyz-1",
        authors=(
            Author(last_name="Zhang", fore_name="Mei", initials="M"),
            Author(last_name="Li", initials="H", suffix="Jr"),
            Author(collective_name="POI Study Group"),
        ),
    )

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert _meta(html, "citation_title") == ["MSC-derived exosomes & POI."]
    assert _meta(html, "citation_author") == ["Zhang, Mei", "Li, H Jr", "POI Study Group"]
    assert _meta(html, "citation_publication_date") == ["2021/10/22"]
    assert _meta(html, "citation_journal_title") == ["Stem cell research & therapy"]
    assert _meta(html, "citation_journal_abbrev") == ["Stem Cell Res Ther"]
    assert _meta(html, "citation_volume") == ["12"]
    assert _meta(html, "citation_issue") == ["3"]
    assert _meta(html, "citation_firstpage") == ["1698"]
    assert _meta(html, "citation_lastpage") == ["1705"]
    assert _meta(html, "citation_doi") == ["10.1000/xyz-1"]
    assert _meta(html, "citation_pmid") == [str(paper.pmid)]
    assert _meta(html, "citation_abstract_html_url") == [f"http://testserver/papers/{paper.pmid}/"]
    head = html.split("</head>", 1)[0]
    assert head.count('<meta name="citation_') == len(re.findall(r'<meta name="citation_', html))


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        (PubDate(year=2021, month=10), "2021/10"),
        (PubDate(year=2021), "2021"),
        (PubDate(year=2021, season="Spring"), "2021"),
    ],
)
def test_the_publication_date_tag_says_only_what_is_known(client, pub_date, expected):
    paper = make_paper(pub_date=pub_date)

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert _meta(html, "citation_publication_date") == [expected]


def test_an_article_number_is_the_first_page(client):
    paper = make_paper(pages="", elocation_id="e30013", issue="", volume="101")

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert _meta(html, "citation_firstpage") == ["e30013"]
    assert _meta(html, "citation_lastpage") == []
    assert _meta(html, "citation_issue") == []


def _evidence(paper: Paper, sentence: str) -> dict:
    start = paper.abstract.index(sentence)
    return {"sentence": sentence, "start": start, "end": start + len(sentence), "field": "abstract"}


def test_evidence_sentences_are_marked_in_the_abstract(client):
    paper = make_paper(abstract_sections=MSC_ABSTRACT)
    sentence = MSC_ABSTRACT[1].text
    _tag(paper, "anti_apoptosis", evidence=[_evidence(paper, sentence)])

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert (
        '<strong class="abstract-label">RESULTS:</strong> <mark id="evidence-anti_apoptosis-1" '
        f'class="evidence" title="Evidence: Anti-apoptosis">{sentence}</mark>'
    ) in html
    assert '<a href="#evidence-anti_apoptosis-1">' in html
    assert "Suggested by the tagger, score 0.80" in html


def test_one_sentence_supporting_two_mechanisms_is_marked_once_for_both(client):
    paper = make_paper(abstract_sections=MSC_ABSTRACT)
    sentence = MSC_ABSTRACT[1].text
    _tag(paper, "anti_apoptosis", evidence=[_evidence(paper, sentence)])
    _tag(paper, "exosomes", TagStatus.CONFIRMED, evidence=[_evidence(paper, sentence)])

    abstract = _abstract(client.get(f"/papers/{paper.pmid}/").content.decode())

    assert abstract.count("<mark ") == 1
    assert 'title="Evidence: Exosomes and paracrine secretion; Evidence: Anti-apoptosis"' in (
        abstract
    )
    # Each mechanism's evidence link has a target.
    assert '<span id="evidence-anti_apoptosis-1"></span><mark id="evidence-exosomes-1"' in (
        abstract
    )
    assert "Confirmed by a curator" in client.get(f"/papers/{paper.pmid}/").content.decode()


def test_stale_evidence_offsets_fall_back_to_the_sentence(client):
    paper = make_paper(abstract_sections=MSC_ABSTRACT)
    sentence = MSC_ABSTRACT[0].text
    _tag(paper, "exosomes", evidence=[{"sentence": sentence, "start": 3, "end": 9}])
    _tag(paper, "immune_regulation", evidence=[{"sentence": "Not in it.", "start": 0, "end": 10}])

    abstract = _abstract(client.get(f"/papers/{paper.pmid}/").content.decode())

    assert f'title="Evidence: Exosomes and paracrine secretion">{sentence}</mark>' in abstract
    assert abstract.count("<mark ") == 1


def test_evidence_marks_keep_inline_markup_and_never_trust_stored_html(client):
    sections = (
        AbstractSection(
            label="RESULTS",
            text="TERT rose in granulosa cells. Forged <b>",
            html=(
                '<i>TERT</i> rose in granulosa cells. <img src=x onerror="alert(1)">'
                "Forged &lt;b&gt;"
            ),
        ),
    )
    paper = make_paper(abstract_sections=sections)
    _tag(paper, "anti_apoptosis", evidence=[_evidence(paper, "TERT rose in granulosa cells.")])

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "onerror" not in html
    # The mark is cut around <i> so the markup still nests.
    assert (
        '<i><mark id="evidence-anti_apoptosis-1" class="evidence" '
        'title="Evidence: Anti-apoptosis">TERT</mark></i><mark class="evidence" '
        'title="Evidence: Anti-apoptosis"> rose in granulosa cells.</mark> Forged &lt;b&gt;'
    ) in html


def test_a_section_without_evidence_keeps_its_inline_markup(client):
    paper = make_paper(
        abstract_sections=(
            AbstractSection(text="Levels of Ca2+ rose.", html="Levels of Ca<sup>2+</sup> rose."),
        )
    )

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "Levels of Ca<sup>2+</sup> rose." in html


def test_rejected_tags_are_not_shown_on_the_paper(client):
    paper = make_paper()
    _tag(paper, "immune_regulation", TagStatus.REJECTED)

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "Immune regulation" not in html.split('id="mechanisms-heading"', 1)[1]


def test_the_paper_page_shows_cell_source_and_model(client):
    paper = make_paper()
    _facet(paper, FacetKind.CELL_SOURCE, "umbilical_cord")
    _facet(paper, FacetKind.MODEL, "animal")
    _facet(paper, FacetKind.AGENT, "cyclophosphamide")

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    assert "<dt>Cell source</dt><dd>Umbilical cord / Wharton&#x27;s jelly</dd>" in html
    assert "<dt>Study model</dt><dd>Animal model</dd>" in html
    assert "<dt>Inducing agent (POI model)</dt><dd>Cyclophosphamide</dd>" in html


def test_the_cite_box_holds_the_four_styles_of_pubmeds_dialog(client):
    paper = make_paper()
    expected = citations.cite_all(paper.to_record())

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    for key in ("nlm", "ama", "apa", "mla"):
        shown = re.search(rf'<p class="citation-text" id="citation-{key}">([^<]*)</p>', html)
        assert unescape(shown.group(1)) == expected[key]
    assert "<summary>Cite</summary>" in html
    assert "Copy citation" in html


def test_the_paper_page_links_its_downloads(client):
    paper = make_paper()

    html = client.get(f"/papers/{paper.pmid}/").content.decode()

    for fmt in ("ris", "bibtex", "nbib"):
        url = f"/api/papers/{paper.pmid}/?format={fmt}"
        assert f'href="{url}" download' in html
        assert client.get(url).status_code == 200


def test_the_paper_page_makes_the_same_number_of_queries_whatever_it_holds(
    client, researcher, other_researcher
):
    from notes import services as note_services

    small = make_paper(authors=(Author(last_name="Solo", initials="S"),))
    big = make_paper(
        authors=tuple(
            Author(last_name=f"A{i}", initials="B", affiliations=(f"U{i}",)) for i in range(30)
        )
    )
    _tag(big, "exosomes", evidence=[_evidence(big, MSC_ABSTRACT[1].text)])
    _tag(big, "anti_apoptosis")
    _tag(big, "immune_regulation", TagStatus.CONFIRMED)
    _facet(big, FacetKind.CELL_SOURCE, "adipose")
    _facet(big, FacetKind.MODEL, "animal")
    for i in range(5):
        note_services.note_create(paper=big, author=researcher, body=f"Mine {i}[^1](fn)")
        note_services.note_create(
            paper=big, author=other_researcher, body=f"Theirs {i}", visibility="public"
        )
    client.force_login(researcher)

    few = _query_count(client, f"/papers/{small.pmid}/", {})
    many = _query_count(client, f"/papers/{big.pmid}/", {})

    assert few == many
    assert many <= 10


# Roles, navigation and accounts --------------------------------------------------------


def test_optional_url_gives_nothing_for_a_url_that_is_not_installed():
    assert optional_url("curation:paper-list") == "/"
    assert optional_url("no-such:page") == ""


def test_a_researcher_sees_no_curator_links(client, researcher):
    paper = make_paper()
    client.force_login(researcher)

    for url in ("/", f"/papers/{paper.pmid}/"):
        html = client.get(url).content.decode()
        assert "Review queue" not in html
        assert ">Feeds<" not in html
        assert "/curate/" not in html
        assert '<span class="role">curator</span>' not in html


def test_a_curator_sees_the_curator_links_that_exist(client, curator):
    client.force_login(curator)

    html = client.get("/").content.decode()

    assert '<span class="role">curator</span>' in html
    for name, label in (("curate:queue", "Review queue"), ("curate:feeds", "Feeds")):
        url = optional_url(name)
        assert (f'<a href="{url}">{label}</a>' in html) == bool(url)


def test_the_login_form_is_labelled_and_protected_by_csrf(researcher):
    browser = Client(enforce_csrf_checks=True)

    page = browser.get("/accounts/login/")
    html = page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    refused = browser.post("/accounts/login/", {"username": "rita", "password": "rita-password-1"})
    accepted = browser.post(
        "/accounts/login/",
        {"username": "rita", "password": "rita-password-1", "csrfmiddlewaretoken": token},
    )

    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("curation:paper-list")


def test_a_wrong_password_says_so(client, researcher):
    response = client.post("/accounts/login/", {"username": "rita", "password": "wrong"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "correct username and password" in response.content.decode()


def test_signing_out_takes_a_post(client, researcher):
    client.force_login(researcher)

    html = client.get("/").content.decode()
    response = client.post("/accounts/logout/")

    assert '<form method="post" action="/accounts/logout/"' in html
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_researcher_changes_their_password(client, researcher):
    client.force_login(researcher)

    form = client.get("/accounts/password_change/")
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "rita-password-1",
            "new_password1": "a new long passphrase 42",
            "new_password2": "a new long passphrase 42",
        },
        follow=True,
    )

    assert '<label for="id_old_password">Old password</label>' in form.content.decode()
    assert "Password changed" in response.content.decode()
    researcher.refresh_from_db()
    assert researcher.check_password("a new long passphrase 42")


def test_the_password_change_page_needs_a_signed_in_user(client):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
