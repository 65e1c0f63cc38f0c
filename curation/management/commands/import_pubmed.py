from __future__ import annotations

import gc
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curation import services
from curation.management.runs import report_run, run_progress


class Command(BaseCommand):
    help = (
        "Import PubMed records from files, offline: efetch answers and MEDLINE baseline/update "
        "files (.xml, .xml.gz) and MEDLINE text (.nbib, .txt as PubMed's 'Save' writes)."
    )
    # The system checks cost a quarter of a second, a twentieth of importing 10,000 records;
    # ``manage.py check`` and every server start run them.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--jobs",
            type=int,
            # Beyond four, the two writers and the database are the bound, not parsing.
            default=min(os.cpu_count() or 1, 4),
            metavar="N",
            help="processes that parse a large PubMed XML file (default: one per CPU, at most "
            "4; 0 parses in this process)",
        )

    def handle(self, *args, files: list[Path], jobs: int, **options) -> None:
        if jobs < 0:
            raise CommandError("--jobs must be 0 or more")
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        # What start-up made stays for good: the collector need not walk it again and again.
        gc.freeze()
        with run_progress(self) as on_batch:
            run = services.pubmed_file_import(paths=files, on_batch=on_batch, workers=jobs)
        report_run(self, run)
