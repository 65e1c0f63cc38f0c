"""orjson writes the API's answers and reads the JSON columns exactly as the standard library."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from pof_lit.lib.fastjson import JSONDecoder
from pof_lit.lib.renderers import JSONRenderer
from tests.factories import make_papers, paper_record

pytestmark = pytest.mark.django_db


def _both(data, media_type="application/json") -> tuple[bytes, bytes]:
    return (
        JSONRenderer().render(data, media_type, {}),
        renderers.JSONRenderer().render(data, media_type, {}),
    )


def test_a_page_of_papers_is_written_byte_for_byte_as_drf_writes_it(client):
    make_papers(*(paper_record() for _ in range(3)))
    data = client.get("/api/papers/", HTTP_ACCEPT="application/json").json()

    ours, drf = _both(data)

    assert ours == drf
    assert json.loads(ours)["results"]


def test_what_orjson_would_write_its_own_way_is_written_as_drf_does():
    moment = dt.datetime(2026, 11, 25, 10, 45, 1, 123456, tzinfo=dt.UTC)
    data = {
        "moment": moment,
        "day": dt.date(2026, 11, 25),
        "time": dt.time(10, 45),
        "amount": decimal.Decimal("1.50"),
        "id": uuid.UUID(int=7),
        "lazy": gettext_lazy("Retracted"),
        "separators": "line\u2028paragraph\u2029end",
        "text": "µg/mL – “quoted” 𝑥",
        "nested": [{"score": 0.1234, "none": None, "yes": True}],
    }

    ours, drf = _both(data)

    assert ours == drf
    assert b"\\u2028" in ours
    assert json.loads(ours)["moment"] == "2026-11-25T10:45:01.123456Z"


def test_an_indented_answer_and_keys_that_are_not_text_go_to_drf():
    assert (
        _both({"a": [1, 2]}, "application/json; indent=2")[0]
        == b'{\n  "a": [\n    1,\n    2\n  ]\n}'
    )
    ours, drf = _both({1: "one"})
    assert ours == drf == b'{"1":"one"}'


def test_the_decoder_reads_what_the_standard_library_reads():
    for text in ['[{"label": "METHODS", "text": "µ"}]', "[]", '{"a": [1, 2.5, null, true]}']:
        assert json.loads(text, cls=JSONDecoder) == json.loads(text)
    assert math.isnan(json.loads("[NaN]", cls=JSONDecoder)[0])  # not strict JSON: the fallback
    with pytest.raises(json.JSONDecodeError):
        json.loads("[1,", cls=JSONDecoder)


def test_the_json_field_reads_what_djangos_json_field_reads():
    from django.db import models

    from pof_lit.lib.fields import JSONField

    ours, django = JSONField(), models.JSONField()
    for text in ['[{"label": "METHODS", "text": "µ"}]', "[]", "[NaN]", "not json", None]:
        read = ours.from_db_value(text, None, None)
        expected = django.from_db_value(text, None, None)
        if text == "[NaN]":
            assert math.isnan(read[0])  # read the standard library's way
            assert math.isnan(expected[0])
        else:
            assert read == expected
    _, path, _, kwargs = JSONField().deconstruct()
    # Migrations see Django's field with the orjson decoder: no migration, no table rebuild.
    assert (path, kwargs["decoder"]) == ("django.db.models.JSONField", JSONDecoder)
