"""The session engine (config/session_store.py): one INSERT per new session, and a
taken key still never hands over someone else's session."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import session_store
from config.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_sites_session_engine() -> None:
    assert settings.SESSION_ENGINE == "config.session_store"


def test_it_starts_a_session_without_looking_the_key_up_first() -> None:
    session = SessionStore()
    session["registration"] = {"invitation_id": 1, "steps": {}}
    with CaptureQueriesContext(connection) as queries:
        session.save()
    statements = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("INSERT")
    assert len(session.session_key or "") == 32
    assert SessionStore(session.session_key)["registration"] == {"invitation_id": 1, "steps": {}}


def test_it_draws_another_key_when_the_first_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    first = SessionStore()
    first["registration"] = {"invitation_id": 1, "steps": {}}
    first.save()
    taken = first.session_key
    assert taken is not None
    keys = iter([taken, "n" * 32])
    monkeypatch.setattr(session_store, "get_random_string", lambda length, chars: next(keys))

    second = SessionStore()
    second["registration"] = {"invitation_id": 2, "steps": {}}
    second.save()

    assert second.session_key == "n" * 32
    assert SessionStore(taken)["registration"] == {"invitation_id": 1, "steps": {}}
    assert SessionStore("n" * 32)["registration"] == {"invitation_id": 2, "steps": {}}
    assert Session.objects.count() == 2
