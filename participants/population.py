"""Reading and checking an extract of the population register (BRP).

Pure functions, no database: bytes in (CSV or XLSX, as Dutch municipal
offices produce them), normalised rows and a list of every problem out. The
service (participants/services/population.py), the admin import
(participants/resources.py) and the management command all use these, so a
file is judged the same way wherever it comes in.

Problem messages are stored in both languages (Dutch B1 and English) with the
import, so they are plain strings here, not gettext: the report page picks the
one for the active language.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Re-exported: the admin import (participants/resources.py) uses it from here.
from participants.ages import age_on as age_on

# The BRP's own column names, with the model field each one fills.
BRP_COLUMNS: dict[str, str] = {
    "persoonsnummer": "person_ref",
    "voornamen": "given_names",
    "voorvoegsel": "name_prefix",
    "geslachtsnaam": "surname",
    "straatnaam": "street",
    "huisnummer": "house_number",
    "huisletter": "house_letter",
    "huisnummertoevoeging": "house_number_addition",
    "postcode": "postcode",
    "woonplaats": "city",
    "gemeente": "municipality",
    "geboortedatum": "birth_date",
    "email": "email",
}
FIELD_TO_BRP: dict[str, str] = {value: key for key, value in BRP_COLUMNS.items()}

ENGLISH_ALIASES: dict[str, str] = {
    "person_id": "person_ref",
    "first_names": "given_names",
    "prefix": "name_prefix",
    "surname": "surname",
    "street": "street",
    "house_number": "house_number",
    "house_letter": "house_letter",
    "house_number_addition": "house_number_addition",
    "postcode": "postcode",
    "city": "city",
    "municipality": "municipality",
    "birth_date": "birth_date",
    "email": "email",
}
_EXTRA_ALIASES: dict[str, str] = {"e-mail": "email", "e-mailadres": "email", "emailadres": "email"}

REQUIRED_FIELDS: tuple[str, ...] = (
    "person_ref", "given_names", "surname", "street", "house_number", "postcode", "city",
    "municipality", "birth_date",
)
# Values that must be filled in. First names are not among them: the BRP has
# people without one.
REQUIRED_VALUES: frozenset[str] = frozenset(REQUIRED_FIELDS) - {"given_names", "house_number"}
MAX_LENGTHS: dict[str, int] = {
    "person_ref": 40, "given_names": 200, "name_prefix": 20, "surname": 200, "street": 200,
    "city": 100, "municipality": 100, "email": 254,
}
# The BRP allows up to four characters in a house-number addition.
MAX_ADDITION = 4
# Problems that are listed but do not make a row or the file invalid.
NOTICE_CODES: frozenset[str] = frozenset({"unknown_column"})


def _header_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.strip().lstrip("\ufeff").lower())


_ALIASES: dict[str, str] = {
    _header_key(name): target
    for source in (BRP_COLUMNS, ENGLISH_ALIASES, _EXTRA_ALIASES)
    for name, target in source.items()
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, where the organiser can find it: row 1 is the header in Excel."""

    row: int
    column: str
    code: str
    nl: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code,
                "nl": self.nl, "en": self.en}

    @property
    def blocking(self) -> bool:
        return self.code not in NOTICE_CODES


@dataclass(frozen=True, slots=True)
class ResidentRow:
    """One valid, normalised person from the extract."""

    row: int
    person_ref: str
    given_names: str
    name_prefix: str
    surname: str
    street: str
    house_number: int
    house_letter: str
    house_number_addition: str
    postcode: str
    city: str
    municipality: str
    birth_date: dt.date
    email: str
    household_key: str


@dataclass(frozen=True)
class ParseResult:
    rows_total: int
    residents: list[ResidentRow]
    problems: list[Problem]
    invalid_rows: list[int] = field(default_factory=list)
    # The file as a whole cannot be imported (unreadable, a required column missing).
    fatal: bool = False

    def with_existing(self, existing_refs: Collection[str]) -> ParseResult:
        """Mark people already imported for the assembly as invalid rows."""
        extra = problems_against_existing(self.residents, existing_refs)
        if not extra:
            return self
        bad = {problem.row for problem in extra}
        problems = sorted([*self.problems, *extra], key=lambda p: p.row)
        return replace(
            self,
            residents=[row for row in self.residents if row.row not in bad],
            problems=problems,
            invalid_rows=sorted(set(self.invalid_rows) | bad),
        )


class PopulationFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.en)
        self.problem = problem


@dataclass
class Table:
    """A file's header and its data rows; data row i is row i + 2 in Excel."""

    headers: list[str]
    rows: Iterable[Sequence[Any]]
    # True when every cell is already a str (CSV, or XLSX after reading): saves a pass.
    text_only: bool = False
    # About how many data rows there are (CSV: the line breaks), for a progress bar; 0 if unknown.
    expected_rows: int = 0


# ---------------------------------------------------------------- reading

_UNREADABLE_NL = (
    "We kunnen het bestand niet lezen. Gebruik een CSV-bestand of een Excel-bestand (.xlsx)."
)
_UNREADABLE_EN = "The file cannot be read. Use a CSV file or an Excel file (.xlsx)."


def _file_problem(
    code: str, nl: str, en: str, column: str = "", row: int = 1
) -> PopulationFileError:
    return PopulationFileError(Problem(row=row, column=column, code=code, nl=nl, en=en))


# A UTF-8 sequence of two, three or four bytes. In a Windows-1252 file these
# byte pairs are rare (they spell things like "Ã«"); in a UTF-8 file every
# letter with an accent is one.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    A file that is mostly UTF-8 with a few other bytes (rows pasted in from
    another file) is read as UTF-8: the bytes that do not fit become U+FFFD,
    which the row check reports, instead of every ë of the file becoming Ã«."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = data.decode("utf-8", errors="replace")
        if len(_UTF8_SEQUENCE.findall(data)) > as_utf8.count(UNREADABLE):
            return as_utf8
        # Windows-1252 leaves five bytes undefined; Latin-1 maps every byte.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Dutch Excel writes semicolons, others commas, "Unicode text" tabs: count them."""
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    """The records of a CSV text, the header first.

    A quote at the start of a cell opens a quoted text that runs to the next
    quote, across line ends: one stray quote would swallow the rows after it
    without a word. The BRP has no line breaks within a cell, so a cell that
    holds one stops the file, naming where the quote is."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] = []
    row = 0  # as Excel counts: the header is row 1
    lines_read = 0
    try:
        for record in reader:
            row += 1
            if row == 1:
                headers = record
            if reader.line_num - lines_read > 1:
                for index, cell in enumerate(record):
                    if "\n" in cell or "\r" in cell:
                        column = headers[index].strip() if index < len(headers) else ""
                        raise _file_problem("unclosed_quote", *_unclosed_quote(row),
                                            column=storable_text(column), row=row)
            lines_read = reader.line_num
            yield record
    except csv.Error as error:
        # In practice a quoted text that grew past the csv module's limit (128 kB).
        raise _file_problem("unclosed_quote", *_unclosed_quote(row + 1), row=row + 1) from error


def _unclosed_quote(row: int) -> tuple[str, str]:
    return (
        f"In regel {row} begint een veld met een aanhalingsteken (\"). Daardoor lezen we de "
        "regels erna als één veld. Haal het aanhalingsteken weg. Lees het bestand dan "
        "opnieuw in.",
        f"In row {row} a field starts with a quotation mark (\"). Because of it, the rows "
        "after it are read as one field. Remove the quotation mark, then import the file again.",
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # A line break typed in a cell (Alt+Enter) would split an address over
    # two lines of the letter: it counts as a space.
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


# A number format of only zeros ("000000000") shows leading zeros that the
# number itself does not hold: a person number 012345678 stored as a number.
_ZERO_PADDED = re.compile(r"0+")


def _xlsx_cell_text(cell: Any) -> str:
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", None) or ""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and _ZERO_PADDED.fullmatch(number_format)
    ):
        return str(int(value)).zfill(len(number_format))
    return _cell_text(value)


def _xlsx_table(data: bytes) -> Table:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Some programs write the sheet's used range as "A1"; trusted, it would
        # hide every column but the first. Read what the sheet really holds.
        sheet.reset_dimensions()
        rows = [[_xlsx_cell_text(cell) for cell in row] for row in sheet.iter_rows()]
        workbook.close()
    # openpyxl raises many kinds of errors on a damaged file; all mean "unreadable".
    except Exception as error:
        raise _file_problem("file_unreadable", _UNREADABLE_NL, _UNREADABLE_EN) from error
    if not rows:
        raise _file_problem("file_empty", *_EMPTY)
    return Table(headers=rows[0], rows=rows[1:], text_only=True, expected_rows=len(rows) - 1)


_EMPTY = (
    "Het bestand is leeg. Er staan geen inwoners in.",
    "The file is empty. It has no residents.",
)


_SEP_LINE = re.compile(r'"?sep=(.)"?', re.IGNORECASE)


def read_table(data: bytes, file_name: str = "") -> Table:
    """The header and rows of a CSV or XLSX file. Raises PopulationFileError."""
    if data.startswith(b"PK\x03\x04") or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_table(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_problem(
            "file_old_excel",
            "Dit is een oud Excel-bestand (.xls). Sla het op als .xlsx of als CSV. "
            "Probeer het dan opnieuw.",
            "This is an old Excel file (.xls). Save it as .xlsx or as CSV, then try again.",
        )
    text = decode_text(data)
    # Excel writes, and reads, a first line "sep=;" naming the separator; it
    # does not show that line, so the header stays row 1.
    first_line, _, rest = text.partition("\n")
    if separator := _SEP_LINE.fullmatch(first_line.rstrip("\r")):
        delimiter, text = separator.group(1), rest
    else:
        delimiter = sniff_delimiter(text)
    if not text.strip():
        raise _file_problem("file_empty", *_EMPTY)
    rows = _csv_rows(text, delimiter)
    headers = next(rows, None)
    if headers is None:
        raise _file_problem("file_empty", *_EMPTY)
    return Table(headers=headers, rows=rows, text_only=True, expected_rows=text.count("\n"))


# ---------------------------------------------------------------- normalising

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_SEPARATORS = re.compile(r"[\s\-]+")
_HOUSE_NUMBER = re.compile(r"(\d{1,5})(?!\d)(?:[\s\-/]*([A-Za-z0-9][A-Za-z0-9\s\-]*))?")
_LETTER_THEN_REST = re.compile(r"([A-Za-z])(?:[\s\-]+(.+))?")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T ][0-9:.]*)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]*)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def normalise_postcode(value: str) -> str | None:
    """`1234AB`, `1234 ab`, ` 1234  AB ` → `1234AB`; None if it is no Dutch postcode."""
    cleaned = _SEPARATORS.sub("", value).upper()
    return cleaned if _POSTCODE.fullmatch(cleaned) else None


def postcode_display(postcode: str) -> str:
    """`1234AB` → `1234 AB`, as on an envelope and as people type it; empty stays empty."""
    return f"{postcode[:4]} {postcode[4:]}".strip()


def normalise_addition(value: str) -> str:
    """`-II`, ` bis`, `zw` → `II`, `BIS`, `ZW`: no spaces or hyphens, upper case."""
    return _SEPARATORS.sub("", value).upper()


def split_house_number(value: str) -> tuple[int, str] | None:
    """`12` → (12, ""), `12a` → (12, "a"), `12-A` → (12, "A"), `12 bis` → (12, "bis")."""
    match = _HOUSE_NUMBER.fullmatch(value.strip())
    if match is None:
        return None
    number = int(match.group(1))
    if number == 0:
        return None
    return number, (match.group(2) or "").strip()


def place_house_suffix(suffix: str, *, letter: str, addition: str) -> tuple[str, str] | None:
    """Where what follows a house number goes, as (letter, addition): `a` is the
    house letter, `a-2` the letter and an addition, `bis` an addition. None when
    the number brings an addition and one was also given apart."""
    attached = _LETTER_THEN_REST.fullmatch(suffix)
    if attached and not letter and (not attached.group(2) or not addition):
        return attached.group(1), attached.group(2) or addition
    if not addition:
        return letter, suffix
    return None


def addition_is_valid(cleaned: str) -> bool:
    """A normalised addition (normalise_addition) as the BRP writes one: at most
    MAX_ADDITION letters or digits."""
    return len(cleaned) <= MAX_ADDITION and cleaned.isascii() and cleaned.isalnum()


def household_key(postcode: str, number: int, letter: str, addition: str) -> str:
    """One household = one address. A letter and an addition are read as one suffix,
    so `12-A` written as a letter or as an addition is the same front door."""
    suffix = _SEPARATORS.sub("", f"{letter}{addition}").upper()
    return f"{_SEPARATORS.sub('', postcode).upper()}-{number}-{suffix}"


def parse_date(value: str) -> dt.date | None:
    """`dd-mm-jjjj` (also with / or .), ISO `jjjj-mm-dd` or the BRP's `jjjjmmdd`.

    The BRP writes an unknown day or month as 00. We then take the last possible
    day, so that nobody counts as older than they can be."""
    text = value.strip()
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif (match := _ISO.fullmatch(text)) or (match := _COMPACT.fullmatch(text)):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    if year < 1 or month > 12 or day > 31:
        return None
    if month == 0:
        month, day = 12, day or 31
    if day == 0:
        day = calendar.monthrange(year, month)[1]
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------- checking


# PostgreSQL stores no NUL character (a sign of a damaged or binary file), and
# Python's csv module reads it like any other: it is checked in every cell.
NUL = "\x00"
# What a byte becomes that does not fit the file's encoding: "J\ufffdrgen" must
# not reach an invitation letter, so it is checked in every cell too.
UNREADABLE = "\ufffd"
# Nobody in the register is older; an older birth date is a typing error (1080 for 1980).
MAX_AGE = 120


def storable_text(text: str) -> str:
    """Text that can be stored: a NUL shows as the replacement character."""
    return text.replace(NUL, UNREADABLE)


def _shown(value: str) -> str:
    """A value quoted in a message, cut short so a broken file cannot flood the report."""
    value = storable_text(value.strip())
    return value if len(value) <= 40 else value[:37] + "..."


class _RowChecker:
    """Checks one row at a time; collects problems with the column as the file names it."""

    def __init__(self, columns: dict[str, int], headers: list[str], today: dt.date) -> None:
        self.columns = columns
        self.headers = headers
        self.today = today
        # Precomputed once: a 200,000-row file runs this loop 200,000 times.
        self.items = list(columns.items())
        self.width = max(columns.values()) + 1
        self.required = [name for name in columns if name in REQUIRED_VALUES]
        self.limited = [(name, MAX_LENGTHS[name]) for name in columns if name in MAX_LENGTHS]
        self.missing = dict.fromkeys(
            (name for name in BRP_COLUMNS.values() if name not in columns), ""
        )

    def check(self, row: int, cells: Sequence[str]) -> ResidentRow | list[Problem]:
        problems: list[Problem] = []
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
        values = {name: cells[index].strip() for name, index in self.items}
        values.update(self.missing)

        def problem(name: str, code: str, nl: str, en: str) -> None:
            column = self.headers[self.columns[name]] if name in self.columns else name
            problems.append(Problem(row, column.strip(), code, nl, en))

        joined = "".join(values.values())
        if NUL in joined or UNREADABLE in joined:
            for name, value in values.items():
                if NUL in value or UNREADABLE in value:
                    problem(name, "unreadable_character",
                            "In dit veld staat een onleesbaar teken. Haal het weg.",
                            "This field contains an unreadable character. Remove it.")
                    # The other checks judge what is left of the value.
                    values[name] = value.replace(NUL, "").replace(UNREADABLE, "")
        for name in self.required:
            if not values[name]:
                problem(name, "required", "Dit veld is leeg. Het moet ingevuld zijn.",
                        "This field is empty. It is required.")
        for name, limit in self.limited:
            if len(values[name]) > limit:
                problem(name, "too_long",
                        f"Deze waarde is te lang. Gebruik hoogstens {limit} tekens.",
                        f"This value is too long. Use at most {limit} characters.")

        postcode = ""
        if values["postcode"]:
            postcode = normalise_postcode(values["postcode"]) or ""
            if not postcode:
                shown = _shown(values["postcode"])
                problem("postcode", "postcode_invalid",
                        f"De postcode ‘{shown}’ klopt niet. Een postcode heeft 4 cijfers en "
                        "2 letters, zoals 1234 AB.",
                        f"The postcode ‘{shown}’ is not valid. A postcode has 4 digits and "
                        "2 letters, such as 1234 AB.")

        letter = values.get("house_letter", "")
        addition = values.get("house_number_addition", "")
        number = 0
        raw_number = values["house_number"]
        if not raw_number:
            problem("house_number", "house_number_missing", "Het huisnummer ontbreekt.",
                    "The house number is missing.")
        else:
            split = split_house_number(raw_number)
            shown = _shown(raw_number) if split is None or split[1] else ""
            if split is None:
                problem("house_number", "house_number_invalid",
                        f"Het huisnummer ‘{shown}’ klopt niet. Schrijf een getal, zoals 12, "
                        "12a of 12 bis.",
                        f"The house number ‘{shown}’ is not valid. Write a number, such as 12, "
                        "12a or 12 bis.")
            else:
                number, suffix = split
                if suffix:
                    placed = place_house_suffix(suffix, letter=letter, addition=addition)
                    if placed is not None:
                        letter, addition = placed
                    else:
                        problem("house_number", "house_number_conflict",
                                f"Het huisnummer ‘{shown}’ heeft al een toevoeging. Maar de "
                                "kolom voor de toevoeging is ook ingevuld.",
                                f"The house number ‘{shown}’ already has an addition, but the "
                                "addition column is filled in too.")
        if letter:
            letter = letter.strip().upper()
            if len(letter) != 1 or not ("A" <= letter <= "Z"):
                shown = _shown(letter)
                problem("house_letter", "house_letter_invalid",
                        f"De huisletter ‘{shown}’ klopt niet. Een huisletter is één letter.",
                        f"The house letter ‘{shown}’ is not valid. A house letter is one letter.")
        if addition:
            cleaned = normalise_addition(addition)
            if cleaned and not addition_is_valid(cleaned):
                shown = _shown(addition)
                problem("house_number_addition", "addition_invalid",
                        f"De toevoeging ‘{shown}’ klopt niet. Gebruik hoogstens "
                        f"{MAX_ADDITION} letters of cijfers.",
                        f"The addition ‘{shown}’ is not valid. Use at most {MAX_ADDITION} "
                        "letters or digits.")
            addition = cleaned

        birth_date = None
        if values["birth_date"]:
            birth_date = parse_date(values["birth_date"])
            shown = _shown(values["birth_date"])
            if birth_date is None:
                problem("birth_date", "birth_date_invalid",
                        f"De geboortedatum ‘{shown}’ klopt niet. Schrijf de datum als "
                        "dd-mm-jjjj, bijvoorbeeld 31-12-1980.",
                        f"The birth date ‘{shown}’ is not valid. Write the date as dd-mm-yyyy, "
                        "for example 31-12-1980.")
            elif birth_date > self.today:
                problem("birth_date", "birth_date_future",
                        f"De geboortedatum ‘{shown}’ ligt in de toekomst.",
                        f"The birth date ‘{shown}’ is in the future.")
            elif age_on(birth_date, self.today) > MAX_AGE:
                problem("birth_date", "birth_date_too_old",
                        f"De geboortedatum ‘{shown}’ klopt niet. Dan zou deze persoon ouder "
                        f"zijn dan {MAX_AGE} jaar.",
                        f"The birth date ‘{shown}’ is not valid. This person would be older "
                        f"than {MAX_AGE}.")

        email = values.get("email", "")
        if email and len(email) <= MAX_LENGTHS["email"]:
            try:
                validate_email(email)
            except ValidationError:
                shown = _shown(email)
                problem("email", "email_invalid",
                        f"Het e-mailadres ‘{shown}’ klopt niet.",
                        f"The e-mail address ‘{shown}’ is not valid.")

        if problems or birth_date is None:
            return problems
        return ResidentRow(
            row=row,
            person_ref=values["person_ref"],
            given_names=values["given_names"],
            name_prefix=values.get("name_prefix", ""),
            surname=values["surname"],
            street=values["street"],
            house_number=number,
            house_letter=letter,
            house_number_addition=addition,
            postcode=postcode,
            city=values["city"],
            municipality=values["municipality"],
            birth_date=birth_date,
            email=email,
            household_key=household_key(postcode, number, letter, addition),
        )


def map_columns(headers: Sequence[str]) -> tuple[dict[str, int], list[Problem], bool]:
    """Which column holds which field; problems for unknown, doubled or missing columns.

    The boolean is True when the file cannot be imported at all."""
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    fatal = False
    for index, header in enumerate(headers):
        text = str(header).strip().lstrip("\ufeff")
        if not text:
            continue
        name = _ALIASES.get(_header_key(text))
        shown = _shown(text)
        if name is None:
            problems.append(Problem(
                1, shown, "unknown_column",
                f"De kolom ‘{shown}’ kennen we niet. We lezen deze kolom niet in.",
                f"The column ‘{shown}’ is not known. It is not imported.",
            ))
        elif name in columns:
            fatal = True
            problems.append(Problem(
                1, shown, "duplicate_column",
                f"De kolom ‘{shown}’ staat twee keer in het bestand.",
                f"The column ‘{shown}’ appears twice in the file.",
            ))
        else:
            columns[name] = index
    for name in REQUIRED_FIELDS:
        if name not in columns:
            fatal = True
            brp, english = FIELD_TO_BRP[name], _english_name(name)
            problems.append(Problem(
                1, brp, "missing_column",
                f"De kolom ‘{brp}’ ontbreekt. Deze kolom is verplicht.",
                f"The column ‘{brp}’ (or ‘{english}’) is missing. This column is required.",
            ))
    return columns, problems, fatal


def _english_name(name: str) -> str:
    return next(alias for alias, target in ENGLISH_ALIASES.items() if target == name)


def _duplicate_problem(row: int, column: str, ref: str, first_row: int) -> Problem:
    shown = _shown(ref)
    return Problem(
        row, column, "duplicate_person",
        f"Het persoonsnummer ‘{shown}’ staat ook in regel {first_row}.",
        f"The person number ‘{shown}’ also appears in row {first_row}.",
    )


# How often (in rows) parse_table tells its caller how far it is.
PROGRESS_EVERY = 5000


class _DateOrder:
    """Whether a file writes its dates month first (05/23/1980, as American
    Excel does). Read as day first, such a file fails only on the rows whose
    day is above 12; the others would import with day and month swapped, so
    the whole file is refused. Evidence: a first part above 12 can only be a
    day (day first), a second part above 12 only a day too (month first). In
    a month-first file about 60 % of the dates say so; one typo in a Dutch
    file, or one Dutch row in an American file, does not decide it."""

    def __init__(self) -> None:
        self.dates = 0
        self.day_first = 0
        self.month_first_rows = 0
        self.month_first: tuple[int, str] | None = None

    def see(self, row: int, text: str) -> None:
        if not text.strip():
            return
        self.dates += 1
        match = _DMY.fullmatch(text.strip())
        if match is None:
            return
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            self.day_first += 1
        elif second > 12 >= first:
            self.month_first_rows += 1
            if self.month_first is None:
                self.month_first = (row, text.strip())

    def problem(self, column: str) -> Problem | None:
        if self.month_first is None or self.month_first_rows <= self.day_first:
            return None
        if self.month_first_rows * 4 < self.dates:
            return None
        row, text = self.month_first
        shown = _shown(text)
        return Problem(
            row, column, "birth_date_month_first",
            f"De datums in kolom ‘{column}’ staan in de volgorde maand-dag-jaar, zoals "
            f"‘{shown}’ in regel {row}. Dan zijn ook de andere datums verkeerd gelezen. "
            "Daarom lezen we niets in. Zet de datums als dd-mm-jjjj en lees het bestand "
            "opnieuw in.",
            f"The dates in column ‘{column}’ are written month-day-year, like ‘{shown}’ in "
            f"row {row}. Then the other dates were read wrongly too, so nothing is imported. "
            "Write the dates as dd-mm-yyyy and import the file again.",
        )


def parse_table(
    table: Table, *, today: dt.date, on_progress: Callable[[float], None] | None = None
) -> ParseResult:
    """Check every row of a table and collect every problem, not only the first.

    `on_progress`, if given, hears the part read so far (0.0 to 1.0) every
    PROGRESS_EVERY rows, as far as the number of rows can be known beforehand."""
    # Problems name their column as the file does: stored, so without a NUL.
    headers = [storable_text(str(header)) for header in table.headers]
    columns, problems, fatal = map_columns(headers)
    if fatal:
        return ParseResult(rows_total=0, residents=[], problems=problems, fatal=True)
    checker = _RowChecker(columns, headers, today)
    ref_column = headers[columns["person_ref"]].strip()
    date_order = _DateOrder()
    birth_column = columns["birth_date"]
    residents: list[ResidentRow] = []
    invalid: list[int] = []
    first_seen: dict[str, int] = {}
    total = 0
    report = on_progress if table.expected_rows > 0 else None
    try:
        for index, raw in enumerate(table.rows):
            if report is not None and not index % PROGRESS_EVERY:
                report(min(1.0, index / table.expected_rows))
            cells = raw if table.text_only else [_cell_text(cell) for cell in raw]
            if not "".join(cells).strip():
                continue
            total += 1
            row = index + 2
            checked = checker.check(row, cells)
            if birth_column < len(cells):
                date_order.see(row, cells[birth_column])
            ref = cells[columns["person_ref"]].strip() if columns["person_ref"] < len(cells) else ""
            row_problems = [] if isinstance(checked, ResidentRow) else checked
            if ref:
                if ref in first_seen:
                    row_problems.append(_duplicate_problem(row, ref_column, ref, first_seen[ref]))
                else:
                    first_seen[ref] = row
            if row_problems:
                problems.extend(row_problems)
                invalid.append(row)
            elif isinstance(checked, ResidentRow):
                residents.append(checked)
    except PopulationFileError as error:
        return ParseResult(rows_total=total, residents=[], problems=[*problems, error.problem],
                           fatal=True)
    if total == 0:
        problems.append(Problem(1, "", "file_empty", *_EMPTY))
        return ParseResult(rows_total=0, residents=[], problems=problems, fatal=True)
    if month_first := date_order.problem(headers[birth_column].strip()):
        return ParseResult(rows_total=total, residents=[], problems=[month_first, *problems],
                           invalid_rows=invalid, fatal=True)
    return ParseResult(rows_total=total, residents=residents, problems=problems,
                       invalid_rows=invalid)


def problems_against_existing(
    residents: Iterable[ResidentRow], existing_refs: Collection[str]
) -> list[Problem]:
    """People whose person number was imported before, for the same assembly."""
    column = FIELD_TO_BRP["person_ref"]
    problems = []
    for resident in residents:
        if resident.person_ref in existing_refs:
            shown = _shown(resident.person_ref)
            problems.append(Problem(
                resident.row, column, "duplicate_existing",
                f"Het persoonsnummer ‘{shown}’ is al ingelezen uit een eerder uittreksel.",
                f"The person number ‘{shown}’ was already imported from an earlier extract.",
            ))
    return problems


def parse_population(
    data: bytes,
    *,
    file_name: str = "",
    today: dt.date,
    existing_refs: Collection[str] = (),
    on_progress: Callable[[float], None] | None = None,
) -> ParseResult:
    """Read and check a whole file. Never raises on bad input: problems say what is wrong."""
    try:
        table = read_table(data, file_name)
    except PopulationFileError as error:
        return ParseResult(rows_total=0, residents=[], problems=[error.problem], fatal=True)
    return parse_table(table, today=today, on_progress=on_progress).with_existing(existing_refs)


def is_blocking(problem: dict[str, Any]) -> bool:
    """For stored problems (dicts): does this one make its row invalid?"""
    return problem.get("code") not in NOTICE_CODES


def canonical_field(header: str) -> str | None:
    """The model field a column header stands for (BRP name or English alias), or None."""
    return _ALIASES.get(_header_key(str(header)))
