"""Subgroup tables for one weekend: a pure algorithm, no Django.

Plain data in: the people present (an id and one value per quota category),
the pairs who sat together at earlier weekends, the bounds on a table's size
and a seed. Tables out. The same input and seed give the same tables.

What a good assignment is:

1. every table's mix looks like the mix of everyone present. For a table of
   size s, a category value that N of the n people have has the proportional
   share ``N * s / n``; the *deviation* is how far the table's count is from
   it, in persons. With one category every count can be the share rounded
   down or up (controlled rounding of a two-way table), and the search finds
   that: deviation below 1 person (tested). With several categories at once
   exact rounding is not always possible, so the cost makes a deviation
   above one person steep rather than forbidden; the bound we test is 1.5
   persons (the 175-member, 7-category case of bench/tables.py reaches about
   1.2–1.5 with nearly every count within 1; random tables reach about 4.7).
   ``Assignment.mix_deviation`` says what a run reached;
2. people meet as many new people as possible: a pair who sat together
   before costs something for each earlier time, so the search spreads them.

How: a balanced start (people sorted by their combined values and dealt in a
snake over the tables, so each value is spread evenly), then simulated
annealing with swaps of two people at different tables (swaps keep the
table sizes), then greedy passes over all swaps (at most three, usually
one or two suffice). All randomness comes from ``random.Random(seed)``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_SIZE = 6
MAX_SIZE = 8


Pair = tuple[str, str]


@dataclass(frozen=True)
class Person:
    id: str
    features: Mapping[str, str]


@dataclass(frozen=True)
class Weights:
    """The cost of an assignment, summed over tables, category values and pairs.

    Per table and category value, with d the deviation from the share in
    persons: ``mix * d**6 + spread * d**2``. The sixth power is nearly flat
    below one person and steep above it (d = 1 costs 1, d = 1.5 costs 11, d = 2
    costs 64), so the search keeps every count within about one person of
    its share before it trades anything; the square prefers the share itself.
    ``repeat`` per earlier meeting of two people now at the same table: a
    repeated pair is worth a small shift in the mix, never a large one.
    """

    mix: float = 1.0
    spread: float = 0.2
    repeat: float = 5.0


@dataclass(frozen=True)
class Assignment:
    tables: list[list[str]]  # table i holds the ids of its people
    mix_deviation: float  # the largest deviation over tables and category values, in persons
    repeated_pairs: int  # pairs at a table who sat together before
    cost: float = 0.0


@dataclass(frozen=True)
class BalanceCell:
    """One category value at one table: how many, against the proportional share."""

    table: int
    category: str
    value: str
    count: int
    target: float

    @property
    def deviation(self) -> float:
        return abs(self.count - self.target)


@dataclass
class _State:
    sizes: list[int]
    feats: list[list[int]]  # person -> value index per category
    cost: list[list[list[float]]]  # table -> value -> count -> cost
    prior: list[dict[int, float]]  # person -> {other person: weighted earlier meetings}
    table_of: list[int] = field(default_factory=list)
    members: list[list[int]] = field(default_factory=list)
    counts: list[list[int]] = field(default_factory=list)


def table_sizes(n: int, min_size: int = MIN_SIZE, max_size: int = MAX_SIZE) -> list[int]:
    """The sizes of the tables for ``n`` people: as few tables as ``max_size``
    allows, sizes differing by at most one (largest first). When ``n`` is too
    small for ``min_size`` the sizes are below it: nobody is left out."""
    if n <= 0:
        return []
    if min_size > max_size:
        raise ValueError("min_size is above max_size")
    count = math.ceil(n / max_size)
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


def pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def pair_counts(rounds: Iterable[Sequence[Sequence[str]]]) -> Counter[Pair]:
    """How often each pair sat at the same table in the given rounds."""
    counts: Counter[Pair] = Counter()
    for tables in rounds:
        for table in tables:
            ids = sorted(table)
            for index, first in enumerate(ids):
                for second in ids[index + 1 :]:
                    counts[(first, second)] += 1
    return counts


def repeated_pairs(tables: Sequence[Sequence[str]], previous: Mapping[Pair, int]) -> int:
    """Pairs at the same table now who also sat together before (each pair once)."""
    if not previous:
        return 0
    total = 0
    for table in tables:
        ids = list(table)
        for index, first in enumerate(ids):
            for second in ids[index + 1 :]:
                if previous.get(pair(first, second), 0) > 0:
                    total += 1
    return total


def _categories(features: Iterable[Mapping[str, str]]) -> list[str]:
    keys: set[str] = set()
    for values in features:
        keys.update(values)
    return sorted(keys)


def balance(
    tables: Sequence[Sequence[str]], features: Mapping[str, Mapping[str, str]]
) -> list[BalanceCell]:
    """Per table, category and value (every value someone present has): the
    count against the share ``N * size / n``. Tables in order, categories
    sorted, values sorted."""
    seated = [pid for table in tables for pid in table]
    n = len(seated)
    categories = _categories(features.get(pid, {}) for pid in seated)
    totals: dict[str, Counter[str]] = {c: Counter() for c in categories}
    for pid in seated:
        for category in categories:
            totals[category][features.get(pid, {}).get(category, "")] += 1
    cells: list[BalanceCell] = []
    for number, table in enumerate(tables):
        size = len(table)
        for category in categories:
            here = Counter(features.get(pid, {}).get(category, "") for pid in table)
            for value in sorted(totals[category]):
                target = totals[category][value] * size / n if n else 0.0
                cells.append(BalanceCell(number, category, value, here[value], target))
    return cells


def mix_deviation(
    tables: Sequence[Sequence[str]], features: Mapping[str, Mapping[str, str]]
) -> float:
    """The largest deviation of a table's count from its share, in persons."""
    return max((cell.deviation for cell in balance(tables, features)), default=0.0)


def random_tables(ids: Sequence[str], sizes: Sequence[int], rng: random.Random) -> list[list[str]]:
    """A uniformly random assignment with the given sizes (the baseline)."""
    order = list(ids)
    rng.shuffle(order)
    tables: list[list[str]] = []
    start = 0
    for size in sizes:
        tables.append(order[start : start + size])
        start += size
    return tables


def _value_cost(count: int, target: float, weights: Weights) -> float:
    deviation = abs(count - target)
    return weights.mix * deviation**6 + weights.spread * deviation**2


def _prepare(
    people: Sequence[Person], sizes: list[int], previous: Mapping[Pair, int], weights: Weights
) -> _State:
    n = len(people)
    categories = _categories(p.features for p in people)
    index: dict[tuple[str, str], int] = {}
    feats: list[list[int]] = []
    for person in people:
        row = []
        for category in categories:
            key = (category, person.features.get(category, ""))
            row.append(index.setdefault(key, len(index)))
        feats.append(row)
    totals = [0] * len(index)
    for row in feats:
        for value in row:
            totals[value] += 1
    cost = [
        [
            [_value_cost(count, totals[v] * size / n, weights) for count in range(size + 2)]
            for v in range(len(index))
        ]
        for size in sizes
    ]
    position = {person.id: i for i, person in enumerate(people)}
    prior: list[dict[int, float]] = [{} for _ in people]
    for (first, second), times in previous.items():
        i, j = position.get(first), position.get(second)
        if i is None or j is None or i == j or times <= 0:
            continue
        prior[i][j] = prior[j][i] = weights.repeat * times
    return _State(sizes=sizes, feats=feats, cost=cost, prior=prior)


def _deal(state: _State, rng: random.Random) -> None:
    """The balanced start: people sorted by their combined values (ties in
    random order), dealt in a snake over the tables, each up to its size."""
    people = list(range(len(state.feats)))
    rng.shuffle(people)
    people.sort(key=lambda i: state.feats[i])
    slots: list[int] = []
    tables = len(state.sizes)
    for turn in range(max(state.sizes, default=0)):
        order = range(tables) if turn % 2 == 0 else range(tables - 1, -1, -1)
        slots.extend(t for t in order if state.sizes[t] > turn)
    values = max((v for row in state.feats for v in row), default=-1) + 1
    state.table_of = [0] * len(people)
    state.members = [[] for _ in state.sizes]
    state.counts = [[0] * values for _ in state.sizes]
    for person, table in zip(people, slots, strict=True):
        state.table_of[person] = table
        state.members[table].append(person)
        for value in state.feats[person]:
            state.counts[table][value] += 1


def _total_cost(state: _State) -> float:
    total = 0.0
    for table, counts in enumerate(state.counts):
        costs = state.cost[table]
        total += sum(costs[v][c] for v, c in enumerate(counts))
        members = state.members[table]
        for index, first in enumerate(members):
            prior = state.prior[first]
            if prior:
                total += sum(prior.get(second, 0.0) for second in members[index + 1 :])
    return total


def _swap_delta(state: _State, i: int, j: int) -> float:
    a, b = state.table_of[i], state.table_of[j]
    counts_a, counts_b = state.counts[a], state.counts[b]
    cost_a, cost_b = state.cost[a], state.cost[b]
    delta = 0.0
    for gi, gj in zip(state.feats[i], state.feats[j], strict=True):
        if gi == gj:
            continue
        x = counts_a[gi]
        delta += cost_a[gi][x - 1] - cost_a[gi][x]
        x = counts_a[gj]
        delta += cost_a[gj][x + 1] - cost_a[gj][x]
        x = counts_b[gj]
        delta += cost_b[gj][x - 1] - cost_b[gj][x]
        x = counts_b[gi]
        delta += cost_b[gi][x + 1] - cost_b[gi][x]
    prior_i, prior_j = state.prior[i], state.prior[j]
    if prior_i:
        for k in state.members[b]:
            if k != j:
                delta += prior_i.get(k, 0.0)
        for k in state.members[a]:
            if k != i:
                delta -= prior_i.get(k, 0.0)
    if prior_j:
        for k in state.members[a]:
            if k != i:
                delta += prior_j.get(k, 0.0)
        for k in state.members[b]:
            if k != j:
                delta -= prior_j.get(k, 0.0)
    return delta


def _swap(state: _State, i: int, j: int) -> None:
    a, b = state.table_of[i], state.table_of[j]
    for value in state.feats[i]:
        state.counts[a][value] -= 1
        state.counts[b][value] += 1
    for value in state.feats[j]:
        state.counts[b][value] -= 1
        state.counts[a][value] += 1
    members_a, members_b = state.members[a], state.members[b]
    members_a[members_a.index(i)] = j
    members_b[members_b.index(j)] = i
    state.table_of[i], state.table_of[j] = b, a


def _anneal(state: _State, rng: random.Random, steps: int) -> None:
    n = len(state.table_of)
    if len(state.sizes) < 2 or steps <= 0:
        return
    start_temperature, end_temperature = 1.0, 0.05
    factor = (end_temperature / start_temperature) ** (1 / steps)
    temperature = start_temperature
    table_of = state.table_of
    randrange, uniform = rng.randrange, rng.random
    for _step in range(steps):
        i = randrange(n)
        j = randrange(n)
        if table_of[i] != table_of[j]:
            delta = _swap_delta(state, i, j)
            if delta <= 0 or uniform() < math.exp(-delta / temperature):
                _swap(state, i, j)
        temperature *= factor


def _descend(state: _State, max_passes: int = 3) -> None:
    """Apply every improving swap until none is left (a local optimum)."""
    n = len(state.table_of)
    for _pass in range(max_passes):
        improved = False
        for i in range(n):
            for j in range(i + 1, n):
                if state.table_of[i] != state.table_of[j] and _swap_delta(state, i, j) < -1e-9:
                    _swap(state, i, j)
                    improved = True
        if not improved:
            return


def assign_tables(
    people: Sequence[Person],
    *,
    previous: Mapping[Pair, int] | None = None,
    min_size: int = MIN_SIZE,
    max_size: int = MAX_SIZE,
    seed: int = 0,
    steps_per_person: int = 400,
    weights: Weights | None = None,
) -> Assignment:
    """Tables for ``people``: balanced on every category, few repeated pairs.

    ``previous`` maps a pair (ids in sorted order, see ``pair``) to how often it
    sat together before. ``steps_per_person`` sets how long the search runs
    (its cost grows linearly with it); the result depends only on the input
    and ``seed``.
    """
    weights = weights or Weights()
    previous = previous or {}
    ids = [person.id for person in people]
    if len(set(ids)) != len(ids):
        raise ValueError("people ids are not unique")
    if not people:
        return Assignment(tables=[], mix_deviation=0.0, repeated_pairs=0)
    sizes = table_sizes(len(people), min_size, max_size)
    rng = random.Random(seed)
    state = _prepare(people, sizes, previous, weights)
    _deal(state, rng)
    _anneal(state, rng, steps_per_person * len(people))
    _descend(state)
    tables = [[people[i].id for i in sorted(members)] for members in state.members]
    features = {person.id: person.features for person in people}
    return Assignment(
        tables=tables,
        mix_deviation=mix_deviation(tables, features),
        repeated_pairs=repeated_pairs(tables, previous),
        cost=_total_cost(state),
    )
