"""Papers from PubMed, their journals and authors, feeds, import runs and mechanism tags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from curation import records
from pof_lit.lib.fields import JSONField


class Journal(models.Model):
    # records.Journal.key: the NLM id, else the ISSN, else the normalised title.
    key = models.CharField(max_length=300, unique=True)
    title = models.CharField(max_length=500, blank=True)
    iso_abbreviation = models.CharField(max_length=255, blank=True)
    medline_ta = models.CharField(max_length=255, blank=True)
    issn = models.CharField(max_length=20, blank=True)
    issn_type = models.CharField(max_length=20, blank=True)
    issn_linking = models.CharField(max_length=20, blank=True)
    nlm_unique_id = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title or self.abbreviation

    @property
    def abbreviation(self) -> str:
        return self.iso_abbreviation or self.medline_ta or self.title

    def to_record(self) -> records.Journal:
        return records.Journal(
            title=self.title,
            iso_abbreviation=self.iso_abbreviation,
            medline_ta=self.medline_ta,
            issn=self.issn,
            issn_type=self.issn_type,
            issn_linking=self.issn_linking,
            nlm_unique_id=self.nlm_unique_id,
            country=self.country,
        )


class PublicationType(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DatePrecision(models.TextChoices):
    UNKNOWN = "", "unknown"
    YEAR = "year", "year"
    MONTH = "month", "month"
    DAY = "day", "day"


class PaperQuerySet(models.QuerySet):
    def active(self) -> PaperQuerySet:
        """Return papers PubMed has not deleted (DeleteCitation keeps the row for its notes)."""
        return self.filter(deleted_at__isnull=True)


# Undated papers sort as if published on 1 January of year 1: last newest first, first
# oldest first. The order is this one expression so that an index holds it (on SQLite as
# well) and a cursor seeks into it with one row comparison.
UNDATED = dt.date(1, 1, 1)


def pub_date_order() -> Coalesce:
    """Return the expression papers are ordered by date on (see UNDATED)."""
    return Coalesce("pub_date", Value(UNDATED))


class Paper(models.Model):
    pmid = models.PositiveBigIntegerField("PMID")
    doi = models.CharField("DOI", max_length=255, blank=True)
    pmcid = models.CharField("PMCID", max_length=20, blank=True)
    pii = models.CharField("PII", max_length=255, blank=True)
    title = models.TextField()
    # Built by the parser from escaped text plus <i>, <b>, <u>, <sup>, <sub> only.
    title_html = models.TextField(blank=True)
    vernacular_title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    # [{"label", "category", "text", "html"}], html again only the five inline tags.
    abstract_sections = JSONField(default=list, blank=True)
    copyright = models.TextField(blank=True)
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, null=True, blank=True, related_name="papers"
    )
    volume = models.CharField(max_length=100, blank=True)
    issue = models.CharField(max_length=100, blank=True)
    pages = models.CharField(max_length=100, blank=True)
    elocation_id = models.CharField("ELocationID", max_length=255, blank=True)
    pub_year = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_month = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_day = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_season = models.CharField(max_length=50, blank=True)
    medline_date = models.CharField(max_length=100, blank=True)
    # The first day the publication date can mean, for sorting; precision says how much is known.
    pub_date = models.DateField(null=True, blank=True)
    pub_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, default=DatePrecision.UNKNOWN
    )
    article_date = models.DateField(null=True, blank=True)
    languages = JSONField(default=list, blank=True)
    publication_types = models.ManyToManyField(PublicationType, blank=True, related_name="papers")
    # [{"descriptor", "ui", "major_topic", "qualifiers": [{"name", "ui", "major_topic"}]}]
    mesh_headings = JSONField(default=list, blank=True)
    keywords = JSONField(default=list, blank=True)
    # [{"ref_type", "pmid", "source"}]: errata, retractions, comments.
    comments_corrections = JSONField(default=list, blank=True)
    is_retracted = models.BooleanField(default=False)
    status = models.CharField(max_length=50, blank=True)
    date_completed = models.DateField(null=True, blank=True)
    date_revised = models.DateField(null=True, blank=True)
    entrez_date = models.DateField(null=True, blank=True)
    source_format = models.CharField(max_length=20, blank=True)
    source = models.TextField(blank=True)
    # sha256 of the parsed record: an import whose record hashes the same writes nothing.
    content_hash = models.CharField(max_length=64)
    # Keywords and MeSH terms as text, weighted below title and abstract in search.
    index_terms = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # What the tagger last decided; facets and tags hold the details.
    is_relevant = models.BooleanField(null=True)
    relevance_score = models.FloatField(null=True, blank=True)
    tagger_version = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moves whenever anything a client can read about the paper changes (record or tags).
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pmid"], name="paper_pmid_unique"),
            models.CheckConstraint(
                condition=Q(pub_month__isnull=True) | Q(pub_month__gte=1, pub_month__lte=12),
                name="paper_pub_month_valid",
            ),
        ]
        indexes = [
            # The paper list's and the API's order by date, read forwards (newest first,
            # undated last) or backwards (oldest first), and the cursors' seeks into it.
            models.Index(pub_date_order().desc(), F("id").desc(), name="paper_pub_date_idx"),
            # updated_since filters and cursor harvesting by updated_at.
            models.Index(fields=["updated_at", "id"], name="paper_updated_idx"),
            # year_min / year_max filters and the year facet.
            models.Index(fields=["pub_year"], name="paper_year_idx"),
            # Lookups by DOI (the importer's duplicate report, the API's doi filter).
            models.Index(fields=["doi"], name="paper_doi_idx"),
            # The retracted facet and filter; few rows are retracted.
            models.Index(
                fields=["is_retracted"], name="paper_retracted_idx", condition=Q(is_retracted=True)
            ),
            # tag_papers picks papers whose tagger version is out of date.
            models.Index(fields=["tagger_version"], name="paper_tagger_version_idx"),
        ]
        # The GIN index on search_vector is created by migration 0002 on PostgreSQL only, and
        # paper_active_facet_idx (the facet counts' index-only scan of the active papers:
        # id, year, retraction, journal) by migration 0006 on PostgreSQL only.

    def __str__(self) -> str:
        return f"PMID {self.pmid}: {self.title[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("curation:paper-detail", kwargs={"pmid": self.pmid})

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pmc_url(self) -> str:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/" if self.pmcid else ""

    @property
    def pub_date_record(self) -> records.PubDate:
        return records.PubDate(
            year=self.pub_year,
            month=self.pub_month,
            day=self.pub_day,
            season=self.pub_season,
            medline_date=self.medline_date,
        )

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else ""

    @property
    def location(self) -> str:
        """Return pages, or the article number when there are none ("1698-705", "e30013")."""
        return self.pages or self.elocation_id

    def citation_line(self) -> str:
        """Return the citation line: "Medicine (Baltimore). 2022 Aug 12; 101(32): e30013"."""
        parts = []
        if self.journal:
            parts.append(f"{self.journal.abbreviation.rstrip('.')}.")
        date = self.pub_date_record.display()
        volume = self.volume + (f"({self.issue})" if self.issue else "")
        detail = "; ".join(part for part in (date, volume) if part)
        if self.location:
            detail = f"{detail}: {self.location}" if detail else self.location
        if detail:
            parts.append(detail)
        return " ".join(parts)

    # Pages and API answers load related rows into plain lists (Prefetch(to_attr=...) or
    # plain rows, see curation.selectors.paper_relations, attach_relations and
    # attach_list_details): Django's related manager for each paper and relation costs
    # more than the query itself on a page of 100 papers. These read the lists, or query
    # when a paper was loaded without them. Plain rows (selectors.AuthorRow, TagRow,
    # FacetRow, PublicationTypeRow) have the attributes answers and pages read, not a
    # model's methods or pk; on the web list authors come without affiliations.
    def author_list(self) -> list[Author]:
        return _prefetched(self, "prefetched_authors", lambda: self.authors.order_by("position"))

    def publication_type_list(self) -> list[PublicationType]:
        return _prefetched(
            self, "prefetched_publication_types", lambda: self.publication_types.all()
        )

    def tag_list(self) -> list[Tag]:
        return _prefetched(
            self, "prefetched_tags", lambda: self.tags.select_related("mechanism", "decided_by")
        )

    def facet_list(self) -> list[PaperFacet]:
        return _prefetched(self, "prefetched_facets", lambda: self.facets.all())

    def affiliation_index(self) -> dict:
        """Number distinct affiliations in author order, as a reader's author line does."""
        numbers: dict[str, int] = {}
        authors = []
        for author in self.author_list():
            refs = [numbers.setdefault(a, len(numbers) + 1) for a in author.affiliations]
            authors.append((author, refs))
        return {"authors": authors, "affiliations": list(numbers)}

    def source_label(self) -> str:
        """Return the header above the title: journal and month, "Medicine · Aug 2022"."""
        date = self.pub_date_record
        if date.medline_date or date.season:
            when = date.display()
        elif date.month:
            when = f"{records.MONTHS[date.month - 1]} {date.year}"
        else:
            when = str(date.year or "")
        name = self.journal.title if self.journal else ""
        return " · ".join(part for part in (name, when) if part)

    def to_record(
        self,
        *,
        authors: tuple[records.Author, ...] | None = None,
        publication_types: tuple[str, ...] | None = None,
    ) -> records.PaperRecord:
        """Rebuild the parsed record.

        Authors and publication types come from the given values (see
        ``selectors.paper_records``), else from prefetched lists, else one query each.
        """
        if authors is None:
            authors = tuple(author.to_record() for author in self.author_list())
        if publication_types is None:
            publication_types = tuple(sorted(t.name for t in self.publication_type_list()))
        # Columns left out when not loaded: no export or answer reading such a paper shows
        # them (the raw record never; MeSH headings only in .nbib).
        deferred = self.get_deferred_fields()
        return records.PaperRecord(
            pmid=self.pmid,
            title=self.title,
            title_html=self.title_html,
            vernacular_title=self.vernacular_title,
            abstract_sections=tuple(
                records.AbstractSection(
                    label=section.get("label", ""),
                    category=section.get("category", ""),
                    text=section.get("text", ""),
                    html=section.get("html", ""),
                )
                for section in self.abstract_sections
            ),
            copyright=self.copyright,
            journal=self.journal.to_record() if self.journal else records.Journal(),
            volume=self.volume,
            issue=self.issue,
            pages=self.pages,
            elocation_id=self.elocation_id,
            pub_date=self.pub_date_record,
            article_date=self.article_date,
            languages=tuple(self.languages),
            publication_types=publication_types,
            mesh_headings=()
            if "mesh_headings" in deferred
            else tuple(
                records.MeshHeading(
                    descriptor=heading["descriptor"],
                    ui=heading.get("ui", ""),
                    major_topic=heading.get("major_topic", False),
                    qualifiers=tuple(
                        records.MeshQualifier(
                            name=qualifier["name"],
                            ui=qualifier.get("ui", ""),
                            major_topic=qualifier.get("major_topic", False),
                        )
                        for qualifier in heading.get("qualifiers", [])
                    ),
                )
                for heading in self.mesh_headings
            ),
            keywords=tuple(self.keywords),
            comments_corrections=tuple(
                records.CommentCorrection(
                    ref_type=link["ref_type"], pmid=link.get("pmid"), source=link.get("source", "")
                )
                for link in self.comments_corrections
            ),
            status=self.status,
            date_completed=self.date_completed,
            date_revised=self.date_revised,
            entrez_date=self.entrez_date,
            doi=self.doi,
            pmcid=self.pmcid,
            pii=self.pii,
            authors=authors,
            source_format=self.source_format,
            source="" if "source" in deferred else self.source,
        )


def _prefetched(paper: Paper, attr: str, query: Callable[[], Iterable]) -> list:
    # ``query`` is a function, so a prefetched paper builds no related manager.
    try:
        return getattr(paper, attr)
    except AttributeError:
        return list(query())


class Author(models.Model):
    """One author's place on one paper (PubMed has no author identity beyond ORCID)."""

    # No index of its own: the unique (paper, position) constraint serves lookups by paper.
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="authors", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    last_name = models.CharField(max_length=255, blank=True)
    fore_name = models.CharField(max_length=255, blank=True)
    initials = models.CharField(max_length=50, blank=True)
    suffix = models.CharField(max_length=50, blank=True)
    collective_name = models.TextField(blank=True)
    orcid = models.CharField("ORCID", max_length=19, blank=True)
    affiliations = JSONField(default=list, blank=True)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="author_position_unique"),
            models.CheckConstraint(
                condition=~Q(last_name="") | ~Q(collective_name=""),
                name="author_has_a_name",
            ),
        ]
        indexes = [
            # Author search in the admin and "papers by this ORCID".
            models.Index(fields=["last_name", "initials"], name="author_name_idx"),
            models.Index(fields=["orcid"], name="author_orcid_idx", condition=~Q(orcid="")),
        ]

    def __str__(self) -> str:
        return self.collective_name or f"{self.last_name} {self.initials}".strip()

    def to_record(self) -> records.Author:
        return author_record(self)


def author_record(author: Any) -> records.Author:
    """Return the record of an author: a model instance, or plain values with its names."""
    return records.Author(
        last_name=author.last_name,
        fore_name=author.fore_name,
        initials=author.initials,
        suffix=author.suffix,
        collective_name=author.collective_name,
        orcid=author.orcid,
        affiliations=tuple(author.affiliations),
    )


class Feed(models.Model):
    """A saved PubMed search that a worker refreshes on a schedule."""

    name = models.CharField(max_length=200, unique=True)
    query = models.TextField(help_text="A PubMed query, exactly as typed in PubMed's search box.")
    refresh_interval = models.DurationField(default=dt.timedelta(days=1))
    is_active = models.BooleanField(default=True)
    # The end of the last successful run's window; the next run starts a little before it.
    synced_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refresh_interval__gte=dt.timedelta(minutes=5)),
                name="feed_refresh_interval_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_due(self, now: dt.datetime) -> bool:
        """Return whether the feed should refresh now: active and never or long enough ago."""
        if not self.is_active:
            return False
        return self.last_success_at is None or now - self.last_success_at >= self.refresh_interval


class RunKind(models.TextChoices):
    FILE = "file", "file import"
    SYNC = "sync", "PubMed sync"
    FEED = "feed", "feed refresh"
    TAGGING = "tagging", "tagging"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    PARTIAL = "partial", "finished with errors"
    FAILED = "failed", "failed"


class ImportRun(models.Model):
    """One import, sync, feed refresh or tagging run: what it did and what went wrong."""

    kind = models.CharField(max_length=10, choices=RunKind.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    feed = models.ForeignKey(
        Feed, on_delete=models.CASCADE, null=True, blank=True, related_name="runs"
    )
    source = models.TextField(blank=True, help_text="The files, query or window of the run.")
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0, help_text="E-utilities requests made.")
    # [{"pmid", "reason", "position"}]
    errors = models.JSONField(default=list, blank=True)
    missing_pmids = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the run as a whole failed.")
    task_id = models.CharField(max_length=255, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written after every batch; a running run whose heartbeat stops was lost with its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two refreshes of one feed never run at once: at most one open run per feed.
            models.UniqueConstraint(
                fields=["feed"],
                condition=Q(status__in=["queued", "running"]),
                name="run_one_open_per_feed",
            ),
        ]
        indexes = [
            # A feed's run history, newest first, on the feed page and in the API.
            models.Index(fields=["feed", "-created_at"], name="run_feed_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    def summary(self) -> str:
        """Return the closing line commands print: "created N, updated N, unchanged N, failed N"."""
        line = (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}"
        )
        if self.deleted:
            line += f", deleted {self.deleted}"
        return line


class Mechanism(models.Model):
    """A mechanism of action a paper can be tagged with; curators add more as data."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class TagSource(models.TextChoices):
    AUTO = "auto", "tagger"
    CURATOR = "curator", "curator"


class TagStatus(models.TextChoices):
    SUGGESTED = "suggested", "suggested"
    CONFIRMED = "confirmed", "confirmed"
    REJECTED = "rejected", "rejected"


class Tag(models.Model):
    """A mechanism on a paper, suggested by the tagger or set by a curator."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="tags")
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="tags")
    source = models.CharField(max_length=10, choices=TagSource.choices)
    status = models.CharField(max_length=10, choices=TagStatus.choices, default=TagStatus.SUGGESTED)
    score = models.FloatField(null=True, blank=True)
    # [{"sentence", "start", "end", "field"}], offsets into the paper's abstract (or title).
    evidence = JSONField(default=list, blank=True)
    tagger_version = models.CharField(max_length=50, blank=True)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["mechanism__position", "mechanism__name"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "mechanism"], name="tag_one_per_mechanism"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="tag_score_range",
            ),
        ]
        indexes = [
            # Mechanism and tag-status filters and facet counts; covering (the paper column),
            # so a mechanism filter reads its papers from the index alone.
            models.Index(
                fields=["mechanism", "status", "paper"], name="tag_mechanism_status_paper_idx"
            ),
            # The review queue: suggested tags, newest or least confident first.
            models.Index(
                fields=["-created_at"],
                name="tag_queue_newest_idx",
                condition=Q(status="suggested"),
            ),
            models.Index(
                fields=["score"], name="tag_queue_score_idx", condition=Q(status="suggested")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism.slug} on PMID {self.paper.pmid} ({self.status})"

    @property
    def is_decided(self) -> bool:
        """Return whether a curator's decision owns this tag (the tagger never touches it)."""
        return self.source == TagSource.CURATOR or self.status != TagStatus.SUGGESTED


class TagAction(models.TextChoices):
    SUGGESTED = "suggested", "suggested by the tagger"
    REVISED = "revised", "revised by the tagger"
    WITHDRAWN = "withdrawn", "withdrawn by the tagger"
    CONFIRMED = "confirmed", "confirmed"
    REJECTED = "rejected", "rejected"
    ADDED = "added", "added by a curator"


class TagEvent(models.Model):
    """One entry of a paper's tag history: who changed which tag, how, and when."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="tag_events")
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=TagAction.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tagger_version = models.CharField(max_length=50, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A paper's tag history, newest first.
            models.Index(fields=["paper", "-created_at"], name="tagevent_paper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.mechanism_id} on paper {self.paper_id}"


class FacetKind(models.TextChoices):
    CELL_SOURCE = "cell_source", "cell source"
    MODEL = "model", "study model"
    AGENT = "agent", "inducing agent"


class PaperFacet(models.Model):
    """A cell source, study model or inducing agent the tagger found in a paper."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=20, choices=FacetKind.choices)
    value = models.CharField(max_length=50)
    evidence = JSONField(default=list, blank=True)
    tagger_version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "kind", "value"], name="facet_one_per_value"),
        ]
        indexes = [
            # cell_source / model filters and their facet counts. The paper column makes it
            # covering: a filter joins the search's matches to one value's papers by hash
            # from the index alone, where it probed the table once per match (a search for
            # "granulosa apoptosis" with a cell source: 42 -> 21 ms in PostgreSQL).
            models.Index(fields=["kind", "value", "paper"], name="facet_kind_value_paper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"
