from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.sortition import SortitionError, run_selection
from participants.sortition.leximin import leximin
from participants.sortition.units import build_units

from .helpers import brute_force_leximin, feasible_panels, make_instance, panel_ok


def household_instance():
    rows = [
        ("a", "x"),
        ("a", "y"),
        ("b", "x"),
        ("b", "y"),
        ("a", "x"),
        ("b", "x"),
        ("a", "y"),
        ("b", "y"),
        ("a", "x"),
    ]
    quotas = {("c0", "a"): (1, 2), ("c0", "b"): (1, 2), ("c1", "x"): (1, 3), ("c1", "y"): (1, 2)}
    homes = ["h1", "h1", None, "h2", "h2", None, None, "h3", "h3"]
    return make_instance(rows, quotas, 3, homes)


def test_it_gives_only_panels_that_meet_every_quota_and_the_household_rule():
    instance = household_instance()
    record = run_selection(instance, seed=3, tickets=200)
    assert record["distribution"]
    for entry in record["distribution"]:
        assert panel_ok(instance, entry["panel"])
    for entry in record["leximin_distribution"]:
        # a group's members are interchangeable: any choice of "take" of them is valid
        panel = [m for group in entry["groups"] for m in group["members"][: group["take"]]]
        assert panel_ok(instance, panel)


def test_it_makes_probabilities_add_up_to_k_and_the_distribution_to_one():
    instance = household_instance()
    record = run_selection(instance, seed=3, tickets=200)
    assert sum(record["probabilities"].values()) == pytest.approx(3, abs=1e-9)
    assert sum(e["probability"] for e in record["leximin_distribution"]) == pytest.approx(1)
    assert sum(e["probability"] for e in record["distribution"]) == pytest.approx(1)
    assert len(record["tickets"]) == 200


def test_it_reaches_the_leximin_vector_found_by_enumerating_every_panel():
    instance = household_instance()
    distribution = leximin(build_units(instance), seed=1)
    ours = sorted(distribution.probabilities().values())
    assert ours == pytest.approx(brute_force_leximin(instance), abs=1e-6)


def test_it_gives_interchangeable_respondents_equal_probabilities():
    rows = [("a",)] * 5 + [("b",)] * 2
    instance = make_instance(rows, {("c0", "a"): (1, 2), ("c0", "b"): (1, 2)}, 3)
    probabilities = leximin(build_units(instance)).probabilities()
    assert len({round(probabilities[f"p{i}"], 9) for i in range(5)}) == 1
    assert sorted(probabilities.values()) == pytest.approx(brute_force_leximin(instance))


@st.composite
def small_instances(draw):
    n = draw(st.integers(4, 8))
    k = draw(st.integers(1, min(4, n - 1)))
    values = [["a", "b"], ["x", "y", "z"]]
    rows = [tuple(draw(st.sampled_from(v)) for v in values) for _ in range(n)]
    quotas = {}
    for c, names in enumerate(values):
        for name in names:
            low = draw(st.integers(0, 2))
            quotas[(f"c{c}", name)] = (low, low + draw(st.integers(0, k)))
    homes = draw(st.lists(st.sampled_from([None, "h1", "h2"]), min_size=n, max_size=n))
    return make_instance(rows, quotas, k, homes)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_it_matches_brute_force_leximin_on_random_small_instances(instance):
    panels = feasible_panels(instance)
    units = build_units(instance)
    if not panels:
        with pytest.raises(SortitionError) as caught:
            leximin(units)
        assert caught.value.code == "infeasible_quotas"
        return
    distribution = leximin(units, seed=7)
    probabilities = distribution.probabilities()
    assert sum(probabilities.values()) == pytest.approx(instance.panel_size, abs=1e-7)
    assert distribution.weights.sum() == pytest.approx(1.0)
    assert sorted(probabilities.values()) == pytest.approx(brute_force_leximin(instance), abs=1e-6)
    for comp in distribution.compositions:
        panel = [units.members[u][j] for u, x in comp for j in range(x)]
        assert panel_ok(instance, panel)
