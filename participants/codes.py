"""Personal invitation codes: unguessable, and easy to read from a letter and type.

A code has 10 characters from an alphabet of 31 that leaves out the ones people
confuse (0/O, 1/l/I): 31**10 ≈ 8.2e14, about 49 bits of entropy. It is
printed in groups, ABCD-EFG-HJK, and read back ignoring case, spaces and hyphens.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalise(typed: str) -> str:
    """What a person typed, as stored: upper case, without spaces or hyphens."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def code_is_well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:7]}-{code[7:]}"
