"""What members need on a weekend (help with walking, childcare, language
help, food), for the organisers who arrange it with the venue and the
caterer. Members give it when they sign up and change it on their own page
(participants.services.needs)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from assembly.models import Assembly
from participants.models import PanelMember


@dataclass(frozen=True)
class NeedsRow:
    member_id: int
    name: str
    mobility: bool
    childcare: bool
    language_help: bool
    diet: str
    other: str

    @property
    def has_any(self) -> bool:
        return bool(
            self.mobility or self.childcare or self.language_help or self.diet or self.other
        )


@dataclass(frozen=True)
class NeedsOverview:
    members: int
    # Members with at least one need, by name.
    rows: list[NeedsRow]
    mobility: int
    childcare: int
    language_help: int
    # What members do not eat, as they wrote it (the same words, whatever
    # the capitals, counted once), most often first: for the caterer.
    diets: list[tuple[str, int]]


def member_needs_overview(*, assembly: Assembly) -> NeedsOverview:
    members = (
        PanelMember.objects.filter(
            assembly=assembly,
            kind=PanelMember.Kind.MEMBER,
            status=PanelMember.Status.CONFIRMED,
        )
        .select_related("registration")
        .only(
            "pk",
            "registration__full_name",
            "registration__needs_mobility",
            "registration__needs_childcare",
            "registration__needs_language_help",
            "registration__diet",
            "registration__needs_other",
        )
        .order_by("registration__full_name", "pk")
    )
    everyone = [
        NeedsRow(
            member_id=member.pk,
            name=member.registration.full_name,
            mobility=member.registration.needs_mobility,
            childcare=member.registration.needs_childcare,
            language_help=member.registration.needs_language_help,
            diet=member.registration.diet.strip(),
            other=member.registration.needs_other.strip(),
        )
        for member in members
    ]
    diets: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for row in everyone:
        if row.diet:
            key = " ".join(row.diet.casefold().split())
            spelled.setdefault(key, row.diet)
            diets[key] += 1
    return NeedsOverview(
        members=len(everyone),
        rows=[row for row in everyone if row.has_any],
        mobility=sum(row.mobility for row in everyone),
        childcare=sum(row.childcare for row in everyone),
        language_help=sum(row.language_help for row in everyone),
        diets=[
            (spelled[key], count)
            for key, count in sorted(diets.items(), key=lambda item: (-item[1], item[0]))
        ],
    )
