"""The transparent draw (Flanigan, Kehne, Procaccia, *Fair sortition made
transparent*, NeurIPS 2021).

The LEXIMIN distribution has arbitrary real probabilities; a public ceremony
needs a uniform lottery. We round it to ``m`` tickets (default 1000, so three
ten-sided dice pick one):

1. every panel composition P gets ``floor(m * lambda_P)`` tickets; the few
   tickets left over go, one at a time, to the composition whose members end
   least over-served (largest remaining deficit of its worst-off member), each
   composition getting at most one extra ticket. So every count is
   ``floor`` or ``ceil`` of ``m * lambda_P`` (dependent rounding in the spirit
   of the paper's pipage rounding, made deterministic);
2. members of an interchangeable group are dealt round-robin over the tickets
   (in canonical order), so within a group each member's ticket count differs
   from the group average by less than one.

The ticket table (ticket number -> panel, in canonical order) is published,
with its SHA-256, before the number is drawn. Ticket = public number mod m.
``max_probability_change`` is the largest |tickets_i / m - pi_i| over
respondents: the price of transparency, reported with every run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from .leximin import Composition, Distribution
from .units import FloatArray, IntArray


@dataclass(frozen=True)
class TicketTable:
    """m tickets, each naming a panel (sorted respondent ids)."""

    panels: tuple[tuple[str, ...], ...]  # distinct panels, canonical order
    tickets: tuple[int, ...]  # ticket number -> index into ``panels``

    @property
    def size(self) -> int:
        return len(self.tickets)

    def sha256(self) -> str:
        """The hash to publish before the draw."""
        return ticket_table_sha256(self.panels, self.tickets)

    def probabilities(self) -> dict[str, float]:
        """Each respondent's chance under the uniform ticket lottery."""
        counts: dict[str, int] = {}
        for index in self.tickets:
            for pid in self.panels[index]:
                counts[pid] = counts.get(pid, 0) + 1
        return {pid: c / self.size for pid, c in counts.items()}

    def draw(self, number: int) -> tuple[int, tuple[str, ...]]:
        """The ticket a public number picks, and its panel."""
        ticket = ticket_for(number, self.size)
        return ticket, self.panels[self.tickets[ticket]]


def ticket_for(number: int, tickets: int) -> int:
    """Ticket = public number mod m (with m = 1000, dice 000-999 map one to one)."""
    return number % tickets


def ticket_table_sha256(panels: object, tickets: object) -> str:
    """SHA-256 over the ticket table in canonical JSON."""
    text = json.dumps([panels, tickets], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def round_counts(distribution: Distribution, m: int) -> IntArray:
    """Integer tickets per composition summing to m (floor, plus at most one)."""
    units = distribution.units
    weights = distribution.weights
    scaled = weights * m
    counts = np.floor(scaled + 1e-9).astype(np.int64)
    left = m - int(counts.sum())
    comps = distribution.compositions
    panel_of = np.repeat(np.arange(len(comps)), [len(c) for c in comps])
    unit = np.array([u for c in comps for u, _ in c], dtype=np.int64)
    share = np.array([x for c in comps for _, x in c], dtype=np.float64) / units.count[unit]
    starts = np.concatenate([[0], np.cumsum([len(c) for c in comps])[:-1]]).astype(np.int64)
    # deficit per member, in tickets: target m*pi minus what the counts give
    given = np.bincount(unit, weights=share * counts[panel_of], minlength=units.size)
    deficit: FloatArray = m * distribution.unit_probability - given
    eligible = scaled - counts > 1e-9
    for _ in range(max(0, left)):
        worst = np.minimum.reduceat(deficit[unit] - share, starts)
        score = np.where(eligible, worst, -np.inf)
        if not np.isfinite(score).any():
            score = worst  # more tickets left than fractional parts: rare rounding noise
        pick = int(np.argmax(score))
        counts[pick] += 1
        eligible[pick] = False
        span = slice(starts[pick], starts[pick] + len(comps[pick]))
        deficit[unit[span]] -= share[span]
    return counts


def ticket_table(distribution: Distribution, m: int = 1000) -> TicketTable:
    """Round and realise: the public ticket table for a distribution."""
    units = distribution.units
    counts = round_counts(distribution, m)
    order = sorted(
        range(len(distribution.compositions)), key=lambda i: distribution.compositions[i]
    )
    pointer = np.zeros(units.size, dtype=np.int64)
    index_of: dict[tuple[str, ...], int] = {}
    panels: list[tuple[str, ...]] = []
    tickets: list[int] = []
    for i in order:
        comp: Composition = distribution.compositions[i]
        for _ in range(int(counts[i])):
            chosen: list[str] = []
            for u, x in comp:
                members = units.members[u]
                start = int(pointer[u])
                chosen.extend(members[(start + j) % len(members)] for j in range(x))
                pointer[u] = (start + x) % len(members)
            panel = tuple(sorted(chosen))
            if panel not in index_of:
                index_of[panel] = len(panels)
                panels.append(panel)
            tickets.append(index_of[panel])
    return TicketTable(tuple(panels), tuple(tickets))


def max_probability_change(table: TicketTable, probabilities: dict[str, float]) -> float:
    """Largest change of any respondent's probability caused by the rounding."""
    lottery = table.probabilities()
    return max(abs(lottery.get(pid, 0.0) - p) for pid, p in probabilities.items())
