"""Django's database sessions, cheaper on the pages every citizen opens.

Every citizen who enters their code starts a session, and every registration
step reads it. Measured by bench/registration_cpu.py, Django's own store spent
more on building its queries than on running them. Here:

- A new key is drawn from one call to ``secrets``: 32 characters from
  Django's alphabet (about 165 bits), without bias. Django draws each
  character with its own call.
- No look-up before the insert (Django's ``SELECT ... LIMIT 1``): the insert
  is made with ``must_create``, a key that is taken fails on the primary key,
  and ``create()`` draws another one.
- Reading a session runs a query compiled once per process
  (``assembly.compiled``); whether it has expired is decided here rather than
  in SQL, by the same rule (expiry after now).
- Writing a session is one INSERT or UPDATE written out here, not a model
  save. In autocommit the statement is its own transaction; inside one it
  gets a savepoint, as Django's ``transaction.atomic`` gives it.
"""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from assembly.compiled import CompiledLookup

KEY_LENGTH = 32
# The largest multiple of the alphabet's length below 256: bytes from here on
# are drawn again, so that every character is equally likely.
_UNBIASED_BELOW = 256 - 256 % len(VALID_KEY_CHARS)

_BY_KEY = CompiledLookup(
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date")[
        :1
    ],
    str,
)


def new_session_key() -> str:
    chars: list[str] = []
    while len(chars) < KEY_LENGTH:
        chars.extend(
            VALID_KEY_CHARS[byte % len(VALID_KEY_CHARS)]
            for byte in secrets.token_bytes(KEY_LENGTH + 8)
            if byte < _UNBIASED_BELOW
        )
    return "".join(chars[:KEY_LENGTH])


def _statements(using: str) -> tuple[str, str]:
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(Session._meta.db_table)
    columns = {field.name: str(field.column) for field in Session._meta.concrete_fields}
    key, data, expires = (
        quote(columns[name]) for name in ("session_key", "session_data", "expire_date")
    )
    # Names from the model, quoted by the database's own rules; values are
    # always parameters.
    return (
        f"INSERT INTO {table} ({key}, {data}, {expires}) VALUES (%s, %s, %s)",  # noqa: S608
        f"UPDATE {table} SET {data} = %s, {expires} = %s WHERE {key} = %s",  # noqa: S608
    )


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        return new_session_key()

    async def _aget_new_session_key(self) -> str:
        return new_session_key()

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        rows = _BY_KEY.rows(key) if isinstance(key, str) else []
        if isinstance(key, str) and rows and rows[0][1] > timezone.now():
            session_data, expire_date = rows[0]
            return Session(session_key=key, session_data=session_data, expire_date=expire_date)
        self._session_key = None
        return None

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        # As Django's own save(): the data as it stands, not loaded anew for a new row.
        data = self.encode(self._get_session(no_load=must_create))  # type: ignore[attr-defined]
        using = router.db_for_write(Session)
        connection = connections[using]
        # Through the field, as a model save does: a naive expiry means local time.
        expires = Session._meta.get_field("expire_date").get_db_prep_value(
            self.get_expiry_date(), connection
        )
        insert, update = _statements(using)
        # In autocommit the one statement commits by itself; in a transaction
        # a taken key must not break it: a savepoint, as Django's save has.
        inside = nullcontext() if connection.get_autocommit() else transaction.atomic(using=using)
        with inside, connection.cursor() as cursor:
            if must_create:
                try:
                    cursor.execute(insert, [self.session_key, data, expires])
                except IntegrityError as taken:
                    raise CreateError from taken
            else:
                # As Django's: any database error on an update is UpdateError,
                # which the middleware answers with "session interrupted".
                try:
                    cursor.execute(update, [data, expires, self.session_key])
                except DatabaseError as failed:
                    raise UpdateError from failed
                if cursor.rowcount != 1:
                    raise UpdateError
        return None
