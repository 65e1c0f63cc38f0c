"""Read-only paper endpoints; curation and citation endpoints build on them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from curation import selectors
from curation.api.serializers import PaperSerializer
from pof_lit.lib.pagination import KeysetPagination, SortKey


class PaperPagination(KeysetPagination):
    page_size = 25
    max_page_size = 1000
    default_ordering = "-pub_date"
    sort_keys = {
        "-pub_date": SortKey("-pub_date", "pub_date", descending=True),
        "pub_date": SortKey("pub_date", "pub_date", descending=False),
        "-updated_at": SortKey("-updated_at", "updated_at", descending=True, kind="datetime"),
        "updated_at": SortKey("updated_at", "updated_at", descending=False, kind="datetime"),
        "-pmid": SortKey("-pmid", "pmid", descending=True, kind="int"),
        "pmid": SortKey("pmid", "pmid", descending=False, kind="int"),
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words to search for."),
        ]
    )
)
class PaperViewSet(viewsets.ReadOnlyModelViewSet):
    """Papers imported from PubMed, newest first."""

    serializer_class = PaperSerializer
    pagination_class = PaperPagination
    lookup_field = "pmid"
    lookup_value_regex = r"[0-9]{1,12}"

    def get_queryset(self):
        return selectors.paper_list(q=self.request.query_params.get("q", ""))
