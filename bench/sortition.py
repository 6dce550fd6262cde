"""Benchmark: our LEXIMIN against the reference library, and a 10,000 pool.

    .venv/bin/python bench/sortition.py [--instances a,b] [--reference-timeout 1800]
                                        [--our-timeout S] [--no-reference]
                                        [--no-synthetic] [--cpu]

For each instance in ../shared/data/sortition/ it runs our whole LEXIMIN (every
level) and the reference implementation, the PyPI package
``sortition-algorithms==0.12`` (GPL-3): its ``maximin`` with the ``mip``
(CBC) backend, and its ``leximin``, which needs ``gurobipy`` (installed from
PyPI into the reference environment; its free licence refuses large models,
and where it does, or gurobipy is missing, the column says so). The reference
lives in its own virtualenv
(bench/.venv-reference, created on first use) and runs as its own process
through bench/reference_driver.py; the project never imports it.

Then a synthetic pool of 10,000 respondents (panel 175, 7 categories, one the
12 provinces, with households), generated deterministically here, timed for
our LEXIMIN only against the 600 s target, with peak memory (ru_maxrss of the
worker process) against 2 GiB. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared" / "data" / "sortition"
REFERENCE_VENV = BENCH / ".venv-reference"
REFERENCE_PYTHON = REFERENCE_VENV / "bin" / "python"

# folder -> (panel size, household columns)
INSTANCES = {
    "example_small_20": (20, ""),
    "example_large_200": (200, ""),
    "nl_500_50_hh": (50, "address,postcode"),
    "nl_2000_150": (150, ""),
}
SYNTHETIC = "synthetic_10000_175_hh"
TARGET_SECONDS = 600.0
TARGET_BYTES = 2 * 1024**3

CATEGORIES: dict[str, dict[str, float]] = {
    "geslacht": {"vrouw": 0.50, "man": 0.49, "anders": 0.01},
    "leeftijd": {
        "16-24": 0.13,
        "25-34": 0.15,
        "35-44": 0.14,
        "45-54": 0.16,
        "55-64": 0.16,
        "65-74": 0.14,
        "75+": 0.12,
    },
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
    "stedelijkheid": {
        "zeer sterk": 0.25,
        "sterk": 0.24,
        "matig": 0.17,
        "weinig": 0.18,
        "niet": 0.16,
    },
    "houding": {"strenger": 0.35, "zo laten": 0.31, "soepeler": 0.24, "weet niet": 0.10},
    "migratieachtergrond": {"geen": 0.75, "europees": 0.09, "buiten-europees": 0.16},
}
# self-selection of sign-ups: older, higher-educated, urban people over-represented
SKEW = {
    "65-74": 1.5,
    "75+": 1.3,
    "16-24": 0.6,
    "hoog": 1.6,
    "laag": 0.6,
    "zeer sterk": 1.3,
    "niet": 0.7,
}


def synthetic(directory: Path, n: int = 10_000, k: int = 175, seed: int = 2026) -> None:
    """A deterministic Dutch-style pool with households, and its quotas."""
    import numpy as np

    rng = np.random.default_rng(seed)
    with (directory / "categories.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["feature", "value", "min", "max"])
        for category, shares in CATEGORIES.items():
            for value, share in shares.items():
                target = share * k
                low = max(0, min(math.floor(target * 0.9), math.floor(target) - 1))
                high = max(math.ceil(target * 1.1), math.ceil(target) + 1)
                writer.writerow([category, value, low, high])
    columns = {}
    for category, shares in CATEGORIES.items():
        weights = np.array([share * SKEW.get(v, 1.0) for v, share in shares.items()])
        columns[category] = rng.choice(list(shares), size=n, p=weights / weights.sum())
    address = np.arange(n)
    # about 20 % of people share an address with the previous person
    shared = rng.random(n) < 0.2
    for i in range(1, n):
        if shared[i]:
            address[i] = address[i - 1]
            columns["provincie"][i] = columns["provincie"][i - 1]
            columns["stedelijkheid"][i] = columns["stedelijkheid"][i - 1]
    with (directory / "respondents.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *CATEGORIES, "address", "postcode"])
        for i in range(n):
            writer.writerow(
                [
                    f"s{i:05d}",
                    *(columns[c][i] for c in CATEGORIES),
                    f"Straat {address[i]}",
                    f"{1000 + address[i] % 9000}AB",
                ]
            )


def worker(folder: Path, k: int, households: str) -> None:
    """Run our LEXIMIN in this process and print seconds, min and peak memory."""
    import resource

    sys.path.insert(0, str(ROOT))
    from participants.sortition.io import load_instance
    from participants.sortition.leximin import leximin
    from participants.sortition.units import build_units

    columns = [c for c in households.split(",") if c]
    instance = load_instance(folder / "categories.csv", folder / "respondents.csv", k, columns)
    started, cpu = time.perf_counter(), time.process_time()
    distribution = leximin(
        build_units(instance),
        seed=0,
        progress=lambda line, _fraction: print(line, file=sys.stderr, flush=True),
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "min_probability": distribution.min_probability,
                "peak_bytes": peak,
                "stats": distribution.stats,
            }
        )
    )


def run_json(command: list[str], timeout: float | None) -> dict[str, object] | str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode != 0:
        return "error: " + (done.stderr.strip().splitlines() or ["?"])[-1][:80]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def ensure_reference() -> None:
    if REFERENCE_PYTHON.exists():
        ensure_gurobi()
        return
    print(
        "creating bench/.venv-reference (sortition-algorithms==0.12, mip==1.17.6)", file=sys.stderr
    )
    subprocess.run([sys.executable, "-m", "venv", str(REFERENCE_VENV)], check=True)
    subprocess.run(
        [
            str(REFERENCE_PYTHON),
            "-m",
            "pip",
            "install",
            "-q",
            "sortition-algorithms==0.12",
            "mip==1.17.6",
        ],
        check=True,
    )
    ensure_gurobi()


def ensure_gurobi() -> None:
    """The reference's leximin needs gurobipy (PyPI, with a free licence that
    refuses models above a size limit); without it that column says "n/a"."""
    found = subprocess.run(
        [str(REFERENCE_PYTHON), "-c", "import gurobipy"], capture_output=True, check=False
    )
    if found.returncode != 0:
        print("installing gurobipy into bench/.venv-reference", file=sys.stderr)
        subprocess.run(
            [str(REFERENCE_PYTHON), "-m", "pip", "install", "-q", "gurobipy"], check=False
        )


def reference_input(folder: Path, k: int, directory: Path) -> tuple[Path, Path]:
    """The instance in the reference's own format, via our reader."""
    sys.path.insert(0, str(ROOT))
    from participants.sortition.io import load_instance

    columns = ["address", "postcode"]
    try:
        instance = load_instance(folder / "categories.csv", folder / "respondents.csv", k, [])
    except Exception:  # the reference then gets the files as they are
        return folder / "categories.csv", folder / "respondents.csv"
    features, people = directory / "categories.csv", directory / "respondents.csv"
    with features.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["feature", "value", "min", "max"])
        for q in instance.quotas:
            writer.writerow([q.category, q.value, q.min, q.max])
    cats = list(instance.categories)
    with people.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *cats, *columns])
        for person in instance.respondents:
            writer.writerow(
                [
                    person.id,
                    *(person.features[c] for c in cats),
                    person.extra.get("address", ""),
                    person.extra.get("postcode", ""),
                ]
            )
    return features, people


def fmt(value: object, digits: int = 6) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--instances",
        default=",".join(INSTANCES),
        help="comma-separated folders of ../shared/data/sortition",
    )
    parser.add_argument("--reference-timeout", type=float, default=1800.0)
    parser.add_argument(
        "--our-timeout",
        type=float,
        default=None,
        help="seconds before our run is reported as 'timeout' (default: none)",
    )
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="compare CPU seconds instead of wall seconds (for a busy machine)",
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("FOLDER", "K", "HOUSEHOLDS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.worker[0]), int(args.worker[1]), args.worker[2])
        return
    if not args.no_reference:
        ensure_reference()
    has_gurobi = (
        not args.no_reference
        and subprocess.run(
            [str(REFERENCE_PYTHON), "-c", "import gurobipy"], capture_output=True, check=False
        ).returncode
        == 0
    )
    header = (
        "instance",
        "n",
        "k",
        "cats",
        "our min",
        "ref maximin min",
        "ref leximin min",
        "our s",
        "ref maximin s",
        "ref leximin s",
        "ours/maximin",
        "ours/leximin",
    )
    rows: list[tuple[str, ...]] = []
    for name in [n for n in args.instances.split(",") if n]:
        k, households = INSTANCES[name]
        folder = SHARED / name
        with (folder / "respondents.csv").open(encoding="utf-8-sig") as handle:
            n = sum(1 for _ in handle) - 1
        with (folder / "categories.csv").open(encoding="utf-8-sig") as handle:
            cats = len({row[0] for row in list(csv.reader(handle))[1:] if row})
        print(f"{name}: ours...", file=sys.stderr, flush=True)
        ours = run_json(
            [sys.executable, __file__, "--worker", str(folder), str(k), households],
            args.our_timeout,
        )
        ref_max: dict[str, object] | str = "not run"
        ref_lex: dict[str, object] | str = "n/a"
        if not args.no_reference:
            with tempfile.TemporaryDirectory() as tmp:
                features, people = reference_input(folder, k, Path(tmp))
                print(f"{name}: reference maximin...", file=sys.stderr, flush=True)
                ref_max = run_json(
                    [
                        str(REFERENCE_PYTHON),
                        str(BENCH / "reference_driver.py"),
                        str(features),
                        str(people),
                        str(k),
                        "maximin",
                        households,
                    ],
                    args.reference_timeout,
                )
                if has_gurobi:
                    ref_lex = run_json(
                        [
                            str(REFERENCE_PYTHON),
                            str(BENCH / "reference_driver.py"),
                            str(features),
                            str(people),
                            str(k),
                            "leximin",
                            households,
                        ],
                        args.reference_timeout,
                    )

        def get(result: dict[str, object] | str, key: str) -> object:
            return result.get(key, "-") if isinstance(result, dict) else result

        key = "cpu_seconds" if args.cpu else "seconds"
        our_s, max_s, lex_s = get(ours, key), get(ref_max, key), get(ref_lex, key)
        ratio_max = (
            fmt(our_s / max_s, 2)
            if isinstance(our_s, float) and isinstance(max_s, float)
            else "n/a"
        )
        ratio_lex = (
            fmt(our_s / lex_s, 2)
            if isinstance(our_s, float) and isinstance(lex_s, float)
            else "n/a"
        )
        rows.append(
            (
                name,
                str(n),
                str(k),
                str(cats),
                fmt(get(ours, "min_probability")),
                fmt(get(ref_max, "min_probability")),
                fmt(get(ref_lex, "min_probability")) if isinstance(ref_lex, dict) else "-",
                fmt(our_s, 1),
                fmt(max_s, 1),
                fmt(lex_s, 1),
                ratio_max,
                ratio_lex,
            )
        )
        print_table(header, rows)
    if not args.no_synthetic:
        with tempfile.TemporaryDirectory() as tmp:
            synthetic(Path(tmp))
            print(f"{SYNTHETIC}: ours...", file=sys.stderr, flush=True)
            ours = run_json(
                [sys.executable, __file__, "--worker", tmp, "175", "address,postcode"],
                args.our_timeout,
            )
        if isinstance(ours, dict):
            seconds = float(ours["seconds"])  # type: ignore[arg-type]
            peak = int(ours["peak_bytes"])  # type: ignore[call-overload]
            print(
                f"\n{SYNTHETIC}: n 10000, k 175, 7 categories, households; "
                f"min {fmt(ours['min_probability'])}; {seconds:.1f} s "
                f"= {seconds / TARGET_SECONDS:.2f} x the 600 s limit; peak memory "
                f"{peak / 1024**3:.2f} GiB = {peak / TARGET_BYTES:.2f} x the 2 GiB limit; "
                f"stats {ours['stats']}"
            )
        else:
            print(f"\n{SYNTHETIC}: {ours}")


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
