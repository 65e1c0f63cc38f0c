"""Tagging papers: auto suggestions with evidence, and curator decisions that always win."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curation import services, tagger
from curation.models import Mechanism, Paper, PaperFacet, Tag, TagEvent, TagSource, TagStatus
from curation.records import AbstractSection
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

RESULTS = (
    "Intravenous transplantation of bone marrow mesenchymal stem cells (BMSCs) into "
    "cyclophosphamide-induced POF rats restored estrous cycles and serum AMH. BMSC "
    "treatment reduced granulosa cell apoptosis, with fewer TUNEL-positive cells and lower "
    "cleaved caspase-3 and Bax/Bcl-2 ratio. BMSC-derived exosomes carried miR-21 and "
    "reproduced these effects, indicating a paracrine mechanism."
)


def _msc_paper(**overrides) -> Paper:
    return make_paper(
        title="Bone marrow MSCs and their exosomes protect granulosa cells in POF rats",
        abstract_sections=(
            AbstractSection(
                label="BACKGROUND",
                text="Premature ovarian failure (POF) causes infertility.",
                html="",
            ),
            AbstractSection(label="RESULTS", text=RESULTS, html=""),
        ),
        **overrides,
    )


def _tags(paper: Paper) -> dict[str, Tag]:
    return {tag.mechanism.slug: tag for tag in paper.tags.select_related("mechanism")}


def test_tagging_suggests_mechanisms_with_evidence_offsets_and_facets():
    paper = _msc_paper()

    counts = services.papers_tag(paper_ids=[paper.pk])

    tags = _tags(paper)
    assert {"anti_apoptosis", "exosomes"} <= set(tags)
    assert all(tag.source == TagSource.AUTO for tag in tags.values())
    assert all(tag.status == TagStatus.SUGGESTED for tag in tags.values())
    paper.refresh_from_db()
    for tag in tags.values():
        for evidence in tag.evidence:
            text = paper.abstract if evidence["field"] == "abstract" else paper.title
            assert text[evidence["start"] : evidence["end"]] == evidence["sentence"]
    facets = set(paper.facets.values_list("kind", "value"))
    assert ("cell_source", "bone_marrow") in facets
    assert ("model", "animal") in facets
    assert ("agent", "cyclophosphamide") in facets
    assert paper.is_relevant is True
    assert paper.tagger_version == tagger.TAGGER_VERSION
    assert counts.suggested == len(tags)
    assert TagEvent.objects.filter(paper=paper, action="suggested").count() == len(tags)


def test_a_paper_outside_the_topic_gets_no_mechanism_tags():
    paper = make_paper(
        title="Platelet-rich plasma for poor ovarian responders",
        abstract_sections=(
            AbstractSection(
                text=(
                    "Intra-ovarian platelet-rich plasma injection increased AMH in women with "
                    "poor ovarian reserve; apoptosis markers were not measured."
                ),
            ),
        ),
    )

    services.papers_tag(paper_ids=[paper.pk])

    paper.refresh_from_db()
    assert paper.is_relevant is False
    assert not paper.tags.exists()


def test_tagging_twice_writes_nothing_the_second_time():
    paper = _msc_paper()
    services.papers_tag(paper_ids=[paper.pk])
    paper.refresh_from_db()
    before = (
        paper.updated_at,
        TagEvent.objects.count(),
        list(Tag.objects.values_list("updated_at")),
    )

    counts = services.papers_tag(paper_ids=[paper.pk])

    paper.refresh_from_db()
    after = (
        paper.updated_at,
        TagEvent.objects.count(),
        list(Tag.objects.values_list("updated_at")),
    )
    assert after == before
    assert counts.papers_changed == 0


def test_curator_decisions_survive_retagging_and_a_new_tagger_version(curator, monkeypatch):
    paper = _msc_paper()
    services.papers_tag(paper_ids=[paper.pk])
    mechanisms = {m.slug: m for m in Mechanism.objects.all()}
    services.tag_decide(
        paper=paper, mechanism=mechanisms["exosomes"], action="confirm", user=curator
    )
    services.tag_decide(
        paper=paper, mechanism=mechanisms["anti_apoptosis"], action="reject", user=curator
    )
    services.tag_decide(
        paper=paper, mechanism=mechanisms["immune_regulation"], action="add", user=curator
    )
    decided = {slug: (t.status, t.source, t.decided_at) for slug, t in _tags(paper).items()}

    monkeypatch.setattr(tagger, "TAGGER_VERSION", "test-next-version")
    call_command("tag_papers", "--all", stdout=io.StringIO())
    call_command("tag_papers", "--all", stdout=io.StringIO())

    after = {slug: (t.status, t.source, t.decided_at) for slug, t in _tags(paper).items()}
    for slug, state in decided.items():
        assert after[slug] == state
    assert after["anti_apoptosis"][0] == TagStatus.REJECTED  # never suggested again
    assert after["immune_regulation"][1] == TagSource.CURATOR
    paper.refresh_from_db()
    assert paper.tagger_version == "test-next-version"


def test_a_new_tagger_version_revises_only_suggested_tags(monkeypatch):
    paper = _msc_paper()
    services.papers_tag(paper_ids=[paper.pk])

    monkeypatch.setattr(tagger, "TAGGER_VERSION", "test-next-version")
    counts = services.papers_tag(paper_ids=services.paper_ids_to_tag())

    assert counts.papers == 1
    assert counts.revised == len(_tags(paper))
    assert {t.tagger_version for t in _tags(paper).values()} == {"test-next-version"}
    assert services.paper_ids_to_tag() == []


def test_a_suggestion_the_tagger_no_longer_makes_is_withdrawn(curator):
    paper = _msc_paper()
    services.papers_tag(paper_ids=[paper.pk])
    services.tag_decide(
        paper=paper,
        mechanism=Mechanism.objects.get(slug="exosomes"),
        action="confirm",
        user=curator,
    )
    Paper.objects.filter(pk=paper.pk).update(
        abstract="Premature ovarian failure (POF) causes infertility.",
        title="Bone marrow MSCs in POF rats",
    )

    counts = services.papers_tag(paper_ids=[paper.pk])

    tags = _tags(paper)
    assert "anti_apoptosis" not in tags
    assert tags["exosomes"].status == TagStatus.CONFIRMED
    assert counts.withdrawn >= 1
    assert TagEvent.objects.filter(paper=paper, action="withdrawn").exists()


def test_stale_facets_are_replaced():
    paper = _msc_paper()
    PaperFacet.objects.create(paper=paper, kind="cell_source", value="placenta")

    services.papers_tag(paper_ids=[paper.pk])

    values = set(paper.facets.filter(kind="cell_source").values_list("value", flat=True))
    assert "placenta" not in values
    assert "bone_marrow" in values


def test_tag_papers_command_tags_only_what_the_current_version_has_not_seen():
    first, second = _msc_paper(), _msc_paper()
    services.papers_tag(paper_ids=[first.pk])
    out = io.StringIO()

    call_command("tag_papers", stdout=out)

    assert f"tagger {tagger.TAGGER_VERSION}: papers 1," in out.getvalue()
    second.refresh_from_db()
    assert second.tagger_version == tagger.TAGGER_VERSION


def test_tag_papers_command_by_pmid_and_unknown_pmids():
    paper = _msc_paper()
    out = io.StringIO()

    call_command("tag_papers", "--pmid", str(paper.pmid), stdout=out)

    assert "papers 1," in out.getvalue()
    with pytest.raises(CommandError, match="not in the database"):
        call_command("tag_papers", "--pmid", "1", stdout=io.StringIO())


def test_an_import_tags_what_it_wrote_in_process_without_a_broker(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = ""

    with django_capture_on_commit_callbacks(execute=True):
        services.demo_load()

    assert not Paper.objects.exclude(tagger_version=tagger.TAGGER_VERSION).exists()
    assert Tag.objects.filter(source=TagSource.AUTO).exists()
