"""The curation API: papers and their citations, tags and decisions, mechanisms, feeds, runs."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Max, Prefetch
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from curation import citations, selectors, services
from curation.api.filters import PaperFilter
from curation.api.renderers import CITATION_RENDERERS, CitationRenderer
from curation.api.serializers import (
    CiteSerializer,
    FeedSerializer,
    MechanismSerializer,
    PaperDetailSerializer,
    RunSerializer,
    TagDecisionSerializer,
    TagEventSerializer,
    TagSerializer,
)
from curation.curator_selectors import mechanism_tag_stats
from curation.models import UNDATED, ImportRun, Mechanism, Paper, RunKind, TagStatus
from curation.permissions import IsCurator, IsCuratorOrReadOnly
from pof_lit.lib.conditional import make_etag, not_modified, set_validators
from pof_lit.lib.pagination import KeysetPagination, SortKey
from pof_lit.lib.renderers import JSONRenderer

EXPORT_PAGE_SIZE = 1000
EXPORT_MAX_PAGE_SIZE = 5000
INCLUDE_CHOICES = ("notes", "tags")


class PaperPagination(KeysetPagination):
    page_size = 25
    max_page_size = 1000
    default_ordering = "-pub_date"
    sort_keys = {
        "-pub_date": SortKey("-pub_date", "pub_date", descending=True, missing=UNDATED),
        "pub_date": SortKey("pub_date", "pub_date", descending=False, missing=UNDATED),
        "-updated_at": SortKey("-updated_at", "updated_at", descending=True, kind="datetime"),
        "updated_at": SortKey("updated_at", "updated_at", descending=False, kind="datetime"),
        "-pmid": SortKey("-pmid", "pmid", descending=True, kind="int"),
        "pmid": SortKey("pmid", "pmid", descending=False, kind="int"),
    }

    def get_page_size(self, request) -> int:
        # Exports default to large pages: a reference manager wants the whole list.
        if isinstance(getattr(request, "accepted_renderer", None), CitationRenderer):
            self.page_size, self.max_page_size = EXPORT_PAGE_SIZE, EXPORT_MAX_PAGE_SIZE
        return super().get_page_size(request)


def _include(request) -> set[str]:
    raw = request.query_params.get("include", "")
    return {part.strip() for part in raw.split(",") if part.strip() in INCLUDE_CHOICES}


EXPORT_PARAMETERS = [
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "ris", "bibtex", "csljson", "nbib"],
        description="Response format; the Accept header works too.",
    ),
    OpenApiParameter(
        "include",
        OpenApiTypes.STR,
        description=(
            "Comma-separated extras for citation formats: `notes` (the notes you may see: "
            "RIS N1, BibTeX annote, CSL note, MEDLINE GN) and `tags` (mechanism tags as "
            "keywords)."
        ),
    ),
]


PMID_PARAMETER = OpenApiParameter(
    "pmid",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The paper's PubMed identifier.",
    examples=[OpenApiExample("A demo paper", value=35677383)],
)


def _export_responses(json_response) -> dict:
    return {
        (200, "application/json"): json_response,
        (200, "application/x-research-info-systems"): OpenApiTypes.STR,
        (200, "application/x-bibtex"): OpenApiTypes.STR,
        (200, "application/vnd.citationstyles.csl+json"): {
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
        },
        (200, "application/nbib"): OpenApiTypes.STR,
        304: OpenApiResponse(description="Not modified since the validators sent."),
    }


@extend_schema_view(
    list=extend_schema(
        summary="List papers",
        parameters=EXPORT_PARAMETERS,
        responses=_export_responses(PaperDetailSerializer(many=True)),
    ),
    retrieve=extend_schema(
        summary="One paper",
        parameters=[PMID_PARAMETER, *EXPORT_PARAMETERS],
        responses={
            **_export_responses(PaperDetailSerializer),
            404: OpenApiResponse(description="No such paper."),
        },
    ),
)
class PaperViewSet(viewsets.ReadOnlyModelViewSet):
    """Papers imported from PubMed, with tags, cell sources and study models.

    Every list and paper is also available as RIS, BibTeX, CSL-JSON and MEDLINE (.nbib),
    by `?format=` or the Accept header. Harvest with cursor pages (`Link: rel="next"`),
    and sync incrementally with `ordering=updated_at&updated_since=...` plus ETag /
    Last-Modified.
    """

    serializer_class = PaperDetailSerializer
    pagination_class = PaperPagination
    filterset_class = PaperFilter
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, *CITATION_RENDERERS]
    lookup_field = "pmid"
    lookup_value_regex = r"[0-9]{1,12}"

    def get_queryset(self):
        # JSON shows tags and facets; an export shows tags only as keywords, on request.
        citation = self.is_citation_request()
        include = _include(self.request)
        papers = selectors.paper_list()
        if citation and not self.request.accepted_renderer.uses_mesh:
            papers = papers.defer("mesh_headings")  # Paper.to_record leaves them out
        if citation and "notes" in include:
            from notes.selectors import notes_visible_to

            papers = papers.prefetch_related(
                Prefetch(
                    "notes",
                    queryset=notes_visible_to(self.request.user).order_by("created_at", "pk"),
                    to_attr="visible_notes",
                )
            )
        return papers

    def filter_queryset(self, queryset):
        # The list's filters select papers; a paper's own URL always finds it.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def is_citation_request(self) -> bool:
        return isinstance(getattr(self.request, "accepted_renderer", None), CitationRenderer)

    def handle_exception(self, exc):
        # Errors always answer in the API's JSON error body, whatever format was asked for.
        if self.is_citation_request():
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def _extras(self, paper: Paper, include: set[str], url: str) -> citations.Extras:
        notes = ()
        if "notes" in include:
            notes = tuple(
                f"{note.author.get_username()} ({note.created_at:%Y-%m-%d}): {note.body}"
                for note in getattr(paper, "visible_notes", ())
            )
        keywords = ()
        if "tags" in include:
            keywords = tuple(
                f"mechanism: {tag.mechanism.slug}"
                for tag in paper.tag_list()
                if tag.status != TagStatus.REJECTED
            )
        return citations.Extras(notes=notes, keywords=keywords, url=url)

    def _validators(
        self, papers: Sequence[Paper], *, has_next: bool = False, listing: bool = False
    ) -> tuple[str, object]:
        """Return the ETag and Last-Modified of an answer showing ``papers`` (already fetched).

        An answer is decided by its papers' rows (a tag or facet change touches its paper's
        ``updated_at``), whether a next page follows, the format, and, when notes are
        exported, the notes the requester may see: the ETag comes from the rows of the page
        itself, never from a count over everything the filters match. A list's
        Last-Modified is the newest change to any paper (deleted ones included): a paper
        that left the page may be newer than every paper still on it, and a client that
        only sends If-Modified-Since must not be told nothing changed.
        """
        include = sorted(_include(self.request))
        fmt = getattr(self.request.accepted_renderer, "format", "json")
        notes_marker = ""
        if "notes" in include and self.is_citation_request():
            notes = [note for paper in papers for note in getattr(paper, "visible_notes", ())]
            latest = max((note.updated_at for note in notes), default=None)
            notes_marker = f"{len(notes)}:{latest}"
        rows = ",".join(f"{paper.pk}@{paper.updated_at.isoformat()}" for paper in papers)
        if listing:
            last_modified = Paper.objects.aggregate(newest=Max("updated_at"))["newest"]
        else:
            last_modified = max((paper.updated_at for paper in papers), default=None)
        etag = make_etag(self.request.get_full_path(), fmt, has_next, rows, notes_marker)
        return etag, (None if notes_marker else last_modified)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        etag, last_modified = self._validators(page, has_next=self.paginator.has_next, listing=True)
        cached = not_modified(request, etag=etag, last_modified=last_modified)
        if cached is not None:
            cached["Link"] = self.paginator.link_header()
            return cached
        if self.is_citation_request():
            response = self._export(page, filename="pof-lit-papers")
            response["Link"] = self.paginator.link_header()
        else:
            selectors.attach_relations(page)
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        return set_validators(response, etag=etag, last_modified=last_modified)

    def retrieve(self, request, *args, **kwargs):
        paper = self.get_object()
        etag, last_modified = self._validators([paper])
        cached = not_modified(request, etag=etag, last_modified=last_modified)
        if cached is not None:
            return cached
        if self.is_citation_request():
            response = self._export([paper], filename=f"pmid-{paper.pmid}")
        else:
            selectors.attach_relations([paper])
            response = Response(self.get_serializer(paper).data)
        return set_validators(response, etag=etag, last_modified=last_modified)

    def _export(self, papers: list[Paper], *, filename: str) -> StreamingHttpResponse:
        renderer = self.request.accepted_renderer
        include = _include(self.request)
        if "tags" in include:
            selectors.attach_tags(papers)
        # Every paper's page URL, from one reverse() (a tenth of an export's time otherwise).
        placeholder = 999_999_999_999
        url = self.request.build_absolute_uri(
            reverse("curation:paper-detail", kwargs={"pmid": placeholder})
        )
        pairs = (
            (record, self._extras(paper, include, url.replace(str(placeholder), str(paper.pmid))))
            for paper, record in zip(
                papers,
                selectors.paper_records(papers, affiliations=renderer.uses_affiliations),
                strict=True,
            )
        )
        response = StreamingHttpResponse(
            renderer.stream(pairs), content_type=f"{renderer.media_type}; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{renderer.extension}"'
        return response

    @extend_schema(
        summary="Citation strings as PubMed's Cite dialog gives them",
        parameters=[PMID_PARAMETER],
        responses={200: CiteSerializer, 304: OpenApiResponse(description="Not modified.")},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
        filter_backends=[],
    )
    def cite(self, request, pmid=None):
        """Answer the NLM, AMA, APA and MLA citations of one paper."""
        paper = self.get_object()
        etag = make_etag("cite", paper.pmid, paper.updated_at)
        cached = not_modified(request, etag=etag, last_modified=paper.updated_at)
        if cached is not None:
            return cached
        data = CiteSerializer(citations.cite_all(paper.to_record())).data
        return set_validators(Response(data), etag=etag, last_modified=paper.updated_at)

    @extend_schema(
        methods=["GET"],
        summary="A paper's mechanism tags",
        parameters=[PMID_PARAMETER],
        responses=TagSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Confirm, reject or add a mechanism tag (curators)",
        parameters=[PMID_PARAMETER],
        request=TagDecisionSerializer,
        responses={200: TagSerializer, 201: TagSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[IsCuratorOrReadOnly],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def tags(self, request, pmid=None):
        paper = self.get_object()
        if request.method == "GET":
            return Response(TagSerializer(paper.tag_list(), many=True).data)
        decision = TagDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        existed = paper.tags.filter(mechanism=decision.validated_data["mechanism"]).exists()
        tag = services.tag_decide(paper=paper, user=request.user, **decision.validated_data)
        return Response(
            TagSerializer(tag).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="A paper's tag history",
        parameters=[PMID_PARAMETER],
        responses=TagEventSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def history(self, request, pmid=None):
        paper = self.get_object()
        events = paper.tag_events.select_related("mechanism", "user")
        return Response(TagEventSerializer(events, many=True).data)


class MechanismViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Mechanisms papers are tagged with, and how precise the tagger is on each.

    `auto_tags.precision` is confirmed / (confirmed + rejected) over the tagger's own
    suggestions that curators decided. Curators may add and edit mechanisms.
    """

    queryset = Mechanism.objects.all()
    serializer_class = MechanismSerializer
    permission_classes = [IsCuratorOrReadOnly]
    lookup_field = "slug"
    pagination_class = None

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "tag_stats": mechanism_tag_stats()}


@extend_schema_view(
    refresh=extend_schema(
        summary="Refresh a feed now",
        request=None,
        responses={
            202: RunSerializer,
            409: OpenApiResponse(
                description="A refresh of this feed is already queued or running."
            ),
        },
    ),
    runs=extend_schema(summary="A feed's runs, newest first", responses=RunSerializer(many=True)),
)
class FeedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Saved PubMed searches that workers refresh on a schedule (curators only)."""

    serializer_class = FeedSerializer
    permission_classes = [IsCurator]
    pagination_class = None

    def get_queryset(self):
        return selectors.feeds_with_last_run_id()

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.action in ("list", "retrieve"):
            context["runs"] = ImportRun.objects.in_bulk(
                self.get_queryset().values_list("last_run_id", flat=True)
            )
        return context

    def perform_create(self, serializer) -> None:
        serializer.save(created_by=self.request.user)

    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        feed = self.get_object()
        run = services.feed_refresh_start(feed=feed, user=request.user)
        if run is None:
            open_run = feed.runs.filter(status__in=["queued", "running"]).first()
            return Response(
                {
                    "status": 409,
                    "code": "already_running",
                    "detail": "A refresh of this feed is already queued or running.",
                    "fields": {},
                    "run": RunSerializer(open_run).data if open_run else None,
                },
                status=status.HTTP_409_CONFLICT,
            )
        run.refresh_from_db()
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"])
    def runs(self, request, pk=None):
        feed = self.get_object()
        return Response(
            RunSerializer(feed.runs.order_by("-created_at", "-pk")[:100], many=True).data
        )


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Import, sync and feed-refresh runs with their progress, counts and errors (curators)."""

    serializer_class = RunSerializer
    permission_classes = [IsCurator]
    pagination_class = None

    def get_queryset(self):
        runs = ImportRun.objects.order_by("-created_at", "-pk")
        kind = self.request.query_params.get("kind")
        if kind in RunKind.values:
            runs = runs.filter(kind=kind)
        return runs[:200] if self.action == "list" else runs
