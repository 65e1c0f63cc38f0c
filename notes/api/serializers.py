"""Serializers for notes and the preview."""

from __future__ import annotations

from rest_framework import serializers

from curation.models import Paper
from notes.models import Note, Visibility
from notes.render import MAX_NOTE_LENGTH, note_length
from notes.services import normalize_body


def validate_note_body(value: str) -> str:
    length = note_length(normalize_body(value))
    if length > MAX_NOTE_LENGTH:
        raise serializers.ValidationError(
            f"Notes are limited to {MAX_NOTE_LENGTH} characters; this one has {length}.",
            code="too_long",
        )
    return value


class NoteSerializer(serializers.ModelSerializer):
    paper = serializers.SlugRelatedField(
        slug_field="pmid", queryset=Paper.objects.active(), help_text="The paper's PMID."
    )
    author = serializers.CharField(source="author.get_username", read_only=True)
    body = serializers.CharField(
        max_length=4 * MAX_NOTE_LENGTH,
        trim_whitespace=False,
        validators=[validate_note_body],
        help_text=f"Markdown, at most {MAX_NOTE_LENGTH} characters (Unicode code points).",
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    html = serializers.CharField(read_only=True, help_text="The sanitized rendering.")
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "paper",
            "author",
            "body",
            "html",
            "visibility",
            "is_mine",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_is_mine(self, note: Note) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_authenticated and note.author_id == request.user.pk)


class NoteUpdateSerializer(NoteSerializer):
    """Edits change the text or visibility; a note never moves to another paper."""

    paper = serializers.IntegerField(source="paper.pmid", read_only=True)


class NotePreviewRequestSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=4 * MAX_NOTE_LENGTH,
        trim_whitespace=False,
        allow_blank=True,
        validators=[validate_note_body],
    )


class NotePreviewSerializer(serializers.Serializer):
    html = serializers.CharField()
    remaining = serializers.IntegerField()
