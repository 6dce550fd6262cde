"""python manage.py verify_invitation_draw --draw ID

Makes an invitation draw again from its recorded seed and input, and says
whether the same households and residents come out. Later extracts and later
draws do not change the answer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from participants.models import InvitationDraw
from participants.services.invitations import invitation_draw_replay


class Command(BaseCommand):
    help = "Make an invitation draw again from its seed and check that it gives the same people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--draw", required=True, type=int, help="the draw's id")

    def handle(self, *args: Any, **options: Any) -> None:
        draw = InvitationDraw.objects.select_related("assembly").filter(pk=options["draw"]).first()
        if draw is None:
            raise CommandError(f"no invitation draw with id {options['draw']}")
        replay = invitation_draw_replay(draw=draw)
        if not replay.recorded:
            raise CommandError(
                f"draw {draw.pk} cannot be made again: it is not finished, or it was made "
                "before draws recorded their input bounds"
            )
        self.stdout.write("\n".join([
            f"draw:                {draw.pk}",
            f"seed:                {draw.seed}",
            f"eligible households: {replay.households} (recorded: {draw.eligible_households})",
            f"input sha256:        {'same' if replay.input_matches else 'DIFFERENT'}",
            f"invitations:         {'same' if replay.chosen_matches else 'DIFFERENT'}",
        ]))
        if not replay.input_matches:
            raise CommandError(
                "the residents or invitations the draw chose from have changed since "
                "(an extract taken back, personal data purged, or a changed list of provinces)"
            )
        if not replay.chosen_matches:
            raise CommandError("the seed gives other residents than the draw holds")
