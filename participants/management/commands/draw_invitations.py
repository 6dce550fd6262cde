"""python manage.py draw_invitations --assembly SLUG --count N --seed S
[--stratify none|municipality|province]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assembly.models import Assembly
from participants.models import InvitationDraw
from participants.services.invitations import InvitationDrawRefused, invitation_draw

STRATIFY = {
    "none": InvitationDraw.Stratification.NONE,
    "municipality": InvitationDraw.Stratification.MUNICIPALITY,
    "province": InvitationDraw.Stratification.PROVINCE,
}


class Command(BaseCommand):
    help = "Draw invitation addresses (one per household), reproducibly from a seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assembly", required=True, help="the assembly's slug")
        parser.add_argument("--count", required=True, type=int, help="number of invitations")
        parser.add_argument("--seed", required=True, help="the seed; record or publish it")
        stratify = parser.add_mutually_exclusive_group()
        stratify.add_argument(
            "--stratify",
            choices=sorted(STRATIFY),
            default="none",
            help="divide the invitations over municipalities or provinces in proportion to "
            "their households (default: none)",
        )
        stratify.add_argument(
            "--per-municipality",
            action="store_true",
            help="the same as --stratify municipality",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            assembly = Assembly.objects.get(slug=options["assembly"])
        except Assembly.DoesNotExist as error:
            raise CommandError(f"no assembly with slug {options['assembly']!r}") from error
        stratify = (
            InvitationDraw.Stratification.MUNICIPALITY
            if options["per_municipality"]
            else STRATIFY[options["stratify"]]
        )
        try:
            draw = invitation_draw(
                assembly=assembly,
                count=options["count"],
                seed=options["seed"],
                stratify_by=stratify,
            )
        except InvitationDrawRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        lines = [
            f"draw:                {draw.pk}",
            f"assembly:            {assembly.slug}",
            f"seed:                {draw.seed}",
            f"invitations:         {draw.requested}",
            f"stratification:      {draw.stratify_by or 'none'}",
            f"eligible households: {draw.eligible_households}",
            f"eligible residents:  {draw.eligible_residents}",
            f"input sha256:        {draw.input_sha256}",
            f"created at:          {draw.created_at.isoformat()}",
        ]
        self.stdout.write("\n".join(lines))
