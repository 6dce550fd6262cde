"""What members need on a weekend: a member changes it on their own page,
the organisers see it per member and in totals, and download it for the
venue and the caterer. Food and help can tell about religion or health: the
log keeps which fields changed, never what they say."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from assembly.models import AuditEvent
from participants.models import PanelMember, Registration
from tests.conftest import Cast
from tests.participants.test_attendance import confirmed_members

pytestmark = pytest.mark.django_db


def _url(name: str, cast: Cast, **extra: str) -> str:
    return reverse(f"participants:{name}", kwargs={"slug": cast.assembly.slug, **extra})


def _own_seat(cast: Cast) -> PanelMember:
    member = confirmed_members(cast.assembly, 3)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    return member


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def test_a_member_changes_what_they_need_and_the_log_keeps_no_words(cast: Cast) -> None:
    member = _own_seat(cast)
    Registration.objects.filter(pk=member.registration_id).update(diet="vegetarisch")
    client = _client(cast, "member")
    url = _url("my_needs", cast)
    page = client.get(url).content.decode()
    assert 'value="vegetarisch"' in page

    response = client.post(
        url, {"needs_mobility": "on", "diet": "  halal ", "needs_other": "Een stoel met armleuning"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(pk=member.registration_id)
    assert registration.needs_mobility and not registration.needs_childcare
    assert (registration.diet, registration.needs_other) == ("halal", "Een stoel met armleuning")
    event = AuditEvent.objects.get(action="registration.needs_changed")
    assert event.detail == {
        "member": member.pk,
        "fields": ["needs_mobility", "diet", "needs_other"],
    }
    assert "halal" not in str(event.detail) and "armleuning" not in str(event.detail)

    again = client.post(
        url,
        {"needs_mobility": "on", "diet": "halal", "needs_other": "Een stoel met armleuning"},
        follow=True,
    )
    assert "Er was niets veranderd." in again.content.decode()
    assert AuditEvent.objects.filter(action="registration.needs_changed").count() == 1


def test_a_too_long_diet_is_refused_on_its_field(cast: Cast) -> None:
    member = _own_seat(cast)
    response = _client(cast, "member").post(_url("my_needs", cast), {"diet": "x" * 201})
    assert response.status_code == 400 and 'id="id_diet_error"' in response.content.decode()
    assert Registration.objects.get(pk=member.registration_id).diet == ""


def test_the_organisers_see_totals_and_who_needs_what(cast: Cast) -> None:
    first, second, third = confirmed_members(cast.assembly, 3)
    Registration.objects.filter(pk=first.registration_id).update(
        diet="Vegetarisch", needs_childcare=True
    )
    Registration.objects.filter(pk=second.registration_id).update(diet="vegetarisch ")
    Registration.objects.filter(pk=third.registration_id).update(needs_language_help=False)
    page = _client(cast, "organiser").get(_url("needs_overview", cast)).content.decode()
    assert "Van de 3 deelnemers die meedoen." in page
    assert "<td>Vegetarisch</td><td>2</td>" in page
    assert first.registration.full_name in page and second.registration.full_name in page
    # Someone who needs nothing is not listed.
    assert third.registration.full_name not in page
    assert AuditEvent.objects.filter(
        action="personal_data.viewed", detail__page="participants:needs_overview"
    ).exists()


def test_the_list_downloads_for_the_venue_and_the_caterer(cast: Cast) -> None:
    first, second = confirmed_members(cast.assembly, 2)
    Registration.objects.filter(pk=first.registration_id).update(
        needs_mobility=True, needs_other='=HYPERLINK("x")'
    )
    client = _client(cast, "organiser")
    response = client.get(_url("needs_export", cast, fmt="csv"))
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffcode;naam;hulp_bij_lopen")
    assert f"{first.pk:04d};{first.registration.full_name};ja" in text
    assert "'=HYPERLINK" in text and second.registration.full_name not in text

    workbook = load_workbook(io.BytesIO(client.get(_url("needs_export", cast, fmt="xlsx")).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("code", "naam", "hulp_bij_lopen") and len(rows) == 2
    assert client.get(_url("needs_export", cast, fmt="pdf")).status_code == 404
