"""The list of Dutch municipalities and the province lookup (no database)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from participants import municipalities
from participants.models import Province
from participants.municipalities import ALIASES, municipality_of, normalise, province_of

# Gemeenten per provincie on 1 January 2025 (CBS).
PER_PROVINCE = {
    "Groningen": 10, "Friesland": 18, "Drenthe": 12, "Overijssel": 25, "Flevoland": 6,
    "Gelderland": 51, "Utrecht": 26, "Noord-Holland": 44, "Zuid-Holland": 50, "Zeeland": 13,
    "Noord-Brabant": 56, "Limburg": 31,
}


def _rows() -> list[dict[str, str]]:
    with municipalities.MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_lists_the_342_municipalities_of_2025_with_unique_codes_and_names() -> None:
    rows = _rows()
    assert len(rows) == len(municipalities.municipalities()) == 342
    assert list(rows[0]) == ["cbs_code", "gemeente", "provincie"]
    assert len({row["cbs_code"] for row in rows}) == 342
    assert len({row["gemeente"] for row in rows}) == 342
    assert all(
        row["cbs_code"].startswith("GM") and len(row["cbs_code"]) == 6
        and row["cbs_code"][2:].isdigit()
        for row in rows
    )


def test_it_counts_the_municipalities_of_each_of_the_12_provinces() -> None:
    counts = Counter(municipality.province for municipality in municipalities.municipalities())
    assert counts == PER_PROVINCE
    assert sum(counts.values()) == 342


def test_it_gives_provinces_as_the_registration_form_stores_them() -> None:
    found = {municipality.province for municipality in municipalities.municipalities()}
    assert found == set(Province.values)
    assert set(municipalities.PROVINCES.values()) == set(Province.values)
    # The CBS names of the provinces are the labels the form shows.
    assert set(municipalities.PROVINCES) == {str(label) for label in Province.labels}


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("Amsterdam", "Noord-Holland"),
        ("'s-Gravenhage", "Zuid-Holland"),
        ("Den Haag", "Zuid-Holland"),
        ("DEN HAAG", "Zuid-Holland"),
        ("s Gravenhage", "Zuid-Holland"),
        ("’s-Gravenhage", "Zuid-Holland"),
        ("'s-Hertogenbosch", "Noord-Brabant"),
        ("Den Bosch", "Noord-Brabant"),
        ("s-hertogenbosch", "Noord-Brabant"),
        ("Súdwest-Fryslân", "Friesland"),
        ("Sudwest Fryslan", "Friesland"),
        ("sudwest-fryslan", "Friesland"),
        ("Noardeast-Fryslân", "Friesland"),
        ("Tietjerksteradeel", "Friesland"),
        ("Bergen (NH)", "Noord-Holland"),
        ("Bergen (NH.)", "Noord-Holland"),
        ("Bergen NH", "Noord-Holland"),
        ("Bergen (Noord-Holland)", "Noord-Holland"),
        ("Bergen (L)", "Limburg"),
        ("Bergen (L.)", "Limburg"),
        ("Bergen (Limburg)", "Limburg"),
        ("Bergen op Zoom", "Noord-Brabant"),
        ("Hengelo", "Overijssel"),
        ("Hengelo (O)", "Overijssel"),
        ("Rijswijk", "Zuid-Holland"),
        ("Middelburg", "Zeeland"),
        ("Laren", "Noord-Holland"),
        ("Beek", "Limburg"),
        ("Stein", "Limburg"),
        ("Nuenen, Gerwen en Nederwetten", "Noord-Brabant"),
        ("Nuenen c.a.", "Noord-Brabant"),
        ("  Utrecht ", "Utrecht"),
        ("Voorne aan Zee", "Zuid-Holland"),
        ("Hellevoetsluis", "Zuid-Holland"),
        ("Weesp", "Noord-Holland"),
    ],
)
def test_it_finds_the_province_by_official_name_or_common_form(name: str, province: str) -> None:
    assert province_of(name) == province


@pytest.mark.parametrize(
    "name", ["Amsterdm", "", "   ", "Bergen", "Friesland", "Hengelo (Gld)", "Nergenshuizen"]
)
def test_it_knows_no_province_for_an_unknown_or_ambiguous_name(name: str) -> None:
    # "Bergen" alone is two municipalities; "Friesland" is a province.
    assert province_of(name) is None


def test_it_gives_the_cbs_code_and_official_name() -> None:
    found = municipality_of("den haag")
    assert found is not None
    assert (found.cbs_code, found.name) == ("GM0518", "'s-Gravenhage")
    bergen = municipality_of("Bergen (NH)")
    assert bergen is not None and bergen.cbs_code == "GM0373"


def test_every_alias_names_a_listed_municipality_and_hides_none() -> None:
    names = {municipality.name for municipality in municipalities.municipalities()}
    keys = {normalise(name) for name in names}
    assert set(ALIASES.values()) <= names
    assert not {normalise(alias) for alias in ALIASES} & keys


def test_every_name_in_the_list_finds_itself() -> None:
    for municipality in municipalities.municipalities():
        assert municipality_of(municipality.name) == municipality
