"""Two texts side by side, word by word (stdlib difflib).

The result is plain data for a template: for each side, a list of pieces,
each "same", "removed" (only on the old side) or "added" (only on the new
side). The template shows removed words in <del> and added words in <ins>,
each with a word and a visible bracket as well, so the change is never shown
by colour alone and a screen reader says it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["same", "removed", "added"]

# Words with their trailing punctuation, and runs of white space (kept, so
# line breaks survive into the side-by-side view).
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str

    @property
    def changed(self) -> bool:
        return self.kind != "same"


@dataclass
class SideBySide:
    old: list[Piece] = field(default_factory=list)
    new: list[Piece] = field(default_factory=list)
    removed_words: int = 0
    added_words: int = 0
    # The texts differ at all, white space included.
    differs: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.removed_words or self.added_words)

    @property
    def only_spacing(self) -> bool:
        """The same words, with other spaces or line breaks: not "no change",
        as the version does differ."""
        return self.differs and not self.changed


def tokens(text: str) -> list[str]:
    # NFC: "é" typed as one character (most keyboards) or as "e" plus an accent
    # (some phones, text pasted from a Mac) is the same word, not a change.
    return _TOKEN.findall(unicodedata.normalize("NFC", text.replace("\r\n", "\n")))


def _append(pieces: list[Piece], kind: Kind, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + text)
    else:
        pieces.append(Piece(kind, text))


def _words(parts: list[str]) -> int:
    return sum(1 for part in parts if not part.isspace())


def _split_edges(parts: list[str]) -> tuple[str, str, str]:
    """Leading space, the changed words, trailing space: a marked change
    should not start or end on a space (the brackets would look odd)."""
    text = "".join(parts)
    stripped = text.strip()
    if not stripped:
        return text, "", ""
    start = text.index(stripped)
    return text[:start], stripped, text[start + len(stripped) :]


def compare(old: str, new: str) -> SideBySide:
    """Word-level comparison of `old` and `new`."""
    a, b = tokens(old), tokens(new)
    result = SideBySide(differs=a != b)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(result.old, "same", "".join(a[i1:i2]))
            _append(result.new, "same", "".join(b[j1:j2]))
            continue
        if tag in ("replace", "delete"):
            before, words, after = _split_edges(a[i1:i2])
            _append(result.old, "same", before)
            _append(result.old, "removed", words)
            _append(result.old, "same", after)
            result.removed_words += _words(a[i1:i2])
        if tag in ("replace", "insert"):
            before, words, after = _split_edges(b[j1:j2])
            _append(result.new, "same", before)
            _append(result.new, "added", words)
            _append(result.new, "same", after)
            result.added_words += _words(b[j1:j2])
    return result
