"""Reminders before the registration deadline, sent once per invitee per reminder.

The schedule of an assembly is a django-celery-beat PeriodicTask that runs
daily and carries the days before the deadline (default 7 and 2) in its
kwargs; the organiser changes it on a page. The InvitationReminder row, unique
per invitation and day, is the claim that makes a second send impossible.

A reminder belongs to a deadline: when the organiser moves the deadline, the
schedule counts back from the new one, and whoever was told the old date hears
the new one. Someone reminded on or after the day a reminder is planned for
does not get it again (no two reminders for one step of the schedule).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from assembly.mail_sending import MailRefused, refused_for_good, without_addresses
from assembly.models import Assembly, User
from assembly.schedules import daily_crontab
from participants.letters import (
    contact_address,
    invitee_context,
)
from participants.models import Invitation, InvitationReminder

logger = logging.getLogger(__name__)

DEFAULT_DAYS_BEFORE = (7, 2)
DEFAULT_HOUR = 9
# No reminder until the invitation is this many days old (calendar days): a
# letter is still in the post for a day or two, and "U hebt nog niet
# gereageerd" the morning after the e-mail is pushy, not a reminder.
MIN_INVITATION_AGE_DAYS = 2
TASK_NAME = "participants.tasks.reminders_send_task"


@dataclass(frozen=True)
class ReminderSchedule:
    days_before: list[int] = field(default_factory=lambda: list(DEFAULT_DAYS_BEFORE))
    hour: int = DEFAULT_HOUR
    enabled: bool = True
    saved: bool = False  # False: nobody has saved it; these are the defaults


def _task_name(assembly: Assembly) -> str:
    return f"herinneringen-burgerberaad-{assembly.pk}"


def reminder_schedule_get(*, assembly: Assembly) -> ReminderSchedule:
    task = PeriodicTask.objects.filter(name=_task_name(assembly)).select_related("crontab").first()
    if task is None:
        return ReminderSchedule()
    kwargs = json.loads(task.kwargs or "{}")
    days = [int(day) for day in kwargs.get("days_before", DEFAULT_DAYS_BEFORE)]
    hour = int(task.crontab.hour) if task.crontab and task.crontab.hour.isdigit() else DEFAULT_HOUR
    return ReminderSchedule(days_before=days, hour=hour, enabled=task.enabled, saved=True)


@transaction.atomic
def reminder_schedule_save(
    *,
    assembly: Assembly,
    days_before: list[int],
    hour: int = DEFAULT_HOUR,
    enabled: bool = True,
    saved_by: User | None = None,
) -> PeriodicTask:
    """Create or change the daily beat task that sends this assembly's reminders."""
    days = sorted({int(day) for day in days_before}, reverse=True)
    crontab = daily_crontab(hour=hour)
    task, _created = PeriodicTask.objects.update_or_create(
        name=_task_name(assembly),
        defaults={
            "task": TASK_NAME,
            "crontab": crontab,
            "interval": None,
            "kwargs": json.dumps({"assembly_id": assembly.pk, "days_before": days}),
            "enabled": enabled,
            "description": f"assembly={assembly.pk}",
        },
    )
    logger.info(
        "reminder schedule saved assembly=%s days=%s hour=%s enabled=%s by=%s",
        assembly.pk, days, hour, enabled, saved_by.pk if saved_by else None,
    )
    return task


def reminder_schedule_ensure(*, assembly: Assembly) -> None:
    """The default schedule, unless the organiser has saved one."""
    if not PeriodicTask.objects.filter(name=_task_name(assembly)).exists():
        reminder_schedule_save(assembly=assembly, days_before=list(DEFAULT_DAYS_BEFORE))


def reminder_due(*, deadline: dt.date, days_before: list[int], today: dt.date) -> int | None:
    """Which reminder is due today: the latest one whose day has come, before the deadline.

    A beat that missed a day (workers down) still sends that reminder the next
    day; when two are due at once, only the later one goes out.
    """
    due = [days for days in days_before if deadline - dt.timedelta(days=days) <= today <= deadline]
    return min(due) if due else None


def reminder_due_on(*, deadline: dt.date, days_before: int) -> dt.date:
    """The day the reminder `days_before` days before `deadline` is planned for."""
    return deadline - dt.timedelta(days=days_before)


def reminder_recipients(
    *, assembly: Assembly, days_before: int, today: dt.date | None = None
) -> QuerySet[Invitation]:
    """Invitees with an e-mail address who have had their invitation at least
    MIN_INVITATION_AGE_DAYS days ago (by e-mail and by letter), have not
    answered, and have had no reminder since the day this one is planned for."""
    today = today or timezone.localdate()
    deadline = assembly.registration_deadline
    assert deadline is not None, "no reminders without a deadline"
    # The start of the first day on which an invitation is still too new.
    too_new = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=MIN_INVITATION_AGE_DAYS - 1), dt.time.min)
    )
    return (
        Invitation.objects.filter(assembly=assembly, resident__isnull=False)
        .filter(Q(emailed_at__isnull=False) | Q(letter_produced_at__isnull=False))
        .exclude(emailed_at__gte=too_new)
        .exclude(letter_produced_at__gte=too_new)
        .exclude(resident__email="")
        .exclude(
            status__in=[
                Invitation.Status.REGISTERED,
                Invitation.Status.DECLINED,
                Invitation.Status.BOUNCED,
            ]
        )
        .filter(registration__isnull=True)
        .exclude(
            reminders__due_on__gte=reminder_due_on(deadline=deadline, days_before=days_before)
        )
        .select_related("resident")
        .order_by("pk")
    )


def _reminder_email(invitation: Invitation, assembly: Assembly, days_left: int
                    ) -> EmailMultiAlternatives:
    context = {
        **invitee_context(invitation),
        "assembly": assembly,
        "deadline": assembly.registration_deadline,
        # The days really left: a reminder can go out later than its own day.
        "days_left": days_left,
        "contact": contact_address(),
        "about_url": settings.SITE_URL + assembly.get_absolute_url(),
    }
    subject = render_to_string("participants/email/reminder_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject, render_to_string("participants/email/reminder.txt", context), None,
        [str(context["email"])],
        # The page behind it has the button ‘Ik doe niet mee’: then no reminders follow.
        headers={"List-Unsubscribe": f"<{context['url']}>"},
    )
    message.attach_alternative(
        render_to_string("participants/email/reminder.html", context), "text/html"
    )
    return message


def reminder_send_once(
    *, invitation: Invitation, days_before: int, due_on: dt.date, message: EmailMultiAlternatives
) -> bool:
    """Send one reminder unless it was claimed already. Returns True if this call sent it.

    At most once: a worker killed between the claim and the server's answer
    leaves the claim undelivered and nobody sends it again."""
    try:
        with transaction.atomic():
            reminder = InvitationReminder.objects.create(
                invitation=invitation, days_before=days_before, due_on=due_on, delivered=False
            )
    except IntegrityError:
        return False
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        # The connection broke, perhaps after the final dot: the server may
        # have it. The claim stays (counted as uncertain), so no retry sends
        # it a second time.
        logger.warning("reminder unconfirmed invitation=%s", invitation.pk)
        raise
    except Exception as error:
        # Refused or no connection: the server does not have it, so remove the
        # claim and let the retry send it.
        InvitationReminder.objects.filter(pk=reminder.pk).delete()
        if refused_for_good(error):
            # The address does not work: no retry, and no later reminder.
            Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.BOUNCED)
            logger.warning("reminder refused invitation=%s", invitation.pk)
            return False
        # Without the address: the exception reaches Celery's log.
        raise without_addresses(error) from None
    InvitationReminder.objects.filter(pk=reminder.pk).update(delivered=True)
    return True


class RemindersDeferred(OSError):
    """Some addresses were refused for now (4xx: a full mailbox, greylisting).
    The others went out; a retry of the task sends these."""


def reminders_send_due(
    *, assembly_id: int, days_before: list[int] | None = None, today: dt.date | None = None
) -> int:
    """Send the reminder that is due today, if any. Returns how many were sent.

    The schedule the organiser saved counts, not the `days_before` the task
    was queued with: a task retried or queued late after the organiser turned
    the reminders off or changed the days must not follow the old schedule."""
    assembly = Assembly.objects.get(pk=assembly_id)
    if assembly.registration_deadline is None:
        return 0
    schedule = reminder_schedule_get(assembly=assembly)
    if schedule.saved:
        if not schedule.enabled or not schedule.days_before:
            logger.info("reminders switched off assembly=%s", assembly_id)
            return 0
        days_before = schedule.days_before
    today = today or timezone.localdate()
    due = reminder_due(
        deadline=assembly.registration_deadline,
        days_before=list(days_before or DEFAULT_DAYS_BEFORE),
        today=today,
    )
    if due is None:
        return 0
    due_on = reminder_due_on(deadline=assembly.registration_deadline, days_before=due)
    days_left = (assembly.registration_deadline - today).days
    sent = deferred = 0
    connection = get_connection()
    with translation.override(settings.LANGUAGE_CODE), connection:
        recipients = reminder_recipients(assembly=assembly, days_before=due, today=today)
        for invitation in recipients.iterator(chunk_size=1_000):
            message = _reminder_email(invitation, assembly, days_left)
            message.connection = connection
            try:
                if reminder_send_once(
                    invitation=invitation, days_before=due, due_on=due_on, message=message
                ):
                    sent += 1
            except MailRefused:
                # This address only, for now: go on with the others, so one
                # full mailbox does not hold up everyone after it.
                deferred += 1
    logger.info(
        "reminders sent assembly=%s days_before=%s count=%s deferred=%s",
        assembly_id, due, sent, deferred,
    )
    if deferred:
        raise RemindersDeferred(f"{deferred} reminders refused for now; retrying")
    return sent


@dataclass(frozen=True)
class ReminderLine:
    days_before: int
    day: dt.date | None
    sent: int
    # Claimed by a worker that stopped before the mail server answered: these
    # may not have arrived, and are not sent again.
    uncertain: int = 0


def reminder_sent_counts(*, assembly: Assembly) -> list[ReminderLine]:
    """Per reminder (planned for the current deadline, or sent before the
    deadline or the schedule changed): its day and how many, by date.

    A reminder sent for an earlier deadline keeps its own line and day: the
    organiser must not read the old reminder as the new one already sent."""
    schedule = reminder_schedule_get(assembly=assembly)
    rows = (
        InvitationReminder.objects.filter(invitation__assembly=assembly)
        .values("days_before", "due_on", "delivered")
        .annotate(n=Count("pk"))
        .values_list("days_before", "due_on", "delivered", "n")
    )
    sent: dict[tuple[int, dt.date | None], int] = {}
    uncertain: dict[tuple[int, dt.date | None], int] = {}
    for days, due_on, delivered, n in rows:
        counts = sent if delivered else uncertain
        counts[(days, due_on)] = counts.get((days, due_on), 0) + n
    deadline = assembly.registration_deadline
    planned = {
        (days, reminder_due_on(deadline=deadline, days_before=days) if deadline else None)
        for days in schedule.days_before
    }
    keys = sorted(
        planned | set(sent) | set(uncertain),
        key=lambda key: (key[1] or dt.date.min, -key[0]),
    )
    return [
        ReminderLine(
            days_before=days,
            day=day,
            sent=sent.get((days, day), 0),
            uncertain=uncertain.get((days, day), 0),
        )
        for days, day in keys
    ]
