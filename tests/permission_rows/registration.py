"""The registration's URLs. The citizen's pages are public: without a code in
the session a step sends the visitor to the code page (302); the private link
opens for whoever holds it. The counts page is for organisers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from participants.models import AttitudeQuestion, Invitation, InvitationDraw, Registration
from participants.services.registration import registration_manage_token
from tests.conftest import PERSONAS, Cast
from tests.factories import AssemblyFactory
from tests.permission import ALL, SLUG, Row, staff_only

REDIRECT_TO_CODE_PAGE = dict.fromkeys(PERSONAS, 302)


def _registration(cast: Cast) -> Registration:
    # In an assembly of its own whose registration is open: the lottery rows
    # publish a lottery in the cast's assembly, which closes its registration,
    # and the private link then offers no forms to walk (tests/test_fuzz_inputs.py).
    assembly = AssemblyFactory(slug="aanmelden-open", registration_deadline=None)
    draw = InvitationDraw.objects.create(
        assembly=assembly, seed="1", requested=1, eligible_households=1,
        eligible_residents=1, input_sha256="0" * 64,
    )
    invitation = Invitation.objects.create(
        assembly=assembly, draw=draw, code=f"PERM{Invitation.objects.count():06d}",
        status=Invitation.Status.REGISTERED,
    )
    return Registration.objects.create(
        invitation=invitation, assembly=assembly, consent_at=dt.datetime.now(dt.UTC),
        consent_version="test", full_name="Test", email="test@example.org",
        birth_date=dt.date(1980, 1, 1), gender="man", education="laag", province="Zeeland",
        urbanisation="niet", migration_background="geen",
    )


def _token(cast: Cast) -> dict[str, Any]:
    return {"token": registration_manage_token(registration_id=_registration(cast).pk)}


def _token_and_step(cast: Cast) -> dict[str, Any]:
    return {**_token(cast), "step": "gegevens"}


def _question(cast: Cast) -> dict[str, Any]:
    question = AttitudeQuestion.objects.create(
        assembly=cast.assembly, key="vraag", text="Vraag?", choices="Ja\nNee"
    )
    return {"slug": cast.assembly.slug, "pk": question.pk}


ROWS: dict[str, Row] = {
    "participants:register_start": Row(ALL),
    "participants:register_step": Row(
        REDIRECT_TO_CODE_PAGE, kwargs=lambda cast: {"step": "toestemming"}
    ),
    "participants:register_check": Row(REDIRECT_TO_CODE_PAGE),
    "participants:register_done": Row(REDIRECT_TO_CODE_PAGE),
    "participants:register_decline": Row(REDIRECT_TO_CODE_PAGE),
    "participants:register_send_link": Row(REDIRECT_TO_CODE_PAGE, method="post"),
    "participants:register_manage": Row(ALL, kwargs=_token),
    "participants:register_manage_step": Row(ALL, kwargs=_token_and_step),
    "participants:register_withdraw": Row(ALL, kwargs=_token),
    "participants:registration_overview": Row(staff_only({"organiser"}), kwargs=SLUG),
    "participants:attitude_question_create": Row(staff_only({"organiser"}), kwargs=SLUG),
    "participants:attitude_question_edit": Row(staff_only({"organiser"}), kwargs=_question),
}
