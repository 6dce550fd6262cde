"""An expert's copy of their own data (AVG): their expert profile and the
materials on their name, in the export's JSON and PDF, like every other section."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from sessions.models import Expert, Material
from sessions.services import experts as expert_services
from tests.conftest import Cast
from tests.sessions_materials.helpers import make_expert, make_material, make_perspective

pytestmark = pytest.mark.django_db


def _expert_with_materials(cast: Cast) -> tuple[Expert, Material, Material]:
    care = make_perspective(cast.assembly, "Volksgezondheid en zorg")
    expert = make_expert(
        cast.assembly, name="Dr. Aisha Koster", perspective=care, user=cast.users["expert"]
    )
    # A change by the secretariat: a line about the profile in the log.
    expert_services.expert_update(
        expert=expert,
        fields={"interests": "Lid van de raad van toezicht van Stichting Voorbeeld (onbetaald)."},
        actor=cast.users["organiser"],
    )
    sent = make_material(
        cast.assembly, cast.users["expert"], expert=expert, title="Mijn presentatie"
    )
    on_their_name = make_material(
        cast.assembly,
        cast.users["organiser"],
        expert=expert,
        title="Verslag van het gesprek",
        kind=Material.Kind.LINK,
        status=Material.Status.RELEASED,
    )
    # Another expert's material is not theirs.
    make_material(cast.assembly, cast.users["organiser"], expert=make_expert(cast.assembly))
    return expert, sent, on_their_name


def _download(cast: Cast, persona: str, fmt: str) -> Any:
    client = Client()
    client.force_login(cast.users[persona])
    return client.get(
        reverse("recommendations:my_data_download", kwargs={"slug": cast.assembly.slug, "fmt": fmt})
    )


def test_an_experts_own_copy_holds_their_profile_and_their_materials(cast: Cast) -> None:
    _expert, sent, _on_their_name = _expert_with_materials(cast)
    sections = {s["title"]: s["rows"] for s in _download(cast, "expert", "json").json()["sections"]}

    assert list(sections) == ["Deskundige", "Stukken van u", "Account", "Logboek over u"]
    [profile] = sections["Deskundige"]
    assert profile["naam"] == "Dr. Aisha Koster"
    assert profile["organisatie"] == "Trimbos-instituut"
    assert profile["functie"] == "onderzoeker"
    assert profile["perspectief"] == "Volksgezondheid en zorg"
    assert profile["verklaring_van_belangen"].startswith("Lid van de raad van toezicht")
    assert (profile["email"], profile["telefoon"]) == ("prive@example.org", "06-12345678")

    materials = {row["titel"]: row for row in sections["Stukken van u"]}
    assert set(materials) == {"Mijn presentatie", "Verslag van het gesprek"}
    mine = materials["Mijn presentatie"]
    assert mine["door_u_gestuurd"] is True and mine["status"] == "draft"
    assert mine["soort"] == "document" and mine["korte_uitleg"] == "Een korte uitleg."
    [version] = mine["versies"]
    assert version["versie"] == 1
    assert version["sha256"] == sent.versions.get().sha256
    link = materials["Verslag van het gesprek"]
    assert link["door_u_gestuurd"] is False
    assert link["versies"][0]["link"] == "https://example.org/video"

    # The log lines about their profile, as ids and codes.
    actions = [row["handeling"] for row in sections["Logboek over u"]]
    assert "expert.updated" in actions


def test_the_readable_copy_shows_the_profile_and_materials_in_words(cast: Cast) -> None:
    _expert_with_materials(cast)
    pdf = PdfReader(io.BytesIO(_download(cast, "expert", "pdf").content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for expected in (
        "Deskundige",
        "Verklaring van belangen",
        "Stichting Voorbeeld",
        "Organisatie",
        "Trimbos-instituut",
        "Stukken van u",
        "Mijn presentatie",
        "Door u gestuurd",
        "Versie 1,",
        "PDF-bestand van",
        "link: https://example.org/video",
        "Gegevens van een deskundige veranderd",  # the log line, in words
    ):
        assert expected in text, expected
    assert "verklaring_van_belangen" not in text and "door_u_gestuurd" not in text
    assert "expert.updated" not in text


def test_the_organiser_finds_the_same_data_for_an_experts_request(cast: Cast) -> None:
    _expert_with_materials(cast)
    client = Client()
    client.force_login(cast.users["organiser"])
    download = client.post(
        reverse(
            "recommendations:privacy_request_download",
            kwargs={"slug": cast.assembly.slug, "fmt": "json"},
        ),
        {"email": cast.users["expert"].email},
    )
    flat = json.dumps(download.json(), ensure_ascii=False)
    assert "Stichting Voorbeeld" in flat and "Mijn presentatie" in flat


def test_someone_without_an_expert_profile_gets_no_expert_sections(cast: Cast) -> None:
    _expert_with_materials(cast)
    titles = [s["title"] for s in _download(cast, "facilitator", "json").json()["sections"]]
    assert "Deskundige" not in titles and "Stukken van u" not in titles
