"""Plain data of a selection: respondents, quotas, and the instance they form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Respondent:
    """One person in the pool.

    ``features`` maps each quota category to this person's value; ``household``
    is a normalised key shared by people at the same address (``None`` when no
    household columns were given or they are empty); ``extra`` carries the other
    columns along untouched; ``row`` is the line in the source file (for messages).
    """

    id: str
    features: Mapping[str, str]
    household: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    row: int = 0


@dataclass(frozen=True)
class Quota:
    """Bounds on how many panel members have ``value`` in ``category``."""

    category: str
    value: str
    min: int
    max: int
    min_flex: int | None = None
    max_flex: int | None = None


@dataclass(frozen=True)
class Instance:
    """A pool, its quota table and the panel size: everything a selection needs."""

    respondents: tuple[Respondent, ...]
    quotas: tuple[Quota, ...]
    panel_size: int

    @property
    def categories(self) -> dict[str, list[str]]:
        """Categories in quota-table order, each with its values in table order."""
        result: dict[str, list[str]] = {}
        for quota in self.quotas:
            result.setdefault(quota.category, []).append(quota.value)
        return result

    def quota(self, category: str, value: str) -> Quota:
        """The quota row for one value."""
        for quota in self.quotas:
            if quota.category == category and quota.value == value:
                return quota
        raise KeyError((category, value))

    def by_id(self) -> dict[str, Respondent]:
        """Respondents keyed by id."""
        return {person.id: person for person in self.respondents}
