"""The public results as open data: CSV (django-import-export) and JSON.

Column names and codes are stable and in English, so scripts keep working
when the page's wording changes; the public results page documents each
column (COLUMNS). Percentages use a dot and one decimal, rounded down like
on the page; an empty cell means "no ballot" or "not counted".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from assembly.spreadsheets import spreadsheet_text
from recommendations.selectors_results import AssemblyResults, BallotOutcome, RecommendationResult

# (column, what it holds) — shown on the results page under "Open data".
COLUMNS: tuple[tuple[str, Promise], ...] = (
    ("number", _("nummer van de aanbeveling")),
    ("title", _("titel")),
    ("status", _("status: adopted, not_adopted, withdrawn, merged, …")),
    ("merged_into", _("nummer van de aanbeveling waarin deze is samengevoegd")),
    ("ballot_number", _("nummer van de stemming")),
    ("votes_for", _("stemmen voor")),
    ("votes_against", _("stemmen tegen")),
    ("votes_abstain", _("onthoudingen")),
    ("invalid", _("ongeldige stemmen")),
    ("base", _("aantal stemmen waarover het percentage is berekend")),
    ("percentage_for", _("percentage voor")),
    ("percentage_against", _("percentage tegen")),
    ("percentage_abstain", _("percentage onthoudingen (alleen als die meetellen)")),
    ("threshold", _("benodigde steun: majority, two_thirds of three_quarters")),
    ("abstentions_count", _("onthoudingen tellen mee: true of false")),
    ("adopted", _("aangenomen: true of false")),
    ("counts_hash", _("controlegetal (SHA-256) van de telling")),
    ("corrected", _("de uitslag is later verbeterd: true of false")),
    ("minority_statements", _("minderheidsstandpunten, gescheiden door ' | '")),
    (
        "response_status",
        _("reactie van de regering nu: adopted, partly, rejected, under_study of none"),
    ),
    ("response_text", _("tekst van de reactie die nu geldt")),
    (
        "response_corrections",
        _("verbeteringen van die reactie: 'datum: reden', gescheiden door ' | '"),
    ),
    (
        "responses_withdrawn",
        _(
            "ingetrokken reacties (bij de verkeerde aanbeveling ingevoerd): "
            "'datum: reden', gescheiden door ' | '"
        ),
    ),
)


BALLOT_COLUMNS = (
    "ballot_number", "votes_for", "votes_against", "votes_abstain", "invalid", "base",
    "percentage_for", "percentage_against", "percentage_abstain", "threshold",
    "abstentions_count", "adopted", "counts_hash", "corrected",
)  # fmt: skip


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ExportRow:
    number: int
    title: str
    status: str
    merged_into: str
    ballot_number: str
    votes_for: str
    votes_against: str
    votes_abstain: str
    invalid: str
    base: str
    percentage_for: str
    percentage_against: str
    percentage_abstain: str
    threshold: str
    abstentions_count: str
    adopted: str
    counts_hash: str
    corrected: str
    minority_statements: str
    response_status: str
    response_text: str
    response_corrections: str
    responses_withdrawn: str


def _ballot_figures(ballot: BallotOutcome | None) -> dict[str, str]:
    if ballot is None:
        return dict.fromkeys(BALLOT_COLUMNS, "")
    return {
        "ballot_number": str(ballot.number),
        "votes_for": str(ballot.votes_for),
        "votes_against": str(ballot.votes_against),
        "votes_abstain": str(ballot.votes_abstain),
        "invalid": str(ballot.invalid),
        "base": str(ballot.base),
        "percentage_for": _number(ballot.percentage_for),
        "percentage_against": _number(ballot.percentage_against),
        "percentage_abstain": _number(ballot.percentage_abstain),
        "threshold": ballot.threshold,
        "abstentions_count": _flag(ballot.abstentions_count),
        "adopted": _flag(ballot.adopted),
        "counts_hash": ballot.counts_hash,
        "corrected": _flag(ballot.corrected),
    }


def export_row(result: RecommendationResult) -> ExportRow:
    return ExportRow(
        number=result.number,
        title=result.title,
        status=result.status,
        merged_into="" if result.merged_into_number is None else str(result.merged_into_number),
        minority_statements=" | ".join(s.text for s in result.minority_statements),
        response_status=result.response_status,
        response_text=result.response.text if result.response else "",
        response_corrections=" | ".join(
            f"{_day(c.corrected_at)}: {c.reason}"
            for c in (result.response.corrections if result.response else ())
        ),
        responses_withdrawn=" | ".join(
            f"{_day(w.withdrawn_at)}: {w.reason}" for w in result.withdrawn_responses
        ),
        **_ballot_figures(result.ballot),
    )


class ResultResource(resources.Resource):  # type: ignore[misc]
    """Exports ExportRow objects; the fields are COLUMNS, in that order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, _label in COLUMNS:
            self.fields[name] = fields.Field(attribute=name, column_name=name)

    def get_export_order(self) -> tuple[str, ...]:
        return tuple(name for name, _label in COLUMNS)

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> object:
        # Titles and statements are typed by people: none may run as a formula.
        return spreadsheet_text(super().export_field(field, instance, **kwargs))


def results_csv(results: AssemblyResults) -> str:
    rows = [export_row(result) for result in results.recommendations]
    dataset = ResultResource().export(queryset=rows)
    csv: str = dataset.csv
    return csv


def results_json(results: AssemblyResults, *, assembly_slug: str) -> dict[str, Any]:
    """The same rows as the CSV, with typed values, plus the ranked ballots and their rounds."""

    def typed(result: RecommendationResult) -> dict[str, Any]:
        ballot = result.ballot
        return {
            "number": result.number,
            "title": result.title,
            "text": result.text,
            "status": result.status,
            "merged_into": result.merged_into_number,
            "ballot": None
            if ballot is None
            else {
                "number": ballot.number,
                "votes_for": ballot.votes_for,
                "votes_against": ballot.votes_against,
                "votes_abstain": ballot.votes_abstain,
                "invalid": ballot.invalid,
                "base": ballot.base,
                "percentage_for": _json_number(ballot.percentage_for),
                "percentage_against": _json_number(ballot.percentage_against),
                "percentage_abstain": _json_number(ballot.percentage_abstain),
                "threshold": ballot.threshold,
                "abstentions_count": ballot.abstentions_count,
                "adopted": ballot.adopted,
                "counts_hash": ballot.counts_hash,
                "corrected": ballot.corrected,
            },
            "minority_statements": [
                {"text": s.text, "supporters": s.supporters} for s in result.minority_statements
            ],
            "response": _response(result),
            "withdrawn_responses": [
                {"withdrawn_at": w.withdrawn_at.isoformat(), "reason": w.reason}
                for w in result.withdrawn_responses
            ],
        }

    return {
        "assembly": assembly_slug,
        "columns": [name for name, _label in COLUMNS],
        "recommendations": [typed(result) for result in results.recommendations],
        "ranked_ballots": [
            {
                "number": outcome.number,
                "title": outcome.title,
                "options": outcome.options,
                "winner": outcome.winner,
                "counts_hash": outcome.counts_hash,
                "rounds": [
                    {
                        "round": r.number,
                        "counts": [{"option": label, "votes": n} for label, n in r.counts],
                        "eliminated": r.eliminated,
                        "exhausted": r.exhausted,
                    }
                    for r in outcome.rounds
                ],
            }
            for outcome in results.ranked
        ],
    }


def _json_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _response(result: RecommendationResult) -> dict[str, Any] | None:
    """The government's current response, with the trace of its corrections."""
    response = result.response
    if response is None:
        return None
    return {
        "status": response.status,
        "text": response.text,
        "responded_on": response.responded_on.isoformat(),
        "source_title": response.source_title,
        "source_url": response.source_url,
        "corrections": [
            {"corrected_at": c.corrected_at.isoformat(), "reason": c.reason}
            for c in response.corrections
        ],
    }
