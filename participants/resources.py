"""django-import-export for residents: export as a BRP-shaped file, and import
through the admin with the same checks as the organiser page."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from assembly.models import Assembly, User
from assembly.spreadsheets import spreadsheet_text
from participants.models import PopulationImport, Resident
from participants.population import (
    FIELD_TO_BRP,
    PopulationFileError,
    Problem,
    ResidentRow,
    Table,
    age_on,
    canonical_field,
    parse_table,
    read_table,
)

RESIDENT_FIELDS: tuple[str, ...] = (
    "person_ref", "given_names", "name_prefix", "surname", "street", "house_number",
    "house_letter", "house_number_addition", "postcode", "city", "municipality", "birth_date",
    "email",
)


def problem_text(problem: Problem) -> str:
    """One problem in both languages, naming row and column."""
    return (f"rij {problem.row}, kolom {problem.column}: {problem.nl} / "
            f"row {problem.row}, column {problem.column}: {problem.en}")


class BrpFile(base_formats.Format):  # type: ignore[misc]
    """CSV in any of the encodings and separators real offices use, or XLSX.

    import-export's own CSV format reads UTF-8 only and trusts commas; this one
    reads the file the way the organiser page does (participants.population)."""

    def __init__(self, encoding: str | None = None) -> None:
        # The encoding is found from the bytes, never taken from the admin's setting.
        self.encoding = encoding

    def get_title(self) -> str:
        return "CSV / XLSX (BRP)"

    def create_dataset(self, in_stream: bytes | str, **kwargs: Any) -> Any:
        import tablib  # type: ignore[import-untyped]

        data = in_stream.encode() if isinstance(in_stream, str) else in_stream
        try:
            table = read_table(data)
            rows = [[str(cell) for cell in row] for row in table.rows]
        except PopulationFileError as error:
            raise ValueError(problem_text(error.problem)) from error
        width = len(table.headers)
        dataset = tablib.Dataset(headers=[str(header) for header in table.headers])
        for row in rows:
            dataset.append((list(row) + [""] * width)[:width])
        # Kept for the import's SHA-256: the hash is of the file as uploaded.
        dataset.source_sha256 = hashlib.sha256(data).hexdigest()
        return dataset

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def get_extension(self) -> str:
        return "csv"

    def can_import(self) -> bool:
        return True


class ResidentResource(resources.ModelResource):  # type: ignore[misc]
    person_ref = fields.Field(attribute="person_ref", column_name="persoonsnummer")
    given_names = fields.Field(attribute="given_names", column_name="voornamen")
    name_prefix = fields.Field(attribute="name_prefix", column_name="voorvoegsel")
    surname = fields.Field(attribute="surname", column_name="geslachtsnaam")
    street = fields.Field(attribute="street", column_name="straatnaam")
    house_number = fields.Field(
        attribute="house_number", column_name="huisnummer", widget=widgets.IntegerWidget()
    )
    house_letter = fields.Field(attribute="house_letter", column_name="huisletter")
    house_number_addition = fields.Field(
        attribute="house_number_addition", column_name="huisnummertoevoeging"
    )
    postcode = fields.Field(attribute="postcode", column_name="postcode")
    city = fields.Field(attribute="city", column_name="woonplaats")
    municipality = fields.Field(attribute="municipality", column_name="gemeente")
    birth_date = fields.Field(
        attribute="birth_date", column_name="geboortedatum",
        widget=widgets.DateWidget(format="%d-%m-%Y"),
    )
    email = fields.Field(attribute="email", column_name="email")
    household_key = fields.Field(attribute="household_key", column_name="huishouden",
                                 readonly=True)

    class Meta:
        model = Resident
        fields = (*RESIDENT_FIELDS, "household_key")
        export_order = (*RESIDENT_FIELDS, "household_key")
        import_id_fields = ("person_ref",)
        use_transactions = True
        clean_model_instances = False
        skip_diff = True

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> object:
        # Opened in Excel: a name or street starting with "=" must not run.
        return spreadsheet_text(super().export_field(field, instance, **kwargs))

    def __init__(self, assembly: Assembly | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assembly = assembly
        self.record: PopulationImport | None = None
        self.underage = 0
        self._residents: dict[int, ResidentRow] = {}
        self._problems: dict[int, list[Problem]] = defaultdict(list)
        self._current_row = 0

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if self.assembly is None:
            raise ValueError("Kies een burgerberaad. / Choose an assembly.")
        headers = [str(header) for header in (dataset.headers or [])]
        parsed = parse_table(Table(headers=headers, rows=list(dataset)),
                             today=timezone.localdate())
        existing = set(
            Resident.objects.filter(assembly=self.assembly).values_list("person_ref", flat=True)
        )
        parsed = parsed.with_existing(existing)
        if parsed.fatal:
            raise ValueError(" | ".join(
                problem_text(problem) for problem in parsed.problems if problem.blocking
            ))
        for problem in parsed.problems:
            if problem.blocking:
                self._problems[problem.row].append(problem)
        self._residents = {row.row: row for row in parsed.residents}
        # Columns under their BRP names, so English aliases find the resource's fields.
        dataset.headers = [
            FIELD_TO_BRP.get(canonical_field(header) or "", header) for header in headers
        ]
        user = kwargs.get("user")
        sha256 = getattr(dataset, "source_sha256", "") or hashlib.sha256(
            dataset.export("csv").encode()
        ).hexdigest()
        self.record = PopulationImport.objects.create(
            assembly=self.assembly,
            file_name=(kwargs.get("file_name") or "admin")[:255],
            file_sha256=sha256,
            uploaded_by=user if isinstance(user, User) else None,
            status=PopulationImport.Status.IMPORTED,
            rows_total=parsed.rows_total,
            problems=[problem.as_dict() for problem in parsed.problems],
        )

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # import-export counts data rows from 1; Excel counts the header as row 1.
        self._current_row = int(kwargs.get("row_number") or 0) + 1
        problems = self._problems.get(self._current_row)
        if problems:
            errors: dict[str, list[str]] = defaultdict(list)
            for problem in problems:
                errors[problem.column or "-"].append(problem_text(problem))
            raise ValidationError(dict(errors))

    def get_instance(self, instance_loader: Any, row: Any) -> None:
        # Always a new resident: a person imported before is a problem, not an update.
        return None

    def import_instance(self, instance: Resident, row: Any, **kwargs: Any) -> None:
        data = self._residents.get(self._current_row)
        if data is None or self.record is None or self.assembly is None:
            return
        for name in (*RESIDENT_FIELDS, "household_key"):
            setattr(instance, name, getattr(data, name))
        instance.assembly = self.assembly
        instance.population_import = self.record

    def skip_row(self, instance: Any, original: Any, row: Any,
                 import_validation_errors: Any = None) -> bool:
        data = self._residents.get(self._current_row)
        if data is None or self.assembly is None:
            return True  # an empty line
        if age_on(data.birth_date, self.assembly.first_weekend) < self.assembly.min_age:
            self.underage += 1
            return True
        return False

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        if result.has_validation_errors() and not kwargs.get("dry_run"):
            # The preview (a dry run) shows the row errors and offers no confirm button;
            # should a real run still meet one, raising rolls the whole import back.
            raise ValueError(
                "Er staan fouten in het bestand. Er is niets ingelezen. / "
                "The file has errors. Nothing was imported."
            )
        if self.record is not None:
            self.record.rows_imported = result.totals.get("new", 0)
            self.record.rows_underage = self.underage
            self.record.save(update_fields=["rows_imported", "rows_underage"])
