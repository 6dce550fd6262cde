"""The two paths of the LEXIMIN engine: the relaxation's LEXIMIN written as a
mixture of panels, and the exact stage-by-stage fallback when that vector is
not reachable."""

from __future__ import annotations

import numpy as np
import pytest

from participants.sortition.leximin import leximin, relaxed_leximin
from participants.sortition.units import build_units

from .helpers import brute_force_leximin, make_instance, panel_ok


def odd_cycle_instance():
    """Any two of a, b, c share a value whose maximum is 1: panels of two are
    {a, d}, {b, d}, {c, d}, so a, b and c get 1/3 each; the LP relaxation
    would give them 1/2 (p_a + p_b <= 1 and so on), which no mixture reaches."""
    rows = [("X", "Y", "z"), ("X", "y", "Z"), ("x", "Y", "Z"), ("x", "y", "z")]
    quotas = {
        ("c0", "X"): (0, 1),
        ("c0", "x"): (0, 2),
        ("c1", "Y"): (0, 1),
        ("c1", "y"): (0, 2),
        ("c2", "Z"): (0, 1),
        ("c2", "z"): (0, 2),
    }
    return make_instance(rows, quotas, 2)


def test_the_relaxation_bounds_the_leximin_from_above_at_its_first_level():
    units = build_units(odd_cycle_instance())
    level, _exact, _stages, _point = relaxed_leximin(units, None, lambda _m, _f: None)
    assert level.min() == pytest.approx(0.5, abs=1e-8)


def test_it_falls_back_to_stages_when_the_relaxation_is_not_reachable():
    instance = odd_cycle_instance()
    distribution = leximin(build_units(instance), seed=2)
    assert distribution.stats.get("stagewise") == 1.0
    ours = sorted(distribution.probabilities().values())
    assert ours == pytest.approx(brute_force_leximin(instance), abs=1e-6)
    assert ours == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1.0], abs=1e-6)
    units = distribution.units
    for comp in distribution.compositions:
        assert panel_ok(instance, [units.members[u][j] for u, x in comp for j in range(x)])


def test_it_decomposes_the_relaxation_when_it_is_reachable():
    rows = [("a", "x")] * 4 + [("a", "y")] * 3 + [("b", "x")] * 2 + [("b", "y")] * 5
    quotas = {("c0", "a"): (2, 3), ("c0", "b"): (2, 3), ("c1", "x"): (1, 4), ("c1", "y"): (1, 4)}
    instance = make_instance(rows, quotas, 5)
    distribution = leximin(build_units(instance), seed=0)
    assert "stagewise" not in distribution.stats
    ours = sorted(distribution.probabilities().values())
    assert ours == pytest.approx(brute_force_leximin(instance), abs=1e-6)
    assert float(np.sum(distribution.weights)) == pytest.approx(1.0)
