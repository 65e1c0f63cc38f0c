from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from curation import services, tagger
from pof_lit.lib.progress import progress_bar

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Tag papers by mechanism, cell source and study model. Without options, tags papers "
        "the current tagger version has not seen; curator decisions are never changed."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", dest="everything", help="Every paper.")
        which.add_argument("--pmid", type=int, nargs="+", default=[], help="These PMIDs only.")

    def handle(self, *args, everything: bool, pmid: list[int], **options) -> None:
        ids = services.paper_ids_to_tag(everything=everything, pmids=pmid)
        if pmid and len(ids) < len(set(pmid)):
            raise CommandError("Some PMIDs are not in the database.")
        total = services.TaggingResult()
        bar = progress_bar(total=len(ids), unit="papers", stream=self.stderr._out)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            counts = services.papers_tag(paper_ids=chunk)
            for name in ("papers", "papers_changed", "suggested", "revised", "withdrawn"):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
            bar.update(len(chunk))
        bar.close()
        self.stdout.write(
            f"tagger {tagger.TAGGER_VERSION}: papers {total.papers}, changed "
            f"{total.papers_changed}, suggested {total.suggested}, revised {total.revised}, "
            f"withdrawn {total.withdrawn}"
        )
