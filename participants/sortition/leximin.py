"""LEXIMIN selection by column generation (Flanigan, Gölz, Gupta, Hennig,
Procaccia, *Fair algorithms for selecting citizens' assemblies*, Nature 2021).

Each stage solves, over the panels found so far, the LP

    max z  s.t.  sum_P lambda_P = 1,  lambda >= 0,
                 pi_u >= p_u (u fixed),  pi_u >= z (u free),

where pi_u = sum_P lambda_P x_{P,u} / count_u is the selection probability of
each member of unit u (see :mod:`.units`). The row duals y of the unit rows and
mu of the convexity row price new panels: a panel improves the LP iff
sum_u y_u x_{P,u} / count_u > mu. Pricing first tries cheap single swaps from
the panels in use, and calls the exact integer program only when those fail;
when the exact one finds nothing either, the stage is optimal, the free units
with positive dual weight are fixed at z (complementary slackness: every
optimal distribution gives them exactly z) and the next stage starts. One
HiGHS LP stays alive for the whole run; columns and bound changes are
incremental, so each re-solve is a warm start.

Tolerances are absolute on probabilities, 1e-9, well inside the 1e-6 the
tests demand; fixed levels are lowered by 1e-10 only, so they cannot drift.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from .errors import SortitionError
from .pricing import INF, ExactPricer, SwapSearch, new_highs
from .units import FloatArray, IntArray, Units, composition_ok

Composition = tuple[tuple[int, int], ...]  # (unit, count) pairs, unit ascending
# Called with a line for people to read and the share of groups whose
# probability is fixed so far (0..1), for a progress bar.
Progress = Callable[[str, float], None]

PRICE_TOL = 1e-9
FIX_TOL = 1e-7
FIX_SLACK = 1e-10
SMOOTHING = 0.5
LP_OPTIONS: dict[str, float | int | str | bool] = {}


def sparse(counts: IntArray) -> Composition:
    """A dense count vector as sorted (unit, count) pairs."""
    nz = np.flatnonzero(counts)
    return tuple((int(u), int(counts[u])) for u in nz)


@dataclass
class Distribution:
    """Panel compositions with probabilities, and the probability per unit member."""

    units: Units
    compositions: list[Composition]
    weights: FloatArray
    unit_probability: FloatArray
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def min_probability(self) -> float:
        return float(self.unit_probability.min())

    def probabilities(self) -> dict[str, float]:
        """Selection probability per respondent id."""
        return {
            pid: float(self.unit_probability[u])
            for u, ids in enumerate(self.units.members)
            for pid in ids
        }


def unit_probabilities(
    units: Units, compositions: list[Composition], weights: FloatArray
) -> FloatArray:
    """pi_u = sum_P lambda_P x_{P,u} / count_u."""
    index = [u for comp in compositions for u, _ in comp]
    mass = [w * x for comp, w in zip(compositions, weights, strict=True) for _, x in comp]
    total = np.bincount(
        np.array(index, dtype=np.int64), weights=np.array(mass), minlength=units.size
    )
    result: FloatArray = total / units.count
    return result


class Master:
    """The restricted LP over the panels found so far."""

    def __init__(self, units: Units, seed: int) -> None:
        self.units = units
        model = new_highs(seed)
        model.setOptionValue("primal_feasibility_tolerance", 1e-9)
        model.setOptionValue("dual_feasibility_tolerance", 1e-9)
        # warm starts from the previous basis need the model as it is
        model.setOptionValue("presolve", "off")
        model.setOptionValue("solver", "simplex")
        # new columns keep the basis primal feasible: primal simplex warm-starts,
        # dual simplex would start over (measured: 5x slower here)
        model.setOptionValue("simplex_strategy", 4)
        for option, value in LP_OPTIONS.items():
            model.setOptionValue(option, value)
        # columns: z, then a floor w_u per unit; rows: convexity, then
        # pi_u - w_u >= 0 per unit, then w_u - z >= 0 per unit. Fixing a unit
        # only changes bounds (w_u >= level, linking row dropped): changing
        # matrix coefficients instead made every later simplex iteration ~7x slower.
        n = units.size
        model.addVars(n + 1, np.zeros(n + 1), np.ones(n + 1))
        model.changeColCost(0, 1.0)
        model.changeObjectiveSense(highspy.ObjSense.kMaximize)
        model.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        unit_cols = np.arange(1, n + 1, dtype=np.int32)
        model.addRows(
            n, np.zeros(n), np.full(n, INF), n, np.arange(n, dtype=np.int32), unit_cols, -np.ones(n)
        )
        starts = np.arange(0, 2 * n, 2, dtype=np.int32)
        indices = np.column_stack([unit_cols, np.zeros(n, dtype=np.int32)]).ravel()
        model.addRows(
            n, np.zeros(n), np.full(n, INF), 2 * n, starts, indices, np.tile([1.0, -1.0], n)
        )
        self.model = model
        self.columns: list[Composition] = []
        self.seen: set[Composition] = set()
        self.seconds = 0.0
        self.iterations = 0

    def add(self, counts: IntArray) -> bool:
        """Add a panel as a column; False if it is already there."""
        comp = sparse(counts)
        if comp in self.seen:
            return False
        self.seen.add(comp)
        self.columns.append(comp)
        rows = np.array([0] + [1 + u for u, _ in comp], dtype=np.int32)
        coef = np.array([1.0] + [x / self.units.count[u] for u, x in comp])
        self.model.addCol(0.0, 0.0, INF, len(rows), rows, coef)
        return True

    def solve(self) -> tuple[float, FloatArray, float, FloatArray]:
        """Solve; return z, unit duals y >= 0, convexity dual mu, lambda."""
        started = time.perf_counter()
        self.model.run()
        self.seconds += time.perf_counter() - started
        self.iterations += self.model.getInfo().simplex_iteration_count
        status = self.model.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(f"master LP: {self.model.modelStatusToString(status)}")
        solution = self.model.getSolution()
        duals = np.array(solution.row_dual)
        values = np.array(solution.col_value)
        # HiGHS: reduced cost = cost - A^T dual. The z column gives
        # sum_u dual_u = -1, so y = -dual; a panel column has reduced cost
        # -(dual_conv - sum_u y_u a_u): mu = dual_conv.
        n = self.units.size
        return (
            float(values[0]),
            np.maximum(-duals[1 : n + 1], 0.0),
            float(duals[0]),
            values[n + 1 :],
        )

    def fix(self, mask: npt.NDArray[np.bool_], level: float) -> None:
        """Pin the units in ``mask`` at ``level``: drop z from their rows."""
        n = self.units.size
        for u in np.flatnonzero(mask):
            self.model.changeColBounds(1 + int(u), level - FIX_SLACK, 1.0)
            self.model.changeRowBounds(1 + n + int(u), -INF, INF)


def initial_panels(
    units: Units, pricer: ExactPricer, swaps: SwapSearch, rng: np.random.Generator, count: int
) -> list[IntArray]:
    """A diverse starting set: panels for weights favouring rarely covered units.

    Continues past ``count`` until every unit is in some panel (within a
    budget), so the first LP does not start at level 0 with all dual weight on
    a few units. Small pools use the integer program (2 % gap is plenty here);
    large ones climb by swaps from the previous panel, milliseconds each.
    """
    cheap = units.size > 1500
    panels: list[IntArray] = []
    covered = np.zeros(units.size)
    limit = count + 4 * units.size // max(1, units.panel_size)
    while len(panels) < count or ((covered == 0).any() and len(panels) < limit):
        weights = (1.0 + rng.random(units.size)) / (1.0 + covered) ** 2
        weights[covered == 0] *= 100.0
        weights /= units.count
        climb = swaps.improve(weights, panels[-1], units.panel_size) if cheap and panels else []
        if climb:
            panels.append(climb[-1].counts)
        else:
            found = pricer.best(weights, gap=0.02)
            if found is None:
                raise SortitionError("infeasible_quotas", details="", details_nl="")
            panels.append(found.counts)
        covered += panels[-1] / units.count
    return panels


def leximin(
    units: Units,
    seed: int = 0,
    progress: Progress | None = None,
    initial: int = 12,
    use_swaps: bool = True,
    max_stages: int | None = None,
) -> Distribution:
    """The LEXIMIN distribution over feasible panels, at unit level.

    ``max_stages=1`` stops after the first level: the maximin distribution.
    Raises :class:`SortitionError` ``infeasible_quotas`` (without details; see
    :mod:`.diagnose`) when no feasible panel exists.
    """
    started = time.perf_counter()
    report = progress or (lambda _message, _fraction: None)
    rng = np.random.default_rng(seed)
    pricer = ExactPricer(units, seed)
    swaps = SwapSearch(units)
    master = Master(units, seed)
    for counts in initial_panels(units, pricer, swaps, rng, initial):
        master.add(counts)
    dense: dict[Composition, IntArray] = {}

    def as_dense(comp: Composition) -> IntArray:
        if comp not in dense:
            vec = np.zeros(units.size, dtype=np.int64)
            for u, x in comp:
                vec[u] = x
            dense[comp] = vec
        return dense[comp]

    fixed = np.zeros(units.size, dtype=bool)
    level = np.zeros(units.size)
    stages = rounds = heuristic_rounds = 0
    z = 0.0
    y = lam = np.zeros(0)
    while not fixed.all():
        stages += 1
        # Wentges smoothing: price at a point between the best dual found so far
        # (the "centre", whose Lagrangian bound is smallest) and the LP dual.
        # It damps the dual oscillation that makes plain column generation
        # crawl; a "mis-price" (nothing improving at the LP dual) pulls the
        # point towards the LP dual, down to plain pricing.
        centre: FloatArray | None = None
        centre_bound = np.inf
        resolve = True
        alpha = SMOOTHING
        while True:
            if resolve:
                rounds += 1
                z, y, mu, lam = master.solve()
                alpha = SMOOTHING
                if rounds % 50 == 0:
                    report(
                        f"stage {stages}, round {rounds}: level {z:.6f},"
                        f" {len(master.columns)} panels, {pricer.calls} exact"
                        f" ({pricer.seconds:.1f} s), LP {master.seconds:.1f} s,"
                        f" {time.perf_counter() - started:.1f} s",
                        float(fixed.sum()) / units.size,
                    )
            point = y if centre is None else alpha * centre + (1 - alpha) * y
            weights = point / units.count
            real = y / units.count
            threshold = mu + PRICE_TOL
            in_use = [c for c, w in zip(master.columns, lam, strict=True) if w > 1e-12]
            starts = sorted(in_use, key=lambda c: -float(weights @ as_dense(c)))[:3]
            found = []
            for comp in starts if use_swaps else []:
                for p in swaps.improve(weights, as_dense(comp), 12)[::-1]:
                    if float(real @ p.counts) > threshold:
                        found.append(p.counts)
                        break  # the furthest improving point of each climb
            if sum(master.add(counts) for counts in found):
                heuristic_rounds += 1
                resolve = True
                continue
            best = pricer.best(weights)
            if best is None:
                break
            bound = best.value - float(point[fixed] @ level[fixed])
            if bound < centre_bound:
                centre, centre_bound = point, bound
            added = 0
            for counts in [best.counts, *pricer.incumbents]:
                if float(real @ counts) > threshold and composition_ok(units, counts):
                    added += master.add(counts)
            if added:
                resolve = True
                continue
            resolve = False
            if alpha == 0.0:
                break  # priced exactly at the LP dual: nothing improves, stage optimal
            alpha = 0.0 if centre_bound - z <= PRICE_TOL else alpha / 2
            if alpha < 0.05:
                alpha = 0.0
        free = ~fixed
        positive = free & (y > FIX_TOL)
        if not positive.any():
            positive = free & (y >= y[free].max())
        fixed |= positive
        level[positive] = z - FIX_SLACK
        master.fix(positive, z)
        report(
            f"stage {stages}: level {z:.6f}, fixed {int(fixed.sum())}/{units.size} groups, "
            f"{len(master.columns)} panels, {time.perf_counter() - started:.1f} s",
            float(fixed.sum()) / units.size,
        )
        if max_stages is not None and stages >= max_stages:
            break
    lam = np.clip(lam, 0.0, None)
    keep = lam > 1e-13
    compositions = [c for c, k in zip(master.columns, keep, strict=True) if k]
    weights_out = lam[keep] / lam[keep].sum()
    probability = unit_probabilities(units, compositions, weights_out)
    stats = {
        "seconds": time.perf_counter() - started,
        "stages": float(stages),
        "rounds": float(rounds),
        "heuristic_rounds": float(heuristic_rounds),
        "exact_pricing_calls": float(pricer.calls),
        "exact_pricing_seconds": pricer.seconds,
        "lp_seconds": master.seconds,
        "columns": float(len(master.columns)),
        "units": float(units.size),
    }
    return Distribution(units, compositions, weights_out, probability, stats)
