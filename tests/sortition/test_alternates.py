"""Ordered alternates: drawn verifiably after the panel, household rule kept,
and used first when members drop out."""

from __future__ import annotations

from participants.sortition import (
    alternates_order,
    record_draw,
    replace_from_alternates,
    run_selection,
    verify,
)
from tests.sortition.helpers import make_instance, panel_ok

ROWS = [["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"]] * 4
QUOTAS = {("c0", "a"): (2, 2), ("c0", "b"): (2, 2), ("c1", "x"): (1, 3), ("c1", "y"): (1, 3)}


def test_it_orders_alternates_outside_the_panel_and_its_households() -> None:
    households = [f"h{i // 2}" for i in range(len(ROWS))]
    instance = make_instance(ROWS, QUOTAS, 4, households)
    record = run_selection(instance, seed=3, number=7, alternates=10)
    panel, alternates = record["panel"], record["alternates"]
    # 8 households of two: the panel uses 4, one alternate per other household.
    assert len(alternates) == 4
    assert not set(alternates) & set(panel)
    people = instance.by_id()
    homes = [people[pid].household for pid in [*panel, *alternates]]
    assert len(homes) == len(set(homes))


def test_the_same_number_gives_the_same_alternates_and_another_number_others() -> None:
    instance = make_instance(ROWS, QUOTAS, 4)
    record = run_selection(instance, seed=1, number=11)
    first = record_draw(record, instance, 11, alternates=6)
    again = record_draw(record, instance, 11, alternates=6)
    other = record_draw(record, instance, 512, alternates=6)
    assert first["alternates"] == again["alternates"]
    assert first["alternates"] != other["alternates"]
    assert verify(first, instance, recompute=False) == []


def test_verification_catches_a_changed_alternates_list() -> None:
    instance = make_instance(ROWS, QUOTAS, 4)
    record = record_draw(run_selection(instance, seed=1), instance, 42, alternates=4)
    record["alternates"] = list(reversed(record["alternates"]))
    assert "alternates" in " ".join(verify(record, instance, recompute=False))


def test_replacements_from_alternates_keep_every_quota() -> None:
    instance = make_instance(ROWS, QUOTAS, 4)
    record = record_draw(run_selection(instance, seed=2), instance, 99, alternates=12)
    panel = record["panel"]
    chosen = replace_from_alternates(instance, panel, panel[:2], record["alternates"])
    assert chosen is not None and len(chosen) == 2
    new_panel = [*panel[2:], *chosen]
    assert panel_ok(instance, new_panel)
    # The first alternate that fits is taken: walk the list by hand.
    assert chosen[0] in record["alternates"]


def test_it_returns_none_when_the_alternates_cannot_keep_the_quotas() -> None:
    instance = make_instance(ROWS, QUOTAS, 4)
    record = run_selection(instance, seed=2, number=5)
    panel = record["panel"]
    people = instance.by_id()
    dropped = [pid for pid in panel if people[pid].features["c0"] == "a"][:1]
    wrong_kind = [
        p.id for p in instance.respondents if p.features["c0"] == "b" and p.id not in panel
    ]
    assert replace_from_alternates(instance, panel, dropped, wrong_kind) is None
    assert alternates_order(instance, panel, 0, "x", 1) == []
