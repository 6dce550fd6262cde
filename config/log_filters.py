"""Keeps the keys in links out of the log.

Several links are their own key: whoever holds the link may use it, with no
login (the registration manage link, the panel response link, the private
calendar feed, the attendance scan, the bank-account confirmation, allauth's
e-mail confirmation and password reset). Django logs the path of every 4xx
and 5xx answer ("Not Found: /aanmelden/wijzigen/<token>/") and runserver logs
every request line, so a mistyped, expired or probed link would put a key, or
an invitation code in a query string, in the log. Logs hold ids, never
secrets: this filter blanks the secret path segment and every query value,
and leaves the rest of the line for whoever reads the log.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from django.http import HttpRequest, QueryDict

# URL-safe, so that a path stays as it was, only without its key.
REDACTED = "REDACTED"

# The path before each secret segment. tests/test_log_redaction.py
# walks every URL pattern and fails when one with a secret argument (token,
# key, uidb36) is missing here.
SECRET_PATH_PREFIXES = (
    "aanmelden/wijzigen/",  # participants: register_manage*
    "deelnemen/",  # participants: panel_respond
    "agenda/",  # sessions: private_feed (agenda/<token>.ics)
    "scan/",  # participants: attendance_scan
    "bankrekening/bevestigen/",  # participants: bank account confirmation
    "confirm-email/",  # allauth
    "password/reset/key/",  # allauth (<uidb36>-<key>)
)

SECRET_LINK = re.compile(
    r"(?<![\w-])(?P<prefix>"
    + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES)
    # Lazy, so that the calendar feed keeps its ".ics".
    + r")(?P<secret>[^/?#&\s\"'<>]+?)(?=\.ics\b|[/?#&\s\"'<>]|$)"
)
# A query string, in a path or a request line: every value goes, the names stay.
_QUERY = re.compile(r"\?(?P<query>[^#\s\"'<>]*)")

# What an HttpRequest carries of its URL, for a handler that formats the request.
_META_URLS = ("PATH_INFO", "SCRIPT_URL", "REQUEST_URI", "RAW_URI", "HTTP_REFERER")


def redact(text: str) -> str:
    """The text with the secret segments of known links and all query values blanked."""
    if "/" not in text and "?" not in text:
        return text
    text = SECRET_LINK.sub(lambda m: m["prefix"] + REDACTED, text)
    return _QUERY.sub(lambda m: "?" + _redact_query(m["query"]), text)


def _redact_query(query: str) -> str:
    # "code=X&page=2" -> "code=REDACTED&page=REDACTED"; a bare "?X" may be a code too.
    parts = re.split(r"([&;])", query)
    return "".join(
        part
        if part in ("&", ";", "")
        else (part.partition("=")[0] + "=" + REDACTED if "=" in part else REDACTED)
        for part in parts
    )


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def _redacted_request(request: HttpRequest) -> HttpRequest:
    # A copy: the request may still be in use (middleware, the response).
    safe = copy.copy(request)
    safe.path = redact(request.path)
    safe.path_info = redact(request.path_info)
    meta = dict(request.META)
    for key in _META_URLS:
        if isinstance(meta.get(key), str):
            meta[key] = redact(meta[key])
    if meta.get("QUERY_STRING"):
        meta["QUERY_STRING"] = _redact_query(meta["QUERY_STRING"])
    safe.META = meta
    safe.GET = QueryDict(meta.get("QUERY_STRING", ""))
    return safe


class RedactSecrets(logging.Filter):
    """Blanks link keys and query values in a record's message, arguments,
    traceback and request. It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact(record)
        except Exception:  # a filter that raises would fail the request that logs
            record.msg, record.args = "log record dropped: it could not be redacted", ()
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(arg) for key, arg in record.args.items()}
        if isinstance(record.msg, str) and redact(record.msg) != record.msg:
            # The template itself holds a key; redacting it could break its
            # %-placeholders, so the formatted message replaces it.
            record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text: set it once, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            # Not an attribute LogRecord declares: Django adds it through `extra`.
            setattr(record, "request", _redacted_request(request))  # noqa: B010
