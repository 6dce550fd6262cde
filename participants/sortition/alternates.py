"""Ordered alternates, and replacing drop-outs from them first.

The alternates are drawn as verifiably as the panel: after the public number
is known, every respondent outside the panel gets the rank SHA-256 of
``"<ticket table hash>:<public number>:<id>"``; the lowest hashes come first.
Nobody can steer that order without changing the published ticket table or
the number, and anyone can recompute it from the record. Household-mates of
the panel and of earlier alternates are skipped, so the household rule keeps
holding when an alternate steps in.

When members drop out, :func:`replace_from_alternates` walks the list in
order and takes each alternate whose entry still leaves the quotas reachable
with the seats that remain; if the walk ends with a panel that meets every
quota it is the proposal, otherwise the caller falls back to a fresh LEXIMIN
draw over the whole remaining pool (:mod:`.replace`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .model import Instance


def alternate_rank_key(ticket_table_sha256: str, number: int, person_id: str) -> str:
    """The hash that orders one respondent in the alternates list."""
    text = f"{ticket_table_sha256}:{number}:{person_id}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def alternates_order(
    instance: Instance,
    panel: Sequence[str],
    count: int,
    ticket_table_sha256: str,
    number: int,
) -> list[str]:
    """The first ``count`` alternates, best first."""
    in_panel = set(panel)
    people = instance.by_id()
    taken = {people[pid].household for pid in panel if pid in people} - {None}
    ranked = sorted(
        (person for person in instance.respondents if person.id not in in_panel),
        key=lambda person: alternate_rank_key(ticket_table_sha256, number, person.id),
    )
    chosen: list[str] = []
    for person in ranked:
        if len(chosen) >= count:
            break
        if person.household is not None:
            if person.household in taken:
                continue
            taken.add(person.household)
        chosen.append(person.id)
    return chosen


def _reachable(instance: Instance, counts: dict[tuple[str, str], int], seats: int) -> bool:
    """No maximum passed, and the missing minimums fit in the seats left."""
    for category, values in instance.categories.items():
        missing = 0
        for value in values:
            quota = instance.quota(category, value)
            held = counts.get((category, value), 0)
            if held > quota.max:
                return False
            missing += max(0, quota.min - held)
        if missing > seats:
            return False
    return True


def replace_from_alternates(
    instance: Instance,
    panel: Sequence[str],
    dropped: Sequence[str],
    alternates: Sequence[str],
) -> list[str] | None:
    """Replacements taken from the alternates in order, or ``None`` when the
    alternates cannot fill the seats with every quota met."""
    people = instance.by_id()
    leaving = set(dropped)
    stayers = [pid for pid in panel if pid not in leaving]
    counts: dict[tuple[str, str], int] = {}
    households = {people[pid].household for pid in stayers} - {None}
    for pid in stayers:
        for category, value in people[pid].features.items():
            counts[category, value] = counts.get((category, value), 0) + 1
    seats = len(panel) - len(stayers)
    chosen: list[str] = []
    for pid in alternates:
        if len(chosen) == seats:
            break
        person = people.get(pid)
        if person is None or pid in panel:
            continue
        if person.household is not None and person.household in households:
            continue
        trial = dict(counts)
        for category, value in person.features.items():
            trial[category, value] = trial.get((category, value), 0) + 1
        if not _reachable(instance, trial, seats - len(chosen) - 1):
            continue
        counts = trial
        chosen.append(pid)
        if person.household is not None:
            households.add(person.household)
    if len(chosen) < seats:
        return None
    for category, values in instance.categories.items():
        for value in values:
            quota = instance.quota(category, value)
            if not quota.min <= counts.get((category, value), 0) <= quota.max:
                return None
    return chosen
