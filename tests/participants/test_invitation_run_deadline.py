"""No letters or e-mails once the registration has closed: they would invite
people to sign up 'before the end of' a day that has passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import Assembly
from participants.models import InvitationRun
from participants.services import invitations as services
from tests.conftest import Cast
from tests.participants.test_invitations import _login, make_residents

OnCommit = Callable[..., Any]


def test_no_invitations_go_out_after_the_registration_closed(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 5, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=5, seed="te-laat")
    today = timezone.localdate()
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=today - dt.timedelta(days=1)
    )
    url = reverse(
        "participants:invitation_run_start",
        kwargs={"slug": cast.assembly.slug, "draw_id": draw.pk},
    )

    with django_capture_on_commit_callbacks(execute=True):
        page = _login(client, cast).post(url, {"kind": "emails"}, follow=True)

    assert "De aanmelding sloot op" in page.content.decode()
    assert mail.outbox == []
    assert not InvitationRun.objects.exists()

    # On the last day itself the invitations still go out.
    Assembly.objects.filter(pk=cast.assembly.pk).update(registration_deadline=today)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "emails"})
    assert len(mail.outbox) == 5


def test_letters_close_to_the_deadline_need_a_tick_and_e_mails_do_not(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # Print house plus post take about a week: letters made 6 days before the
    # deadline may arrive after it.
    make_residents(cast.assembly, 5, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=5, seed="krap")
    today = timezone.localdate()
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=today + dt.timedelta(days=services.LETTER_DELIVERY_DAYS - 1)
    )
    slug = cast.assembly.slug
    url = reverse("participants:invitation_run_start", kwargs={"slug": slug, "draw_id": draw.pk})
    _login(client, cast)
    warning = "Brieven die u nu maakt, komen misschien pas na die datum aan."

    hub = client.get(reverse("participants:invitations", kwargs={"slug": slug})).content.decode()
    assert warning in hub
    assert f'name="late_confirmed" value="yes" id="late-{draw.pk}" required' in hub

    page = client.post(url, {"kind": "letters"}, follow=True).content.decode()
    assert warning in page and "Zet dan een vinkje" in page
    assert not InvitationRun.objects.exists()

    # E-mails arrive the same day: no question asked.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "emails"})
    assert InvitationRun.objects.filter(kind=InvitationRun.Kind.EMAILS).count() == 1

    client.post(url, {"kind": "letters", "late_confirmed": "yes"})
    assert InvitationRun.objects.filter(kind=InvitationRun.Kind.LETTERS).count() == 1


def test_letters_a_week_or_more_before_the_deadline_need_no_tick(
    cast: Cast, client: Client
) -> None:
    make_residents(cast.assembly, 5, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=5, seed="ruim")
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=timezone.localdate()
        + dt.timedelta(days=services.LETTER_DELIVERY_DAYS)
    )
    slug = cast.assembly.slug
    _login(client, cast)

    hub = client.get(reverse("participants:invitations", kwargs={"slug": slug})).content.decode()
    assert "late_confirmed" not in hub
    client.post(
        reverse("participants:invitation_run_start", kwargs={"slug": slug, "draw_id": draw.pk}),
        {"kind": "letters"},
    )
    assert InvitationRun.objects.filter(kind=InvitationRun.Kind.LETTERS).count() == 1


def test_a_letter_that_does_not_fit_one_page_is_not_printed(cast: Cast) -> None:
    """A very long question: even at the smallest letter the last lines (the
    deadline, the contact address) would fall in the printer's blank edge."""
    make_residents(cast.assembly, 3, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=3, seed="te-lang")
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=timezone.localdate() + dt.timedelta(days=30),
        question="Hoe kan het drugsbeleid beter, en wat vinden de mensen ervan? " * 40,
    )
    cast.assembly.refresh_from_db()
    try:
        services.invitation_run_start(draw=draw, kind=InvitationRun.Kind.LETTERS)
    except services.InvitationRunRefused as refused:
        assert "past niet op één bladzijde" in str(refused)
    else:
        raise AssertionError("a letter run started with a letter that does not fit")
    assert not InvitationRun.objects.exists()
    # E-mails have no page to fit.
    services.invitation_run_start(draw=draw, kind=InvitationRun.Kind.EMAILS)
