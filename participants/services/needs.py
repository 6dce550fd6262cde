"""A member changes what they need on a weekend after signing up: a new diet,
an injury, a child; or the secretariat changes it for them
(participants.services.details.member_details_update_by_secretariat). The
organisers read it on the needs overview (participants.selectors_needs)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from assembly.models import User
from assembly.services import audit_record
from participants.models import PanelMember, Registration

logger = logging.getLogger(__name__)

NEEDS_FIELDS = ("needs_mobility", "needs_childcare", "needs_language_help", "diet", "needs_other")


@transaction.atomic
def member_needs_update(*, member: PanelMember, data: dict[str, Any], actor: User) -> list[str]:
    """Store the member's needs; returns the names of the fields that changed.
    The audit log keeps which fields, never what they say (food and health
    can tell about religion or illness)."""
    registration = Registration.objects.select_for_update().get(pk=member.registration_id)
    changed = []
    for name in NEEDS_FIELDS:
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        if getattr(registration, name) != value:
            setattr(registration, name, value)
            changed.append(name)
    if changed:
        registration.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action="registration.needs_changed",
            assembly=member.assembly,
            actor=actor,
            target=registration,
            detail={"member": member.pk, "fields": changed},
        )
        logger.info("member needs changed member=%s fields=%s", member.pk, ",".join(changed))
    return changed
