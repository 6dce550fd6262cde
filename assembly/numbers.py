"""Whole numbers typed by people or sent in a URL."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str) -> int | None:
    """The number if ``text`` is digits 0-9 only, else None. Not str.isdigit():
    it accepts "²" and "¹", which int() then refuses with a server error."""
    return int(text) if _DIGITS.fullmatch(text) else None
