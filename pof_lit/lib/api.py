"""One error body for every API error: ``{"status", "code", "detail", "fields"}``."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(codes: Any) -> str:
    while isinstance(codes, (list, dict)):
        if not codes:
            return "invalid"
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Shape DRF's error responses into the project's single error body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        fields = _flatten(exc.detail)
        non_field = fields.pop("non_field_errors", None)
        messages = list(non_field or [])
        for name, value in fields.items():
            first = value[0] if isinstance(value, list) and value else value
            if isinstance(first, str):
                messages.append(f"{name}: {first}")
        detail = " ".join(messages) or "Some fields are not valid."
        code = _first_code(exc.get_codes())
    elif isinstance(exc, exceptions.ValidationError):
        messages = _flatten(exc.detail)
        detail = " ".join(messages) if isinstance(messages, list) else str(messages)
        code = _first_code(exc.get_codes())
    elif isinstance(exc, exceptions.APIException):
        detail = str(exc.detail)
        code = _first_code(exc.get_codes())
    else:
        detail = str(response.data.get("detail", "Request failed."))
        code = "not_found" if response.status_code == status.HTTP_404_NOT_FOUND else "error"
    response.data = {
        "status": response.status_code,
        "code": code,
        "detail": detail,
        "fields": fields,
    }
    return response
