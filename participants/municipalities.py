"""Which province a Dutch municipality (gemeente) lies in.

The population extract (BRP) gives each resident a municipality, not a
province; the invitation draw per province looks the province up here, in
participants/data/municipalities_nl.csv (the CBS list of 1 January 2025; see
participants/data/README.md for how to update it). Pure Python: no Django.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MUNICIPALITIES_FILE = Path(__file__).resolve().parent / "data" / "municipalities_nl.csv"

# The province as participants.models.Province stores it, by its name in the
# CBS list. CBS writes Fryslân; the model keeps "Friesland" as its value.
PROVINCES: dict[str, str] = {
    "Groningen": "Groningen",
    "Fryslân": "Friesland",
    "Drenthe": "Drenthe",
    "Overijssel": "Overijssel",
    "Flevoland": "Flevoland",
    "Gelderland": "Gelderland",
    "Utrecht": "Utrecht",
    "Noord-Holland": "Noord-Holland",
    "Zuid-Holland": "Zuid-Holland",
    "Zeeland": "Zeeland",
    "Noord-Brabant": "Noord-Brabant",
    "Limburg": "Limburg",
}

# Other names a BRP extract or an organiser may use, with the CBS name they
# mean. Names with CBS's province suffix, such as "Hengelo (O.)", are also
# found without it (unless two municipalities share the name, as Bergen does)
# and with the province written out: see _keys_of.
ALIASES: dict[str, str] = {
    "Den Haag": "'s-Gravenhage",
    "The Hague": "'s-Gravenhage",
    "Den Bosch": "'s-Hertogenbosch",
    "Nuenen": "Nuenen, Gerwen en Nederwetten",
    "Nuenen c.a.": "Nuenen, Gerwen en Nederwetten",
    # Dutch forms of Frisian names, and names used before a change of name.
    "Tietjerksteradeel": "Tytsjerksteradiel",
    "Dantumadeel": "Dantumadiel",
    "De Friese Meren": "De Fryske Marren",
    "Zuidwest-Friesland": "Súdwest-Fryslân",
    "Noordoost-Friesland": "Noardeast-Fryslân",
    # Municipalities merged since 2021 into one in the same province: an older
    # extract still has their names.
    "Appingedam": "Eemsdelta",
    "Delfzijl": "Eemsdelta",
    "Loppersum": "Eemsdelta",
    "Heerhugowaard": "Dijk en Waard",
    "Langedijk": "Dijk en Waard",
    "Beemster": "Purmerend",
    "Weesp": "Amsterdam",
    "Boxmeer": "Land van Cuijk",
    "Cuijk": "Land van Cuijk",
    "Grave": "Land van Cuijk",
    "Mill en Sint Hubert": "Land van Cuijk",
    "Sint Anthonis": "Land van Cuijk",
    "Landerd": "Maashorst",
    "Uden": "Maashorst",
    "Brielle": "Voorne aan Zee",
    "Hellevoetsluis": "Voorne aan Zee",
    "Westvoorne": "Voorne aan Zee",
}

_SUFFIX = re.compile(r"^(?P<base>.+?)\s*\((?P<suffix>[^)]*)\)$")


@dataclass(frozen=True)
class Municipality:
    cbs_code: str
    name: str
    province: str  # a participants.models.Province value


def normalise(name: str) -> str:
    """The lookup key: no case, accents, hyphens, apostrophes, dots or spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in plain.casefold() if char.isalnum())


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every municipality in the CSV, in its order."""
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Municipality(
                cbs_code=row["cbs_code"], name=row["gemeente"], province=PROVINCES[row["provincie"]]
            )
            for row in csv.DictReader(handle)
        )


def _keys_of(municipality: Municipality) -> list[str]:
    """"Bergen (NH.)" is also "Bergen (NH)", "Bergen NH" and "Bergen (Noord-Holland)"."""
    keys = [normalise(municipality.name)]
    match = _SUFFIX.match(municipality.name)
    if match:
        names = {cbs for cbs, value in PROVINCES.items() if value == municipality.province}
        names.add(municipality.province)
        keys += [normalise(match["base"] + name) for name in sorted(names)]
    return keys


@cache
def _index() -> dict[str, Municipality]:
    index: dict[str, Municipality] = {}
    for municipality in municipalities():
        for key in _keys_of(municipality):
            if index.setdefault(key, municipality) is not municipality:
                raise ValueError(f"two municipalities have the key {key!r}")
    by_name = {municipality.name: municipality for municipality in municipalities()}
    # The base name alone, where only one municipality has it.
    bases: dict[str, list[Municipality]] = {}
    for municipality in municipalities():
        match = _SUFFIX.match(municipality.name)
        if match:
            bases.setdefault(normalise(match["base"]), []).append(municipality)
    for key, sharing in bases.items():
        if len(sharing) == 1:
            index.setdefault(key, sharing[0])
    for alias, name in ALIASES.items():
        index.setdefault(normalise(alias), by_name[name])
    return index


def municipality_of(name: str) -> Municipality | None:
    """The municipality called `name` (official, CBS or a common alias), or None."""
    return _index().get(normalise(name))


def province_of(name: str) -> str | None:
    """The province (a participants.models.Province value) of municipality `name`, or None."""
    municipality = municipality_of(name)
    return municipality.province if municipality else None
