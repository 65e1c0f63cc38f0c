"""Filters for the paper list (django-filter), shared by the API and the export formats."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from curation import selectors
from curation.models import FacetKind, Paper, PaperFacet, Tag, TagStatus


class _ManyValuesWidget(forms.Widget):
    """Read a parameter given several times (?a=x&a=y) or comma-separated (?a=x,y)."""

    def value_from_datadict(self, data, files, name):
        raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [part.strip() for item in raw if item for part in item.split(",") if part.strip()]


class _ManyValuesField(forms.Field):
    widget = _ManyValuesWidget

    def to_python(self, value):
        return list(value or [])


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ManyValuesFilter(filters.Filter):
    field_class = _ManyValuesField


class PaperFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", help_text="Full-text search (web-search syntax).")
    mechanism = ManyValuesFilter(
        method="filter_mechanism",
        help_text=(
            "Mechanism slug; repeat or comma-separate for papers tagged with every one. "
            "Rejected tags never count unless tag_status=rejected."
        ),
    )
    tag_status = filters.ChoiceFilter(
        choices=TagStatus.choices,
        method="filter_tag_status",
        help_text="Only tags in this state (with mechanism: those mechanisms' tags).",
    )
    cell_source = ManyValuesFilter(
        method="filter_cell_source", help_text="Cell source slug(s); any of them."
    )
    model = ManyValuesFilter(method="filter_model", help_text="Study model slug(s); any.")
    year_min = filters.NumberFilter(
        field_name="pub_year", lookup_expr="gte", min_value=0, max_value=9999
    )
    year_max = filters.NumberFilter(
        field_name="pub_year", lookup_expr="lte", min_value=0, max_value=9999
    )
    journal = filters.CharFilter(
        method="filter_journal", help_text="Journal ISO abbreviation, title or ISSN."
    )
    publication_type = filters.CharFilter(
        field_name="publication_types__name", help_text="e.g. Review, Clinical Trial."
    )
    retracted = filters.BooleanFilter(field_name="is_retracted")
    updated_since = filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Only papers changed at or after this time (ISO 8601), for incremental sync.",
    )

    class Meta:
        model = Paper
        fields: list[str] = []

    def filter_updated_since(self, queryset: QuerySet, name: str, value) -> QuerySet:
        try:
            value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValidationError({"updated_since": ["This time is out of range."]}) from None
        return queryset.filter(updated_at__gte=value)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.paper_search(queryset, value)

    def _tag_statuses(self) -> list[str]:
        status = self.form.cleaned_data.get("tag_status")
        return [status] if status else [TagStatus.SUGGESTED, TagStatus.CONFIRMED]

    def filter_mechanism(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        statuses = self._tag_statuses()
        for slug in dict.fromkeys(value):
            queryset = queryset.filter(
                Exists(
                    Tag.objects.filter(
                        paper=OuterRef("pk"), mechanism__slug=slug, status__in=statuses
                    )
                )
            )
        return queryset

    def filter_tag_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if self.form.cleaned_data.get("mechanism"):
            return queryset  # applied inside filter_mechanism
        return queryset.filter(Exists(Tag.objects.filter(paper=OuterRef("pk"), status=value)))

    def _facet(self, queryset: QuerySet, kind: str, values: list[str]) -> QuerySet:
        return queryset.filter(
            Exists(PaperFacet.objects.filter(paper=OuterRef("pk"), kind=kind, value__in=values))
        )

    def filter_cell_source(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return self._facet(queryset, FacetKind.CELL_SOURCE, value)

    def filter_model(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return self._facet(queryset, FacetKind.MODEL, value)

    def filter_journal(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(
            Q(journal__iso_abbreviation__iexact=value)
            | Q(journal__title__iexact=value)
            | Q(journal__medline_ta__iexact=value)
            | Q(journal__issn=value)
            | Q(journal__issn_linking=value)
        )
