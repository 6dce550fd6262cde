"""Whole numbers typed by people or sent in a URL."""

from __future__ import annotations

import re

# At most 18 digits: every such number fits the database's 64-bit whole
# numbers (up to 9,223,372,036,854,775,807). A longer one is no id, count or
# year here, and passed on to a look-up Django does not guard (a relation's
# id, an ``__in``) it makes SQLite raise OverflowError: a server error.
MAX_DIGITS = 18
LARGEST = 10**MAX_DIGITS - 1
_DIGITS = re.compile(f"[0-9]{{1,{MAX_DIGITS}}}")


def whole_number(text: str) -> int | None:
    """The number if ``text`` is 1 to 18 digits 0-9, else None. Not
    str.isdigit(): it accepts "²" and "¹", which int() then refuses with a
    server error."""
    return int(text) if _DIGITS.fullmatch(text) else None


class WholeNumberConverter:
    """``<whole:pk>`` in a URL: 1 to 18 digits, so a longer number is a 404
    rather than a server error. Django's ``<int:...>`` takes any length."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
