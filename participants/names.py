"""Which words of a person's name identify them, for text that is kept or
published (an audit reason, the public lottery page) and must not name them."""

from __future__ import annotations

from collections.abc import Iterable

# Name parts shorter than this ("van", "de", "Li") are too often ordinary words.
SHORTEST_NAME_PART = 4


def identifying_words(names: Iterable[str]) -> list[str]:
    """Each name whole and its parts of SHORTEST_NAME_PART letters or more,
    longest first (so that a whole name is found before its parts)."""
    words: set[str] = set()
    for name in names:
        words.add(name.strip())
        words.update(part for part in name.split() if len(part) >= SHORTEST_NAME_PART)
    return sorted((word for word in words if word), key=len, reverse=True)
