"""Querysets compiled to SQL once per process, then run with a new key.

Django turns a queryset into SQL on every call. For a small look-up with a
join and a subquery or two that is most of the request: on the registration
pages, compiling the invitation look-up took about 2.5 ms of CPU and running it
0.25 ms (bench/README.registration.md). Every letter's QR code leads there.

A ``CompiledLookup`` builds its queryset once per database alias with a
placeholder key, keeps the SQL and the compiler's converters (which turn a
database's values into Python ones, such as SQLite's dates), and then only
swaps the key in the parameters. The query stays the ORM's: the same SQL
Django would send, for whichever database runs.

Only for keys that reach the database as they are (``int``, ``str``): no
field changes them on the way, so swapping the placeholder is safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

# Built into the queryset once, to find where the key sits among the compiled
# parameters; no other parameter of a look-up equals them (a look-up that
# does not use its key is refused).
_PLACEHOLDERS: dict[type, Any] = {str: "~compiled-lookup-placeholder~", int: -7_340_033}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_positions: tuple[int, ...]
    converters: dict[int, Any]
    compiler: Any


class CompiledLookup:
    """``build(key)`` returns a ``values_list()`` queryset; ``rows(key)`` runs it."""

    def __init__(self, build: Callable[[Any], QuerySet[Any]], key_type: type) -> None:
        if key_type not in _PLACEHOLDERS:
            raise TypeError(f"CompiledLookup keys are int or str, not {key_type.__name__}")
        self._build = build
        self._key_type = key_type
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        placeholder = _PLACEHOLDERS[self._key_type]
        queryset = self._build(placeholder)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = tuple(i for i, value in enumerate(params) if value == placeholder)
        if not positions:
            raise ValueError("CompiledLookup: the queryset does not use its key")
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        return _Compiled(sql, tuple(params), positions, converters, compiler)

    def rows(self, key: Any, *, using: str = "default") -> list[tuple[Any, ...]]:
        if not isinstance(key, self._key_type) or isinstance(key, bool):
            raise TypeError(f"key must be {self._key_type.__name__}")
        if isinstance(key, int) and not _INT64_MIN <= key <= _INT64_MAX:
            return []  # as the ORM: no row has it, and SQLite cannot bind it
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        params = list(compiled.params)
        for position in compiled.key_positions:
            params[position] = key
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return [tuple(row) for row in rows]


def instance_from(
    model: type[M], attnames: Sequence[str], values: Sequence[Any], *, using: str = "default"
) -> M:
    """A model instance from converted values, as the ORM makes them."""
    return model.from_db(using, list(attnames), list(values))


def concrete_attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]
