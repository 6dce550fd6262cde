"""Reads for the registration: finding an invitation by its code, and the
organiser's counts (aggregates only: no names, no single answers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from assembly.compiled import CompiledLookup, concrete_attnames, instance_from
from assembly.models import Assembly, Phase
from participants.models import (
    AttitudeQuestion,
    Education,
    Gender,
    Invitation,
    InvitationDraw,
    MigrationBackground,
    Province,
    Registration,
    SelectionRun,
    Urbanisation,
)
from sessions.models import Weekend

# Past these phases the pool no longer takes anyone in, deadline or not.
CLOSED_PHASES = frozenset({Phase.DELIBERATION, Phase.REPORTING, Phase.CLOSED})


def old_codes_take_sign_ups() -> bool:
    """Whether a draw without check characters (participants/codes.py) still
    takes sign-ups: then an unknown code of its shape may be a guess at one
    of its codes, and counts as one."""
    return (
        InvitationDraw.objects.filter(codes_have_check_character=False)
        .exclude(assembly__phase__in=CLOSED_PHASES)
        .exists()
    )


@dataclass(frozen=True)
class CodeLookup:
    invitation: Invitation
    used: bool  # a registration was made with it
    lottery_published: bool  # the assembly's pool is frozen: registration closed


_INVITATION_FIELDS = concrete_attnames(Invitation)
_ASSEMBLY_FIELDS = concrete_attnames(Assembly)


def _invitation_with_assembly(row: tuple[Any, ...]) -> Invitation:
    """The first columns of a row as an Invitation with its Assembly attached
    (as select_related("assembly") would make them)."""
    split = len(_INVITATION_FIELDS)
    invitation = instance_from(Invitation, _INVITATION_FIELDS, row[:split])
    invitation.assembly = instance_from(
        Assembly, _ASSEMBLY_FIELDS, row[split : split + len(_ASSEMBLY_FIELDS)]
    )
    return invitation


def _with_assembly_columns(queryset: QuerySet[Invitation], *extra: str) -> QuerySet[Invitation]:
    return queryset.values_list(
        *_INVITATION_FIELDS, *(f"assembly__{name}" for name in _ASSEMBLY_FIELDS), *extra
    )


# The code page is the busiest of the site (every letter's QR code opens it):
# one query, compiled once per process (assembly/compiled.py). No ORDER BY as
# .first() would add: the unique index on code finds the row.
_BY_CODE = CompiledLookup(
    lambda code: _with_assembly_columns(
        Invitation.objects.filter(code=code).annotate(
            has_registration=Exists(Registration.objects.filter(invitation=OuterRef("pk"))),
            # Read here so the page need not ask again (registration_is_open).
            lottery_published=Exists(
                SelectionRun.objects.filter(
                    assembly=OuterRef("assembly_id"),
                    kind=SelectionRun.Kind.PANEL,
                    committed_at__isnull=False,
                )
            ),
        ),
        "has_registration",
        "lottery_published",
    )[:1],
    str,
)


def invitation_by_code(*, code: str) -> CodeLookup | None:
    """The invitation with this code, whether it was used to register, and
    whether its assembly's lottery is published."""
    rows = _BY_CODE.rows(code)
    if not rows:
        return None
    *columns, has_registration, lottery_published = rows[0]
    invitation = _invitation_with_assembly(tuple(columns))
    used = invitation.status == Invitation.Status.REGISTERED or bool(has_registration)
    return CodeLookup(invitation, used, bool(lottery_published))


@dataclass(frozen=True)
class SignUp:
    """An invitation on its way through the registration steps."""

    invitation: Invitation
    # Whether the opinion step and the weekends step are part of the flow.
    has_questions: bool
    has_weekends: bool


# What every step page asks, in one query compiled once per process; the
# organiser may still add questions or weekends while someone is half-way, so
# it is read each time.
_SIGN_UP = CompiledLookup(
    lambda invitation_id: _with_assembly_columns(
        Invitation.objects.filter(pk=invitation_id).annotate(
            has_questions=Exists(
                AttitudeQuestion.objects.filter(assembly=OuterRef("assembly_id"))
            ),
            has_weekends=Exists(Weekend.objects.filter(assembly=OuterRef("assembly_id"))),
        ),
        "has_questions",
        "has_weekends",
    )[:1],
    int,
)


def sign_up_by_id(*, invitation_id: int) -> SignUp | None:
    rows = _SIGN_UP.rows(invitation_id)
    if not rows:
        return None
    *columns, has_questions, has_weekends = rows[0]
    return SignUp(
        invitation=_invitation_with_assembly(tuple(columns)),
        has_questions=bool(has_questions),
        has_weekends=bool(has_weekends),
    )


def registration_for_manage(*, registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("assembly")
        .prefetch_related("available_weekends")
        .filter(pk=registration_id)
        .first()
    )


def registration_made_with(*, invitation_id: int, email: str) -> Registration | None:
    """The active registration made with this invitation and this e-mail
    address (for comparing with what an earlier press of the button wrote)."""
    return (
        Registration.objects.prefetch_related("available_weekends")
        .filter(invitation_id=invitation_id, email=email, status=Registration.Status.ACTIVE)
        .first()
    )


def registration_withdrawn(*, invitation_id: int) -> bool:
    """Whether the sign-up made with this invitation was withdrawn since."""
    return Registration.objects.filter(
        invitation_id=invitation_id, status=Registration.Status.WITHDRAWN
    ).exists()


def registration_without_email(*, invitation_id: int) -> bool:
    """Whether the sign-up made with this invitation has no e-mail address (the
    secretariat signed the person up on the phone): no link can be e-mailed."""
    return Registration.objects.filter(invitation_id=invitation_id, email="").exists()


def attitude_question_list(*, assembly: Assembly) -> QuerySet[AttitudeQuestion]:
    return AttitudeQuestion.objects.filter(assembly=assembly).order_by("position", "id")


def weekend_list(*, assembly: Assembly) -> QuerySet[Weekend]:
    return Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number")


@dataclass(frozen=True)
class CategoryCount:
    label: str
    rows: list[tuple[str, int]]


@dataclass(frozen=True)
class RegistrationCounts:
    registered: int
    withdrawn: int
    declined: int
    invited: int
    categories: list[CategoryCount]


def _label(field: str) -> str:
    return str(getattr(Registration._meta.get_field(field), "verbose_name", field))


def _count_by(
    active: QuerySet[Registration], field: str, choices: Sequence[tuple[str, Any]]
) -> list[tuple[str, int]]:
    found = {row[field]: row["n"] for row in active.values(field).annotate(n=Count("id"))}
    return [(str(label), found.get(value, 0)) for value, label in choices]


def registration_counts_for(*, assembly: Assembly) -> RegistrationCounts:
    registrations = Registration.objects.filter(assembly=assembly)
    active = registrations.filter(status=Registration.Status.ACTIVE)
    by_status = {
        row["status"]: row["n"] for row in registrations.values("status").annotate(n=Count("id"))
    }
    # A withdrawal also declines the invitation (no more reminders); it counts
    # once, as withdrawn.
    declined = Invitation.objects.filter(
        assembly=assembly, status=Invitation.Status.DECLINED, registration__isnull=True
    ).count()
    categories = [
        CategoryCount(_label(field), _count_by(active, field, choices))
        for field, choices in (
            ("gender", Gender.choices),
            ("education", Education.choices),
            ("province", Province.choices),
            ("urbanisation", Urbanisation.choices),
            ("migration_background", MigrationBackground.choices),
        )
    ]
    answers = list(active.values_list("attitude_answers", flat=True))
    for question in attitude_question_list(assembly=assembly):
        tally = {choice: 0 for choice in question.choice_list()}
        for answer in answers:
            value = answer.get(question.key) if isinstance(answer, dict) else None
            if value in tally:
                tally[value] += 1
        categories.append(CategoryCount(question.text, list(tally.items())))
    weekends = list(weekend_list(assembly=assembly))
    available = Registration.available_weekends.through.objects.filter(
        registration__in=active
    ).values("weekend_id").annotate(n=Count("id"))
    per_weekend = {row["weekend_id"]: row["n"] for row in available}
    categories.append(
        CategoryCount(
            _label("available_weekends"),
            [(str(weekend), per_weekend.get(weekend.pk, 0)) for weekend in weekends],
        )
    )
    return RegistrationCounts(
        registered=by_status.get(Registration.Status.ACTIVE, 0),
        withdrawn=by_status.get(Registration.Status.WITHDRAWN, 0),
        declined=declined,
        invited=Invitation.objects.filter(assembly=assembly).count(),
        categories=categories,
    )
