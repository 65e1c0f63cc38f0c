"""Citation formats as DRF renderers, chosen by ?format= or the Accept header."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from rest_framework.renderers import BaseRenderer

from curation import citations
from curation.records import PaperRecord

Pairs = Iterable[tuple[PaperRecord, citations.Extras | None]]


class CitationRenderer(BaseRenderer):
    """Render papers' records; the view streams lists through :meth:`stream`."""

    charset = "utf-8"
    extension = ""
    document: Callable[[Pairs], Iterator[str]]
    # Whether the format shows authors' affiliations (reading them is a tenth of an export)
    # and MeSH headings (reading and building them, some 10 a paper, costs as much).
    uses_affiliations = False
    uses_mesh = False

    def stream(self, pairs: Pairs) -> Iterator[bytes]:
        for chunk in type(self).document(pairs):
            yield chunk.encode("utf-8")

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        # Errors (a 404, a bad filter) reach a citation renderer as the API's error body;
        # give them as plain text rather than pretending they are citations.
        if isinstance(data, dict):
            return (data.get("detail") or str(data)).encode("utf-8")
        return b"".join(self.stream(data or []))


class RISRenderer(CitationRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"
    extension = "ris"
    document = staticmethod(citations.ris_document)


class BibTeXRenderer(CitationRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    extension = "bib"
    document = staticmethod(citations.bibtex_document)


class CSLJSONRenderer(CitationRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csljson"
    extension = "json"
    document = staticmethod(citations.csl_json_document)


class MedlineRenderer(CitationRenderer):
    media_type = "application/nbib"
    format = "nbib"
    extension = "nbib"
    document = staticmethod(citations.medline_document)
    uses_affiliations = True
    uses_mesh = True


CITATION_RENDERERS = (RISRenderer, BibTeXRenderer, CSLJSONRenderer, MedlineRenderer)
