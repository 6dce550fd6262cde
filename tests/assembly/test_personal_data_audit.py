"""Every opening of a page with personal data lands in the audit log, with
who, which page and when; a refused request or another page does not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assembly.models import AuditEvent, User
from tests.conftest import Cast
from tests.factories import give_totp

pytestmark = pytest.mark.django_db


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def test_opening_the_member_list_is_logged_with_who_and_which_page(cast: Cast) -> None:
    url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    assert _client(cast, "organiser").get(url).status_code == 200
    event = AuditEvent.objects.get(action="personal_data.viewed")
    assert event.actor == cast.users["organiser"]
    assert event.assembly == cast.assembly
    assert event.detail["page"] == "participants:panel_list"


def test_a_refused_request_and_an_ordinary_page_leave_no_line(cast: Cast) -> None:
    url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    assert _client(cast, "member").get(url).status_code == 403
    _client(cast, "organiser").get(reverse("dashboard", kwargs={"slug": cast.assembly.slug}))
    assert not AuditEvent.objects.filter(action="personal_data.viewed").exists()


def test_the_audit_log_cannot_be_changed_in_the_admin(
    cast: Cast, admin_client: Client, admin_user: User
) -> None:
    give_totp(admin_user)  # staff must have TOTP before the admin opens
    event = AuditEvent.objects.create(assembly=cast.assembly, action="draw.made", target="x:1")
    change = reverse("admin:assembly_auditevent_change", args=[event.pk])
    admin_client.post(change, {"action": "draw.undone", "target": "x:2"})
    event.refresh_from_db()
    assert (event.action, event.target) == ("draw.made", "x:1")
    assert admin_client.get(reverse("admin:assembly_auditevent_add")).status_code == 403


def test_organisers_read_the_log_and_filter_it(cast: Cast) -> None:
    organiser = _client(cast, "organiser")
    organiser.get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    AuditEvent.objects.create(assembly=cast.assembly, action="draw.made", target="x:1")
    AuditEvent.objects.create(assembly=cast.other_assembly, action="draw.elsewhere")
    url = reverse("assembly:audit_log", kwargs={"slug": cast.assembly.slug})
    page = organiser.get(url).content.decode()
    assert "personal_data.viewed" in page and "draw.made" in page
    # The words beside the code; a code without words shows as itself.
    assert "Persoonsgegevens bekeken" in page
    assert "draw.elsewhere" not in page
    filtered = organiser.get(url, {"soort": "draw"}).content.decode()
    assert "draw.made" in filtered and "personal_data.viewed" not in filtered


@pytest.mark.parametrize(
    "name",
    [
        "participants:claims_queue",
        "participants:payments_overview",
        "participants:payments_statements",
    ],
)
def test_money_pages_with_names_or_accounts_are_logged_too(cast: Cast, name: str) -> None:
    url = reverse(name, kwargs={"slug": cast.assembly.slug})
    assert _client(cast, "organiser").get(url).status_code == 200
    assert AuditEvent.objects.get(action="personal_data.viewed").detail["page"] == name


@pytest.mark.parametrize(
    ("view_name", "persona"),
    [
        # every member's name and e-mail address, with their role
        ("assembly:roles", "organiser"),
        # the names of members absent two weekends in a row
        ("participants:attendance_overview", "organiser"),
        ("participants:attendance_overview", "chair"),
    ],
)
def test_pages_with_names_and_addresses_are_logged_too(
    cast: Cast, view_name: str, persona: str
) -> None:
    url = reverse(view_name, kwargs={"slug": cast.assembly.slug})
    assert _client(cast, persona).get(url).status_code == 200
    event = AuditEvent.objects.get(action="personal_data.viewed")
    assert (event.actor, event.detail["page"]) == (cast.users[persona], view_name)
