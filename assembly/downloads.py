"""Files the browser saves rather than shows: exports, letters, reports.

Almost all of them hold personal data or unpublished work, so no shared
cache may keep a copy and the browser does not keep one either."""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponse, HttpResponseBase

PDF = "application/pdf"

_Response = TypeVar("_Response", bound=HttpResponseBase)


def private_download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    return as_private_download(HttpResponse(content, content_type=content_type), filename)


def as_private_download(response: _Response, filename: str) -> _Response:
    """The headers for a response built otherwise (streamed rows, a stored file)."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
