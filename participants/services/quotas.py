"""The quota table of an assembly: entered on the site, read from a file, or
proposed from population shares.

Every write replaces the whole table in one transaction, after checking all
rows together; a problem anywhere means nothing is written. Each problem names
the row and the field, in Dutch and in English (like participants.population).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction

from assembly.models import Assembly, User
from assembly.numbers import whole_number
from assembly.services import audit_record
from participants.models import Quota
from participants.resources_quotas import QuotaFileError, quota_rows, read_dataset
from participants.selectors_selection import AGE, age_range, quota_categories

SHARES_FILE = Path(__file__).resolve().parent.parent / "data" / "population_shares_nl.csv"
# Shares per category may be rounded; further off than this is a wrong file.
SHARES_SUM_TOLERANCE = 0.01

_FIELD_NAMES = {
    "category": ("categorie", "category"),
    "value": ("waarde", "value"),
    "min": ("minimum", "minimum"),
    "max": ("maximum", "maximum"),
    "share": ("aandeel", "share"),
    "": ("", ""),
}


@dataclass(frozen=True)
class QuotaRow:
    """One row to check: min and max may still be text (from a form or a file).

    ``row`` is the number the organiser sees (a file's line, the header being
    line 1; a table's row, from 1); 0 means "the position in the list, from 1".
    """

    category: str
    value: str
    min: int | str
    max: int | str
    row: int = 0


@dataclass(frozen=True)
class CheckedRow:
    category: str
    value: str
    min: int
    max: int
    row: int


@dataclass(frozen=True)
class QuotaProblem:
    """One thing wrong with one field of one row."""

    row: int
    field: str  # category, value, min, max, share, or "" for the whole file
    code: str
    nl: str
    en: str

    @property
    def text_nl(self) -> str:
        name = _FIELD_NAMES.get(self.field, (self.field, self.field))[0]
        place = f"regel {self.row}" if self.row else ""
        place = f"{place}, {name}" if name and place else place or name
        return f"{place}: {self.nl}" if place else self.nl

    @property
    def text_en(self) -> str:
        name = _FIELD_NAMES.get(self.field, (self.field, self.field))[1]
        place = f"row {self.row}" if self.row else ""
        place = f"{place}, {name}" if name and place else place or name
        return f"{place}: {self.en}" if place else self.en

    def __str__(self) -> str:
        return f"{self.text_nl} / {self.text_en}"


class QuotaTableInvalid(Exception):
    """The rows have problems; nothing was written."""

    def __init__(self, problems: Sequence[QuotaProblem]) -> None:
        super().__init__(" | ".join(str(problem) for problem in problems))
        self.problems = list(problems)


# --------------------------------------------------------------------------- checks


def _whole_number(text: int | str) -> int | None:
    if isinstance(text, int):
        return text if text >= 0 else None
    return whole_number(str(text).strip())


def quota_rows_check(
    *, assembly: Assembly, rows: Sequence[QuotaRow]
) -> tuple[list[CheckedRow], list[QuotaProblem]]:
    """Check all rows together: known category, valid value, whole numbers,
    min ≤ max, no value twice, age groups that do not overlap."""
    categories = {category.key: category for category in quota_categories(assembly=assembly)}
    known = ", ".join(categories)
    problems: list[QuotaProblem] = []
    checked: list[CheckedRow] = []
    first_row: dict[tuple[str, str], int] = {}
    ages: list[tuple[int, int, str, int]] = []

    def problem(row: int, name: str, code: str, nl: str, en: str) -> None:
        problems.append(QuotaProblem(row, name, code, nl, en))

    for index, item in enumerate(rows):
        row = item.row or index + 1
        category, value = item.category.strip(), item.value.strip()
        ok = True
        if not category:
            problem(row, "category", "empty", "Vul een categorie in.", "Fill in a category.")
            ok = False
        elif category not in categories:
            problem(
                row,
                "category",
                "unknown_category",
                f"De categorie '{category}' bestaat niet. Kies uit: {known}.",
                f"The category '{category}' does not exist. Choose from: {known}.",
            )
            ok = False
        if not value:
            problem(row, "value", "empty", "Vul een waarde in.", "Fill in a value.")
            ok = False
        elif category == AGE:
            bounds = age_range(value)
            if bounds is None:
                problem(
                    row,
                    "value",
                    "bad_age",
                    f"'{value}' is geen leeftijdsgroep. Schrijf bijvoorbeeld 16-24 of 65+.",
                    f"'{value}' is not an age group. Write for example 16-24 or 65+.",
                )
                ok = False
            else:
                for other_low, other_high, other, other_row in ages:
                    if bounds[0] <= other_high and other_low <= bounds[1] and other != value:
                        problem(
                            row,
                            "value",
                            "age_overlap",
                            f"De leeftijdsgroep {value} overlapt met {other} (regel {other_row}).",
                            f"The age group {value} overlaps with {other} (row {other_row}).",
                        )
                        ok = False
                        break
                ages.append((bounds[0], bounds[1], value, row))
        elif category in categories:
            choices = [key for key, _label in categories[category].values]
            if value not in choices:
                problem(
                    row,
                    "value",
                    "unknown_value",
                    f"'{value}' is geen waarde van {category}. Kies uit: {', '.join(choices)}.",
                    f"'{value}' is not a value of {category}. Choose from: {', '.join(choices)}.",
                )
                ok = False
        low, high = _whole_number(item.min), _whole_number(item.max)
        for name, parsed, text in (("min", low, item.min), ("max", high, item.max)):
            if parsed is None:
                problem(
                    row,
                    name,
                    "not_a_number",
                    f"'{text}' is geen heel getal van 0 of meer.",
                    f"'{text}' is not a whole number of 0 or more.",
                )
                ok = False
        if low is not None and high is not None and low > high:
            problem(
                row,
                "min",
                "min_above_max",
                f"Het minimum {low} is hoger dan het maximum {high}.",
                f"The minimum {low} is above the maximum {high}.",
            )
            ok = False
        key = (category, value)
        if category and value and key in first_row:
            problem(
                row,
                "value",
                "duplicate",
                f"{category} {value} staat er twee keer in (eerst op regel {first_row[key]}).",
                f"{category} {value} appears twice (first in row {first_row[key]}).",
            )
            ok = False
        first_row.setdefault(key, row)
        if ok and low is not None and high is not None:
            checked.append(CheckedRow(category, value, low, high, row))
    return checked, problems


# --------------------------------------------------------------------------- writes


@transaction.atomic
def quota_table_replace(
    *, assembly: Assembly, rows: Sequence[QuotaRow], actor: User | None, action: str = "replace"
) -> list[Quota]:
    """Replace the assembly's quota table with ``rows`` (all or nothing)."""
    checked, problems = quota_rows_check(assembly=assembly, rows=rows)
    if problems:
        raise QuotaTableInvalid(problems)
    # Lock the assembly row: two organisers saving at once get one table, not a mix.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    removed, _per_model = Quota.objects.filter(assembly=assembly).delete()
    quotas = Quota.objects.bulk_create(
        Quota(
            assembly=assembly,
            category=row.category,
            value=row.value,
            min=row.min,
            max=row.max,
            position=position,
        )
        for position, row in enumerate(checked)
    )
    audit_record(
        action=f"quota.{action}",
        assembly=assembly,
        actor=actor,
        detail={
            "rows": len(quotas),
            "categories": len({row.category for row in checked}),
            "removed": removed,
        },
    )
    return quotas


def quota_import(
    *, assembly: Assembly, file: IO[bytes] | bytes, actor: User | None, file_name: str = ""
) -> list[Quota]:
    """Read a quota table (CSV or XLSX, any of the three header styles) and make it
    the assembly's table. Raises :class:`QuotaTableInvalid`; nothing is written then."""
    data = file if isinstance(file, bytes) else file.read()
    name = file_name or str(getattr(file, "name", "") or "")
    try:
        raw = quota_rows(read_dataset(data, name))
    except QuotaFileError as error:
        raise QuotaTableInvalid([QuotaProblem(0, "", "file", error.nl, error.en)]) from error
    rows = [QuotaRow(r.category, r.value, r.min, r.max, row=r.row) for r in raw]
    return quota_table_replace(assembly=assembly, rows=rows, actor=actor, action="import")


# --------------------------------------------------------------------------- proposal


@dataclass(frozen=True)
class Share:
    category: str
    value: str
    share: float
    source: str = ""
    year: str = ""


@dataclass(frozen=True)
class ProposedRow:
    category: str
    value: str
    share: float
    target: float
    min: int
    max: int

    @property
    def share_percent(self) -> float:
        return self.share * 100


@dataclass(frozen=True)
class Proposal:
    panel_size: int
    tolerance: float
    rows: tuple[ProposedRow, ...]
    # (category, source, year) per category, in table order
    sources: tuple[tuple[str, str, str], ...] = field(default=())

    def as_rows(self) -> list[QuotaRow]:
        return [QuotaRow(r.category, r.value, r.min, r.max) for r in self.rows]


def _share_number(text: str) -> float | None:
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return float(number) if 0 <= number <= 1 else None


def shares_read(text: str | None = None) -> list[Share]:
    """Population shares from CSV ``category,value,share[,source,year]``; without
    ``text``, the shipped Dutch shares (participants/data/population_shares_nl.csv)."""
    if text is None:
        text = SHARES_FILE.read_text(encoding="utf-8")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ("category", "value", "share") if name not in headers]
    if missing:
        raise QuotaTableInvalid(
            [
                QuotaProblem(
                    1,
                    "",
                    "shares_header",
                    f"Het bestand met aandelen heeft de kolommen category,value,share nodig. "
                    f"Deze ontbreken: {', '.join(missing)}.",
                    f"The shares file needs the columns category,value,share. "
                    f"Missing: {', '.join(missing)}.",
                )
            ]
        )
    problems: list[QuotaProblem] = []
    shares: list[Share] = []
    for offset, raw in enumerate(reader):
        row = {(key or "").strip().lower(): (cell or "").strip() for key, cell in raw.items()}
        if not any(row.values()):
            continue
        number = _share_number(row.get("share", ""))
        if number is None:
            problems.append(
                QuotaProblem(
                    offset + 2,
                    "share",
                    "bad_share",
                    f"'{row.get('share', '')}' is geen getal van 0 tot en met 1.",
                    f"'{row.get('share', '')}' is not a number from 0 to 1.",
                )
            )
            continue
        shares.append(
            Share(row["category"], row["value"], number, row.get("source", ""), row.get("year", ""))
        )
    totals: dict[str, float] = {}
    for share in shares:
        totals[share.category] = totals.get(share.category, 0.0) + share.share
    for category, total in totals.items():
        if abs(total - 1) > SHARES_SUM_TOLERANCE:
            problems.append(
                QuotaProblem(
                    0,
                    "share",
                    "shares_sum",
                    f"De aandelen van {category} zijn samen {total:.3f}, niet 1.",
                    f"The shares of {category} add up to {total:.3f}, not 1.",
                )
            )
    if problems:
        raise QuotaTableInvalid(problems)
    return shares


def _consistent(mins: list[int], maxes: list[int], targets: list[float], k: int) -> None:
    """Widen the bounds until Σ min ≤ k ≤ Σ max (in place), closest to the targets."""
    while sum(mins) > k:
        # lower the minimum that sits furthest above its target's share
        index = max(range(len(mins)), key=lambda i: (mins[i] - targets[i], -i))
        mins[index] -= 1
    while sum(maxes) < k:
        index = max(range(len(maxes)), key=lambda i: (targets[i] - maxes[i], targets[i], -i))
        maxes[index] += 1


def quota_propose(
    *,
    assembly: Assembly,
    categories: Sequence[str],
    tolerance: float,
    shares: Sequence[Share] | None = None,
    panel_size: int | None = None,
) -> Proposal:
    """Targets from population shares: share × panel size, with min =
    ⌊target × (1 − tolerance)⌋ and max = ⌈target × (1 + tolerance)⌉, made
    consistent per category (Σ min ≤ panel size ≤ Σ max). Writes nothing.

    A value with share 0 still gets a maximum of 1: a respondent with that
    value (for example geslacht "anders") can then still be drawn.
    """
    if not 0 <= tolerance < 1:
        raise ValueError("tolerance must be in [0, 1)")
    k = panel_size if panel_size is not None else assembly.members_target
    table = list(shares) if shares is not None else shares_read()
    rows: list[ProposedRow] = []
    sources: list[tuple[str, str, str]] = []
    for category in categories:
        items = [share for share in table if share.category == category]
        if not items:
            continue
        targets = [share.share * k for share in items]
        mins = [math.floor(t * (1 - tolerance) + 1e-9) for t in targets]
        maxes = [max(math.ceil(t * (1 + tolerance) - 1e-9), 1) for t in targets]
        _consistent(mins, maxes, targets, k)
        rows.extend(
            ProposedRow(share.category, share.value, share.share, target, low, high)
            for share, target, low, high in zip(items, targets, mins, maxes, strict=True)
        )
        source = next((share for share in items if share.source), items[0])
        sources.append((category, source.source, source.year))
    proposal = Proposal(k, tolerance, tuple(rows), tuple(sources))
    _checked, problems = quota_rows_check(assembly=assembly, rows=proposal.as_rows())
    if problems:
        raise QuotaTableInvalid(problems)
    return proposal


def quota_proposal_apply(
    *, assembly: Assembly, proposal: Proposal, actor: User | None
) -> list[Quota]:
    """Make a proposal the assembly's quota table."""
    return quota_table_replace(
        assembly=assembly, rows=proposal.as_rows(), actor=actor, action="propose"
    )
