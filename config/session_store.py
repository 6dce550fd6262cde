"""Django's database sessions, one query cheaper when a session starts.

Django's ``SessionStore`` looks a new random key up (``SELECT ... LIMIT 1``)
before it inserts it. The insert is made with ``must_create``: a key that is
taken fails on the primary key, and ``create()`` draws another one. The look-up
adds nothing to that but a query on every new session, and every citizen who
enters their code starts one (bench/registration.py). Keys stay 32 characters
from Django's alphabet (about 165 bits), drawn with ``secrets``.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
