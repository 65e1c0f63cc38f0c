"""Measure how fast ``curation.parser`` reads PubMed XML, and how much memory it needs.

Run from the repository root::

    .venv/bin/python bench/parse_speed.py                 # 12,000 records per file
    .venv/bin/python bench/parse_speed.py --records 50000 --no-entrez

It builds ``PubmedArticleSet`` files in a temporary directory from the real records under
``tests/fixtures/pubmed/``, repeated with PMIDs rewritten to be unique:

- "mixed": every fixture record in turn (the 604 ``MedlineCitation``\\ s of the 2016 update
  file wrapped as ``PubmedArticle``, then the 136 efetch ``PubmedArticle``\\ s),
- "2016 citations": only the 604 MEDLINE citations (about 6 KiB each, no references),
- "efetch articles": only the 136 efetch records (about 27 KiB each, most with a
  ``ReferenceList``, as a ``pubmed_sync`` of recent papers fetches them),

then times, each in a fresh interpreter so peak RSS belongs to that step alone:

- ``parse_file`` on each file, and on a quarter of the mixed one (same peak RSS for a
  quarter of the records = memory does not grow with the file),
- the floor any lxml parser pays: ``iterparse`` + ``tostring`` of each record (the
  ``source`` field) + clearing, with no field read,
- ``Bio.Entrez.read`` on the mixed file for comparison: it builds the whole answer in
  memory; it needs the DOCTYPE, which names a DTD Biopython bundles.

Sockets are disabled in every child so a DTD download attempt fails instead of reaching
the network.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pubmed"
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
PLACEHOLDER = "987654321987"

CHILD_PRELUDE = """
import json, resource, socket, sys, time
sys.path.insert(0, {root!r})

def peak_kib():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def _no_network(*args, **kwargs):
    raise OSError("network disabled by bench/parse_speed.py")

socket.socket.connect = _no_network
socket.create_connection = _no_network
"""

PARSER_CHILD = """
from curation.parser import parse_file
from curation.records import PaperRecord
started = time.perf_counter()
records = sum(isinstance(item, PaperRecord) for item in parse_file({path!r}))
elapsed = time.perf_counter() - started
print(json.dumps({{"records": records, "seconds": elapsed, "peak_kib": peak_kib()}}))
"""

FLOOR_CHILD = """
from lxml import etree
started = time.perf_counter()
records = 0
for _event, element in etree.iterparse(
    {path!r}, events=("end",), tag="PubmedArticle",
    resolve_entities=False, no_network=True, load_dtd=False,
):
    etree.tostring(element, encoding="unicode", with_tail=False)
    records += 1
    element.clear(keep_tail=True)
    while element.getprevious() is not None:
        del element.getparent()[0]
elapsed = time.perf_counter() - started
print(json.dumps({{"records": records, "seconds": elapsed, "peak_kib": peak_kib()}}))
"""

ENTREZ_CHILD = """
from Bio import Entrez
started = time.perf_counter()
with open({path!r}, "rb") as handle:
    answer = Entrez.read(handle, validate=False)
records = len(answer["PubmedArticle"])
elapsed = time.perf_counter() - started
print(json.dumps({{"records": records, "seconds": elapsed, "peak_kib": peak_kib()}}))
"""


def record_templates() -> dict[str, list[str]]:
    """Return the fixture records as ``<PubmedArticle>`` strings with a PMID placeholder.

    Keyed by kind: "2016 citations" and "efetch articles".
    """
    from lxml import etree

    templates: dict[str, list[str]] = {"2016 citations": [], "efetch articles": []}
    for path in sorted(FIXTURES.rglob("*.xml*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            tree = etree.parse(handle, etree.XMLParser(load_dtd=False, no_network=True))
        root = tree.getroot()
        if root.tag == "PubmedArticleSet":
            kind = "efetch articles"
            articles = root.findall("PubmedArticle")
        elif root.tag == "MedlineCitationSet":
            kind = "2016 citations"
            articles = []
            for citation in root.findall("MedlineCitation"):
                article = etree.Element("PubmedArticle")
                article.append(citation)
                articles.append(article)
        else:
            continue  # esearch answers
        for article in articles:
            article.find("MedlineCitation/PMID").text = PLACEHOLDER
            templates[kind].append(etree.tostring(article, encoding="unicode", with_tail=False))
    return templates


def build_file(path: Path, templates: list[str], records: int) -> int:
    """Write ``records`` PubmedArticles with unique PMIDs to ``path``; return its size."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" ?>\n{DOCTYPE}\n<PubmedArticleSet>\n')
        for number in range(records):
            template = templates[number % len(templates)]
            out.write(template.replace(PLACEHOLDER, str(90_000_000 + number), 1))
            out.write("\n")
        out.write("</PubmedArticleSet>\n")
    return path.stat().st_size


def run_child(code: str, path: Path) -> dict:
    """Run ``code`` in a fresh interpreter and return the dict it prints."""
    script = CHILD_PRELUDE.format(root=str(ROOT)) + code.format(path=str(path))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(name: str, result: dict, size: int) -> None:
    if "error" in result:
        print(f"{name:<44} failed: {result['error']}")
        return
    rate = result["records"] / result["seconds"]
    print(
        f"{name:<44} {result['records']:>7} rec {result['seconds']:6.2f} s "
        f"{rate:>7,.0f} rec/s {size / 1e6 / result['seconds']:5.1f} MB/s "
        f"peak RSS {result['peak_kib'] / 1024:6.1f} MiB"
    )


def main() -> None:
    """Build the benchmark files, run each measurement in its own process, print a table."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--records", type=int, default=12_000, help="records per file")
    options.add_argument("--no-entrez", action="store_true", help="skip Bio.Entrez.read")
    arguments = options.parse_args()
    count = arguments.records

    templates = record_templates()
    kinds = {
        "mixed": templates["2016 citations"] + templates["efetch articles"],
        **templates,
    }
    with tempfile.TemporaryDirectory() as directory:
        plan = [(kind, records, count) for kind, records in kinds.items()]
        plan.append(("mixed, a quarter", kinds["mixed"], count // 4))
        files: dict[str, tuple[Path, int]] = {}
        for kind, records, number in plan:
            path = Path(directory) / f"{kind.replace(' ', '_').replace(',', '')}.xml"
            size = build_file(path, records, number)
            files[kind] = (path, size)
            print(f"{kind:<18} {number:>7} records {size / 1e6:7.1f} MB")

        for kind, (path, size) in files.items():
            report(f"parse_file, {kind}", run_child(PARSER_CHILD, path), size)
        for kind in kinds:
            path, size = files[kind]
            report(f"lxml floor (parse+source), {kind}", run_child(FLOOR_CHILD, path), size)
        if not arguments.no_entrez:
            path, size = files["mixed"]
            report("Bio.Entrez.read, mixed", run_child(ENTREZ_CHILD, path), size)


if __name__ == "__main__":
    main()
