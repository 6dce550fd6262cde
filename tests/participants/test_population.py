"""Reading and checking a BRP extract: pure functions, no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.population import (
    ParseResult,
    household_key,
    normalise_postcode,
    parse_date,
    parse_population,
    split_house_number,
)
from tests.participants.population_files import (
    HEADER,
    SAMPLE,
    csv_bytes,
    person,
    with_wrong_dimension,
    xlsx_bytes,
)

TODAY = dt.date(2026, 11, 22)


def _parse(data: bytes, **kwargs: object) -> ParseResult:
    return parse_population(data, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _codes(result: ParseResult) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.code) for p in result.problems]


def test_it_reads_the_shared_sample_as_real_offices_write_it() -> None:
    data = SAMPLE.read_bytes()
    assert b"\r\n" in data and b";" in data.splitlines()[0]
    result = _parse(data, file_name=SAMPLE.name)
    assert result.problems == []
    assert result.rows_total == len(result.residents) == 308
    # README: 250 households, spelled in all the ways real files spell them.
    assert len({r.household_key for r in result.residents}) == 250
    first = result.residents[0]
    assert (first.person_ref, first.given_names, first.postcode) == ("P100213", "René", "9139EX")
    assert first.birth_date == dt.date(1994, 6, 1)
    assert all(len(r.postcode) == 6 and " " not in r.postcode for r in result.residents)


@pytest.mark.parametrize("raw", ["1234AB", "1234 ab", "1234  AB", " 1234 AB ", "1234ab"])
def test_it_normalises_postcodes(raw: str) -> None:
    assert normalise_postcode(raw) == "1234AB"


@pytest.mark.parametrize("raw", ["123AB", "0123AB", "1234 A", "12345AB", "ABCD12", "1234-A1", ""])
def test_it_refuses_what_is_not_a_postcode(raw: str) -> None:
    assert normalise_postcode(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", (12, "")), ("12a", (12, "a")), ("12-A", (12, "A")), ("12 bis", (12, "bis")),
     ("12 a-2", (12, "a-2")), ("0", None), ("a12", None), ("", None), ("123456", None)],
)
def test_it_splits_a_house_number_with_something_attached(
    raw: str, expected: tuple[int, str] | None
) -> None:
    assert split_house_number(raw) == expected


def test_it_puts_letter_and_addition_in_their_own_fields() -> None:
    rows = [
        person("P1", huisnummer="12a"),
        person("P2", huisnummer="12-B", huisnummertoevoeging="2"),
        person("P3", huisnummer="12 bis"),
        person("P4", huisnummer="14", huisletter="c", huisnummertoevoeging="-II"),
    ]
    residents = _parse(csv_bytes(rows)).residents
    parts = [(r.house_number, r.house_letter, r.house_number_addition) for r in residents]
    assert parts == [(12, "A", ""), (12, "B", "2"), (12, "", "BIS"), (14, "C", "II")]


def test_it_sees_one_household_whatever_the_spelling() -> None:
    rows = [
        person("P1", postcode="1234AB", huisnummer="12", huisletter="a"),
        person("P2", postcode="1234 ab", huisnummer="12a"),
        person("P3", postcode=" 1234  AB ", huisnummer="12-A"),
        person("P4", postcode="1234AB", huisnummer="12", huisletter="b"),
        person("P5", postcode="1234AB", huisnummer="12", huisnummertoevoeging="bis"),
        person("P6", postcode="1234ab", huisnummer="12 BIS"),
    ]
    keys = [r.household_key for r in _parse(csv_bytes(rows)).residents]
    assert keys[0] == keys[1] == keys[2] != keys[3]
    assert keys[4] == keys[5] != keys[0]
    assert household_key("1234 ab", 12, "a", "") == household_key("1234AB", 12, "", "A")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("31-12-1980", dt.date(1980, 12, 31)), ("1-2-1980", dt.date(1980, 2, 1)),
     ("01/02/1980", dt.date(1980, 2, 1)), ("1980-02-01", dt.date(1980, 2, 1)),
     ("19800201", dt.date(1980, 2, 1)), ("00-02-1980", dt.date(1980, 2, 29)),
     ("00-00-1980", dt.date(1980, 12, 31)), ("31-02-1980", None), ("1980/02/01", None),
     # Excel saves a date-and-time cell like this in a Dutch CSV.
     ("1-2-1980 0:00", dt.date(1980, 2, 1)), ("01-02-1980 00:00:00", dt.date(1980, 2, 1)),
     ("gisteren", None), ("", None)],
)
def test_it_reads_dutch_iso_and_brp_dates(raw: str, expected: dt.date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("encoding", "sep", "bom"),
    [("utf-8", ",", True), ("utf-8", ";", False), ("cp1252", ";", False),
     ("cp1252", ",", False), ("utf-16", "\t", False)],
)
def test_it_reads_each_encoding_and_separator(encoding: str, sep: str, bom: bool) -> None:
    data = csv_bytes([person("P1"), person("P2", voornamen="Jürgen")], sep=sep,
                     encoding=encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    result = _parse(data)
    assert result.problems == []
    assert [r.given_names for r in result.residents] == ["Chloë", "Jürgen"]


def test_it_accepts_the_english_column_names() -> None:
    header = ["person_id", "first_names", "prefix", "surname", "street", "house_number",
              "house_letter", "house_number_addition", "postcode", "city", "municipality",
              "birth_date", "email"]
    result = _parse(csv_bytes([person("P1", geboortedatum="1980-02-01")], header=header,
                              sep=","))
    assert result.problems == []
    assert result.residents[0].birth_date == dt.date(1980, 2, 1)


def test_it_names_the_missing_required_column() -> None:
    header = [name for name in HEADER if name != "postcode"]
    rows = [[cell for name, cell in zip(HEADER, person("P1"), strict=True) if name != "postcode"]]
    result = _parse(csv_bytes(rows, header=header))
    assert result.fatal
    assert _codes(result) == [(1, "postcode", "missing_column")]
    assert "postcode" in result.problems[0].nl and "ontbreekt" in result.problems[0].nl
    assert "missing" in result.problems[0].en


def test_it_lists_an_unknown_column_but_still_reads_the_file() -> None:
    rows = [[*person("P1"), "V"]]
    result = _parse(csv_bytes(rows, header=[*HEADER, "geslacht"]))
    assert not result.fatal and len(result.residents) == 1
    assert _codes(result) == [(1, "geslacht", "unknown_column")]
    assert not result.problems[0].blocking


def test_it_collects_every_problem_with_the_row_number_excel_shows() -> None:
    rows = [
        person("P1"),                                     # row 2: fine
        person("P2", postcode="12345"),                   # row 3
        person("P3", geboortedatum="01-01-2030"),         # row 4
        person("P4", huisnummer=""),                      # row 5
        person("P1"),                                     # row 6: duplicate of row 2
        person("P6", email="geen-adres"),                 # row 7
        person("P7", geboortedatum="32-13-1980", geslachtsnaam=""),  # row 8: two problems
        person("P8", huisletter="ab"),                    # row 9
        ["", "", "", "", "", "", "", "", "", "", "", "", ""],          # row 10: empty, ignored
    ]
    result = _parse(csv_bytes(rows))
    assert _codes(result) == [
        (3, "postcode", "postcode_invalid"),
        (4, "geboortedatum", "birth_date_future"),
        (5, "huisnummer", "house_number_missing"),
        (6, "persoonsnummer", "duplicate_person"),
        (7, "email", "email_invalid"),
        (8, "geslachtsnaam", "required"),
        (8, "geboortedatum", "birth_date_invalid"),
        (9, "huisletter", "house_letter_invalid"),
    ]
    assert result.invalid_rows == [3, 4, 5, 6, 7, 8, 9]
    assert [r.person_ref for r in result.residents] == ["P1"]
    assert result.rows_total == 8
    duplicate = result.problems[3]
    # "regel", as the report's table calls them (its column "Regel")
    assert "staat ook in regel 2." in duplicate.nl and "row 2" in duplicate.en
    assert all(p.nl and p.en and p.nl != p.en for p in result.problems)


def test_it_names_the_row_and_column_of_a_nul_character() -> None:
    # PostgreSQL cannot store a NUL: it is a problem in the file, not a fault in the system.
    rows = [
        person("P1"),
        person("P2", geslachtsnaam="Jan\x00sen"),
        person("P3", postcode="3511\x00AB", woonplaats="\x00"),
    ]
    result = _parse(csv_bytes(rows))
    assert _codes(result) == [
        (3, "geslachtsnaam", "unreadable_character"),
        (4, "postcode", "unreadable_character"),
        (4, "woonplaats", "unreadable_character"),
        (4, "woonplaats", "required"),  # nothing is left of it
    ]
    assert result.invalid_rows == [3, 4]
    assert [r.person_ref for r in result.residents] == ["P1"]
    assert "onleesbaar teken" in result.problems[0].nl
    assert "unreadable character" in result.problems[0].en


def test_it_quotes_no_nul_character_in_a_problem() -> None:
    header = ["persoonsnummer", *HEADER[1:3], "geslachts\x00naam", *HEADER[4:], "x\x00y"]
    result = _parse(csv_bytes([person("P1", postcode="12\x00", geslachtsnaam="")], header=header))
    assert result.problems
    for problem in result.problems:
        assert "\x00" not in problem.column + problem.nl + problem.en


def test_it_marks_people_imported_before_as_duplicates() -> None:
    result = _parse(csv_bytes([person("P1"), person("P2")]), existing_refs={"P2"})
    assert _codes(result) == [(3, "persoonsnummer", "duplicate_existing")]
    assert [r.person_ref for r in result.residents] == ["P1"]


def test_it_reads_an_excel_file_with_real_dates_and_numbers() -> None:
    row: list[object] = person("P1")
    row[HEADER.index("huisnummer")] = 12
    row[HEADER.index("geboortedatum")] = dt.datetime(1980, 2, 1)
    row[HEADER.index("postcode")] = "1234 ab"
    result = _parse(xlsx_bytes([row, person("P2", huisnummer="7b")]), file_name="x.xlsx")
    assert result.problems == []
    first, second = result.residents
    assert (first.house_number, first.birth_date, first.postcode) == (
        12, dt.date(1980, 2, 1), "1234AB")
    assert (second.house_number, second.house_letter) == (7, "B")


def test_a_line_break_typed_in_an_excel_cell_counts_as_a_space() -> None:
    row = person("P1", straatnaam="Lange\nVoorhout", voornamen="Jan\r\n Willem")
    result = _parse(xlsx_bytes([row]), file_name="x.xlsx")
    assert result.problems == []
    (resident,) = result.residents
    assert (resident.street, resident.given_names) == ("Lange Voorhout", "Jan Willem")


def test_a_person_number_shown_with_leading_zeros_in_excel_keeps_them() -> None:
    from openpyxl import Workbook, load_workbook

    workbook = load_workbook(io.BytesIO(xlsx_bytes([person("P1")])))
    sheet = workbook.active
    assert sheet is not None and isinstance(workbook, Workbook)
    sheet["A2"] = 12345678  # as Excel stores "012345678" typed in a number cell
    sheet["A2"].number_format = "000000000"
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = _parse(buffer.getvalue(), file_name="x.xlsx")

    assert result.problems == []
    assert [r.person_ref for r in result.residents] == ["012345678"]


def test_it_reads_every_column_of_an_excel_file_that_misstates_its_size() -> None:
    data = with_wrong_dimension(xlsx_bytes([person("P1"), person("P2", huisnummer="7b")]))
    result = _parse(data, file_name="x.xlsx")
    assert result.problems == []
    assert [(r.person_ref, r.surname, r.house_letter) for r in result.residents] == [
        ("P1", "Berg", ""), ("P2", "Berg", "B")]


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "file_empty"), (b"\xd0\xcf\x11\xe0rest", "file_old_excel"),
     (b"PK\x03\x04broken", "file_unreadable"), (csv_bytes([]), "file_empty")],
)
def test_it_explains_a_file_it_cannot_use(data: bytes, code: str) -> None:
    result = _parse(data)
    assert result.fatal and result.residents == []
    assert [p.code for p in result.problems][-1] == code


def test_it_refuses_a_file_where_a_stray_quote_joins_rows() -> None:
    # A quote at the start of a cell opens a quoted text up to the next quote:
    # the rows after it would vanish into one cell, without a word in skip mode.
    rows = [person("P1"), person("P2", geslachtsnaam='"Berg'), person("P3"), person("P4")]
    result = _parse(csv_bytes(rows))
    assert result.fatal and result.residents == []
    assert _codes(result) == [(3, "geslachtsnaam", "unclosed_quote")]
    assert "aanhalingsteken" in result.problems[0].nl
    assert "quotation mark" in result.problems[0].en


def test_it_names_the_row_where_a_stray_quote_breaks_a_large_file() -> None:
    # The quoted text grows past the csv module's limit (128 kB) before the file ends.
    rows = [person("P1"), person("P2", geslachtsnaam='"Berg'),
            *(person(f"P{number}") for number in range(3, 3000))]
    result = _parse(csv_bytes(rows))
    assert result.fatal and result.residents == []
    [problem] = result.problems
    assert (problem.row, problem.code) == (3, "unclosed_quote")
    assert "regel 3" in problem.nl and "row 3" in problem.en


def test_it_marks_bytes_it_cannot_read_instead_of_importing_them() -> None:
    # A UTF-8 file with a BOM, one row pasted in from a Windows-1252 file.
    good = csv_bytes([person("P1")], encoding="utf-8")
    data = b"\xef\xbb\xbf" + good + csv_bytes([person("P2", voornamen="Jürgen")], header=[])[2:]
    result = _parse(data)
    assert _codes(result) == [(3, "voornamen", "unreadable_character")]
    assert [r.given_names for r in result.residents] == ["Chloë"]


def test_it_reads_a_mostly_utf8_file_as_utf8() -> None:
    # Without a BOM the same mix must not turn every ë of the file into Ã«.
    good = csv_bytes([person("P1"), person("P2", voornamen="René", woonplaats="Sint-Oedenrode")],
                     encoding="utf-8")
    data = good + csv_bytes([person("P3", voornamen="Jürgen")], header=[])[2:]
    result = _parse(data)
    assert [r.given_names for r in result.residents] == ["Chloë", "René"]
    assert _codes(result) == [(4, "voornamen", "unreadable_character")]


def test_it_reads_the_separator_line_excel_understands() -> None:
    data = b"sep=;\r\n" + csv_bytes([person("P1"), person("P2", postcode="9")])
    result = _parse(data)
    # Excel hides the line: the header stays row 1.
    assert _codes(result) == [(3, "postcode", "postcode_invalid")]
    assert [r.person_ref for r in result.residents] == ["P1"]


def test_it_refuses_a_birth_date_nobody_can_have() -> None:
    result = _parse(csv_bytes([person("P1", geboortedatum="01-02-1080"), person("P2")]))
    assert _codes(result) == [(2, "geboortedatum", "birth_date_too_old")]
    assert "01-02-1080" in result.problems[0].nl and "01-02-1080" in result.problems[0].en


def _check_invariants(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    rows_with_problems = {p.row for p in result.problems if p.blocking and p.row > 1}
    if result.fatal:
        assert result.residents == [] and result.problems
    else:
        assert set(result.invalid_rows) == rows_with_problems
        assert result.rows_total == len(result.residents) + len(result.invalid_rows)
        assert not rows_with_problems & {r.row for r in result.residents}
    for problem in result.problems:
        assert problem.row >= 1 and problem.nl and problem.en and problem.code
        # Everything here may be stored; PostgreSQL stores no NUL character.
        assert "\x00" not in problem.column + problem.nl + problem.en
    for resident in result.residents:
        assert "\x00" not in "".join(str(value) for value in dataclasses.astuple(resident))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_it_never_crashes_on_random_bytes(data: bytes) -> None:
    _check_invariants(_parse(data))
    _check_invariants(_parse(csv_bytes([]) + data))


_cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(_cell, min_size=0, max_size=15), max_size=12),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_it_always_answers_with_residents_or_problems(
    rows: list[list[str]], sep: str, encoding: str
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    writer.writerow(HEADER)
    writer.writerows(rows)
    _check_invariants(_parse(buffer.getvalue().encode(encoding)))
