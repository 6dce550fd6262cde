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
