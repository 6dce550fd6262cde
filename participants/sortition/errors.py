"""Structured errors of the sortition engine.

Every problem an organiser can cause (a bad file, quotas that cannot be met) is
a :class:`SortitionError` with a stable ``code``, the ``params`` that locate it
(file, row, column, value, ...) and a message in English and in Dutch (B1).
The Django side may translate the code itself; the command line prints both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# code -> (English template, Dutch template). Templates use str.format names
# that must all be present in ``params``.
MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    "file_not_found": (
        "{file}: file not found.",
        "{file}: dit bestand bestaat niet.",
    ),
    "file_encoding": (
        "{file}: the file is not UTF-8 text.",
        "{file}: het bestand is geen UTF-8-tekst. Sla het op als CSV (UTF-8).",
    ),
    "csv_malformed": (
        "{file}: this is not a readable CSV file ({detail}).",
        "{file}: dit is geen leesbaar CSV-bestand ({detail}).",
    ),
    "empty_file": (
        "{file}: the file has no rows.",
        "{file}: het bestand heeft geen regels.",
    ),
    "missing_column": (
        "{file}: column '{column}' is missing.",
        "{file}: de kolom '{column}' ontbreekt.",
    ),
    "quota_header": (
        "{file}: the quota file needs the columns feature,value,min,max "
        "or category,name,min,max or category,feature,min,max.",
        "{file}: het quotabestand heeft de kolommen feature,value,min,max "
        "of category,name,min,max of category,feature,min,max nodig.",
    ),
    "not_an_integer": (
        "{file}, row {row}, column '{column}': '{value}' is not a whole number of 0 or more.",
        "{file}, regel {row}, kolom '{column}': '{value}' is geen heel getal van 0 of meer.",
    ),
    "empty_value": (
        "{file}, row {row}, column '{column}': the cell is empty.",
        "{file}, regel {row}, kolom '{column}': de cel is leeg.",
    ),
    "min_above_max": (
        "{file}, row {row}: minimum {min} is above maximum {max} for {category} {value}.",
        "{file}, regel {row}: het minimum {min} is hoger dan het maximum {max} "
        "voor {category} {value}.",
    ),
    "duplicate_quota": (
        "{file}, row {row}: {category} {value} appears twice (first in row {first_row}).",
        "{file}, regel {row}: {category} {value} staat er twee keer in "
        "(eerst in regel {first_row}).",
    ),
    "unknown_value": (
        "{file}, row {row}, column '{column}': value '{value}' is not in the quota table.",
        "{file}, regel {row}, kolom '{column}': de waarde '{value}' staat niet in de quotatabel.",
    ),
    "duplicate_id": (
        "{file}, row {row}, column '{column}': id '{value}' appears twice "
        "(first in row {first_row}).",
        "{file}, regel {row}, kolom '{column}': het nummer '{value}' staat er twee keer in "
        "(eerst in regel {first_row}).",
    ),
    "empty_pool": (
        "{file}: there are no respondents in the pool.",
        "{file}: er staan geen respondenten in het bestand.",
    ),
    "bad_panel_size": (
        "The panel size must be between 1 and the pool size {n}; it is {k}.",
        "De grootte van het panel moet tussen 1 en {n} liggen (het aantal respondenten). "
        "Nu is het {k}.",
    ),
    "quota_sum_too_high": (
        "Category {category}: the minimums add up to {total}, more than the panel size {k}.",
        "Categorie {category}: de minimums zijn samen {total}. Dat is meer dan de "
        "panelgrootte {k}.",
    ),
    "quota_sum_too_low": (
        "Category {category}: the maximums add up to {total}, less than the panel size {k}.",
        "Categorie {category}: de maximums zijn samen {total}. Dat is minder dan de "
        "panelgrootte {k}.",
    ),
    "infeasible_quotas": (
        "No panel meets all quotas. {details}",
        "Geen enkel panel past binnen alle quota. {details_nl}",
    ),
    "unknown_member": (
        "'{value}' is not a respondent in the pool.",
        "'{value}' staat niet in de lijst met respondenten.",
    ),
    "bad_record": (
        "The run record is not valid: {reason}.",
        "Het verslag van de loting klopt niet: {reason}.",
    ),
}


class SortitionError(Exception):
    """An input or feasibility problem, with a code and the place it happened."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params: dict[str, object] = dict(params)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The English message."""
        return MESSAGES[self.code][0].format(**self.params)

    @property
    def message_nl(self) -> str:
        """The Dutch message (B1: short sentences, common words)."""
        return MESSAGES[self.code][1].format(**self.params)

    def as_dict(self) -> dict[str, object]:
        """A JSON-serialisable form for logs and the app."""
        return {
            "code": self.code,
            "params": {key: str(val) for key, val in self.params.items()},
            "message": self.message,
            "message_nl": self.message_nl,
        }
