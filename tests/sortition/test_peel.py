"""Peeling: the relaxation's LEXIMIN point written as a mixture of panels
without column generation, and its way out at a face that holds no panel."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.sortition import load_instance
from participants.sortition.leximin import leximin, relaxed_leximin, sparse, unit_probabilities
from participants.sortition.peel import PEEL_ACCEPT, PEEL_DONE, Peeled, peel
from participants.sortition.units import Units, build_units, composition_ok

from .helpers import SHARED, brute_force_leximin, make_instance
from .test_leximin import household_instance
from .test_relaxation import odd_cycle_instance


def peel_relaxation(units: Units) -> tuple[Peeled, np.ndarray]:
    _level, _exact, _stages, point = relaxed_leximin(units, None, lambda _m, _f: None)
    return peel(units, point, 0, lambda _m, _f: None, time.perf_counter()), point


def assert_mixture_of_panels_reaching(units: Units, peeled: Peeled, point: np.ndarray) -> None:
    assert peeled.done
    assert peeled.remaining <= PEEL_ACCEPT
    assert peeled.weights.min() > 0
    assert peeled.weights.sum() == pytest.approx(1 - peeled.remaining, abs=1e-12)
    for panel in peeled.panels:
        assert composition_ok(units, panel)
    compositions = [sparse(panel) for panel in peeled.panels]
    reached = unit_probabilities(units, compositions, peeled.weights / peeled.weights.sum())
    assert np.abs(reached - point).max() <= 2 * PEEL_ACCEPT


def test_peeling_writes_the_relaxation_point_as_panels_that_meet_every_rule():
    units = build_units(household_instance())
    peeled, point = peel_relaxation(units)
    assert_mixture_of_panels_reaching(units, peeled, point)


def test_peeling_stops_at_a_face_without_panels_and_leximin_still_finds_the_optimum():
    units = build_units(odd_cycle_instance())
    peeled, _point = peel_relaxation(units)
    assert not peeled.done
    for panel in peeled.panels:
        assert composition_ok(units, panel)
    distribution = leximin(units, seed=2)
    assert sorted(distribution.probabilities().values()) == pytest.approx(
        [1 / 3, 1 / 3, 1 / 3, 1.0], abs=1e-6
    )


def test_leximin_needs_no_column_generation_when_peeling_finishes():
    rows = [("a", "x")] * 4 + [("a", "y")] * 3 + [("b", "x")] * 2 + [("b", "y")] * 5
    quotas = {("c0", "a"): (2, 3), ("c0", "b"): (2, 3), ("c1", "x"): (1, 4), ("c1", "y"): (1, 4)}
    instance = make_instance(rows, quotas, 5)
    distribution = leximin(build_units(instance), seed=0)
    assert distribution.stats["peel_steps"] >= 1
    assert "rounds" not in distribution.stats  # column generation's own count
    ours = sorted(distribution.probabilities().values())
    assert ours == pytest.approx(brute_force_leximin(instance), abs=1e-6)


@st.composite
def feasible_instances(draw):
    """Random pools whose quotas are built around one panel, so that at least
    one panel exists; some have households, some quotas clash in the relaxation."""
    n = draw(st.integers(5, 11))
    k = draw(st.integers(2, min(5, n - 1)))
    values = [["a", "b"], ["x", "y", "z"], ["p", "q"]]
    rows = [tuple(draw(st.sampled_from(v)) for v in values) for _ in range(n)]
    homes = draw(st.lists(st.sampled_from([None, None, "h1", "h2"]), min_size=n, max_size=n))
    panel: list[int] = []
    for i in draw(st.permutations(range(n))):
        if len(panel) < k and (homes[i] is None or homes[i] not in {homes[j] for j in panel}):
            panel.append(i)
    if len(panel) < k:  # not enough households apart: drop the household links
        homes = [None] * n
        panel = list(range(k))
    quotas = {}
    for c, names in enumerate(values):
        for name in names:
            taken = sum(1 for i in panel if rows[i][c] == name)
            low = max(0, taken - draw(st.integers(0, 1)))
            quotas[(f"c{c}", name)] = (low, taken + draw(st.integers(0, 2)))
    return make_instance(rows, quotas, k, homes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_instances())
def test_peeling_either_reaches_the_point_or_says_it_did_not(instance):
    units = build_units(instance)
    peeled, point = peel_relaxation(units)
    if peeled.done:
        assert_mixture_of_panels_reaching(units, peeled, point)
    else:
        assert all(composition_ok(units, panel) for panel in peeled.panels)
        assert peeled.remaining > PEEL_ACCEPT
    ours = sorted(leximin(units, seed=3).probabilities().values())
    assert ours == pytest.approx(brute_force_leximin(instance), abs=1e-6)


def test_a_pool_of_two_thousand_is_peeled_without_column_generation():
    """Column generation did not finish this instance in an hour; peeling takes
    seconds (bench/README.sortition.md)."""
    instance = load_instance(
        SHARED / "nl_2000_150" / "categories.csv",
        SHARED / "nl_2000_150" / "respondents.csv",
        150,
        [],
    )
    units = build_units(instance)
    peeled, point = peel_relaxation(units)
    assert_mixture_of_panels_reaching(units, peeled, point)
    assert point.min() == pytest.approx(0.049238, abs=1e-6)


def pool_with_households(rng: random.Random):
    """15-40 people, 4 categories, households; quotas around one panel."""
    n, k = rng.randint(15, 40), rng.randint(4, 10)
    values = [["a", "b", "c"], ["x", "y", "z"], ["p", "q"], ["r", "s", "t"]]
    rows = [tuple(rng.choice(v) for v in values) for _ in range(n)]
    homes = [rng.choice([None] * 3 + [f"h{j}" for j in range(n // 3)]) for _ in range(n)]
    panel: list[int] = []
    for i in rng.sample(range(n), n):
        if len(panel) < k and (homes[i] is None or homes[i] not in {homes[j] for j in panel}):
            panel.append(i)
    quotas = {}
    for c, names in enumerate(values):
        for name in names:
            taken = sum(1 for i in panel if rows[i][c] == name)
            quotas[(f"c{c}", name)] = (
                max(0, taken - rng.choice([0, 1])),
                taken + rng.choice([0, 1]),
            )
    return make_instance(rows, quotas, len(panel), homes)


@pytest.mark.parametrize("seed", [99, 181, 217])
def test_a_stop_just_above_the_end_is_accepted_without_column_generation(seed):
    """The relaxation point misses R's rows by ~1e-10; near a mass of 1e-9 no
    panel fits the scaled residual any more. Found by review: these pools fell
    back on column generation, which takes hours on large pools."""
    units = build_units(pool_with_households(random.Random(seed)))
    peeled, point = peel_relaxation(units)
    assert peeled.remaining > PEEL_DONE  # it did stop early
    assert_mixture_of_panels_reaching(units, peeled, point)
    distribution = leximin(units, seed=0)
    assert "rounds" not in distribution.stats
    assert np.abs(distribution.unit_probability - point).max() <= 2 * PEEL_ACCEPT
