"""The logs of a whole test run hold ids, never names, e-mail addresses,
IBANs or answers (issue 10, AVG).

A pytest plugin: while the suite runs it keeps every log record the project
writes (the root logger, as in production) and every personal value the tests
create (names, e-mail addresses, phone numbers and free-text answers of
users, residents and registrations, caught by a signal on save). At the end
it looks for those values, and for anything shaped like an e-mail address or
an IBAN, in the log. A find fails the run and names the logger.

Secrets too: an invitation code, a new IBAN waiting for confirmation, and the
key of a link that is its own key (config/log_filters.py: "Not Found:
/aanmelden/wijzigen/<token>/" must reach the log with the key blanked).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from config.log_filters import REDACTED, SECRET_LINK

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z]{4}\d{10}\b")
# Shorter values are too often ordinary words or numbers to mean anything.
MIN_LENGTH = 6
# Loggers of the tests' own machinery, not of the software: aiosmtpd is the
# SMTP server the service tier runs in-process (production talks to a real one).
NOT_OURS = ("mail.log",)

_records: list[tuple[str, str]] = []
_personal: set[str] = set()


class _Keep(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(NOT_OURS):
            return
        try:
            _records.append((record.name, record.getMessage()))
        except Exception:  # a malformed record is the caller's bug, not ours to hide here
            _records.append((record.name, str(record.msg)))


def _remember(instance: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        value = getattr(instance, name, "")
        if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
            _personal.add(value.strip())


def _on_save(sender: type, instance: Any, **kwargs: Any) -> None:
    label = sender._meta.label
    if label == "assembly.User":
        _remember(instance, ("email", "full_name"))
    elif label == "participants.Resident":
        _remember(instance, ("given_names", "surname", "email", "street", "person_ref"))
    elif label == "participants.Registration":
        _remember(instance, ("full_name", "email", "phone", "needs_other", "diet"))
    elif label == "participants.BankAccount":
        _remember(instance, ("iban", "holder_name", "pending_iban", "pending_holder_name"))
    elif label == "participants.Invitation":
        _remember(instance, ("code",))
    elif label == "participants.ExpenseClaim":
        _remember(instance, ("description", "message"))
    elif label == "participants.ClaimEvent":
        _remember(instance, ("message",))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    from django.db.models.signals import post_save

    post_save.connect(_on_save, weak=False, dispatch_uid="log-privacy")
    logging.getLogger().addHandler(_Keep(level=logging.DEBUG))


def offending_lines() -> list[str]:
    found = []
    for logger_name, message in _records:
        if EMAIL.search(message) or IBAN.search(message):
            found.append(f"{logger_name}: {message[:200]}")
            continue
        if any(m["secret"] != REDACTED for m in SECRET_LINK.finditer(message)):
            found.append(f"{logger_name}: the key of a link in a {len(message)}-character message")
            continue
        for value in _personal:
            if value in message:
                found.append(f"{logger_name}: contains a personal value ({len(value)} chars)")
                break
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _records:
        return
    found = offending_lines()
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = "\n".join(found[:20])
        message = f"\nPersonal data in the log ({len(found)} records):\n{lines}\n"
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
