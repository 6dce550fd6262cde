"""Why a population import or an invitation draw failed, in the reader's language.

Those failures are stored as one finished sentence (the ``error`` text of
PopulationImport and InvitationDraw), written by the worker in the site's
language, and sometimes in the language of the organiser whose page found a
stale job. The lottery stores a code and both languages instead
(``participants.services.selection.error_dict``); until these two do the same,
a stored sentence that is one of the known messages below is said again in the
reader's language, with its numbers and names. Any other text (an older
wording, a message added since) is shown as it was stored.

The messages are the ones the services write (participants/services/
population.py and invitations.py); tests/participants/test_failure_language.py
fails when one changes there and not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Message:
    """A message as the code writes it (its msgid), with what it takes."""

    text: str
    # For a message with a singular and a plural: the plural, and the
    # parameter whose number chooses between them.
    plural: str = ""
    count: str = ""
    # Messages that can make up (a part of) a parameter's value.
    inner: tuple[Message, ...] = ()


NO_MUNICIPALITY = Message(gettext_noop("(geen gemeente)"))
MORE_MUNICIPALITIES = Message(gettext_noop("%(names)s en %(more)s meer"), inner=(NO_MUNICIPALITY,))

POPULATION_IMPORT_FAILURES = (
    Message(gettext_noop(
        "Het inlezen kon niet beginnen. Probeer het over een paar minuten opnieuw."
    )),
    Message(gettext_noop(
        "Het inlezen is niet op tijd klaargekomen. Er is niets ingelezen. "
        "Lees het bestand opnieuw in."
    )),
    Message(gettext_noop(
        "Door een fout in het systeem is het bestand niet ingelezen. Er is niets "
        "opgeslagen. Probeer het opnieuw. Lukt het weer niet? Neem dan contact "
        "op met de beheerder."
    )),
)

INVITATION_DRAW_FAILURES = (
    Message(gettext_noop(
        "De trekking is niet op tijd klaargekomen. Er zijn geen uitnodigingen "
        "gemaakt. Probeer het opnieuw."
    )),
    Message(gettext_noop(
        "Door een fout in het systeem is de trekking niet gelukt. Er zijn geen "
        "uitnodigingen gemaakt. Probeer het opnieuw. Lukt het weer niet? Neem dan "
        "contact op met de beheerder."
    )),
    # The refusals of check_invitation_draw and check_provinces_known: the
    # worker meets them when the residents changed after the page queued the draw.
    Message(gettext_noop(
        "U vraagt %(requested)s uitnodigingen. Er zijn maar %(available)s huishoudens "
        "die nog geen uitnodiging hebben. Vraag om minder uitnodigingen, of lees eerst "
        "meer inwoners in."
    )),
    Message(
        "Voor een verdeling per provincie moeten we van elke gemeente weten in welke "
        "provincie ze ligt. Deze gemeenten kennen we niet: %(names)s. Het gaat om "
        "%(residents)s inwoner. Verbeter de naam van de gemeente in het bestand en lees het "
        "opnieuw in. Of kies een andere verdeling.",
        plural="Voor een verdeling per provincie moeten we van elke gemeente weten in welke "
        "provincie ze ligt. Deze gemeenten kennen we niet: %(names)s. Het gaat om "
        "%(residents)s inwoners. Verbeter de naam van de gemeente in het bestand en lees het "
        "opnieuw in. Of kies een andere verdeling.",
        count="residents",
        inner=(MORE_MUNICIPALITIES, NO_MUNICIPALITY),
    ),
)


def _written(message: Message, language: str) -> list[str]:
    """Every way the message reads in `language`, placeholders left in."""
    with translation.override(language):
        if message.plural:
            # One and two pick the singular and the plural in Dutch and English.
            return [ngettext(message.text, message.plural, n) for n in (1, 2)]
        return [gettext(message.text)]


def _pattern(written: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(written)
    seen: set[str] = set()
    regex = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex.append(re.escape(part))
        elif part in seen:
            regex.append(f"(?P={part})")
        else:
            seen.add(part)
            # Greedy: a value that holds the text after it (a municipality
            # called "... en ...") still leaves the last occurrence to the message.
            regex.append(f"(?P<{part}>.+)")
    return re.compile("".join(regex), re.DOTALL)


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _reread(text: str, messages: Iterable[Message]) -> str | None:
    """`text` in the active language if it is one of `messages` in any offered language."""
    for message in messages:
        for language in _languages():
            for written in _written(message, language):
                found = _pattern(written).fullmatch(text)
                if found is None:
                    continue
                values = {
                    name: _inner(value, message.inner) for name, value in found.groupdict().items()
                }
                shown = _said(message, values)
                if shown is not None:
                    return shown
    return None


def _said(message: Message, values: dict[str, str]) -> str | None:
    if message.plural:
        try:
            number = int(values[message.count])
        except (KeyError, ValueError):
            return None
        return ngettext(message.text, message.plural, number) % values
    return gettext(message.text) % values if values else gettext(message.text)


def _inner(value: str, inner: tuple[Message, ...]) -> str:
    """A parameter's value with the messages it is made of in the active language."""
    with_values = [m for m in inner if _PLACEHOLDER.search(m.text)]
    whole = _reread(value, with_values)
    if whole is not None:
        return whole
    for message in inner:
        if message in with_values:
            continue
        shown = gettext(message.text)
        for language in _languages():
            for written in _written(message, language):
                value = value.replace(written, shown)
    return value


def stored_failure_shown(text: str, messages: Iterable[Message]) -> str:
    """A stored failure sentence in the reader's language where it is a known
    message, else as stored."""
    if not text:
        return text
    shown = _reread(text, messages)
    return text if shown is None else shown
