"""Writes about perspectives and experts. Views call these; nothing else writes.

Every write leaves a line in the audit log with ids only: an expert's name
and contact details never go into a log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assembly.models import Assembly, RoleKind, User
from assembly.services import audit_record, role_grant
from sessions.models import Expert, Material, Perspective, Session
from sessions.selectors_materials import expert_is_on_public_record
from sessions.services.materials import materials_delete

logger = logging.getLogger(__name__)

# Sessions to which experts are attached: their briefings.
BRIEFING_KINDS = (Session.Kind.BRIEFING, Session.Kind.QUESTIONS)

EXPERT_FIELDS = ("name", "organisation", "role_title", "perspective", "interests", "email", "phone")
PERSPECTIVE_FIELDS = ("name", "name_en", "description", "description_en", "position")


class ExpertRefused(Exception):
    """The change is not possible; the message says why."""


# The perspectives a drug-policy assembly starts with: (name, description),
# stored in Dutch with their English beside them (the English catalogue's).
_DEFAULT_PERSPECTIVES = (
    (
        gettext_noop("Volksgezondheid en zorg"),
        gettext_noop("Preventie, verslavingszorg, GGD en het beperken van schade."),
    ),
    (
        gettext_noop("Veiligheid en handhaving"),
        gettext_noop("Politie, Openbaar Ministerie, handhaving door de gemeente, RIEC."),
    ),
    (
        gettext_noop("Ervaringsdeskundigheid"),
        gettext_noop("Mensen die zelf drugs gebruiken of gebruikten, en hun naasten."),
    ),
    (gettext_noop("Onderzoek"), gettext_noop("Wetenschappers en onderzoeksinstituten.")),
    (gettext_noop("Lokaal bestuur"), gettext_noop("Burgemeesters, wethouders en gemeenten.")),
)


def default_perspectives() -> list[Perspective]:
    """Unsaved, without an assembly: the defaults in Dutch and English,
    whatever language the organiser who first opens the page reads."""
    perspectives = []
    for position, (name, description) in enumerate(_DEFAULT_PERSPECTIVES, start=1):
        with translation.override("nl"):
            dutch = (_(name), _(description))
        with translation.override("en"):
            english = (_(name), _(description))
        perspectives.append(
            Perspective(
                name=dutch[0],
                description=dutch[1],
                name_en=english[0],
                description_en=english[1],
                position=position,
            )
        )
    return perspectives


@transaction.atomic
def perspectives_ensure(*, assembly: Assembly, actor: User | None = None) -> int:
    """Give an assembly the default perspectives the first time it needs them.

    Returns how many were created: 0 once the assembly has any perspective
    (an organiser who removed or renamed the defaults keeps their choice).
    """
    if Perspective.objects.filter(assembly=assembly).exists():
        return 0
    perspectives = default_perspectives()
    for perspective in perspectives:
        perspective.assembly = assembly
    created = Perspective.objects.bulk_create(perspectives, ignore_conflicts=True)
    audit_record(
        action="perspectives.seeded",
        assembly=assembly,
        actor=actor,
        detail={"count": len(created)},
    )
    return len(created)


@transaction.atomic
def perspective_create(
    *,
    assembly: Assembly,
    name: str,
    description: str = "",
    position: int = 0,
    name_en: str = "",
    description_en: str = "",
    actor: User,
) -> Perspective:
    if Perspective.objects.filter(assembly=assembly, name__iexact=name).exists():
        raise ExpertRefused(_("Er is al een perspectief met deze naam."))
    perspective = Perspective.objects.create(
        assembly=assembly,
        name=name,
        name_en=name_en,
        description=description,
        description_en=description_en,
        position=position,
    )
    audit_record(action="perspective.created", assembly=assembly, actor=actor, target=perspective)
    return perspective


@transaction.atomic
def perspective_update(
    *, perspective: Perspective, fields: dict[str, Any], actor: User
) -> Perspective:
    changed = [name for name in PERSPECTIVE_FIELDS if name in fields]
    if (
        "name" in fields
        and Perspective.objects.filter(assembly=perspective.assembly, name__iexact=fields["name"])
        .exclude(pk=perspective.pk)
        .exists()
    ):
        raise ExpertRefused(_("Er is al een perspectief met deze naam."))
    for name in changed:
        setattr(perspective, name, fields[name])
    perspective.save(update_fields=changed)
    audit_record(
        action="perspective.updated",
        assembly=perspective.assembly,
        actor=actor,
        target=perspective,
        detail={"fields": changed},
    )
    return perspective


@transaction.atomic
def perspective_delete(*, perspective: Perspective, actor: User) -> None:
    if perspective.experts.exists():
        raise ExpertRefused(
            _("Dit perspectief hoort bij een of meer deskundigen. Kies voor hen eerst een ander.")
        )
    audit_record(
        action="perspective.deleted",
        assembly=perspective.assembly,
        actor=actor,
        target=perspective,
    )
    perspective.delete()


def _check_perspective(assembly: Assembly, perspective: Perspective | None) -> None:
    if perspective is not None and perspective.assembly_id != assembly.pk:
        raise ExpertRefused(_("Dit perspectief hoort niet bij dit burgerberaad."))


@transaction.atomic
def expert_create(*, assembly: Assembly, fields: dict[str, Any], actor: User) -> Expert:
    _check_perspective(assembly, fields.get("perspective"))
    expert = Expert.objects.create(
        assembly=assembly, **{name: fields[name] for name in EXPERT_FIELDS if name in fields}
    )
    audit_record(action="expert.created", assembly=assembly, actor=actor, target=expert)
    return expert


@transaction.atomic
def expert_update(*, expert: Expert, fields: dict[str, Any], actor: User) -> Expert:
    _check_perspective(expert.assembly, fields.get("perspective"))
    changed = [name for name in EXPERT_FIELDS if name in fields]
    for name in changed:
        setattr(expert, name, fields[name])
    expert.save(update_fields=changed)
    audit_record(
        action="expert.updated",
        assembly=expert.assembly,
        actor=actor,
        target=expert,
        detail={"fields": changed},
    )
    return expert


@transaction.atomic
def expert_invite(*, expert: Expert, actor: User, notify: bool = True) -> Expert:
    """Give the expert an account with the role "expert" and link it to the profile.

    Inviting twice is harmless: the role exists already and no second e-mail goes out.
    """
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not expert.email:
        raise ExpertRefused(_("Vul eerst het e-mailadres van de deskundige in."))
    role = role_grant(
        assembly=expert.assembly,
        email=expert.email,
        kind=RoleKind.EXPERT,
        full_name=expert.name,
        granted_by=actor,
        notify=notify,
    )
    if expert.user_id != role.user_id:
        expert.user_id = role.user_id
        expert.save(update_fields=["user"])
    audit_record(
        action="expert.invited",
        assembly=expert.assembly,
        actor=actor,
        target=expert,
        detail={"user": role.user_id, "role": role.pk},
    )
    return expert


def _check_session(expert: Expert, session: Session) -> None:
    if session.weekend.assembly_id != expert.assembly_id:
        raise ExpertRefused(_("Dit onderdeel hoort niet bij dit burgerberaad."))
    if session.kind not in BRIEFING_KINDS:
        raise ExpertRefused(
            _("Een deskundige kan alleen bij uitleg of vragen aan deskundigen horen.")
        )


@transaction.atomic
def expert_assign(*, expert: Expert, session: Session, actor: User) -> None:
    _check_session(expert, session)
    session.experts.add(expert)
    audit_record(
        action="expert.assigned",
        assembly=expert.assembly,
        actor=actor,
        target=expert,
        detail={"session": session.pk},
    )


@transaction.atomic
def expert_unassign(*, expert: Expert, session: Session, actor: User) -> None:
    if session.weekend.assembly_id != expert.assembly_id:
        raise ExpertRefused(_("Dit onderdeel hoort niet bij dit burgerberaad."))
    session.experts.remove(expert)
    audit_record(
        action="expert.unassigned",
        assembly=expert.assembly,
        actor=actor,
        target=expert,
        detail={"session": session.pk},
    )


@dataclass(frozen=True)
class ExpertErasure:
    """What an erasure did to one expert, in ids (the caller logs it)."""

    expert: int
    # True: name, organisation, role, perspective and declaration stay (public record).
    kept: bool
    materials: tuple[int, ...]


def expert_erase(*, expert: Expert) -> ExpertErasure | None:
    """Erase an expert's personal data under the AVG, for a request or at the
    end of the retention period. The caller holds a transaction and logs.

    An expert who briefed the assembly on its published programme, or whose
    material was released, is part of the public record: the programme, the
    public expert page and the report to the Kamer say who briefed the
    assembly and what their interests were, and that transparency is the
    legal basis for keeping it (AVG art. 6(1)(e) and 17(3)(b)). Such an
    expert keeps name, organisation, role, perspective and declaration, and
    the released material on their name stays as it was published. What the
    public record does not need goes: e-mail address, phone, the link to
    the account (the caller closes the account).

    Anyone else (entered but never on a published programme, nothing
    released) goes altogether. Material on their name that was never released
    goes in both cases, its files once the transaction holds: it was never
    part of the record, and nothing should be released under the name of
    someone who asked to be forgotten. None when the expert is gone already.
    """
    locked = Expert.objects.select_for_update().filter(pk=expert.pk).first()
    if locked is None:
        return None
    # Locked before the check below: a release that comes first makes a
    # material part of the record; one that comes after finds it gone.
    drafts = list(
        Material.objects.select_for_update()
        .filter(expert=locked, status=Material.Status.DRAFT)
        .prefetch_related("versions")
        .order_by("pk")
    )
    materials_delete(drafts)
    kept = expert_is_on_public_record(expert=locked)
    if kept:
        locked.email = ""
        locked.phone = ""
        locked.user = None
        locked.save(update_fields=["email", "phone", "user"])
    else:
        # Its sessions lose the name (the link rows go with it).
        locked.delete()
    logger.info("expert %s erased, kept=%s", expert.pk, kept)
    return ExpertErasure(expert=expert.pk, kept=kept, materials=tuple(draft.pk for draft in drafts))
