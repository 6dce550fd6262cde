"""Replacing panel members who drop out, keeping the quotas.

The members who stay are fixed. Each quota shrinks by the stayers who hold
its value (new minimum ``max(0, min - stayers)``, new maximum
``max - stayers``); the stayers' household-mates, the panel's former members
and the drop-outs leave the pool; the missing seats are then filled from the
rest with LEXIMIN again, so the replacements are as fair as the first draw,
and drawn the same transparent way (LOTTERY.md, "Replacement of drop-outs").
When no replacement set can keep the quotas, the error says which quota
cannot be kept and by how much, in terms of the seats still to fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import SortitionError
from .leximin import Progress
from .model import Instance, Quota
from .record import run_selection


def replacement_instance(
    instance: Instance, panel: Sequence[str], dropped: Sequence[str]
) -> tuple[Instance, list[str]]:
    """The smaller selection problem, and the ids of the stayers."""
    people = instance.by_id()
    for pid in [*panel, *dropped]:
        if pid not in people:
            raise SortitionError("unknown_member", value=pid)
    missing = set(dropped) - set(panel)
    if missing:
        raise SortitionError("unknown_member", value=sorted(missing)[0])
    stayers = [pid for pid in panel if pid not in set(dropped)]
    taken = {people[pid].household for pid in stayers} - {None}
    pool = tuple(
        person
        for person in instance.respondents
        if person.id not in set(panel) and person.household not in taken
    )
    quotas = []
    for quota in instance.quotas:
        held = sum(people[pid].features[quota.category] == quota.value for pid in stayers)
        quotas.append(
            Quota(quota.category, quota.value, max(0, quota.min - held), max(0, quota.max - held))
        )
    return Instance(pool, tuple(quotas), len(panel) - len(stayers)), stayers


def replace_dropouts(
    instance: Instance,
    panel: Sequence[str],
    dropped: Sequence[str],
    *,
    seed: int = 0,
    tickets: int = 1000,
    number: int | None = None,
    household_columns: Sequence[str] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run record of the replacement draw, plus ``stayers``, ``replacements``,
    ``new_panel``. ``household_columns`` are recorded, so a verifier reads the
    pool as it was read here. Raises ``SortitionError`` (``infeasible_quotas`` with the
    diagnosis) when the quotas cannot be kept."""
    reduced, stayers = replacement_instance(instance, panel, dropped)
    if reduced.panel_size == 0:
        return {"stayers": stayers, "replacements": [], "new_panel": sorted(stayers)}
    if len(reduced.respondents) < reduced.panel_size:
        raise SortitionError("bad_panel_size", n=len(reduced.respondents), k=reduced.panel_size)
    record = run_selection(
        reduced,
        seed=seed,
        tickets=tickets,
        number=number,
        household_columns=household_columns,
        progress=progress,
    )
    record["stayers"] = stayers
    record["dropped"] = list(dropped)
    record["replacements"] = record["panel"]
    record["new_panel"] = sorted([*stayers, *record["panel"]])
    return record
