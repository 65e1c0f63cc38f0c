from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from curation import evaluation


class Command(BaseCommand):
    help = (
        "Measure the tagger on labelled abstracts (JSON lines shaped like dev.jsonl): "
        "per-mechanism precision, recall, F1 and support, micro and macro F1, relevance "
        "accuracy and evidence precision. Reads the file only; the database is not used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A .jsonl file, one labelled abstract per line.")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print the metrics and one prediction per line of the file as JSON.",
        )

    def handle(self, *args, file: str, as_json: bool, **options) -> None:
        try:
            report = evaluation.evaluate_file(file)
        except evaluation.EvaluationError as error:
            raise CommandError(str(error)) from None
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(evaluation.format_report(report))
