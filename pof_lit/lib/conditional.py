"""Conditional GET: ETag and Last-Modified validators, and 304 answers."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date


def make_etag(*parts: object) -> str:
    """Return a strong ETag (quoted) from the parts that decide a response's content."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f'"{digest[:32]}"'


def not_modified(
    request: HttpRequest, *, etag: str, last_modified: dt.datetime | None
) -> HttpResponseBase | None:
    """Return a 304 (or 412) response when the client's copy is current, else None."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is not None:
        set_validators(response, etag=etag, last_modified=last_modified)
    return response


def set_validators(
    response: HttpResponseBase, *, etag: str, last_modified: dt.datetime | None
) -> HttpResponseBase:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    # Answers differ by format and by who asks (notes); caches must key on both.
    response["Vary"] = "Accept, Authorization, Cookie"
    return response
