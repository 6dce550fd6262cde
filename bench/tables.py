"""Benchmark: our subgroup tables against random tables, over seven weekends.

    .venv/bin/python bench/tables.py [--members 175] [--weekends 7] [--random 20] [--seed 7]

A synthetic assembly of 175 members with 7 quota categories (the demo's:
age, gender, education, province, urbanisation, migration background and
one attitude question), spread like a drawn panel. Each weekend a few
members are absent (as in the demo, about 5 %), and tables of 6–8 are made
(at 175 that is 22 tables of 7–8). For ours, each weekend's previous pairs are
the pairs of our own earlier weekends; for random, those of the same random
run. Printed:

- the largest mix deviation over all weekends, tables and category values
  (persons; the tested bound is 1.5), ours and the random mean, and how many
  table × value counts are more than 1 person off;
- the total repeated pairs over the weekends, ours against the mean of N
  random assignments with the same sizes, as a ratio;
- the seconds per weekend of our assignment.

Pure Python: participants/tables.py imports no Django. Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from participants.tables import (  # noqa: E402
    Pair,
    Person,
    assign_tables,
    balance,
    mix_deviation,
    pair_counts,
    random_tables,
    repeated_pairs,
    table_sizes,
)

CATEGORIES: dict[str, dict[str, float]] = {
    "leeftijd": {
        "16-24": 0.13,
        "25-34": 0.15,
        "35-44": 0.14,
        "45-54": 0.16,
        "55-64": 0.16,
        "65-74": 0.14,
        "75+": 0.12,
    },
    "geslacht": {"vrouw": 0.50, "man": 0.49, "anders": 0.01},
    "opleiding": {"laag": 0.30, "midden": 0.38, "hoog": 0.32},
    "provincie": {
        "Zuid-Holland": 0.21,
        "Noord-Holland": 0.17,
        "Noord-Brabant": 0.15,
        "Gelderland": 0.12,
        "Utrecht": 0.08,
        "Overijssel": 0.07,
        "Limburg": 0.06,
        "Friesland": 0.04,
        "Groningen": 0.03,
        "Drenthe": 0.03,
        "Flevoland": 0.02,
        "Zeeland": 0.02,
    },
    "woonomgeving": {
        "zeer sterk": 0.25,
        "sterk": 0.24,
        "matig": 0.17,
        "weinig": 0.18,
        "niet": 0.16,
    },
    "migratieachtergrond": {"geen": 0.75, "europees": 0.09, "buiten-europees": 0.16},
    "houding": {"strenger": 0.35, "zo laten": 0.31, "soepeler": 0.24, "weet niet": 0.10},
}


def members(n: int, seed: int) -> list[Person]:
    """n members whose values follow the shares per category (largest
    remainder, shuffled independently per category)."""
    rng = random.Random(seed)
    columns: dict[str, list[str]] = {}
    for category, shares in CATEGORIES.items():
        exact = {value: share * n for value, share in shares.items()}
        counts = {value: int(x) for value, x in exact.items()}
        order = sorted(exact, key=lambda v: counts[v] - exact[v])
        for value in order[: n - sum(counts.values())]:
            counts[value] += 1
        column = [value for value, count in counts.items() for _ in range(count)]
        rng.shuffle(column)
        columns[category] = column
    return [
        Person(f"m{i:03d}", {category: columns[category][i] for category in CATEGORIES})
        for i in range(n)
    ]


def present(people: list[Person], weekend: int, absent_share: float) -> list[Person]:
    rng = random.Random(1000 + weekend)
    return [p for p in people if rng.random() >= absent_share]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=175)
    parser.add_argument("--weekends", type=int, default=7)
    parser.add_argument("--random", type=int, default=20, help="random runs to average")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--absent", type=float, default=0.05)
    args = parser.parse_args()

    people = members(args.members, args.seed)
    features = {p.id: p.features for p in people}
    weekends = [present(people, w, args.absent) for w in range(args.weekends)]

    ours_rounds: list[list[list[str]]] = []
    ours_repeated = 0
    ours_deviation = 0.0
    cells_over = 0
    cells_total = 0
    seconds: list[float] = []
    for number, here in enumerate(weekends):
        previous: dict[Pair, int] = dict(pair_counts(ours_rounds))
        started = time.perf_counter()
        result = assign_tables(here, previous=previous, seed=args.seed + number)
        seconds.append(time.perf_counter() - started)
        ours_rounds.append(result.tables)
        ours_repeated += result.repeated_pairs
        ours_deviation = max(ours_deviation, result.mix_deviation)
        cells = balance(result.tables, features)
        cells_over += sum(1 for cell in cells if cell.deviation > 1)
        cells_total += len(cells)
        sizes = sorted({len(t) for t in result.tables})
        print(
            f"weekend {number + 1}: {len(here)} present, {len(result.tables)} tables "
            f"of {sizes}, deviation {result.mix_deviation:.2f}, "
            f"repeated pairs {result.repeated_pairs}, {seconds[-1]:.2f} s"
        )

    random_repeated: list[int] = []
    random_deviation: list[float] = []
    for run in range(args.random):
        rng = random.Random(10_000 + run)
        rounds: list[list[list[str]]] = []
        total = 0
        worst = 0.0
        for here in weekends:
            ids = [p.id for p in here]
            tables = random_tables(ids, table_sizes(len(ids)), rng)
            total += repeated_pairs(tables, pair_counts(rounds))
            worst = max(worst, mix_deviation(tables, features))
            rounds.append(tables)
        random_repeated.append(total)
        random_deviation.append(worst)

    mean_repeated = statistics.mean(random_repeated)
    print()
    print(f"members {args.members}, categories {len(CATEGORIES)}, weekends {args.weekends}")
    print(
        f"max mix deviation (persons; tested bound 1.5): ours {ours_deviation:.2f}, "
        f"random mean {statistics.mean(random_deviation):.2f}, "
        f"ratio ours/random {ours_deviation / statistics.mean(random_deviation):.3f}"
    )
    print(
        f"table x category-value counts more than 1 person off: ours {cells_over} "
        f"of {cells_total} ({100 * cells_over / cells_total:.1f} %)"
    )
    print(
        f"repeated pairs over {args.weekends} weekends: ours {ours_repeated}, "
        f"random mean {mean_repeated:.1f} (n={args.random}, "
        f"min {min(random_repeated)}, max {max(random_repeated)}); "
        f"ratio ours/random {ours_repeated / mean_repeated:.3f}"
    )
    print(f"seconds per weekend: mean {statistics.mean(seconds):.2f}, max {max(seconds):.2f}")


if __name__ == "__main__":
    main()
