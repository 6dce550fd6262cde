"""Erase members' and experts' personal data once the retention period after
the final report has ended (an expert on the public record keeps their public
facts: recommendations.services.privacy). `--dry-run` says whose data it
would erase and changes nothing. Celery beat runs the same every night
(recommendations.tasks_privacy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from recommendations.services.privacy import retention_erase, retention_plan


class Command(BaseCommand):
    help = (
        "Erase members' and experts' personal data after the retention period"
        " (use --dry-run first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only show what would happen.")
        parser.add_argument("--today", help="Pretend today is YYYY-MM-DD (for a rehearsal).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    f"--today: not a date (YYYY-MM-DD): {options['today']}"
                ) from error
        plans = retention_plan(today=today)
        if not plans:
            self.stdout.write("No assembly is past its retention period.")
            return
        for plan in plans:
            self.stdout.write(
                f"{plan.assembly.slug}: retention ended {plan.ended_on}; "
                f"{plan.people} people with personal data"
            )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing erased.")
            return
        erased = retention_erase(today=today)
        self.stdout.write(f"Erased the personal data of {erased} people.")
