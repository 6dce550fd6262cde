"""The session engine (config/session_store.py): one INSERT per new session, and a
taken key still never hands over someone else's session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import session_store
from config.session_store import SessionStore

pytestmark = pytest.mark.django_db


def _saved_session(invitation_id: int) -> SessionStore:
    session = SessionStore()
    session["registration"] = {"invitation_id": invitation_id, "steps": {}}
    session.save()
    return session


def _next_keys_are(monkeypatch: pytest.MonkeyPatch, *keys: str | None) -> None:
    drawn = iter(keys)
    monkeypatch.setattr(session_store, "new_session_key", lambda: next(drawn))


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
    taken = _saved_session(1).session_key
    assert taken is not None
    _next_keys_are(monkeypatch, taken, "n" * 32)

    second = _saved_session(2)

    assert second.session_key == "n" * 32
    assert SessionStore(taken)["registration"] == {"invitation_id": 1, "steps": {}}
    assert SessionStore("n" * 32)["registration"] == {"invitation_id": 2, "steps": {}}
    assert Session.objects.count() == 2


def test_it_draws_keys_from_djangos_alphabet_evenly(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [session_store.new_session_key() for _ in range(300)]
    assert len(set(keys)) == 300
    assert all(len(key) == 32 and set(key) <= set(VALID_KEY_CHARS) for key in keys)
    assert set("".join(keys)) == set(VALID_KEY_CHARS)
    # Bytes from 252 (7 x 36) up are drawn again: as "byte % 36" they would
    # make the first four symbols more likely than the rest.
    drawn = iter([bytes([252, 253, 254, 255, *range(36)]), bytes(range(36, 72))])
    monkeypatch.setattr(session_store.secrets, "token_bytes", lambda _n: next(drawn))
    assert session_store.new_session_key() == VALID_KEY_CHARS[:32]


def test_it_writes_changes_to_the_same_session_and_reads_them_back() -> None:
    key = _saved_session(1).session_key
    again = SessionStore(key)
    again["registration"] = {"invitation_id": 1, "steps": {"toestemming": {"consent": ["on"]}}}
    again.set_expiry(3600)
    with CaptureQueriesContext(connection) as queries:
        again.save()
    statements = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert [sql.split()[0] for sql in statements] == ["UPDATE"]
    assert again.session_key == key
    stored = Session.objects.get(session_key=key)
    assert 3500 < (stored.expire_date - timezone.now()).total_seconds() <= 3600
    assert SessionStore(key)["registration"]["steps"] == {"toestemming": {"consent": ["on"]}}


def test_a_session_deleted_meanwhile_is_not_written_again() -> None:
    # Another tab logged out (or the daily clean-up ran): Django's middleware
    # answers UpdateError with "session interrupted" instead of reviving it.
    loaded = SessionStore(_saved_session(1).session_key)
    loaded["registration"] = {"invitation_id": 2, "steps": {}}
    Session.objects.all().delete()
    with pytest.raises(UpdateError):
        loaded.save()
    assert not Session.objects.exists()


def test_an_expired_session_reads_as_empty_and_gets_a_new_key() -> None:
    old = _saved_session(1).session_key
    Session.objects.filter(session_key=old).update(expire_date=timezone.now())
    expired = SessionStore(old)
    assert expired.get("registration") is None
    expired["registration"] = {"invitation_id": 2, "steps": {}}
    expired.save()
    assert expired.session_key != old


@pytest.mark.django_db(transaction=True)
def test_a_taken_key_outside_a_transaction_leaves_the_connection_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _saved_session(1)
    _next_keys_are(monkeypatch, first.session_key, "m" * 32)
    assert not connection.in_atomic_block
    second = _saved_session(2)
    assert second.session_key == "m" * 32
    assert Session.objects.count() == 2
    assert SessionStore(first.session_key)["registration"]["invitation_id"] == 1


def test_a_naive_expiry_means_local_time_as_in_a_model_save() -> None:
    session = SessionStore()
    session["registration"] = {"invitation_id": 1, "steps": {}}
    session.set_expiry(dt.datetime(2027, 1, 15, 12, 0))
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        session.save()
    stored = Session.objects.get(session_key=session.session_key).expire_date
    assert stored == timezone.make_aware(dt.datetime(2027, 1, 15, 12, 0))  # 11:00 UTC


def test_it_reads_a_key_given_as_a_string_subclass() -> None:
    session = _saved_session(1)

    class Key(str):  # as SafeString, which some code paths hand over
        pass

    assert SessionStore(Key(session.session_key))["registration"]["invitation_id"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_taken_key_in_a_hand_made_transaction_does_not_break_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _next_keys_are(monkeypatch, _saved_session(1).session_key, "p" * 32)
    transaction.set_autocommit(False)
    try:
        second = _saved_session(2)
        transaction.commit()
    finally:
        transaction.set_autocommit(True)
    assert second.session_key == "p" * 32
    assert Session.objects.count() == 2
