"""Writes about the schedule: the sessions of the weekends, publication (and
the notice that a programme is ready), change notices and the reminders
before each weekend. Views and tasks call these. A weekend's own dates and
venue, and the notice when they change, are in sessions.services.weekends.

Every write leaves a line in the audit log with ids only. E-mails go through
the outbox, in the same transaction as the ProgrammeReminder row that claims
them; that row is unique per person, weekend, kind and key, so a retry, a
second click or a task run twice never sends an e-mail twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_celery_beat.models import PeriodicTask

from assembly.models import Assembly, User, in_reader_language
from assembly.outbox import outbox_queue
from assembly.schedules import daily_crontab
from assembly.selectors import submitted_before
from assembly.services import audit_record
from sessions import selectors
from sessions.models import CalendarLink, Expert, ProgrammeReminder, Session, Weekend
from sessions.selectors_materials import reading_list

logger = logging.getLogger(__name__)

SESSION_FIELDS = (
    "title",
    "title_en",
    "kind",
    "starts_at",
    "ends_at",
    "room",
    "topic",
    "description",
    "description_en",
)


# The key of the notice that a weekend's programme is ready: one per weekend.
PUBLISHED_KEY = "published"


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class ScheduleRefused(Exception):
    """The change is not possible; the message says why, in the visitor's language.

    ``field`` names the session field the refusal is about (when it is about
    one), so a form can show the message beside that field.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- checks


def weekend_days(weekend: Weekend) -> list[dt.date]:
    days = (weekend.ends_on - weekend.starts_on).days + 1
    return [weekend.starts_on + dt.timedelta(days=n) for n in range(days)]


def _same_room(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def instant(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC. Python compares two datetimes with the same tzinfo
    by their clock times, ignoring the offsets; around a change of the clock
    (a time in the skipped hour of spring) that is not the order of the
    instants the database compares."""
    return moment.astimezone(dt.UTC)


def local_moment(day: dt.date, clock: dt.time) -> dt.datetime | None:
    """``clock`` on ``day`` in the local zone, or None when the clock skips that
    time (the hour lost in the night the clock goes forward in spring)."""
    zone = local_zone()
    moment = dt.datetime.combine(day, clock, tzinfo=zone)
    back = instant(moment).astimezone(zone)
    if (back.date(), back.time()) != (day, clock):
        return None
    return moment


def _clock(moment: dt.datetime) -> str:
    return timezone.localtime(moment, local_zone()).strftime("%H:%M")


def check_session_times(
    *,
    weekend: Weekend,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str,
    exclude_ids: Iterable[int] = (),
) -> None:
    """End after start, on one day of the weekend, and the room not taken then."""
    if instant(ends_at) <= instant(starts_at):
        raise ScheduleRefused(_("De eindtijd moet na de begintijd liggen."), field="ends_at")
    zone = local_zone()
    start_day = timezone.localtime(starts_at, zone).date()
    end_day = timezone.localtime(ends_at, zone).date()
    if start_day not in weekend_days(weekend) or end_day != start_day:
        raise ScheduleRefused(
            _("Een onderdeel begint en eindigt op dezelfde dag van het weekend (%(days)s).")
            % {"days": ", ".join(day.strftime("%d-%m-%Y") for day in weekend_days(weekend))},
            field="starts_at" if start_day not in weekend_days(weekend) else "ends_at",
        )
    if not room.strip():
        return
    others = (
        Session.objects.filter(
            weekend=weekend, starts_at__lt=ends_at, ends_at__gt=starts_at, cancelled_at=None
        )
        .exclude(pk__in=list(exclude_ids))
        .order_by("starts_at")
    )
    for other in others:
        if _same_room(other.room, room):
            raise ScheduleRefused(
                _(
                    "Zaal %(room)s is dan al bezet door ‘%(title)s’ (%(start)s–%(end)s). "
                    "Kies een andere tijd of een andere zaal."
                )
                % {
                    "room": other.room,
                    "title": other.shown_title,
                    "start": _clock(other.starts_at),
                    "end": _clock(other.ends_at),
                },
                field="room",
            )


# ---------------------------------------------------------------- changes


@dataclass(frozen=True)
class Change:
    """What changed in one session, for the e-mail to members (no personal data)."""

    session_id: int
    title: str
    what: Literal["added", "moved", "cancelled"]
    before: tuple[dt.datetime, dt.datetime, str] | None = None
    after: tuple[dt.datetime, dt.datetime, str] | None = None
    title_en: str = ""

    @property
    def shown_title(self) -> str:
        """The title in the language the e-mail is written in."""
        return in_reader_language(self.title, self.title_en)


def _slot(session: Session) -> tuple[dt.datetime, dt.datetime, str]:
    return (session.starts_at, session.ends_at, session.room)


def _programme_url(assembly: Assembly) -> str:
    return settings.SITE_URL + reverse("programme:my_programme", kwargs={"slug": assembly.slug})


def _render_mail(
    template: str, context: dict[str, Any], language: str = settings.LANGUAGE_CODE
) -> tuple[str, str]:
    with translation.override(language), timezone.override(local_zone()):
        subject = render_to_string(f"sessions/email/{template}_subject.txt", context)
        body = render_to_string(f"sessions/email/{template}.txt", context)
    return " ".join(subject.split()), body


class MailPerLanguage:
    """One e-mail for many people, rendered once per language they read."""

    def __init__(self, template: str, context: dict[str, Any]) -> None:
        self.template = template
        self.context = context
        self.rendered: dict[str, tuple[str, str]] = {}

    def for_user(self, user: User) -> tuple[str, str]:
        language = user.mail_language
        if language not in self.rendered:
            self.rendered[language] = _render_mail(self.template, self.context, language)
        return self.rendered[language]


def _notify_change(
    *,
    weekend: Weekend,
    changes: Sequence[Change],
    actor: User | None,
    experts: Mapping[int, Sequence[Expert]] | None = None,
) -> int:
    """Tell the members, and the experts of the changed sessions, about a change in a
    published programme: one e-mail per batch.

    Runs inside the transaction of the change: the e-mails and their claim
    rows commit with it, or not at all.
    """
    if weekend.published_at is None or not changes:
        return 0
    event = audit_record(
        action="programme.change_notify",
        assembly=weekend.assembly,
        actor=actor,
        target=weekend,
        detail={
            "sessions": [change.session_id for change in changes],
            "what": [change.what for change in changes],
        },
    )
    return programme_change_notify(
        weekend=weekend, changes=changes, key=f"change-{event.pk}", experts=experts
    )


def session_experts(session_ids: Iterable[int]) -> dict[int, list[Expert]]:
    """The experts of each session, with their accounts."""
    links = (
        Session.experts.through.objects.filter(session_id__in=list(session_ids))
        .select_related("expert__user")
        .order_by("session_id", "expert_id")
    )
    experts: dict[int, list[Expert]] = {}
    for link in links:
        experts.setdefault(link.session_id, []).append(link.expert)
    return experts


@dataclass
class _ExpertNotice:
    expert: Expert
    user: User
    changes: list[Change]


def _expert_notices(
    changes: Sequence[Change], experts: Mapping[int, Sequence[Expert]], skip: set[int]
) -> list[_ExpertNotice]:
    """Per expert account (not in ``skip``): the changes to their own sessions."""
    notices: dict[int, _ExpertNotice] = {}
    for change in changes:
        for expert in experts.get(change.session_id, ()):
            user = expert.user
            if user is None or not user.is_active or user.pk in skip:
                continue  # no account to claim the notice with; the secretariat calls them
            notice = notices.setdefault(user.pk, _ExpertNotice(expert, user, []))
            if change not in notice.changes:
                notice.changes.append(change)
    return list(notices.values())


def members_not_yet_told(*, weekend: Weekend, kind: str, key: str) -> tuple[set[int], list[User]]:
    """Who already had the notice ``key`` of this kind (user ids), and the
    members still to tell: a notice sent again after a crash reaches only them."""
    already = set(
        ProgrammeReminder.objects.filter(weekend=weekend, kind=kind, key=key).values_list(
            "user_id", flat=True
        )
    )
    members = list(
        selectors.member_users_for(assembly=weekend.assembly)
        .exclude(pk__in=already)
        .only("pk", "email", "language")
    )
    return already, members


def programme_change_notify(
    *,
    weekend: Weekend,
    changes: Sequence[Change],
    key: str,
    experts: Mapping[int, Sequence[Expert]] | None = None,
) -> int:
    """Send one change notice to every member, and to each expert with an account
    whose session changed (about their own sessions), not yet told under ``key``;
    returns how many. ``experts``: per session id, for sessions already deleted;
    by default read from the database."""
    already, members = members_not_yet_told(
        weekend=weekend, kind=ProgrammeReminder.Kind.CHANGE, key=key
    )
    if experts is None:
        experts = session_experts(change.session_id for change in changes)
    # A member who is also the expert gets the members' notice: one e-mail.
    to_experts = _expert_notices(changes, experts, already | {user.pk for user in members})
    if not members and not to_experts:
        return 0
    context = {
        "assembly": weekend.assembly,
        "weekend": weekend,
        "changes": changes,
        "url": _programme_url(weekend.assembly),
    }
    mail = MailPerLanguage("programme_change", context)
    ProgrammeReminder.objects.bulk_create(
        [
            ProgrammeReminder(
                user=user, weekend=weekend, kind=ProgrammeReminder.Kind.CHANGE, key=key
            )
            for user in [*members, *(notice.user for notice in to_experts)]
        ]
    )
    ref = f"assembly_sessions.Weekend:{weekend.pk}"
    for user in members:
        subject, body = mail.for_user(user)
        outbox_queue(to=user.email, subject=subject, body=body, kind="programme_change", ref=ref)
    for notice in to_experts:
        subject, body = _render_mail(
            "programme_change",
            {**context, "changes": notice.changes, "expert": notice.expert},
            notice.user.mail_language,
        )
        outbox_queue(
            to=notice.expert.email or notice.user.email,
            subject=subject,
            body=body,
            kind="programme_change",
            ref=ref,
        )
    logger.info(
        "programme change notice weekend=%s key=%s members=%s experts=%s",
        weekend.pk,
        key,
        len(members),
        len(to_experts),
    )
    return len(members) + len(to_experts)


def programme_published_notify(*, weekend: Weekend) -> int:
    """Tell every member once that the weekend's programme is ready (the pages
    promise this e-mail); returns how many. The claim rows make a second
    publication, or a retry, send nothing."""
    already = ProgrammeReminder.objects.filter(
        weekend=weekend, kind=ProgrammeReminder.Kind.PUBLISHED, key=PUBLISHED_KEY
    ).values("user_id")
    recipients = list(
        selectors.member_users_for(assembly=weekend.assembly)
        .exclude(pk__in=already)
        .only("pk", "email", "language")
    )
    if not recipients:
        return 0
    mail = MailPerLanguage(
        "programme_published",
        {"assembly": weekend.assembly, "weekend": weekend, "url": _programme_url(weekend.assembly)},
    )
    ProgrammeReminder.objects.bulk_create(
        [
            ProgrammeReminder(
                user=user,
                weekend=weekend,
                kind=ProgrammeReminder.Kind.PUBLISHED,
                key=PUBLISHED_KEY,
            )
            for user in recipients
        ]
    )
    for user in recipients:
        subject, body = mail.for_user(user)
        outbox_queue(
            to=user.email,
            subject=subject,
            body=body,
            kind="programme_published",
            ref=f"assembly_sessions.Weekend:{weekend.pk}",
        )
    logger.info("programme published notice weekend=%s recipients=%s", weekend.pk, len(recipients))
    return len(recipients)


def _locked_weekend(weekend: Weekend) -> Weekend:
    # Two organisers editing the same weekend wait for each other, so the
    # room check sees the other's session.
    return Weekend.objects.select_for_update().select_related("assembly").get(pk=weekend.pk)


def _renumber(weekend: Weekend) -> None:
    sessions = list(Session.objects.filter(weekend=weekend).order_by("starts_at", "position", "pk"))
    changed = []
    for position, session in enumerate(sessions):
        if session.position != position:
            session.position = position
            changed.append(session)
    Session.objects.bulk_update(changed, ["position"])


# ---------------------------------------------------------------- weekends


@transaction.atomic
def weekend_publish(*, weekend: Weekend, actor: User | None) -> Weekend:
    """Show the weekend's programme to members and the public; later changes are sent out."""
    locked = _locked_weekend(weekend)
    if locked.published_at is not None:
        return locked
    if not Session.objects.filter(weekend=locked).exists():
        raise ScheduleRefused(_("Zet eerst onderdelen in het programma. Daarna kunt u publiceren."))
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at"])
    audit_record(
        action="programme.weekend_publish",
        assembly=locked.assembly,
        actor=actor,
        target=locked,
    )
    # From the first published weekend on, the daily reminders run (default days).
    reminder_schedule_ensure(assembly=locked.assembly)
    programme_published_notify(weekend=locked)
    logger.info("programme published weekend=%s", locked.pk)
    return locked


# ---------------------------------------------------------------- sessions


def _assembly_experts(weekend: Weekend, experts: Iterable[Expert] | None) -> list[Expert] | None:
    if experts is None:
        return None
    chosen = list(experts)
    if any(expert.assembly_id != weekend.assembly_id for expert in chosen):
        raise ScheduleRefused(_("Kies alleen deskundigen van dit burgerberaad."), field="experts")
    return chosen


def _session_checked(
    weekend: Weekend, session: Session, experts: Iterable[Expert] | None
) -> list[Expert] | None:
    """Every rule for a session's content, in one place: the writes and their
    checks all run it. Returns the experts to set (None: leave them)."""
    chosen = _assembly_experts(weekend, experts)
    check_session_times(
        weekend=weekend,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=session.room,
        exclude_ids=[session.pk] if session.pk else [],
    )
    if chosen is not None:
        speakers = chosen
    elif session.pk:
        speakers = list(session.experts.all())
    else:
        speakers = []
    _check_experts_free(weekend, session, speakers)
    return chosen


def _check_experts_free(weekend: Weekend, session: Session, experts: Sequence[Expert]) -> None:
    """An expert speaks in one room at a time."""
    if not experts or session.cancelled_at is not None:
        return
    busy = (
        Session.objects.filter(
            weekend=weekend,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
            cancelled_at=None,
            experts__in=[expert.pk for expert in experts],
        )
        .exclude(pk=session.pk)
        .prefetch_related("experts")
        .order_by("starts_at")
        .distinct()
        .first()
    )
    if busy is None:
        return
    chosen = {expert.pk for expert in experts}
    name = next(expert.name for expert in busy.experts.all() if expert.pk in chosen)
    raise ScheduleRefused(
        _(
            "%(name)s spreekt dan al bij ‘%(title)s’ (%(start)s–%(end)s). "
            "Kies een andere tijd of een andere deskundige."
        )
        % {
            "name": name,
            "title": busy.shown_title,
            "start": _clock(busy.starts_at),
            "end": _clock(busy.ends_at),
        },
        field="experts",
    )


def _new_session(weekend: Weekend, data: Mapping[str, Any]) -> Session:
    return Session(weekend=weekend, **{name: data[name] for name in SESSION_FIELDS if name in data})


def _apply_changes(session: Session, data: Mapping[str, Any]) -> list[str]:
    """Set the fields ``data`` changes on ``session`` (not saved); returns their names."""
    changed = [
        name for name in SESSION_FIELDS if name in data and getattr(session, name) != data[name]
    ]
    for name in changed:
        setattr(session, name, data[name])
    return changed


def check_session_create(
    *, weekend: Weekend, data: Mapping[str, Any], experts: Iterable[Expert] | None = None
) -> None:
    """Raise ScheduleRefused, with the reason, when session_create would refuse
    ``data``; writes nothing. For a form that shows the refusal beside its
    fields (the Django admin). The write checks again under its lock."""
    _session_checked(weekend, _new_session(weekend, data), experts)


def check_session_update(
    *, session: Session, data: Mapping[str, Any], experts: Iterable[Expert] | None = None
) -> None:
    """Raise ScheduleRefused, with the reason, when session_update would refuse
    ``data``; writes nothing. The write checks again under its lock: a session
    added to the same room in between is still caught."""
    current = Session.objects.select_related("weekend").get(pk=session.pk)
    _refuse_cancelled(current)
    _apply_changes(current, data)
    _session_checked(current.weekend, current, experts)


@transaction.atomic
def session_create(
    *,
    weekend: Weekend,
    data: dict[str, Any],
    experts: Iterable[Expert] | None = None,
    actor: User | None,
    submission: uuid.UUID | None = None,
) -> Session:
    """A new session; members hear of it once the programme is published. The
    same form sent twice (``submission``) gives back the first session."""
    locked = _locked_weekend(weekend)
    earlier = submitted_before(Session.objects.filter(weekend=locked), submission)
    if earlier is not None:
        return earlier
    session = _new_session(locked, data)
    session.submission = submission
    chosen = _session_checked(locked, session, experts)
    session.save(force_insert=True)
    if chosen:
        session.experts.set(chosen)
    _renumber(locked)
    audit_record(
        action="programme.session_create", assembly=locked.assembly, actor=actor, target=session
    )
    _notify_change(
        weekend=locked,
        changes=[
            Change(
                session.pk, session.title, "added", after=_slot(session), title_en=session.title_en
            )
        ],
        actor=actor,
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    data: dict[str, Any],
    experts: Iterable[Expert] | None = None,
    actor: User | None,
    now: dt.datetime | None = None,
) -> Session:
    """Change a session; once the programme is published, members and its
    experts hear of a new time or room, and an expert's reminder follows a
    new day (see expert_reminder_claims_free)."""
    locked = _locked_weekend(session.weekend)
    current = Session.objects.select_for_update().get(pk=session.pk, weekend=locked)
    _refuse_cancelled(current)
    before = _slot(current)
    changed = _apply_changes(current, data)
    chosen = _session_checked(locked, current, experts)
    experts_changed = chosen is not None and {expert.pk for expert in chosen} != set(
        current.experts.values_list("pk", flat=True)
    )
    if changed or experts_changed:
        # The calendar event shows it: a higher SEQUENCE makes calendars take it.
        current.calendar_sequence += 1
        current.save(update_fields=[*changed, "calendar_sequence", "updated_at"])
    if experts_changed:
        assert chosen is not None
        current.experts.set(chosen)
    _renumber(locked)
    freed = 0
    if "starts_at" in changed:
        freed = expert_reminder_claims_free(
            weekend=locked, sessions=[current], now=now or timezone.now()
        )
    audit_record(
        action="programme.session_update",
        assembly=locked.assembly,
        actor=actor,
        target=current,
        detail={"fields": changed, "reminders_freed": freed},
    )
    if _slot(current) != before:
        _notify_change(
            weekend=locked,
            changes=[
                Change(current.pk, current.title, "moved", before, _slot(current), current.title_en)
            ],
            actor=actor,
        )
    return current


def _refuse_cancelled(session: Session) -> None:
    if session.cancelled_at is not None:
        raise ScheduleRefused(
            _(
                "Dit onderdeel vervalt. Zet het eerst terug in het programma. "
                "Daarna kunt u het wijzigen."
            )
        )


@transaction.atomic
def session_delete(*, session: Session, actor: User | None) -> None:
    """Remove a session from a programme nobody has seen yet; once the programme
    is published, cancel it instead (session_cancel)."""
    locked = _locked_weekend(session.weekend)
    if locked.published_at is not None:
        session_cancel(session=session, actor=actor)
        return
    current = Session.objects.select_for_update().get(pk=session.pk, weekend=locked)
    audit_record(
        action="programme.session_delete", assembly=locked.assembly, actor=actor, target=current
    )
    current.delete()
    _renumber(locked)


@transaction.atomic
def session_cancel(*, session: Session, actor: User | None) -> Session:
    """Cancel a session of a published programme: it stays, shown as cancelled,
    and calendars get it with STATUS:CANCELLED and a higher SEQUENCE, so they
    drop the event; members and its experts hear it in an e-mail. A session
    already cancelled stays as it is (a second click sends nothing)."""
    locked = _locked_weekend(session.weekend)
    current = Session.objects.select_for_update().get(pk=session.pk, weekend=locked)
    if current.cancelled_at is not None:
        return current
    current.cancelled_at = timezone.now()
    current.calendar_sequence += 1
    current.save(update_fields=["cancelled_at", "calendar_sequence", "updated_at"])
    audit_record(
        action="programme.session_cancel", assembly=locked.assembly, actor=actor, target=current
    )
    _notify_change(
        weekend=locked,
        changes=[
            Change(
                current.pk,
                current.title,
                "cancelled",
                before=_slot(current),
                title_en=current.title_en,
            )
        ],
        actor=actor,
    )
    return current


def check_session_restore(*, session: Session) -> None:
    """Raise ScheduleRefused when session_restore would refuse; writes nothing."""
    current = Session.objects.select_related("weekend").get(pk=session.pk)
    _session_checked(current.weekend, current, None)


@transaction.atomic
def session_restore(
    *, session: Session, actor: User | None, now: dt.datetime | None = None
) -> Session:
    """Undo a cancellation, with the checks of a new session (its room may be
    taken by now, or the weekend moved); members and its experts hear it is back."""
    locked = _locked_weekend(session.weekend)
    current = Session.objects.select_for_update().get(pk=session.pk, weekend=locked)
    if current.cancelled_at is None:
        return current
    _session_checked(locked, current, None)
    current.cancelled_at = None
    current.calendar_sequence += 1
    current.save(update_fields=["cancelled_at", "calendar_sequence", "updated_at"])
    # A reminder sent before the cancellation said "come"; the cancel notice said
    # "don't": the expert hears again before the session when that is still ahead.
    freed = expert_reminder_claims_free(
        weekend=locked, sessions=[current], now=now or timezone.now()
    )
    audit_record(
        action="programme.session_restore",
        assembly=locked.assembly,
        actor=actor,
        target=current,
        detail={"reminders_freed": freed},
    )
    _notify_change(
        weekend=locked,
        changes=[
            Change(
                current.pk, current.title, "added", after=_slot(current), title_en=current.title_en
            )
        ],
        actor=actor,
    )
    return current


Slot = tuple[dt.datetime, dt.datetime]


def swapped_slots(first: Session, second: Session) -> tuple[Slot, Slot]:
    """The new (start, end) of ``second`` and of ``first`` when session_move
    swaps them: the later one starts where the earlier one started, and both
    keep their lengths and the pause between them."""
    gap = second.starts_at - first.ends_at
    second_start = first.starts_at
    second_end = second_start + (second.ends_at - second.starts_at)
    first_start = second_end + gap
    first_end = first_start + (first.ends_at - first.starts_at)
    return (second_start, second_end), (first_start, first_end)


def can_swap(first: Session, second: Session, others: Iterable[Session] | None = None) -> bool:
    """Whether session_move swaps two neighbours of a day (``first`` comes first):
    sessions that start together swap their place, others only when the first
    ends before the second starts. The weekend page offers only these moves.

    With ``others`` (the day's sessions that take place), a swap that would put
    either session in a room already taken at its new time is refused too;
    session_move checks that against the database itself, to name the session
    that has the room.
    """
    if first.starts_at == second.starts_at:
        return True
    if first.ends_at > second.starts_at:
        return False
    if others is None:
        return True
    pair = {first.pk, second.pk}
    rest = [other for other in others if other.pk not in pair and not other.is_cancelled]
    for session, (start, end) in zip((second, first), swapped_slots(first, second), strict=True):
        for other in rest:
            starts_before_end = instant(other.starts_at) < instant(end)
            overlaps = starts_before_end and instant(other.ends_at) > instant(start)
            if overlaps and _same_room(other.room, session.room):
                return False
    return True


@transaction.atomic
def session_move(*, session: Session, direction: Literal["up", "down"], actor: User | None) -> None:
    """Swap a session with the one before (up) or after (down) it on the same day.

    The two keep their lengths and the pause between them; the later one
    starts where the earlier one started. Sessions that run at the same time
    swap only their place in the list.
    """
    locked = _locked_weekend(session.weekend)
    # A cancelled session keeps its time (that is what was cancelled): the
    # others move around it.
    _refuse_cancelled(Session.objects.get(pk=session.pk, weekend=locked))
    ordered = list(
        Session.objects.select_for_update()
        .filter(weekend=locked, cancelled_at=None)
        .order_by("starts_at", "position", "pk")
    )
    index = next(n for n, item in enumerate(ordered) if item.pk == session.pk)
    other_index = index - 1 if direction == "up" else index + 1
    zone = local_zone()
    if not 0 <= other_index < len(ordered) or (
        timezone.localtime(ordered[other_index].starts_at, zone).date()
        != timezone.localtime(ordered[index].starts_at, zone).date()
    ):
        if direction == "up":
            raise ScheduleRefused(_("Dit onderdeel is al het eerste van de dag."))
        raise ScheduleRefused(_("Dit onderdeel is al het laatste van de dag."))
    first, second = sorted((ordered[index], ordered[other_index]), key=ordered.index)
    if not can_swap(first, second):
        raise ScheduleRefused(
            _("Deze onderdelen lopen tegelijk. Verander de begintijd om de volgorde te wijzigen.")
        )
    if first.starts_at == second.starts_at:
        first.position, second.position = second.position, first.position
        Session.objects.bulk_update([first, second], ["position"])
        return
    before = {first.pk: _slot(first), second.pk: _slot(second)}
    (second.starts_at, second.ends_at), (first.starts_at, first.ends_at) = swapped_slots(
        first, second
    )
    for item in (first, second):
        check_session_times(
            weekend=locked,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            room=item.room,
            exclude_ids=[first.pk, second.pk],
        )
    now = timezone.now()
    for item in (first, second):
        item.updated_at = now
        item.calendar_sequence += 1
    Session.objects.bulk_update(
        [first, second], ["starts_at", "ends_at", "updated_at", "calendar_sequence"]
    )
    _renumber(locked)
    audit_record(
        action="programme.session_move",
        assembly=locked.assembly,
        actor=actor,
        target=session,
        detail={"direction": direction, "swapped_with": ordered[other_index].pk},
    )
    _notify_change(
        weekend=locked,
        changes=[
            Change(item.pk, item.title, "moved", before[item.pk], _slot(item), item.title_en)
            for item in (second, first)
        ],
        actor=actor,
    )


# ---------------------------------------------------------------- reminders

REMINDER_TASK = "sessions.tasks_schedule.programme_reminders_task"
DEFAULT_DAYS_BEFORE = (7, 1)
DEFAULT_EXPERT_DAYS_BEFORE = 2
DEFAULT_HOUR = 10


@dataclass(frozen=True)
class ReminderSchedule:
    days_before: list[int] = field(default_factory=lambda: list(DEFAULT_DAYS_BEFORE))
    expert_days_before: int = DEFAULT_EXPERT_DAYS_BEFORE
    hour: int = DEFAULT_HOUR
    enabled: bool = True
    saved: bool = False  # False: nobody saved it; these are the defaults


def _reminder_task_name(assembly: Assembly) -> str:
    return f"programma-herinneringen-burgerberaad-{assembly.pk}"


def reminder_schedule_get(*, assembly: Assembly) -> ReminderSchedule:
    task = (
        PeriodicTask.objects.filter(name=_reminder_task_name(assembly))
        .select_related("crontab")
        .first()
    )
    if task is None:
        return ReminderSchedule()
    kwargs = json.loads(task.kwargs or "{}")
    hour = int(task.crontab.hour) if task.crontab and task.crontab.hour.isdigit() else DEFAULT_HOUR
    return ReminderSchedule(
        days_before=[int(day) for day in kwargs.get("days_before", DEFAULT_DAYS_BEFORE)],
        expert_days_before=int(kwargs.get("expert_days_before", DEFAULT_EXPERT_DAYS_BEFORE)),
        hour=hour,
        enabled=task.enabled,
        saved=True,
    )


@transaction.atomic
def reminder_schedule_save(
    *,
    assembly: Assembly,
    days_before: Iterable[int],
    expert_days_before: int = DEFAULT_EXPERT_DAYS_BEFORE,
    hour: int = DEFAULT_HOUR,
    enabled: bool = True,
    actor: User | None = None,
) -> PeriodicTask:
    """Create or change the daily beat task that sends this assembly's programme reminders."""
    days = sorted({int(day) for day in days_before}, reverse=True)
    crontab = daily_crontab(hour=hour)
    task, _created = PeriodicTask.objects.update_or_create(
        name=_reminder_task_name(assembly),
        defaults={
            "task": REMINDER_TASK,
            "crontab": crontab,
            "interval": None,
            "kwargs": json.dumps(
                {
                    "assembly_id": assembly.pk,
                    "days_before": days,
                    "expert_days_before": int(expert_days_before),
                }
            ),
            "enabled": enabled,
            "description": f"assembly={assembly.pk}",
        },
    )
    audit_record(
        action="programme.reminder_schedule",
        assembly=assembly,
        actor=actor,
        detail={
            "days_before": days,
            "expert_days_before": int(expert_days_before),
            "hour": hour,
            "enabled": enabled,
        },
    )
    return task


def reminder_schedule_ensure(*, assembly: Assembly) -> None:
    """The default schedule, unless the organiser has saved one."""
    if not PeriodicTask.objects.filter(name=_reminder_task_name(assembly)).exists():
        reminder_schedule_save(assembly=assembly, days_before=DEFAULT_DAYS_BEFORE)


def reminder_due(*, starts_on: dt.date, days_before: Iterable[int], today: dt.date) -> int | None:
    """Which reminder is due today: the latest one whose day has come, before the weekend.

    A beat that missed a day still sends that reminder the next day; when two
    are due at once, only the later one goes out.
    """
    due = [days for days in days_before if starts_on - dt.timedelta(days=days) <= today < starts_on]
    return min(due) if due else None


def expert_slot_key(session_id: int) -> str:
    """The ProgrammeReminder key of the reminder before an expert's session."""
    return f"session-{session_id}"


def reminder_still_ahead(*, plan: ReminderSchedule, day: dt.date, now: dt.datetime) -> bool:
    """Whether a reminder due on ``day`` has its due moment still ahead at
    ``now``: the daily run sends it that day at ``plan.hour``.

    The rule for moved dates and times (here and in
    weekends._reminder_claims_for_new_dates): a reminder already sent whose
    due moment for the new date is still ahead loses its claim, so the daily
    run sends it again, once, about the new date. One whose new due moment
    has passed keeps its claim: the run catches up missed days, so it would go
    out at once, late, with a count of days that is no longer true; the
    change notice has told everyone the new date. A move earlier never frees
    anything (the new moment is before the one already sent).
    """
    return dt.datetime.combine(day, dt.time(plan.hour), tzinfo=local_zone()) > now


def expert_reminder_claims_free(
    *,
    weekend: Weekend,
    sessions: Iterable[Session],
    now: dt.datetime,
    plan: ReminderSchedule | None = None,
) -> int:
    """Free the claims of the reminders before ``sessions`` (at their new
    times) that are due again (see reminder_still_ahead); returns how many
    went. Call it holding the weekend's lock: the daily run takes it too
    (_expert_reminders), so it claims either before the move (and the claim
    is freed here) or after it, for the new time."""
    plan = plan or reminder_schedule_get(assembly=weekend.assembly)
    if plan.expert_days_before <= 0:
        return 0
    zone = local_zone()
    keys = [
        expert_slot_key(session.pk)
        for session in sessions
        if reminder_still_ahead(
            plan=plan,
            day=timezone.localtime(session.starts_at, zone).date()
            - dt.timedelta(days=plan.expert_days_before),
            now=now,
        )
    ]
    if not keys:
        return 0
    freed, _by_model = ProgrammeReminder.objects.filter(
        weekend=weekend, kind=ProgrammeReminder.Kind.EXPERT_SLOT, key__in=keys
    ).delete()
    return freed


def _claim_and_queue(
    *, user: User, weekend: Weekend, kind: str, key: str, to: str, subject: str, body: str
) -> bool:
    """Claim one reminder and put its e-mail in the outbox, together; False if claimed before."""
    try:
        with transaction.atomic():
            ProgrammeReminder.objects.create(user=user, weekend=weekend, kind=kind, key=key)
            outbox_queue(
                to=to,
                subject=subject,
                body=body,
                kind=f"programme_{kind}",
                ref=f"assembly_sessions.Weekend:{weekend.pk}",
            )
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class ReminderResult:
    members: int = 0
    experts: int = 0


def _member_reminders(
    assembly: Assembly, weekends: list[Weekend], days_before: Sequence[int], today: dt.date
) -> int:
    sent = 0
    for weekend in weekends:
        with transaction.atomic():
            sent += _member_reminders_for(assembly, weekend, days_before, today)
    return sent


def _member_reminders_for(
    assembly: Assembly, weekend: Weekend, days_before: Sequence[int], today: dt.date
) -> int:
    # Moving a weekend frees the claims of reminders due again for its new dates,
    # under this lock (weekends.weekend_update). Holding it while claiming means
    # a claim is never written for dates that were just left behind.
    starts_on = (
        Weekend.objects.select_for_update().values_list("starts_on", flat=True).get(pk=weekend.pk)
    )
    if starts_on != weekend.starts_on:
        # Moved since the programme was read: read it again, with the new dates.
        weekend = next(
            found
            for found in selectors.programme_for(assembly=assembly, published_only=True)
            if found.pk == weekend.pk
        )
    due = reminder_due(starts_on=weekend.starts_on, days_before=days_before, today=today)
    if due is None:
        return 0
    sent = 0
    key = str(due)
    already = ProgrammeReminder.objects.filter(
        weekend=weekend, kind=ProgrammeReminder.Kind.WEEKEND, key=key
    ).values("user_id")
    mail = MailPerLanguage(
        "weekend_reminder",
        {
            "assembly": assembly,
            "weekend": weekend,
            "days_before": due,
            "sessions": [s for s in weekend.sessions.all() if s.cancelled_at is None],
            "reading": reading_list(selectors.materials_to_read(weekend)),
            "url": _programme_url(assembly),
        },
    )
    for user in selectors.member_users_for(assembly=assembly).exclude(pk__in=already):
        subject, body = mail.for_user(user)
        if _claim_and_queue(
            user=user,
            weekend=weekend,
            kind=ProgrammeReminder.Kind.WEEKEND,
            key=key,
            to=user.email,
            subject=subject,
            body=body,
        ):
            sent += 1
    logger.info("programme reminders weekend=%s days_before=%s", weekend.pk, due)
    return sent


def _expert_sessions_due(assembly: Assembly, days_before: int, today: dt.date) -> QuerySet[Session]:
    return Session.objects.filter(
        weekend__assembly=assembly,
        weekend__published_at__isnull=False,
        cancelled_at=None,
        starts_at__date__gt=today,
        starts_at__date__lte=today + dt.timedelta(days=days_before),
    )


def _expert_reminders(assembly: Assembly, days_before: int, today: dt.date) -> int:
    weekend_ids = sorted(
        set(
            _expert_sessions_due(assembly, days_before, today)
            .order_by()
            .values_list("weekend_id", flat=True)
        )
    )
    sent = 0
    for weekend_id in weekend_ids:
        with transaction.atomic():
            sent += _expert_reminders_for(assembly, weekend_id, days_before, today)
    return sent


def _expert_reminders_for(
    assembly: Assembly, weekend_id: int, days_before: int, today: dt.date
) -> int:
    # Moving a session, or its weekend, frees the claims of reminders due again
    # for the new time, under this lock (expert_reminder_claims_free). The
    # sessions are read after taking it, so a claim is never written for a
    # time that was just left behind.
    list(Weekend.objects.select_for_update().filter(pk=weekend_id).order_by().values_list("pk"))
    sessions = (
        _expert_sessions_due(assembly, days_before, today)
        .filter(weekend_id=weekend_id)
        .select_related("weekend")
        .prefetch_related("experts__user")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for session in sessions:
        for expert in session.experts.all():
            user = expert.user
            if user is None or not user.is_active:
                continue  # no account to claim the reminder with; the secretariat calls them
            subject, body = _render_mail(
                "expert_reminder",
                {
                    "assembly": assembly,
                    "weekend": session.weekend,
                    "session": session,
                    "expert": expert,
                    "url": _programme_url(assembly),
                },
                user.mail_language,
            )
            if _claim_and_queue(
                user=user,
                weekend=session.weekend,
                kind=ProgrammeReminder.Kind.EXPERT_SLOT,
                key=expert_slot_key(session.pk),
                to=expert.email or user.email,
                subject=subject,
                body=body,
            ):
                sent += 1
    return sent


def programme_reminders_send_due(
    *,
    assembly_id: int,
    days_before: Sequence[int] | None = None,
    expert_days_before: int | None = None,
    today: dt.date | None = None,
) -> ReminderResult:
    """Send the reminders due today: members before each published weekend, experts before
    their session. Safe to run twice: each reminder is claimed by its own row."""
    assembly = Assembly.objects.get(pk=assembly_id)
    today = today or timezone.localdate()
    days = list(days_before or DEFAULT_DAYS_BEFORE)
    expert_days = DEFAULT_EXPERT_DAYS_BEFORE if expert_days_before is None else expert_days_before
    horizon = today + dt.timedelta(days=max(days))
    weekends = [
        weekend
        for weekend in selectors.programme_for(assembly=assembly, published_only=True)
        if today < weekend.starts_on <= horizon
    ]
    result = ReminderResult(
        members=_member_reminders(assembly, weekends, days, today),
        experts=_expert_reminders(assembly, expert_days, today) if expert_days > 0 else 0,
    )
    logger.info(
        "programme reminders assembly=%s members=%s experts=%s",
        assembly_id,
        result.members,
        result.experts,
    )
    return result


@dataclass(frozen=True)
class SentLine:
    weekend_number: int
    kind: str
    key: str
    count: int


def reminder_sent_counts(*, assembly: Assembly) -> list[SentLine]:
    rows = (
        ProgrammeReminder.objects.filter(weekend__assembly=assembly)
        .values("weekend__number", "kind", "key")
        .annotate(n=Count("pk"))
        .order_by("weekend__number", "kind", "key")
    )
    return [
        SentLine(
            weekend_number=row["weekend__number"], kind=row["kind"], key=row["key"], count=row["n"]
        )
        for row in rows
    ]


# ---------------------------------------------------------------- private calendar link


@transaction.atomic
def calendar_link_renew(*, user: User, assembly: Assembly) -> int:
    """Make a new private calendar link for ``user``: every older one stops
    working at once (someone else may have it). Returns the new generation."""
    link, _created = CalendarLink.objects.select_for_update().get_or_create(
        user=user, assembly=assembly
    )
    link.generation += 1
    link.save(update_fields=["generation", "renewed_at"])
    audit_record(
        action="programme.calendar_link_renew",
        assembly=assembly,
        actor=user,
        target=link,
        detail={"generation": link.generation},
    )
    logger.info("calendar link renewed user=%s assembly=%s", user.pk, assembly.pk)
    return link.generation
