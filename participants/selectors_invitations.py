"""Reads about invitations: counts per status, the mail-merge export, and the
look-up by address for the secretariat's phone line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, Count, Max, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from assembly.models import Assembly
from assembly.spreadsheets import spreadsheet_text
from participants.codes import code_display
from participants.letters import registration_url, resident_address_lines
from participants.models import (
    Invitation,
    InvitationDraw,
    InvitationRun,
    Resident,
)
from participants.population import postcode_display


def invitations_exist(*, assembly: Assembly) -> bool:
    return Invitation.objects.filter(assembly=assembly).exists()


def invitations_sent(*, assembly: Assembly) -> bool:
    """Whether letters or e-mails went out: they name the registration deadline."""
    return (
        Invitation.objects.filter(assembly=assembly)
        .filter(Q(letter_produced_at__isnull=False) | Q(email_claimed_at__isnull=False))
        .exists()
    )


def invitation_draws_done(*, assembly: Assembly) -> QuerySet[InvitationDraw]:
    """The finished draws, newest first, each with when its letters were last
    made (``letters_made_at``, None if never): the page asks before making them again."""
    return (
        InvitationDraw.objects.filter(assembly=assembly, status=InvitationDraw.Status.DONE)
        .annotate(
            letters_made_at=Max(
                "runs__created_at",
                filter=Q(
                    runs__kind=InvitationRun.Kind.LETTERS,
                    runs__status=InvitationRun.Status.DONE,
                ),
            )
        )
        .order_by("-created_at")
    )


def invitation_status_counts(*, assembly: Assembly) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the order of the path."""
    counts = dict(
        Invitation.objects.filter(assembly=assembly)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in Invitation.Status.choices]


@dataclass(frozen=True)
class AddressLookup:
    """The invitations to one front door, and how many people live there."""

    invitations: list[Invitation]
    residents: int


def invitations_at_address(*, assembly: Assembly, postcode: str, house_number: int
                           ) -> AddressLookup:
    """Every invitation to an address, whatever its house letter or addition:
    someone on the phone often leaves those out. ``postcode`` is normalised."""
    residents = Resident.objects.filter(
        assembly=assembly, postcode=postcode, house_number=house_number
    )
    invitations = (
        Invitation.objects.filter(resident__in=residents)
        .select_related("resident", "draw")
        .order_by("resident__house_letter", "resident__house_number_addition", "pk")
    )
    return AddressLookup(invitations=list(invitations), residents=residents.count())


def invitation_bounced_count(*, assembly: Assembly) -> int:
    return Invitation.objects.filter(assembly=assembly, status=Invitation.Status.BOUNCED).count()


# A batch is claimed and answered within seconds; an e-mail still unanswered
# after this long belongs to a sender that stopped (a killed worker).
UNANSWERED_AFTER = dt.timedelta(minutes=2)


def invitation_runs_for_hub(*, assembly: Assembly, limit: int = 50) -> list[InvitationRun]:
    """The latest runs, newest first; an e-mail run carries ``uncertain``: its
    draw's e-mails whose sending was cut off between the claim and the mail
    server's answer. They may or may not have arrived; none is sent again (a
    second e-mail is the worse mistake)."""
    cut_off = (
        Invitation.objects.filter(
            draw=OuterRef("draw"),
            email_delivered=False,
            email_claimed_at__lt=timezone.now() - UNANSWERED_AFTER,
        )
        .order_by()
        .values("draw")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        InvitationRun.objects.filter(assembly=assembly)
        .select_related("draw")
        .prefetch_related("batches")
        .annotate(
            uncertain=Case(
                When(kind=InvitationRun.Kind.EMAILS, then=Coalesce(Subquery(cut_off), 0)),
                default=0,
            )
        )
        .order_by("-created_at")[:limit]
    )


def invitation_email_known_count(*, assembly: Assembly) -> int:
    return (
        Invitation.objects.filter(assembly=assembly, resident__isnull=False)
        .exclude(resident__email="")
        .count()
    )


def invitation_export_rows(
    *, assembly: Assembly, draw: InvitationDraw | None = None
) -> Iterator[list[str]]:
    """Rows for the print house's mail-merge: a header, then one row per invitation."""
    yield [
        "uitnodiging",
        "trekking",
        "code",
        "code_leesbaar",
        "naam",
        "adres",
        "postcode",
        "woonplaats",
        "gemeente",
        "link",
        "status",
    ]
    invitations = (
        Invitation.objects.filter(assembly=assembly, resident__isnull=False)
        .select_related("resident")
        .order_by("draw_id", "pk")
    )
    if draw is not None:
        invitations = invitations.filter(draw=draw)
    for invitation in invitations.iterator(chunk_size=2_000):
        resident = invitation.resident
        assert resident is not None
        lines = resident_address_lines(resident)
        yield [
            _cell(value)
            for value in (
                str(invitation.pk),
                str(invitation.draw_id),
                invitation.code,
                code_display(invitation.code),
                lines[0],
                lines[1],
                postcode_display(resident.postcode),
                resident.city,
                resident.municipality,
                registration_url(invitation.code),
                invitation.status,
            )
        ]


def _cell(value: str) -> str:
    """A spreadsheet would run a cell that starts with = + - @ as a formula."""
    return str(spreadsheet_text(value))
