"""Small instances, brute-force enumeration and an independent LEXIMIN for tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import highspy
import numpy as np

from participants.sortition.model import Instance, Quota, Respondent

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "sortition"


def make_instance(
    rows: Sequence[Sequence[str]],
    quotas: dict[tuple[str, str], tuple[int, int]],
    k: int,
    households: Sequence[str | None] | None = None,
) -> Instance:
    """rows: one value per category (categories named c0, c1, ...)."""
    people = tuple(
        Respondent(
            id=f"p{i}",
            features={f"c{c}": value for c, value in enumerate(row)},
            household=None if households is None else households[i],
        )
        for i, row in enumerate(rows)
    )
    table = tuple(Quota(c, v, lo, hi) for (c, v), (lo, hi) in quotas.items())
    return Instance(people, table, k)


def panel_ok(instance: Instance, panel: Sequence[str]) -> bool:
    people = instance.by_id()
    if len(set(panel)) != instance.panel_size or len(panel) != instance.panel_size:
        return False
    for quota in instance.quotas:
        have = sum(people[p].features[quota.category] == quota.value for p in panel)
        if not quota.min <= have <= quota.max:
            return False
    homes = [people[p].household for p in panel if people[p].household is not None]
    return len(homes) == len(set(homes))


def feasible_panels(instance: Instance) -> list[tuple[str, ...]]:
    ids = [p.id for p in instance.respondents]
    return [
        panel
        for panel in itertools.combinations(ids, instance.panel_size)
        if panel_ok(instance, panel)
    ]


def _lp_max(
    matrix: np.ndarray, objective_row: int | None, lower: np.ndarray, z_rows: np.ndarray
) -> float:
    """max z (objective_row None) or max pi_row, over lambda on the panels."""
    n_people, n_panels = matrix.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(n_panels + 1, np.zeros(n_panels + 1), np.ones(n_panels + 1))
    cost = np.zeros(n_panels + 1)
    if objective_row is None:
        cost[-1] = 1.0
    else:
        cost[:-1] = matrix[objective_row]
    h.changeColsCost(n_panels + 1, np.arange(n_panels + 1, dtype=np.int32), cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRow(1.0, 1.0, n_panels, np.arange(n_panels, dtype=np.int32), np.ones(n_panels))
    for i in range(n_people):
        idx = np.flatnonzero(matrix[i]).astype(np.int32)
        vals = np.ones(len(idx))
        if z_rows[i]:
            idx = np.append(idx, n_panels).astype(np.int32)
            vals = np.append(vals, -1.0)
        h.addRow(float(lower[i]), highspy.kHighsInf, len(idx), idx, vals)
    h.run()
    return float(h.getInfo().objective_function_value)


def brute_force_leximin(instance: Instance) -> list[float]:
    """The sorted LEXIMIN probability vector, by its definition over all panels:
    raise the floor z, then fix everyone who cannot exceed it, and repeat."""
    panels = feasible_panels(instance)
    ids = [p.id for p in instance.respondents]
    matrix = np.array([[pid in panel for panel in panels] for pid in ids], dtype=float)
    fixed = np.zeros(len(ids), dtype=bool)
    level = np.zeros(len(ids))
    while not fixed.all():
        z = _lp_max(matrix, None, np.where(fixed, level - 1e-9, 0.0), ~fixed)
        lower = np.where(fixed, level - 1e-9, z - 1e-9)
        for i in np.flatnonzero(~fixed):
            if _lp_max(matrix, int(i), lower, np.zeros(len(ids), dtype=bool)) <= z + 1e-7:
                fixed[i], level[i] = True, z
    return sorted(level.tolist())
