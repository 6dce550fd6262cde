"""Review of the chair's record: the same form sent twice, two people editing
the same minutes at once, and a change to published minutes shown honestly."""

from __future__ import annotations

import pytest
from django.test import Client

from recommendations.models import GovernmentResponse, Minutes
from recommendations.services import record as services
from tests.conftest import Cast
from tests.recommendations.test_record import _client, _minutes, _url
from tests.recommendations.test_results import make_recommendation, make_result

RESPONSE = {
    "status": "under_study",
    "text": "Het kabinet laat dit onderzoeken.",
    "responded_on": "2026-03-01",
    "source_title": "Kamerbrief reactie burgerberaad",
    "source_url": "",
}


@pytest.mark.django_db
def test_a_government_response_sent_twice_is_recorded_once(cast: Cast) -> None:
    """A double click must not put the same answer twice in the public history."""
    rec = make_recommendation(cast.assembly, 5)
    make_result(rec, votes=(120, 20, 5))
    client = _client(cast, "organiser")
    url = _url("record_response", cast, number=5)
    first = client.post(url, RESPONSE)
    second = client.post(url, RESPONSE)
    assert first.status_code == second.status_code == 302
    assert GovernmentResponse.objects.count() == 1
    detail = Client().get(_url("record_tracker", cast)).content.decode()
    assert "reacties in de geschiedenis" not in detail


@pytest.mark.django_db
def test_a_changed_government_response_is_still_recorded(cast: Cast) -> None:
    rec = make_recommendation(cast.assembly, 5)
    make_result(rec, votes=(120, 20, 5))
    client = _client(cast, "griffie")
    url = _url("record_response", cast, number=5)
    client.post(url, RESPONSE)
    client.post(url, {**RESPONSE, "status": "adopted", "responded_on": "2026-06-01"})
    assert GovernmentResponse.objects.count() == 2


@pytest.mark.django_db
def test_new_weekend_minutes_sent_twice_are_saved_once(cast: Cast) -> None:
    client = _client(cast, "chair")
    data = {"title": "Verslag zondag", "session": "", "body": "Wij sluiten af.", "save": "1"}
    url = _url("record_minutes_new", cast, weekend=1)
    client.post(url, data)
    client.post(url, data)
    assert Minutes.objects.count() == 1


@pytest.mark.django_db
def test_a_save_over_someone_elses_newer_text_is_refused(cast: Cast) -> None:
    """The organiser and the chair open the same minutes; the organiser saves
    first. The chair's save must not silently wipe the organiser's text."""
    minutes = _minutes(cast, body="Eerste tekst.")
    edit = _url("record_minutes_edit", cast, pk=minutes.pk)
    organiser, chair = _client(cast, "organiser"), _client(cast, "chair")
    organiser_form = organiser.get(edit).context["form"]
    chair_form = chair.get(edit).context["form"]
    assert "seen" in chair_form.initial

    def post(client: Client, form: object, body: str, button: str = "save") -> object:
        data = {
            "title": "Verslag zaterdag",
            "session": "",
            "body": body,
            "seen": form.initial["seen"],  # type: ignore[attr-defined]
            button: "1",
        }
        return client.post(edit, data)

    assert post(organiser, organiser_form, "Tekst van de organisatie.").status_code == 302
    response = post(chair, chair_form, "Tekst van de voorzitter.", button="approve")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "intussen gewijzigd" in response.content.decode()  # type: ignore[attr-defined]
    minutes.refresh_from_db()
    assert minutes.body == "Tekst van de organisatie."
    assert minutes.approved_at is None


@pytest.mark.django_db
def test_minutes_changed_after_publication_say_so_on_the_public_page(cast: Cast) -> None:
    minutes = _minutes(cast, body="Eerste tekst.")
    chair = cast.users["chair"]
    services.minutes_approve(minutes=minutes, actor=chair, seen=None)
    first = Client().get(_url("record_minutes_detail", cast, pk=minutes.pk)).content.decode()
    assert "gewijzigd" not in first
    services.minutes_update(
        minutes=minutes, session=None, title=minutes.title, body="Betere tekst.", actor=chair
    )
    services.minutes_approve(minutes=minutes, actor=chair, seen=None)
    page = Client().get(_url("record_minutes_detail", cast, pk=minutes.pk)).content.decode()
    assert "Eerst gepubliceerd op" in page
    assert "daarna gewijzigd" in page
