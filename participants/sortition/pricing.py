"""Finding the panel of largest weight: the pricing step of column generation.

Given a weight per unit member, find a feasible panel composition (quotas,
size k, at most one per household) maximising the total weight. Two tools:

* :class:`ExactPricer`, an integer program in HiGHS kept alive between calls
  (only the objective changes), with tight gaps so that "no improving panel"
  is a proof, not an approximation;
* :func:`local_search`, best-improvement single swaps (drop one member, add
  another) that keep every quota: milliseconds instead of an integer program,
  and usually enough to find *some* improving panel (LOTTERY.md, point 2).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from .units import FloatArray, IntArray, Units

INF = highspy.kHighsInf


def new_highs(seed: int, threads: int = 1) -> highspy.Highs:
    """A silent HiGHS instance with deterministic options."""
    model = highspy.Highs()  # type: ignore[no-untyped-call]
    model.setOptionValue("output_flag", False)
    model.setOptionValue("random_seed", seed % 2_147_483_647)
    model.setOptionValue("threads", threads)
    return model


@dataclass
class Priced:
    """A composition (count per unit) and its weight."""

    counts: IntArray
    value: float


class ExactPricer:
    """The pricing integer program, built once; each call changes the objective."""

    def __init__(self, units: Units, seed: int = 0, extra_rows: bool = True) -> None:
        self.units = units
        n = units.size
        model = new_highs(seed)
        model.setOptionValue("mip_rel_gap", 1e-9)
        model.setOptionValue("mip_abs_gap", 1e-11)
        model.setOptionValue("mip_feasibility_tolerance", 1e-9)
        # the incumbents found on the way are extra columns, free of charge
        model.setOptionValue("mip_improving_solution_save", True)
        model.addVars(n, np.zeros(n), units.count.astype(np.float64))
        model.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
        rows_lower: list[float] = [float(units.panel_size)]
        rows_upper: list[float] = [float(units.panel_size)]
        rows: list[IntArray] = [np.arange(n, dtype=np.int64)]
        for v in range(len(units.value_names)):
            rows.append(np.flatnonzero(units.incidence[v]))
            rows_lower.append(float(units.qmin[v]))
            rows_upper.append(float(units.qmax[v]))
        for group in units.households:
            rows.append(np.array(group, dtype=np.int64))
            rows_lower.append(-INF)
            rows_upper.append(1.0)
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
        indices = np.concatenate(rows).astype(np.int32)
        model.addRows(
            len(rows),
            np.array(rows_lower),
            np.array(rows_upper),
            len(indices),
            starts,
            indices,
            np.ones(len(indices)),
        )
        model.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.model = model
        self.calls = 0
        self.seconds = 0.0
        self.incumbents: list[IntArray] = []

    def best(self, weights: FloatArray, gap: float = 1e-9) -> Priced | None:
        """The composition of largest weight (within relative ``gap``), or ``None``
        when none is feasible."""
        n = self.units.size
        self.calls += 1
        self.model.setOptionValue("mip_rel_gap", gap)
        self.model.changeColsCost(n, np.arange(n, dtype=np.int32), weights.astype(np.float64))
        started = time.perf_counter()
        self.model.run()
        self.seconds += time.perf_counter() - started
        status = self.model.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.array(self.model.getSolution().col_value)
        counts = np.rint(values).astype(np.int64)
        self.incumbents = [
            np.rint(np.array(sol.col_value)).astype(np.int64)
            for sol in self.model.getSavedMipSolutions()
        ]
        return Priced(counts, float(weights @ counts))


class SwapSearch:
    """Best-improvement single swaps that keep quotas and the household rule."""

    def __init__(self, units: Units) -> None:
        self.units = units
        self.household = np.full(units.size, -1, dtype=np.int64)
        for h, group in enumerate(units.households):
            self.household[list(group)] = h
        # -1 (no household) counted in a last, unused slot
        self.household_slot = np.where(self.household < 0, len(units.households), self.household)
        self.one_hot = np.ascontiguousarray(units.incidence.T)  # units x values

    def improve(self, weights: FloatArray, start: IntArray, max_steps: int = 200) -> list[Priced]:
        """Climb from ``start``; return every composition visited after it, best last.

        One step checks all (drop a, add b) pairs at once: a swap keeps the
        quotas iff in every category a and b share the value, or a's value may
        lose one member and b's value may gain one. Counted over the categories
        with two small matrix products (one-hot values, "may lose"/"may gain"
        per category): the swap is allowed iff the count is the number of
        categories. That is several times faster than comparing the three-way
        table of pairs x categories, and the climbs are a third of LEXIMIN's time.
        """
        units = self.units
        counts = start.copy()
        # a swap gains w_b - w_a, so the best partners are among the heaviest
        # units: looking only there makes a step cheap on pools of 10,000
        limit = max(200, 3 * units.panel_size)
        pool = np.sort(np.argsort(-weights, kind="stable")[:limit])
        values = units.values[pool]
        household = self.household[pool]
        capacity = units.count[pool]
        one_hot_pool = self.one_hot[pool].T  # values x pool
        categories = float(units.values.shape[1])
        visited: list[Priced] = []
        for _ in range(max_steps):
            per_value = units.incidence @ counts
            may_gain = per_value < units.qmax
            may_lose = per_value > units.qmin
            spare = np.bincount(
                self.household_slot, weights=counts, minlength=len(units.households) + 1
            )
            in_pool = counts[pool]
            room = (in_pool < capacity) & ((household < 0) | (spare[household] == 0))
            present = np.flatnonzero(counts)
            drop_values = units.values[present]
            # same value, unless both "may lose" and "may gain" (then counted below)
            keep = self.one_hot[present] * (1.0 - (may_lose & may_gain))[None, :]
            allowed = keep @ one_hot_pool + may_lose[drop_values].astype(np.float64) @ (
                may_gain[values].astype(np.float64).T
            )
            ok = allowed >= categories - 0.5
            # dropping a frees a place in a's own household
            hh = self.household[present]
            own = (hh[:, None] >= 0) & (hh[:, None] == household[None, :])
            ok &= room[None, :] | (own & (in_pool < capacity)[None, :])
            ok &= present[:, None] != pool[None, :]
            gains = np.where(ok, weights[pool][None, :] - weights[present][:, None], -np.inf)
            flat = int(np.argmax(gains))
            a_index, b_index = divmod(flat, len(pool))
            if not gains[a_index, b_index] > 1e-12:
                break
            counts = counts.copy()
            counts[present[a_index]] -= 1
            counts[pool[b_index]] += 1
            visited.append(Priced(counts, float(weights @ counts)))
        return visited
