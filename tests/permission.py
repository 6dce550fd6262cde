"""The vocabulary of the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import PERSONAS, Cast

ALL = dict.fromkeys(PERSONAS, 200)


def staff_only(allowed: set[str], status: int = 200) -> dict[str, int]:
    expected = {persona: 403 for persona in PERSONAS}
    expected["anonymous"] = 302
    for persona in allowed:
        expected[persona] = status
    return expected


# Everyone who takes part in the assembly's work. The desk (balie) holds a
# role too, but opens only its home page, its own data and the check-in pages.
IN_ASSEMBLY = {"member", "expert", "facilitator", "chair", "organiser", "griffie"}
WITH_A_ROLE = IN_ASSEMBLY | {"desk"}


@dataclass
class Row:
    expected: dict[str, int]
    kwargs: Callable[[Cast], dict[str, Any]] = lambda cast: {}
    method: str = "get"
    data: Callable[[Cast], dict[str, Any]] = lambda cast: {}
    group: bool = False  # one row stands for a whole family of URLs (allauth, admin)
    examples: list[str] = field(default_factory=list)



def SLUG(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug}
