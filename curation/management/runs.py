"""What import-like commands share: a progress bar while running, one summary line after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from curation.models import ImportRun, RunStatus
from curation.services import BatchResult
from pof_lit.lib.progress import progress_bar


@contextmanager
def run_progress(command: BaseCommand, *, unit: str = "records") -> Iterator[Callable]:
    """Yield an ``on_batch`` callback that moves a progress bar (terminals only)."""
    bar = progress_bar(total=None, unit=unit, stream=command.stderr._out)

    def on_batch(run: ImportRun, result: BatchResult) -> None:
        if run.progress_total and bar.total != run.progress_total:
            bar.total = run.progress_total
        bar.n = run.progress_done
        bar.set_postfix(created=run.created, updated=run.updated, failed=run.failed)
        bar.refresh()

    try:
        yield on_batch
    finally:
        bar.close()


def report_run(command: BaseCommand, run: ImportRun) -> None:
    """Print the closing summary line and each failure; raise CommandError if the run failed."""
    command.stdout.write(run.summary())
    for error in run.errors:
        where = f" ({error['position']})" if error.get("position") else ""
        pmid = f"PMID {error['pmid']}" if error.get("pmid") else "record"
        command.stderr.write(f"  failed: {pmid}{where}: {error['reason']}")
    if run.missing_pmids:
        shown = ", ".join(str(p) for p in run.missing_pmids[:50])
        more = f" and {len(run.missing_pmids) - 50} more" if len(run.missing_pmids) > 50 else ""
        command.stderr.write(f"  missing from PubMed's answers: {shown}{more}")
    if run.status == RunStatus.FAILED:
        raise CommandError(f"Run {run.pk} failed: {run.error}")
