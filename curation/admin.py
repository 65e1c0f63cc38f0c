from __future__ import annotations

from django.contrib import admin

from curation.models import (
    Author,
    Feed,
    ImportRun,
    Journal,
    Mechanism,
    Paper,
    PaperFacet,
    PublicationType,
    Tag,
    TagEvent,
)


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    list_display = ["title", "iso_abbreviation", "issn", "issn_linking", "nlm_unique_id", "country"]
    list_filter = ["country"]
    search_fields = ["title", "iso_abbreviation", "medline_ta", "issn", "issn_linking", "=key"]


@admin.register(PublicationType)
class PublicationTypeAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class AuthorInline(admin.TabularInline):
    model = Author
    extra = 0
    fields = ["position", "last_name", "fore_name", "initials", "collective_name", "orcid"]


class TagInline(admin.TabularInline):
    model = Tag
    extra = 0
    fields = ["mechanism", "status", "source", "score", "decided_by", "decided_at"]
    readonly_fields = ["decided_by", "decided_at"]


class FacetInline(admin.TabularInline):
    model = PaperFacet
    extra = 0
    fields = ["kind", "value", "tagger_version"]
    readonly_fields = ["tagger_version"]


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = [
        "pmid",
        "short_title",
        "journal",
        "pub_year",
        "is_retracted",
        "is_relevant",
        "updated_at",
    ]
    list_filter = [
        "is_retracted",
        "is_relevant",
        "source_format",
        "pub_date_precision",
        "publication_types",
        ("deleted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["=pmid", "doi", "pmcid", "title"]
    raw_id_fields = ["journal"]
    filter_horizontal = ["publication_types"]
    date_hierarchy = "pub_date"
    readonly_fields = ["content_hash", "created_at", "tagger_version", "source"]
    inlines = [AuthorInline, TagInline, FacetInline]
    list_select_related = ["journal"]
    show_full_result_count = False

    @admin.display(description="title", ordering="title")
    def short_title(self, paper: Paper) -> str:
        return paper.title[:90]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fore_name", "orcid", "paper", "position"]
    search_fields = ["last_name", "fore_name", "collective_name", "=orcid", "=paper__pmid"]
    raw_id_fields = ["paper"]
    list_select_related = ["paper"]
    show_full_result_count = False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "refresh_interval", "last_success_at", "synced_until"]
    list_filter = ["is_active"]
    search_fields = ["name", "query"]
    readonly_fields = ["last_success_at", "synced_until", "created_by", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "status",
        "feed",
        "created",
        "updated",
        "unchanged",
        "failed",
        "requests",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status", "feed"]
    search_fields = ["source", "error"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(Mechanism)
class MechanismAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["paper", "mechanism", "status", "source", "score", "decided_by", "decided_at"]
    list_filter = ["status", "source", "mechanism", "tagger_version"]
    search_fields = ["=paper__pmid", "paper__title"]
    raw_id_fields = ["paper", "decided_by"]
    list_select_related = ["paper", "mechanism", "decided_by"]
    show_full_result_count = False


@admin.register(TagEvent)
class TagEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "paper",
        "mechanism",
        "action",
        "from_status",
        "to_status",
        "user",
    ]
    list_filter = ["action", "mechanism"]
    search_fields = ["=paper__pmid", "comment"]
    raw_id_fields = ["paper", "user"]
    list_select_related = ["paper", "mechanism", "user"]


@admin.register(PaperFacet)
class PaperFacetAdmin(admin.ModelAdmin):
    list_display = ["paper", "kind", "value", "tagger_version"]
    list_filter = ["kind", "value"]
    search_fields = ["=paper__pmid"]
    raw_id_fields = ["paper"]
