"""The desk (balie): volunteers at the entrance check members in and see
nothing else of the assembly. They log in with a code by e-mail, without
TOTP, and their home page leads to today's check-in list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from assembly.models import OutboxEmail, Role, RoleKind
from assembly.services import role_grant
from participants import access_attendance
from participants.models import CheckIn
from participants.services import attendance as services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_attendance import confirmed_members, weekend_around_today


def _desk(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["desk"])
    return client


@pytest.mark.django_db
def test_the_desk_may_check_in_and_the_chair_and_members_may_not(cast: Cast) -> None:
    slug = cast.assembly.slug
    for persona in ("desk", "organiser"):
        user = cast.users[persona]
        assert access_attendance.get_assembly_for_check_in(user=user, slug=slug) == cast.assembly
    for persona in ("chair", "member", "griffie", "expert", "facilitator"):
        with pytest.raises(PermissionDenied):
            access_attendance.get_assembly_for_check_in(user=cast.users[persona], slug=slug)
    # The desk of one assembly checks nobody in at another.
    with pytest.raises(PermissionDenied):
        access_attendance.get_assembly_for_check_in(
            user=cast.users["desk"], slug=cast.other_assembly.slug
        )
    assert not access_attendance.may_see_overview(user=cast.users["desk"], assembly=cast.assembly)


@pytest.mark.django_db
def test_the_desk_checks_a_member_in_notes_times_and_undoes(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    member = confirmed_members(cast.assembly, 2)[0]
    today = timezone.localdate()
    client = _desk(cast)
    kwargs = {"slug": cast.assembly.slug, "weekend": weekend.number, "day": today}
    day_url = reverse("participants:attendance_day", kwargs=kwargs)

    page = client.get(day_url, {"q": member.registration.full_name})
    assert page.status_code == 200
    html = page.content.decode()
    assert member.registration.full_name in html
    # No way back to the organisers' overview, which the desk may not open.
    overview = reverse(
        "participants:attendance_weekend",
        kwargs={"slug": cast.assembly.slug, "weekend": weekend.number},
    )
    assert f'href="{overview}"' not in html
    assert reverse("dashboard", kwargs={"slug": cast.assembly.slug}) in html

    check_in = reverse("participants:attendance_check_in", kwargs={**kwargs, "member": member.pk})
    assert client.post(check_in).status_code == 302
    record = CheckIn.objects.get(member=member, day=today)
    assert record.checked_in_by == cast.users["desk"]

    times = reverse("participants:attendance_times", kwargs={**kwargs, "member": member.pk})
    assert client.get(times).status_code == 200
    client.post(times, {"arrived_late_at": "10:40", "left_early_at": "", "note": ""})
    assert CheckIn.objects.get(member=member, day=today).arrived_late_at == dt.time(10, 40)

    undo = reverse("participants:attendance_undo", kwargs={**kwargs, "member": member.pk})
    assert "is weggehaald" in client.post(undo, follow=True).content.decode()
    assert not CheckIn.objects.filter(member=member).exists()

    token = services.check_in_token(member_id=member.pk)
    scan = reverse(
        "participants:attendance_scan", kwargs={"slug": cast.assembly.slug, "token": token}
    )
    assert client.post(scan).status_code == 302
    assert CheckIn.objects.filter(member=member, day=today).count() == 1


@pytest.mark.django_db
def test_the_desk_opens_no_other_page_with_personal_data(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    client = _desk(cast)
    slug = {"slug": cast.assembly.slug}
    for name in (
        "participants:attendance_overview",
        "participants:allowances_overview",
        "participants:claims_queue",
        "participants:payments_overview",
        "participants:registration_overview",
        "participants:population",
        "participants:pool_check",
        "participants:selection_list",
        "participants:panel_list",
        "assembly:roles",
        "recommendations:list",
        "programme:materials",
    ):
        assert client.get(reverse(name, kwargs=slug)).status_code == 403, name
    weekend_page = reverse(
        "participants:attendance_weekend", kwargs={**slug, "weekend": weekend.number}
    )
    assert client.get(weekend_page).status_code == 403


@pytest.mark.django_db
def test_the_desk_home_page_leads_to_todays_check_in_list(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    today = timezone.localdate()
    home = _desk(cast).get(reverse("dashboard", kwargs={"slug": cast.assembly.slug}))
    assert home.status_code == 200
    day_url = reverse(
        "participants:attendance_day",
        kwargs={"slug": cast.assembly.slug, "weekend": weekend.number, "day": today},
    )
    html = home.content.decode()
    assert day_url in html
    # Only the desk's own task, no organiser's links.
    assert (
        reverse("participants:allowances_overview", kwargs={"slug": cast.assembly.slug}) not in html
    )
    # The organiser's home page has no desk block.
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    assert (
        "Balie: deelnemers aanmelden"
        not in organiser.get(
            reverse("dashboard", kwargs={"slug": cast.assembly.slug})
        ).content.decode()
    )


@pytest.mark.django_db
def test_the_desk_home_page_says_when_the_next_weekend_is(cast: Cast) -> None:
    today = timezone.localdate()
    weekends = Weekend.objects.filter(assembly=cast.assembly).order_by("number")
    for offset, weekend in enumerate(weekends):
        start = today + dt.timedelta(days=10 + 28 * offset)
        Weekend.objects.filter(pk=weekend.pk).update(
            starts_on=start, ends_on=start + dt.timedelta(days=1)
        )
    home = _desk(cast).get(reverse("dashboard", kwargs={"slug": cast.assembly.slug}))
    html = home.content.decode()
    start = formats.date_format(today + dt.timedelta(days=10), "l j F Y")
    assert f"Vandaag is er geen weekend. Het volgende weekend begint op {start}." in html
    assert "Naar de aanmeldlijst van vandaag" not in html


@pytest.mark.django_db
def test_a_desk_volunteer_logs_in_by_code_without_totp(cast: Cast) -> None:
    # The TOTP middleware lets the desk through, as it does members.
    assert (
        _desk(cast).get(reverse("dashboard", kwargs={"slug": cast.assembly.slug})).status_code
        == 200
    )
    role = role_grant(
        assembly=cast.assembly,
        email="balie2@example.org",
        kind=RoleKind.DESK,
        granted_by=cast.users["organiser"],
    )
    assert not role.is_staff_role
    mail = OutboxEmail.objects.get(ref=f"assembly.Role:{role.pk}")
    assert "U hebt geen wachtwoord nodig" in mail.body
    assert "Bij de balie meldt u op een weekend de deelnemers aan." in mail.body
    assert Role.objects.filter(user__email="balie2@example.org", kind="desk").exists()


@pytest.mark.django_db
def test_an_organiser_gives_the_desk_role_on_the_roles_page(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users["organiser"])
    url = reverse("assembly:roles", kwargs={"slug": cast.assembly.slug})
    assert "Balie" in client.get(url).content.decode()
    response = client.post(
        url, {"email": "vrijwilliger@example.org", "full_name": "", "kind": "desk"}
    )
    assert response.status_code == 302
    assert Role.objects.filter(
        assembly=cast.assembly, user__email="vrijwilliger@example.org", kind=RoleKind.DESK
    ).exists()
