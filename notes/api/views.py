"""The notes API: my notes and public ones, writes to my own, and the preview."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notes import selectors, services
from notes.api.serializers import (
    NotePreviewRequestSerializer,
    NotePreviewSerializer,
    NoteSerializer,
    NoteUpdateSerializer,
)
from notes.models import Note, Visibility
from pof_lit.lib.pagination import KeysetPagination, SortKey


class NotePagination(KeysetPagination):
    page_size = 50
    max_page_size = 500
    default_ordering = "-created_at"
    sort_keys = {
        "-created_at": SortKey("-created_at", "created_at", descending=True, kind="datetime"),
        "created_at": SortKey("created_at", "created_at", descending=False, kind="datetime"),
    }


class IsAuthorOrReadOnly(permissions.BasePermission):
    message = "Only the note's author may change it."

    def has_object_permission(self, request, view, obj: Note) -> bool:
        return request.method in permissions.SAFE_METHODS or obj.author_id == request.user.pk


class NoteFilter(filters.FilterSet):
    paper = filters.NumberFilter(field_name="paper__pmid", help_text="A paper's PMID.")
    mine = filters.BooleanFilter(method="filter_mine", help_text="Only my own notes.")
    visibility = filters.ChoiceFilter(choices=Visibility.choices)

    class Meta:
        model = Note
        fields = ["paper", "mine", "visibility"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(author=self.request.user) if value else queryset


class NoteViewSet(viewsets.ModelViewSet):
    """Notes on papers: my own and everyone's public notes. Others' private notes are 404."""

    permission_classes = [permissions.IsAuthenticated, IsAuthorOrReadOnly]
    pagination_class = NotePagination
    filterset_class = NoteFilter
    serializer_class = NoteSerializer
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.notes_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return NoteUpdateSerializer
        if self.action == "preview":
            return NotePreviewRequestSerializer
        return NoteSerializer

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.note_create(
            paper=data["paper"],
            author=self.request.user,
            body=data["body"],
            visibility=data.get("visibility", Visibility.PRIVATE),
        )

    def perform_update(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.note_update(
            note=serializer.instance,
            body=data.get("body"),
            visibility=data.get("visibility"),
        )

    def perform_destroy(self, instance: Note) -> None:
        services.note_delete(note=instance)

    @extend_schema(request=NotePreviewRequestSerializer, responses=NotePreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """Render a draft exactly as saving would; stores nothing."""
        serializer = NotePreviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rendered = services.note_preview(body=serializer.validated_data["body"])
        return Response(
            NotePreviewSerializer({"html": rendered.html, "remaining": rendered.remaining}).data,
            status=status.HTTP_200_OK,
        )
