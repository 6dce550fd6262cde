"""Write brp_demo.csv: a synthetic, clean BRP extract for the demo.

About 600 people in about 400 households, shaped like the files municipal
offices hand over: the BRP's column names, semicolons, Windows-1252, CRLF
line ends, dates as dd-mm-jjjj. Seeded, so every run writes the same file:

    python participants/demo_data/make_brp_demo.py
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from pathlib import Path

SEED = 20270213
PEOPLE = 600
OUT = Path(__file__).with_name("brp_demo.csv")
HEADER = [
    "persoonsnummer", "voornamen", "voorvoegsel", "geslachtsnaam", "straatnaam", "huisnummer",
    "huisletter", "huisnummertoevoeging", "postcode", "woonplaats", "gemeente", "geboortedatum",
    "email",
]
# (woonplaats, gemeente, first two digits of the postcode)
PLACES = [
    ("Amsterdam", "Amsterdam", 10), ("Rotterdam", "Rotterdam", 30),
    ("Den Haag", "'s-Gravenhage", 25), ("Utrecht", "Utrecht", 35),
    ("Eindhoven", "Eindhoven", 56), ("Groningen", "Groningen", 97),
    ("Zwolle", "Zwolle", 80), ("Maastricht", "Maastricht", 62),
    ("Leeuwarden", "Leeuwarden", 89), ("Middelburg", "Middelburg", 43),
    ("Almere", "Almere", 13), ("Arnhem", "Arnhem", 68), ("Tilburg", "Tilburg", 50),
    ("Enschede", "Enschede", 75), ("Hoogeveen", "Hoogeveen", 79),
]
FIRST_NAMES = [
    "Daan", "Sem", "Lucas", "Milan", "Noah", "Jan", "Kees", "Henk", "Mohammed", "Ahmed",
    "Jürgen", "René", "Thijs", "Bram", "Emma", "Julia", "Sanne", "Fleur", "Anouk", "Fatima",
    "Chloë", "Noëlle", "Zoë", "Eline", "Maria", "Ingrid", "Priya", "Yasmina", "Özlem", "Lotte",
]
SURNAMES = [
    ("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"),
    ("", "Bakker"), ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
    ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("van der", "Meer"),
    ("", "Yilmaz"), ("", "El Amrani"), ("", "Kaya"), ("", "Nguyen"), ("", "Wijaya"),
]
STREETS = [
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Schoolstraat", "Julianalaan",
    "Beatrixstraat", "Prins Hendrikkade", "Kanaalweg", "Sint-Janssingel", "Lindelaan",
    "Rozengracht", "Marktplein", "Parallelweg", "Wilhelminastraat",
]
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"
REFERENCE = dt.date(2026, 1, 1)  # births are before this day, so never in the future


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _birth(rng: random.Random, low: int, high: int) -> dt.date:
    return REFERENCE - dt.timedelta(days=rng.randint(low * 365 + 1, high * 365 + 364))


def _household_sizes(rng: random.Random) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < PEOPLE:
        sizes.append(rng.choices([1, 2, 3, 4], weights=[60, 30, 7, 3])[0])
    sizes[-1] -= sum(sizes) - PEOPLE
    return sizes


def rows() -> list[list[str]]:
    rng = random.Random(SEED)
    result: list[list[str]] = []
    used_addresses: set[tuple[str, int, str, str]] = set()
    number = 0
    for size in _household_sizes(rng):
        city, municipality, area = rng.choice(PLACES)
        while True:
            postcode = (f"{area}{rng.randint(0, 99):02d}{rng.choice(LETTERS)}"
                        f"{rng.choice(LETTERS)}")
            house = rng.randint(1, 240)
            letter = rng.choice(["", "", "", "", "", "", "a", "B"])
            addition = rng.choice(["", "", "", "", "", "", "", "1", "II", "bis", "-2"])
            if (postcode, house, letter, addition) not in used_addresses:
                used_addresses.add((postcode, house, letter, addition))
                break
        # Written the ways real extracts write them: with or without a space.
        shown_postcode = rng.choice([postcode, f"{postcode[:4]} {postcode[4:]}"])
        street = rng.choice(STREETS)
        prefix, surname = rng.choice(SURNAMES)
        for member in range(size):
            number += 1
            first = rng.choice(FIRST_NAMES)
            # The first two are adults; the others children, some too young to be invited.
            birth = _birth(rng, 18, 92) if member < 2 else _birth(rng, 0, 22)
            email = ""
            if rng.random() < 0.35:
                email = f"{_ascii(first).lower()}.{number:06d}@example.nl"
            result.append([
                f"D{number:06d}", first, prefix, surname, street, str(house), letter,
                addition, shown_postcode, city, municipality, birth.strftime("%d-%m-%Y"), email,
            ])
    return result


def main() -> None:
    lines = [";".join(HEADER), *(";".join(row) for row in rows())]
    OUT.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    print(f"{OUT}: {len(lines) - 1} people")


if __name__ == "__main__":
    main()
