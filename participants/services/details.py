"""A member changes their phone number or postal address on their own page
("Mijn adres en telefoonnummer") instead of asking the secretariat. The new
address is where letters go from then on (participants.letters.postal_address):
the panel letters and the yearly statement of the allowance. The extract's
address stays as the BRP gave it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from assembly.models import User
from assembly.services import audit_record
from participants.letters import postal_address
from participants.models import ADDRESS_FIELDS, PanelMember, Registration

logger = logging.getLogger(__name__)

DETAILS_FIELDS = ("phone", *ADDRESS_FIELDS)


@transaction.atomic
def member_details_update(*, member: PanelMember, data: dict[str, Any], actor: User) -> list[str]:
    """Store the member's phone number and address; returns the names of the
    fields that changed. An address that differs from the one letters go to
    now is stored whole on the registration, so a move is never half an
    address. The audit log keeps which fields, never the number or address."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("invitation__resident")
        .get(pk=member.registration_id)
    )
    changed = []
    if registration.phone != data["phone"]:
        registration.phone = data["phone"]
        changed.append("phone")
    current = postal_address(registration)
    moved = [
        name
        for name in ADDRESS_FIELDS
        if (getattr(current, name) if current is not None else _empty(name)) != data[name]
    ]
    if moved:
        for name in ADDRESS_FIELDS:
            setattr(registration, name, data[name])
        changed += moved
    if changed:
        fields = ["phone", *ADDRESS_FIELDS] if moved else ["phone"]
        registration.save(update_fields=[*fields, "updated_at"])
        audit_record(
            action="registration.details_changed",
            assembly=member.assembly,
            actor=actor,
            target=registration,
            detail={"member": member.pk, "fields": changed},
        )
        logger.info("member details changed member=%s fields=%s", member.pk, ",".join(changed))
    return changed


def _empty(name: str) -> object:
    return None if name == "house_number" else ""
