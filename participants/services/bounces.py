"""E-mails that came back later: the organiser's list of bounced addresses.

The mail server refuses some addresses at once; those invitations are marked
at sending (``participants.services.invitations``). Most bounces arrive later,
as a message back to the sender, hours or days after the server took the
e-mail. The mail provider or the mailbox can export them as a list; the
organiser uploads that list here. The invitations with those addresses get
the status "E-mail kwam terug", so no reminder goes to a dead address (which
also harms the sender's name with mail providers). Their paper letter stands.

A file with one unreadable row marks nothing, and every such row is named.
Addresses that belong to no invitation of this assembly (a list from another
mailing) are counted, not refused. A person who has signed up or declined
keeps that status: their own answer says more than a bounce.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from assembly.models import Assembly, User
from assembly.services import audit_record
from participants.models import Invitation

logger = logging.getLogger(__name__)

# An invitation in one of these may still get e-mail from us; a bounce stops that.
_STILL_MAILED = (
    Invitation.Status.DRAWN,
    Invitation.Status.LETTER_PRODUCED,
    Invitation.Status.EMAILED,
)


@dataclass(frozen=True)
class BounceRow:
    """One address in a bounce list; ``row`` is the line in the file."""

    row: int
    email: str


@dataclass(frozen=True)
class BounceResult:
    marked: int  # now "E-mail kwam terug"
    already: int  # were so already
    kept: int  # signed up or declined: unchanged
    unknown: int  # addresses of no invitation in this assembly


class BouncesRefused(Exception):
    """The list has problems; nothing was marked."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def check_bounce_rows(rows: Sequence[BounceRow]) -> list[str]:
    """Every row that is not an e-mail address, each named by its line."""
    problems = []
    for row in rows:
        try:
            validate_email(row.email)
        except ValidationError:
            problems.append(
                _("Regel %(row)s: ‘%(value)s’ is geen e-mailadres.")
                % {"row": row.row, "value": row.email[:80]}
            )
    return problems


@transaction.atomic
def invitation_bounces_import(
    *, assembly: Assembly, actor: User | None, rows: Sequence[BounceRow]
) -> BounceResult:
    """Mark the invitations whose address is in the list as bounced: all of
    them, or none when a row is not an address. Importing the same list again
    changes nothing."""
    if not rows:
        raise BouncesRefused([_("Er staan geen e-mailadressen in het bestand.")])
    problems = check_bounce_rows(rows)
    if problems:
        raise BouncesRefused(problems)
    addresses = {row.email.lower() for row in rows}
    invitations = (
        Invitation.objects.filter(assembly=assembly, resident__isnull=False)
        .annotate(address=Lower("resident__email"))
        .filter(address__in=addresses)
    )
    found = dict(invitations.values_list("pk", "address"))
    # One UPDATE with the status in its condition: a sign-up that commits
    # meanwhile keeps its "Aangemeld".
    marked = Invitation.objects.filter(pk__in=found, status__in=_STILL_MAILED).update(
        status=Invitation.Status.BOUNCED
    )
    statuses = dict(Invitation.objects.filter(pk__in=found).values_list("pk", "status"))
    bounced = sum(1 for status in statuses.values() if status == Invitation.Status.BOUNCED)
    result = BounceResult(
        marked=marked,
        already=bounced - marked,
        kept=len(statuses) - bounced,
        unknown=len(addresses - set(found.values())),
    )
    audit_record(
        action="invitations.bounces_imported",
        assembly=assembly,
        actor=actor,
        detail={
            "rows": len(rows),
            "marked": result.marked,
            "already": result.already,
            "kept": result.kept,
            "unknown": result.unknown,
        },
    )
    logger.info(
        "invitation bounces imported assembly=%s rows=%s marked=%s",
        assembly.pk, len(rows), result.marked,
    )
    return result
