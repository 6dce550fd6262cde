"""Benchmark: import a 200,000-row BRP extract through the service.

    .venv/bin/python bench/import_population.py [--rows N]

Generates a deterministic extract shaped like real files (semicolons,
Windows-1252, CRLF, dd-mm-jjjj, postcodes in several spellings), creates a
fresh database (PostgreSQL when DATABASE_URL is set, else a SQLite file),
imports the file through participants.services.population.population_import
and prints rows/s and the time as a ratio against the 60 s target of issue 4
(a ratio at or below 1.00 meets it). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TARGET_SECONDS = 60.0
SEED = 4
HEADER = (
    "persoonsnummer;voornamen;voorvoegsel;geslachtsnaam;straatnaam;huisnummer;huisletter;"
    "huisnummertoevoeging;postcode;woonplaats;gemeente;geboortedatum;email"
)
FIRST = ["Daan", "Sem", "Jan", "René", "Jürgen", "Emma", "Chloë", "Noëlle", "Fatima", "Priya"]
SURNAMES = [("de", "Jong"), ("", "Jansen"), ("van der", "Berg"), ("", "Yilmaz"), ("", "Smit")]
STREETS = ["Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Sint-Janssingel"]
PLACES = [("Utrecht", "Utrecht"), ("Den Haag", "'s-Gravenhage"), ("Zwolle", "Zwolle"),
          ("Maastricht", "Maastricht"), ("Leeuwarden", "Leeuwarden")]


def make_extract(rows: int, seed: int = SEED) -> bytes:
    """A clean extract of `rows` people in households of one to four, always the same."""
    rng = random.Random(seed)
    lines = [HEADER]
    person = 0
    while person < rows:
        postcode = f"{rng.randint(1000, 9999)}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}" \
                   f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
        shown = rng.choice([postcode, postcode.lower(), f"{postcode[:4]} {postcode[4:]}",
                            f" {postcode[:4]}  {postcode[4:]} "])
        house = rng.randint(1, 400)
        letter = rng.choice(["", "", "", "a", "B"])
        addition = rng.choice(["", "", "", "", "II", "bis", "-1", "zw"])
        street = rng.choice(STREETS)
        city, municipality = rng.choice(PLACES)
        prefix, surname = rng.choice(SURNAMES)
        for _member in range(min(rng.choice([1, 1, 2, 2, 3, 4]), rows - person)):
            person += 1
            birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 34000))
            email = f"p{person}@example.nl" if rng.random() < 0.3 else ""
            lines.append(";".join([
                f"B{person:08d}", rng.choice(FIRST), prefix, surname, street, str(house), letter,
                addition, shown, city, municipality, birth.strftime("%d-%m-%Y"), email,
            ]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-population-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"{workdir}/test.sqlite3"
    logging_off()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.rows, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def logging_off() -> None:
    import logging

    logging.getLogger("participants").setLevel(logging.WARNING)


def run(rows: int, vendor: str) -> None:
    from assembly.models import Assembly
    from participants.models import PopulationImport, Resident
    from participants.population import parse_population
    from participants.services.population import population_import

    data = make_extract(rows)
    assembly = Assembly.objects.create(
        slug="bench", name="Bench", question="?", first_weekend=dt.date(2027, 2, 13)
    )
    start = time.perf_counter()
    parsed = parse_population(data, today=dt.date.today())
    parse_seconds = time.perf_counter() - start
    assert not parsed.problems, parsed.problems[:3]

    start = time.perf_counter()
    record = population_import(
        assembly=assembly, file_name="bench.csv", data=data, uploaded_by=None, skip_invalid=False
    )
    seconds = time.perf_counter() - start
    assert record.status == PopulationImport.Status.IMPORTED, record.problems[:3]
    stored = Resident.objects.filter(assembly=assembly).count()
    assert stored == record.rows_imported
    print(
        f"import_population [{vendor}]: {rows} rows ({len(data) / 1e6:.1f} MB, "
        f"{record.rows_imported} imported, {record.rows_underage} under age) "
        f"in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
        f"(reading and checking alone: {parse_seconds:.1f} s)"
    )
    print(
        f"ratio to the {TARGET_SECONDS:.0f} s target: {seconds / TARGET_SECONDS:.2f} "
        f"({'meets' if seconds <= TARGET_SECONDS else 'MISSES'} the target; 1.00 = the limit)"
    )


if __name__ == "__main__":
    main()
