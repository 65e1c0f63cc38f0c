"""Template filters for papers."""

from __future__ import annotations

import bleach
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The parser builds titles and abstracts from escaped text plus these five tags only;
# cleaning again on output keeps that promise even for rows written by an older parser.
_INLINE = bleach.sanitizer.Cleaner(
    tags={"i", "b", "u", "sup", "sub"}, attributes={}, protocols=set(), strip=True
)


@register.filter
def inline_html(value: str) -> SafeString:
    """Return PubMed inline markup (italics, super/subscripts) safe to insert in a page."""
    return mark_safe(_INLINE.clean(value or ""))
