"""The demo's open registration: a population extract, an invitation draw and
codes that work, so anyone trying the demo can sign up as an invitee would."""

from __future__ import annotations

from assembly.models import Assembly
from participants.demo_population import seed_population
from participants.models import Invitation, InvitationDraw
from participants.services.invitations import invitation_draw

DEMO_INVITATIONS = 40
DEMO_SEED = "demo-aanmelden"


def seed_registration_demo(assembly: Assembly, *, show: int = 3) -> list[str]:
    """Import the demo extract and draw invitations once; return unused codes.

    Safe to run twice: the import and the draw happen only the first time, and
    a code someone used in the demo is not shown again.
    """
    seed_population(assembly)
    if not InvitationDraw.objects.filter(assembly=assembly).exists():
        invitation_draw(assembly=assembly, count=DEMO_INVITATIONS, seed=DEMO_SEED)
    return list(
        Invitation.objects.filter(
            assembly=assembly, registration__isnull=True, status=Invitation.Status.DRAWN
        )
        .order_by("pk")
        .values_list("code", flat=True)[:show]
    )
