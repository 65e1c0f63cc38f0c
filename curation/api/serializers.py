"""Serializers for papers, tags, mechanisms, feeds and runs (explicit fields only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from curation.facets import facet_label
from curation.models import (
    Author,
    FacetKind,
    Feed,
    ImportRun,
    Journal,
    Mechanism,
    Paper,
    PaperFacet,
    Tag,
    TagEvent,
)
from curation.services import DecisionAction


class JournalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Journal
        fields = ["title", "iso_abbreviation", "issn"]


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = [
            "last_name",
            "fore_name",
            "initials",
            "collective_name",
            "orcid",
            "affiliations",
        ]


class AbstractSectionSerializer(serializers.Serializer):
    label = serializers.CharField()
    category = serializers.CharField()
    text = serializers.CharField()


class MeshQualifierSerializer(serializers.Serializer):
    name = serializers.CharField()
    ui = serializers.CharField()
    major_topic = serializers.BooleanField()


class MeshHeadingSerializer(serializers.Serializer):
    descriptor = serializers.CharField()
    ui = serializers.CharField()
    major_topic = serializers.BooleanField()
    qualifiers = MeshQualifierSerializer(many=True)


class _Writer:
    """What an answer writes the same way for every paper, worked out once per answer.

    Datetimes come out as DRF's DateTimeField writes them in the current time zone, looked
    up once (DRF asks for it per value: a fifth of a page of 100 went to that), and paper
    URLs as the ``url`` field (a HyperlinkedIdentityField) gives them, from one reverse().
    """

    PLACEHOLDER = 999_999_999_999

    def __init__(self, context: dict) -> None:
        field = serializers.DateTimeField(
            default_timezone=timezone.get_current_timezone() if settings.USE_TZ else None
        )
        self._datetime = field.to_representation
        request = context["request"]
        url = reverse(
            "api:paper-detail",
            kwargs={"pmid": self.PLACEHOLDER},
            request=request,
            format=context.get("format"),
        )
        # The pmid is in the path, after any host that might hold the same digits.
        self._before, _, self._after = url.rpartition(str(self.PLACEHOLDER))

    def datetime(self, value: dt.datetime | None) -> str | None:
        return None if value is None else self._datetime(value)

    def url(self, pmid: int) -> str:
        return f"{self._before}{pmid}{self._after}"


def _boolean(value: object) -> bool | None:
    # As serializers.BooleanField gives it (None stays None).
    return None if value is None else bool(value)


def _evidence(evidence: list[dict]) -> list[dict]:
    return [
        {"sentence": e["sentence"], "start": e["start"], "end": e["end"], "field": e["field"]}
        for e in evidence
    ]


def tag_representation(tag: Tag, datetime: Callable[[dt.datetime | None], str | None]) -> dict:
    """Return what TagSerializer gives for ``tag``, built directly (see PaperSerializer);
    ``datetime`` writes its times (``_Writer.datetime``).
    """
    return {
        "mechanism": tag.mechanism.slug,
        "mechanism_name": tag.mechanism.name,
        "status": tag.status,
        "source": tag.source,
        "score": tag.score,
        "evidence": _evidence(tag.evidence),
        "tagger_version": tag.tagger_version,
        "comment": tag.comment,
        "decided_by": None if tag.decided_by is None else tag.decided_by.get_username(),
        "decided_at": datetime(tag.decided_at),
        "created_at": datetime(tag.created_at),
        "updated_at": datetime(tag.updated_at),
    }


class PaperSerializer(serializers.ModelSerializer):
    """A paper as the foundation issue names its fields; later additions only add fields."""

    journal = JournalSerializer(allow_null=True)
    authors = AuthorSerializer(many=True, source="author_list")
    abstract_sections = AbstractSectionSerializer(many=True)
    mesh_headings = MeshHeadingSerializer(many=True)
    keywords = serializers.ListField(child=serializers.CharField())
    pub_date = serializers.SerializerMethodField()
    language = serializers.CharField()
    publication_types = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:paper-detail", lookup_field="pmid", read_only=True
    )

    class Meta:
        model = Paper
        fields = [
            "pmid",
            "url",
            "doi",
            "pmcid",
            "title",
            "abstract",
            "abstract_sections",
            "journal",
            "volume",
            "issue",
            "pages",
            "elocation_id",
            "pub_date",
            "pub_date_precision",
            "medline_date",
            "pub_year",
            "language",
            "publication_types",
            "mesh_headings",
            "keywords",
            "authors",
            "is_retracted",
            "updated_at",
        ]

    def to_representation(self, paper: Paper) -> dict:
        """Build the answer directly: the same keys and values as the declared fields.

        DRF's field-by-field path costs about 0.6 ms a paper (some 150 field objects for a
        paper with its authors, tags and facets), the largest part of a page of 100; the
        declared fields stay, for validation of nothing (all read-only) and for the schema,
        and are not even built here (``self.fields`` deep-copies every one of them).
        tests/curation/test_api_papers.py checks this against DRF's own rendering.
        """
        writer = self.writer()
        journal = paper.journal
        return {
            "pmid": paper.pmid,
            "url": writer.url(paper.pmid),
            "doi": paper.doi,
            "pmcid": paper.pmcid,
            "title": paper.title,
            "abstract": paper.abstract,
            "abstract_sections": [
                {"label": s["label"], "category": s["category"], "text": s["text"]}
                for s in paper.abstract_sections
            ],
            "journal": None
            if journal is None
            else {
                "title": journal.title,
                "iso_abbreviation": journal.iso_abbreviation,
                "issn": journal.issn,
            },
            "volume": paper.volume,
            "issue": paper.issue,
            "pages": paper.pages,
            "elocation_id": paper.elocation_id,
            "pub_date": self.get_pub_date(paper),
            "pub_date_precision": paper.pub_date_precision,
            "medline_date": paper.medline_date,
            "pub_year": paper.pub_year,
            "language": paper.language,
            "publication_types": self.get_publication_types(paper),
            "mesh_headings": [
                {
                    "descriptor": heading["descriptor"],
                    "ui": heading["ui"],
                    "major_topic": _boolean(heading["major_topic"]),
                    "qualifiers": [
                        {
                            "name": q["name"],
                            "ui": q["ui"],
                            "major_topic": _boolean(q["major_topic"]),
                        }
                        for q in heading["qualifiers"]
                    ],
                }
                for heading in paper.mesh_headings
            ],
            "keywords": [None if k is None else str(k) for k in paper.keywords],
            "authors": [
                {
                    "last_name": author.last_name,
                    "fore_name": author.fore_name,
                    "initials": author.initials,
                    "collective_name": author.collective_name,
                    "orcid": author.orcid,
                    "affiliations": author.affiliations,
                }
                for author in paper.author_list()
            ],
            "is_retracted": paper.is_retracted,
            "updated_at": writer.datetime(paper.updated_at),
        }

    def writer(self) -> _Writer:
        """Return this serializer's writer; the child of a list serializes every paper."""
        try:
            return self._writer
        except AttributeError:
            if "request" not in self.context:
                self.fields["url"].to_representation(None)  # DRF's own complaint
            self._writer = _Writer(self.context)
            return self._writer

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "readOnly": True})
    def get_publication_types(self, paper: Paper) -> list[str]:
        return [publication_type.name for publication_type in paper.publication_type_list()]

    @extend_schema_field({"type": "string", "nullable": True, "example": "2022-08-12"})
    def get_pub_date(self, paper: Paper) -> str | None:
        """Return the date as ISO 8601 cut to its precision: "2022", "2022-08" or "2022-08-12"."""
        if paper.pub_date is None:
            return None
        length = {"year": 4, "month": 7, "day": 10}.get(paper.pub_date_precision, 4)
        return paper.pub_date.isoformat()[:length]


class EvidenceSerializer(serializers.Serializer):
    sentence = serializers.CharField()
    start = serializers.IntegerField(help_text="Character offset in the abstract (or title).")
    end = serializers.IntegerField()
    field = serializers.ChoiceField(choices=["abstract", "title"])


class TagSerializer(serializers.ModelSerializer):
    mechanism = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    mechanism_name = serializers.CharField(source="mechanism.name", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Tag
        fields = [
            "mechanism",
            "mechanism_name",
            "status",
            "source",
            "score",
            "evidence",
            "tagger_version",
            "comment",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FacetSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = PaperFacet
        fields = ["value", "label", "evidence"]

    def get_label(self, facet: PaperFacet) -> str:
        return facet_label(facet.kind, facet.value)


class FacetsOfKindSerializer(serializers.ListSerializer):
    """A paper's facets of one kind (cell source, study model or inducing agent)."""

    def __init__(self, *args, kind: str, **kwargs) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def get_attribute(self, paper: Paper) -> list[PaperFacet]:
        return [facet for facet in paper.facet_list() if facet.kind == self.kind]


class PaperDetailSerializer(PaperSerializer):
    """A paper with its mechanism tags (and their evidence), cell sources and study models."""

    # Nested serializers declared once, so a page of papers builds none per paper.
    tags = TagSerializer(many=True, read_only=True, source="tag_list")
    cell_sources = FacetsOfKindSerializer(
        child=FacetSerializer(), kind=FacetKind.CELL_SOURCE, read_only=True
    )
    models = FacetsOfKindSerializer(child=FacetSerializer(), kind=FacetKind.MODEL, read_only=True)
    inducing_agents = FacetsOfKindSerializer(
        child=FacetSerializer(), kind=FacetKind.AGENT, read_only=True
    )
    is_relevant = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta(PaperSerializer.Meta):
        fields = [
            *PaperSerializer.Meta.fields,
            "is_relevant",
            "tags",
            "cell_sources",
            "models",
            "inducing_agents",
        ]

    def to_representation(self, paper: Paper) -> dict:
        answer = super().to_representation(paper)
        facets: dict[str, list[dict]] = {
            FacetKind.CELL_SOURCE: [],
            FacetKind.MODEL: [],
            FacetKind.AGENT: [],
        }
        for facet in paper.facet_list():
            if facet.kind in facets:
                facets[facet.kind].append(
                    {
                        "value": facet.value,
                        "label": facet_label(facet.kind, facet.value),
                        "evidence": _evidence(facet.evidence),
                    }
                )
        answer["is_relevant"] = paper.is_relevant
        datetime = self.writer().datetime
        answer["tags"] = [tag_representation(tag, datetime) for tag in paper.tag_list()]
        answer["cell_sources"] = facets[FacetKind.CELL_SOURCE]
        answer["models"] = facets[FacetKind.MODEL]
        answer["inducing_agents"] = facets[FacetKind.AGENT]
        return answer


class CiteSerializer(serializers.Serializer):
    nlm = serializers.CharField()
    ama = serializers.CharField()
    apa = serializers.CharField()
    mla = serializers.CharField()


class TagDecisionSerializer(serializers.Serializer):
    mechanism = serializers.SlugRelatedField(slug_field="slug", queryset=Mechanism.objects.all())
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TagEventSerializer(serializers.ModelSerializer):
    mechanism = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    user = serializers.CharField(
        source="user.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = TagEvent
        fields = [
            "mechanism",
            "action",
            "from_status",
            "to_status",
            "user",
            "tagger_version",
            "comment",
            "created_at",
        ]
        read_only_fields = fields


class MechanismSerializer(serializers.ModelSerializer):
    auto_tags = serializers.SerializerMethodField(
        help_text="The tagger's record on this mechanism, from curators' decisions."
    )

    class Meta:
        model = Mechanism
        fields = ["slug", "name", "description", "position", "auto_tags"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "suggested": {"type": "integer"},
                "confirmed": {"type": "integer"},
                "rejected": {"type": "integer"},
                "precision": {"type": "number", "nullable": True},
            },
        }
    )
    def get_auto_tags(self, mechanism: Mechanism) -> dict:
        stats = self.context.get("tag_stats", {})
        return stats.get(
            mechanism.pk, {"suggested": 0, "confirmed": 0, "rejected": 0, "precision": None}
        )


class RunSerializer(serializers.ModelSerializer):
    feed = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "status",
            "feed",
            "source",
            "window_start",
            "window_end",
            "progress_done",
            "progress_total",
            "created",
            "updated",
            "unchanged",
            "failed",
            "deleted",
            "requests",
            "errors",
            "missing_pmids",
            "error",
            "summary",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class FeedSerializer(serializers.ModelSerializer):
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = Feed
        fields = [
            "id",
            "name",
            "query",
            "refresh_interval",
            "is_active",
            "synced_until",
            "last_success_at",
            "last_run",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "synced_until", "last_success_at", "created_at", "updated_at"]

    def validate_refresh_interval(self, value):
        if value < dt.timedelta(minutes=5):
            raise serializers.ValidationError("Refresh at most every 5 minutes.")
        return value

    def validate_query(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("The query is empty.")
        return value.strip()

    @extend_schema_field(RunSerializer(allow_null=True))
    def get_last_run(self, feed: Feed) -> dict | None:
        run_id = getattr(feed, "last_run_id", None)
        if run_id is None:
            return None
        runs = self.context.get("runs")
        run = runs.get(run_id) if runs is not None else ImportRun.objects.get(pk=run_id)
        return RunSerializer(run).data
