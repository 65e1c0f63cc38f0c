from __future__ import annotations

from django.core.management.base import BaseCommand

from curation import services
from curation.management.runs import report_run, run_progress


class Command(BaseCommand):
    help = (
        "Load the 15 bundled real POF/POI records (curation/demo/, MEDLINE format) offline; "
        "running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        with run_progress(self) as on_batch:
            run = services.demo_load(on_batch=on_batch)
        report_run(self, run)
