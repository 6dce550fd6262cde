"""Reads about the programme letters for members on paper
(participants.services.programme_post): what a letter says, and who has a
letter with the programme as it stands now."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Max, Q

from assembly.models import Assembly, AuditEvent
from participants.selectors_selection import confirmed_members_on_paper
from sessions.models import Material, MaterialVersion, Session, Weekend
from sessions.selectors import MEMBER_MATERIAL_STATUSES, weekend_list_for

# The audit line of a printed batch: which members, and a fingerprint of the
# programme they got.
LETTERS_PRINTED = "panel.programme_letters"


def programme_sessions(weekend: Weekend) -> list[Session]:
    """What the letter lists: the sessions that take place, in order."""
    return list(
        Session.objects.filter(weekend=weekend, cancelled_at__isnull=True).order_by(
            "starts_at", "position", "pk"
        )
    )


def letter_materials(weekend: Weekend) -> list[Material]:
    """What members read online for this weekend (on the weekend or one of its
    sessions): printed, it goes with the letter."""
    return list(
        Material.objects.filter(
            Q(weekend=weekend) | Q(session__weekend=weekend), status__in=MEMBER_MATERIAL_STATUSES
        ).order_by("title", "pk")
    )


def newest_links(materials: Sequence[Material]) -> dict[int, str]:
    """The address of the newest version of each link or video: a letter can
    only give it, not enclose it."""
    links: dict[int, str] = {}
    versions = MaterialVersion.objects.filter(
        material__in=[m for m in materials if m.kind != Material.Kind.DOCUMENT]
    ).order_by("material_id", "-number")
    for material_id, url in versions.values_list("material_id", "url"):
        links.setdefault(material_id, url)
    return links


def programme_fingerprint(
    weekend: Weekend, sessions: Sequence[Session], materials: Sequence[Material]
) -> str:
    """A hash of everything the letter says about the weekend, in both
    languages, and of the reading that goes with it (a new version too): a
    later change to any of it puts the letters on paper out of date; a change
    elsewhere (a description, the experts) does not."""
    newest = dict(
        MaterialVersion.objects.filter(material__in=materials)
        .values("material")
        .annotate(number=Max("number"))
        .values_list("material", "number")
    )
    content = {
        "weekend": [
            weekend.starts_on.isoformat(),
            weekend.ends_on.isoformat(),
            weekend.title,
            weekend.title_en,
            weekend.venue_name,
            weekend.city,
            weekend.venue_address,
            weekend.route,
            weekend.route_en,
            weekend.accessibility,
            weekend.accessibility_en,
            weekend.hotel,
            weekend.hotel_en,
        ],
        "sessions": [
            [s.starts_at.isoformat(), s.ends_at.isoformat(), s.title, s.title_en, s.room]
            for s in sessions
        ],
        "materials": [[m.pk, m.title, m.title_en, newest.get(m.pk)] for m in materials],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class PrintedLetters:
    last_printed_at: dt.datetime | None
    current: frozenset[int]  # members whose letter shows the programme as it is now
    outdated: frozenset[int]  # members whose only letters show an older programme


def printed_letters(weekend: Weekend, *, fingerprint: str) -> PrintedLetters:
    """Who got which of the weekend's letters, measured against the programme
    as it is now (``fingerprint``)."""
    current: set[int] = set()
    earlier: set[int] = set()
    last: dt.datetime | None = None
    batches = AuditEvent.objects.filter(
        assembly_id=weekend.assembly_id,
        action=LETTERS_PRINTED,
        target=f"{Weekend._meta.label}:{weekend.pk}",
    ).values_list("created_at", "detail")
    for printed_at, detail in batches:
        last = max(last, printed_at) if last else printed_at
        members = detail.get("members", [])
        (current if detail.get("programme") == fingerprint else earlier).update(members)
    return PrintedLetters(last, frozenset(current), frozenset(earlier - current))


@dataclass(frozen=True)
class WeekendPost:
    """A published weekend on the member list: when its letters were last
    made, and how many members on paper lack the programme as it is now."""

    weekend: Weekend
    documents: list[Material]  # to print and send with the letter
    last_printed_at: dt.datetime | None
    to_send: int  # no letter, or only an out-of-date one
    outdated: int  # of those: had a letter, but the programme changed since


def programme_post_status(
    *, assembly: Assembly, today: dt.date
) -> tuple[int, list[WeekendPost]]:
    """How many members take part on paper, and per published weekend still
    to come (or on now) the state of their programme letters."""
    on_paper = set(confirmed_members_on_paper(assembly=assembly).values_list("pk", flat=True))
    if not on_paper:
        return 0, []
    weekends = weekend_list_for(assembly=assembly).filter(
        published_at__isnull=False, ends_on__gte=today
    )
    rows = []
    for weekend in weekends:
        materials = letter_materials(weekend)
        fingerprint = programme_fingerprint(weekend, programme_sessions(weekend), materials)
        printed = printed_letters(weekend, fingerprint=fingerprint)
        missing = on_paper - printed.current
        rows.append(
            WeekendPost(
                weekend=weekend,
                documents=[m for m in materials if m.kind == Material.Kind.DOCUMENT],
                last_printed_at=printed.last_printed_at,
                to_send=len(missing),
                outdated=len(missing & printed.outdated),
            )
        )
    return len(on_paper), rows
