"""Members without an e-mail address get the weekend's programme by post: one
letter each, in their language, with what is on, where and when."""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assembly.models import AuditEvent
from participants.models import PanelMember, Registration
from sessions.models import Material, Session, Weekend
from sessions.services.materials import material_version_add
from sessions.uploads import pdf_check
from tests.conftest import Cast
from tests.participants.test_panel import Panel, make_panel
from tests.sessions.schedule_helpers import make_session, weekend
from tests.sessions_materials.helpers import make_material, make_pdf


def _on_paper(panel: Panel, number: int, *, language: str = "nl") -> PanelMember:
    Registration.objects.filter(pk=panel.people[number].pk).update(email="", language=language)
    PanelMember.objects.filter(pk=panel.member(number).pk).update(
        status=PanelMember.Status.CONFIRMED
    )
    return panel.member(number)


def _published_weekend(cast: Cast) -> Weekend:
    first = weekend(cast.assembly, 1)
    Weekend.objects.filter(pk=first.pk).update(
        starts_on=dt.date(2027, 3, 13),
        ends_on=dt.date(2027, 3, 14),
        published_at=timezone.now(),
        venue_name="Jaarbeurs",
        city="Utrecht",
        venue_address="Jaarbeursplein 6, 3521 AL Utrecht",
        route="Vanaf Utrecht Centraal 5 minuten lopen.",
    )
    first.refresh_from_db()
    make_session(first, (10, 0), (11, 0), title="Welkom en kennismaken", room="Zaal A")
    make_session(first, (11, 15), (12, 30), title="Wat doet cannabis met je lichaam?")
    make_session(first, (13, 30), (14, 0), title="Rondleiding", room="")
    make_session(first, (10, 0), (12, 0), day=1, title="Gesprek aan tafels")
    cancelled = make_session(first, (14, 0), (15, 0), day=1, title="Afgelast onderdeel")
    Session.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    return first


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def _letters_url(cast: Cast, number: int) -> str:
    return reverse(
        "participants:programme_letters", kwargs={"slug": cast.assembly.slug, "number": number}
    )


def _panel_url(cast: Cast) -> str:
    return reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def test_members_on_paper_get_the_programme_by_post_in_their_language(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    dutch = _on_paper(panel, 0)
    english = _on_paper(panel, 1, language="en")
    PanelMember.objects.filter(pk=panel.member(2).pk).update(status=PanelMember.Status.CONFIRMED)
    _published_weekend(cast)
    client = _organiser(cast)

    over = dt.date.today() - dt.timedelta(days=30)
    Weekend.objects.filter(assembly=cast.assembly, number=2).update(
        starts_on=over, ends_on=over + dt.timedelta(days=1), published_at=timezone.now()
    )
    listing = client.get(_panel_url(cast)).content.decode()
    assert "2 deelnemers hebben geen e-mailadres." in listing
    assert _letters_url(cast, 1) in listing
    # Weekend 2 is over, weekend 3 is not published: nothing to send for them.
    assert _letters_url(cast, 2) not in listing and _letters_url(cast, 3) not in listing

    response = client.get(_letters_url(cast, 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    pages = _pages(response.content)
    # One page each, in name order; the member with an e-mail address gets none.
    assert len(pages) == 2
    assert not any(panel.people[2].full_name in page for page in pages)
    first = next(page for page in pages if f"Beste {dutch.registration.full_name}," in page)
    second = next(page for page in pages if f"Dear {english.registration.full_name}," in page)

    assert "Programma van weekend 1" in first
    assert "Zaterdag 13 maart 2027 tot en met zondag 14 maart 2027" in first
    assert "Jaarbeurs, Utrecht" in first and "Jaarbeursplein 6, 3521 AL Utrecht" in first
    assert "Vanaf Utrecht Centraal 5 minuten lopen." in first
    assert "Zaterdag 13 maart" in first and "Zondag 14 maart" in first
    assert "10:00–11:00 Welkom en kennismaken (zaal: Zaal A)" in first
    assert "13:30–14:00 Rondleiding" in first and "Rondleiding (zaal" not in first
    assert "Gesprek aan tafels" in first
    assert "Afgelast onderdeel" not in first
    assert "Zeg bij de ingang uw naam." in first
    assert "/b/drugsbeleid/programma/openbaar/" in first
    # The address on the envelope is the one from the register extract.
    assert "Dorpsstraat" in first

    assert "Programme of weekend 1" in second
    assert "Saturday 13 March" in second
    assert "Welkom en kennismaken" in second  # the organiser's title, no English given


def test_a_long_programme_runs_onto_a_second_page(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    _on_paper(panel, 0)
    first = _published_weekend(cast)
    for hour in range(8, 20):
        for day in (0, 1):
            make_session(first, (hour, 0), (hour, 45), day=day, title=f"Tafelronde {day}-{hour}")

    pages = _pages(_organiser(cast).get(_letters_url(cast, 1)).content)

    assert len(pages) == 2
    assert "08:00–08:45 Tafelronde 0-8" in pages[0]
    # A loose second sheet says whose letter it belongs to.
    assert pages[1].startswith("Programma van weekend 1 – Persoon Nummer0 2")
    assert "Tafelronde 1-19" in pages[1] and "Met vriendelijke groet" in pages[1]


def test_nothing_to_send_says_why(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    client = _organiser(cast)
    _published_weekend(cast)

    everyone_has_email = client.get(_letters_url(cast, 1), follow=True).content.decode()
    assert "Alle deelnemers hebben een e-mailadres." in everyone_has_email
    assert "Programma per post" not in client.get(_panel_url(cast)).content.decode()

    _on_paper(panel, 0)
    unpublished = client.get(_letters_url(cast, 2), follow=True)
    assert unpublished.redirect_chain[-1][0] == _panel_url(cast)
    assert "Publiceer eerst het programma van dit weekend." in unpublished.content.decode()
    assert client.get(_letters_url(cast, 9)).status_code == 404


def test_the_list_says_who_lacks_the_programme_as_it_is_now(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    first, second = _on_paper(panel, 0), _on_paper(panel, 1)
    _published_weekend(cast)
    client = _organiser(cast)
    assert "Nog niet gemaakt." in client.get(_panel_url(cast)).content.decode()

    assert len(_pages(client.get(_letters_url(cast, 1)).content)) == 2
    event = AuditEvent.objects.get(action="panel.programme_letters")
    assert event.actor == cast.users["organiser"]
    assert sorted(event.detail["members"]) == sorted([first.pk, second.pk])
    assert first.registration.full_name not in str(event.detail)
    listing = client.get(_panel_url(cast)).content.decode()
    assert "Laatst gemaakt op" in listing
    assert "Iedereen heeft het programma zoals het nu is." in listing

    # What the letter does not show changes nothing; a new time does.
    Session.objects.filter(title="Rondleiding").update(description="Een andere uitleg.")
    assert (
        "Iedereen heeft het programma zoals het nu is."
        in client.get(_panel_url(cast)).content.decode()
    )
    Session.objects.filter(title="Rondleiding").update(
        starts_at=F("starts_at") + dt.timedelta(hours=1),
        ends_at=F("ends_at") + dt.timedelta(hours=1),
    )
    listing = client.get(_panel_url(cast)).content.decode()
    changed = "het programma of de stukken zijn veranderd nadat 2 deelnemers de brief kregen."
    assert changed in listing
    assert "Brieven voor 2 deelnemers die het programma zoals het nu is nog niet hebben" in listing

    # After the reprint for those two, a third member on paper joins: only they are missing.
    missing = _letters_url(cast, 1) + "?alleen=ontbrekend"
    extra = client.get(missing)
    assert len(_pages(extra.content)) == 2
    assert extra["Content-Disposition"].endswith('weekend-1-aanvulling.pdf"')
    third = _on_paper(panel, 2)
    listing = client.get(_panel_url(cast)).content.decode()
    assert "Let op:" not in listing
    assert "Brief voor 1 deelnemer die het programma zoals het nu is nog niet heeft" in listing
    pages = _pages(client.get(missing).content)
    assert len(pages) == 1 and f"Beste {third.registration.full_name}," in pages[0]

    everyone_has_it = client.get(missing, follow=True).content.decode()
    assert "heeft het programma zoals het nu is al per post." in everyone_has_it


def test_the_reading_for_the_weekend_goes_with_the_letter(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    member = _on_paper(panel, 0)
    first = _published_weekend(cast)
    organiser = cast.users["organiser"]
    facts = make_material(
        cast.assembly,
        organiser,
        weekend=first,
        title="Feiten over cannabis",
        status=Material.Status.RELEASED,
    )
    make_material(cast.assembly, organiser, weekend=first, title="Nog een concept")
    make_material(
        cast.assembly,
        organiser,
        weekend=first,
        title="Een avond met de recherche",
        kind=Material.Kind.VIDEO,
        status=Material.Status.RELEASED,
    )
    client = _organiser(cast)

    listing = client.get(_panel_url(cast)).content.decode()
    assert "Print ook deze stukken en stuur ze mee:" in listing
    assert "Feiten over cannabis" in listing and "Nog een concept" not in listing
    # A video cannot go in the envelope: the letter names it and its address.
    assert "Een avond met de recherche" not in listing
    letter = " ".join(_pages(client.get(_letters_url(cast, 1)).content))
    assert f"Beste {member.registration.full_name}," in letter
    assert "Om te lezen" in letter and "– Feiten over cannabis" in letter
    assert "Nog een concept" not in letter
    assert "Om te bekijken op internet" in letter
    assert "– Een avond met de recherche https://example.org/video" in letter
    assert (
        "Iedereen heeft het programma zoals het nu is."
        in client.get(_panel_url(cast)).content.decode()
    )

    # A new version of the reading: the member needs the new print.
    material_version_add(
        material=facts,
        actor=organiser,
        note="Nieuwe cijfers.",
        pdf=pdf_check(make_pdf("Feiten over cannabis, versie 2")),
    )
    listing = client.get(_panel_url(cast)).content.decode()
    assert "het programma of de stukken zijn veranderd nadat 1 deelnemer de brief kreeg." in listing


def test_the_file_is_dutch_whatever_the_organiser_reads(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    _on_paper(panel, 0)
    _published_weekend(cast)
    client = _organiser(cast)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    reader = PdfReader(io.BytesIO(client.get(_letters_url(cast, 1)).content))

    assert reader.trailer["/Root"]["/Lang"] == "nl"
    assert reader.metadata is not None
    assert reader.metadata.title == "Programma per post: weekend 1"
