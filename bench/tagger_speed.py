"""Measure the tagger's throughput in abstracts per second on one core.

Run from the repository root::

    .venv/bin/python bench/tagger_speed.py [--file PATH ...] [--count 2000] [--rounds 3]

The abstracts are the labelled development set (``/work/shared/data/abstracts/dev.jsonl``
by default; it is read at run time, never copied into the repository) or, where it is
absent, the synthetic held-out sets in ``tests/fixtures/abstracts/``; ``--file`` may be
given several times. They are repeated until ``--count`` abstracts are tagged per round.
One warm-up round is left out. Each round reports wall-clock and CPU (process) time; the
CPU figure is the one-core throughput and is what the target (at least 200 abstracts/s)
is judged on, since wall-clock time also counts whatever else the machine is doing.
Exits with status 1 when the best CPU throughput is below ``--target``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Run as a script from anywhere: the repository root must be importable first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curation import tagger

DEV_SET = Path("/work/shared/data/abstracts/dev.jsonl")
SYNTHETIC_SETS = sorted(
    (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "abstracts").glob("*.jsonl")
)
TARGET = 200.0


def _abstracts(path: Path) -> list[tuple[str, str]]:
    pairs = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                item = json.loads(line)
                pairs.append((item.get("title") or "", item.get("abstract") or ""))
    return pairs


def _round(papers: list[tuple[str, str]]) -> tuple[float, float]:
    """Tag every paper once; return (wall seconds, CPU seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for title, abstract in papers:
        tagger.tag(title=title, abstract=abstract)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--file",
        type=Path,
        action="append",
        help="abstracts (.jsonl); repeat for several files (default: the development set)",
    )
    parser.add_argument("--count", type=int, default=2000, help="abstracts per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds")
    parser.add_argument("--target", type=float, default=TARGET, help="abstracts/s to reach")
    options = parser.parse_args()

    if options.count < 1 or options.rounds < 1:
        parser.error("--count and --rounds must be at least 1")
    files = options.file or ([DEV_SET] if DEV_SET.is_file() else SYNTHETIC_SETS)
    base = []
    for path in files:
        if not path.is_file():
            print(f"{path}: no such file (the development set is read at run time)")
            return 2
        base += _abstracts(path)
    if not base:
        print(f"{', '.join(map(str, files))}: no abstracts")
        return 2
    papers = (base * (options.count // len(base) + 1))[: options.count]
    characters = sum(len(title) + len(abstract) for title, abstract in papers) / len(papers)
    print(
        f"tagger {tagger.TAGGER_VERSION}: {len(papers)} abstracts per round "
        f"({len(base)} distinct, {characters:.0f} characters on average)"
    )

    _round(papers[: len(base)])  # warm-up: compiled-pattern and abbreviation caches
    best = 0.0
    for number in range(1, options.rounds + 1):
        wall, cpu = _round(papers)
        rate = len(papers) / cpu if cpu else float("inf")
        best = max(best, rate)
        print(
            f"round {number}: {len(papers) / wall:8.1f} abstracts/s wall, "
            f"{rate:8.1f} abstracts/s CPU ({1000 * cpu / len(papers):.2f} ms each)"
        )
    verdict = "meets" if best >= options.target else "MISSES"
    print(f"best: {best:.1f} abstracts/s on one core; {verdict} the target of {options.target:.0f}")
    return 0 if best >= options.target else 1


if __name__ == "__main__":
    sys.exit(main())
