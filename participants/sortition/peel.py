"""Writing a point of the relaxation as a mixture of panels by peeling.

The relaxation's LEXIMIN point t (probability per member of each unit) has to
become a mixture of panels. Column generation does that with an LP of one row
per unit, which on pools of a few thousand units takes hours. Peeling needs
no such LP. It keeps a residual r (the probability per member still to hand
out, first t) and the mass mu still to hand out (first 1); r / mu stays in the
relaxation R. Each step:

1. finds a panel P on the smallest face of R that holds r / mu: every member
   of a unit whose residual equals mu is in it, no member of a unit whose
   residual is 0, exactly the bound of every quota that is tight, one member
   of every household that is tight;
2. gives P the largest weight alpha that keeps (r - alpha P) / (mu - alpha)
   in R, and subtracts.

Each step makes at least one more bound tight, and a tight bound stays tight
(the next panels lie on the face), so there are at most as many steps as
bounds. In practice mu shrinks geometrically long before that:
3-5 % a step on the shared instances and on a pool of 10,000. Once mu is below
``PEEL_DONE`` (or no panel is found below ``PEEL_ACCEPT``) the weights are
scaled up to sum 1, which moves no probability by more than about mu.

Step 1 is an integer program, but rarely a hard one: first the face's LP,
warm-started from the previous step (sometimes its vertex is already a
panel); else the integer program restricted to the units that LP uses, with
a loose gap (any panel on the face will do; the objective only makes the
step long); only when that has no solution, the integer program on the whole
face. The objective, sum of log(r_u / mu) over the members, avoids members
with little left: the step ends when the first member runs out.

The residual can reach a face of R that holds no panel (R is larger than the
panel polytope when quotas clash). The result then says so, and the caller
falls back on column generation, starting from the panels found.

Measured on the 2-core machine (bench/README.sortition.md): nl_2000_150 in
11 s and the synthetic pool of 10,000 in 77 s, where column generation did
not finish in an hour; nl_500_50_hh in 20 s against 26 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from .pricing import INF, ExactPricer, new_highs
from .units import FloatArray, IntArray, Units

# Scaling the weights up at the end moves a probability by at most about the
# mass left: about the LP solvers' own tolerances. Below ~1e-10 the relaxation
# point's own rounding (its LP is solved to 1e-10) makes the faces wrong.
PEEL_DONE = 1e-9
# That rounding (up to ~2e-10 on a quota row) does not shrink with the mass:
# near 1e-9 the residual can be 10-20 % outside R and no panel found. A stop
# below this is as good (every probability within about 1e-8), where column
# generation, the alternative, can take hours on a pool of 2,000.
PEEL_ACCEPT = 1e-8
PEEL_GAP = 0.05
# residuals are differences of floats: a unit "ran out" below this
UNIT_TOLERANCE = 1e-11
# quota and household sums add up to a few hundred residuals
ROW_TOLERANCE = 1e-10
# no step should ever be this short; if one is, the face is numerically wrong
SHORTEST_STEP = 1e-15
LOG_FLOOR = 1e-12

# Called with a line for people to read and how far the work is (0..1).
Progress = Callable[[str, float], None]


@dataclass
class Peeled:
    """Panels with their weights (summing to 1 - ``remaining``)."""

    panels: list[IntArray]
    weights: FloatArray
    remaining: float
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.remaining <= PEEL_ACCEPT


class _FaceSearch:
    """Finds a panel on a face of the relaxation: the pricing integer program
    with changed bounds, and a continuous copy of it for the face's LP."""

    def __init__(self, units: Units, seed: int) -> None:
        self.units = units
        n = units.size
        pricer = ExactPricer(units, seed)
        self.mip = pricer.model
        self.mip.setOptionValue("mip_rel_gap", PEEL_GAP)
        self.mip.setOptionValue("mip_improving_solution_save", False)
        self.lp = new_highs(seed)
        self.lp.passModel(self.mip.getLp())
        self.lp.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kContinuous)
        )
        self.columns = np.arange(n, dtype=np.int32)
        self.values = len(units.value_names)
        self.quota_rows = np.arange(1, 1 + self.values, dtype=np.int32)
        h = len(units.households)
        self.household_rows = np.arange(1 + self.values, 1 + self.values + h, dtype=np.int32)
        self.lp_hits = self.restricted_hits = self.full_calls = 0

    def _set(
        self,
        model: highspy.Highs,
        lower: FloatArray,
        upper: FloatArray,
        quota_bounds: tuple[FloatArray, FloatArray],
        household_lower: FloatArray,
        weights: FloatArray,
    ) -> None:
        n = self.units.size
        model.changeColsBounds(n, self.columns, lower, upper)
        # changeRowsBounds is in highspy 1.15 but not in its type stubs
        model.changeRowsBounds(self.values, self.quota_rows, *quota_bounds)  # type: ignore[attr-defined]
        if len(self.household_rows):
            model.changeRowsBounds(  # type: ignore[attr-defined]
                len(self.household_rows),
                self.household_rows,
                household_lower,
                np.ones(len(self.household_rows)),
            )
        model.changeColsCost(n, self.columns, weights)

    def find(
        self,
        lower: FloatArray,
        upper: FloatArray,
        quota_bounds: tuple[FloatArray, FloatArray],
        household_lower: FloatArray,
        weights: FloatArray,
    ) -> IntArray | None:
        """A panel within these bounds of large weight, or None if none exists."""
        n = self.units.size
        self._set(self.lp, lower, upper, quota_bounds, household_lower, weights)
        self.lp.run()
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # not even the face's LP has a point: no panel either
        vertex = np.array(self.lp.getSolution().col_value)
        if np.abs(vertex - np.rint(vertex)).max() < 1e-9:
            self.lp_hits += 1
            return _counts(vertex)
        # the integer program on the units the LP uses
        used = np.where(vertex > 1e-9, upper, 0.0)
        self._set(self.mip, lower, used, quota_bounds, household_lower, weights)
        self.mip.run()
        if self.mip.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            self.restricted_hits += 1
            return _counts(np.array(self.mip.getSolution().col_value))
        self.full_calls += 1
        self.mip.changeColsBounds(n, self.columns, lower, upper)
        self.mip.run()
        if self.mip.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return _counts(np.array(self.mip.getSolution().col_value))


def _counts(values: FloatArray) -> IntArray:
    counts: IntArray = np.rint(values).astype(np.int64)
    return counts


def _longest_step(
    units: Units,
    residual: FloatArray,
    mass: float,
    share: FloatArray,
    quota_mass: FloatArray,
    household_mass: FloatArray,
    household_of: IntArray,
    panel: IntArray,
) -> float:
    """The largest alpha with (residual - alpha * share) / (mass - alpha) in R."""
    alpha = mass
    inside = share > 0
    if inside.any():  # a member's residual reaches 0
        alpha = min(alpha, float((residual[inside] / share[inside]).min()))
    partial = share < 1
    if partial.any():  # a member not always taken reaches the remaining mass
        alpha = min(alpha, float(((mass - residual[partial]) / (1 - share[partial])).min()))
    taken = units.incidence @ panel
    above = taken > units.qmin
    if above.any():  # a quota falls to its minimum
        alpha = min(
            alpha,
            float(
                (
                    (quota_mass[above] - mass * units.qmin[above])
                    / (taken[above] - units.qmin[above])
                ).min()
            ),
        )
    below = taken < units.qmax
    if below.any():  # a quota rises to its maximum
        alpha = min(
            alpha,
            float(
                (
                    (mass * units.qmax[below] - quota_mass[below])
                    / (units.qmax[below] - taken[below])
                ).min()
            ),
        )
    if len(household_mass):
        members = np.bincount(
            household_of[household_of >= 0],
            weights=panel[household_of >= 0],
            minlength=len(household_mass),
        )
        empty = members < 1
        if empty.any():  # a household not in the panel reaches the remaining mass
            alpha = min(alpha, float((mass - household_mass[empty]).min()))
    return max(alpha, 0.0)


def peel(units: Units, target: FloatArray, seed: int, report: Progress, started: float) -> Peeled:
    """Panels and weights whose probabilities are ``target`` up to ``PEEL_DONE``,
    or, when the residual reaches a face without panels, the panels so far."""
    count = units.count.astype(np.float64)
    household_of = np.full(units.size, -1, dtype=np.int64)
    for h, group in enumerate(units.households):
        household_of[list(group)] = h
    in_household = household_of >= 0
    search = _FaceSearch(units, seed)
    residual = np.clip(target.astype(np.float64), 0.0, 1.0)
    mass = 1.0
    panels: list[IntArray] = []
    weights: list[float] = []
    qmin = units.qmin.astype(np.float64)
    qmax = units.qmax.astype(np.float64)
    while mass > PEEL_DONE:
        quota_mass = units.incidence @ (count * residual)
        household_mass = np.bincount(
            household_of[in_household],
            weights=residual[in_household],
            minlength=len(units.households),
        ).astype(np.float64)
        lower = np.where(residual >= mass - UNIT_TOLERANCE, count, 0.0)
        upper = np.where(residual <= UNIT_TOLERANCE, 0.0, count)
        at_min = quota_mass <= mass * qmin + ROW_TOLERANCE
        at_max = quota_mass >= mass * qmax - ROW_TOLERANCE
        quota_bounds = (np.where(at_max, qmax, qmin), np.where(at_min, qmin, qmax))
        household_lower = np.where(household_mass >= mass - ROW_TOLERANCE, 1.0, -INF)
        weights_now = np.log(np.maximum(residual / mass, LOG_FLOOR))
        panel = search.find(lower, upper, quota_bounds, household_lower, weights_now)
        if panel is None:
            break
        share = panel / count
        alpha = _longest_step(
            units, residual, mass, share, quota_mass, household_mass, household_of, panel
        )
        if alpha <= SHORTEST_STEP:
            break
        residual = np.clip(residual - alpha * share, 0.0, None)
        mass -= alpha
        panels.append(panel)
        weights.append(alpha)
        if len(panels) % 20 == 0:
            report(
                f"peeling, step {len(panels)}: {mass:.1e} left,"
                f" {time.perf_counter() - started:.1f} s",
                min(1.0, float(np.log(max(mass, PEEL_DONE)) / np.log(PEEL_DONE))),
            )
    stats = {
        "peel_steps": float(len(panels)),
        "peel_remaining": mass,
        "peel_lp_panels": float(search.lp_hits),
        "peel_restricted_panels": float(search.restricted_hits),
        "peel_full_programs": float(search.full_calls),
    }
    return Peeled(panels, np.array(weights), mass, stats)
