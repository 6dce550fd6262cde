"""Reads for the population extract."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assembly.models import Assembly
from participants.models import PopulationImport, Resident
from participants.population import is_blocking


def population_import_list(*, assembly: Assembly) -> QuerySet[PopulationImport]:
    return PopulationImport.objects.filter(assembly=assembly).defer("problems").select_related(
        "uploaded_by"
    )


def population_import_get(*, assembly: Assembly, pk: int) -> PopulationImport:
    """An import of this assembly; 404 for an import of another one."""
    return get_object_or_404(PopulationImport, assembly=assembly, pk=pk)


def resident_counts(*, assembly: Assembly) -> dict[str, int]:
    residents = Resident.objects.filter(assembly=assembly)
    return {
        "residents": residents.count(),
        "households": residents.values("household_key").distinct().count(),
    }


def problems_for_display(
    *, record: PopulationImport, language: str, limit: int
) -> list[dict[str, Any]]:
    """The problems with the message in the active language, at most `limit` of them."""
    key = "en" if language.startswith("en") else "nl"
    return [
        {"row": problem.get("row"), "column": problem.get("column", ""),
         "message": problem.get(key, ""), "blocking": is_blocking(problem)}
        for problem in record.problems[:limit]
    ]


def invalid_rows(*, record: PopulationImport) -> list[int]:
    """The rows with a problem that blocks them: the rows skipped, or the reasons to reject."""
    return sorted({
        int(problem["row"]) for problem in record.problems
        if is_blocking(problem) and int(problem.get("row", 0)) > 1
    })
