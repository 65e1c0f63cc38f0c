"""Time every citation export on a 1,000-paper list and report its peak memory.

Run: ``.venv/bin/python -m bench.citations_speed [--papers 1000]`` from the repository
root. The papers are copies of the eight real records in tests/curation/test_citations.py
with distinct PMIDs, each with a note, two keywords and a URL as the API would pass.
Times are taken without tracing; peak memory is what tracemalloc sees while the document
is consumed chunk by chunk without being joined, i.e. what a streaming response holds.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator

from curation import citations
from curation.records import PaperRecord
from tests.curation.test_citations import REAL_RECORDS

Document = Callable[[Iterable[tuple[PaperRecord, citations.Extras | None]]], Iterator[str]]


def _papers(count: int) -> list[tuple[PaperRecord, citations.Extras]]:
    extras = citations.Extras(
        notes=("Curator: granulosa-cell apoptosis fell after exosome treatment.",),
        keywords=("mechanism: exosomes", "mechanism: anti-apoptosis"),
        url="https://pof-lit.example.org/papers/1/",
    )
    return [
        (dataclasses.replace(REAL_RECORDS[i % len(REAL_RECORDS)], pmid=40_000_000 + i), extras)
        for i in range(count)
    ]


def _measure(document: Document, papers: list) -> tuple[float, int, float]:
    """Return (seconds, bytes written, peak MiB) for one streamed export."""
    started = time.perf_counter()
    size = sum(len(chunk.encode()) for chunk in document(papers))
    elapsed = time.perf_counter() - started
    # A second pass under tracemalloc, which slows the code it watches several times over.
    tracemalloc.start()
    for _chunk in document(papers):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak / 2**20


def main() -> None:
    """Print one line per format: time, output size, time per paper, peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    args = parser.parse_args()
    papers = _papers(args.papers)
    documents: dict[str, Document] = {
        "ris": citations.ris_document,
        "bibtex": citations.bibtex_document,
        "csl-json": citations.csl_json_document,
        "medline": citations.medline_document,
    }
    for name, document in documents.items():
        elapsed, size, peak = _measure(document, papers)
        print(
            f"{name:9} {args.papers} papers: {elapsed * 1000:7.1f} ms, "
            f"{size / 2**20:5.2f} MiB out, {elapsed / args.papers * 1e6:6.0f} µs/paper, "
            f"peak {peak:5.2f} MiB"
        )
    started = time.perf_counter()
    for record, _ in papers:
        citations.cite_all(record)
    elapsed = time.perf_counter() - started
    print(f"cite_all  {args.papers} papers: {elapsed * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
