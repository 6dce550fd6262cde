"""After the draw: notifying members and alternates, their answers, reminders,
drop-outs and their replacements.

Idempotency: each e-mail is claimed with a check-and-update on its own
timestamp column (``notify_claimed_at``, ``reminded_at``,
``final_reminder_at``) before it is sent, and the claim is released when
sending fails; a task run twice sends once.

Answering: a member answers on a page reached with a signed link (in the
e-mail and the letter). No answer by the deadline counts as declined, but
only after one last reminder: the last reminder goes out on the deadline
day (or the first day the daily task runs after it), and the member counts
as "no answer" from the day after that reminder.

Replacement: first the alternates still waiting, in rank order, as long as
every quota stays met; otherwise a new LEXIMIN draw over the rest of the
frozen pool (a SelectionRun of kind "replacement", on Celery when the pool is
large). A LEXIMIN replacement is drawn as transparently as the panel: its
ticket table is published (on the lottery page, with its hash) as soon as it
is computed, and a number drawn in public picks the ticket
(:func:`replacement_draw`). The organiser then confirms or discards the
proposal; a proposal drawn in public is discarded only with a reason, which
is published next to the draw.

The audit log gets ids, counts and reasons; never names, contact details or
answers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_celery_beat.models import PeriodicTask

from assembly.models import Assembly, Role, RoleKind, User
from assembly.outbox import outbox_queue
from assembly.queueing import queue_or_leave_to_sweep
from assembly.schedules import daily_crontab
from assembly.services import audit_record, role_grant, role_revoke, user_get_or_create
from participants.letters import (
    address_lines,
    contact_address,
    contact_sentence,
    postal_address,
)
from participants.models import (
    ERASED_EMAIL_PREFIX,
    PanelMember,
    Registration,
    Replacement,
    SelectionDraw,
    SelectionRun,
    TableSeat,
)
from participants.names import identifying_words
from participants.post_letters import BODY, MONO, TITLE, PostLetter, post_letters_pdf
from participants.selectors_lottery import assembly_current_draw
from participants.selectors_selection import quota_labels
from participants.services.selection import (
    MAX_NUMBER,
    OPEN_REPLACEMENT,
    Outcome,
    ProgressWriter,
    household_columns,
    record_without_trial_draw,
    run_execute,
    waiting_for_a_task,
)
from participants.sortition import (
    Instance,
    Respondent,
    read_pool,
    read_quotas,
    record_draw,
    replace_dropouts,
    replace_from_alternates,
)
from participants.sortition import Quota as EngineQuota

logger = logging.getLogger(__name__)

HOUSEHOLD_COLUMN = "huishouden"
DEFAULT_RESPONSE_DAYS = 14
# The first reminder goes out this many days before the deadline.
REMINDER_DAYS_BEFORE = 3
REMINDER_HOUR = 9
REMINDER_TASK = "participants.tasks_panel.panel_reminders_task"
# Pools larger than this are drawn on a Celery worker; smaller ones at once.
INLINE_POOL_LIMIT = 300
RESPOND_LINK_MAX_AGE = dt.timedelta(days=550)
_RESPOND_SALT = "participants.panel.respond"
COMPUTE_FAILED = gettext_noop(
    "Er ging iets mis bij het berekenen. Leg dit voorstel weg en vraag een nieuw voorstel."
)

ACTIVE_MEMBER = (PanelMember.Status.SELECTED, PanelMember.Status.CONFIRMED)
DROPPED_OUT = (
    PanelMember.Status.DECLINED,
    PanelMember.Status.NO_RESPONSE,
    PanelMember.Status.WITHDRAWN,
)


_MEMBERS_FIRST = Case(When(kind=PanelMember.Kind.MEMBER, then=Value(0)), default=Value(1))


class PanelRefused(Exception):
    """The action cannot be done now; the message says why, for the organiser or member."""


class ReasonRefused(PanelRefused):
    """The reason given cannot be used as it is; the message says why."""


# --------------------------------------------------------------------- reads


def panel_members(*, assembly: Assembly) -> QuerySet[PanelMember]:
    """Members first, then alternates in rank order."""
    return (
        PanelMember.objects.filter(assembly=assembly)
        .select_related("registration", "replaces")
        .order_by(_MEMBERS_FIRST, "alternate_rank", "id")
    )


def reachable_by_email(registration: Registration) -> bool:
    """False for someone signed up by phone without an address, or erased."""
    email = registration.email
    return bool(email) and not email.startswith(ERASED_EMAIL_PREFIX)


def awaiting_an_answer_without_email(*, assembly: Assembly) -> int:
    """Drawn people who still have to answer and whom no e-mail reaches
    (signed up on the phone without an address): they need the letter."""
    return PanelMember.objects.filter(
        Q(kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.SELECTED)
        | Q(kind=PanelMember.Kind.ALTERNATE, status=PanelMember.Status.WAITING),
        assembly=assembly,
        registration__email="",
    ).count()


def members_without_deadline(*, assembly: Assembly) -> int:
    """Drawn members still to answer who have no date to answer by yet: the
    organiser has not sent the messages (panel_notify_start), which sets it."""
    return PanelMember.objects.filter(
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
        status=PanelMember.Status.SELECTED,
        response_deadline__isnull=True,
    ).count()


def open_seats(*, assembly: Assembly) -> list[PanelMember]:
    """Members who left and whose seat is neither filled nor in an open replacement."""
    in_progress = Replacement.objects.filter(
        assembly=assembly, status__in=OPEN_REPLACEMENT, dropped__isnull=False
    ).values_list("dropped", flat=True)
    return list(
        PanelMember.objects.filter(
            assembly=assembly,
            kind=PanelMember.Kind.MEMBER,
            status__in=DROPPED_OUT,
            replaced_by__isnull=True,
        )
        .exclude(pk__in=in_progress)
        .order_by("pk")
    )


def _proposed_elsewhere(assembly: Assembly, *, exclude: int | None = None) -> list[str]:
    """The people proposed in the open replacements (but `exclude`), in order."""
    proposals = Replacement.objects.filter(assembly=assembly, status=Replacement.Status.PROPOSED)
    if exclude is not None:
        proposals = proposals.exclude(pk=exclude)
    seen: dict[str, None] = {}
    for proposed in proposals.order_by("pk").values_list("proposed", flat=True):
        seen.update(dict.fromkeys(str(pid) for pid in proposed or []))
    return list(seen)


def status_counts(*, assembly: Assembly) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, members and alternates together."""
    counts = {status: 0 for status in PanelMember.Status.values}
    for status in PanelMember.objects.filter(assembly=assembly).values_list("status", flat=True):
        counts[status] += 1
    return [(status, str(PanelMember.Status(status).label), counts[status]) for status in counts]


@dataclass(frozen=True)
class FrozenPool:
    """The quota table and the pool a draw was made from."""

    quotas: tuple[EngineQuota, ...]
    people: dict[str, Respondent]
    panel_size: int

    def instance(
        self, keep: Iterable[str] | None = None, panel_size: int | None = None
    ) -> Instance:
        wanted = set(keep) if keep is not None else None
        respondents = tuple(
            person for person in self.people.values() if wanted is None or person.id in wanted
        )
        return Instance(respondents, self.quotas, panel_size or self.panel_size)


def frozen_pool(run: SelectionRun) -> FrozenPool:
    quotas = read_quotas("quota.csv", text=run.quotas_csv)
    households = [HOUSEHOLD_COLUMN] if run.household_rule else []
    people = read_pool("pool.csv", quotas, households, text=run.pool_csv)
    return FrozenPool(quotas, {person.id: person for person in people}, run.panel_size)


def features_by_registration(*, assembly: Assembly) -> dict[int, dict[str, str]]:
    """Quota values per registration, as the lottery saw them (for the organiser only)."""
    draw = assembly_current_draw(assembly=assembly)
    if draw is None:
        return {}
    pool = frozen_pool(draw.run)
    return {int(pid): dict(person.features) for pid, person in pool.people.items()}


@dataclass(frozen=True)
class QuotaLine:
    category: str
    value: str
    min: int
    max: int
    before: int
    after: int
    category_label: str | Promise
    value_label: str | Promise

    @property
    def holds(self) -> bool:
        return self.min <= self.after <= self.max


def replacement_quota_lines(*, replacement: Replacement) -> list[QuotaLine]:
    """Per quota value: how many the panel has with the leavers, and with the proposal."""
    draw = assembly_current_draw(assembly=replacement.assembly)
    if draw is None:
        return []
    pool = frozen_pool(draw.run)
    dropped = [m.respondent_id for m in replacement.dropped.all()]
    proposed = [str(pid) for pid in replacement.proposed]
    # As replacement_propose saw the panel: the other open proposals seated.
    elsewhere = (
        _proposed_elsewhere(replacement.assembly, exclude=replacement.pk)
        if replacement.status in OPEN_REPLACEMENT
        else []
    )
    members = [
        str(pid)
        for pid in PanelMember.objects.filter(
            assembly=replacement.assembly, kind=PanelMember.Kind.MEMBER, status__in=ACTIVE_MEMBER
        ).values_list("registration_id", flat=True)
    ]
    stayers = [pid for pid in dict.fromkeys([*members, *elsewhere]) if pid not in proposed]
    labels = quota_labels(assembly=replacement.assembly)

    def count(ids: Sequence[str], category: str, value: str) -> int:
        return sum(
            1
            for pid in ids
            if pid in pool.people and pool.people[pid].features.get(category) == value
        )

    return [
        QuotaLine(
            q.category,
            q.value,
            q.min,
            q.max,
            before=count([*stayers, *dropped], q.category, q.value),
            after=count([*stayers, *proposed], q.category, q.value),
            category_label=labels.category(q.category),
            value_label=labels.value(q.category, q.value),
        )
        for q in pool.quotas
    ]


# --------------------------------------------------------------- private link


def panel_respond_token(*, member_id: int) -> str:
    return signing.TimestampSigner(salt=_RESPOND_SALT).sign(str(member_id))


def panel_member_id_from_token(token: str) -> int | None:
    try:
        value = signing.TimestampSigner(salt=_RESPOND_SALT).unsign(
            token, max_age=RESPOND_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def panel_respond_url(member: PanelMember) -> str:
    token = panel_respond_token(member_id=member.pk)
    return settings.SITE_URL + reverse(
        "participants:panel_respond", kwargs={"slug": member.assembly.slug, "token": token}
    )


# ------------------------------------------------------------ notifications


def _date(day: dt.date | None) -> str:
    return formats.date_format(day, "l j F Y") if day else ""


def _mail_context(member: PanelMember) -> dict[str, Any]:
    return {
        "member": member,
        "name": member.registration.full_name,
        "assembly": member.assembly,
        "is_member": member.kind == PanelMember.Kind.MEMBER,
        "rank": member.alternate_rank,
        "deadline": member.response_deadline,
        "url": panel_respond_url(member),
        "contact": contact_address(),
        "about_url": settings.SITE_URL + member.assembly.get_absolute_url(),
    }


def _email_queue(template: str, member: PanelMember, **extra: Any) -> None:
    """Write the member's e-mail to the outbox, in the caller's transaction: it
    is sent once after the commit, or by the sweep when the queue or the mail
    server is down (assembly.outbox)."""
    if not member.registration.email:
        # Signed up by the secretariat without an e-mail address: the letter
        # (panel_letters_pdf) and the phone reach this person instead.
        logger.info("panel mail %s skipped, no address member=%s", template, member.pk)
        return
    context = {**_mail_context(member), **extra}
    with translation.override(member.mail_language):
        subject = render_to_string(f"participants/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"participants/email/{template}.txt", context)
        html = render_to_string(f"participants/email/{template}.html", context)
    outbox_queue(
        to=member.registration.email,
        subject=subject,
        body=text,
        html_body=html,
        kind=f"panel.{template}",
        ref=f"participants.PanelMember:{member.pk}",
    )


def _notify_all(member_ids: Sequence[int]) -> None:
    """Put every message in the outbox now, in the caller's transaction: a few
    hundred e-mails take a second to write, and nothing can then be lost
    between the organiser's click and a worker (the outbox sends them)."""
    for member_id in member_ids:
        panel_member_notify(member_id=member_id)


@dataclass(frozen=True)
class Notified:
    people: int  # told now
    by_email: int  # of them, those with an e-mail address; the rest need the letter


@transaction.atomic
def panel_notify_start(*, assembly: Assembly, actor: User | None, response_days: int) -> Notified:
    """Give members a deadline and send every member and alternate who has had
    no message yet their e-mail (through the outbox)."""
    if response_days < 1:
        raise PanelRefused(_("Geef de deelnemers minstens één dag om te antwoorden."))
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    if assembly_current_draw(assembly=assembly) is None:
        raise PanelRefused(_("Er is nog geen trekking. Er is niemand om te berichten."))
    deadline = timezone.localdate() + dt.timedelta(days=response_days)
    PanelMember.objects.filter(
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
        status=PanelMember.Status.SELECTED,
        response_deadline__isnull=True,
    ).update(response_deadline=deadline)
    ids = list(
        PanelMember.objects.filter(
            Q(kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.SELECTED)
            | Q(kind=PanelMember.Kind.ALTERNATE, status=PanelMember.Status.WAITING),
            assembly=assembly,
            notify_claimed_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    panel_reminder_schedule_ensure(assembly=assembly)
    _notify_all(ids)
    audit_record(
        action="panel.notify_start",
        assembly=assembly,
        actor=actor,
        detail={"members": ids, "deadline": deadline.isoformat(), "response_days": response_days},
    )
    logger.info("panel notifications queued assembly=%s count=%s", assembly.pk, len(ids))
    by_email = PanelMember.objects.filter(pk__in=ids).exclude(registration__email="").count()
    return Notified(people=len(ids), by_email=by_email)


def panel_member_notify(*, member_id: int) -> bool:
    """Put the member's or alternate's message in the outbox, once. Returns False
    if it was done already. The claim and the e-mail commit together."""
    now = timezone.now()
    with transaction.atomic():
        # Someone who stopped before the task ran gets no "you are selected".
        claimed = PanelMember.objects.filter(
            pk=member_id,
            notify_claimed_at=None,
            status__in=[PanelMember.Status.SELECTED, PanelMember.Status.WAITING],
        ).update(notify_claimed_at=now, notified_at=now)
        if claimed != 1:
            return False
        member = PanelMember.objects.select_related("registration", "assembly").get(pk=member_id)
        _email_queue("panel_notification", member)
    logger.info("panel notification queued member=%s kind=%s", member_id, member.kind)
    return True


# -------------------------------------------------------------------- letters


def _letter_lines(member: PanelMember) -> tuple[str, list[str]]:
    assembly = member.assembly
    if member.kind == PanelMember.Kind.MEMBER:
        title = _("U bent ingeloot voor het %(name)s") % {"name": assembly.shown_name}
        lines = [
            _("Goed nieuws: u bent ingeloot. U kunt meedoen met het %(name)s.")
            % {"name": assembly.shown_name},
            _("Wilt u meedoen? Geef dan antwoord vóór het einde van %(date)s.")
            % {"date": _date(member.response_deadline)}
            if member.response_deadline
            else _("Wilt u meedoen? Geef dan zo snel mogelijk antwoord."),
            _(
                "Geeft u geen antwoord? Dan nemen wij aan dat u niet meedoet. "
                "Uw plaats gaat dan naar iemand anders."
            ),
        ]
    else:
        title = _("U staat op de reservelijst van het %(name)s") % {"name": assembly.shown_name}
        lines = [
            _("U bent niet ingeloot als deelnemer. Maar u staat wel op de reservelijst."),
            _(
                "U bent nummer %(rank)s op de lijst. Stopt een deelnemer? Dan vragen wij "
                "misschien u."
            )
            % {"rank": member.alternate_rank},
            _("U hoeft nu niets te doen."),
        ]
    return title, lines


def panel_letters_pdf(*, assembly: Assembly) -> tuple[bytes, int]:
    """One A4 PDF with a notification letter per member and alternate still in the
    running (one page each), with the personal link as text and QR code. Each
    letter is in the language the person reads, as their e-mails are.

    Refused before the messages are sent: sending them sets the date to answer
    by, and a letter without that date would ask for an answer "as soon as
    possible" while the reminders and the "no answer" count from a date the
    person never heard of."""
    if members_without_deadline(assembly=assembly):
        raise PanelRefused(
            _(
                "De brieven hebben nog geen datum waarvoor mensen moeten antwoorden. "
                "Kies eerst het aantal dagen en klik op ‘Berichten versturen’. "
                "Daarna staat die datum in de brieven."
            )
        )
    members = (
        PanelMember.objects.filter(
            Q(kind=PanelMember.Kind.MEMBER, status__in=ACTIVE_MEMBER)
            | Q(kind=PanelMember.Kind.ALTERNATE, status=PanelMember.Status.WAITING),
            assembly=assembly,
        )
        .select_related("registration__invitation__resident", "assembly")
        .order_by(_MEMBERS_FIRST, "alternate_rank", "pk")
    )
    letters = []
    for member in members:
        with translation.override(member.mail_language):
            letters.append(_notification_letter(member))
    with translation.override(settings.LANGUAGE_CODE):
        return post_letters_pdf(
            letters,
            sender=secretariat_signature(assembly),
            title=_("Brieven aan deelnemers en reserves"),
        )


def secretariat_signature(assembly: Assembly) -> str:
    """How a letter by post ends, in the active language."""
    return _("Het secretariaat van het %(name)s") % {"name": assembly.shown_name}


def _notification_letter(member: PanelMember) -> PostLetter:
    title, lines = _letter_lines(member)
    url = panel_respond_url(member)
    return PostLetter(
        address=member_address_lines(member),
        paragraphs=[
            (title, TITLE),
            (_("Beste %(name)s,") % {"name": member.registration.full_name}, BODY),
            *[(line, BODY) for line in lines],
            (_("Op deze persoonlijke pagina ziet u wat u kunt doen:"), BODY),
            (url, MONO),
            (_("Of scan de QR-code met de camera van uw telefoon."), BODY),
            (contact_sentence(), BODY),
            (_("Met vriendelijke groet,"), BODY),
            (secretariat_signature(member.assembly), BODY),
        ],
        qr_url=url,
    )


def member_address_lines(member: PanelMember) -> list[str]:
    """The envelope's address: the one the member gave after moving, else the
    extract's (with the name as the BRP writes it), or the name alone once
    neither is kept."""
    registration = member.registration
    resident = registration.invitation.resident
    address = postal_address(registration)
    if address is None:
        return [registration.full_name]
    return address_lines(resident.full_name if resident else registration.full_name, address)


# -------------------------------------------------------------------- answers


class AnswerChannel(models.TextChoices):
    """How an answer the secretariat notes down reached it."""

    PHONE = "phone", gettext_lazy("Aan de telefoon")
    POST = "post", gettext_lazy("Per brief")
    EMAIL = "email", gettext_lazy("Per e-mail")
    IN_PERSON = "in_person", gettext_lazy("Persoonlijk")


@transaction.atomic
def panel_member_respond(
    *,
    member: PanelMember,
    accept: bool,
    recorded_by: User | None = None,
    channel: str = "",
) -> PanelMember:
    """The member's answer. Yes: the member role (log in with an e-mailed code).
    No: the seat becomes a drop-out waiting for a replacement. An alternate can
    only say no (leave the reserve list).

    ``recorded_by``: an organiser who notes down an answer that came by phone,
    post or in person (``channel``), for someone who cannot use the page. The
    same rules apply; the log names the organiser and the way it came."""
    member = (
        PanelMember.objects.select_for_update()
        .select_related("registration", "assembly")
        .get(pk=member.pk)
    )
    waiting = (
        member.kind == PanelMember.Kind.MEMBER and member.status == PanelMember.Status.SELECTED
    ) or (
        member.kind == PanelMember.Kind.ALTERNATE
        and member.status == PanelMember.Status.WAITING
        and not accept
    )
    if not waiting:
        raise PanelRefused(_("U hebt al geantwoord, of uw antwoord is niet meer nodig."))
    now = timezone.now()
    member.responded_at = now
    if accept and not reachable_by_email(member.registration):
        # No e-mail address (or an erased one), so no account to log in with:
        # the member takes part on paper (the desk, paper ballots, letters).
        member.status = PanelMember.Status.CONFIRMED
        member.save(update_fields=["status", "responded_at"])
    elif accept:
        registration = member.registration
        user = user_get_or_create(
            email=registration.email,
            full_name=registration.full_name,
            language=registration.language,
        )
        role_grant(
            assembly=member.assembly,
            email=user.email,
            kind=RoleKind.MEMBER,
            full_name=registration.full_name,
        )
        member.user = user
        member.status = PanelMember.Status.CONFIRMED
        member.save(update_fields=["status", "responded_at", "user"])
    else:
        member.status = PanelMember.Status.DECLINED
        member.save(update_fields=["status", "responded_at"])
    detail: dict[str, Any] = {"member": member.pk, "kind": member.kind}
    if recorded_by is not None:
        detail["channel"] = channel
    audit_record(
        action="panel.confirmed" if accept else "panel.declined",
        assembly=member.assembly,
        actor=recorded_by or (member.user if accept else None),
        target=member,
        detail=detail,
    )
    logger.info("panel answer member=%s accept=%s", member.pk, accept)
    return member


class EmailAddRefused(PanelRefused):
    """The address cannot be added; the message says why, for the organiser."""


@transaction.atomic
def panel_member_email_add(*, member: PanelMember, email: str, actor: User | None) -> PanelMember:
    """Give someone who takes part on paper an e-mail address they now have.

    From then on they are like anyone who signed up with one: a member gets an
    account (the usual "you have a role" e-mail tells them how to log in), so
    they can change their bank account, claim expenses and vote themselves;
    someone still to answer gets the e-mail with their own answer link."""
    member = (
        PanelMember.objects.select_for_update()
        .select_related("registration", "assembly")
        .get(pk=member.pk)
    )
    registration = member.registration
    if not member.takes_part_on_paper:
        raise EmailAddRefused(_("Deze persoon heeft al een e-mailadres."))
    if not member.may_get_an_email_address:
        raise EmailAddRefused(
            _("Deze persoon doet niet (meer) mee. Een e-mailadres is dan niet nodig.")
        )
    email = User.objects.normalize_email(email).strip().lower()
    if (
        Registration.objects.filter(assembly=member.assembly, email__iexact=email)
        .exclude(pk=registration.pk)
        .exists()
    ):
        # Logging in to the wrong person's account would show them this
        # member's pages: an address that is someone else's here is refused.
        raise EmailAddRefused(
            _("Dit e-mailadres hoort al bij een andere aanmelding voor dit burgerberaad.")
        )
    registration.email = email
    registration.save(update_fields=["email"])
    account = member.status == PanelMember.Status.CONFIRMED
    if account:
        user = user_get_or_create(
            email=email, full_name=registration.full_name, language=registration.language
        )
        role_grant(
            assembly=member.assembly,
            email=user.email,
            kind=RoleKind.MEMBER,
            full_name=registration.full_name,
            granted_by=actor,
        )
        member.user = user
        member.save(update_fields=["user"])
    elif member.notify_claimed_at is not None:
        # The "you are selected" message went by letter only; the e-mail lets
        # them answer on their own page. Not yet told: panel_notify_start sends it.
        _email_queue("panel_notification", member)
    audit_record(
        action="panel.email_added",
        assembly=member.assembly,
        actor=actor,
        target=member,
        detail={"member": member.pk, "account": account},
    )
    logger.info("panel e-mail added member=%s account=%s", member.pk, account)
    return member


# ------------------------------------------------------------------ reminders


def _reminder_task_name(assembly: Assembly) -> str:
    return f"deelnemers-herinneringen-{assembly.pk}"


def panel_reminder_schedule_ensure(*, assembly: Assembly) -> PeriodicTask:
    """The daily beat task that sends this assembly's reminders to members."""
    crontab = daily_crontab(hour=REMINDER_HOUR)
    task, _created = PeriodicTask.objects.get_or_create(
        name=_reminder_task_name(assembly),
        defaults={
            "task": REMINDER_TASK,
            "crontab": crontab,
            "kwargs": json.dumps({"assembly_id": assembly.pk}),
            "enabled": True,
            "description": f"assembly={assembly.pk}",
        },
    )
    return task


def _send_claimed(member_id: int, column: str, template: str) -> bool:
    """Set `column` on a member still without an answer and put the e-mail in
    the outbox, in one transaction (so a crash leaves neither)."""
    with transaction.atomic():
        claimed = PanelMember.objects.filter(
            pk=member_id, status=PanelMember.Status.SELECTED, **{column: None}
        ).update(**{column: timezone.now()})
        if claimed != 1:
            return False
        member = PanelMember.objects.select_related("registration", "assembly").get(pk=member_id)
        _email_queue(template, member)
    return True


@dataclass(frozen=True)
class ReminderResult:
    reminded: int = 0
    final: int = 0
    no_response: int = 0


def panel_reminders_send_due(*, assembly_id: int, today: dt.date | None = None) -> ReminderResult:
    """Daily: a reminder REMINDER_DAYS_BEFORE days before the deadline, one last
    reminder on the deadline day, and "no answer" for those whose last
    reminder went out on an earlier day and who still have not answered."""
    assembly = Assembly.objects.get(pk=assembly_id)
    today = today or timezone.localdate()
    waiting = PanelMember.objects.filter(
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
        status=PanelMember.Status.SELECTED,
        response_deadline__isnull=False,
        notified_at__isnull=False,
    )
    # First "no answer", so the last reminder sent below counts from tomorrow.
    lapsed = [
        member.pk
        for member in waiting.filter(response_deadline__lt=today, final_reminder_at__isnull=False)
        if timezone.localdate(member.final_reminder_at) < today
    ]
    no_response = 0
    for member_id in lapsed:
        with transaction.atomic():
            changed = PanelMember.objects.filter(
                pk=member_id, status=PanelMember.Status.SELECTED
            ).update(status=PanelMember.Status.NO_RESPONSE)
            if changed:
                no_response += 1
                audit_record(
                    action="panel.no_response",
                    assembly=assembly,
                    target=PanelMember(pk=member_id),
                    detail={"member": member_id},
                )
    final = 0
    for member_id in waiting.filter(
        response_deadline__lte=today, final_reminder_at__isnull=True
    ).values_list("pk", flat=True):
        final += _send_claimed(member_id, "final_reminder_at", "panel_final_reminder")
    reminded = 0
    for member_id in waiting.filter(
        response_deadline__gt=today,
        response_deadline__lte=today + dt.timedelta(days=REMINDER_DAYS_BEFORE),
        reminded_at__isnull=True,
    ).values_list("pk", flat=True):
        reminded += _send_claimed(member_id, "reminded_at", "panel_reminder")
    logger.info(
        "panel reminders assembly=%s reminded=%s final=%s no_response=%s",
        assembly_id,
        reminded,
        final,
        no_response,
    )
    return ReminderResult(reminded=reminded, final=final, no_response=no_response)


# --------------------------------------------------------------- withdrawals


@transaction.atomic
def panel_member_withdraw(*, member: PanelMember, reason: str, actor: User | None) -> PanelMember:
    """The organiser marks a member (or an alternate) as stopped, with the reason."""
    member = PanelMember.objects.select_for_update().get(pk=member.pk)
    if member.status not in (*ACTIVE_MEMBER, PanelMember.Status.WAITING):
        raise PanelRefused(_("Deze persoon doet al niet meer mee."))
    reason = reason.strip()
    if not reason:
        raise PanelRefused(_("Schrijf op waarom deze persoon stopt."))
    member.status = PanelMember.Status.WITHDRAWN
    member.withdrawn_at = timezone.now()
    member.withdrawn_reason = reason
    member.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    if member.user_id is not None:
        for role in Role.objects.filter(
            user_id=member.user_id, assembly_id=member.assembly_id, kind=RoleKind.MEMBER
        ):
            if actor is not None:
                role_revoke(role=role, revoked_by=actor)
            else:
                role.delete()
    # Their seats at tables still to come go: no name card, no place at the
    # table, no first name for the others. Past weekends keep who sat where.
    seats_freed, _seats = TableSeat.objects.filter(
        member=member, round__weekend__ends_on__gte=timezone.localdate()
    ).delete()
    audit_record(
        action="panel.withdrawn",
        assembly=member.assembly,
        actor=actor,
        target=member,
        # Not the reason: it may be about health, and the log cannot be erased
        # (the member's row can, see recommendations.services.privacy).
        detail={"member": member.pk, "kind": member.kind, "seats_freed": seats_freed},
    )
    logger.info("panel member withdrawn member=%s", member.pk)
    return member


# -------------------------------------------------------------- replacements


def _eligible_ids(assembly: Assembly, keep: set[str]) -> tuple[set[str], set[str]]:
    """(who may not come back: already left the panel or the reserve list,
    except `keep`; whose registration still exists, is active and not erased)."""
    # Erasure keeps the row (and its status) but nobody is left to ask: the
    # frozen pool of the committed run still holds the person.
    active = {
        str(pk)
        for pk in Registration.objects.filter(assembly=assembly, status=Registration.Status.ACTIVE)
        .exclude(email__startswith=ERASED_EMAIL_PREFIX)
        .values_list("pk", flat=True)
    }
    left = {
        str(pk)
        for pk in PanelMember.objects.filter(assembly=assembly, status__in=DROPPED_OUT).values_list(
            "registration_id", flat=True
        )
    }
    return left - keep, active


def _pool_csv(run: SelectionRun, keep: set[str]) -> str:
    """The frozen pool with only the rows in `keep`."""
    rows = list(csv.reader(io.StringIO(run.pool_csv)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    header = [name.strip().casefold() for name in rows[0]]
    id_col = header.index("id") if "id" in header else header.index("nationbuilder_id")
    writer.writerows(row for row in rows[1:] if row and row[id_col].strip() in keep)
    return out.getvalue()


def check_replacement(*, assembly: Assembly, dropped: Sequence[PanelMember]) -> None:
    if not dropped:
        raise PanelRefused(_("Er is geen plaats om te vullen."))
    open_ids = {member.pk for member in open_seats(assembly=assembly)}
    if any(member.pk not in open_ids for member in dropped):
        raise PanelRefused(
            _("Een van deze plaatsen is al gevuld, of er loopt al een vervanging voor.")
        )


def replacement_propose(
    *, assembly: Assembly, dropped_members: Sequence[PanelMember], actor: User | None
) -> Replacement:
    """Propose who fills the seats of `dropped_members`: from the waiting
    alternates if they keep every quota, else by a new LEXIMIN draw."""
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
        draw = assembly_current_draw(assembly=assembly)
        if draw is None:
            raise PanelRefused(_("Er is nog geen trekking."))
        check_replacement(assembly=assembly, dropped=dropped_members)
        replacement = Replacement.objects.create(assembly=assembly, created_by=actor)
        replacement.dropped.set(dropped_members)
        pool = frozen_pool(draw.run)
        dropped_ids = [member.respondent_id for member in dropped_members]
        members = [
            str(pk)
            for pk in PanelMember.objects.filter(
                assembly=assembly, kind=PanelMember.Kind.MEMBER, status__in=ACTIVE_MEMBER
            )
            .order_by("pk")
            .values_list("registration_id", flat=True)
        ]
        # The people proposed in the other open replacements count as seated
        # (so the seats they fill count as filled): checked against the members
        # only, two replacements open at once could each pass and together
        # break a quota, or propose the same alternate twice. Confirming
        # checks the quotas again (replacement_confirm), for a proposal that
        # was still being computed when this one was made.
        stayers = list(dict.fromkeys([*members, *_proposed_elsewhere(assembly)]))
        panel = [*stayers, *dropped_ids]
        left, active = _eligible_ids(assembly, set(panel))
        keep = {pid for pid in pool.people if pid in active and pid not in left} | set(panel)
        alternates = [
            str(pk)
            for pk in PanelMember.objects.filter(
                assembly=assembly,
                kind=PanelMember.Kind.ALTERNATE,
                status=PanelMember.Status.WAITING,
            )
            .order_by("alternate_rank", "pk")
            .values_list("registration_id", flat=True)
            if str(pk) in keep
        ]
        chosen = replace_from_alternates(pool.instance(keep), panel, dropped_ids, alternates)
        detail: dict[str, object] = {"dropped": [m.pk for m in dropped_members]}
        if chosen is not None:
            replacement.method = Replacement.Method.ALTERNATES
            replacement.proposed = chosen
            replacement.status = Replacement.Status.PROPOSED
            replacement.save(update_fields=["method", "proposed", "status"])
            audit_record(
                action="replacement.proposed",
                assembly=assembly,
                actor=actor,
                target=replacement,
                detail={**detail, "method": replacement.method, "proposed": chosen},
            )
            logger.info("replacement from alternates id=%s", replacement.pk)
            return replacement
        quotas_csv = draw.run.quotas_csv
        pool_csv = _pool_csv(draw.run, keep)
        run = SelectionRun.objects.create(
            assembly=assembly,
            kind=SelectionRun.Kind.REPLACEMENT,
            panel_size=len(panel),
            seed=secrets.randbelow(2**31),
            tickets=draw.run.tickets,
            household_rule=draw.run.household_rule,
            quotas_csv=quotas_csv,
            pool_csv=pool_csv,
            input_sha256=hashlib.sha256(f"{quotas_csv}\n{pool_csv}".encode()).hexdigest(),
            dropped=dropped_ids,
            record={"panel_before": panel},
            created_by=actor,
        )
        replacement.method = Replacement.Method.LEXIMIN
        replacement.run = run
        replacement.save(update_fields=["method", "run"])
        audit_record(
            action="replacement.requested",
            assembly=assembly,
            actor=actor,
            target=replacement,
            detail={**detail, "method": replacement.method, "run": run.pk},
        )
        on_worker = len(keep) > INLINE_POOL_LIMIT
        if on_worker:
            replacement_id = replacement.pk
            transaction.on_commit(lambda: _ask_to_compute(replacement_id))
    if not on_worker:
        try:
            replacement_compute(replacement_id=replacement.pk)
        except Exception:
            # The replacement says the computation failed; the organiser sees
            # that on its page instead of an error page.
            logger.exception("replacement computation failed id=%s", replacement.pk)
        replacement.refresh_from_db()
    return replacement


def _ask_to_compute(replacement_id: int) -> None:
    from participants.tasks_panel import replacement_compute_task  # it imports this module

    # With the queue down the run stays queued; replacement_runs_requeue sends it.
    queue_or_leave_to_sweep(replacement_compute_task, replacement_id, what="replacement")


def replacement_runs_requeue(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the replacements whose run no task works on: still queued
    after REQUEUE_AFTER (the queue was down, or the message was lost), or
    running with a stale claim (its worker died and the message with it); the
    claim in :func:`replacement_compute` makes a second task harmless.
    Returns their ids."""
    moment = now or timezone.now()
    ids = list(
        Replacement.objects.filter(
            waiting_for_a_task(moment, prefix="run__"),
            status=Replacement.Status.PENDING,
            run__kind=SelectionRun.Kind.REPLACEMENT,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for replacement_id in ids:
        _ask_to_compute(replacement_id)
    if ids:
        logger.info("replacements queued again ids=%s", ids)
    return ids


def replacement_compute(*, replacement_id: int) -> Outcome:
    """Run the LEXIMIN replacement draw once; store the proposal or the problem in words.

    The run is claimed, kept alive and taken over exactly like a panel draw
    (:func:`participants.services.selection.run_execute`): a second task does
    nothing while the first computes, and a task redelivered after its worker
    died starts the run afresh. The outcome's state is "busy" while another
    task computes it (the task then looks again later)."""
    replacement = Replacement.objects.select_related("run", "assembly").get(pk=replacement_id)
    run = replacement.run
    if run is None or replacement.status != Replacement.Status.PENDING:
        return Outcome("finished-before")
    panel = [str(pid) for pid in (run.record or {}).get("panel_before", [])]

    def compute(run: SelectionRun, progress: ProgressWriter) -> dict[str, Any]:
        pool = frozen_pool(run)
        record = replace_dropouts(
            pool.instance(),
            panel,
            list(run.dropped),
            seed=run.seed,
            tickets=run.tickets,
            household_columns=household_columns(run.household_rule),
            progress=progress,
        )
        # The engine's trial draw with the (secret) seed is not the draw: the
        # public number picks the ticket, after the table is published.
        record = record_without_trial_draw(record)
        for key in ("replacements", "new_panel"):
            record.pop(key, None)
        return {
            "record": {**record, "panel_before": panel},
            "min_probability": record.get("min_probability"),
        }

    def finished(run: SelectionRun, fields: dict[str, Any]) -> None:
        if fields["status"] == SelectionRun.Status.DONE:
            waiting = Replacement.objects.filter(
                pk=replacement_id, status=Replacement.Status.PENDING
            ).update(status=Replacement.Status.DRAW)
            if not waiting:
                # Set aside while it was computed: no one will draw from this
                # table, so it is not published.
                logger.info("replacement set aside before its table id=%s", replacement_id)
                return
            # Published at once: the ticket table is fixed before anyone knows
            # the number that picks from it (as committing does for a panel run).
            SelectionRun.objects.filter(pk=run.pk).update(
                committed_at=timezone.now(), committed_by=replacement.created_by
            )
            audit_record(
                action="replacement.published",
                assembly=replacement.assembly,
                target=replacement,
                detail={
                    "run": run.pk,
                    "ticket_table_sha256": str(fields["record"].get("ticket_table_sha256", "")),
                },
            )
            logger.info("replacement ticket table published id=%s", replacement_id)
            return
        problem = fields["error"]
        if problem["code"] == "internal":
            # Not a quota problem: say so, so the page stops waiting and the
            # organiser can ask again; the log has the details.
            with translation.override("nl"):
                dutch = _(COMPUTE_FAILED)
            with translation.override("en"):
                english = _(COMPUTE_FAILED)
            problem = {"code": "error", "nl": dutch, "en": english}
        Replacement.objects.filter(pk=replacement_id, status=Replacement.Status.PENDING).update(
            status=Replacement.Status.IMPOSSIBLE, problem=problem
        )
        audit_record(
            action="replacement.impossible",
            assembly=replacement.assembly,
            target=replacement,
            detail={"run": run.pk, "code": problem["code"]},
        )
        logger.info("replacement impossible id=%s code=%s", replacement_id, problem["code"])

    return run_execute(
        run_id=run.pk, kind=SelectionRun.Kind.REPLACEMENT, compute=compute, finished=finished
    )


def replacement_public_draw(*, replacement: Replacement) -> SelectionDraw | None:
    """The public number's draw behind a LEXIMIN proposal (None before it)."""
    if replacement.run_id is None:
        return None
    return SelectionDraw.objects.filter(run_id=replacement.run_id).first()


def replacement_draw(
    *, replacement: Replacement, number: int, how_drawn: str, actor: User | None
) -> SelectionDraw:
    """Apply a number drawn in public to the replacement's published ticket
    table: the ticket's people become the proposal.

    One draw per replacement. The same number sent again (a double click) is
    that draw; another number is refused: an organiser who does not like the
    result cannot draw again, only discard the proposal with a reason that is
    published next to the draw."""
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=replacement.assembly_id).first()
        replacement = (
            Replacement.objects.select_for_update(of=("self",))
            .select_related("run", "assembly")
            .get(pk=replacement.pk)
        )
        made = replacement_public_draw(replacement=replacement)
        if made is not None:
            if made.number == number:
                return made
            raise PanelRefused(
                _(
                    "Voor deze vervanging is al een getal getrokken (%(number)s). "
                    "Een tweede trekking kan niet."
                )
                % {"number": made.number}
            )
        run = replacement.run
        if replacement.status != Replacement.Status.DRAW or run is None or run.record is None:
            raise PanelRefused(_("Voor dit voorstel kan geen getal worden getrokken."))
        if not 0 <= number <= MAX_NUMBER:
            raise PanelRefused(_("Het getal moet een heel getal van 0 of meer zijn."))
        record = record_draw(run.record, frozen_pool(run).instance(), number, source="public")
        draw = SelectionDraw.objects.create(
            run=run,
            number=number,
            how_drawn=how_drawn.strip()[:300],
            ticket=record["ticket_drawn"],
            panel=record["panel"],
            record=record,
            drawn_by=actor,
        )
        replacement.proposed = [str(pid) for pid in record["panel"]]
        replacement.status = Replacement.Status.PROPOSED
        replacement.save(update_fields=["proposed", "status"])
        audit_record(
            action="replacement.drawn",
            assembly=replacement.assembly,
            actor=actor,
            target=replacement,
            detail={
                "run": run.pk,
                "number": number,
                "ticket": draw.ticket,
                "proposed": replacement.proposed,
            },
        )
    logger.info("replacement drawn id=%s ticket=%s", replacement.pk, draw.ticket)
    return draw


def _quotas_broken_by(
    *, assembly: Assembly, run: SelectionRun, proposed: Sequence[int], seats: Sequence[PanelMember]
) -> list[EngineQuota]:
    """The quotas the panel as it is now would break with `proposed` in `seats`.

    A proposal was checked against the panel when it was made; another
    replacement confirmed since (or computed at the same time) may have
    changed it. A maximum is checked as it stands. A minimum only fails when
    the seats still empty after this one cannot make it up: while another
    seat waits for its replacement, the panel is one person short, and that
    is not this proposal's fault."""
    pool = frozen_pool(run)
    seated = {
        str(pk)
        for pk in PanelMember.objects.filter(
            assembly=assembly, kind=PanelMember.Kind.MEMBER, status__in=ACTIVE_MEMBER
        ).values_list("registration_id", flat=True)
    } | {str(pk) for pk in proposed}
    empty = PanelMember.objects.filter(
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
        status__in=DROPPED_OUT,
        replaced_by__isnull=True,
    ).count() - len(seats)
    broken = []
    for quota in pool.quotas:
        held = sum(
            1
            for pid in seated
            if pid in pool.people and pool.people[pid].features.get(quota.category) == quota.value
        )
        if held > quota.max or held + max(empty, 0) < quota.min:
            broken.append(quota)
    return broken


@transaction.atomic
def replacement_confirm(
    *,
    replacement: Replacement,
    actor: User | None,
    response_days: int = DEFAULT_RESPONSE_DAYS,
) -> Replacement:
    """Apply a proposal in one transaction: the people chosen become members
    (status "selected", each in the seat of one who left), alternates used
    leave the reserve list, and each gets the notification e-mail."""
    # Two confirmations wait for each other, so each checks the quotas
    # against the panel the other left.
    Assembly.objects.select_for_update().filter(pk=replacement.assembly_id).first()
    replacement = Replacement.objects.select_for_update().get(pk=replacement.pk)
    assembly = replacement.assembly
    if replacement.status != Replacement.Status.PROPOSED:
        raise PanelRefused(_("Dit voorstel kan niet meer worden bevestigd."))
    dropped = list(replacement.dropped.select_for_update().order_by("pk"))
    if any(m.status not in DROPPED_OUT or hasattr(m, "replaced_by") for m in dropped):
        raise PanelRefused(_("Een van deze plaatsen is al gevuld."))
    draw = assembly_current_draw(assembly=assembly)
    if draw is None:
        raise PanelRefused(_("Er is nog geen trekking."))
    proposed = [int(pid) for pid in replacement.proposed]
    if len(proposed) != len(dropped):
        raise PanelRefused(_("Het voorstel past niet bij het aantal lege plaatsen."))
    broken = _quotas_broken_by(assembly=assembly, run=draw.run, proposed=proposed, seats=dropped)
    if broken:
        raise PanelRefused(
            _(
                "Met dit voorstel klopt het quotum niet meer voor: %(quotas)s. "
                "Leg dit voorstel weg en vraag een nieuw voorstel."
            )
            % {"quotas": ", ".join(f"{q.category} {q.value}" for q in broken)}
        )
    existing = {
        m.registration_id: m
        for m in PanelMember.objects.select_for_update().filter(registration_id__in=proposed)
    }
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(
            pk__in=proposed, assembly=assembly, status=Registration.Status.ACTIVE
        ).exclude(email__startswith=ERASED_EMAIL_PREFIX)
    }
    deadline = timezone.localdate() + dt.timedelta(days=response_days)
    new_ids: list[int] = []
    for seat, registration_id in zip(dropped, proposed, strict=True):
        if registration_id not in registrations:
            raise PanelRefused(
                _("Iemand in het voorstel heeft zich afgemeld. Vraag een nieuw voorstel.")
            )
        member = existing.get(registration_id)
        if member is not None and member.status != PanelMember.Status.WAITING:
            raise PanelRefused(
                _("Iemand in het voorstel doet al mee of is gestopt. Vraag een nieuw voorstel.")
            )
        fields = {
            "kind": PanelMember.Kind.MEMBER,
            "status": PanelMember.Status.SELECTED,
            "alternate_rank": None,
            "replaces": seat,
            "response_deadline": deadline,
            "notify_claimed_at": None,
            "notified_at": None,
            "reminded_at": None,
            "final_reminder_at": None,
            "responded_at": None,
        }
        if member is None:
            member = PanelMember.objects.create(
                assembly=assembly, registration_id=registration_id, draw=draw, **fields
            )
        else:
            for name, value in fields.items():
                setattr(member, name, value)
            member.save(update_fields=list(fields))
        new_ids.append(member.pk)
    replacement.status = Replacement.Status.CONFIRMED
    replacement.decided_by = actor
    replacement.decided_at = timezone.now()
    replacement.save(update_fields=["status", "decided_by", "decided_at"])
    _notify_all(new_ids)
    audit_record(
        action="replacement.confirmed",
        assembly=assembly,
        actor=actor,
        target=replacement,
        detail={
            "dropped": [m.pk for m in dropped],
            "members": new_ids,
            "method": replacement.method,
            "deadline": deadline.isoformat(),
        },
    )
    logger.info("replacement confirmed id=%s members=%s", replacement.pk, new_ids)
    return replacement


def _names_of_the_replacement(replacement: Replacement) -> list[str]:
    """The names of the people a replacement is about: who left, who is proposed."""
    ids = [int(pid) for pid in replacement.proposed]
    ids += [member.registration_id for member in replacement.dropped.all()]
    return identifying_words(
        Registration.objects.filter(pk__in=ids).values_list("full_name", flat=True)
    )


def check_discard_reason(*, replacement: Replacement, reason: str) -> None:
    """The reason for setting aside a replacement whose ticket table is public
    is published next to it: it must be there, and it may not name the
    people of the replacement (the public page of the lottery names no one)."""
    if not reason.strip():
        raise ReasonRefused(
            _(
                "De loten van dit voorstel zijn openbaar. Schrijf op waarom u het niet"
                " gebruikt. Die reden komt op de openbare pagina van de loting."
            )
        )
    for name in _names_of_the_replacement(replacement):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", reason, flags=re.IGNORECASE):
            raise ReasonRefused(
                _(
                    "De reden komt op de openbare pagina. Er staat een naam in. "
                    "Schrijf de reden op zonder namen."
                )
            )


@transaction.atomic
def replacement_discard(
    *, replacement: Replacement, actor: User | None, reason: str = ""
) -> Replacement:
    """Set a proposal aside; its seats are open again for a new request.

    A proposal drawn in public needs a reason, which is published next to the
    draw: without it, discarding and asking again would be a way to choose."""
    replacement = Replacement.objects.select_for_update().get(pk=replacement.pk)
    if replacement.status not in (*OPEN_REPLACEMENT, Replacement.Status.IMPOSSIBLE):
        raise PanelRefused(_("Dit voorstel is al afgehandeld."))
    # Once the table is public a reason is needed, drawn or not: an organiser
    # who set aside a table after seeing the dice, before typing the number,
    # and asked again, could otherwise choose.
    published = (
        replacement.status == Replacement.Status.DRAW
        or replacement_public_draw(replacement=replacement) is not None
    )
    if published:
        check_discard_reason(replacement=replacement, reason=reason)
    replacement.status = Replacement.Status.DISCARDED
    replacement.decided_by = actor
    replacement.decided_at = timezone.now()
    replacement.discard_reason = reason.strip() if published else ""
    replacement.save(update_fields=["status", "decided_by", "decided_at", "discard_reason"])
    audit_record(
        action="replacement.discarded",
        assembly=replacement.assembly,
        actor=actor,
        target=replacement,
        detail={"replacement": replacement.pk, "published": published},
    )
    return replacement
