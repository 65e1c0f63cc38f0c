"""JSON columns read back with orjson (``pof_lit.lib.renderers`` writes answers).

A page of 100 papers from ``/api/papers/`` is some 800 kB of JSON and reads some 1,400
JSON values from the database (abstract sections, MeSH headings, affiliations, evidence);
with the standard library those two took a third of the page's CPU. orjson writes and
reads the same JSON several times faster. What it cannot take goes to the standard
library as before: stored JSON that is not strict (``NaN``) here, and in the renderer an
answer asking for indentation or holding a type orjson does not know. No Django or DRF
here: migrations name this module's decoder.
"""

from __future__ import annotations

import json

import orjson


class JSONDecoder(json.JSONDecoder):
    """A ``JSONField(decoder=...)`` that reads with orjson.

    ``json.loads`` builds a decoder for every value it reads: this one sets nothing up.
    """

    def __init__(self, *args, **kwargs) -> None:
        pass

    def decode(self, s, _w=None):
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return json.loads(s)
