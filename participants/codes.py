"""Personal invitation codes: unguessable, and easy to read from a letter and type.

A code has 11 characters from an alphabet of 31 that leaves out the ones people
confuse (0/O, 1/l/I). The first 10 are drawn at random: 31**10 ≈ 8.2e14, about
49 bits of entropy. The last is a check character, so that a typing error is
recognised as one: the sum of each character's value times its position
(1 to 11) is a multiple of 31. Because 31 is prime, every change of one
character and every swap of two characters breaks the sum. A code that fails
the check cannot have been given out, so typing it tells a guesser nothing:
the page can say "typing error" without counting it against the visitor's
address, and people who share an address (a mobile network, a library) do
not lock each other out with their typing errors.

Draws made before the check character gave out codes of 10 random
characters (OLD_LENGTH); those still work (participants/selectors_registration.py).

A code is printed in groups, ABCD-EFGH-JKL, and read back ignoring case,
spaces and hyphens.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 11
RANDOM_LENGTH = LENGTH - 1
OLD_LENGTH = 10  # codes of draws from before the check character
_VALUE = {character: value for value, character in enumerate(ALPHABET)}
_BASE = len(ALPHABET)  # prime: see above
# The check character stands at position LENGTH; times this it undoes LENGTH.
_INVERSE_OF_LENGTH = pow(LENGTH, -1, _BASE)


def _weighted_sum(characters: str) -> int:
    return sum(position * _VALUE[ch] for position, ch in enumerate(characters, start=1))


def code_check_character(body: str) -> str:
    """The character that completes these 10 to a code that passes the check."""
    return ALPHABET[(-_weighted_sum(body) * _INVERSE_OF_LENGTH) % _BASE]


def code_generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + code_check_character(body)


def code_normalise(typed: str) -> str:
    """What a person typed, as stored: upper case, without spaces or hyphens.
    Wide forms of letters and digits (a Japanese or Chinese keyboard) count
    as the ordinary ones."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", typed).upper() if ch.isalnum())


def _of_alphabet(code: str) -> bool:
    return all(ch in ALPHABET for ch in code)


def code_passes_check(code: str) -> bool:
    """A code as draws make them now: its check character fits."""
    return len(code) == LENGTH and _of_alphabet(code) and _weighted_sum(code) % _BASE == 0


def code_is_old_shaped(code: str) -> bool:
    """Shaped like a code of a draw from before the check character."""
    return len(code) == OLD_LENGTH and _of_alphabet(code)


def code_display(code: str) -> str:
    """In groups, as printed in the letter: ABCD-EFGH-JKL (ABCD-EFG-HJK before
    the check character)."""
    cut = 7 if len(code) == OLD_LENGTH else 8
    return f"{code[:4]}-{code[4:cut]}-{code[cut:]}"
