from __future__ import annotations

import pytest

from participants.sortition import SortitionError, replace_dropouts, run_selection
from participants.sortition.diagnose import diagnose
from participants.sortition.units import build_units

from .helpers import make_instance, panel_ok


def test_it_says_when_too_few_people_have_a_value():
    rows = [("laag",)] * 6 + [("hoog",)] * 20
    instance = make_instance(rows, {("c0", "laag"): (9, 12), ("c0", "hoog"): (0, 20)}, 15)
    with pytest.raises(SortitionError) as caught:
        run_selection(instance)
    error = caught.value
    assert error.code == "infeasible_quotas"
    assert (
        "niet genoeg respondenten met c0 laag: minimaal 9 gevraagd, 6 beschikbaar"
        in error.message_nl
    )
    assert "at least 9 asked, 6 available" in error.message


def test_it_finds_the_smallest_relaxation_when_quotas_clash_together():
    # everyone young is "laag": 3 young seats force 3 "laag", but at most 1 is allowed
    rows = [("jong", "laag")] * 5 + [("oud", "hoog")] * 5
    quotas = {
        ("c0", "jong"): (3, 4),
        ("c0", "oud"): (0, 4),
        ("c1", "laag"): (0, 1),
        ("c1", "hoog"): (0, 4),
    }
    findings = diagnose(build_units(make_instance(rows, quotas, 5)))
    assert sum(abs(f.asked - f.possible) for f in findings) == 2
    assert {(f.category, f.value) for f in findings} <= {("c0", "jong"), ("c1", "laag")}
    assert all(f.message_nl.startswith(("niet genoeg", "te veel")) for f in findings)


def test_it_reports_feasible_quotas_as_having_nothing_to_fix():
    rows = [("a",)] * 3 + [("b",)] * 3
    instance = make_instance(rows, {("c0", "a"): (1, 2), ("c0", "b"): (1, 2)}, 3)
    assert diagnose(build_units(instance)) == []


def test_it_replaces_drop_outs_keeping_every_quota():
    rows = [("a", "x")] * 4 + [("a", "y")] * 4 + [("b", "x")] * 4 + [("b", "y")] * 4
    quotas = {("c0", "a"): (2, 2), ("c0", "b"): (2, 2), ("c1", "x"): (1, 3), ("c1", "y"): (1, 3)}
    instance = make_instance(rows, quotas, 4, [f"h{i // 2}" for i in range(16)])
    first = run_selection(instance, seed=1, number=10)
    dropped = first["panel"][:2]
    result = replace_dropouts(instance, first["panel"], dropped, seed=1, number=77)
    assert len(result["replacements"]) == 2
    assert not set(result["replacements"]) & set(first["panel"])
    assert panel_ok(instance, result["new_panel"])


def test_it_says_which_quota_cannot_be_kept_on_replacement():
    rows = [("a",)] * 2 + [("b",)] * 6
    instance = make_instance(rows, {("c0", "a"): (2, 2), ("c0", "b"): (2, 2)}, 4)
    panel = ["p0", "p1", "p2", "p3"]
    with pytest.raises(SortitionError) as caught:
        replace_dropouts(instance, panel, ["p0"])
    assert "c0 a: minimaal 1 gevraagd, 0 beschikbaar" in caught.value.message_nl


def test_it_gives_legacy_panels_that_meet_the_quotas():
    rows = [("a", "x")] * 4 + [("a", "y")] * 4 + [("b", "x")] * 4 + [("b", "y")] * 4
    quotas = {("c0", "a"): (2, 2), ("c0", "b"): (2, 2), ("c1", "x"): (1, 3), ("c1", "y"): (1, 3)}
    instance = make_instance(rows, quotas, 4)
    record = run_selection(instance, algorithm="legacy", seed=4, tickets=50, number=1)
    assert all(panel_ok(instance, e["panel"]) for e in record["distribution"])
    assert sum(record["probabilities"].values()) == pytest.approx(4)
