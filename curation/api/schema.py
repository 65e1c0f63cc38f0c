"""OpenAPI post-processing for what drf-spectacular cannot infer."""

from __future__ import annotations

CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
CSL_ITEMS = {
    "type": "array",
    "description": "CSL-JSON items (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html).",
    "items": {"type": "object", "additionalProperties": True},
}


def unwrap_citation_lists(result: dict, generator, request, public) -> dict:
    """Describe exported lists as the bare documents they are, not as paginated JSON.

    drf-spectacular wraps every media type of a list action in the pagination envelope;
    a CSL-JSON export is a plain array of items (the next page is in the Link header).
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            if CSL_MEDIA_TYPE in content:
                content[CSL_MEDIA_TYPE]["schema"] = CSL_ITEMS
    return result
