from __future__ import annotations

import pytest

from participants.sortition import load_instance
from participants.sortition.leximin import leximin
from participants.sortition.units import build_units

from .helpers import SHARED

# (folder, panel size, household columns, optimal minimum probability, stages)
# nl_500_50_hh is checked at its first level (the maximin value); its whole
# LEXIMIN runs in the benchmark, bench/sortition.py.
CASES = [
    ("example_small_20", 20, [], 0.1, None),
    ("example_large_200", 200, [], 0.1, None),
    ("nl_500_50_hh", 50, ["address", "postcode"], 0.063973, 1),
]


@pytest.mark.parametrize(("folder", "k", "households", "optimum", "stages"), CASES)
def test_it_reaches_the_known_optimum_on_the_shared_instances(
    folder, k, households, optimum, stages
):
    instance = load_instance(
        SHARED / folder / "categories.csv", SHARED / folder / "respondents.csv", k, households
    )
    distribution = leximin(build_units(instance), seed=0, max_stages=stages)
    assert distribution.min_probability == pytest.approx(optimum, abs=1e-6)
    assert distribution.unit_probability @ distribution.units.count == pytest.approx(k)
