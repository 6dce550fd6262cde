"""LEXIMIN selection (Flanigan, Gölz, Gupta, Hennig, Procaccia, *Fair
algorithms for selecting citizens' assemblies*, Nature 2021), in two steps.

1. :func:`relaxed_leximin`: the LEXIMIN of the LP relaxation R of the panel
   polytope (probabilities p_u in [0, 1], sum_u c_u p_u = k, the quota rows,
   the household rows). Every mixture of panels lies in R, so this vector is
   lexicographically at least the true LEXIMIN. A handful of small LPs, one
   column per unit, no integer programs.
2. Writing that point as a mixture of panels. First by peeling
   (:mod:`.peel`): Carathéodory steps on the faces of R, an easy integer
   program each, seconds to a minute or two even for a pool of 10,000. Success
   means the point is reachable, hence it *is* the LEXIMIN (nothing reachable
   is above it); :func:`polish` then removes the last 1e-9 at the lowest
   level. When peeling reaches a face of R without panels, :func:`decompose`
   runs column generation on the LP
   min sum_u c_u s_u  s.t.  sum_P lambda_P = 1, pi_u + s_u >= t_u,
   starting from the panels peeled. Its pricing first tries cheap single swaps
   from the panels in use and calls the exact integer program only when those
   fail. It is exact but slow on large pools (one LP row per unit).

When the exact pricing proves t unreachable (the relaxation has a fractional
vertex where it matters, as in :mod:`tests.sortition.test_relaxation`),
:func:`stagewise` runs the classic exact method stage by stage, starting from
the panels found: each stage solves

    max z  s.t.  sum_P lambda_P = 1,  lambda >= 0,
                 pi_u >= p_u (u fixed),  pi_u >= z (u free),

over the panels found, prices with the duals, and fixes the free units of
positive dual weight at z.

Tolerances are absolute on probabilities, about 1e-9, well inside the 1e-6
the tests demand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from .errors import SortitionError
from .peel import Peeled, peel
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
DONE_TOL = 1e-9
PRUNE_FACTOR = 2
NEAR_TOL = 1e-7
POLISH_LIMIT = 2_000_000  # matrix entries
# climbs per pricing round (from the panels in use that price best): many
# columns per round mean fewer rounds, and each round re-solves the LP
# (measured on nl_500_50_hh: 16 -> 156 rounds, 80k simplex iterations, 63 s
# CPU; 64 -> 61 rounds, 52k iterations, 47 s; 128 cut the LP further but the
# climbs themselves then cost more than they save)
STARTS_PER_ROUND = 64
# The first rounds of the decomposition solve its LP by interior point (no
# crossover, loose tolerance): its duals are central, so the climbs find
# better panels and fewer rounds are needed, and it does not pay the primal
# simplex's degenerate pivots. Below this shortfall the simplex takes over for
# the exact end (measured on nl_500_50_hh: 32.9 -> 27.2 s CPU, 61 -> 46 rounds;
# switching at 0.01 or 0.2 was slower, and so was a tolerance of 1e-3 or 1e-7).
INTERIOR_UNTIL = 0.1
INTERIOR_TOLERANCE = 1e-4
CLIMB_STEPS = 12
LP_OPTIONS: dict[str, float | int | str | bool] = {}
DECOMPOSITION_OPTIONS: dict[str, float | int | str | bool] = {}


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


class _PanelColumns:
    """A HiGHS model whose columns are panels: row 0 is the convexity row
    (sum of weights = 1) and row 1 + u the probability of unit u. Subclasses
    build the rest of the model and call ``_start_columns`` at the end."""

    units: Units
    model: highspy.Highs

    def _start_columns(self, model: highspy.Highs) -> None:
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


class Master(_PanelColumns):
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
        self._start_columns(model)

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


def stagewise(
    units: Units,
    seed: int,
    progress: Progress | None,
    initial: int,
    use_swaps: bool,
    max_stages: int | None,
    start: list[IntArray],
) -> Distribution:
    """LEXIMIN stage by stage over the panels found by column generation.

    The exact method of Flanigan et al.; :func:`leximin` falls back on it when
    the LEXIMIN of the relaxation is not a mixture of panels. ``start`` are
    panels found before (they shorten the first stage).
    """
    started = time.perf_counter()
    report = progress or (lambda _message, _fraction: None)
    rng = np.random.default_rng(seed)
    pricer = ExactPricer(units, seed)
    swaps = SwapSearch(units)
    master = Master(units, seed)
    for counts in start or initial_panels(units, pricer, swaps, rng, initial):
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
        "stagewise": 1.0,
    }
    return Distribution(units, compositions, weights_out, probability, stats)


def relaxed_leximin(
    units: Units, max_stages: int | None, report: Progress
) -> tuple[FloatArray, npt.NDArray[np.bool_], int, FloatArray]:
    """LEXIMIN over the LP relaxation of the panel polytope.

    The relaxation R = {p in [0,1]^units : sum_u c_u p_u = k, quota rows,
    household rows} contains every mixture of panels, so its LEXIMIN vector is
    lexicographically at least the true one, level by level. Each stage is a
    small LP (one column per unit), no pricing. Returns the level of every
    unit (units still free after ``max_stages`` get the last level as a lower
    bound), a mask of the units whose level is exact, the stage count, and
    the last LP's point: a point of R at those levels, which peeling writes
    as a mixture (the levels alone may miss R's rows by the LP's tolerance).
    """
    n = units.size
    count = units.count.astype(np.float64)
    model = new_highs(0)
    model.setOptionValue("primal_feasibility_tolerance", 1e-10)
    model.setOptionValue("dual_feasibility_tolerance", 1e-10)
    model.addVars(n + 1, np.zeros(n + 1), np.ones(n + 1))  # p_u, then z
    model.changeColCost(n, 1.0)
    model.changeObjectiveSense(highspy.ObjSense.kMaximize)
    rows: list[IntArray] = [np.arange(n, dtype=np.int64)]
    coefs = [count]
    lower = [float(units.panel_size)]
    upper = [float(units.panel_size)]
    for v in range(len(units.value_names)):
        members = np.flatnonzero(units.incidence[v])
        rows.append(members)
        coefs.append(count[members])
        lower.append(float(units.qmin[v]))
        upper.append(float(units.qmax[v]))
    for group in units.households:
        rows.append(np.array(group, dtype=np.int64))
        coefs.append(np.ones(len(group)))
        lower.append(-INF)
        upper.append(1.0)
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
    model.addRows(
        len(rows),
        np.array(lower),
        np.array(upper),
        int(sum(len(r) for r in rows)),
        starts,
        np.concatenate(rows).astype(np.int32),
        np.concatenate(coefs),
    )
    base = len(rows)
    # p_u - z >= 0 while u is free
    linking = np.column_stack([np.arange(n), np.full(n, n)]).ravel().astype(np.int32)
    model.addRows(
        n,
        np.zeros(n),
        np.full(n, INF),
        2 * n,
        np.arange(0, 2 * n, 2, dtype=np.int32),
        linking,
        np.tile([1.0, -1.0], n),
    )
    fixed = np.zeros(n, dtype=bool)
    level = np.zeros(n)
    point = np.zeros(n)
    stages = 0
    while not fixed.all():
        stages += 1
        model.run()
        status = model.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise SortitionError("infeasible_quotas", details="", details_nl="")
        if status != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(f"relaxation LP: {model.modelStatusToString(status)}")
        solution = model.getSolution()
        z = float(solution.col_value[n])
        point = np.array(solution.col_value[:n])
        y = -np.array(solution.row_dual)[base:]
        free = ~fixed
        if z >= 1.0 - 1e-9:
            positive = free
        else:
            positive = free & (y > FIX_TOL * max(1.0, float(y[free].max())))
            if not positive.any():
                positive = free & (y >= y[free].max())
        if max_stages is not None and stages >= max_stages:
            level[free] = z
            break
        fixed |= positive
        level[positive] = z
        for u in np.flatnonzero(positive):
            model.changeColBounds(int(u), z - FIX_SLACK, 1.0)
            model.changeRowBounds(base + int(u), -INF, INF)
        report(
            f"relaxation stage {stages}: level {z:.6f}, {int(fixed.sum())}/{n} groups",
            0.0,
        )
    return np.clip(level, 0.0, 1.0), fixed, stages, np.clip(point, 0.0, 1.0)


class Decomposition(_PanelColumns):
    """The restricted LP that writes target probabilities as a mixture of panels.

    min sum_u c_u s_u  s.t.  sum_P lambda_P = 1,  lambda >= 0,
                             pi_u + s_u >= t_u,  s >= 0,
    with pi_u = sum_P lambda_P x_{P,u} / c_u. Value 0: the target is a mixture
    of the panels found; a panel improves iff sum_u y_u x_{P,u} / c_u > -mu
    (y the unit-row duals, mu the convexity dual).
    """

    def __init__(self, units: Units, target: FloatArray, seed: int) -> None:
        n = units.size
        self.units = units
        model = new_highs(seed)
        model.setOptionValue("primal_feasibility_tolerance", 1e-9)
        model.setOptionValue("dual_feasibility_tolerance", 1e-9)
        model.setOptionValue("presolve", "off")
        model.setOptionValue("solver", "simplex")
        model.setOptionValue("simplex_strategy", 4)  # new columns: primal warm start
        self.interior = INTERIOR_UNTIL > 0
        if self.interior:
            model.setOptionValue("solver", "ipm")
            model.setOptionValue("run_crossover", "off")
            model.setOptionValue("ipm_optimality_tolerance", INTERIOR_TOLERANCE)
        for option, value in DECOMPOSITION_OPTIONS.items():
            model.setOptionValue(option, value)
        model.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        model.addRows(
            n,
            target.astype(np.float64),
            np.full(n, INF),
            0,
            np.zeros(n, dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([]),
        )
        model.addCols(
            n,
            units.count.astype(np.float64),
            np.zeros(n),
            np.full(n, INF),
            n,
            np.arange(n, dtype=np.int32),
            np.arange(1, n + 1, dtype=np.int32),
            np.ones(n),
        )
        self._start_columns(model)

    def prune(self, keep_newest: int) -> int:
        """Drop half the unused panels, those of largest reduced cost: a smaller
        LP makes every simplex iteration cheaper. The newest are kept, and a
        dropped panel may come back if it prices out again."""
        n = self.units.size
        solution = self.model.getSolution()
        reduced = np.array(solution.col_dual)[n:]
        if self.interior:  # no basis: "unused" is a weight of about zero
            unused = np.array(solution.col_value)[n:] < 1e-7
        else:
            basis = self.model.getBasis()
            unused = np.array(
                [s != highspy.HighsBasisStatus.kBasic for s in basis.col_status]
            )[n:]
        old = len(self.columns) - keep_newest
        candidates = [j for j in range(old) if unused[j] and reduced[j] > PRICE_TOL]
        if len(candidates) < 50:
            return 0
        candidates.sort(key=lambda j: -reduced[j])
        drop = sorted(candidates[: len(candidates) // 2])
        self.model.deleteCols(len(drop), np.array([n + j for j in drop], dtype=np.int32))
        dropped = set(drop)
        for j in drop:
            self.seen.discard(self.columns[j])
        self.columns = [c for j, c in enumerate(self.columns) if j not in dropped]
        return len(drop)

    def solve(self) -> tuple[float, FloatArray, float, FloatArray, FloatArray]:
        """Solve; return the value, y, mu, lambda and the slacks."""
        started = time.perf_counter()
        self.model.run()
        self.seconds += time.perf_counter() - started
        self.iterations += self.model.getInfo().simplex_iteration_count
        status = self.model.getModelStatus()
        # at a loose tolerance without crossover HiGHS may call an interior
        # point "unknown"; its duals still serve the heuristic pricing
        fine = status == highspy.HighsModelStatus.kOptimal or (
            self.interior and status == highspy.HighsModelStatus.kUnknown
        )
        if not fine:
            raise ArithmeticError(f"decomposition LP: {self.model.modelStatusToString(status)}")
        solution = self.model.getSolution()
        n = self.units.size
        duals = np.array(solution.row_dual)
        values = np.array(solution.col_value)
        value = float(self.model.getInfo().objective_function_value)
        if self.interior and value < INTERIOR_UNTIL:
            self.to_simplex()
            return self.solve()
        return value, np.maximum(duals[1:], 0.0), float(duals[0]), values[n:], values[:n]

    def to_simplex(self) -> None:
        """From here on the exact simplex: its vertex solution is the mixture, and
        only its duals can prove that no panel improves."""
        self.interior = False
        self.model.setOptionValue("solver", "simplex")


@dataclass
class Mixture:
    """Panels (all found; unused ones have weight 0), their weights, statistics."""

    columns: list[Composition]
    weights: FloatArray
    stats: dict[str, float]


def decompose(
    units: Units,
    target: FloatArray,
    seed: int,
    initial: int,
    use_swaps: bool,
    report: Progress,
    started: float,
    start: list[IntArray] | None = None,
) -> Mixture | list[IntArray]:
    """Panels and weights whose probabilities reach ``target``.

    Returns the mixture, or, when the exact pricing integer program proves that
    no mixture of panels reaches the target, the panels found so far (count
    vectors) for the fallback. ``start`` are panels found before (by peeling).
    """
    rng = np.random.default_rng(seed)
    pricer = ExactPricer(units, seed)
    swaps = SwapSearch(units)
    master = Decomposition(units, target, seed)
    for counts in [*(start or []), *initial_panels(units, pricer, swaps, rng, initial)]:
        master.add(counts)
    dense: dict[Composition, IntArray] = {}

    def as_dense(comp: Composition) -> IntArray:
        if comp not in dense:
            vec = np.zeros(units.size, dtype=np.int64)
            for u, x in comp:
                vec[u] = x
            dense[comp] = vec
        return dense[comp]

    starts_per_round = STARTS_PER_ROUND if units.size > 100 else 4
    rounds = heuristic_rounds = pruned = 0
    while True:
        rounds += 1
        value, y, mu, lam, slack = master.solve()
        if value <= DONE_TOL:
            break
        if len(master.columns) > PRUNE_FACTOR * units.size + 200:
            dropped = master.prune(keep_newest=units.size // 2)
            if dropped:
                pruned += dropped
                continue  # re-solve (no pivots: only unused panels went)
        if rounds % 20 == 0:
            met = float((slack <= 1e-9).sum()) / units.size
            report(
                f"round {rounds}: shortfall {value:.2e}, {len(master.columns)} panels,"
                f" LP {master.seconds:.1f} s, {pricer.calls} exact ({pricer.seconds:.1f} s),"
                f" {time.perf_counter() - started:.1f} s",
                met,
            )
        weights = y / units.count
        threshold = -mu + PRICE_TOL
        added = 0
        if use_swaps:
            in_use = [c for c, w in zip(master.columns, lam, strict=True) if w > 1e-12]
            starts = sorted(in_use, key=lambda c: -float(weights @ as_dense(c)))
            for comp in starts[:starts_per_round]:
                for p in swaps.improve(weights, as_dense(comp), CLIMB_STEPS)[::-1]:
                    if float(weights @ p.counts) > threshold:
                        added += master.add(p.counts)
                        break  # the furthest improving point of each climb
        if added:
            heuristic_rounds += 1
            continue
        best = pricer.best(weights)
        if best is None:
            raise SortitionError("infeasible_quotas", details="", details_nl="")
        for counts in [best.counts, *pricer.incumbents]:
            if float(weights @ counts) > threshold and composition_ok(units, counts):
                added += master.add(counts)
        if not added and master.interior:
            master.to_simplex()  # interior duals prove nothing: price the exact ones
            continue
        if not added:
            if value <= NEAR_TOL:
                break  # only the LP tolerances are left: polish() removes them
            # proved: no mixture of panels reaches the target
            return [as_dense(c) for c in master.columns]
    stats = {
        "rounds": float(rounds),
        "heuristic_rounds": float(heuristic_rounds),
        "exact_pricing_calls": float(pricer.calls),
        "exact_pricing_seconds": pricer.seconds,
        "lp_seconds": master.seconds,
        "lp_iterations": float(master.iterations),
        "columns": float(len(master.columns)),
        "pruned": float(pruned),
    }
    return Mixture(master.columns, lam, stats)


def _merged(peeled: Peeled) -> Mixture:
    """The peeled panels as a mixture, a panel taken twice with the sum of its weights."""
    weight: dict[Composition, float] = {}
    for counts, alpha in zip(peeled.panels, peeled.weights, strict=True):
        comp = sparse(counts)
        weight[comp] = weight.get(comp, 0.0) + float(alpha)
    return Mixture(list(weight), np.array(list(weight.values())), dict(peeled.stats))


def polish(
    units: Units, columns: list[Composition], lam: FloatArray, target: FloatArray
) -> FloatArray:
    """Remove the simplex's last 1e-9 of error at the lowest level: on the
    panels in use, the smallest change of weights (dense least squares) that
    puts every group of the lowest level exactly at that level and keeps the
    weights summing to 1. The other groups move by about 1e-9. Kept only when
    the smallest probability gets closer to its level and no weight turns
    negative; skipped on pools of more than a few thousand groups.
    """
    movable = np.flatnonzero(lam > 1e-9)
    bottom = np.flatnonzero(target <= target.min() + 1e-12)
    if len(movable) == 0 or len(movable) * (len(bottom) + 1) > POLISH_LIMIT:
        return lam
    row_of = np.full(units.size, -1, dtype=np.int64)
    row_of[bottom] = np.arange(1, len(bottom) + 1)
    matrix = np.zeros((len(bottom) + 1, len(movable)))
    matrix[0, :] = 1.0
    for j, column in enumerate(movable):
        for u, x in columns[column]:
            if row_of[u] >= 0:
                matrix[row_of[u], j] = x / units.count[u]
    before = unit_probabilities(units, columns, lam)
    residual = np.r_[1.0 - lam.sum(), target[bottom] - before[bottom]]
    delta = np.linalg.lstsq(matrix, residual, rcond=None)[0]
    better = lam.copy()
    better[movable] += delta
    if (better < 0).any():
        return lam
    after = unit_probabilities(units, columns, better)
    gap_before = float(np.abs(before[bottom] - target[bottom]).max())
    gap_after = float(np.abs(after[bottom] - target[bottom]).max())
    return better if gap_after < gap_before else lam


def leximin(
    units: Units,
    seed: int = 0,
    progress: Progress | None = None,
    initial: int = 12,
    use_swaps: bool = True,
    max_stages: int | None = None,
) -> Distribution:
    """The LEXIMIN distribution over feasible panels, at unit level.

    First the LEXIMIN of the LP relaxation (a few small LPs): it bounds the
    true LEXIMIN from above, level by level. Then column generation writes
    that vector as a mixture of panels; when it succeeds, the vector is
    reachable and therefore the true LEXIMIN (nothing can be above it). When
    the pricing integer program proves it unreachable, the exact stage-by-stage
    method runs instead, starting from the panels found.

    ``max_stages=1`` stops after the first level: a maximin distribution.
    Raises :class:`SortitionError` ``infeasible_quotas`` (without details; see
    :mod:`.diagnose`) when no feasible panel exists.
    """
    started = time.perf_counter()
    report = progress or (lambda _message, _fraction: None)
    target, _exact, stages, point = relaxed_leximin(units, max_stages, report)
    peeled = peel(units, point, seed, report, started)
    found: Mixture | list[IntArray]
    if peeled.done:
        found = _merged(peeled)
    else:
        report(
            f"peeling stopped with {peeled.remaining:.1e} left: column generation",
            0.0,
        )
        found = decompose(
            units, target - FIX_SLACK, seed, initial, use_swaps, report, started, peeled.panels
        )
        if not isinstance(found, list):
            found.stats.update(peeled.stats)
    if isinstance(found, list):
        report("the relaxation's LEXIMIN is not reachable: stage by stage", 0.0)
        return stagewise(units, seed, progress, initial, use_swaps, max_stages, found)
    lam = np.clip(found.weights, 0.0, None)
    if max_stages is None:
        lam = polish(units, found.columns, lam, target)
    keep = lam > 1e-13
    compositions = [c for c, k in zip(found.columns, keep, strict=True) if k]
    weights_out = lam[keep] / lam[keep].sum()
    probability = unit_probabilities(units, compositions, weights_out)
    report(
        f"done: {len(compositions)} panels, minimum {probability.min():.6f},"
        f" {time.perf_counter() - started:.1f} s",
        1.0,
    )
    stats = found.stats
    stats.update(
        {
            "seconds": time.perf_counter() - started,
            "stages": float(stages),
            "units": float(units.size),
        }
    )
    return Distribution(units, compositions, weights_out, probability, stats)
