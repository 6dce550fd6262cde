"""The log never holds the key of a link or a value from a query string
(config/log_filters.py): Django logs the path of each 4xx/5xx answer, and a
mistyped or expired link would otherwise put a working key in the log."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.core import signing
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.log_filters import REDACTED, RedactSecrets, redact
from participants.services.attendance import check_in_token
from tests.conftest import Cast

# Arguments of a URL that are a key: whoever has the link may use it.
SECRET_ARGUMENTS = {"token", "key", "uidb36"}


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def kept() -> Iterator[_Keep]:
    """Records as the handlers see them, attached to the loggers that write paths
    (django.server does not propagate)."""
    handler = _Keep()
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security.csrf")]
    server = logging.getLogger("django.server")
    for logger in loggers:
        logger.addHandler(handler)
    server.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)
    server.removeHandler(handler)


def _wrong_token() -> str:
    # Shaped like the real ones (a signed id), signed with the wrong salt.
    return signing.TimestampSigner(salt="not-the-right-one").sign("4711")


def _messages(handler: _Keep) -> list[str]:
    return [record.getMessage() for record in handler.records]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/aanmelden/wijzigen/{token}/",
        "/aanmelden/wijzigen/{token}/afmelden/",
        "/aanmelden/wijzigen/{token}/contact/",
        "/b/drugsbeleid/deelnemen/{token}/",
        "/b/drugsbeleid/agenda/{token}.ics",
    ],
)
def test_a_wrong_link_is_logged_without_its_key(kept: _Keep, path: str) -> None:
    token = _wrong_token()
    response = Client().get(path.format(token=token) + "?code=ABCD-EFGH")
    assert response.status_code == 404
    [message] = [m for m in _messages(kept) if m.startswith("Not Found")]
    assert token not in message
    assert "ABCD-EFGH" not in message
    assert message == "Not Found: " + path.format(token=REDACTED)


@pytest.mark.django_db
def test_the_request_on_the_record_has_no_key_in_its_path_query_or_referer(kept: _Keep) -> None:
    token = _wrong_token()
    Client().get(
        f"/aanmelden/wijzigen/{token}/?code=ABCD-EFGH",
        HTTP_REFERER=f"https://example.org/b/drugsbeleid/deelnemen/{token}/",
    )
    [record] = kept.records
    request = record.request  # type: ignore[attr-defined]
    assert isinstance(request, HttpRequest)
    shown = " ".join(
        [
            request.get_full_path(),
            request.path_info,
            str(request.META),
            str(request.GET),
        ]
    )
    assert token not in shown and "ABCD-EFGH" not in shown
    assert request.get_full_path() == f"/aanmelden/wijzigen/{REDACTED}/?code={REDACTED}"


@pytest.mark.django_db
def test_a_scan_with_a_wrong_key_is_logged_without_it(cast: Cast, kept: _Keep) -> None:
    client = Client()
    client.force_login(cast.users["organiser"])
    token = check_in_token(member_id=987654)
    response = client.get(f"/b/drugsbeleid/beheer/aanwezig/scan/{token}/")
    assert response.status_code == 404
    [message] = _messages(kept)
    assert token not in message
    assert message == f"Not Found: /b/drugsbeleid/beheer/aanwezig/scan/{REDACTED}/"


@pytest.mark.django_db
def test_a_refused_csrf_check_is_logged_without_the_key(kept: _Keep) -> None:
    token = _wrong_token()
    response = Client(enforce_csrf_checks=True).post(f"/aanmelden/wijzigen/{token}/afmelden/")
    assert response.status_code == 403
    [message] = _messages(kept)
    assert message.startswith("Forbidden (CSRF")
    assert token not in message
    assert message.endswith(f"/aanmelden/wijzigen/{REDACTED}/afmelden/")


def test_a_runserver_request_line_loses_its_key_and_query_values(kept: _Keep) -> None:
    token = _wrong_token()
    # As django.core.servers.basehttp.WSGIRequestHandler.log_message writes it.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /aanmelden/wijzigen/{token}/?code=ABCD-EFGH&x HTTP/1.1", "404", "12"
    )
    [message] = _messages(kept)
    assert message == (
        f'"GET /aanmelden/wijzigen/{REDACTED}/?code={REDACTED}&{REDACTED} HTTP/1.1" 404 12'
    )


def test_the_root_handler_redacts_what_other_django_loggers_write() -> None:
    # django.security.* has many children (one per SuspiciousOperation): the
    # filter on the handler covers those the logger filters do not name.
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in handler.filters)
    ]
    assert handlers, "the root console handler has no RedactSecrets filter"
    token = _wrong_token()
    stream = io.StringIO()
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(stream)
    try:
        logging.getLogger("django.security.SuspiciousFileOperation").error(
            "Refused: %s", f"/accounts/confirm-email/{token}/"
        )
    finally:
        handler.setStream(previous)
    assert token not in stream.getvalue()
    assert f"/accounts/confirm-email/{REDACTED}/" in stream.getvalue()


def test_a_traceback_loses_the_key_too() -> None:
    token = _wrong_token()
    try:
        raise LookupError(f"no such link: /b/x/deelnemen/{token}/")
    except LookupError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error",
            (),
            sys.exc_info(),
        )
    RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert token not in text
    assert f"/b/x/deelnemen/{REDACTED}/" in text


def test_it_leaves_a_path_without_a_key_alone() -> None:
    for path in (
        "/b/drugsbeleid/agenda.ics",
        "/b/drugsbeleid/beheer/deelnemers/12/stoppen/",
        "/aanmelden/stap/contact/",
        "Not Found: /b/drugsbeleid/aanbevelingen/3/",
    ):
        assert redact(path) == path


def _patterns(
    resolvers: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif entry.name:
            yield namespace + entry.name, entry


def _arguments(pattern: URLPattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def _sample(argument: str, pattern: URLPattern) -> str | int:
    converter = getattr(pattern.pattern, "converters", {}).get(argument)
    if argument in SECRET_ARGUMENTS:
        return "1a" if argument == "uidb36" else "Sekr3t-Key_9:xyz"
    if converter is not None and converter.regex == "[0-9]+":
        return 1
    if argument == "day":
        return "2027-03-06"
    return "x"


def test_every_url_with_a_key_in_its_path_is_redacted() -> None:
    """A new link that carries a key fails here until config/log_filters.py knows it."""
    checked = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        arguments = _arguments(pattern)
        if not SECRET_ARGUMENTS & set(arguments):
            continue
        path = reverse(name, kwargs={a: _sample(a, pattern) for a in arguments})
        redacted = redact(f"Not Found: {path}")
        assert "Sekr3t" not in redacted, name
        if "uidb36" in arguments:
            assert "1a-" not in redacted, name
        checked.append(name)
    # The ones known today, so the walk itself cannot silently find nothing.
    assert {
        "participants:register_manage",
        "participants:panel_respond",
        "participants:attendance_scan",
        "programme:private_feed",
        "account_confirm_email",
        "account_reset_password_from_key",
    } <= set(checked), checked


def test_a_message_template_with_a_key_keeps_its_arguments() -> None:
    token = _wrong_token()
    record = logging.LogRecord(
        "django.security.csrf",
        logging.WARNING,
        __file__,
        1,
        f"Refused /scan/{token}/ for %s",
        ("id=4",),
        None,
    )
    RedactSecrets().filter(record)
    assert record.getMessage() == f"Refused /scan/{REDACTED}/ for id=4"


def test_a_record_that_cannot_be_redacted_is_not_logged_as_it_was() -> None:
    token = _wrong_token()
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, f"/scan/{token}/ %s %s", ("one",), None
    )
    assert RedactSecrets().filter(record) is True
    assert token not in record.getMessage()
