"""Model fields shared by the apps."""

from __future__ import annotations

import orjson
from django.db import models

from pof_lit.lib.fastjson import JSONDecoder


class JSONField(models.JSONField):
    """A JSONField whose values are read by orjson straight from the column.

    ``models.JSONField`` reads every value through ``json.loads(value, cls=decoder)``:
    even with ``fastjson.JSONDecoder`` that call cost four times the parsing itself, and
    a page of 100 papers reads some 1,300 values (abstract sections, MeSH headings,
    affiliations, evidence). Values orjson refuses (``NaN``) are read as before; a field
    given another decoder keeps it.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("decoder", JSONDecoder)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # Migrations see Django's own field: how values are read changes nothing in the
        # database, and a field class of our own made SQLite rebuild every table holding one.
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs

    def from_db_value(self, value, expression, connection):
        if self.decoder is JSONDecoder and isinstance(value, str):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().from_db_value(value, expression, connection)
