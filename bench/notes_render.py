"""Time the notes pipeline (render + sanitize) on realistic 300-character notes.

Run from the repository root::

    .venv/bin/python bench/notes_render.py [--rounds 2000]

Each note uses every syntax item the notes box supports (emphasis, underline, bold,
sup/sub, both list kinds, a link, an image, both footnote forms) and is 300 code points
long, the most a note may hold. The first render in a thread builds that thread's Markdown
instance and Cleaner; it is timed separately as "cold" and left out of the statistics.
The target is a median under 2,500 µs for render + sanitize.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notes.render import MAX_NOTE_LENGTH, note_length, render_note, sanitize_html

TARGET_MEDIAN_US = 2500

NOTES = (
    "*Phase I* UC-MSC trial in _POI_: **AMH** up, FSH down; hsa_circ_0002021 & E<sub>2</sub> "
    "x10<sup>6</sup> cells.\n1. dose[^1](two infusions, 4 weeks apart)\n2. follow-up\n"
    "- menses resumed[^2]\n[PubMed](https://pubmed.ncbi.nlm.nih.gov/) "
    '![AMH](https://example.org/amh.png "AMH curve")\n\n[^2]: 3 of 12 women',
    "Exosomes (*miR-21*, _miR_144_5p_) cut **granulosa** apoptosis; Ca<sup>2+</sup> and "
    "O<sub>2</sub> noted.\nModels:\n- cisplatin mice[^1]\n* VCD rats\n1. ovary weight[^2](n = 8 "
    "(4 per arm))\n[paper](https://doi.org/10.1000/xyz123) ![fig](https://example.org/f.png "
    '"Fig 2")\n\n[^1]: 5 mg/kg i.p.',
    "BM vs AD-MSC: **same** E<sub>2</sub> rise at 10<sup>6</sup>, *faster* FSH drop (_AD_). "
    "Sirt1/p53 axis[^a](see Table 3) & TGF_beta_1 down.\n- PI3K/AKT\n- Hippo/YAP[^b]\n"
    "1. ovulation[^c](returned by day 28)\n[trial](https://clinicaltrials.gov/) "
    '![h&e](https://example.org/he.jpg "H&E")\n\n[^b]: YAP nuclear',
)


def pad_to_limit(note: str) -> str:
    """Pad a note's first line to exactly MAX_NOTE_LENGTH code points."""
    missing = MAX_NOTE_LENGTH - note_length(note)
    if missing < 0:
        raise ValueError(f"benchmark note is {-missing} characters too long: {note[:40]!r}")
    first, rest = note.split("\n", 1)
    return f"{first}{' ' + 'x' * (missing - 1) if missing else ''}\n{rest}"


def percentile(samples: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(notes: list[str], rounds: int) -> tuple[float, list[float], list[float]]:
    """Return (cold µs, render+sanitize µs samples, sanitize-again µs samples)."""
    start = time.perf_counter()
    render_note(notes[0], namespace="cold")
    cold = (time.perf_counter() - start) * 1e6
    renders: list[float] = []
    resanitize: list[float] = []
    for index in range(rounds):
        body = notes[index % len(notes)]
        start = time.perf_counter()
        html = render_note(body, namespace=f"n{index}").html
        middle = time.perf_counter()
        sanitize_html(html)
        end = time.perf_counter()
        renders.append((middle - start) * 1e6)
        resanitize.append((end - middle) * 1e6)
    return cold, renders, resanitize


def main() -> int:
    """Run the benchmark and print median and p99; exit 1 if the median misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="renders to time")
    args = parser.parse_args()

    notes = [pad_to_limit(note) for note in NOTES]
    # Every note must use the whole syntax; a typo here would flatter the numbers.
    for note in notes:
        html = render_note(note, namespace="check").html
        for tag in ("<em>", "<u>", "<strong>", "<sup>", "<sub>", "<ol", "<ul>", "<a href",
                    "<img", 'class="footnote"'):  # fmt: skip
            if tag not in html:
                raise SystemExit(f"benchmark note renders no {tag}: {note[:40]!r}")

    # A fresh thread gets a fresh pipeline, so the cold start is really cold.
    result: dict[str, object] = {}
    worker = threading.Thread(target=lambda: result.update(run=measure(notes, args.rounds)))
    worker.start()
    worker.join()
    cold, renders, resanitize = result["run"]  # type: ignore[misc]

    median = statistics.median(renders)
    rows = (
        ("render_note (markdown + sanitize)", renders),
        ("sanitize_html of its output again", resanitize),
    )
    print(f"{len(notes)} notes of {MAX_NOTE_LENGTH} code points, {args.rounds} renders")
    print(f"  {'cold first render_note (builds Markdown + Cleaner)':52} {cold:6.0f} µs")
    for label, samples in rows:
        print(
            f"  {label:34} median {statistics.median(samples):6.0f} µs"
            f"   p99 {percentile(samples, 0.99):6.0f} µs"
        )
    verdict = "meets" if median < TARGET_MEDIAN_US else "MISSES"
    print(f"  {verdict} the {TARGET_MEDIAN_US} µs median target")
    return 0 if median < TARGET_MEDIAN_US else 1


if __name__ == "__main__":
    raise SystemExit(main())
