"""Session and material titles in pickers and lists are in the reader's
language: the English title where an organiser gave one, else the Dutch.
What is stored and exported stays Dutch; ``Session.__str__`` (the admin and
its stored log) too."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from recommendations.forms_drafting import SessionChoiceField as MinutesSessionField
from sessions.models import Material, Session, Weekend
from sessions.services import materials as material_services
from sessions.views.materials import SessionChoiceField
from tests.conftest import Cast
from tests.sessions.schedule_helpers import make_session, weekend

pytestmark = pytest.mark.django_db


def _sessions(cast: Cast) -> tuple[Weekend, Session, Session]:
    w = weekend(cast.assembly, 1)
    translated = make_session(
        w,
        (10, 0),
        (11, 0),
        title="Schade beperken",
        title_en="Reducing harm",
        kind=Session.Kind.BRIEFING,
    )
    dutch_only = make_session(
        w, (11, 0), (12, 0), title="Vragen over preventie", kind=Session.Kind.QUESTIONS
    )
    return w, translated, dutch_only


def _client(cast: Cast, persona: str, language: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_session_picker_for_materials_follows_the_readers_language(cast: Cast) -> None:
    _sessions(cast)
    url = reverse("programme:material_create", kwargs={"slug": cast.assembly.slug})

    english = _client(cast, "organiser", "en").get(url).content.decode()
    dutch = _client(cast, "organiser", "nl").get(url).content.decode()

    assert ": Reducing harm</option>" in english and "Schade beperken" not in english
    assert ": Vragen over preventie</option>" in english
    assert ": Schade beperken</option>" in dutch and "Reducing harm" not in dutch


def test_both_session_pickers_label_a_session_in_the_readers_language() -> None:
    session = Session(title="Schade beperken", title_en="Reducing harm", starts_at=timezone.now())
    session.weekend = Weekend(number=2)
    fields = [
        SessionChoiceField(queryset=Session.objects.none()),
        MinutesSessionField(queryset=Session.objects.none()),
    ]
    for field in fields:
        with translation.override("en"):
            assert field.label_from_instance(session).endswith(": Reducing harm")
        with translation.override("nl"):
            assert field.label_from_instance(session).endswith(": Schade beperken")
    # The admin, and its log that stores str(session), keep the Dutch title.
    with translation.override("en"):
        assert str(session) == "Schade beperken"


def test_the_organisers_weekend_page_lists_sessions_in_the_readers_language(cast: Cast) -> None:
    _sessions(cast)
    url = reverse("programme:weekend_manage", kwargs={"slug": cast.assembly.slug, "number": 1})

    english = _client(cast, "organiser", "en").get(url).content.decode()

    assert "Reducing harm" in english and "Schade beperken" not in english
    assert "Vragen over preventie" in english


def test_the_materials_list_shows_material_titles_in_the_readers_language(cast: Cast) -> None:
    for title, title_en in (("Feiten over drugsgebruik", "Facts about drug use"), ("Kaart", "")):
        material_services.material_create(
            assembly=cast.assembly,
            kind=Material.Kind.LINK,
            title=title,
            title_en=title_en,
            summary="Korte uitleg.",
            url="https://example.org/stuk",
            actor=cast.users["organiser"],
        )
    url = reverse("programme:material_list", kwargs={"slug": cast.assembly.slug})

    english = _client(cast, "organiser", "en").get(url).content.decode()

    assert "Facts about drug use" in english and "Feiten over drugsgebruik" not in english
    assert ">Kaart</a>" in english
