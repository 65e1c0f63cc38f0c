"""The read-only paper API keeps the foundation's field names."""

from __future__ import annotations

import contextlib

import pytest
from django.utils import timezone
from rest_framework import serializers

from curation import selectors, services
from curation.api.serializers import PaperDetailSerializer
from curation.models import FacetKind, Mechanism, Paper, PaperFacet
from curation.records import Author, Journal, MeshHeading, MeshQualifier, PubDate
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


def test_the_hand_built_answer_is_what_drfs_own_fields_give(rf, curator):
    """PaperDetailSerializer builds its answer directly, for speed; DRF's path is the reference."""
    full = make_paper(
        mesh_headings=(
            MeshHeading(
                descriptor="Primary Ovarian Insufficiency",
                ui="D016649",
                major_topic=True,
                qualifiers=(MeshQualifier(name="therapy", ui="Q000628", major_topic=False),),
            ),
        ),
        authors=(
            Author(last_name="Lu", fore_name="Xueyan", initials="X", orcid="0000-0002-1825-0097"),
            Author(collective_name="POI Stem Cell Consortium"),
        ),
        keywords=("MSC", "exosome"),
    )
    bare = make_paper(pub_date=PubDate(), journal=Journal(), abstract_sections=(), keywords=())
    services.papers_tag(paper_ids=[full.pk, bare.pk])
    services.tag_decide(
        paper=full,
        mechanism=Mechanism.objects.get(slug="immune_regulation"),
        action="add",
        user=curator,
        comment="Treg shift in Fig. 3",
    )
    for kind, value in [(FacetKind.AGENT, "cyclophosphamide"), (FacetKind.CELL_SOURCE, "adipose")]:
        PaperFacet.objects.get_or_create(paper=full, kind=kind, value=value)

    request = rf.get("/api/papers/")
    papers = list(selectors.paper_list().filter(pk__in=[full.pk, bare.pk]).order_by("pk"))
    selectors.attach_relations(papers)  # plain rows, as a page of the API reads them
    assert papers[0].tag_list()
    assert papers[0].facet_list()
    assert papers[0].author_list()
    assert papers[1].journal is None
    assert papers[1].pub_date is None
    # In another time zone than the server's, and with a format suffix (/api/papers.json):
    # both are worked out once per answer (serializers._Writer), so both are checked.
    for zone, context in [
        (None, {"request": request}),
        ("Asia/Kolkata", {"request": request, "format": "json"}),
    ]:
        with timezone.override(zone) if zone else contextlib.nullcontext():
            for paper in papers:
                serializer = PaperDetailSerializer(paper, context=context)
                # DRF's own fields over model instances: the paper loaded alone, nothing
                # attached.
                alone = Paper.objects.get(pk=paper.pk)
                reference = serializers.ModelSerializer.to_representation(serializer, alone)
                assert serializer.data == reference
                assert list(serializer.data) == list(reference)  # same keys, same order
                if zone:
                    assert serializer.data["updated_at"].endswith("+05:30")
                    assert serializer.data["url"].endswith(f"/{paper.pmid}.json")
