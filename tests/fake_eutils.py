"""A fake NCBI E-utilities server over real HTTP, serving real PubMed records.

Tests point ``PUBMED_EUTILS_URL`` (or ``PubmedConfig.base_url``) at ``server.url`` and talk to
it through Biopython exactly as to NCBI. It serves ``esearch.fcgi`` and ``efetch.fcgi`` under
``/entrez/eutils/`` from a ``Corpus``: each record is the real ``<PubmedArticle>`` bytes of a
file in ``tests/fixtures/pubmed/`` (or a clone of one under a new PMID), with an entry date
(edat), a modification date (mdat) and a publication date (pdat).

What it does like NCBI:

- esearch: ``db=pubmed``, ``term``, ``datetype`` (edat, mdat, pdat; pdat when absent) with
  ``mindate``/``maxdate`` as YYYY, YYYY/MM or YYYY/MM/DD (both needed, both days included),
  ``usehistory=y`` (WebEnv + QueryKey, a given WebEnv is reused), ``retstart``/``retmax``
  (default 20, at most 10,000; only the first 9,999 ids of a search can be listed, and a
  ``retstart`` past 9,998 answers NCBI's ``<ERROR>``). Ids come newest entry date first. The
  answer carries NCBI's DOCTYPE, so ``Bio.Entrez.read`` parses it with its bundled DTD.
- efetch: ``id`` (GET or POST) or ``WebEnv``/``query_key`` with ``retstart``/``retmax``
  (default 20, at most 10,000), answering a ``PubmedArticleSet`` with the 2025 DOCTYPE; ids
  not in the corpus are left out; an unknown or expired WebEnv/query_key answers
  ``<eFetchResult><ERROR>Unable to obtain query #N</ERROR>`` with HTTP 400 (set
  ``server.expired_history_status = 200`` for NCBI's older 200 answer).

What it simplifies: term matching. Every record matches any term, except a term that is only
PMIDs (``"123[pmid] OR 456[uid]"``), which matches those PMIDs; set ``server.term_filter`` to
a ``(term, record) -> bool`` function for anything else. No JSON, no other E-utilities.

Faults are scripted per endpoint and each is used up by the next request to it::

    server.inject("efetch", Fault.status(429, retry_after=0), Fault.drop_connection())

Every request is logged in ``server.requests`` (endpoint, method, merged GET/POST parameters,
arrival time on ``time.monotonic()``, the fault applied), for counts, rates and parameters.

Run by hand: ``python -m tests.fake_eutils --port 8999 [--corpus DIR] [--clones N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gzip
import itertools
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pubmed"
BASE_PATH = "/entrez/eutils/"
ENDPOINTS = ("esearch", "efetch")
ESEARCH_LISTABLE = 9_999  # PubMed's esearch lists only the first 9,999 ids of a search
RETMAX_CAP = 10_000
DEFAULT_RETMAX = 20

ESEARCH_DOCTYPE = (
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">'
)
EFETCH_DOCTYPE = (
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
EFETCH_ERROR_DOCTYPE = (
    b'<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">'
)
RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query. To obtain more "
    "than 9,999 PubMed records, consider using EDirect that contains additional logic to "
    "batch PubMed search results automatically so that an arbitrary number can be retrieved."
)

_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
_PMID_TERM = re.compile(r"^\(?\s*(\d+)\s*\[(?:pmid|uid)\]\s*\)?$", re.I)
_READER = etree.XMLParser(recover=True, no_network=True, resolve_entities=False, load_dtd=False)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


# --- corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusRecord:
    """One PubMed record: its real XML and the dates esearch filters on.

    ``xml`` is the ``<PubmedArticle>`` exactly as read from a fixture; a clone or a revised
    record keeps its template's bytes and is rewritten (PMID, entry date, DateRevised, title)
    only when served.
    """

    pmid: int
    xml: bytes
    edat: dt.date
    mdat: dt.date
    pdat: dt.date
    source_pmid: int  # the PMID written in ``xml``
    source_edat: dt.date
    source_mdat: dt.date | None
    title: str | None = None  # a replacement ArticleTitle, set by Corpus.revise

    def render(self) -> bytes:
        """Return the ``<PubmedArticle>`` bytes as served, overrides applied."""
        xml = self.xml
        if self.pmid != self.source_pmid:
            old, new = str(self.source_pmid).encode(), str(self.pmid).encode()
            pmid = rb'(<PMID Version="\d+">)' + old + rb"</PMID>"
            xml = re.sub(pmid, rb"\g<1>" + new + b"</PMID>", xml, count=1)
            xml = xml.replace(
                b'<ArticleId IdType="pubmed">' + old + b"</ArticleId>",
                b'<ArticleId IdType="pubmed">' + new + b"</ArticleId>",
                1,
            )
        if self.edat != self.source_edat:
            xml = re.sub(
                rb'(<PubMedPubDate PubStatus="entrez">\s*)<Year>\d+</Year>\s*<Month>\d+</Month>'
                rb"\s*<Day>\d+</Day>",
                rb"\g<1>" + _ymd(self.edat),
                xml,
                count=1,
            )
        if self.mdat != self.source_mdat:
            revised = b"<DateRevised>" + _ymd(self.mdat) + b"</DateRevised>"
            if b"<DateRevised>" in xml:
                xml = re.sub(rb"<DateRevised>.*?</DateRevised>", revised, xml, count=1, flags=re.S)
            elif b"</DateCompleted>" in xml:
                xml = xml.replace(b"</DateCompleted>", b"</DateCompleted>" + revised, 1)
            else:
                xml = re.sub(rb"(</PMID>)", rb"\1" + revised, xml, count=1)
        if self.title is not None:
            title = escape(self.title, quote=False).encode()
            xml = re.sub(
                rb"<ArticleTitle(\s[^>]*)?>.*?</ArticleTitle>",
                lambda m: (
                    b"<ArticleTitle" + (m.group(1) or b"") + b">" + title + b"</ArticleTitle>"
                ),
                xml,
                count=1,
                flags=re.S,
            )
        return xml

    def date(self, datetype: str) -> dt.date:
        return {"edat": self.edat, "mdat": self.mdat, "pdat": self.pdat}[datetype]


def _ymd(value: dt.date) -> bytes:
    return b"<Year>%d</Year><Month>%02d</Month><Day>%02d</Day>" % (
        value.year,
        value.month,
        value.day,
    )


def _element_date(element: etree._Element | None) -> dt.date | None:
    if element is None:
        return None
    year = (element.findtext("Year") or "").strip()
    if not year.isdigit():
        medline = (element.findtext("MedlineDate") or "").strip()
        return dt.date(int(medline[:4]), 1, 1) if medline[:4].isdigit() else None
    month_text = (element.findtext("Month") or "1").strip()
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3].lower(), 1)
    day_text = (element.findtext("Day") or "1").strip()
    day = int(day_text) if day_text.isdigit() else 1
    try:
        return dt.date(int(year), month, day)
    except ValueError:
        return dt.date(int(year), 1, 1)


def record_from_xml(xml: bytes) -> CorpusRecord:
    """Read PMID and dates of one ``<PubmedArticle>`` (the bytes are kept as they are)."""
    root = etree.fromstring(xml, parser=_READER)
    if root is None or root.tag != "PubmedArticle":
        raise ValueError("expected one <PubmedArticle> element")
    citation = root.find("MedlineCitation")
    pmid_text = citation.findtext("PMID") if citation is not None else None
    if not pmid_text or not pmid_text.strip().isdigit():
        raise ValueError("the PubmedArticle has no numeric PMID")
    history = root.find("PubmedData/History")

    def history_date(status: str) -> dt.date | None:
        if history is None:
            return None
        return _element_date(history.find(f"PubMedPubDate[@PubStatus='{status}']"))

    revised = _element_date(citation.find("DateRevised"))
    pdat = _element_date(citation.find("Article/Journal/JournalIssue/PubDate"))
    edat = (
        history_date("entrez")
        or history_date("pubmed")
        or _element_date(citation.find("DateCompleted"))
        or pdat
        or dt.date(2000, 1, 1)
    )
    return CorpusRecord(
        pmid=int(pmid_text),
        xml=xml,
        edat=edat,
        mdat=revised or edat,
        pdat=pdat or edat,
        source_pmid=int(pmid_text),
        source_edat=edat,
        source_mdat=revised or edat,
    )


def read_articles(path: Path) -> list[CorpusRecord]:
    """Return every ``<PubmedArticle>`` of a PubMed XML file (.xml or .xml.gz) as a record."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return [record_from_xml(match.group(0)) for match in _ARTICLE.finditer(data)]


@functools.cache
def _fixture_records(directory: Path) -> tuple[CorpusRecord, ...]:
    records: dict[int, CorpusRecord] = {}
    for path in sorted(directory.rglob("*.xml*")):
        if path.suffix in (".xml", ".gz"):
            for record in read_articles(path):
                records.setdefault(record.pmid, record)
    return tuple(records.values())


class Corpus:
    """The records the fake server knows, by PMID; safe to change while it serves."""

    def __init__(self, records: Iterable[CorpusRecord] = ()) -> None:
        self._lock = threading.RLock()
        self._records: dict[int, CorpusRecord] = {}
        for record in records:
            self.put(record)

    @classmethod
    def from_fixtures(cls, directory: Path = FIXTURES) -> Corpus:
        """Return a corpus of every PubmedArticle under ``directory`` (read once per process)."""
        return cls(_fixture_records(Path(directory).resolve()))

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, pmid: object) -> bool:
        return pmid in self._records

    def __getitem__(self, pmid: int) -> CorpusRecord:
        return self._records[pmid]

    def pmids(self) -> list[int]:
        """Return every PMID, in ascending order."""
        with self._lock:
            return sorted(self._records)

    def records(self) -> list[CorpusRecord]:
        with self._lock:
            return list(self._records.values())

    def put(self, record: CorpusRecord) -> CorpusRecord:
        """Add ``record``, replacing one with the same PMID."""
        with self._lock:
            self._records[record.pmid] = record
        return record

    def add_xml(self, xml: bytes) -> list[int]:
        """Add every ``<PubmedArticle>`` in ``xml`` (one article or a whole efetch answer)."""
        records = [record_from_xml(match.group(0)) for match in _ARTICLE.finditer(xml)]
        if not records:
            raise ValueError("no <PubmedArticle> in the XML given")
        for record in records:
            self.put(record)
        return [record.pmid for record in records]

    def keep(self, pmids: Iterable[int]) -> None:
        """Drop every record but ``pmids`` (each must be in the corpus)."""
        wanted = set(pmids)
        with self._lock:
            unknown = wanted - self._records.keys()
            if unknown:
                raise KeyError(f"not in the corpus: {sorted(unknown)}")
            self._records = {p: r for p, r in self._records.items() if p in wanted}

    def remove(self, pmid: int) -> CorpusRecord:
        """Remove a record, as when PubMed deletes a citation."""
        with self._lock:
            return self._records.pop(pmid)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def revise(
        self, pmid: int, *, mdat: dt.date | None = None, title: str | None = None
    ) -> CorpusRecord:
        """Revise a record: a new modification date (today by default), a new title if given."""
        with self._lock:
            record = self._records[pmid]
            changes: dict[str, object] = {"mdat": mdat or dt.date.today()}
            if title is not None:
                changes["title"] = title
            return self.put(replace(record, **changes))

    def clone(
        self,
        template: int,
        pmid: int,
        *,
        edat: dt.date,
        mdat: dt.date | None = None,
        pdat: dt.date | None = None,
    ) -> CorpusRecord:
        """Add a copy of record ``template`` under a new ``pmid`` with its own dates."""
        with self._lock:
            if pmid in self._records:
                raise ValueError(f"PMID {pmid} is already in the corpus")
            source = self._records[template]
            return self.put(
                replace(source, pmid=pmid, edat=edat, mdat=mdat or edat, pdat=pdat or edat)
            )

    def add_clones(
        self,
        count: int,
        *,
        first_pmid: int = 90_000_001,
        start: dt.date = dt.date(2020, 1, 1),
        end: dt.date = dt.date(2023, 12, 31),
        templates: Sequence[int] | None = None,
    ) -> list[int]:
        """Add ``count`` clones of real records with PMIDs from ``first_pmid``, their entry
        dates spread evenly over ``start``..``end`` (several per day when count is larger).

        Cheap: a clone shares its template's bytes and is rewritten only when fetched.
        """
        with self._lock:
            sources = [self._records[p] for p in (templates or sorted(self._records))]
            if not sources:
                raise ValueError("clones need at least one record to copy")
            days = (end - start).days + 1
            pmids = []
            for index, source in zip(range(count), itertools.cycle(sources), strict=False):
                pmid = first_pmid + index
                if pmid in self._records:
                    raise ValueError(f"PMID {pmid} is already in the corpus")
                day = start + dt.timedelta(days=index * days // count)
                self.put(replace(source, pmid=pmid, edat=day, mdat=day, pdat=day))
                pmids.append(pmid)
            return pmids

    def search(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: dt.date | None = None,
        maxdate: dt.date | None = None,
        term_filter: Callable[[str, CorpusRecord], bool] | None = None,
    ) -> list[int]:
        """Return matching PMIDs, newest entry date first (PubMed's default order)."""
        wanted = pmid_term(term)
        with self._lock:
            if wanted is not None:
                candidates = [self._records[p] for p in wanted if p in self._records]
            else:
                candidates = list(self._records.values())
        hits = [
            record
            for record in candidates
            if (mindate is None or mindate <= record.date(datetype or "pdat") <= maxdate)
            and (term_filter is None or term_filter(term, record))
        ]
        hits.sort(key=lambda record: (record.edat, record.pmid), reverse=True)
        return [record.pmid for record in hits]


def pmid_term(term: str) -> list[int] | None:
    """Return the PMIDs of a term such as ``"1[pmid] OR 2[uid]"``, None for any other term."""
    parts = re.split(r"\s+OR\s+", term.strip(), flags=re.I)
    pmids = []
    for part in parts:
        match = _PMID_TERM.match(part.strip())
        if not match:
            return None
        pmids.append(int(match.group(1)))
    return pmids


# --- faults and the request log ----------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour, used up by the next request to its endpoint."""

    kind: str
    code: int = 200
    retry_after: float | None = None
    body: bytes | None = None
    seconds: float = 0.0
    fraction: float = 0.5
    keep_length: bool = False
    pmids: frozenset[int] = frozenset()
    message: str = ""

    @classmethod
    def status(
        cls, code: int, *, retry_after: float | None = None, body: bytes | None = None
    ) -> Fault:
        """Answer HTTP ``code`` (with a ``Retry-After`` header when given)."""
        return cls("status", code=code, retry_after=retry_after, body=body)

    @classmethod
    def drop_connection(cls) -> Fault:
        """Close the connection without answering."""
        return cls("drop")

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before answering normally (a client with a shorter timeout gives up)."""
        return cls("delay", seconds=seconds)

    @classmethod
    def truncate(cls, at_fraction: float = 0.5, *, keep_length: bool = False) -> Fault:
        """Send only the first ``at_fraction`` of the answer, then close.

        Without ``keep_length`` no Content-Length is sent, so the client reads truncated XML
        as if it were whole; with it, the full length is announced (``IncompleteRead``).
        """
        return cls("truncate", fraction=at_fraction, keep_length=keep_length)

    @classmethod
    def omit_pmids(cls, pmids: Iterable[int]) -> Fault:
        """Leave these PMIDs out of the next efetch answer."""
        return cls("omit", pmids=frozenset(pmids))

    @classmethod
    def error(cls, message: str, *, status: int = 200) -> Fault:
        """Answer NCBI's ``<ERROR>`` document (HTTP 200 by default, as NCBI does)."""
        return cls("error", code=status, message=message)

    def describe(self) -> str:
        if self.kind == "status":
            return f"status {self.code}"
        if self.kind == "omit":
            return f"omit {sorted(self.pmids)}"
        if self.kind == "delay":
            return f"delay {self.seconds}s"
        return self.kind


@dataclass(frozen=True)
class LoggedRequest:
    endpoint: str
    method: str
    params: dict[str, str]
    time: float  # time.monotonic() when the request was read
    fault: str | None = None


# --- the server ---------------------------------------------------------------------------


@dataclass
class _History:
    queries: dict[str, list[int]] = field(default_factory=dict)


class FakeEutils:
    """An E-utilities server on 127.0.0.1 in a daemon thread; see the module doc."""

    def __init__(self, corpus: Corpus | None = None, *, port: int = 0) -> None:
        self.corpus = corpus if corpus is not None else Corpus.from_fixtures()
        self.requests: list[LoggedRequest] = []
        self.term_filter: Callable[[str, CorpusRecord], bool] | None = None
        self.withheld: set[int] = set()  # listed by esearch, never served by efetch
        self.expired_history_status = 400
        self._port = port
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {endpoint: [] for endpoint in ENDPOINTS}
        self._history: dict[str, _History] = {}
        self._webenvs = itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FakeEutils:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _Server(("127.0.0.1", self._port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-eutils",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake E-utilities server is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Return the base URL to configure, ending in "/"."""
        return f"http://127.0.0.1:{self.port}{BASE_PATH}"

    # scripting

    def inject(self, endpoint: str, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests to ``endpoint`` ("esearch" or "efetch")."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, not {endpoint!r}")
        with self._lock:
            self._faults[endpoint].extend(faults)

    def pending_faults(self, endpoint: str) -> int:
        with self._lock:
            return len(self._faults[endpoint])

    def expire_history(self) -> None:
        """Forget every WebEnv, as NCBI does after some hours."""
        with self._lock:
            self._history.clear()

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # reading the log

    def requests_to(self, endpoint: str) -> list[LoggedRequest]:
        with self._lock:
            return [request for request in self.requests if request.endpoint == endpoint]

    def max_requests_in(self, seconds: float = 1.0) -> int:
        """Return the most requests that arrived within any window shorter than ``seconds``."""
        with self._lock:
            times = sorted(request.time for request in self.requests)
        most, first = 0, 0
        for last, arrival in enumerate(times):
            while arrival - times[first] >= seconds:
                first += 1
            most = max(most, last - first + 1)
        return most

    # serving (called from handler threads)

    def _take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(endpoint)
            return queue.pop(0) if queue else None

    def _log(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def esearch(self, params: dict[str, str]) -> tuple[int, bytes]:
        if params.get("db", "pubmed") != "pubmed":
            return 200, _esearch_error(f"Invalid db name specified: {params.get('db')}")
        term = params.get("term", "").strip()
        if not term:
            return 200, _esearch_error("Empty term and query_key - nothing todo")
        try:
            retstart = int(params.get("retstart", 0))
            retmax = min(int(params.get("retmax", DEFAULT_RETMAX)), RETMAX_CAP)
            mindate, maxdate = _date_range(params)
        except ValueError as exc:
            return 200, _esearch_error(f"Invalid parameter: {exc}")
        datetype = params.get("datetype", "pdat")
        if datetype not in ("edat", "mdat", "pdat"):
            return 200, _esearch_error(f"Invalid datetype: {datetype}")
        if retstart > ESEARCH_LISTABLE - 1:
            return 200, _esearch_error(RETSTART_ERROR)
        pmids = self.corpus.search(
            term,
            datetype=datetype,
            mindate=mindate,
            maxdate=maxdate,
            term_filter=self.term_filter,
        )
        history = b""
        if params.get("usehistory", "").lower() == "y":
            webenv, query_key = self._remember(params.get("WebEnv", ""), pmids)
            history = f"<QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv>".encode()
        listed = pmids[retstart : min(retstart + max(retmax, 0), ESEARCH_LISTABLE)]
        ids = b"".join(b"<Id>%d</Id>\n" % pmid for pmid in listed)
        body = (
            b'<?xml version="1.0" encoding="UTF-8" ?>\n'
            + ESEARCH_DOCTYPE
            + b"\n<eSearchResult>"
            + b"<Count>%d</Count><RetMax>%d</RetMax><RetStart>%d</RetStart>"
            % (len(pmids), len(listed), retstart)
            + history
            + b"<IdList>\n"
            + ids
            + b"</IdList><TranslationSet/><QueryTranslation>"
            + escape(term, quote=False).encode()
            + b"</QueryTranslation></eSearchResult>\n"
        )
        return 200, body

    def efetch(self, params: dict[str, str], omit: frozenset[int]) -> tuple[int, bytes]:
        if params.get("db", "pubmed") != "pubmed":
            return 400, _efetch_error(f"Invalid db name specified: {params.get('db')}")
        webenv = params.get("WebEnv", "")
        if params.get("id", "").strip():
            pmids = [int(p) for p in params["id"].split(",") if p.strip().isdigit()]
        elif webenv and params.get("query_key"):
            with self._lock:
                pmids_or_none = self._history.get(webenv, _History()).queries.get(
                    params["query_key"]
                )
            if pmids_or_none is None:
                return self.expired_history_status, _efetch_error(
                    f"Unable to obtain query #{params['query_key']}"
                )
            try:
                retstart = int(params.get("retstart", 0))
                retmax = min(int(params.get("retmax", DEFAULT_RETMAX)), RETMAX_CAP)
            except ValueError as exc:
                return 400, _efetch_error(f"Invalid parameter: {exc}")
            pmids = pmids_or_none[retstart : retstart + retmax]
        else:
            return 400, _efetch_error("Empty id list - nothing todo")
        parts = []
        for pmid in pmids:
            if pmid in omit or pmid in self.withheld:
                continue
            try:
                record = self.corpus[pmid]
            except KeyError:
                continue
            parts.append(record.render())
        body = (
            b'<?xml version="1.0" ?>\n'
            + EFETCH_DOCTYPE
            + b"\n<PubmedArticleSet>\n"
            + b"\n".join(parts)
            + (b"\n" if parts else b"")
            + b"</PubmedArticleSet>"
        )
        return 200, body

    def _remember(self, webenv: str, pmids: list[int]) -> tuple[str, str]:
        with self._lock:
            if webenv not in self._history:
                webenv = f"MCID_fake{next(self._webenvs):08d}"
                self._history[webenv] = _History()
            history = self._history[webenv]
            query_key = str(len(history.queries) + 1)
            history.queries[query_key] = list(pmids)
            return webenv, query_key


def _date_range(params: dict[str, str]) -> tuple[dt.date | None, dt.date | None]:
    low, high = params.get("mindate", "").strip(), params.get("maxdate", "").strip()
    if not low and not high:
        return None, None
    if not (low and high):
        raise ValueError("mindate and maxdate go together")
    return _ncbi_date(low, end=False), _ncbi_date(high, end=True)


def _ncbi_date(text: str, *, end: bool) -> dt.date:
    match = re.fullmatch(r"(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?", text)
    if not match:
        raise ValueError(f"date {text!r} is not YYYY, YYYY/MM or YYYY/MM/DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if day is None:
        if not end:
            return dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(year, month, day)


def _esearch_error(message: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n'
        + ESEARCH_DOCTYPE
        + b"\n<eSearchResult><ERROR>"
        + escape(message, quote=False).encode()
        + b"</ERROR></eSearchResult>\n"
    )


def _efetch_error(message: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n'
        + EFETCH_ERROR_DOCTYPE
        + b"\n<eFetchResult>\n\t<ERROR>"
        + escape(message, quote=False).encode()
        + b"</ERROR>\n</eFetchResult>\n"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (read timeout) leaves a broken pipe behind: expected here.
        pass


class _Handler(BaseHTTPRequestHandler):
    fake: FakeEutils
    server_version = "FakeEutils/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length))

    def _serve(self, body: bytes) -> None:
        arrival = time.monotonic()
        url = urlsplit(self.path)
        params: dict[str, str] = {}
        for key, value in [
            *parse_qsl(url.query, keep_blank_values=True),
            *parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True),
        ]:
            # NCBI takes WebEnv in any case; Biopython and the docs spell it differently.
            params["WebEnv" if key.lower() == "webenv" else key] = value
        directory, _, name = url.path.rpartition("/")
        endpoint = name.removesuffix(".fcgi")
        if directory + "/" != BASE_PATH or endpoint not in ENDPOINTS:
            self.fake._log(LoggedRequest("unknown", self.command, params, arrival))
            self._answer(404, b"<html><body>404 Not Found</body></html>", "text/html")
            return
        fault = self.fake._take_fault(endpoint)
        self.fake._log(
            LoggedRequest(endpoint, self.command, params, arrival, fault and fault.describe())
        )
        # A client that gave up first (read timeout) leaves a broken pipe.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer_with(endpoint, params, fault)

    def _answer_with(self, endpoint: str, params: dict[str, str], fault: Fault | None) -> None:
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            default = (
                b'{"error":"API rate limit exceeded","count":"11"}'
                if fault.code == 429
                else HTTPStatus(fault.code).phrase.encode()
            )
            content_type = "application/json" if fault.code == 429 else "text/plain"
            self._answer(fault.code, fault.body or default, content_type, headers)
            return
        if fault is not None and fault.kind == "error":
            maker = _esearch_error if endpoint == "esearch" else _efetch_error
            self._answer(fault.code, maker(fault.message))
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if endpoint == "esearch":
            status, body = self.fake.esearch(params)
        else:
            omit = fault.pmids if fault is not None and fault.kind == "omit" else frozenset()
            status, body = self.fake.efetch(params, omit)
        if fault is not None and fault.kind == "truncate":
            cut = body[: int(len(body) * fault.fraction)]
            self.close_connection = True
            self.send_response(status)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            if fault.keep_length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(cut)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._answer(status, body)

    def _answer(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/xml; charset=UTF-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_eutils() -> Iterator[FakeEutils]:
    """Yield a running fake E-utilities server over every fixture record (``.url`` to use)."""
    with FakeEutils(Corpus.from_fixtures()) as server:
        yield server


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the fixture corpus (or ``--corpus DIR``) until interrupted."""
    parser = argparse.ArgumentParser(description="Run a fake NCBI E-utilities server.")
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--corpus", type=Path, default=FIXTURES, help="folder of PubMed XML")
    parser.add_argument("--clones", type=int, default=0, help="add this many cloned records")
    args = parser.parse_args(argv)
    corpus = Corpus.from_fixtures(args.corpus)
    if args.clones:
        corpus.add_clones(args.clones)
    server = FakeEutils(corpus, port=args.port).start()
    print(f"Fake E-utilities with {len(corpus)} records at {server.url} (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
