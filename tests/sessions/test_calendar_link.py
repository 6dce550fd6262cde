"""The private calendar link: a member who shared it can make a new one; the old one
stops working at once, links not renewed keep working."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assembly.models import AuditEvent
from sessions import selectors
from sessions.services import schedule as services
from sessions.views.schedule import calendar_token, calendar_token_ids
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _feed(cast: Cast, token: str) -> str:
    return reverse("programme:private_feed", kwargs={"slug": cast.assembly.slug, "token": token})


def test_a_new_link_stops_the_old_one_at_once(cast: Cast) -> None:
    member = cast.users["member"]
    old = calendar_token(user_id=member.pk, assembly_id=cast.assembly.pk)
    assert Client().get(_feed(cast, old)).status_code == 200

    generation = services.calendar_link_renew(user=member, assembly=cast.assembly)

    assert generation == 1
    assert selectors.calendar_link_generation(user_id=member.pk, assembly=cast.assembly) == 1
    assert Client().get(_feed(cast, old)).status_code == 404
    new = calendar_token(user_id=member.pk, assembly_id=cast.assembly.pk, generation=1)
    assert new != old and Client().get(_feed(cast, new)).status_code == 200
    assert AuditEvent.objects.filter(action="programme.calendar_link_renew").count() == 1
    # Another member's link is not touched.
    other = cast.users["facilitator"]
    theirs = calendar_token(user_id=other.pk, assembly_id=cast.assembly.pk)
    assert Client().get(_feed(cast, theirs)).status_code == 200


def test_the_token_is_signed_and_carries_its_generation(cast: Cast) -> None:
    token = calendar_token(user_id=7, assembly_id=3, generation=2)
    assert calendar_token_ids(token) == (7, 3, 2)
    assert calendar_token_ids(calendar_token(user_id=7, assembly_id=3)) == (7, 3, 0)
    forged = token.replace("7-3-2", "7-3-3")
    assert calendar_token_ids(forged) is None


def test_the_member_makes_a_new_link_on_the_programme_page(cast: Cast) -> None:
    member = cast.users["member"]
    client = Client()
    client.force_login(member)
    page_url = reverse("programme:my_programme", kwargs={"slug": cast.assembly.slug})
    old = calendar_token(user_id=member.pk, assembly_id=cast.assembly.pk)
    page = client.get(page_url).content.decode()
    assert old in page and "Maak een nieuwe link" in page

    response = client.post(
        reverse("programme:calendar_link_renew", kwargs={"slug": cast.assembly.slug}),
        follow=True,
    )

    html = response.content.decode()
    new = calendar_token(user_id=member.pk, assembly_id=cast.assembly.pk, generation=1)
    assert new in html and old not in html
    assert "De oude link werkt niet meer." in html
    assert Client().get(_feed(cast, old)).status_code == 404
    assert Client().get(_feed(cast, new)).status_code == 200
