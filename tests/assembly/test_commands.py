from __future__ import annotations

import datetime as dt
import io
import re
import time
from typing import Any
from unittest import mock

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.demo import DEMO_PEOPLE
from assembly.models import STAFF_ROLES, Assembly, Role, RoleKind, User
from participants.models import CheckIn, PanelMember, SelectionDraw
from recommendations.models import Ballot, GovernmentResponse, Minutes, VoterMark
from sessions.models import Weekend

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_seeds_the_demo_with_a_login_per_role() -> None:
    output = _seed()
    assembly = Assembly.objects.get(slug="drugsbeleid")
    assert assembly.question.startswith("Is een drugsbeleid mogelijk")
    assert assembly.members_target == 175
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on"))
    assert len(weekends) == 7
    # Half-way: two weekends behind it, the third on today, four ahead, over
    # about eight months.
    today = timezone.localdate()
    assert [w.ends_on < today for w in weekends] == [True, True] + [False] * 5
    assert weekends[2].starts_on <= today <= weekends[2].ends_on
    assert all(w.starts_on.weekday() == 5 for w in weekends[:2] + weekends[3:])
    assert 7 <= (weekends[-1].starts_on - weekends[0].starts_on).days / 30 <= 10
    for kind in RoleKind:
        assert Role.objects.filter(assembly=assembly, kind=kind).exists(), kind
        assert str(kind.label) in output


def test_the_demo_members_log_in_by_code_only() -> None:
    # An empty password counts as usable: the menu would offer members a
    # password and two-step verification they never need.
    _seed()
    by_code = User.objects.filter(
        roles__kind__in=[RoleKind.MEMBER, RoleKind.EXPERT, RoleKind.FACILITATOR, RoleKind.DESK]
    ).exclude(roles__kind__in=STAFF_ROLES).distinct()
    assert by_code.count() > 100
    assert not any(user.has_usable_password() for user in by_code)
    assert by_code.filter(email="balie@burgerberaad.example").exists()
    staff = User.objects.get(email="organisatie@burgerberaad.example")
    assert staff.has_usable_password()


def test_it_gives_the_same_demo_when_run_twice() -> None:
    _seed()
    counts = (Assembly.objects.count(), User.objects.count(), Role.objects.count(),
              Weekend.objects.count(), Authenticator.objects.count())
    _seed()
    assert counts == (Assembly.objects.count(), User.objects.count(), Role.objects.count(),
                      Weekend.objects.count(), Authenticator.objects.count())


def test_it_prints_invitation_codes_that_open_the_registration() -> None:
    # Anyone trying the demo can sign up as an invitee: an assembly with open
    # registration, a drawn extract and codes printed with the logins.
    output = _seed()
    found = re.search(r"http://127\.0\.0\.1:8000/aanmelden/\?code=(\w+)", output)
    assert found, output
    code = found.group(1)
    assembly = Assembly.objects.get(slug="oefenaanmelding")
    assert assembly.registration_deadline is not None
    assert assembly.registration_deadline > timezone.localdate()
    assert Role.objects.filter(assembly=assembly, kind=RoleKind.ORGANISER).exists()

    client = Client()
    page = client.get(f"/aanmelden/?code={code}")
    assert page.status_code == 200 and code in page.content.decode()
    response = client.post("/aanmelden/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/aanmelden/stap/toestemming/"

    # A second seed shows no new draw, and still a code nobody used.
    again = _seed()
    assert assembly.invitation_draws.count() == 1
    assert re.search(r"/aanmelden/\?code=\w+", again)


def test_it_prints_a_working_totp_code_for_demo_staff() -> None:
    _seed()
    email, _name, _kind, _password, secret = DEMO_PEOPLE[0]
    out = io.StringIO()
    call_command("demo_totp", email, stdout=out)
    code = out.getvalue().strip()
    assert secret is not None
    assert len(code) == 6 and validate_totp_code(secret, code)
    assert int(time.time()) > 0


def test_it_creates_an_empty_assembly_from_the_command_line() -> None:
    call_command(
        "create_assembly", "--slug", "klimaat", "--name", "Burgerberaad Klimaat",
        "--members", "175", "--min-age", "16", "--first-weekend", "2027-03-06",
        stdout=io.StringIO(),
    )
    assembly = Assembly.objects.get(slug="klimaat")
    assert (assembly.members_target, assembly.min_age) == (175, 16)
    assert assembly.first_weekend.isoformat() == "2027-03-06"
    assert not assembly.weekends.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--first-weekend", "6-3-2027"], "Ongeldige datum"),
        (["--first-weekend", "2027-03-06", "--members", "0"], "--members"),
    ],
)
def test_it_rejects_bad_command_line_input(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("create_assembly", "--slug", "x", "--name", "X", *args)


def test_it_refuses_a_slug_that_exists() -> None:
    call_command("create_assembly", "--slug", "x", "--name", "X", "--first-weekend",
                 "2027-01-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="bestaat al"):
        call_command("create_assembly", "--slug", "x", "--name", "Y", "--first-weekend",
                     "2027-01-01")


def test_the_demo_has_a_drawn_panel_and_a_practice_assembly_before_its_draw() -> None:
    from participants.models import PanelMember, SelectionDraw

    _seed()
    running = Assembly.objects.get(slug="drugsbeleid")
    members = PanelMember.objects.filter(assembly=running, kind=PanelMember.Kind.MEMBER)
    assert members.count() == running.members_target
    assert set(members.values_list("status", flat=True)) == {PanelMember.Status.CONFIRMED}
    # Two take part on paper (no e-mail address, so no account); the rest log in.
    on_paper = members.filter(user=None, registration__email="")
    assert on_paper.count() == 2
    assert Role.objects.filter(assembly=running, kind=RoleKind.MEMBER).count() == 173
    demo_member = User.objects.get(email="deelnemer@burgerberaad.example")
    assert members.filter(user=demo_member).exists()
    alternates = PanelMember.objects.filter(assembly=running, kind=PanelMember.Kind.ALTERNATE)
    assert alternates.count() == running.alternates_target
    practice = Assembly.objects.get(slug="oefenloting")
    assert not SelectionDraw.objects.filter(run__assembly=practice).exists()
    assert Role.objects.filter(assembly=practice, kind=RoleKind.ORGANISER).exists()


def _days_later(days: int) -> mock._patch[Any]:
    """The clock (and so timezone.localdate()) runs ``days`` days ahead."""
    real = timezone.now

    return mock.patch(
        "django.utils.timezone.now", side_effect=lambda: real() + dt.timedelta(days=days)
    )


@pytest.mark.parametrize("weekday", [1, 4, 5, 6])  # Tuesday, Friday, Saturday, Sunday
def test_the_demo_member_can_vote_in_the_open_ballot_on_any_day(weekday: int) -> None:
    # A vote needs a check-in today, a check-in a weekend today: the demo
    # has one on the day it is seeded, also on a weekday.
    later = (weekday - timezone.localdate().weekday()) % 7
    with _days_later(later):
        day = timezone.localdate()
        assert day.weekday() == weekday
        _seed()
        assembly = Assembly.objects.get(slug="drugsbeleid")
        weekends = list(Weekend.objects.filter(assembly=assembly).order_by("number"))
        assert [w.ends_on < day for w in weekends] == [True, True] + [False] * 5
        assert weekends[2].starts_on <= day <= weekends[2].ends_on
        ballot = Ballot.objects.get(assembly=assembly, status=Ballot.Status.OPEN)
        client = Client()
        client.force_login(User.objects.get(email="deelnemer@burgerberaad.example"))
        page = client.get(
            reverse("recommendations:vote", kwargs={"slug": assembly.slug, "number": ballot.number})
        )
        assert page.status_code == 200 and not page.context["refusal"]
        first_field = next(iter(page.context["form"].fields))
        receipt = client.post(
            reverse(
                "recommendations:vote_cast",
                kwargs={"slug": assembly.slug, "number": ballot.number},
            ),
            {first_field: "1" if first_field.startswith("rank_") else "for"},
        )
    assert receipt.status_code == 200
    assert VoterMark.objects.filter(ballot=ballot).count() == 1


def test_the_completed_demo_has_responses_and_a_record_that_agrees_with_itself() -> None:
    _seed()
    completed = Assembly.objects.get(slug="afgerond")
    responses = GovernmentResponse.objects.filter(recommendation__assembly=completed)
    assert responses.exists()
    assert responses.exclude(status=GovernmentResponse.Status.UNDER_STUDY).exists()
    weekends = list(Weekend.objects.filter(assembly=completed).order_by("number"))
    # The minutes count as many members present as the attendance list.
    for minutes in Minutes.objects.filter(assembly=completed, approved_at__isnull=False):
        present = (
            CheckIn.objects.filter(weekend=minutes.weekend).values("member_id").distinct().count()
        )
        assert f" {present} deelnemers aanwezig" in minutes.body
    assert Minutes.objects.filter(assembly=completed, approved_at__isnull=False).count() == 7
    # The lottery was drawn before the first weekend, not on the day of the seed.
    draw = SelectionDraw.objects.get(run__assembly=completed)
    assert draw.drawn_at.date() < weekends[0].starts_on
    assert draw.run.committed_at is not None and draw.run.committed_at <= draw.drawn_at
    client = Client()
    client.force_login(User.objects.get(email="griffie@burgerberaad.example"))
    report = client.get(reverse("recommendations:report_final", kwargs={"slug": completed.slug}))
    assert report.status_code == 200
    assert responses.first().text in report.content.decode()  # type: ignore[union-attr]
    # Every recommendation that reached its final text was voted on.
    from recommendations.models import Recommendation

    assert not Recommendation.objects.filter(
        assembly=completed, status=Recommendation.Status.FINAL
    ).exists()


def test_each_demo_member_login_has_one_name() -> None:
    _seed()
    for email, name, kind, *_ in DEMO_PEOPLE:
        if kind != RoleKind.MEMBER:
            continue
        member = PanelMember.objects.select_related("registration__invitation__resident").get(
            assembly__slug="drugsbeleid", user__email=email
        )
        resident = member.registration.invitation.resident
        assert member.user is not None and member.user.full_name == name
        assert member.registration.full_name == name
        assert resident is not None and f"{resident.given_names} {resident.surname}" == name
