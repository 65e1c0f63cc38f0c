"""The read-only paper API keeps the foundation's field names."""

from __future__ import annotations

import pytest

from curation.records import Author, PubDate
from tests.factories import make_paper, make_papers, paper_record

pytestmark = pytest.mark.django_db

FOUNDATION_FIELDS = {
    "pmid",
    "doi",
    "pmcid",
    "title",
    "abstract",
    "abstract_sections",
    "journal",
    "volume",
    "issue",
    "pages",
    "elocation_id",
    "pub_date",
    "pub_year",
    "language",
    "publication_types",
    "mesh_headings",
    "keywords",
    "authors",
    "is_retracted",
}


def test_a_paper_has_every_foundation_field(client):
    paper = make_paper(
        authors=(
            Author(
                last_name="Lu",
                fore_name="Xueyan",
                initials="X",
                orcid="0000-0002-1825-0097",
                affiliations=("Dept A.",),
            ),
            Author(collective_name="POI Study Group"),
        )
    )

    data = client.get(f"/api/papers/{paper.pmid}/").json()

    assert set(data) >= FOUNDATION_FIELDS
    assert data["journal"] == {
        "title": "Stem cell research & therapy",
        "iso_abbreviation": "Stem Cell Res Ther",
        "issn": "1757-6512",
    }
    assert data["abstract_sections"][0] == {
        "label": "BACKGROUND",
        "category": "BACKGROUND",
        "text": "Premature ovarian insufficiency (POI) causes infertility in young women.",
    }
    assert data["authors"][0] == {
        "last_name": "Lu",
        "fore_name": "Xueyan",
        "initials": "X",
        "collective_name": "",
        "orcid": "0000-0002-1825-0097",
        "affiliations": ["Dept A."],
    }
    assert data["authors"][1]["collective_name"] == "POI Study Group"
    assert data["mesh_headings"][0]["qualifiers"][0]["name"] == "therapy"
    assert data["pub_date"] == "2020-07-03"
    assert data["language"] == "eng"
    assert sorted(data["publication_types"]) == [
        "Journal Article",
        "Research Support, Non-U.S. Gov't",
    ]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (PubDate(year=2022, month=8), "2022-08"),
        (PubDate(year=1990, season="Spring"), "1990"),
        (PubDate(year=2022, month=7, medline_date="2022 Jul-Aug"), "2022-07"),
    ],
)
def test_pub_date_is_cut_to_its_precision(client, date, expected):
    paper = make_paper(pub_date=date)

    data = client.get(f"/api/papers/{paper.pmid}/").json()

    assert data["pub_date"] == expected
    assert data["medline_date"] == date.medline_date


def test_the_list_searches_with_q_and_pages_with_a_cursor(client):
    make_papers(*(paper_record(title=f"Exosome study {i}.") for i in range(5)))
    make_paper(title="Cardiology.", abstract_sections=())

    first = client.get("/api/papers/", {"q": "exosome", "page_size": 3})
    data = first.json()
    second = client.get(data["next"]).json()

    assert len(data["results"]) == 3
    assert len(second["results"]) == 2
    assert second["next"] is None
    assert 'rel="next"' in first["Link"]
    titles = [p["title"] for p in data["results"] + second["results"]]
    assert len(set(titles)) == 5


def test_an_unknown_pmid_answers_404_with_the_error_body(client):
    response = client.get("/api/papers/999999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
