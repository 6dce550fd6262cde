"""Querysets compiled once per process (assembly/compiled.py): the same rows
as the ORM, in the same Python types, for whichever key is asked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.test.utils import CaptureQueriesContext

from assembly.compiled import CompiledLookup, concrete_attnames, instance_from
from assembly.models import Assembly
from participants.models import PopulationImport
from tests.factories import AssemblyFactory

pytestmark = pytest.mark.django_db


def _imports_by_slug(slug: str) -> QuerySet[Any]:
    return (
        PopulationImport.objects.filter(assembly__slug=slug)
        .annotate(
            others=Exists(
                PopulationImport.objects.filter(assembly=OuterRef("assembly_id")).exclude(
                    pk=OuterRef("pk")
                )
            )
        )
        .order_by("pk")
        .values_list(
            "pk",
            "problems",
            "created_at",
            "assembly__first_weekend",
            "assembly__fee_per_day",
            "assembly__is_public",
            "others",
        )
    )


def _import(assembly: Assembly, problems: list[dict[str, Any]]) -> PopulationImport:
    return PopulationImport.objects.create(
        assembly=assembly,
        file_name="brp.csv",
        file_sha256="0" * 64,
        status=PopulationImport.Status.IMPORTED,
        problems=problems,
    )


def test_it_gives_the_rows_and_types_the_orm_gives_for_each_key() -> None:
    first = AssemblyFactory(slug="eerste", first_weekend=dt.date(2027, 3, 6))
    second = AssemblyFactory(
        slug="tweede", first_weekend=dt.date(2027, 9, 4), fee_per_day=Decimal("125.00")
    )
    _import(first, [{"row": 2, "column": "postcode", "nl": "Postcode fout"}])
    _import(first, [])
    _import(second, [{"row": 7, "column": "geboortedatum", "nl": "Datum in de toekomst"}])
    lookup = CompiledLookup(_imports_by_slug, str)

    for slug, count in (("eerste", 2), ("tweede", 1), ("eerste", 2), ("geen", 0)):
        expected = list(_imports_by_slug(slug))
        rows = lookup.rows(slug)
        assert rows == expected and len(rows) == count
        for got, want in zip(rows, expected, strict=True):
            assert [type(value) for value in got] == [type(value) for value in want]
    # The JSON came back as JSON, the date as a date, the money as a Decimal.
    problems, _created, weekend, fee = lookup.rows("tweede")[0][1:5]
    assert problems[0]["row"] == 7
    assert weekend == dt.date(2027, 9, 4)
    assert fee == Decimal("125.00") and isinstance(fee, Decimal)
    assert [row[-1] for row in lookup.rows("eerste")] == [True, True]
    assert lookup.rows("tweede")[0][-1] is False


def test_it_compiles_once_and_then_runs_one_query_per_call() -> None:
    AssemblyFactory(slug="eerste")
    built: list[str] = []

    def build(slug: str) -> QuerySet[Any]:
        built.append(slug)
        return _imports_by_slug(slug)

    lookup = CompiledLookup(build, str)
    lookup.rows("eerste")
    with CaptureQueriesContext(connection) as queries:
        lookup.rows("tweede")
        lookup.rows("eerste")
    assert len(built) == 1
    assert len(queries.captured_queries) == 2


def test_it_makes_instances_as_the_orm_does() -> None:
    assembly = AssemblyFactory(slug="eerste", first_weekend=dt.date(2027, 3, 6))
    names = concrete_attnames(Assembly)
    lookup = CompiledLookup(lambda pk: Assembly.objects.filter(pk=pk).values_list(*names), int)
    made = instance_from(Assembly, names, lookup.rows(assembly.pk)[0])
    fresh = Assembly.objects.get(pk=assembly.pk)
    assert made == fresh
    assert [getattr(made, name) for name in names] == [getattr(fresh, name) for name in names]
    assert made._state.adding is False and made._state.db == "default"
    assert lookup.rows(assembly.pk + 1000) == []
    # Beyond any id column, as the ORM answers (SQLite could not even bind it).
    assert lookup.rows(2**63) == [] and lookup.rows(-(2**63) - 1) == []


def test_it_refuses_keys_it_cannot_swap_safely() -> None:
    with pytest.raises(TypeError):
        CompiledLookup(_imports_by_slug, dt.date)
    lookup = CompiledLookup(_imports_by_slug, str)
    with pytest.raises(TypeError):
        lookup.rows(12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CompiledLookup(lambda pk: Assembly.objects.filter(pk=pk).values_list("pk"), int).rows(True)
    unused = CompiledLookup(lambda _slug: Assembly.objects.values_list("pk"), str)
    with pytest.raises(ValueError, match="does not use its key"):
        unused.rows("eerste")
