"""The evidence map: papers per mechanism per year, and the mechanism × cell-source matrix."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curation import charts, curator_selectors
from curation.models import FacetKind, Mechanism, Paper, PaperFacet, Tag, TagSource, TagStatus
from curation.records import PubDate
from tests.factories import make_papers, paper_record

SVG = "{http://www.w3.org/2000/svg}"


def paper(
    year: int | None, *, relevant: bool | None = True, sources: tuple[str, ...] = ()
) -> Paper:
    date = PubDate(year=year) if year else PubDate(medline_date="")
    (made,) = make_papers(paper_record(pub_date=date))
    Paper.objects.filter(pk=made.pk).update(is_relevant=relevant)
    for source in sources:
        PaperFacet.objects.create(paper=made, kind=FacetKind.CELL_SOURCE, value=source)
    return made


def tag(on: Paper, slug: str, status: str = TagStatus.SUGGESTED) -> Tag:
    source = TagSource.AUTO if status != TagStatus.CONFIRMED else TagSource.CURATOR
    return Tag.objects.create(
        paper=on, mechanism=Mechanism.objects.get(slug=slug), source=source, status=status
    )


@pytest.fixture
def library() -> dict[str, Paper]:
    """Papers that count, and papers the map must leave out, with their tags and sources."""
    papers = {
        "bm_2019": paper(2019, sources=("bone_marrow",)),
        "bm_uc_2021": paper(2021, sources=("bone_marrow", "umbilical_cord")),
        "uc_2021": paper(2021, sources=("umbilical_cord",)),
        "none_undated": paper(None),
        "rejected": paper(2020, sources=("bone_marrow",)),
        "deleted": paper(2021, sources=("bone_marrow",)),
        "irrelevant": paper(2021, relevant=False, sources=("bone_marrow",)),
        "irrelevant_confirmed": paper(2022, relevant=False, sources=("adipose",)),
    }
    tag(papers["bm_2019"], "anti_apoptosis")
    tag(papers["bm_uc_2021"], "anti_apoptosis", TagStatus.CONFIRMED)
    tag(papers["bm_uc_2021"], "exosomes")
    tag(papers["uc_2021"], "exosomes")
    tag(papers["none_undated"], "anti_apoptosis")
    tag(papers["rejected"], "anti_apoptosis", TagStatus.REJECTED)
    tag(papers["deleted"], "anti_apoptosis")
    Paper.objects.filter(pk=papers["deleted"].pk).update(deleted_at=timezone.now())
    tag(papers["irrelevant"], "anti_apoptosis")
    tag(papers["irrelevant_confirmed"], "immune_regulation", TagStatus.CONFIRMED)
    return papers


def mechanism_id(slug: str) -> int:
    return Mechanism.objects.get(slug=slug).pk


# --- The counts -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_years_count_active_relevant_papers_with_a_tag_not_rejected(library):
    data = curator_selectors.evidence_map()

    apoptosis = mechanism_id("anti_apoptosis")
    assert data.by_year[apoptosis] == {2019: 1, 2021: 1}
    assert data.undated[apoptosis] == 1
    assert data.totals[apoptosis] == 3
    assert data.by_year[mechanism_id("exosomes")] == {2021: 2}
    # A curator's confirmation counts even where the tagger judged the paper irrelevant.
    assert data.by_year[mechanism_id("immune_regulation")] == {2022: 1}
    assert mechanism_id("gc_differentiation") not in data.totals
    assert data.years == [2019, 2020, 2021, 2022]


@pytest.mark.django_db
def test_the_matrix_counts_papers_per_mechanism_and_cell_source(library):
    data = curator_selectors.evidence_map()

    apoptosis, exosomes = mechanism_id("anti_apoptosis"), mechanism_id("exosomes")
    assert data.matrix == {
        (apoptosis, "bone_marrow"): 2,
        (apoptosis, "umbilical_cord"): 1,
        (exosomes, "bone_marrow"): 1,
        (exosomes, "umbilical_cord"): 2,
        (mechanism_id("immune_regulation"), "adipose"): 1,
    }
    assert data.cell_sources[:3] == ["bone_marrow", "umbilical_cord", "adipose"]


@pytest.mark.django_db
def test_unknown_cell_sources_get_a_column_after_the_known_ones():
    tag(paper(2020, sources=("yolk_sac",)), "exosomes")

    data = curator_selectors.evidence_map()

    assert data.cell_sources[-1] == "yolk_sac"
    assert data.matrix == {(mechanism_id("exosomes"), "yolk_sac"): 1}


@pytest.mark.django_db
def test_the_map_agrees_with_the_paper_api_filtered_the_same_way(client, library):
    # The tagger withdraws its suggestions from a paper it judges irrelevant, so the
    # fixture's hand-made suggestion on one is the only state where the two could differ.
    Tag.objects.filter(paper=library["irrelevant"]).delete()
    data = curator_selectors.evidence_map()

    for (mechanism_pk, source), count in data.matrix.items():
        slug = Mechanism.objects.get(pk=mechanism_pk).slug
        body = client.get("/api/papers/", {"mechanism": slug, "cell_source": source}).json()
        assert len(body["results"]) == count, (slug, source)


@pytest.mark.django_db
def test_the_map_runs_the_same_queries_whatever_the_data(client):
    with CaptureQueriesContext(connection) as empty:
        client.get("/evidence/")
    for year in range(2010, 2024):
        made = paper(year, sources=("bone_marrow", "adipose"))
        tag(made, "exosomes")
        tag(made, "anti_apoptosis")

    with CaptureQueriesContext(connection) as full:
        response = client.get("/evidence/")

    assert response.status_code == 200
    assert len(full) == len(empty) <= 4


# --- The page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_anyone_may_open_the_evidence_map(client, library):
    response = client.get("/evidence/")

    assert response.status_code == 200
    assert "<h1>Evidence map</h1>" in response.content.decode()


def _cells(html: str) -> dict[str, str]:
    """Return each matrix cell's link target by its accessible label."""
    return {
        unescape(label): unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', html)
    }


@pytest.mark.django_db
def test_matrix_cells_link_to_the_filtered_paper_list(client, library):
    html = client.get("/evidence/").content.decode()

    cells = _cells(html)
    assert (
        cells["2 papers: Anti-apoptosis, Bone marrow"]
        == "/?mechanism=anti_apoptosis&cell_source=bone_marrow"
    )
    assert (
        cells["1 paper: Anti-apoptosis, Umbilical cord / Wharton's jelly"]
        == "/?mechanism=anti_apoptosis&cell_source=umbilical_cord"
    )
    assert (
        cells["2 papers: Exosomes and paracrine secretion, Umbilical cord / Wharton's jelly"]
        == "/?mechanism=exosomes&cell_source=umbilical_cord"
    )
    assert len(cells) == 5  # empty cells show 0 and link nowhere
    assert 'href="/?mechanism=anti_apoptosis"' in html  # the row's total


@pytest.mark.django_db
def test_the_page_draws_one_accessible_chart_per_mechanism(client, library):
    html = client.get("/evidence/").content.decode()

    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == Mechanism.objects.count()
    chart = ET.fromstring(next(svg for svg in svgs if "Anti-apoptosis" in svg))
    assert chart.get("role") == "img"
    assert chart.get("aria-labelledby") == "chart-anti_apoptosis-title chart-anti_apoptosis-desc"
    assert chart.find(f"{SVG}title").text == "Anti-apoptosis: papers per year"
    assert "3 papers tagged Anti-apoptosis" in chart.find(f"{SVG}desc").text
    tooltips = [rect.find(f"{SVG}title").text for rect in chart.iter(f"{SVG}rect")]
    assert tooltips == ["2019: 1 paper", "2020: 0 papers", "2021: 1 paper", "2022: 0 papers"]


@pytest.mark.django_db
def test_the_page_has_the_numbers_as_a_table_too(client, library):
    html = client.get("/evidence/").content.decode()

    table = html[html.index("The numbers as a table") :]
    row_2021 = re.search(r'<th scope="row">2021</th>(.*?)</tr>', table).group(1)
    assert re.findall(r">(\d+)<", row_2021) == ["0", "0", "2", "1"]
    assert "No year" in table


@pytest.mark.django_db
def test_mechanism_names_are_escaped_in_the_page_and_the_charts(client):
    Mechanism.objects.create(slug="evil", name='<script>alert("x")</script> & co', position=9)
    tag(paper(2020, sources=("adipose",)), "evil")

    html = client.get("/evidence/").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        ET.fromstring(svg)  # well-formed XML, whatever the names held


@pytest.mark.django_db
def test_an_empty_library_says_so(client):
    html = client.get("/evidence/").content.decode()

    assert "No tagged papers yet" in html
    assert "<svg" not in html


# --- Charts (pure) ----------------------------------------------------------------------


def test_a_bar_chart_is_well_formed_svg_with_escaped_text():
    svg = charts.bar_chart(
        chart_id='x"><script>',
        title="<b>T</b> & co",
        description="Less < more",
        bars=[charts.Bar(label="<2020>", value=3, tooltip="3 & up")],
    )

    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "<b>T</b> & co"
    assert root.find(f"{SVG}desc").text == "Less < more"
    assert root.find(f"{SVG}rect/{SVG}title").text == "3 & up"
    assert "<script>" not in svg


def test_bars_share_the_scale_they_are_given():
    tall = charts.bar_chart(
        chart_id="a", title="t", description="d", bars=[charts.Bar("2020", 10)], y_max=10
    )
    short = charts.bar_chart(
        chart_id="b", title="t", description="d", bars=[charts.Bar("2020", 5)], y_max=10
    )

    def height(svg: str) -> float:
        return float(ET.fromstring(svg).find(f"{SVG}rect").get("height"))

    assert height(short) == pytest.approx(height(tall) / 2)


def test_year_labels_are_thinned_but_the_last_year_is_always_shown():
    bars = [charts.Bar(str(year), 1) for year in range(1990, 2025)]

    root = ET.fromstring(charts.bar_chart(chart_id="c", title="t", description="d", bars=bars))

    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels[-1] == "2024"
    assert 4 <= len(labels) < len(bars)
    xs = [float(t.get("x")) for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 28


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (51, 100), (240, 500)]
)
def test_axes_end_on_a_round_number(value, expected):
    assert charts.nice_ceiling(value) == expected


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (1, [0, 1]),
        (5, [0, 1, 2, 3, 4, 5]),
        (10, [0, 2, 4, 6, 8, 10]),
        (20, [0, 5, 10, 15, 20]),
        (50, [0, 10, 20, 30, 40, 50]),
        (200, [0, 50, 100, 150, 200]),
    ],
)
def test_axis_ticks_include_zero_and_the_top(top, ticks):
    assert charts.axis_ticks(top) == ticks
