"""The API's JSON renderer: DRF's, its output written by orjson.

Its own module: DRF reads ``DEFAULT_RENDERER_CLASSES`` while ``rest_framework.views`` is
imported, so this must not import that.
"""

from __future__ import annotations

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

_DRF_DEFAULT = encoders.JSONEncoder().default
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, its compact UTF-8 output written by orjson.

    A page of 100 papers is some 800 kB of JSON: orjson writes it several times faster.
    An answer asking for indentation, or holding what neither orjson nor DRF's encoder
    knows, goes to DRF's own renderer.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) or not (
            self.compact and not self.ensure_ascii
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            # Dates and dataclasses as DRF writes them ("...Z"), not orjson's own way.
            answer = orjson.dumps(data, default=_DRF_DEFAULT, option=_PASSTHROUGH)
        except TypeError:  # what neither knows, or keys that are not strings
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: U+2028 and U+2029 are valid JSON but end a line in JavaScript.
        return answer.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
