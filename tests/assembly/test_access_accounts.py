"""Accounts and roles: who must set up TOTP, and an assembly never loses its last organiser."""

from __future__ import annotations

import pytest
from django.test import Client

from assembly.models import Role, RoleKind
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db


def test_a_django_admin_user_sets_up_totp_before_the_admin(client: Client) -> None:
    admin_user = UserFactory(email="beheerder@example.org", is_staff=True)
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate")


def test_a_django_admin_user_with_totp_reaches_the_admin(client: Client) -> None:
    admin_user = UserFactory(email="beheerder@example.org", is_staff=True)
    give_totp(admin_user)
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_the_last_organiser_cannot_be_revoked(client: Client, cast: Cast) -> None:
    organiser = cast.users["organiser"]
    role = Role.objects.get(user=organiser, assembly=cast.assembly, kind=RoleKind.ORGANISER)
    client.force_login(organiser)
    response = client.post(f"/b/drugsbeleid/beheer/rollen/{role.pk}/intrekken/", follow=True)
    assert Role.objects.filter(pk=role.pk).exists()
    assert "laatste organisator" in response.content.decode()


def test_an_organiser_is_revoked_while_another_remains(client: Client, cast: Cast) -> None:
    second = UserFactory(email="organisatie2@example.org")
    give_totp(second)
    role = RoleFactory(user=second, assembly=cast.assembly, kind=RoleKind.ORGANISER)
    client.force_login(cast.users["organiser"])
    response = client.post(f"/b/drugsbeleid/beheer/rollen/{role.pk}/intrekken/")
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()


def test_a_member_who_is_organiser_elsewhere_gets_no_organiser_pages_here(
    client: Client, cast: Cast
) -> None:
    member = cast.users["member"]
    give_totp(member)
    RoleFactory(user=member, assembly=cast.other_assembly, kind=RoleKind.ORGANISER)
    client.force_login(member)
    assert client.get("/b/drugsbeleid/beheer/rollen/").status_code == 403
    assert client.get("/b/drugsbeleid/beheer/logboek/").status_code == 403
    assert client.get("/b/klimaat/beheer/rollen/").status_code == 200


def test_a_revoked_role_stops_working_in_an_open_session(client: Client, cast: Cast) -> None:
    second = UserFactory(email="organisatie2@example.org")
    give_totp(second)
    role = RoleFactory(user=second, assembly=cast.assembly, kind=RoleKind.ORGANISER)
    client.force_login(second)
    assert client.get("/b/drugsbeleid/beheer/rollen/").status_code == 200
    Role.objects.filter(pk=role.pk).delete()
    assert client.get("/b/drugsbeleid/beheer/rollen/").status_code == 403


def test_a_deactivated_user_is_logged_out(client: Client, cast: Cast) -> None:
    member = cast.users["member"]
    client.force_login(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.get("/b/drugsbeleid/mijn/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_giving_a_role_someone_already_has_says_so_and_sends_nothing(
    client: Client, cast: Cast
) -> None:
    from assembly.models import OutboxEmail

    client.force_login(cast.users["organiser"])
    grant = {"email": "nieuw@example.org", "full_name": "Nieuw", "kind": RoleKind.FACILITATOR}
    first = client.post("/b/drugsbeleid/beheer/rollen/", grant, follow=True)
    assert "De rol is gegeven. De persoon krijgt een e-mail." in first.content.decode()
    assert OutboxEmail.objects.filter(to="nieuw@example.org").count() == 1

    again = client.post(
        "/b/drugsbeleid/beheer/rollen/", {**grant, "email": "NIEUW@Example.org"}, follow=True
    )
    page = again.content.decode()
    assert "Deze persoon heeft deze rol al." in page
    assert "De rol is gegeven" not in page
    assert OutboxEmail.objects.filter(to="nieuw@example.org").count() == 1
    assert Role.objects.filter(user__email="nieuw@example.org").count() == 1


def test_the_member_role_comes_from_the_panel_not_from_the_roles_page(
    client: Client, cast: Cast
) -> None:
    """Nobody takes part without having been drawn: the roles page neither
    gives nor takes away the member role, and does not list members."""
    client.force_login(cast.users["organiser"])
    page = client.get("/b/drugsbeleid/beheer/rollen/").content.decode()
    assert 'value="member"' not in page and 'value="facilitator"' in page
    assert cast.users["member"].email not in page

    refused = client.post(
        "/b/drugsbeleid/beheer/rollen/",
        {"email": "niet-geloot@example.org", "kind": RoleKind.MEMBER},
    )
    assert refused.status_code == 200 and 'id="id_kind_error"' in refused.content.decode()
    assert not Role.objects.filter(user__email="niet-geloot@example.org").exists()

    member_role = Role.objects.get(user=cast.users["member"], kind=RoleKind.MEMBER)
    response = client.post(f"/b/drugsbeleid/beheer/rollen/{member_role.pk}/intrekken/")
    assert response.status_code == 404
    assert Role.objects.filter(pk=member_role.pk).exists()


def test_the_dashboard_counts_seats_on_the_panel_not_member_accounts(
    client: Client, cast: Cast
) -> None:
    from participants.selectors_selection import members_taking_part_count

    taking_part = members_taking_part_count(assembly=cast.assembly)
    RoleFactory(user=UserFactory(), assembly=cast.assembly, kind=RoleKind.MEMBER)
    client.force_login(cast.users["organiser"])
    page = client.get("/b/drugsbeleid/mijn/").content.decode()
    target = cast.assembly.members_target
    accounts = Role.objects.filter(assembly=cast.assembly, kind=RoleKind.MEMBER).count()
    assert accounts != taking_part
    assert f"<td>{taking_part} van {target}</td>" in page
