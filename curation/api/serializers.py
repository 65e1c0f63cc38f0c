"""Serializers for papers, tags, mechanisms, feeds and runs (explicit fields only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curation.models import Author, Journal, Paper


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


class PaperSerializer(serializers.ModelSerializer):
    """A paper as the foundation issue names its fields; later additions only add fields."""

    journal = JournalSerializer(allow_null=True)
    authors = AuthorSerializer(many=True)
    abstract_sections = AbstractSectionSerializer(many=True)
    mesh_headings = MeshHeadingSerializer(many=True)
    keywords = serializers.ListField(child=serializers.CharField())
    pub_date = serializers.SerializerMethodField()
    language = serializers.CharField()
    publication_types = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
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

    @extend_schema_field({"type": "string", "nullable": True, "example": "2022-08-12"})
    def get_pub_date(self, paper: Paper) -> str | None:
        """Return the date as ISO 8601 cut to its precision: "2022", "2022-08" or "2022-08-12"."""
        if paper.pub_date is None:
            return None
        length = {"year": 4, "month": 7, "day": 10}.get(paper.pub_date_precision, 4)
        return paper.pub_date.isoformat()[:length]
