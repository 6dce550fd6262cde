"""A member changes their phone number or postal address on their own page
("Mijn adres en telefoonnummer") instead of asking the secretariat. The new
address is where letters go from then on (participants.letters.postal_address):
the panel letters and the yearly statement of the allowance. The extract's
address stays as the BRP gave it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assembly.models import User
from assembly.outbox import outbox_queue
from assembly.services import audit_record
from participants.letters import contact_address, postal_address
from participants.models import ADDRESS_FIELDS, PanelMember, Registration
from participants.services.needs import member_needs_update

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


# Which statuses the secretariat changes needs for: people still in the panel
# or on the reserve list, who may still come to a weekend.
NEEDS_BY_SECRETARIAT = (
    PanelMember.Status.SELECTED,
    PanelMember.Status.WAITING,
    PanelMember.Status.CONFIRMED,
)
# And phone and address for: those, and someone who stopped. Letters still go
# to them: the yearly statement of an allowance earned before they stopped,
# or a claim still being paid. (Someone who declined never sat: no letters.)
DETAILS_BY_SECRETARIAT = (*NEEDS_BY_SECRETARIAT, PanelMember.Status.WITHDRAWN)
CHANGED_BY_SECRETARIAT_KIND = "details_changed_by_secretariat"


@transaction.atomic
def member_details_update_by_secretariat(
    *, member: PanelMember, details: dict[str, Any], needs: dict[str, Any] | None, actor: User
) -> list[str]:
    """The secretariat changes a member's phone number, address and needs for
    them (on the phone, or from a letter): the member's own services with the
    organiser as the actor, so the checks and the audit lines are the same.
    A member with an e-mail address hears that their details were changed
    (never the new values: a mistyped address would go to the wrong person,
    and someone who phoned pretending to be the member would be noticed).
    ``needs`` is None for someone who stopped: they come to no weekend.
    Returns the names of the fields that changed."""
    changed = member_details_update(member=member, data=details, actor=actor)
    if needs is not None:
        changed += member_needs_update(member=member, data=needs, actor=actor)
    if changed:
        _tell_member(member, changed)
    return changed


def _tell_member(member: PanelMember, changed: list[str]) -> None:
    address = member.mail_address
    if not address:
        return
    parts = set(changed)
    context = {
        "assembly": member.assembly,
        "name": member.registration.full_name,
        "phone": "phone" in parts,
        "address": bool(parts & set(ADDRESS_FIELDS)),
        "needs": bool(parts - set(DETAILS_FIELDS)),
        "contact": contact_address(),
        # Only a member with a login has pages to look at.
        "url": (
            settings.SITE_URL + reverse("dashboard", kwargs={"slug": member.assembly.slug})
            if member.user_id is not None and member.status in NEEDS_BY_SECRETARIAT
            else ""
        ),
    }
    with translation.override(member.mail_language):
        subject = render_to_string(
            "participants/email/details_changed_subject.txt", context
        ).strip()
        body = render_to_string("participants/email/details_changed.txt", context)
    outbox_queue(
        to=address,
        subject=subject,
        body=body,
        kind=CHANGED_BY_SECRETARIAT_KIND,
        ref=f"{PanelMember._meta.label}:{member.pk}",
    )
