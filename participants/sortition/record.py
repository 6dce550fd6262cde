"""Running a selection end to end, the run record, and its verification.

The record is what an organiser publishes: engine version, SHA-256 of the
canonical pool and quotas, the parameters, the exact LEXIMIN distribution and
probabilities, the ticket table (and its hash), the public number, the ticket
it picks and the panel. Everything is deterministic given the inputs, the seed
and the number.

:func:`verify` re-checks a record against the inputs: hashes, that every
panel in the ticket table meets the quotas and the household rule, that the
drawn ticket is ``number mod m`` and gives the announced panel, that the
probabilities are consistent, and (optionally) that a fresh LEXIMIN run
reaches the same probabilities within 1e-6. It does not demand bit-identical
LP solutions: another machine's solver may pick another optimal distribution,
but the published ticket table is what the draw used.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ENGINE_VERSION
from .alternates import alternates_order
from .diagnose import infeasible_error
from .errors import SortitionError
from .io import input_sha256, pool_sha256, quotas_sha256
from .legacy import legacy_panel
from .leximin import Distribution, Progress, leximin
from .model import Instance
from .transparent import (
    TicketTable,
    max_probability_change,
    ticket_for,
    ticket_table,
    ticket_table_sha256,
)
from .units import Units, build_units, composition_ok

ALGORITHMS = ("leximin", "legacy")
TOLERANCE = 1e-6


def _legacy_table(units: Units, seed: int, m: int) -> TicketTable:
    """m seeded runs of the legacy method, one per ticket."""
    rng = np.random.default_rng(seed)
    panels: list[tuple[str, ...]] = []
    index_of: dict[tuple[str, ...], int] = {}
    tickets: list[int] = []
    for _ in range(m):
        counts = legacy_panel(units, rng)
        chosen: list[str] = []
        for u in np.flatnonzero(counts):
            members = units.members[u]
            picks = rng.choice(len(members), size=int(counts[u]), replace=False)
            chosen.extend(members[int(i)] for i in sorted(picks))
        panel = tuple(sorted(chosen))
        if panel not in index_of:
            index_of[panel] = len(panels)
            panels.append(panel)
        tickets.append(index_of[panel])
    return TicketTable(tuple(panels), tuple(tickets))


def _exact_distribution(distribution: Distribution) -> list[dict[str, Any]]:
    units = distribution.units
    return [
        {
            "groups": [{"members": list(units.members[u]), "take": x} for u, x in comp],
            "probability": float(weight),
        }
        for comp, weight in zip(distribution.compositions, distribution.weights, strict=True)
    ]


def run_selection(
    instance: Instance,
    *,
    algorithm: str = "leximin",
    seed: int = 0,
    tickets: int = 1000,
    number: int | None = None,
    household_columns: Sequence[str] = (),
    progress: Progress | None = None,
    alternates: int = 0,
) -> dict[str, Any]:
    """Select a panel and return the JSON-serialisable run record.

    Without a public ``number`` the seed picks the ticket; that is for trial
    runs only, a real draw uses a number drawn in public after the ticket
    table hash is published (see :func:`record_draw`).
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    if tickets < 1:
        raise ValueError("tickets must be positive")
    started = time.perf_counter()
    units = build_units(instance)
    record: dict[str, Any] = {
        "engine_version": ENGINE_VERSION,
        "algorithm": algorithm,
        "parameters": {
            "panel_size": instance.panel_size,
            "seed": seed,
            "tickets": tickets,
            "household_columns": list(household_columns),
        },
        "input_sha256": input_sha256(instance),
        "pool_sha256": pool_sha256(instance),
        "quotas_sha256": quotas_sha256(instance),
    }
    all_ids = [person.id for person in instance.respondents]
    try:
        if algorithm == "leximin":
            distribution = leximin(units, seed=seed, progress=progress)
            table = ticket_table(distribution, tickets)
            probabilities = distribution.probabilities()
            record["leximin_distribution"] = _exact_distribution(distribution)
            record["stats"] = distribution.stats
        else:
            table = _legacy_table(units, seed, tickets)
            lottery = table.probabilities()
            probabilities = {pid: lottery.get(pid, 0.0) for pid in all_ids}
            record["stats"] = {}
    except SortitionError as error:
        if error.code == "infeasible_quotas" and not error.params.get("details"):
            raise infeasible_error(units) from error
        raise
    record.update(
        {
            "probabilities": {pid: probabilities[pid] for pid in sorted(probabilities)},
            "min_probability": min(probabilities.values()),
            "distribution": [
                {"panel": list(p), "probability": table.tickets.count(i) / table.size}
                for i, p in enumerate(table.panels)
            ],
            "tickets": list(table.tickets),
            "ticket_table_sha256": table.sha256(),
            "max_probability_change": max_probability_change(table, probabilities),
        }
    )
    source = "public"
    if number is None:
        number, source = int(np.random.default_rng(seed).integers(0, tickets)), "seed"
    record = record_draw(record, instance, number, alternates=alternates, source=source)
    record["seconds"] = time.perf_counter() - started
    return record


def record_draw(
    record: dict[str, Any],
    instance: Instance,
    number: int,
    *,
    alternates: int = 0,
    source: str = "public",
) -> dict[str, Any]:
    """A copy of ``record`` with the draw that ``number`` makes: the ticket,
    its panel and the ordered alternates. The ticket table is not touched, so
    a draw can be made (and checked) long after the run."""
    panels = [entry["panel"] for entry in record["distribution"]]
    tickets = record["tickets"]
    ticket = ticket_for(number, len(tickets))
    panel = list(panels[tickets[ticket]])
    drawn = dict(record)
    drawn["parameters"] = {**record["parameters"], "alternates": alternates}
    drawn.update(
        {
            "public_number": number,
            "number_source": source,
            "ticket_drawn": ticket,
            "panel": panel,
            "alternates": alternates_order(
                instance, panel, alternates, record["ticket_table_sha256"], number
            ),
        }
    )
    return drawn


def panel_problems(instance: Instance, panel: Sequence[str]) -> list[str]:
    """What is wrong with a panel (empty list: it meets every rule)."""
    units = build_units(instance, merge=False)
    unit_of = units.unit_of()
    problems = [f"unknown respondent {pid}" for pid in panel if pid not in unit_of]
    if problems:
        return problems
    counts = np.zeros(units.size, dtype=np.int64)
    for pid in panel:
        counts[unit_of[pid]] += 1
    if not composition_ok(units, counts):
        problems.append(f"panel {sorted(panel)[:3]}... breaks a quota or the household rule")
    return problems


def verify_draw(record: dict[str, Any]) -> list[str]:
    """The checks that need the record only, not the pool: the ticket table is
    the one published (by its hash) before the number was known, the number
    picks the announced ticket, that ticket holds the announced panel, and the
    probabilities add up. Anyone can run these; the pool holds every
    respondent's answers, so it is not public (see ``verify``)."""
    problems: list[str] = []
    panels = [tuple(entry["panel"]) for entry in record["distribution"]]
    tickets = list(record["tickets"])
    if ticket_table_sha256(panels, tickets) != record.get("ticket_table_sha256"):
        problems.append("the ticket table does not match its published hash")
    ticket = ticket_for(int(record["public_number"]), len(tickets))
    if ticket != record["ticket_drawn"]:
        problems.append(f"number {record['public_number']} picks ticket {ticket}")
    elif list(panels[tickets[ticket]]) != list(record["panel"]):
        problems.append("the announced panel is not the panel on the drawn ticket")
    probabilities: dict[str, float] = record["probabilities"]
    if abs(sum(probabilities.values()) - int(record["parameters"]["panel_size"])) > TOLERANCE:
        problems.append("the probabilities do not add up to the panel size")
    if abs(sum(e["probability"] for e in record["distribution"]) - 1.0) > TOLERANCE:
        problems.append("the ticket probabilities do not add up to 1")
    return problems


def verify(record: dict[str, Any], instance: Instance, recompute: bool = True) -> list[str]:
    """Re-check a record against the inputs; the list of problems (empty: valid)."""
    problems = verify_draw(record)
    if record.get("input_sha256") != input_sha256(instance):
        problems.append("the pool or quotas differ from the ones the record was made with")
    for entry in record["distribution"]:
        problems.extend(panel_problems(instance, tuple(entry["panel"])))
    announced = list(record.get("alternates", []))
    if announced and "public_number" in record:
        recomputed = alternates_order(
            instance,
            record["panel"],
            len(announced),
            str(record.get("ticket_table_sha256")),
            int(record["public_number"]),
        )
        if recomputed != announced:
            problems.append("the announced alternates are not the ones the number gives")
    probabilities: dict[str, float] = record["probabilities"]
    if recompute and record.get("algorithm") == "leximin":
        fresh = leximin(build_units(instance), seed=int(record["parameters"]["seed"]))
        again = fresh.probabilities()
        worst = max(abs(again[pid] - p) for pid, p in probabilities.items())
        if worst > TOLERANCE:
            problems.append(f"a fresh LEXIMIN run differs by {worst:.2e} in a probability")
    return problems
