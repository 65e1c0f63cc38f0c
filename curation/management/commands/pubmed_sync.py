from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from curation import services
from curation.management.runs import report_run, run_progress


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not a date like 2024-01-31.") from None


class Command(BaseCommand):
    help = (
        "Fetch a PubMed query's records into the database through E-utilities, "
        "optionally only those added or revised since a date."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("query", help='A PubMed query, e.g. "premature ovarian failure[tiab]"')
        parser.add_argument("--since", help="Only records added or revised since this date.")
        parser.add_argument("--max", type=int, dest="limit", help="Fetch at most N records.")

    def handle(self, *args, query: str, since: str | None, limit: int | None, **options) -> None:
        if not query.strip():
            raise CommandError("The query is empty.")
        if limit is not None and limit < 1:
            raise CommandError("--max must be at least 1.")
        with run_progress(self) as on_batch:
            run = services.pubmed_sync(
                query=query,
                since=_date(since) if since else None,
                limit=limit,
                on_batch=on_batch,
            )
        report_run(self, run)
        self.stdout.write(f"E-utilities requests: {run.requests}")
