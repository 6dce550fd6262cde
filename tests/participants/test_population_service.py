"""Importing a BRP extract: all or nothing, skip mode, minimum age, duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest

from assembly.models import Assembly
from participants.demo_population import DEMO_FILE, seed_population
from participants.models import PopulationImport, Resident
from participants.services.population import population_import
from tests.conftest import Cast
from tests.participants.population_files import SAMPLE, csv_bytes, person, xlsx_bytes

pytestmark = pytest.mark.django_db


def _import(assembly: Assembly, data: bytes, *, skip: bool = False,
            name: str = "brp.csv") -> PopulationImport:
    return population_import(
        assembly=assembly, file_name=name, data=data, uploaded_by=None, skip_invalid=skip
    )


def test_it_imports_the_shared_sample(cast: Cast) -> None:
    data = SAMPLE.read_bytes()
    record = _import(cast.assembly, data, name=SAMPLE.name)
    assert record.status == PopulationImport.Status.IMPORTED
    assert record.file_sha256 == hashlib.sha256(data).hexdigest()
    assert record.rows_total == 308
    assert record.rows_imported + record.rows_underage == 308
    residents = Resident.objects.filter(assembly=cast.assembly, population_import=record)
    assert residents.count() == record.rows_imported
    assert residents.values("household_key").distinct().count() <= 250
    rene = residents.get(person_ref="P100213")
    assert (rene.given_names, rene.postcode, rene.house_number_addition) == ("René", "9139EX", "ZW")


def test_it_imports_nothing_when_one_row_is_wrong(cast: Cast) -> None:
    data = csv_bytes([person("P1"), person("P2", postcode="99"), person("P3"),
                      person("P4", huisnummer="")])
    record = _import(cast.assembly, data)
    assert record.status == PopulationImport.Status.REJECTED
    assert Resident.objects.count() == 0
    assert record.rows_imported == 0
    assert [(p["row"], p["code"]) for p in record.problems] == [
        (3, "postcode_invalid"), (5, "house_number_missing")]
    assert record.problems[0]["nl"] and record.problems[0]["en"]


def test_it_refuses_a_nul_character_naming_the_row_and_column(cast: Cast) -> None:
    data = csv_bytes([person("P1"), person("P2", geslachtsnaam="Jan\x00sen")])
    record = _import(cast.assembly, data)
    assert record.status == PopulationImport.Status.REJECTED
    assert [(p["row"], p["column"], p["code"]) for p in record.problems] == [
        (3, "geslachtsnaam", "unreadable_character")]
    assert Resident.objects.count() == 0


def test_it_imports_the_good_rows_when_asked_to_skip_the_wrong_ones(cast: Cast) -> None:
    data = csv_bytes([person("P1"), person("P2", postcode="99"), person("P3"),
                      person("P4", geboortedatum="morgen")])
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.IMPORTED
    assert record.skip_invalid
    assert sorted(Resident.objects.values_list("person_ref", flat=True)) == ["P1", "P3"]
    assert (record.rows_total, record.rows_imported, record.rows_skipped) == (4, 2, 2)
    assert sorted({p["row"] for p in record.problems}) == [3, 5]


def _born_on(*birth_dates: str) -> bytes:
    """A file of people P1, P2, … born on these dates, as written."""
    return csv_bytes(
        [person(f"P{n}", geboortedatum=day) for n, day in enumerate(birth_dates, start=1)]
    )


def test_it_rejects_a_file_with_dates_month_first_even_in_skip_mode(cast: Cast) -> None:
    # American order: 05/23/1980 fails as a date, 03/04/1975 would import as 3 April.
    data = _born_on("03/04/1975", "05/23/1980", "11/02/2001", "12/31/1960")
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.REJECTED
    assert Resident.objects.count() == 0
    first = record.problems[0]
    assert (first["row"], first["column"], first["code"]) == (
        3, "geboortedatum", "birth_date_month_first")
    assert "‘05/23/1980’ in regel 3" in first["nl"] and "‘05/23/1980’ in row 3" in first["en"]
    assert {p["code"] for p in record.problems[1:]} == {"birth_date_invalid"}


def test_a_date_typed_month_first_in_a_day_first_file_is_only_that_row(cast: Cast) -> None:
    data = _born_on("23-05-1980", "05-23-1980", "03-04-1975")
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.IMPORTED
    assert [(p["row"], p["code"]) for p in record.problems] == [(3, "birth_date_invalid")]
    assert Resident.objects.get(person_ref="P3").birth_date == dt.date(1975, 4, 3)


def test_one_day_first_row_does_not_let_a_month_first_file_through(cast: Cast) -> None:
    data = _born_on(
        "03/04/1975", "05/23/1980", "11/02/2001", "12/31/1960", "23/05/1980", "06/07/1970"
    )
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.REJECTED
    assert record.problems[0]["code"] == "birth_date_month_first"
    assert Resident.objects.count() == 0


def test_one_typo_in_a_day_first_file_without_a_day_above_12_is_only_that_row(
    cast: Cast,
) -> None:
    days = ["01-02-1980", "03-04-1975", "05-13-1980", "07-08-1990", "09-10-1985", "11-12-1970"]
    data = csv_bytes([person(f"P{n}", geboortedatum=day) for n, day in enumerate(days)])
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.IMPORTED
    assert [(p["row"], p["code"]) for p in record.problems] == [(4, "birth_date_invalid")]
    assert Resident.objects.get(person_ref="P1").birth_date == dt.date(1975, 4, 3)


def test_it_rejects_a_file_without_a_required_column_even_in_skip_mode(cast: Cast) -> None:
    data = csv_bytes([["P1", "Jan"]], header=["persoonsnummer", "voornamen"])
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.REJECTED
    assert "geslachtsnaam" in {p["column"] for p in record.problems}
    assert Resident.objects.count() == 0


def test_it_leaves_out_people_below_the_minimum_age_on_the_first_weekend(cast: Cast) -> None:
    cast.assembly.min_age = 16
    cast.assembly.first_weekend = dt.date(2027, 2, 13)
    cast.assembly.save(update_fields=["min_age", "first_weekend"])
    data = csv_bytes([
        person("OLD", geboortedatum="01-01-1960"),
        person("EXACT", geboortedatum="13-02-2011"),   # turns 16 on the first weekend
        person("YOUNG", geboortedatum="14-02-2011"),   # turns 16 a day later
        person("CHILD", geboortedatum="2020-05-05"),
    ])
    record = _import(cast.assembly, data)
    assert record.status == PopulationImport.Status.IMPORTED
    assert (record.rows_imported, record.rows_underage) == (2, 2)
    assert set(Resident.objects.values_list("person_ref", flat=True)) == {"OLD", "EXACT"}


def test_it_refuses_people_already_imported_for_the_same_assembly(cast: Cast) -> None:
    _import(cast.assembly, csv_bytes([person("P1"), person("P2")]))
    second = _import(cast.assembly, csv_bytes([person("P2"), person("P3")]))
    assert second.status == PopulationImport.Status.REJECTED
    assert [(p["row"], p["code"]) for p in second.problems] == [(2, "duplicate_existing")]
    skipped = _import(cast.assembly, csv_bytes([person("P2"), person("P3")]), skip=True)
    assert skipped.rows_imported == 1
    other = _import(cast.other_assembly, csv_bytes([person("P1"), person("P2")]))
    assert other.status == PopulationImport.Status.IMPORTED
    assert Resident.objects.filter(assembly=cast.assembly).count() == 3


def test_it_imports_nothing_when_a_stray_quote_joins_rows_even_in_skip_mode(cast: Cast) -> None:
    data = csv_bytes([person("P1"), person("P2", geslachtsnaam='"Berg'), person("P3"),
                      person("P4")])
    record = _import(cast.assembly, data, skip=True)
    assert record.status == PopulationImport.Status.REJECTED
    assert [(p["row"], p["code"]) for p in record.problems] == [(3, "unclosed_quote")]
    assert Resident.objects.count() == 0


def test_it_imports_an_excel_file(cast: Cast) -> None:
    row: list[object] = person("X1")
    row[11] = dt.datetime(1970, 3, 4)
    record = _import(cast.assembly, xlsx_bytes([row, person("X2", huisnummer="3 bis")]),
                     name="uittreksel.xlsx")
    assert record.status == PopulationImport.Status.IMPORTED
    resident = Resident.objects.get(person_ref="X2")
    assert (resident.house_number, resident.house_number_addition) == (3, "BIS")
    assert Resident.objects.get(person_ref="X1").birth_date == dt.date(1970, 3, 4)


def test_it_logs_counts_and_never_names(cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="participants.services.population"):
        record = _import(cast.assembly, csv_bytes([person("P1", geslachtsnaam="Zwanenburg")]))
    text = caplog.text
    assert f"id={record.pk}" in text and "imported=1" in text
    assert "Zwanenburg" not in text and "Chloë" not in text and "3511" not in text


def test_it_seeds_the_demo_population_once(cast: Cast) -> None:
    seed_population(cast.assembly)
    seed_population(cast.assembly)
    record = PopulationImport.objects.get(assembly=cast.assembly)
    assert record.status == PopulationImport.Status.IMPORTED and record.problems == []
    assert record.rows_total == 600
    assert Resident.objects.filter(assembly=cast.assembly).count() == record.rows_imported
    households = Resident.objects.values("household_key").distinct().count()
    assert 350 <= households <= 450
    assert DEMO_FILE.read_bytes().startswith(b"persoonsnummer;")
