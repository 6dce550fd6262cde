"""Permission rows for the invitation pages: organisers only."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from participants.models import InvitationDraw, InvitationRun, LetterBatch
from tests.conftest import Cast
from tests.permission import SLUG, Row, staff_only

_PDF_NAME = "letters/permission-matrix.pdf"


def _draw(cast: Cast) -> InvitationDraw:
    return InvitationDraw.objects.create(
        assembly=cast.assembly, seed="1", requested=0, eligible_households=0,
        eligible_residents=0, input_sha256="0" * 64,
    )


def _draw_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "draw_id": _draw(cast).pk}


def _run(cast: Cast) -> InvitationRun:
    return InvitationRun.objects.create(
        assembly=cast.assembly, draw=_draw(cast), kind=InvitationRun.Kind.LETTERS, total=1
    )


def _run_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "run_id": _run(cast).pk}


def _batch_kwargs(cast: Cast) -> dict[str, Any]:
    if not default_storage.exists(_PDF_NAME):
        default_storage.save(_PDF_NAME, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    batch = LetterBatch.objects.create(run=_run(cast), number=0, pdf=_PDF_NAME, letters=1)
    return {"slug": cast.assembly.slug, "batch_id": batch.pk}


def _invitation_kwargs(cast: Cast) -> dict[str, Any]:
    from participants.models import Invitation
    from tests.participants.test_invitations import make_residents

    make_residents(cast.assembly, 1, per_household=1)
    resident = cast.assembly.residents.get()
    invitation = Invitation.objects.create(
        assembly=cast.assembly, draw=_draw(cast), resident=resident, code="PERMISSION1"
    )
    return {"slug": cast.assembly.slug, "pk": invitation.pk}


def _registered_invitation_kwargs(cast: Cast) -> dict[str, Any]:
    from tests.participants.test_panel import make_panel

    panel = make_panel(cast.assembly)
    return {"slug": cast.assembly.slug, "pk": panel.people[0].invitation_id}


ORGANISER = staff_only({"organiser"})

ROWS: dict[str, Row] = {
    "participants:invitations": Row(ORGANISER, kwargs=SLUG),
    "participants:invitation_draw": Row(ORGANISER, kwargs=SLUG),
    "participants:invitation_draw_status": Row(ORGANISER, kwargs=_draw_kwargs),
    "participants:invitation_run_start": Row(
        staff_only({"organiser"}, status=302), kwargs=_draw_kwargs, method="post",
        data=lambda cast: {"kind": InvitationRun.Kind.LETTERS},
    ),
    "participants:invitation_run_status": Row(ORGANISER, kwargs=_run_kwargs),
    "participants:letter_batch_pdf": Row(ORGANISER, kwargs=_batch_kwargs),
    "participants:invitation_export": Row(ORGANISER, kwargs=SLUG),
    "participants:reminder_schedule": Row(ORGANISER, kwargs=SLUG),
    "participants:invitation_bounces": Row(ORGANISER, kwargs=SLUG),
    "participants:invitation_lookup": Row(ORGANISER, kwargs=SLUG),
    "participants:invitation_letter_pdf": Row(ORGANISER, kwargs=_invitation_kwargs),
    "participants:registration_on_behalf": Row(ORGANISER, kwargs=_invitation_kwargs),
    "participants:registration_withdraw_on_behalf": Row(
        ORGANISER, kwargs=_registered_invitation_kwargs
    ),
}
