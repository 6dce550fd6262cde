"""The Sortition Foundation's older greedy selection, as a baseline only.

Repeatedly take the category value whose unmet minimum is largest relative to
the respondents still available with it, pick one of those uniformly at random,
remove their household and any value that reached its maximum, and start over
when stuck (LOTTERY.md; Flanigan et al. 2021 show that some respondents end
with a selection probability near zero). Each run gives one panel; the
lottery over ``m`` seeded runs is what the legacy algorithm "offers".
"""

from __future__ import annotations

import numpy as np

from .errors import SortitionError
from .units import IntArray, Units

ATTEMPTS = 100


def legacy_panel(units: Units, rng: np.random.Generator) -> IntArray:
    """One panel (counts per unit) from the greedy method."""
    household = np.full(units.size, -1, dtype=np.int64)
    for h, group in enumerate(units.households):
        household[list(group)] = h
    for _ in range(ATTEMPTS):
        counts = np.zeros(units.size, dtype=np.int64)
        left = units.count.copy()
        selected = np.zeros(len(units.value_names), dtype=np.int64)
        stuck = False
        for _ in range(units.panel_size):
            available = units.incidence @ left
            open_value = (available > 0) & (units.qmax > 0) & (selected < units.qmax)
            need = units.qmin - selected
            if ((need > 0) & (available < need)).any() or not open_value.any():
                stuck = True
                break
            ratio = np.where(open_value, need / np.maximum(available, 1), -np.inf)
            value = int(np.argmax(ratio))
            candidates = np.flatnonzero(units.incidence[value] * left)
            # uniform over people, so weight units by how many are left in them
            u = int(rng.choice(candidates, p=left[candidates] / left[candidates].sum()))
            counts[u] += 1
            left[u] -= 1
            selected += units.incidence[:, u].astype(np.int64)
            if household[u] >= 0:
                left[list(units.households[household[u]])] = 0
            full = selected >= units.qmax
            if full.any():
                left[(units.incidence[full].sum(axis=0) > 0)] = 0
        per_value = units.incidence @ counts
        if not stuck and (per_value >= units.qmin).all():
            return counts
    raise SortitionError(
        "infeasible_quotas",
        details="The legacy method found no panel in 100 attempts.",
        details_nl="De oude methode vond in 100 pogingen geen panel.",
    )
