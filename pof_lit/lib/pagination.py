"""Keyset cursor pagination: stable pages while new rows arrive, with RFC 8288 Link headers.

DRF's CursorPagination keeps only the first ordering field in its cursor and falls back to
an offset among ties, so pages shift when papers sharing a publication date arrive. Here
the cursor holds the last row's whole sort key (a field plus the primary key), and the next
page is "everything after that key", which new rows cannot disturb.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass(frozen=True)
class SortKey:
    """Order by ``field`` (ascending unless ``descending``) then by primary key, same direction."""

    name: str
    field: str
    descending: bool
    kind: str = "date"  # how cursor values are encoded: "date", "datetime" or "int"
    # For a field that may be NULL: the value NULL sorts as (below every real one), so
    # the order is one expression an index can hold and a cursor can seek into.
    missing: Any = None

    def expression(self) -> Coalesce | F:
        return F(self.field) if self.missing is None else Coalesce(self.field, Value(self.missing))


# Bumped when the order or the cursor's content changes: older cursors answer 404.
CURSOR_VERSION = 2


class KeysetPagination(BasePagination):
    page_size = 25
    max_page_size = 1000
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    sort_keys: dict[str, SortKey] = {}
    default_ordering = ""

    def ordering_for(self, request) -> SortKey:
        name = request.query_params.get(self.ordering_query_param) or self.default_ordering
        try:
            return self.sort_keys[name]
        except KeyError:
            allowed = ", ".join(sorted(self.sort_keys))
            raise ValidationError({"ordering": [f"Use one of: {allowed}."]}) from None

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": ["A whole number, please."]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [f"Between 1 and {self.max_page_size}, please."]})
        return size

    # Cursor values travel as JSON; dates become ISO strings.
    def _encode(self, key: SortKey, value: Any, pk: int) -> str:
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        payload = json.dumps(
            {"n": CURSOR_VERSION, "o": key.name, "v": value, "pk": pk}, separators=(",", ":")
        )
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _decode(self, key: SortKey, cursor: str) -> tuple[Any, int]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if payload.get("n") != CURSOR_VERSION or payload["o"] != key.name:
                raise ValueError("cursor made for another ordering or version")
            value, pk = payload["v"], int(payload["pk"])
            if value is not None:
                if key.kind == "date":
                    value = dt.date.fromisoformat(value)
                elif key.kind == "datetime":
                    value = dt.datetime.fromisoformat(value)
                else:
                    value = int(value)
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            raise NotFound("Invalid cursor: start again from the first page.") from None
        return value, pk

    def _after(self, queryset: QuerySet, key: SortKey, value: Any, pk: int) -> RawSQL:
        """Return the filter for rows strictly after (value, pk) in this order.

        A row comparison, ``(sort value, pk) < (value, pk)``, which PostgreSQL answers by
        seeking into the index of the order: every page of a harvest costs the same, where
        an OR of comparisons made page N walk the N pages before it.
        """
        model = queryset.model
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column = f"{table}.{quote(model._meta.get_field(key.field).column)}"
        params: list[Any] = []
        if key.missing is not None:
            column = f"COALESCE({column}, %s)"
            params.append(key.missing)
            if value is None:
                value = key.missing
        operator = "<" if key.descending else ">"
        sql = f"({column}, {table}.{quote(model._meta.pk.column)}) {operator} (%s, %s)"
        return RawSQL(sql, (*params, value, pk), output_field=BooleanField())

    def order(self, queryset: QuerySet, key: SortKey) -> QuerySet:
        sort = key.expression()
        if key.descending:
            return queryset.order_by(sort.desc(), F("pk").desc())
        return queryset.order_by(sort.asc(), F("pk").asc())

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        self.key = self.ordering_for(request)
        self.size = self.get_page_size(request)
        queryset = self.order(queryset, self.key)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            value, pk = self._decode(self.key, cursor)
            queryset = queryset.filter(self._after(queryset, self.key, value, pk))
        rows = rows_by_ids(queryset, 0, self.size + 1)
        self.has_next = len(rows) > self.size
        self.page = rows[: self.size]
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        last = self.page[-1]
        value = getattr(last, self.key.field)
        url = self.request.build_absolute_uri()
        return replace_query_param(
            url, self.cursor_query_param, self._encode(self.key, value, last.pk)
        )

    def get_first_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def link_header(self) -> str:
        links = [f'<{self.get_first_link()}>; rel="first"']
        next_link = self.get_next_link()
        if next_link:
            links.append(f'<{next_link}>; rel="next"')
        return ", ".join(links)

    def get_paginated_response(self, data) -> Response:
        response = Response(OrderedDict([("next", self.get_next_link()), ("results", data)]))
        response["Link"] = self.link_header()
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (1-{self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": "Sort order.",
                "schema": {"type": "string", "enum": sorted(self.sort_keys)},
            },
        ]


def rows_by_ids(queryset: QuerySet, start: int, stop: int) -> list:
    """Return ``queryset[start:stop]``: the ids of those rows first, then the rows.

    Every match of a search or filter then goes through the order as an id and its sort
    key, not as a wide row joined to its relations (a search for a common word orders
    thousands of matches to show 20). One query more, whatever the page size.
    """
    ids = list(queryset.prefetch_related(None).values_list("pk", flat=True)[start:stop])
    return list(queryset.filter(pk__in=ids)) if ids else []
