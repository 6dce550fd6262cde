"""Writes about a weekend itself: its title, dates and venue (the practical
information), and the e-mail that tells members, and the experts with a
session that weekend, when the dates or the venue of a published weekend
change.

The edit writes a WeekendChange (the weekend before and after) in its own
transaction; a task sends the e-mail a few minutes later. Why wait: an
organiser often saves the venue page, spots a typo and saves again. Edits
saved while the e-mail waits join it, so members get one e-mail with the net
change, and none when everything was put back. Five minutes is short enough
for a venue that changes on the morning of the weekend itself.

The task is queued on commit, with a countdown; when the queue is down, the
sweep (celery beat, every minute) sends what is due. Both claim the change by
setting ``notified_at`` (an update filtered on its being empty) and write the
claim rows (ProgrammeReminder, unique per person and key) and the e-mails to
the outbox in that same transaction: a task run twice, or beside the sweep,
sends each e-mail once. Logs and the audit log hold ids only.

New dates also free the claims of the reminders before the weekend that are
due again for those dates (see _reminder_claims_for_new_dates).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly.models import User, in_reader_language
from assembly.outbox import outbox_queue
from assembly.queueing import queue_or_leave_to_sweep
from assembly.services import audit_record
from sessions import calendars
from sessions.models import Expert, ProgrammeReminder, Session, Weekend, WeekendChange
from sessions.services.schedule import (
    MailPerLanguage,
    ScheduleRefused,
    expert_reminder_claims_free,
    local_moment,
    local_zone,
    members_not_yet_told,
    reminder_schedule_get,
    reminder_still_ahead,
    weekend_days,
)

logger = logging.getLogger(__name__)

# What an organiser changes on the weekend's own page.
# The help beside the first date, in both forms that edit a weekend (the
# organiser's page and the admin): what weekend_update does with sessions.
MOVE_HELP = gettext_lazy("Verschuift u het hele weekend? Dan schuiven de onderdelen mee.")

WEEKEND_FIELDS = (
    "title",
    "title_en",
    "starts_on",
    "ends_on",
    "venue_name",
    "city",
    "venue_address",
    "route",
    "route_en",
    "accessibility",
    "accessibility_en",
    "hotel",
    "hotel_en",
)

# How long a change waits for the organiser's corrections before it is sent.
CHANGE_WINDOW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class _Item:
    """One line of the practical information members read: the fields that
    hold its facts, and the English version of a text (if it has one)."""

    key: str
    fields: tuple[str, ...]
    english: str = ""


ITEMS = (
    _Item("when", ("starts_on", "ends_on")),
    _Item("where", ("venue_name", "city")),
    _Item("address", ("venue_address",)),
    _Item("route", ("route",), "route_en"),
    _Item("accessibility", ("accessibility",), "accessibility_en"),
    _Item("hotel", ("hotel",), "hotel_en"),
)
# The fields a WeekendChange keeps, before and after.
NOTICE_FIELDS = tuple(
    name for item in ITEMS for name in (*item.fields, *([item.english] if item.english else []))
)
# The headings the members' page uses for the same lines.
_LABELS = {
    "when": gettext_lazy("Wanneer"),
    "where": gettext_lazy("Waar"),
    "address": gettext_lazy("Adres"),
    "route": gettext_lazy("Zo komt u er"),
    "accessibility": gettext_lazy("Toegankelijkheid"),
    "hotel": gettext_lazy("Hotel"),
}


def _snapshot(weekend: Weekend) -> dict[str, str]:
    return {name: str(getattr(weekend, name)) for name in NOTICE_FIELDS}


@dataclass(frozen=True)
class ChangedItem:
    """One line of the practical information that changed, old and new in the
    language the e-mail is being written in (read while it is rendered)."""

    item: _Item
    before: Mapping[str, str]
    after: Mapping[str, str]

    @property
    def label(self) -> str:
        return str(_LABELS[self.item.key])

    @property
    def old(self) -> str:
        return self._shown(self.before)

    @property
    def new(self) -> str:
        return self._shown(self.after)

    def _shown(self, values: Mapping[str, str]) -> str:
        if self.item.key == "when":
            start, end = (dt.date.fromisoformat(values[name]) for name in self.item.fields)
            text = formats.date_format(start, "l j F Y")
            if end != start:
                text = _("%(start)s tot en met %(end)s") % {
                    "start": text,
                    "end": formats.date_format(end, "l j F Y"),
                }
            return text
        text = ", ".join(values[name].strip() for name in self.item.fields if values[name].strip())
        english = self.item.english
        # The English only where the organiser changed it too: an English text
        # left as it was may still describe the old route or hotel.
        if english and self.before[english] != self.after[english]:
            text = in_reader_language(text, values[english])
        return text or _("(niet ingevuld)")


def changed_items(*, before: Mapping[str, str], after: Mapping[str, str]) -> list[ChangedItem]:
    """The lines whose facts changed. A new or changed English version alone is
    a translation, not news: it sends nothing."""
    return [
        ChangedItem(item, before, after)
        for item in ITEMS
        if any(before[name] != after[name] for name in item.fields)
    ]


def change_has_news(*, change: WeekendChange) -> bool:
    return bool(changed_items(before=change.before, after=change.after))


# ---------------------------------------------------------------- the edit


def check_weekend_dates(
    *, starts_on: dt.date, ends_on: dt.date, old_starts_on: dt.date, today: dt.date
) -> None:
    """New dates for a weekend: the last day not before the first, and not for a
    weekend that has begun (check-ins and allowances count its days)."""
    if ends_on < starts_on:
        raise ScheduleRefused(_("De laatste dag kan niet voor de eerste dag liggen."))
    if old_starts_on <= today:
        raise ScheduleRefused(_("Dit weekend is al begonnen. De data kunnen niet meer veranderen."))


def check_weekend_days_free(
    *, assembly_id: int, starts_on: dt.date, ends_on: dt.date, weekend_id: int | None = None
) -> None:
    """No other weekend of the assembly on any of these days: the check-in of a
    day belongs to the one weekend of that day (its attendance, its absence
    flags and the allowance of the day follow it)."""
    others = Weekend.objects.filter(
        assembly_id=assembly_id, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if weekend_id is not None:
        others = others.exclude(pk=weekend_id)
    other = others.order_by("starts_on", "number").first()
    if other is not None:
        raise ScheduleRefused(
            _("Op deze dagen is al weekend %(number)s. Kies andere data.")
            % {"number": other.number}
        )


def _sessions_on_new_days(
    weekend: Weekend, *, old_start: dt.date, old_end: dt.date
) -> list[Session]:
    """The sessions that move with the weekend's new days (``weekend`` has
    them, unsaved), with their new times set but not saved. Refuses a change
    that leaves a session outside the weekend, naming it.

    A weekend moved as a whole (both days by the same number of days) takes
    its sessions along: same day of the weekend, same clock time. Otherwise
    (a day added or dropped) sessions keep their date, which must still be a
    day of the weekend.
    """
    shift = weekend.starts_on - old_start
    if weekend.ends_on - old_end != shift:
        shift = dt.timedelta(0)
    days = weekend_days(weekend)
    zone = local_zone()
    now = timezone.now()
    moved = []
    for session in Session.objects.filter(weekend=weekend).order_by("starts_at", "pk"):
        start = timezone.localtime(session.starts_at, zone)
        end = timezone.localtime(session.ends_at, zone)
        if start.date() + shift not in days:
            if session.cancelled_at is not None:
                # It does not take place: it keeps its day, and cannot be
                # restored on a day that is no longer part of the weekend.
                continue
            raise ScheduleRefused(
                _(
                    "‘%(title)s’ staat op %(day)s. Die dag hoort dan niet meer bij het "
                    "weekend. Verplaats of verwijder dat onderdeel eerst."
                )
                % {
                    "title": session.shown_title,
                    "day": formats.date_format(start.date(), "l j F Y"),
                }
            )
        if not shift:
            continue
        starts_at = local_moment(start.date() + shift, start.time())
        ends_at = local_moment(end.date() + shift, end.time())
        if starts_at is None or ends_at is None:
            raise ScheduleRefused(
                _(
                    "‘%(title)s’ zou dan beginnen of eindigen in het uur dat de klok "
                    "vooruit gaat. Verander eerst de tijd van dat onderdeel."
                )
                % {"title": session.shown_title}
            )
        session.starts_at, session.ends_at, session.updated_at = starts_at, ends_at, now
        session.calendar_sequence += 1
        moved.append(session)
    return moved


def _new_dates_checked(
    weekend: Weekend, *, old_start: dt.date, old_end: dt.date, today: dt.date
) -> list[Session]:
    """Every rule for new dates, in one place: the edit and its check both run it."""
    check_weekend_dates(
        starts_on=weekend.starts_on, ends_on=weekend.ends_on, old_starts_on=old_start, today=today
    )
    check_weekend_days_free(
        assembly_id=weekend.assembly_id,
        starts_on=weekend.starts_on,
        ends_on=weekend.ends_on,
        weekend_id=weekend.pk,
    )
    return _sessions_on_new_days(weekend, old_start=old_start, old_end=old_end)


def check_weekend_update(
    *, weekend: Weekend, data: Mapping[str, Any], today: dt.date | None = None
) -> None:
    """Raise ScheduleRefused, with the reason, when weekend_update would refuse
    ``data``; writes nothing. For a form that shows the refusal beside its
    fields before anything is saved (the Django admin). The edit checks again
    under its lock: a session added in between is still caught."""
    current = Weekend.objects.get(pk=weekend.pk)
    old_start, old_end = current.starts_on, current.ends_on
    current.starts_on = data.get("starts_on") or old_start
    current.ends_on = data.get("ends_on") or old_end
    if (current.starts_on, current.ends_on) != (old_start, old_end):
        _new_dates_checked(
            current, old_start=old_start, old_end=old_end, today=today or timezone.localdate()
        )


def _reminder_claims_for_new_dates(
    weekend: Weekend, moved: list[Session], *, now: dt.datetime
) -> int:
    """Free the reminders that the new dates make due again; returns how many claims went.

    A reminder is claimed by its ProgrammeReminder row (``key`` is the days
    before the weekend, or ``session-<id>`` for an expert's slot); while the
    row exists it is never sent again. After a move that row would stop the
    reminder for the new dates. The rule, shared with a session moved on its
    own, is schedule.reminder_still_ahead: freed when the due moment for the
    new dates is still ahead, kept when it has passed. The daily run takes the
    weekend's lock too (schedule._member_reminders, schedule._expert_reminders),
    so it sends either before this move (and the row is freed here) or after
    it, with the new dates.
    """
    plan = reminder_schedule_get(assembly=weekend.assembly)
    member_claims = [
        pk
        for pk, key in ProgrammeReminder.objects.filter(
            weekend=weekend, kind=ProgrammeReminder.Kind.WEEKEND
        ).values_list("pk", "key")
        if key.isdigit()
        and reminder_still_ahead(
            plan=plan, day=weekend.starts_on - dt.timedelta(days=int(key)), now=now
        )
    ]
    freed = 0
    if member_claims:
        freed, _by_model = ProgrammeReminder.objects.filter(pk__in=member_claims).delete()
    return freed + expert_reminder_claims_free(weekend=weekend, sessions=moved, now=now, plan=plan)


@transaction.atomic
def weekend_update(
    *,
    weekend: Weekend,
    data: dict[str, Any],
    actor: User | None,
    now: dt.datetime | None = None,
) -> Weekend:
    """Change the title, the dates and the venue of a weekend. Once it is
    published, a change members see is e-mailed to them a few minutes later,
    and the reminders before the weekend follow new dates."""
    now = now or timezone.now()
    # Two organisers editing the same weekend wait for each other; so do the
    # session writers (sessions.services.schedule), who lock it too.
    locked = Weekend.objects.select_for_update().select_related("assembly").get(pk=weekend.pk)
    before = _snapshot(locked)
    old_start, old_end = locked.starts_on, locked.ends_on
    changed = [
        name for name in WEEKEND_FIELDS if name in data and getattr(locked, name) != data[name]
    ]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name])
    moved: list[Session] = []
    freed = 0
    if (locked.starts_on, locked.ends_on) != (old_start, old_end):
        moved = _new_dates_checked(
            locked, old_start=old_start, old_end=old_end, today=timezone.localdate(now)
        )
        Session.objects.bulk_update(
            moved, ["starts_at", "ends_at", "updated_at", "calendar_sequence"]
        )
        freed = _reminder_claims_for_new_dates(locked, moved, now=now)
    fields = list(changed)
    if set(changed) & set(calendars.WEEKEND_EVENT_FIELDS):
        locked.calendar_sequence += 1
        fields.append("calendar_sequence")
    if set(changed) & set(calendars.LOCATION_FIELDS):
        # Each session's event names the venue: the ones not moved above change too.
        Session.objects.filter(weekend=locked).exclude(
            pk__in=[session.pk for session in moved]
        ).update(calendar_sequence=F("calendar_sequence") + 1, updated_at=now)
    locked.save(update_fields=fields)
    audit_record(
        action="programme.weekend_update",
        assembly=locked.assembly,
        actor=actor,
        target=locked,
        detail={"fields": changed, "sessions_moved": len(moved), "reminders_freed": freed},
    )
    if freed:
        logger.info("weekend moved weekend=%s reminder claims freed=%s", locked.pk, freed)
    if locked.published_at is not None:
        _change_record(locked, before, now=now)
    return locked


def _change_record(weekend: Weekend, before: dict[str, str], *, now: dt.datetime) -> None:
    """Write the change down, or add it to the one still waiting for its e-mail."""
    after = _snapshot(weekend)
    # Locked: the task that claims it waits until this edit has joined it, or
    # has claimed it first and this edit starts a new change.
    waiting = (
        WeekendChange.objects.select_for_update()
        .filter(weekend=weekend, notified_at__isnull=True)
        .first()
    )
    if waiting is not None:
        if waiting.before == after:
            waiting.delete()  # put back as members know it: nothing to tell
        else:
            waiting.after = after
            waiting.save(update_fields=["after"])
        return
    if before == after:
        return
    change = WeekendChange.objects.create(
        weekend=weekend, before=before, after=after, send_after=now + CHANGE_WINDOW
    )
    _queue_notify(change.pk)


def _queue_notify(change_id: int) -> None:
    from sessions.tasks_schedule import weekend_change_notify_task

    # Without a broker (development) the task runs at once: no waiting there.
    transaction.on_commit(
        lambda: queue_or_leave_to_sweep(
            weekend_change_notify_task,
            change_id,
            what="weekend change notice",
            countdown=CHANGE_WINDOW.total_seconds(),
        )
    )


# ---------------------------------------------------------------- the e-mail


def _weekend_url(weekend: Weekend) -> str:
    path = reverse("programme:my_programme", kwargs={"slug": weekend.assembly.slug})
    return f"{settings.SITE_URL}{path}#weekend-{weekend.number}"


def _weekend_experts(weekend: Weekend, skip: set[int]) -> list[tuple[Expert, User]]:
    """Each expert account with a session this weekend that is not cancelled,
    once (not in ``skip``)."""
    found: dict[int, tuple[Expert, User]] = {}
    experts = (
        Expert.objects.filter(
            sessions__weekend=weekend, sessions__cancelled_at=None, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    )
    for expert in experts:
        user = expert.user
        if user is not None and user.pk not in skip:
            found.setdefault(user.pk, (expert, user))
    return list(found.values())


@transaction.atomic
def weekend_change_notify(*, change_id: int, now: dt.datetime | None = None) -> int:
    """Send the e-mail about one change, once; returns how many went out."""
    now = now or timezone.now()
    claimed = WeekendChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if claimed != 1:
        return 0
    change = WeekendChange.objects.select_related("weekend__assembly").get(pk=change_id)
    weekend = change.weekend
    items = changed_items(before=change.before, after=change.after)
    if not items:
        logger.info("weekend change without news change=%s weekend=%s", change.pk, weekend.pk)
        return 0
    key = f"weekend-change-{change.pk}"
    already, members = members_not_yet_told(
        weekend=weekend, kind=ProgrammeReminder.Kind.WEEKEND_CHANGE, key=key
    )
    # A member who is also an expert this weekend gets the members' e-mail only.
    experts = _weekend_experts(weekend, already | {user.pk for user in members})
    context = {
        "assembly": weekend.assembly,
        "weekend": weekend,
        "items": items,
        "dates_changed": any(item.item.key == "when" for item in items),
        "url": _weekend_url(weekend),
    }
    ProgrammeReminder.objects.bulk_create(
        [
            ProgrammeReminder(
                user=user, weekend=weekend, kind=ProgrammeReminder.Kind.WEEKEND_CHANGE, key=key
            )
            for user in [*members, *(user for _expert, user in experts)]
        ]
    )
    ref = f"assembly_sessions.Weekend:{weekend.pk}"
    mail = MailPerLanguage("weekend_change", context)
    for user in members:
        subject, body = mail.for_user(user)
        outbox_queue(
            to=user.email, subject=subject, body=body, kind="programme_weekend_change", ref=ref
        )
    for expert, user in experts:
        subject, body = MailPerLanguage("weekend_change", {**context, "expert": expert}).for_user(
            user
        )
        outbox_queue(
            to=expert.email or user.email,
            subject=subject,
            body=body,
            kind="programme_weekend_change",
            ref=ref,
        )
    audit_record(
        action="programme.weekend_change_notify",
        assembly=weekend.assembly,
        target=weekend,
        detail={
            "change": change.pk,
            "items": [item.item.key for item in items],
            "members": len(members),
            "experts": len(experts),
        },
    )
    logger.info(
        "weekend change notice change=%s weekend=%s members=%s experts=%s",
        change.pk,
        weekend.pk,
        len(members),
        len(experts),
    )
    return len(members) + len(experts)


def weekend_changes_notify_due(*, now: dt.datetime | None = None) -> int:
    """The sweep: send every change whose wait is over and whose task did not
    run (the queue was down); returns how many e-mails went out."""
    now = now or timezone.now()
    due = list(
        WeekendChange.objects.filter(notified_at__isnull=True, send_after__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(weekend_change_notify(change_id=change_id, now=now) for change_id in due)
