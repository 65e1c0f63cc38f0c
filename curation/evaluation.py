"""Measure the tagger against labelled abstracts (files shaped like ``dev.jsonl``).

Pure: reads a JSON-lines file, tags each title + abstract with ``curation.tagger`` and
computes the numbers; no Django, no database.

Definitions:

- Gold relevance: an item is relevant when it has labels, or when its ``relevance`` is
  "positive" or "borderline" (the labelling README gives borderline items, such as PCOS or
  ovarian ageing studies, their mechanism labels, so the tagger should treat them as
  relevant). Without a ``relevance`` field, having labels decides.
- Per mechanism: precision, recall and F1 over items; support is the number of items with
  the label. A ratio whose denominator is zero is 1.0 when there was nothing to find and
  nothing was found, else 0.0, so a mechanism absent from both gold and predictions does
  not drag the macro average down.
- Micro F1 pools every (item, mechanism) decision; macro F1 averages the per-mechanism F1.
- Evidence precision: the share of all predicted evidence sentences (every predicted
  mechanism, title evidence included) that are among the labelled ``evidence`` sentences
  of the same mechanism, compared after collapsing whitespace.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curation import tagger

RELEVANT_GRADES = frozenset({"positive", "borderline"})
KNOWN_GRADES = RELEVANT_GRADES | {"negative"}


class EvaluationError(ValueError):
    """The labelled file is missing or one of its lines is not a usable item."""


@dataclass(frozen=True, slots=True)
class LabelledItem:
    id: str
    title: str
    abstract: str
    labels: frozenset[str]
    relevant: bool
    evidence: dict[str, frozenset[str]]  # slug -> whitespace-normalised sentences


@dataclass(frozen=True, slots=True)
class Prediction:
    id: str
    relevant: bool
    labels: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class MechanismScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Report:
    mechanisms: dict[str, MechanismScore]
    micro_f1: float
    macro_f1: float
    relevance_accuracy: float
    evidence_precision: float
    predictions: tuple[Prediction, ...] = field(default=())

    def as_dict(self) -> dict:
        """Return the report in the shape ``evaluate_tagger --json`` prints."""
        return {
            "mechanisms": {
                slug: {
                    "precision": score.precision,
                    "recall": score.recall,
                    "f1": score.f1,
                    "support": score.support,
                }
                for slug, score in self.mechanisms.items()
            },
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "relevance_accuracy": self.relevance_accuracy,
            "evidence_precision": self.evidence_precision,
            "predictions": [
                {
                    "id": p.id,
                    "relevant": p.relevant,
                    "labels": list(p.labels),
                    "evidence": {slug: list(sentences) for slug, sentences in p.evidence.items()},
                }
                for p in self.predictions
            ],
        }


def normalise_sentence(text: str) -> str:
    """Collapse runs of whitespace and strip the ends, for comparing sentences."""
    return " ".join(text.split())


def _ratio(numerator: int, denominator: int, *, empty: float) -> float:
    return numerator / denominator if denominator else empty


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _text_field(raw: dict, name: str, line_number: int, *, required: bool) -> str:
    value = raw.get(name)
    if value is None:
        if required:
            raise EvaluationError(f"line {line_number}: missing {name!r}")
        return ""
    if not isinstance(value, str):
        raise EvaluationError(f"line {line_number}: {name!r} must be a string")
    return value


def _item(raw: object, line_number: int) -> LabelledItem:
    if not isinstance(raw, dict):
        raise EvaluationError(f"line {line_number}: expected a JSON object")
    abstract = _text_field(raw, "abstract", line_number, required=True)
    title = _text_field(raw, "title", line_number, required=False)
    labels = raw.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise EvaluationError(f"line {line_number}: 'labels' must be a list of slugs")
    unknown = sorted(set(labels) - set(tagger.MECHANISMS))
    if unknown:
        raise EvaluationError(
            f"line {line_number}: unknown mechanism {', '.join(unknown)} "
            f"(known: {', '.join(tagger.MECHANISMS)})"
        )
    grade = raw.get("relevance")
    if grade is not None and grade not in KNOWN_GRADES:
        raise EvaluationError(
            f"line {line_number}: 'relevance' must be one of {', '.join(sorted(KNOWN_GRADES))}"
        )
    evidence_raw = raw.get("evidence") or {}
    if not isinstance(evidence_raw, dict) or not all(
        isinstance(sentences, list) and all(isinstance(s, str) for s in sentences)
        for sentences in evidence_raw.values()
    ):
        raise EvaluationError(f"line {line_number}: 'evidence' must map slugs to sentence lists")
    item_id = raw.get("id")
    return LabelledItem(
        id=str(item_id) if item_id is not None else f"line {line_number}",
        title=title,
        abstract=abstract,
        labels=frozenset(labels),
        relevant=bool(labels) or grade in RELEVANT_GRADES,
        evidence={
            slug: frozenset(normalise_sentence(s) for s in sentences)
            for slug, sentences in evidence_raw.items()
        },
    )


def read_items(path: str | Path) -> Iterator[LabelledItem]:
    """Yield the labelled items of a JSON-lines file; blank lines are skipped.

    Raise ``EvaluationError`` naming the file when it cannot be read, and the line number
    when a line is not JSON or lacks what an item needs.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise EvaluationError(f"{path}: no such file") from None
    except OSError as error:
        raise EvaluationError(f"{path}: cannot read ({error.strerror})") from None
    with handle:
        line_number = 0
        try:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as error:
                    message = f"line {line_number}: not valid JSON ({error.msg})"
                    raise EvaluationError(message) from None
                yield _item(raw, line_number)
        except UnicodeDecodeError:
            raise EvaluationError(f"{path}, line {line_number + 1}: not UTF-8 text") from None
        except EvaluationError as error:
            raise EvaluationError(f"{path}, {error}") from None


def predict(item: LabelledItem) -> Prediction:
    """Tag one item's title and abstract."""
    result = tagger.tag(title=item.title, abstract=item.abstract)
    return Prediction(
        id=item.id,
        relevant=result.relevant,
        labels=result.labels(),
        evidence={hit.slug: tuple(e.sentence for e in hit.evidence) for hit in result.mechanisms},
    )


def evaluate(items: Iterable[LabelledItem]) -> Report:
    """Tag every item and score the predictions against the labels."""
    items = list(items)
    predictions = tuple(predict(item) for item in items)
    return score(items, predictions)


def score(items: list[LabelledItem], predictions: tuple[Prediction, ...]) -> Report:
    """Compute the report for predictions made on ``items`` (same order)."""
    if len(items) != len(predictions):
        raise ValueError("one prediction per item is needed")
    mechanisms = {}
    total_tp = total_fp = total_fn = 0
    for slug in tagger.MECHANISMS:
        tp = fp = fn = 0
        for item, prediction in zip(items, predictions, strict=True):
            gold = slug in item.labels
            predicted = slug in prediction.labels
            tp += gold and predicted
            fp += predicted and not gold
            fn += gold and not predicted
        nothing_to_find = tp + fp + fn == 0
        precision = _ratio(tp, tp + fp, empty=1.0 if nothing_to_find else 0.0)
        recall = _ratio(tp, tp + fn, empty=1.0 if nothing_to_find else 0.0)
        mechanisms[slug] = MechanismScore(
            precision=round(precision, 4),
            recall=round(recall, 4),
            f1=round(1.0 if nothing_to_find else _f1(precision, recall), 4),
            support=tp + fn,
        )
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
    nothing = total_tp + total_fp + total_fn == 0
    micro_precision = _ratio(total_tp, total_tp + total_fp, empty=1.0 if nothing else 0.0)
    micro_recall = _ratio(total_tp, total_tp + total_fn, empty=1.0 if nothing else 0.0)
    micro_f1 = 1.0 if nothing else _f1(micro_precision, micro_recall)
    macro_f1 = sum(score.f1 for score in mechanisms.values()) / len(mechanisms)

    correct_relevance = sum(
        item.relevant == prediction.relevant
        for item, prediction in zip(items, predictions, strict=True)
    )
    predicted_sentences = matched = 0
    for item, prediction in zip(items, predictions, strict=True):
        for slug, sentences in prediction.evidence.items():
            gold = item.evidence.get(slug, frozenset())
            for sentence in sentences:
                predicted_sentences += 1
                matched += normalise_sentence(sentence) in gold
    has_gold_evidence = any(item.evidence for item in items)
    return Report(
        mechanisms=mechanisms,
        micro_f1=round(micro_f1, 4),
        macro_f1=round(macro_f1, 4),
        relevance_accuracy=round(_ratio(correct_relevance, len(items), empty=0.0), 4),
        evidence_precision=round(
            _ratio(matched, predicted_sentences, empty=0.0 if has_gold_evidence else 1.0), 4
        ),
        predictions=predictions,
    )


def evaluate_file(path: str | Path) -> Report:
    """Read a labelled JSON-lines file and evaluate the tagger on it."""
    return evaluate(read_items(path))


def format_report(report: Report) -> str:
    """Return the report as a plain-text table for the terminal."""
    lines = [f"{'mechanism':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for slug, score in report.mechanisms.items():
        lines.append(
            f"{slug:<20} {score.precision:>9.3f} {score.recall:>7.3f} {score.f1:>6.3f} "
            f"{score.support:>8}"
        )
    lines += [
        "",
        f"micro F1             {report.micro_f1:.3f}",
        f"macro F1             {report.macro_f1:.3f}",
        f"relevance accuracy   {report.relevance_accuracy:.3f} ({len(report.predictions)} items)",
        f"evidence precision   {report.evidence_precision:.3f}",
        f"tagger version       {tagger.TAGGER_VERSION}",
    ]
    return "\n".join(lines)
