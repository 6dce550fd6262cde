"""Reminders as an invitee and an organiser meet them: a moved deadline, a
schedule changed or switched off while a task waits, and the way to stop them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assembly.models import Assembly
from participants.codes import code_display
from participants.letters import letter_text
from participants.models import Invitation, InvitationReminder, InvitationRun
from participants.services import invitations as services
from participants.services import reminders
from participants.tasks import reminders_send_task
from tests.conftest import Cast
from tests.participants.test_invitations import make_residents

OnCommit = Callable[..., Any]
DEADLINE = dt.date(2027, 1, 20)


@pytest.fixture
def invited(cast: Cast, django_capture_on_commit_callbacks: OnCommit) -> Iterator[list[str]]:
    Assembly.objects.filter(pk=cast.assembly.pk).update(registration_deadline=DEADLINE)
    make_residents(cast.assembly, 4, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=4, seed="herinnering")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_run_start(draw=draw, kind=InvitationRun.Kind.EMAILS)
    mail.outbox.clear()
    yield sorted(Invitation.objects.values_list("resident__email", flat=True))


def _send(cast: Cast, day: dt.date) -> int:
    return reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=day)


def _move_deadline(cast: Cast, deadline: dt.date) -> None:
    Assembly.objects.filter(pk=cast.assembly.pk).update(registration_deadline=deadline)
    cast.assembly.refresh_from_db()


def test_a_later_deadline_gets_its_own_reminders(cast: Cast, invited: list[str]) -> None:
    assert _send(cast, dt.date(2027, 1, 13)) == 4
    assert _send(cast, dt.date(2027, 1, 18)) == 4
    # Few sign-ups: the organiser gives everyone eleven days more.
    _move_deadline(cast, dt.date(2027, 1, 31))
    mail.outbox.clear()

    assert _send(cast, dt.date(2027, 1, 23)) == 0
    assert _send(cast, dt.date(2027, 1, 24)) == 4
    assert sorted(message.to[0] for message in mail.outbox) == invited
    assert "31 januari 2027" in mail.outbox[0].body
    assert _send(cast, dt.date(2027, 1, 24)) == 0
    assert _send(cast, dt.date(2027, 1, 29)) == 4
    assert "31 januari 2027" in mail.outbox[-1].body
    assert _send(cast, dt.date(2027, 1, 30)) == 0


def test_a_deadline_moved_by_a_few_days_does_not_repeat_a_reminder_just_sent(
    cast: Cast, invited: list[str]
) -> None:
    assert _send(cast, dt.date(2027, 1, 13)) == 4
    assert _send(cast, dt.date(2027, 1, 18)) == 4
    _move_deadline(cast, dt.date(2027, 1, 22))
    mail.outbox.clear()

    # The 7-day reminder of the new deadline was due on 15 January: everyone
    # has had a reminder since, so nobody gets a third in two days.
    assert _send(cast, dt.date(2027, 1, 19)) == 0
    assert _send(cast, dt.date(2027, 1, 20)) == 4
    assert "tot en met vrijdag 22 januari 2027. Dat is over 2 dagen." in mail.outbox[0].body
    assert "22 januari 2027" in mail.outbox[0].body
    assert InvitationReminder.objects.count() == 12


def test_a_queued_task_follows_the_schedule_as_it_is_now(cast: Cast, invited: list[str]) -> None:
    # Saved by the organiser: only 3 days before. A task queued (or retried)
    # with the old kwargs sends nothing on the old 7-day day.
    reminders.reminder_schedule_save(assembly=cast.assembly, days_before=[3])
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[7, 2], today=dt.date(2027, 1, 13)
    ) == 0
    assert mail.outbox == []
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[7, 2], today=dt.date(2027, 1, 17)
    ) == 4


def test_switched_off_reminders_are_not_sent_by_a_task_still_waiting(
    cast: Cast, invited: list[str], settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    reminders.reminder_schedule_save(assembly=cast.assembly, days_before=[7, 2], enabled=False)
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[7, 2], today=dt.date(2027, 1, 13)
    ) == 0
    assert reminders_send_task.apply(args=(cast.assembly.pk, [7, 2])).get() == 0
    assert mail.outbox == []
    assert not InvitationReminder.objects.exists()


def test_the_emails_say_how_to_stop_and_the_link_stops_the_reminders(
    cast: Cast, invited: list[str], client: Client
) -> None:
    invitation = Invitation.objects.order_by("pk").first()
    assert invitation is not None
    email = invitation.resident.email if invitation.resident else ""
    assert _send(cast, dt.date(2027, 1, 13)) == 4
    reminder = next(message for message in mail.outbox if message.to == [email])
    stop = "Open dan de link hierboven en kies ‘Ik doe niet mee’."
    assert stop in reminder.body
    assert "Dan hoeft u niets te doen" not in reminder.body
    html = reminder.alternatives[0][0]
    assert isinstance(html, str) and "Ik doe niet mee" in html
    link = re.search(r"https?://\S+/aanmelden/\?code=\w+", reminder.body)
    assert link is not None
    assert reminder.extra_headers["List-Unsubscribe"] == f"<{link.group(0)}>"
    # The invitation e-mail says the same.
    first = services.invitation_email(invitation, letter_text(cast.assembly))
    assert stop in first.body and first.extra_headers["List-Unsubscribe"] == f"<{link.group(0)}>"

    address = urlsplit(link.group(0))
    page = client.get(f"{address.path}?{address.query}")
    assert page.status_code == 200
    code = link.group(0).rsplit("=", 1)[1]
    # Shown in the letter's groups (ABCD-EFGH-JKL), the same code.
    assert page.context["form"].initial["code"] == code_display(code)
    asked = client.post(reverse("participants:register_start"),
                        {"code": code, "action": "decline"})
    assert asked.status_code == 302
    client.post(reverse("participants:register_decline"))
    mail.outbox.clear()

    assert _send(cast, dt.date(2027, 1, 18)) == 3
    assert email not in [message.to[0] for message in mail.outbox]


def test_the_organiser_sees_the_reminders_of_the_old_deadline_apart(
    cast: Cast, invited: list[str], client: Client
) -> None:
    assert _send(cast, dt.date(2027, 1, 13)) == 4
    assert _send(cast, dt.date(2027, 1, 18)) == 4
    _move_deadline(cast, dt.date(2027, 1, 31))

    lines = [(line.days_before, line.day, line.sent)
             for line in reminders.reminder_sent_counts(assembly=cast.assembly)]

    # Not "24 January: 4 sent" before anything went out for the new deadline.
    assert lines == [
        (7, dt.date(2027, 1, 13), 4),
        (2, dt.date(2027, 1, 18), 4),
        (7, dt.date(2027, 1, 24), 0),
        (2, dt.date(2027, 1, 29), 0),
    ]
    client.force_login(cast.users["organiser"])
    url = reverse("participants:reminder_schedule", kwargs={"slug": cast.assembly.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "Verschuift u de sluitingsdatum?" in page.content.decode()


def test_a_deadline_in_the_past_is_refused_and_a_moved_one_is_flagged(
    cast: Cast, invited: list[str]
) -> None:
    """The e-mails already name 20 January: moving the date is allowed (more
    time to sign up), but the organiser is told the letters say otherwise; a
    date already gone is a typing error."""
    client = Client()
    client.force_login(cast.users["organiser"])
    url = reverse("participants:reminder_schedule", kwargs={"slug": cast.assembly.slug})
    form = {"days_before": "7, 2", "hour": "9", "enabled": "on"}

    past = client.post(url, {**form, "registration_deadline": "2020-01-01"})
    assert past.status_code == 200
    assert "Deze datum is al voorbij." in past.content.decode()
    cast.assembly.refresh_from_db()
    assert cast.assembly.registration_deadline == DEADLINE

    moved = client.post(url, {**form, "registration_deadline": "2027-01-31"}, follow=True)
    assert "noemen nog de oude datum (20 januari 2027)" in moved.content.decode()
    cast.assembly.refresh_from_db()
    assert cast.assembly.registration_deadline == dt.date(2027, 1, 31)
