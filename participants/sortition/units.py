"""The instance in solver form: interchangeable respondents merged into units.

Respondents with identical category values and no household link to anyone
else are symmetric: LEXIMIN's probability vector is unique, so they end with
equal probabilities (Flanigan et al. 2021). They form one *type* unit with a
count, and a panel says how many of each type it takes. People who share a
household with someone stay single units, tied by a household constraint
(at most one of them per panel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .model import Instance

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Units:
    """Arrays describing units, values and households.

    ``members[u]`` are the respondent ids of unit ``u`` (sorted);
    ``count[u] = len(members[u])``; ``values[u, c]`` is the index (into
    ``value_names``) of the unit's value in category ``c``;
    ``incidence[v, u]`` is 1 when unit ``u`` has value ``v``; ``qmin``/``qmax``
    are the quota bounds per value; ``households`` lists groups of unit indices
    of which at most one may be chosen.
    """

    members: tuple[tuple[str, ...], ...]
    count: IntArray
    values: IntArray
    incidence: FloatArray
    value_names: tuple[tuple[str, str], ...]
    qmin: IntArray
    qmax: IntArray
    households: tuple[tuple[int, ...], ...]
    panel_size: int

    @property
    def size(self) -> int:
        return len(self.members)

    def unit_of(self) -> dict[str, int]:
        """Respondent id -> unit index."""
        return {pid: u for u, ids in enumerate(self.members) for pid in ids}


def build_units(instance: Instance, merge: bool = True) -> Units:
    """Group respondents into units in a canonical, input-order-free order."""
    categories = instance.categories
    value_names = tuple((c, v) for c, values in categories.items() for v in values)
    value_index = {name: i for i, name in enumerate(value_names)}
    household_size: dict[str, int] = {}
    for person in instance.respondents:
        if person.household is not None:
            household_size[person.household] = household_size.get(person.household, 0) + 1

    groups: dict[tuple[object, ...], list[str]] = {}
    household_of: dict[tuple[object, ...], str] = {}
    for person in instance.respondents:
        vector = tuple(value_index[(c, person.features[c])] for c in categories)
        shared = person.household is not None and household_size[person.household] > 1
        if shared or not merge:
            key: tuple[object, ...] = (*vector, 1, person.id)
            if shared and person.household is not None:
                household_of[key] = person.household
        else:
            key = (*vector, 0, "")
        groups.setdefault(key, []).append(person.id)

    keys = sorted(groups, key=lambda key: (key[:-1], min(groups[key])))
    members = tuple(tuple(sorted(groups[key])) for key in keys)
    values = np.array([key[: len(categories)] for key in keys], dtype=np.int64).reshape(
        len(keys), len(categories)
    )
    incidence = np.zeros((len(value_names), len(keys)))
    for c in range(len(categories)):
        incidence[values[:, c], np.arange(len(keys))] = 1.0
    by_household: dict[str, list[int]] = {}
    for u, key in enumerate(keys):
        if key in household_of:
            by_household.setdefault(household_of[key], []).append(u)
    households = tuple(tuple(units) for _, units in sorted(by_household.items()))
    quotas = [instance.quota(c, v) for c, v in value_names]
    return Units(
        members=members,
        count=np.array([len(m) for m in members], dtype=np.int64),
        values=values,
        incidence=incidence,
        value_names=value_names,
        qmin=np.array([q.min for q in quotas], dtype=np.int64),
        qmax=np.array([q.max for q in quotas], dtype=np.int64),
        households=households,
        panel_size=instance.panel_size,
    )


def composition_ok(units: Units, counts: IntArray) -> bool:
    """Whether per-unit counts form a feasible panel (quotas, size, households)."""
    if counts.sum() != units.panel_size or (counts < 0).any() or (counts > units.count).any():
        return False
    per_value = units.incidence @ counts
    if (per_value < units.qmin).any() or (per_value > units.qmax).any():
        return False
    return all(counts[list(group)].sum() <= 1 for group in units.households)
