"""The weekend's programme by post, for members who take part on paper.

Members with an account get the programme by e-mail and on their page
(sessions.services.schedule.programme_published_notify); members without an
e-mail address (ON_PAPER) would otherwise hear nothing. The secretariat prints
these letters, one per member in the member's language, and posts them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import groupby

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from assembly.models import User
from assembly.services import audit_record
from participants.letters import contact_sentence
from participants.models import PanelMember
from participants.post_letters import BODY, HEADING, ITEM, MONO, TITLE, PostLetter, post_letters_pdf
from participants.selectors_post import (
    LETTERS_PRINTED,
    letter_materials,
    newest_links,
    printed_letters,
    programme_fingerprint,
    programme_sessions,
)
from participants.selectors_selection import confirmed_members_on_paper
from participants.services.panel import member_address_lines, secretariat_signature
from sessions.models import Material, Session, Weekend
from sessions.services.schedule import local_zone


class ProgrammePostRefused(Exception):
    """Nothing to print; the message says why, in the organiser's language."""


def programme_letters_pdf(
    *, weekend: Weekend, today: dt.date, actor: User | None, only_missing: bool = False
) -> tuple[bytes, int]:
    """One A4 PDF with the weekend's programme for every confirmed member on
    paper (``only_missing``: those without a letter that shows the programme
    as it is now); returns it and the number of letters, and notes in the
    audit log who got which programme. Only a published programme is sent:
    before that it may still change without anyone being told."""
    if weekend.published_at is None:
        raise ProgrammePostRefused(
            _("Publiceer eerst het programma van dit weekend. Daarna kunt u het per post sturen.")
        )
    sessions = programme_sessions(weekend)
    materials = letter_materials(weekend)
    fingerprint = programme_fingerprint(weekend, sessions, materials)
    members = confirmed_members_on_paper(assembly=weekend.assembly)
    if only_missing:
        members = members.exclude(pk__in=printed_letters(weekend, fingerprint=fingerprint).current)
    members = members.select_related("registration__invitation__resident", "assembly").order_by(
        "registration__full_name", "pk"
    )
    if not members:
        raise ProgrammePostRefused(
            _("Iedereen die op papier meedoet, heeft het programma zoals het nu is al per post.")
            if only_missing
            else _("Alle deelnemers hebben een e-mailadres. Zij krijgen het programma per e-mail.")
        )
    public_url = settings.SITE_URL + reverse(
        "programme:public_programme", kwargs={"slug": weekend.assembly.slug}
    )
    letters = []
    for member in members:
        with translation.override(member.mail_language):
            letters.append(_letter(member, weekend, sessions, materials, public_url, today))
    # The file as a whole is Dutch (its title, its language for screen
    # readers), whatever the organiser reads, as the lottery's letters are.
    with translation.override(settings.LANGUAGE_CODE):
        printed = post_letters_pdf(
            letters,
            sender=secretariat_signature(weekend.assembly),
            title=_("Programma per post: weekend %(number)s") % {"number": weekend.number},
        )
    audit_record(
        action=LETTERS_PRINTED,
        assembly=weekend.assembly,
        actor=actor,
        target=weekend,
        detail={
            "members": [member.pk for member in members],
            "programme": fingerprint,
        },
    )
    return printed


def _letter(
    member: PanelMember,
    weekend: Weekend,
    sessions: Iterable[Session],
    materials: Sequence[Material],
    public_url: str,
    today: dt.date,
) -> PostLetter:
    heading = _("Programma van weekend %(number)s") % {"number": weekend.number}
    if weekend.shown_title:
        heading = f"{heading}: {weekend.shown_title}"
    paragraphs: list[tuple[str, str]] = [
        (heading, TITLE),
        (_("Beste %(name)s,") % {"name": member.registration.full_name}, BODY),
        (
            _(
                "Het programma van weekend %(number)s van het %(name)s is klaar. "
                "In deze brief staat wanneer en waar het weekend is, en wat we doen."
            )
            % {"number": weekend.number, "name": weekend.assembly.shown_name},
            BODY,
        ),
        *_where_and_when(weekend),
        *_programme(sessions),
        *_reading(materials),
        (
            _("Neem deze brief mee. Zeg bij de ingang uw naam. Dan weten we dat u er bent."),
            BODY,
        ),
        (
            _(
                "Dit programma is van %(date)s. Het nieuwste programma staat altijd op "
                "%(url)s. Of scan de QR-code met de camera van uw telefoon."
            )
            % {"date": formats.date_format(today, "j F Y"), "url": public_url},
            BODY,
        ),
        (contact_sentence(), BODY),
        (_("Met vriendelijke groet,"), BODY),
        (secretariat_signature(weekend.assembly), BODY),
    ]
    return PostLetter(
        address=member_address_lines(member),
        paragraphs=paragraphs,
        qr_url=public_url,
        running_head=f"{heading} – {member.registration.full_name}",
    )


def _where_and_when(weekend: Weekend) -> list[tuple[str, str]]:
    when = formats.date_format(weekend.starts_on, "l j F Y")
    if weekend.ends_on != weekend.starts_on:
        when = _("%(start)s tot en met %(end)s") % {
            "start": when,
            "end": formats.date_format(weekend.ends_on, "l j F Y"),
        }
    lines: list[tuple[str, str]] = [(_("Wanneer"), HEADING), (capfirst(when), BODY)]
    where = ", ".join(part for part in (weekend.venue_name, weekend.city) if part)
    if where or weekend.venue_address:
        lines.append((_("Waar"), HEADING))
        lines.extend((part, BODY) for part in (where, weekend.venue_address) if part)
    for label, text in (
        (_("Zo komt u er"), weekend.shown_route),
        (_("Toegankelijkheid"), weekend.shown_accessibility),
        (_("Hotel"), weekend.shown_hotel),
    ):
        if text:
            lines.extend([(label, HEADING), (text, BODY)])
    return lines


def _reading(materials: Sequence[Material]) -> list[tuple[str, str]]:
    """The papers go with the letter; links and videos can only be named."""
    documents = [m for m in materials if m.kind == Material.Kind.DOCUMENT]
    links = newest_links(materials)
    lines: list[tuple[str, str]] = []
    if documents:
        lines += [
            (_("Om te lezen"), HEADING),
            (_("Bij deze brief zitten de stukken om te lezen voor dit weekend:"), BODY),
            *((f"– {material.shown_title}", ITEM) for material in documents),
        ]
    if links:
        lines += [
            (_("Om te bekijken op internet"), HEADING),
            (_("Lukt dat niet? Laat het ons weten, dan zoeken we samen een oplossing."), BODY),
        ]
        for material in materials:
            if material.pk in links:
                lines += [(f"– {material.shown_title}", ITEM), (links[material.pk], MONO)]
    return lines


def _programme(sessions: Iterable[Session]) -> list[tuple[str, str]]:
    """A heading per day, a line per session: time, title and room."""
    zone = local_zone()
    lines: list[tuple[str, str]] = []
    by_day = groupby(sessions, key=lambda s: timezone.localtime(s.starts_at, zone).date())
    for day, on_day in by_day:
        lines.append((capfirst(formats.date_format(day, "l j F")), HEADING))
        for session in on_day:
            start = timezone.localtime(session.starts_at, zone)
            end = timezone.localtime(session.ends_at, zone)
            line = f"{start:%H:%M}–{end:%H:%M}\t{session.shown_title}"
            if session.room:
                line += " " + _("(zaal: %(room)s)") % {"room": session.room}
            lines.append((line, ITEM))
    return lines
