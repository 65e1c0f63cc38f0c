"""Search and fetch PubMed through NCBI's E-utilities, on ``Bio.Entrez``.

Every request is built by ``Bio.Entrez.esearch``/``efetch`` and goes out through one wrapper
installed as ``Bio.Entrez.urlopen`` (the name Biopython calls for every request, and the one
its own tests replace), which:

- sends the request to the configured base URL instead of NCBI's (Biopython hard-codes NCBI's
  URL; a mirror or a test server takes its place, path and query or POST body kept);
- takes a slot from the shared rate limiter (3 requests/s, 10 with an API key, for every
  process together, see ``pof_lit.lib.ratelimit``);
- sets a timeout, which Biopython never does.

Biopython's own retry loop is switched off (``Entrez.max_tries = 1``): it retries 429 and 5xx
without pausing. This client retries instead, with exponential backoff and full jitter, on 429,
5xx, refused, reset or dropped connections, timeouts and truncated answers, never on another
4xx. Bodies are read whole before parsing, so a connection dropped mid-answer costs a retry of
that request, not a half batch.

esearch can page through only the first 9,999 ids of a query, so ``search`` splits a larger
search into date windows (bisecting the date range) until each window fits; each window is
searched with the history server and keeps its PMIDs, so ``fetch`` can report PMIDs the efetch
answers left out. efetch answers are parsed by ``curation.parser.parse_pubmed_xml``, esearch
answers by a small lxml reader; neither loads nor downloads a DTD (``Entrez.read`` would
download any DTD it does not bundle, through its own ``urlopen``, past the base URL).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import http.client
import logging
import random
import re
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from Bio import Entrez
from lxml import etree

from curation.parser import parse_pubmed_xml
from curation.records import Deletion, MalformedSourceError, PaperRecord, RecordError
from pof_lit.lib.ratelimit import (
    FileRateLimiter,
    RateLimiter,
    default_limiter_path,
    limiter_from_url,
)

logger = logging.getLogger(__name__)

NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
ESEARCH_MAX = 9_999  # esearch can page through at most the first 9,999 ids of one query
EFETCH_MAX = 10_000  # NCBI's cap on retmax for one efetch
DATETYPES = ("edat", "mdat", "pdat")
# The range a search without dates is split over: PubMed's oldest citations are from the late
# 1700s, and a publication date (pdat) can lie a year or more ahead of today.
EARLIEST_DATE = dt.date(1700, 1, 1)
FUTURE_YEARS = 2

T = TypeVar("T")


class PubmedError(Exception):
    """E-utilities could not answer a request."""


class PubmedHTTPError(PubmedError):
    """E-utilities refused a request with a 4xx status that a retry cannot change."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class PubmedUnavailable(PubmedError):
    """E-utilities kept failing (429, 5xx, network, truncated answers) past the last attempt."""

    def __init__(self, message: str, *, attempts: int, status: int | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.status = status  # the last HTTP status, None when the last failure was not HTTP


class PubmedQueryError(PubmedError):
    """E-utilities answered HTTP 200 with an ``<ERROR>`` that a retry cannot change."""


class SearchTooLarge(PubmedError):
    """One day of the search alone has more hits than esearch can list."""

    def __init__(self, message: str, *, day: dt.date, count: int) -> None:
        super().__init__(message)
        self.day = day
        self.count = count


class _TransientAnswer(Exception):
    """An answer that a retry may fix: truncated, an HTML page, a backend ``<ERROR>``."""


class _HistoryExpired(Exception):
    """The history server no longer knows the WebEnv/query_key asked for."""


@dataclass(frozen=True, kw_only=True)
class PubmedConfig:
    """How to reach E-utilities: base URL, identity, limits and retry policy."""

    base_url: str = NCBI_EUTILS_URL
    email: str = ""
    api_key: str = ""
    tool: str = "pof-lit"
    timeout: float = 30.0  # seconds, for connecting and for each read from the socket
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    batch_size: int = 500
    limiter: RateLimiter = field(default_factory=lambda: FileRateLimiter(default_limiter_path()))

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, not {self.timeout!r}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts!r}")
        if self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("backoff_base and backoff_max cannot be negative")
        if not 1 <= self.batch_size <= EFETCH_MAX:
            raise ValueError(f"batch_size must be 1..{EFETCH_MAX}, not {self.batch_size!r}")

    def __repr__(self) -> str:
        # Keeps the API key out of logs and tracebacks.
        key = "set" if self.api_key else "unset"
        return f"PubmedConfig(base_url={self.base_url!r}, email={self.email!r}, api_key={key})"

    @property
    def rate(self) -> float:
        """Return NCBI's limit in requests/s: 10 with an API key, 3 without."""
        return 10.0 if self.api_key else 3.0

    @property
    def limiter_key(self) -> str:
        """Return the rate limiter key: NCBI counts per API key, or per address without one."""
        if not self.api_key:
            return "ncbi-eutils:anonymous"
        return "ncbi-eutils:" + hashlib.sha256(self.api_key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SearchWindow:
    """One esearch with the history server: at most ESEARCH_MAX hits, all their PMIDs known.

    ``mindate``/``maxdate`` are both None for a search that was not limited by date.
    """

    mindate: dt.date | None
    maxdate: dt.date | None
    datetype: str
    count: int
    pmids: tuple[int, ...]
    webenv: str
    query_key: str


@dataclass(frozen=True)
class FetchBatch:
    """What one batch of PMIDs gave: records, unreadable records and PMIDs that never came."""

    requested: tuple[int, ...]
    records: tuple[PaperRecord, ...]
    deletions: tuple[Deletion, ...]
    errors: tuple[RecordError, ...]
    missing: tuple[int, ...]


@dataclass(frozen=True)
class _Route:
    base_url: str
    timeout: float
    limiter: RateLimiter
    limiter_key: str
    rate: float


_route: ContextVar[_Route | None] = ContextVar("pof_lit_eutils_route", default=None)
_install_lock = threading.Lock()


def _eutils_urlopen(request: urllib.request.Request | str, *args: Any, **kwargs: Any) -> Any:
    """Open an E-utilities request for ``PubmedClient``: redirect it, rate-limit it, time it out.

    Installed as ``Bio.Entrez.urlopen``. Outside a ``PubmedClient`` call (someone using
    ``Bio.Entrez`` directly) it behaves like ``urllib.request.urlopen``.
    """
    route = _route.get()
    if route is None:
        return urllib.request.urlopen(request, *args, **kwargs)
    if isinstance(request, str):
        request = urllib.request.Request(request)
    url = request.full_url
    if route.base_url != NCBI_EUTILS_URL and url.startswith(NCBI_EUTILS_URL):
        request.full_url = route.base_url + url[len(NCBI_EUTILS_URL) :]
    route.limiter.acquire(route.limiter_key, rate=route.rate)
    return urllib.request.urlopen(request, timeout=route.timeout)


_eutils_urlopen.pof_lit = True  # type: ignore[attr-defined]


def install_entrez_hooks() -> None:
    """Route ``Bio.Entrez`` through ``_eutils_urlopen`` and turn off its retries; idempotent."""
    with _install_lock:
        if not getattr(Entrez.urlopen, "pof_lit", False):
            Entrez.urlopen = _eutils_urlopen
        # Biopython retries 429/5xx at once, without backoff; one attempt per call, we retry.
        Entrez.max_tries = 1


def _ncbi_date(value: dt.date) -> str:
    return value.strftime("%Y/%m/%d")


def _date_bounds(
    mindate: dt.date | None, maxdate: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """Return the range a search covers; a datetime counts as its day."""
    low = _as_date(mindate) if mindate else EARLIEST_DATE
    high = _as_date(maxdate) if maxdate else dt.date(today.year + FUTURE_YEARS, 12, 31)
    return low, high


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _split(low: dt.date, high: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    middle = low + dt.timedelta(days=(high - low).days // 2)
    return (low, middle), (middle + dt.timedelta(days=1), high)


def _retry_after(headers: Any) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta or HTTP date), or None."""
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _describe(exc: BaseException) -> str:
    """Return why a request failed, in words for the log (never the URL: it holds the key)."""
    if isinstance(exc, HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, URLError):
        return f"connection failed: {exc.reason!r}"
    if isinstance(exc, TimeoutError):
        return "read timed out"
    if isinstance(exc, http.client.IncompleteRead):
        return f"answer cut short after {len(exc.partial)} bytes"
    if isinstance(exc, _TransientAnswer | MalformedSourceError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# The answers NCBI gives in <ERROR> that no retry changes; anything else there (typically
# "Search Backend failed: ...") is a passing fault of the service.
_PERMANENT_ERRORS = re.compile(
    r"cannot be larger|invalid|syntax|empty term|nothing todo|not supported|unknown", re.I
)
_EXPIRED_HISTORY = re.compile(r"unable to obtain query|webenv|query_key|query #", re.I)
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.-]*)")
_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
)


def _root_tag(body: bytes) -> str | None:
    """Return the name of the document element (``<?xml`` and ``<!DOCTYPE`` do not match)."""
    match = _ROOT_TAG.search(body, 0, 4096)
    return match.group(1).decode("ascii", "replace") if match else None


def _error_text(body: bytes) -> str:
    match = re.search(rb"<ERROR>(.*?)</ERROR>", body, re.S)
    text = match.group(1) if match else body[:300]
    return " ".join(text.decode("utf-8", "replace").split())


@dataclass(frozen=True)
class _Esearch:
    count: int
    pmids: tuple[int, ...]
    webenv: str
    query_key: str


def _read_esearch(body: bytes, *, retmax: int, history: bool) -> _Esearch:
    """Read an esearch answer, telling a passing fault from one a retry cannot fix."""
    try:
        root = etree.fromstring(body, parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise _TransientAnswer(f"esearch answer is not well-formed XML: {exc}") from None
    if root.tag != "eSearchResult":
        raise _TransientAnswer(f"esearch answered <{root.tag}>, not <eSearchResult>")
    error = " ".join((root.findtext("ERROR") or "").split())
    if error:
        if _PERMANENT_ERRORS.search(error):
            raise PubmedQueryError(f"esearch: {error}")
        raise _TransientAnswer(f"esearch error: {error}")
    count_text = root.findtext("Count")
    if count_text is None or not count_text.strip().isdigit():
        raise _TransientAnswer("esearch answer has no Count")
    count = int(count_text)
    try:
        pmids = tuple(int(text) for text in root.xpath("IdList/Id/text()"))
    except ValueError:
        raise _TransientAnswer("esearch answer has a non-numeric Id") from None
    if len(pmids) != min(count, retmax):
        # Short lists happen when the backend times out part of a search; a retry gets all.
        raise _TransientAnswer(f"esearch listed {len(pmids)} ids for Count {count}")
    webenv = (root.findtext("WebEnv") or "").strip()
    query_key = (root.findtext("QueryKey") or "").strip()
    if history and count and not (webenv and query_key):
        raise _TransientAnswer("esearch answer has no WebEnv/QueryKey")
    return _Esearch(count=count, pmids=pmids, webenv=webenv, query_key=query_key)


def _read_efetch(body: bytes, *, history: bool) -> list[PaperRecord | Deletion | RecordError]:
    """Parse an efetch answer whole; raise _TransientAnswer or _HistoryExpired on an error."""
    root = _root_tag(body)
    if root in ("eFetchResult", "ERROR"):
        message = _error_text(body)
        if history and _EXPIRED_HISTORY.search(message):
            raise _HistoryExpired(message)
        if re.search(r"empty id list|nothing todo", message, re.I):
            return []  # NCBI's answer when none of the ids asked for exists
        raise _TransientAnswer(f"efetch error: {message}")
    if root is not None and root != "PubmedArticleSet":
        raise _TransientAnswer(f"efetch answered <{root}>, not <PubmedArticleSet>")
    return list(parse_pubmed_xml(body))


class PubmedClient:
    """Search PubMed and fetch records in batches, within NCBI's rules (see the module doc)."""

    def __init__(self, config: PubmedConfig, *, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self._sleep = sleep
        # Every HTTP request sent, retries included, for a run's record of its cost.
        self.requests_made = 0
        self._route = _Route(
            base_url=config.base_url,
            timeout=config.timeout,
            limiter=config.limiter,
            limiter_key=config.limiter_key,
            rate=config.rate,
        )
        if not config.email:
            logger.warning("No NCBI_EMAIL: NCBI asks every E-utilities user for an address.")
        install_entrez_hooks()

    @classmethod
    def from_settings(cls) -> PubmedClient:
        """Build a client from Django settings (PUBMED_EUTILS_URL, NCBI_*, REDIS_URL, ...)."""
        from django.conf import settings

        config = PubmedConfig(
            base_url=getattr(settings, "PUBMED_EUTILS_URL", "") or NCBI_EUTILS_URL,
            email=getattr(settings, "NCBI_EMAIL", "") or "",
            api_key=getattr(settings, "NCBI_API_KEY", "") or "",
            timeout=float(getattr(settings, "PUBMED_TIMEOUT", 30.0)),
            batch_size=int(getattr(settings, "PUBMED_BATCH_SIZE", 500)),
            limiter=_shared_limiter(getattr(settings, "REDIS_URL", "") or ""),
        )
        return cls(config)

    # --- searching ---------------------------------------------------------------------

    def count(
        self,
        query: str,
        *,
        mindate: dt.date | None = None,
        maxdate: dt.date | None = None,
        datetype: str = "edat",
    ) -> int:
        """Return how many records match ``query`` (within the dates, when given)."""
        params = self._search_params(query, mindate, maxdate, datetype)
        answer = self._request(
            "esearch (count)",
            Entrez.esearch,
            {**params, "retmax": 0},
            lambda body: _read_esearch(body, retmax=0, history=False),
        )
        return answer.count

    def search(
        self,
        query: str,
        *,
        mindate: dt.date | None = None,
        maxdate: dt.date | None = None,
        datetype: str = "edat",
    ) -> list[SearchWindow]:
        """Search with the history server, split into date windows of at most ESEARCH_MAX hits.

        One esearch when the search fits (the common case: a refresh window with nothing new
        costs exactly one request). Otherwise the date range (``mindate``..``maxdate``, or
        1700-01-01 to the end of the year after next when not given) is bisected until every
        window fits; windows come back in date order, each PMID in exactly one of them.
        Raises SearchTooLarge when a single day still has more than ESEARCH_MAX hits, and
        ValueError for an empty query, an unknown ``datetype`` or ``mindate > maxdate``.
        """
        whole = self._search_window(query, mindate, maxdate, datetype)
        if whole.count <= ESEARCH_MAX:
            return [whole]
        low, high = _date_bounds(mindate, maxdate, dt.date.today())
        logger.info(
            "Search has %d hits, over esearch's %d: splitting %s..%s by %s.",
            whole.count,
            ESEARCH_MAX,
            low,
            high,
            datetype,
        )
        windows: list[SearchWindow] = []
        pending = list(reversed(self._halves(low, high, whole.count)))
        while pending:
            start, end = pending.pop()
            window = self._search_window(query, start, end, datetype)
            if window.count <= ESEARCH_MAX:
                if window.count:
                    windows.append(window)
            else:
                pending.extend(reversed(self._halves(start, end, window.count)))
        found = sum(window.count for window in windows)
        if found != whole.count:
            # PubMed changes while we search (new records, deletions), or records lie outside
            # the split range; the caller should know either way.
            logger.warning(
                "Date windows hold %d hits, the whole search %d (%s %s..%s).",
                found,
                whole.count,
                datetype,
                low,
                high,
            )
        return windows

    def _halves(
        self, low: dt.date, high: dt.date, count: int
    ) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
        if low >= high:
            raise SearchTooLarge(
                f"{count} hits on {low} alone: more than esearch's {ESEARCH_MAX}; narrow the query",
                day=low,
                count=count,
            )
        return _split(low, high)

    def _search_params(
        self, query: str, mindate: dt.date | None, maxdate: dt.date | None, datetype: str
    ) -> dict[str, Any]:
        if not query or not query.strip():
            raise ValueError("a PubMed query cannot be empty")
        if datetype not in DATETYPES:
            raise ValueError(f"datetype must be one of {', '.join(DATETYPES)}, not {datetype!r}")
        params: dict[str, Any] = {"db": "pubmed", "term": query}
        if mindate is not None or maxdate is not None:
            # NCBI ignores one bound without the other.
            low, high = _date_bounds(mindate, maxdate, dt.date.today())
            if low > high:
                raise ValueError(f"mindate {low} is after maxdate {high}")
            params.update(datetype=datetype, mindate=_ncbi_date(low), maxdate=_ncbi_date(high))
        return params

    def _search_window(
        self, query: str, mindate: dt.date | None, maxdate: dt.date | None, datetype: str
    ) -> SearchWindow:
        params = self._search_params(query, mindate, maxdate, datetype)
        if mindate is not None or maxdate is not None:
            mindate, maxdate = _date_bounds(mindate, maxdate, dt.date.today())
        label = f"esearch {datetype} {mindate}..{maxdate}" if mindate else "esearch"
        answer = self._request(
            label,
            Entrez.esearch,
            {**params, "usehistory": "y", "retstart": 0, "retmax": ESEARCH_MAX},
            lambda body: _read_esearch(body, retmax=ESEARCH_MAX, history=True),
        )
        return SearchWindow(
            mindate=mindate,
            maxdate=maxdate,
            datetype=datetype,
            count=answer.count,
            pmids=answer.pmids,
            webenv=answer.webenv,
            query_key=answer.query_key,
        )

    # --- fetching ----------------------------------------------------------------------

    def fetch(self, window: SearchWindow) -> Iterator[FetchBatch]:
        """Yield the window's records in batches of ``batch_size``, from the history server.

        Each batch is checked against the PMIDs the esearch listed for it: those missing are
        asked for once more by id, and what is still missing is reported in ``missing``. A
        record already yielded is never yielded again. When the history server has forgotten
        the window's WebEnv (NCBI keeps it for hours, not days), or a whole batch comes back
        empty, the rest of the window is fetched by id: the PMIDs are known, so nothing is
        lost and no new search can shift the batches.
        """
        seen: set[int] = set()
        use_history = bool(window.webenv and window.query_key)
        size = self.config.batch_size
        for start in range(0, len(window.pmids), size):
            expected = window.pmids[start : start + size]
            items: list[PaperRecord | Deletion | RecordError] | None = None
            if use_history:
                try:
                    items = self._request(
                        f"efetch history {start}+{len(expected)}",
                        Entrez.efetch,
                        {
                            "db": "pubmed",
                            "WebEnv": window.webenv,
                            "query_key": window.query_key,
                            "retstart": start,
                            "retmax": len(expected),
                            "retmode": "xml",
                            "rettype": "abstract",
                        },
                        lambda body: _read_efetch(body, history=True),
                        history=True,
                    )
                except _HistoryExpired as exc:
                    logger.warning("History session expired (%s); fetching by PMID.", exc)
                    use_history = False
                else:
                    if not _pmids_of(items).intersection(expected):
                        logger.warning(
                            "efetch from history gave none of %d PMIDs at %d; fetching by PMID.",
                            len(expected),
                            start,
                        )
                        use_history = False
            yield self._batch(expected, items or [], seen)

    def fetch_pmids(self, pmids: Iterable[int]) -> Iterator[FetchBatch]:
        """Yield the records of ``pmids`` (duplicates dropped) in batches, by id.

        PMIDs an answer leaves out are asked for once more, then reported in ``missing``.
        """
        unique: list[int] = []
        known: set[int] = set()
        for value in pmids:
            pmid = _as_pmid(value)
            if pmid not in known:
                known.add(pmid)
                unique.append(pmid)
        seen: set[int] = set()
        size = self.config.batch_size
        for start in range(0, len(unique), size):
            expected = tuple(unique[start : start + size])
            yield self._batch(expected, self._efetch_ids(expected), seen)

    def _efetch_ids(self, pmids: Sequence[int]) -> list[PaperRecord | Deletion | RecordError]:
        # Biopython POSTs once the id list is long (200 ids, or 1,000 characters of query).
        return self._request(
            f"efetch {len(pmids)} PMIDs",
            Entrez.efetch,
            {"db": "pubmed", "id": list(pmids), "retmode": "xml", "rettype": "abstract"},
            lambda body: _read_efetch(body, history=False),
        )

    def _batch(
        self,
        expected: Sequence[int],
        items: list[PaperRecord | Deletion | RecordError],
        seen: set[int],
    ) -> FetchBatch:
        records: list[PaperRecord] = []
        deletions: list[Deletion] = []
        errors: list[RecordError] = []

        def take(answer: list[PaperRecord | Deletion | RecordError]) -> None:
            for item in answer:
                if isinstance(item, Deletion):
                    deletions.append(item)
                    continue
                if item.pmid is not None and item.pmid in seen:
                    continue  # already yielded in this fetch (NCBI may repeat a record)
                if item.pmid is not None:
                    seen.add(item.pmid)
                (records if isinstance(item, PaperRecord) else errors).append(item)

        take(items)
        missing = [pmid for pmid in expected if pmid not in seen]
        if missing and items:
            logger.info("efetch left out %d PMIDs; asking for them by id.", len(missing))
        if missing:
            take(self._efetch_ids(missing))
            missing = [pmid for pmid in missing if pmid not in seen]
            if missing:
                logger.warning(
                    "PubMed returned no record for %d PMIDs: %s",
                    len(missing),
                    ", ".join(map(str, missing[:20])),
                )
        return FetchBatch(
            requested=tuple(expected),
            records=tuple(records),
            deletions=tuple(deletions),
            errors=tuple(errors),
            missing=tuple(missing),
        )

    # --- one request, retried ----------------------------------------------------------

    def _request(
        self,
        label: str,
        function: Callable[..., Any],
        params: dict[str, Any],
        read: Callable[[bytes], T],
        *,
        history: bool = False,
    ) -> T:
        """Call ``function`` (an ``Entrez`` function), read the whole answer and ``read`` it.

        Retries passing faults with backoff; raises PubmedHTTPError at once on another 4xx,
        PubmedUnavailable once ``max_attempts`` are spent. ``_HistoryExpired`` propagates.
        """
        config = self.config
        identity = {"tool": config.tool, "email": config.email or None}
        if config.api_key:
            identity["api_key"] = config.api_key
        for attempt in range(1, config.max_attempts + 1):
            retry_after: float | None = None
            status: int | None = None
            try:
                token = _route.set(self._route)
                self.requests_made += 1
                try:
                    handle = function(**params, **identity)
                finally:
                    _route.reset(token)
                try:
                    body = handle.read()
                finally:
                    handle.close()
                if isinstance(body, str):  # Biopython wraps text/plain answers in a text reader
                    body = body.encode("utf-8")
                return read(body)
            except HTTPError as exc:
                status = exc.code
                detail = _http_error_body(exc)
                if exc.code != 429 and exc.code < 500:
                    if history and _EXPIRED_HISTORY.search(detail):
                        raise _HistoryExpired(detail) from None
                    raise PubmedHTTPError(
                        f"{label}: HTTP {exc.code} {exc.reason}"
                        + (f": {detail[:200]}" if detail else ""),
                        status=exc.code,
                    ) from None
                retry_after = _retry_after(exc.headers)
                cause = _describe(exc)
            except (
                URLError,
                TimeoutError,
                ConnectionError,
                ssl.SSLError,
                http.client.HTTPException,
                MalformedSourceError,
                _TransientAnswer,
            ) as exc:
                cause = _describe(exc)
            if attempt == config.max_attempts:
                raise PubmedUnavailable(
                    f"{label} failed {attempt} times; last: {cause}",
                    attempts=attempt,
                    status=status,
                )
            delay = self._backoff(attempt, retry_after)
            logger.warning(
                "%s: attempt %d/%d failed (%s); retrying in %.2f s.",
                label,
                attempt,
                config.max_attempts,
                cause,
                delay,
            )
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Return the pause after failed ``attempt``: full jitter, at least ``Retry-After``."""
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        delay = random.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.config.backoff_max))
        return delay


def _http_error_body(exc: HTTPError) -> str:
    try:
        raw = exc.read(2048) or b""
    except (OSError, http.client.HTTPException):
        raw = b""
    finally:
        exc.close()
    return " ".join(raw.decode("utf-8", "replace").split())


def _pmids_of(items: Iterable[PaperRecord | Deletion | RecordError]) -> set[int]:
    return {item.pmid for item in items if not isinstance(item, Deletion) and item.pmid}


def _as_pmid(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a PMID: {value!r}")
    try:
        pmid = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValueError(f"not a PMID: {value!r}") from None
    if pmid <= 0:
        raise ValueError(f"not a PMID: {value!r}")
    return pmid


_limiters: dict[str, RateLimiter] = {}


def _shared_limiter(redis_url: str) -> RateLimiter:
    """Return one limiter per Redis URL for the process, so clients share its connection pool."""
    with _install_lock:
        if redis_url not in _limiters:
            _limiters[redis_url] = limiter_from_url(redis_url or None)
        return _limiters[redis_url]
