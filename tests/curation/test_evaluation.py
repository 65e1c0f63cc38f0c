"""Tests for the tagger evaluation (pure module) and its ``evaluate_tagger`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curation import evaluation
from curation.evaluation import EvaluationError, LabelledItem, Prediction

DEV_SET = Path("/work/shared/data/abstracts/dev.jsonl")

needs_dev_set = pytest.mark.skipif(
    not DEV_SET.is_file(),
    reason=f"{DEV_SET} is not here (the labelled development set is read at run time)",
)

# Written for these tests: two positives, a borderline PCOS study and a negative.
SYNTHETIC_LINES = [
    {
        "id": "S1",
        "title": "Exosomes from umbilical cord MSCs protect granulosa cells",
        "abstract": "Premature ovarian failure (POF) follows chemotherapy. Here we injected "
        "exosomes from hUC-MSCs into cyclophosphamide-treated mice. The exosomes reduced "
        "granulosa cell apoptosis.",
        "relevance": "positive",
        "labels": ["exosomes", "anti_apoptosis"],
        "evidence": {
            "exosomes": [
                "Here we injected exosomes from hUC-MSCs into   cyclophosphamide-treated mice."
            ],
            "anti_apoptosis": ["The exosomes reduced granulosa cell apoptosis."],
        },
    },
    {
        "id": "S2",
        "title": None,
        "abstract": "We transplanted BMSCs into rats with premature ovarian insufficiency. "
        "GFP-labelled BMSCs homed to the granulosa layer of follicles and co-expressed FSHR "
        "and AMH.",
        "relevance": "positive",
        "labels": ["gc_differentiation"],
        "evidence": {},
    },
    {
        "id": "S3",
        "title": "hUC-MSCs in PCOS mice",
        "abstract": "Polycystic ovary syndrome (PCOS) involves chronic inflammation. hUC-MSCs "
        "increased regulatory T cells and lowered ovarian TNF-alpha in DHEA-induced PCOS mice.",
        "relevance": "borderline",
        "labels": ["immune_regulation"],
        "evidence": {},
    },
    {
        "id": "S4",
        "title": "Hormone therapy in premature ovarian insufficiency",
        "abstract": "Hormone replacement relieves the symptoms of premature ovarian "
        "insufficiency and protects bone.",
        "relevance": "negative",
        "labels": [],
        "evidence": {},
    },
]


def _write(path: Path, lines: list) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return path


def _item(item_id: str, labels=(), relevant=True, evidence=None) -> LabelledItem:
    return LabelledItem(
        id=item_id,
        title="",
        abstract="",
        labels=frozenset(labels),
        relevant=relevant,
        evidence={
            slug: frozenset(evaluation.normalise_sentence(s) for s in sentences)
            for slug, sentences in (evidence or {}).items()
        },
    )


def _prediction(item_id: str, labels=(), relevant=True, evidence=None) -> Prediction:
    return Prediction(id=item_id, relevant=relevant, labels=tuple(labels), evidence=evidence or {})


# --- Metric arithmetic ----------------------------------------------------------------------


def test_it_computes_precision_recall_f1_and_support_per_mechanism():
    items = [
        _item("a", ["exosomes", "anti_apoptosis"]),
        _item("b", ["exosomes"]),
        _item("c", ["immune_regulation"]),
        _item("d", [], relevant=False),
    ]
    predictions = (
        _prediction("a", ["exosomes"]),
        _prediction("b", ["exosomes", "anti_apoptosis"]),
        _prediction("c", ["immune_regulation", "exosomes"]),
        _prediction("d", ["exosomes"], relevant=True),
    )
    report = evaluation.score(items, predictions)
    exosomes = report.mechanisms["exosomes"]
    assert (exosomes.precision, exosomes.recall, exosomes.support) == (0.5, 1.0, 2)
    assert exosomes.f1 == pytest.approx(2 / 3, abs=1e-4)
    apoptosis = report.mechanisms["anti_apoptosis"]
    assert (apoptosis.precision, apoptosis.recall, apoptosis.f1, apoptosis.support) == (
        0.0,
        0.0,
        0.0,
        1,
    )
    immune = report.mechanisms["immune_regulation"]
    assert (immune.precision, immune.recall, immune.f1, immune.support) == (1.0, 1.0, 1.0, 1)
    # Nothing to find and nothing found: perfect, so the macro average is not dragged down.
    gc = report.mechanisms["gc_differentiation"]
    assert (gc.precision, gc.recall, gc.f1, gc.support) == (1.0, 1.0, 1.0, 0)
    # Pooled: tp 3 (exosomes a, b; immune c), fp 3, fn 1.
    assert report.micro_f1 == pytest.approx(2 * 3 / (2 * 3 + 3 + 1), abs=1e-4)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0 + 1 + 1) / 4, abs=1e-4)
    assert report.relevance_accuracy == 0.75


def test_evidence_precision_counts_predicted_sentences_found_among_the_labelled_ones():
    items = [
        _item("a", ["exosomes"], evidence={"exosomes": ["Exosomes  were\nisolated."]}),
        _item("b", ["anti_apoptosis"], evidence={"anti_apoptosis": ["Apoptosis fell."]}),
    ]
    predictions = (
        _prediction(
            "a",
            ["exosomes", "anti_apoptosis"],
            evidence={
                "exosomes": ("Exosomes were isolated.", "Another sentence."),
                "anti_apoptosis": ("Exosomes were isolated.",),  # right sentence, wrong label
            },
        ),
        _prediction("b", ["anti_apoptosis"], evidence={"anti_apoptosis": (" Apoptosis fell. ",)}),
    )
    report = evaluation.score(items, predictions)
    assert report.evidence_precision == 0.5  # 2 of 4 predicted sentences


def test_evidence_precision_is_zero_when_nothing_is_predicted_against_labelled_evidence():
    items = [_item("a", ["exosomes"], evidence={"exosomes": ["Exosomes were isolated."]})]
    assert evaluation.score(items, (_prediction("a"),)).evidence_precision == 0.0


def test_it_needs_one_prediction_per_item():
    with pytest.raises(ValueError, match="one prediction per item"):
        evaluation.score([_item("a")], ())


# --- Reading files ------------------------------------------------------------------------


def test_it_reads_items_and_decides_gold_relevance(tmp_path):
    lines = [
        *SYNTHETIC_LINES,
        {"id": "S5", "abstract": "Text.", "labels": ["exosomes"]},  # no grade: labels decide
        {"abstract": "Text.", "relevance": "borderline"},  # no id, no labels
        "",
    ]
    items = list(evaluation.read_items(_write(tmp_path / "set.jsonl", lines)))
    assert [item.id for item in items] == ["S1", "S2", "S3", "S4", "S5", "line 6"]
    assert [item.relevant for item in items] == [True, True, True, False, True, True]
    assert items[1].title == ""
    assert items[0].evidence["exosomes"] == frozenset(
        {"Here we injected exosomes from hUC-MSCs into cyclophosphamide-treated mice."}
    )


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(EvaluationError, match="no such file"):
        list(evaluation.read_items(tmp_path / "absent.jsonl"))


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        ('{"id": "x", "labels": []}', "line 2: missing 'abstract'"),
        ('{"abstract": 3}', "line 2: 'abstract' must be a string"),
        ('{"abstract": "t", "labels": "exosomes"}', "line 2: 'labels' must be a list"),
        ('{"abstract": "t", "labels": ["angiogenesis"]}', "line 2: unknown mechanism"),
        ('{"abstract": "t", "relevance": "maybe"}', "line 2: 'relevance' must be one of"),
        ('{"abstract": "t", "evidence": {"exosomes": "x"}}', "line 2: 'evidence' must map"),
    ],
)
def test_a_malformed_line_is_named_by_its_number(tmp_path, bad_line, message):
    path = _write(tmp_path / "set.jsonl", [SYNTHETIC_LINES[0], bad_line])
    with pytest.raises(EvaluationError, match=message) as error:
        list(evaluation.read_items(path))
    assert str(path) in str(error.value)


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_bytes(b'{"abstract": "ok"}\n{"abstract": "\xff\xfe"}\n')
    with pytest.raises(EvaluationError, match="not UTF-8"):
        list(evaluation.read_items(path))


# --- End to end ---------------------------------------------------------------------------


def test_it_evaluates_a_file_and_keeps_one_prediction_per_line_in_order(tmp_path):
    report = evaluation.evaluate_file(_write(tmp_path / "set.jsonl", SYNTHETIC_LINES))
    assert [p.id for p in report.predictions] == ["S1", "S2", "S3", "S4"]
    assert [p.relevant for p in report.predictions] == [True, True, True, False]
    assert [set(p.labels) for p in report.predictions] == [
        {"exosomes", "anti_apoptosis"},
        {"gc_differentiation"},
        {"immune_regulation"},
        set(),
    ]
    assert report.macro_f1 == 1.0
    assert report.relevance_accuracy == 1.0
    # S1's labelled sentences are the tagger's evidence (whitespace aside).
    assert report.evidence_precision > 0


def test_the_report_dict_has_exactly_the_documented_shape(tmp_path):
    report = evaluation.evaluate_file(_write(tmp_path / "set.jsonl", SYNTHETIC_LINES))
    data = report.as_dict()
    assert list(data) == [
        "mechanisms",
        "micro_f1",
        "macro_f1",
        "relevance_accuracy",
        "evidence_precision",
        "predictions",
    ]
    assert list(data["mechanisms"]) == list(evaluation.tagger.MECHANISMS)
    for score in data["mechanisms"].values():
        assert list(score) == ["precision", "recall", "f1", "support"]
    first = data["predictions"][0]
    assert list(first) == ["id", "relevant", "labels", "evidence"]
    assert set(first["evidence"]) == set(first["labels"])
    assert all(isinstance(s, str) for sentences in first["evidence"].values() for s in sentences)
    json.dumps(data)  # serialisable as is


def test_the_text_report_lists_every_mechanism_and_the_averages(tmp_path):
    report = evaluation.evaluate_file(_write(tmp_path / "set.jsonl", SYNTHETIC_LINES))
    text = evaluation.format_report(report)
    for slug in evaluation.tagger.MECHANISMS:
        assert slug in text
    for label in ("micro F1", "macro F1", "relevance accuracy", "evidence precision"):
        assert label in text


# --- The command --------------------------------------------------------------------------


def test_the_command_prints_json(tmp_path, capsys):
    path = _write(tmp_path / "set.jsonl", SYNTHETIC_LINES)
    call_command("evaluate_tagger", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["macro_f1"] == 1.0
    assert [p["id"] for p in data["predictions"]] == ["S1", "S2", "S3", "S4"]


def test_the_command_prints_a_table(tmp_path, capsys):
    call_command("evaluate_tagger", str(_write(tmp_path / "set.jsonl", SYNTHETIC_LINES)))
    assert "macro F1" in capsys.readouterr().out


def test_the_command_reports_a_missing_file_or_a_bad_line(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("evaluate_tagger", str(tmp_path / "absent.jsonl"))
    path = _write(tmp_path / "set.jsonl", [SYNTHETIC_LINES[0], "{oops"])
    with pytest.raises(CommandError, match="line 2"):
        call_command("evaluate_tagger", str(path))


# --- The development set ------------------------------------------------------------------


@needs_dev_set
def test_the_tagger_reaches_its_targets_on_the_dev_set():
    report = evaluation.evaluate_file(DEV_SET)
    assert report.macro_f1 >= 0.90
    for slug, score in report.mechanisms.items():
        assert score.f1 >= 0.80, slug
    assert report.relevance_accuracy >= 0.90
