"""python manage.py purge_pool --assembly SLUG [--dry-run]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assembly.models import Assembly
from participants.services.purge import PurgeRefused, pool_purge, pool_purge_plan


class Command(BaseCommand):
    help = (
        "Erase the personal data of respondents who were not selected (neither member nor "
        "alternate), once the panel stands. --dry-run shows what would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assembly", required=True, help="the assembly's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be erased; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            assembly = Assembly.objects.get(slug=options["assembly"])
        except Assembly.DoesNotExist as error:
            raise CommandError(f"no assembly with slug {options['assembly']!r}") from error
        plan = pool_purge_plan(assembly=assembly)
        lines = [
            f"assembly:                 {assembly.slug}",
            f"panel stands:             {'yes' if plan.stands else 'no'}",
            *(f"  not yet:                {reason}" for reason in plan.reasons),
            f"registrations to erase:   {plan.registrations}",
            f"residents to erase:       {plan.residents}",
            f"invitations unlinked:     {plan.invitations}",
            f"letter PDFs to delete:    {plan.letter_batches}",
            f"said no or no answer:     {plan.not_taking_part} (details erased, row kept)",
            f"registrations kept:       {plan.kept_registrations}",
            f"pool counts kept:         {json.dumps(plan.pool_counts, ensure_ascii=False)}",
        ]
        self.stdout.write("\n".join(lines))
        if options["dry_run"]:
            self.stdout.write("dry run: nothing was erased")
            return
        try:
            purge = pool_purge(assembly=assembly, actor=None)
        except PurgeRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"purged: {purge.registrations_erased} registrations, "
            f"{purge.residents_erased} residents (purge {purge.pk})"
        )
