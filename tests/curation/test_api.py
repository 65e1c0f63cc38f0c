"""The REST API: filters, cursor pages, citation formats, decisions, feeds, conditional GET."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from Bio import Medline
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from curation import parser, services
from curation.models import Feed, Mechanism, Paper, PaperFacet, Tag, TagStatus
from curation.records import Author, PubDate
from tests.factories import FIXTURES, make_paper, make_papers, paper_record

pytestmark = pytest.mark.django_db

CSL_SCHEMA = json.loads((FIXTURES / "csl-data.json").read_text())


@pytest.fixture
def api():
    return APIClient()


def _tag(paper: Paper, slug: str, status: str = TagStatus.SUGGESTED, source: str = "auto") -> Tag:
    return Tag.objects.create(
        paper=paper,
        mechanism=Mechanism.objects.get(slug=slug),
        source=source,
        status=status,
        score=0.9,
        evidence=[
            {"sentence": "MSCs reduced apoptosis.", "start": 0, "end": 23, "field": "abstract"}
        ],
    )


def _pmids(response) -> list[int]:
    return [paper["pmid"] for paper in response.json()["results"]]


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


# Filters ----------------------------------------------------------------------------


def test_mechanism_filters_combine_and_ignore_rejected_tags(api):
    both, exo, rejected = make_papers(paper_record(), paper_record(), paper_record())
    _tag(both, "exosomes")
    _tag(both, "anti_apoptosis", TagStatus.CONFIRMED)
    _tag(exo, "exosomes")
    _tag(rejected, "exosomes", TagStatus.REJECTED)

    assert set(_pmids(api.get("/api/papers/", {"mechanism": "exosomes"}))) == {
        both.pmid,
        exo.pmid,
    }
    assert _pmids(api.get("/api/papers/?mechanism=exosomes&mechanism=anti_apoptosis")) == [
        both.pmid
    ]
    assert _pmids(api.get("/api/papers/?mechanism=exosomes,anti_apoptosis")) == [both.pmid]
    confirmed = api.get("/api/papers/", {"mechanism": "anti_apoptosis", "tag_status": "confirmed"})
    assert _pmids(confirmed) == [both.pmid]
    assert _pmids(api.get("/api/papers/", {"mechanism": "exosomes", "tag_status": "rejected"})) == [
        rejected.pmid
    ]


def test_facet_year_journal_type_and_retraction_filters(api):
    bm = make_paper(pub_date=PubDate(year=2015))
    uc = make_paper(
        pub_date=PubDate(year=2021),
        publication_types=("Review",),
        journal=paper_record().journal.__class__(title="Cells", iso_abbreviation="Cells"),
    )
    retracted = make_paper(publication_types=("Journal Article", "Retracted Publication"))
    PaperFacet.objects.create(paper=bm, kind="cell_source", value="bone_marrow")
    PaperFacet.objects.create(paper=uc, kind="cell_source", value="umbilical_cord")
    PaperFacet.objects.create(paper=uc, kind="model", value="review")

    assert _pmids(api.get("/api/papers/", {"cell_source": "bone_marrow"})) == [bm.pmid]
    both = api.get("/api/papers/?cell_source=bone_marrow&cell_source=umbilical_cord")
    assert set(_pmids(both)) == {bm.pmid, uc.pmid}
    assert _pmids(api.get("/api/papers/", {"model": "review"})) == [uc.pmid]
    assert _pmids(api.get("/api/papers/", {"year_min": 2021, "year_max": 2022})) == [uc.pmid]
    assert _pmids(api.get("/api/papers/", {"year_max": 2015})) == [bm.pmid]
    assert _pmids(api.get("/api/papers/", {"journal": "cells"})) == [uc.pmid]
    assert _pmids(api.get("/api/papers/", {"journal": "1757-6512"})) == [retracted.pmid, bm.pmid]
    assert _pmids(api.get("/api/papers/", {"publication_type": "Review"})) == [uc.pmid]
    assert _pmids(api.get("/api/papers/", {"retracted": "true"})) == [retracted.pmid]


def test_updated_since_returns_only_papers_changed_after_a_time(api):
    old = make_paper()
    Paper.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    fresh = make_paper()

    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = api.get("/api/papers/", {"updated_since": since, "ordering": "updated_at"})

    assert _pmids(response) == [fresh.pmid]


def test_a_bad_filter_or_ordering_answers_400_with_the_error_body(api):
    response = api.get("/api/papers/", {"ordering": "title"})

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert "ordering" in body["fields"]
    assert "ordering: Use one of" in body["detail"]
    assert api.get("/api/papers/", {"year_min": "soon"}).status_code == 400


def test_cursor_pages_stay_stable_while_new_papers_arrive(api):
    papers = make_papers(
        *(paper_record(pub_date=PubDate(year=2020, month=1, day=1)) for _ in range(5))
    )
    first = api.get("/api/papers/", {"page_size": 2}).json()
    make_paper(pub_date=PubDate(year=2024, month=1, day=1))  # newer: would shift offsets
    make_paper(pub_date=PubDate(year=2020, month=1, day=1))  # same date: a tie

    seen = _collect(api, first)

    assert seen[:5] == sorted(
        (p.pmid for p in papers), key=lambda pmid: -Paper.objects.get(pmid=pmid).pk
    )
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("ordering", ["-pub_date", "pub_date"])
def test_undated_papers_come_last_newest_first_and_first_oldest_first(api, ordering):
    undated = make_papers(*(paper_record(pub_date=PubDate()) for _ in range(3)))
    dated = make_papers(
        *(paper_record(pub_date=PubDate(year=year, month=1, day=1)) for year in (2019, 2021))
    )
    newest_first = [dated[1].pmid, dated[0].pmid] + [
        p.pmid for p in sorted(undated, key=lambda p: -p.pk)
    ]

    # One paper a page, so every cursor (dated and undated) is followed.
    seen = _collect(api, api.get("/api/papers/", {"page_size": 1, "ordering": ordering}).json())

    assert undated[0].pub_date is None
    assert seen == (newest_first if ordering == "-pub_date" else newest_first[::-1])


def _collect(api, page) -> list[int]:
    pmids = [p["pmid"] for p in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        pmids += [p["pmid"] for p in page["results"]]
    return pmids


def test_a_forged_cursor_answers_404_not_500(api):
    response = api.get("/api/papers/", {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert response.json()["detail"].startswith("Invalid cursor")


# Detail -----------------------------------------------------------------------------


def test_a_paper_carries_its_tags_with_evidence_and_its_facets(api):
    paper = make_paper()
    _tag(paper, "anti_apoptosis")
    PaperFacet.objects.create(
        paper=paper,
        kind="cell_source",
        value="umbilical_cord",
        evidence=[{"sentence": "hUC-MSCs", "start": 5, "end": 13, "field": "abstract"}],
    )
    PaperFacet.objects.create(paper=paper, kind="model", value="animal")
    PaperFacet.objects.create(paper=paper, kind="agent", value="cyclophosphamide")

    data = api.get(f"/api/papers/{paper.pmid}/").json()

    assert data["tags"][0]["mechanism"] == "anti_apoptosis"
    assert data["tags"][0]["evidence"][0]["sentence"] == "MSCs reduced apoptosis."
    assert data["cell_sources"] == [
        {
            "value": "umbilical_cord",
            "label": "Umbilical cord / Wharton's jelly",
            "evidence": [{"sentence": "hUC-MSCs", "start": 5, "end": 13, "field": "abstract"}],
        }
    ]
    assert data["models"][0]["value"] == "animal"
    assert data["inducing_agents"][0]["value"] == "cyclophosphamide"


# Citation formats ------------------------------------------------------------------


@pytest.fixture
def demo(db):
    services.demo_load()
    return Paper.objects.all()


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("ris", "application/x-research-info-systems"),
        ("bibtex", "application/x-bibtex"),
        ("csljson", "application/vnd.citationstyles.csl+json"),
        ("nbib", "application/nbib"),
    ],
)
def test_each_format_is_chosen_by_format_parameter_and_by_accept_header(api, demo, fmt, media_type):
    by_param = api.get("/api/papers/", {"format": fmt})
    by_accept = api.get("/api/papers/", HTTP_ACCEPT=media_type)

    assert by_param["Content-Type"].startswith(media_type)
    assert by_accept["Content-Type"].startswith(media_type)
    assert _body(by_param) == _body(by_accept)
    assert "attachment" in by_param["Content-Disposition"]


def test_ris_export_reads_back_in_rispy(api, demo):
    entries = rispy.loads(_body(api.get("/api/papers/", {"format": "ris"})))

    assert len(entries) == 15
    by_id = {entry.get("accession_number") or entry.get("id"): entry for entry in entries}
    assert all(entry["type_of_reference"] == "JOUR" for entry in entries)
    assert {e["title"] for e in entries} == set(demo.values_list("title", flat=True))
    assert by_id  # every entry names its PMID


def test_bibtex_export_reads_back_in_bibtexparser(api, demo):
    library = bibtexparser.parse_string(_body(api.get("/api/papers/", {"format": "bibtex"})))

    assert not library.failed_blocks
    assert len(library.entries) == 15
    assert all(entry.entry_type == "article" for entry in library.entries)


def test_csl_json_export_validates_against_the_official_schema_and_renders(api, demo):
    items = json.loads(_body(api.get("/api/papers/", {"format": "csljson"})))

    jsonschema.validate(items, CSL_SCHEMA)
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == 15


def test_nbib_export_reads_back_in_bio_medline_and_in_our_importer(api, demo):
    text = _body(api.get("/api/papers/", {"format": "nbib"}))

    medline = list(Medline.parse(io.StringIO(text)))
    assert sorted(int(r["PMID"]) for r in medline) == sorted(demo.values_list("pmid", flat=True))
    again = {record.pmid: record for record in parser.parse_medline(text)}
    for paper in demo.prefetch_related("authors", "publication_types"):
        original, read_back = paper.to_record(), again[paper.pmid]
        assert read_back.title == original.title
        assert read_back.abstract == original.abstract
        assert read_back.doi == original.doi
        assert read_back.pmcid == original.pmcid
        assert read_back.pub_date == original.pub_date
        assert (read_back.volume, read_back.issue, read_back.pages) == (
            original.volume,
            original.issue,
            original.pages,
        )
        assert [a.display_name for a in read_back.authors] == [
            a.display_name for a in original.authors
        ]
        # .nbib is the format that shows affiliations and MeSH (the others leave them unread).
        assert [a.affiliations for a in read_back.authors] == [
            a.affiliations for a in original.authors
        ]
        assert read_back.mesh_headings == original.mesh_headings


def test_only_the_nbib_export_reads_mesh_headings(api, demo):
    indexed = make_paper()  # the factory's paper has a MeSH heading; the demo's have none
    assert indexed.mesh_headings
    for fmt, reads_mesh in [("nbib", True), ("ris", False), ("bibtex", False)]:
        with CaptureQueriesContext(connection) as queries:
            text = _body(api.get("/api/papers/", {"format": fmt}))
        paper_queries = [q["sql"] for q in queries if '"curation_paper"."title"' in q["sql"]]
        assert paper_queries
        assert all(('"mesh_headings"' in sql) == reads_mesh for sql in paper_queries)
        assert ("Primary Ovarian Insufficiency/" in text) == reads_mesh  # heading/qualifier


def test_our_nbib_export_imports_back_onto_the_same_papers(api, demo, tmp_path):
    path = tmp_path / "export.nbib"
    path.write_text(_body(api.get("/api/papers/", {"format": "nbib"})))

    first = services.pubmed_file_import(paths=[path])
    second = services.pubmed_file_import(paths=[path])

    # The export carries what shared journal rows learnt from other records (an
    # abbreviation one demo record lacks), so the first import may complete a paper.
    assert (first.created, first.failed) == (0, 0)
    assert first.updated + first.unchanged == 15
    assert (second.created, second.updated, second.unchanged) == (0, 0, 15)
    assert Paper.objects.count() == 15


def test_one_paper_exports_with_its_pmid_as_file_name(api, demo):
    response = api.get("/api/papers/35677383/", {"format": "ris"})

    assert 'filename="pmid-35677383.ris"' in response["Content-Disposition"]
    assert len(rispy.loads(_body(response))) == 1


def test_retracted_papers_are_marked_in_every_format(api):
    paper = make_paper(publication_types=("Journal Article", "Retracted Publication"))
    url = f"/api/papers/{paper.pmid}/"

    assert "Retracted" in _body(api.get(url, {"format": "ris"}))
    assert "Retracted" in _body(api.get(url, {"format": "bibtex"}))
    assert "Retracted Publication" in _body(api.get(url, {"format": "nbib"}))
    csl = json.loads(_body(api.get(url, {"format": "csljson"})))[0]
    assert "etracted" in csl.get("note", "") + csl.get("status", "")
    assert all(v.startswith("Retracted") for v in api.get(f"{url}cite/").json().values())


def test_exports_carry_the_notes_the_requester_may_see_and_tags_as_keywords(
    api, researcher, other_researcher
):
    from notes import services as notes_services

    paper = make_paper()
    _tag(paper, "exosomes", TagStatus.CONFIRMED)
    _tag(paper, "immune_regulation", TagStatus.REJECTED)
    notes_services.note_create(paper=paper, author=researcher, body="My private pearl.")
    notes_services.note_create(
        paper=paper, author=other_researcher, body="Omar's public caveat.", visibility="public"
    )
    notes_services.note_create(paper=paper, author=other_researcher, body="Omar's secret.")
    api.force_authenticate(researcher)

    ris = _body(api.get(f"/api/papers/{paper.pmid}/", {"format": "ris", "include": "notes,tags"}))
    entry = rispy.loads(ris)[0]
    notes = " ".join(entry.get("notes", []))
    assert "My private pearl." in notes
    assert "Omar's public caveat." in notes
    assert "secret" not in ris
    assert "mechanism: exosomes" in entry["keywords"]
    assert "mechanism: immune_regulation" not in entry["keywords"]

    bib = bibtexparser.parse_string(
        _body(api.get(f"/api/papers/{paper.pmid}/", {"format": "bibtex", "include": "notes"}))
    )
    assert "My private pearl." in bib.entries[0]["annote"]
    csl = json.loads(
        _body(api.get(f"/api/papers/{paper.pmid}/", {"format": "csljson", "include": "notes"}))
    )
    assert "Omar's public caveat." in csl[0]["note"]
    plain = _body(api.get(f"/api/papers/{paper.pmid}/", {"format": "ris"}))
    assert "pearl" not in plain


def test_an_anonymous_export_carries_no_notes(api, researcher):
    from notes import services as notes_services

    paper = make_paper()
    notes_services.note_create(
        paper=paper, author=researcher, body="Public note.", visibility="public"
    )

    ris = _body(api.get(f"/api/papers/{paper.pmid}/", {"format": "ris", "include": "notes"}))

    assert "Public note." not in ris


def test_errors_answer_in_json_whatever_the_format(api):
    response = api.get("/api/papers/1/", {"format": "ris"})

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


# Cite ---------------------------------------------------------------------------------


def test_cite_answers_the_four_styles_of_pubmeds_cite_dialog(api):
    paper = make_paper(
        title="Oral ondansetron for gastroenteritis in a pediatric emergency department.",
        journal=paper_record().journal.__class__(
            title="The New England journal of medicine",
            iso_abbreviation="N Engl J Med",
            medline_ta="N Engl J Med",
        ),
        volume="354",
        issue="16",
        pages="1698-705",
        pub_date=PubDate(year=2006, month=4, day=20),
        doi="10.1056/NEJMoa055119",
        authors=(
            Author(last_name="Freedman", fore_name="Stephen B", initials="SB"),
            Author(last_name="Adler", initials="M"),
            Author(last_name="Seshadri", initials="R"),
            Author(last_name="Powell", fore_name="Elizabeth C", initials="EC"),
        ),
    )

    cite = api.get(f"/api/papers/{paper.pmid}/cite/").json()

    assert cite["nlm"].startswith(
        "Freedman SB, Adler M, Seshadri R, Powell EC. Oral ondansetron for gastroenteritis in "
        "a pediatric emergency department. N Engl J Med. 2006 Apr 20;354(16):1698-705. "
        "doi: 10.1056/NEJMoa055119. PMID: "
    )
    assert "N Engl J Med. 2006;354(16):1698-1705." in cite["ama"]
    assert cite["apa"].startswith(
        "Freedman, S. B., Adler, M., Seshadri, R., & Powell, E. C. (2006)."
    )
    assert cite["mla"].startswith("Freedman, Stephen B et al.")


# Conditional requests ------------------------------------------------------------------


def test_a_paper_answers_304_to_a_matching_etag_until_it_changes(api, curator):
    paper = make_paper()
    url = f"/api/papers/{paper.pmid}/"
    first = api.get(url)
    etag = first["ETag"]

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    time.sleep(1.1)  # Last-Modified has one-second resolution
    services.tag_decide(
        paper=paper, mechanism=Mechanism.objects.get(slug="exosomes"), action="add", user=curator
    )
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_lists_and_exports_answer_304_too(api):
    make_papers(paper_record(), paper_record())
    for params in ({}, {"format": "ris"}, {"format": "bibtex", "mechanism": "exosomes"}):
        first = api.get("/api/papers/", params)
        again = api.get("/api/papers/", params, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, params

    etag = api.get("/api/papers/")["ETag"]
    make_paper()
    assert api.get("/api/papers/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_list_etag_follows_its_own_page_only(api, curator):
    older, newer = make_papers(
        paper_record(pub_date=PubDate(year=2001)), paper_record(pub_date=PubDate(year=2024))
    )
    first_page = api.get("/api/papers/", {"page_size": 1})
    etag = first_page["ETag"]
    assert first_page.json()["results"][0]["pmid"] == newer.pmid

    # A change to a paper on another page leaves this page (and its ETag) as it was...
    time.sleep(1.1)
    services.tag_decide(
        paper=older, mechanism=Mechanism.objects.get(slug="exosomes"), action="add", user=curator
    )
    assert api.get("/api/papers/", {"page_size": 1}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # ...a change to a paper on it does not.
    services.tag_decide(
        paper=newer, mechanism=Mechanism.objects.get(slug="exosomes"), action="add", user=curator
    )
    changed = api.get("/api/papers/", {"page_size": 1}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "exosomes" in [t["mechanism"] for t in changed.json()["results"][0]["tags"]]


def test_a_list_is_modified_when_a_paper_leaves_it_even_if_the_rest_is_older(api):
    older, newer = make_papers(
        paper_record(pub_date=PubDate(year=2001)), paper_record(pub_date=PubDate(year=2024))
    )
    first = api.get("/api/papers/", {"page_size": 1})
    assert first.json()["results"][0]["pmid"] == newer.pmid

    time.sleep(1.1)  # Last-Modified has one-second resolution
    services.paper_delete_pmids(pmids=[newer.pmid])
    again = api.get("/api/papers/", {"page_size": 1}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    # The page now shows only a paper older than the old answer: still modified.
    assert again.status_code == 200
    assert [p["pmid"] for p in again.json()["results"]] == [older.pmid]


def test_different_formats_have_different_etags(api):
    paper = make_paper()
    url = f"/api/papers/{paper.pmid}/"

    assert api.get(url)["ETag"] != api.get(url, {"format": "ris"})["ETag"]


# Curation ---------------------------------------------------------------------------


def test_a_curator_confirms_rejects_and_adds_tags_with_a_history(api, curator):
    paper = make_paper()
    _tag(paper, "anti_apoptosis")
    _tag(paper, "immune_regulation")
    api.force_authenticate(curator)
    url = f"/api/papers/{paper.pmid}/tags/"

    confirmed = api.post(url, {"mechanism": "anti_apoptosis", "action": "confirm"})
    rejected = api.post(
        url, {"mechanism": "immune_regulation", "action": "reject", "comment": "IL-6 only"}
    )
    added = api.post(url, {"mechanism": "exosomes", "action": "add"})

    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["decided_by"] == "cora"
    assert rejected.json()["comment"] == "IL-6 only"
    assert added.status_code == 201
    assert added.json()["source"] == "curator"
    history = api.get(f"/api/papers/{paper.pmid}/history/").json()
    assert [(e["mechanism"], e["action"], e["user"]) for e in history] == [
        ("exosomes", "added", "cora"),
        ("immune_regulation", "rejected", "cora"),
        ("anti_apoptosis", "confirmed", "cora"),
    ]


def test_a_decision_names_an_unknown_mechanism_clearly(api, curator):
    paper = make_paper()
    api.force_authenticate(curator)

    response = api.post(
        f"/api/papers/{paper.pmid}/tags/", {"mechanism": "telepathy", "action": "add"}
    )

    assert response.status_code == 400
    assert "mechanism" in response.json()["fields"]


def test_mechanisms_report_the_taggers_precision_from_curator_decisions(api):
    papers = make_papers(*(paper_record() for _ in range(4)))
    _tag(papers[0], "exosomes", TagStatus.CONFIRMED)
    _tag(papers[1], "exosomes", TagStatus.CONFIRMED)
    _tag(papers[2], "exosomes", TagStatus.CONFIRMED)
    _tag(papers[3], "exosomes", TagStatus.REJECTED)
    _tag(papers[0], "immune_regulation")
    _tag(papers[1], "immune_regulation", TagStatus.CONFIRMED, source="curator")

    mechanisms = {m["slug"]: m for m in api.get("/api/mechanisms/").json()}

    assert mechanisms["exosomes"]["auto_tags"] == {
        "suggested": 0,
        "confirmed": 3,
        "rejected": 1,
        "precision": 0.75,
    }
    assert mechanisms["immune_regulation"]["auto_tags"]["precision"] is None


def test_curators_manage_feeds_and_refresh_them_now(api, curator, settings):
    settings.CELERY_BROKER_URL = ""  # queued in process, run at commit (never, in this test)
    api.force_authenticate(curator)

    created = api.post(
        "/api/feeds/",
        {"name": "Exosomes", "query": "exosome* AND ovar*", "refresh_interval": "12:00:00"},
    )
    feed_id = created.json()["id"]
    edited = api.patch(f"/api/feeds/{feed_id}/", {"is_active": False})
    refresh = api.post(f"/api/feeds/{feed_id}/refresh/")
    again = api.post(f"/api/feeds/{feed_id}/refresh/")
    runs = api.get(f"/api/feeds/{feed_id}/runs/").json()
    run = api.get(f"/api/runs/{refresh.json()['id']}/").json()

    assert created.status_code == 201
    assert Feed.objects.get(pk=feed_id).created_by == curator
    assert edited.json()["is_active"] is False
    assert refresh.status_code == 202
    assert refresh.json()["status"] == "queued"
    assert again.status_code == 409
    assert again.json()["code"] == "already_running"
    assert [r["id"] for r in runs] == [refresh.json()["id"]]
    assert run["status"] == "queued"
    listed = {f["id"]: f for f in api.get("/api/feeds/").json()}
    assert listed[feed_id]["last_run"]["id"] == run["id"]


def test_a_feed_refreshing_more_often_than_every_five_minutes_is_refused(api, curator):
    api.force_authenticate(curator)

    response = api.post(
        "/api/feeds/", {"name": "Spam", "query": "x", "refresh_interval": "00:01:00"}
    )

    assert response.status_code == 400
    assert "refresh_interval" in response.json()["fields"]


# Auth and throttling -------------------------------------------------------------------


def test_a_token_is_obtained_with_a_password_used_and_revoked(api, researcher):
    wrong = api.post("/api/auth/token/", {"username": "rita", "password": "nope"})
    token = api.post("/api/auth/token/", {"username": "rita", "password": "rita-password-1"})
    key = token.json()["token"]

    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    paper = make_paper()
    created = client.post("/api/notes/", {"paper": paper.pmid, "body": "Via token."})
    revoked = client.delete("/api/auth/token/")
    after = client.get("/api/notes/")

    assert wrong.status_code == 400
    assert created.status_code == 201
    assert revoked.status_code == 204
    assert after.status_code == 401
    assert after.json()["code"] == "authentication_failed"


@pytest.fixture
def tight_anon_rate(monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})


def test_anonymous_clients_are_throttled_with_the_error_body(api, tight_anon_rate):
    statuses = [api.get("/api/mechanisms/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    body = api.get("/api/mechanisms/").json()
    assert body["code"] == "throttled"
    assert body["status"] == 429


@pytest.mark.redis
def test_throttle_counters_live_in_redis_so_limits_hold_across_processes(api, tight_anon_rate):
    import redis
    from django.conf import settings

    api.get("/api/mechanisms/")

    client = redis.Redis.from_url(settings.REDIS_URL)
    assert any(b"throttle_anon" in key for key in client.keys("*throttle_anon*"))


# Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "ris"])
def test_a_page_costs_the_same_queries_whatever_its_size(api, researcher, fmt):
    from notes import services as notes_services

    for record in [paper_record() for _ in range(30)]:
        (paper,) = make_papers(record)
        _tag(paper, "exosomes")
        PaperFacet.objects.create(paper=paper, kind="model", value="animal")
        notes_services.note_create(paper=paper, author=researcher, body="n")
    api.force_authenticate(researcher)

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(
                "/api/papers/", {"page_size": size, "format": fmt, "include": "notes,tags"}
            )
            if fmt != "json":
                _body(response)
        return len(queries)

    assert count(2) == count(25)


def test_the_schema_is_served_and_the_docs_load_from_local_files(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = api.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/papers/{pmid}/cite/" in schema.json()["paths"]
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_local_paths_exist_for_every_docs_asset(api):
    from django.contrib.staticfiles import finders

    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
    assert Path(__file__).exists()
