"""python manage.py import_population --assembly SLUG FILE [--skip-invalid]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assembly.models import Assembly
from participants.models import PopulationImport
from participants.services.population import population_import


class Command(BaseCommand):
    help = "Lees een uittreksel BRP in (CSV of XLSX). / Import a BRP population extract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assembly", required=True, help="slug of the assembly")
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="foute regels overslaan / skip invalid rows and import the rest",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["assembly"]
        path: Path = options["file"]
        assembly = Assembly.objects.filter(slug=slug).first()
        if assembly is None:
            raise CommandError(f"Onbekend burgerberaad / unknown assembly: {slug}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                f"Kan het bestand niet lezen / cannot read the file: {path} ({error.strerror})"
            ) from error
        record = population_import(
            assembly=assembly,
            file_name=path.name,
            data=data,
            uploaded_by=None,
            skip_invalid=options["skip_invalid"],
        )
        self._report(record)
        if record.status == PopulationImport.Status.REJECTED:
            raise CommandError(
                "Het bestand is geweigerd. Er is niets ingelezen. / "
                "The file was rejected. Nothing was imported."
            )

    def _report(self, record: PopulationImport) -> None:
        status = {
            PopulationImport.Status.IMPORTED: "ingelezen / imported",
            PopulationImport.Status.REJECTED: "geweigerd / rejected",
        }[PopulationImport.Status(record.status)]
        lines = [
            f"bestand / file: {record.file_name} (SHA-256 {record.file_sha256})",
            f"status: {status}",
            f"regels / rows: {record.rows_total}",
            f"ingelezen / imported: {record.rows_imported}",
            f"overgeslagen (fout) / skipped (invalid): {record.rows_skipped}",
            f"te jong / under age: {record.rows_underage}",
            f"problemen / problems: {len(record.problems)}",
        ]
        for problem in record.problems:
            row, column = problem["row"], problem["column"]
            lines.append(f"rij {row}, kolom {column}: {problem['nl']}")
            lines.append(f"  row {row}, column {column}: {problem['en']}")
        self.stdout.write("\n".join(lines))
