"""Runs the reference library (sortition-algorithms, GPL-3) on one instance.

Executed only by bench/sortition.py, inside bench/.venv-reference; it imports
only the reference library and the standard library, so the project never
links against GPL code. Input: the reference's own CSV format
(feature,value,min,max; pool with an ``id`` column). Output: one JSON line.
"""

import csv
import json
import sys
import time


def main() -> None:
    features_file, people_file, k, algorithm, households = sys.argv[1:6]
    from sortition_algorithms.committee_generation.leximin import find_distribution_leximin
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    with open(features_file, encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        features = read_in_features(reader.fieldnames or [], list(reader))[0]
    address = [c for c in households.split(",") if c]
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        check_same_address=bool(address),
        check_same_address_columns=address,
        solver_backend="mip",
    )
    with open(people_file, encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        people = read_in_people(list(reader.fieldnames or []), list(reader), features, settings)[0]
    find = find_distribution_leximin if algorithm == "leximin" else find_distribution_maximin
    started, cpu = time.perf_counter(), time.process_time()
    committees, probabilities, _report = find(
        features, people, int(k), address, solver_backend="mip"
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    marginal: dict[str, float] = {}
    for committee, p in zip(committees, probabilities, strict=True):
        for pid in committee:
            marginal[pid] = marginal.get(pid, 0.0) + p
    ids = [row for row in people]
    low = min(marginal.get(str(pid), 0.0) for pid in ids)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "min_probability": low}))


if __name__ == "__main__":
    main()
