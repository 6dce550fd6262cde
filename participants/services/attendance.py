"""Attendance: check-in per day (by an organiser, from the list or by
scanning the member's QR code), late arrival and early departure, and the
daily flag of members absent on two weekends in a row.

A check-in is the basis of the day allowance, so it is one row per member
and day (a unique constraint): checking in twice changes nothing. Every
change is written to the audit log with ids only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from assembly.models import Assembly, Role, RoleKind, User
from assembly.outbox import outbox_queue
from assembly.services import audit_record
from participants.models import CheckIn, DayAllowance, PanelMember, PaymentBatch, PaymentState
from participants.selectors_attendance import (
    ABSENCE_FLAGGED,
    absence_flagged,
    flagged_member_ids,
    weekend_for_day,
)
from sessions.models import Weekend
from sessions.selectors import programme_day_bounds

logger = logging.getLogger(__name__)

_SCAN_SALT = "participants.attendance.scan"
ABSENCE_EMAIL_KIND = "attendance.absence"


class AttendanceRefused(Exception):
    """The check-in cannot be done; the message says why, for the organiser."""


# --------------------------------------------------------------- QR token


def check_in_token(*, member_id: int) -> str:
    """The signed part of the URL in a member's QR code. It names the member
    only; it checks nobody in without an organiser's session."""
    return signing.Signer(salt=_SCAN_SALT).sign(str(member_id))


def member_id_from_check_in_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=_SCAN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def check_in_scan_url(*, member: PanelMember, assembly: Assembly) -> str:
    path = reverse(
        "participants:attendance_scan",
        kwargs={"slug": assembly.slug, "token": check_in_token(member_id=member.pk)},
    )
    return settings.SITE_URL + path


# --------------------------------------------------------------- check-in


def check_check_in(*, member: PanelMember, day: dt.date, today: dt.date | None = None) -> Weekend:
    """The weekend of ``day`` if the member can be checked in on it; raises otherwise."""
    today = today or timezone.localdate()
    if member.kind != PanelMember.Kind.MEMBER or member.status != PanelMember.Status.CONFIRMED:
        raise AttendanceRefused(_("Deze persoon doet niet mee als deelnemer."))
    weekend = weekend_for_day(assembly_id=member.assembly_id, day=day)
    if weekend is None:
        raise AttendanceRefused(_("Op deze dag is er geen weekend van het burgerberaad."))
    if day > today:
        raise AttendanceRefused(_("Aanmelden kan pas op de dag zelf."))
    return weekend


@transaction.atomic
def check_in_record(
    *, member: PanelMember, day: dt.date, actor: User | None, today: dt.date | None = None
) -> tuple[CheckIn, bool]:
    """Check the member in for the day. Returns the check-in and whether it
    is new; a second check-in on the same day leaves the first as it is."""
    weekend = check_check_in(member=member, day=day, today=today)
    check_in, created = CheckIn.objects.get_or_create(
        member=member, day=day, defaults={"weekend": weekend, "checked_in_by": actor}
    )
    if created:
        audit_record(
            action="attendance.checked_in",
            assembly=member.assembly,
            actor=actor,
            target=member,
            detail={"member": member.pk, "weekend": weekend.pk, "day": day.isoformat()},
        )
        logger.info("checked in member=%s day=%s", member.pk, day.isoformat())
    return check_in, created


def check_check_in_undo(*, allowance: DayAllowance | None) -> None:
    """Raises when the day's allowance went to finance: then the day was paid,
    or will be, and taking the check-in back would leave that unexplained."""
    if allowance is None:
        return
    batch = allowance.payment.batch if allowance.payment is not None else None
    if batch is not None and batch.status == PaymentBatch.Status.OPEN:
        raise AttendanceRefused(
            _(
                "De vergoeding voor deze dag staat al in betaalbatch %(number)s. Haal eerst de "
                "betaling aan deze deelnemer uit die batch. Haal daarna de aanmelding weg."
            )
            % {"number": batch.number}
        )
    if batch is not None or allowance.status in (PaymentState.BATCHED, PaymentState.PAID):
        raise AttendanceRefused(
            _(
                "De vergoeding voor deze dag zit in een betaalbatch die al is geëxporteerd of "
                "betaald. Daarom kunt u de aanmelding niet meer weghalen. Is er te veel "
                "betaald? Overleg dan met financiën."
            )
        )


@transaction.atomic
def check_in_undo(*, member: PanelMember, day: dt.date, actor: User | None) -> bool:
    """Take a check-in back (a mistake on the list), with the allowance of that
    day. Returns whether there was one; raises when the allowance is in a
    payment batch or paid."""
    # The assembly's lock first, as computing allowances and filling a batch
    # take it: they then see this day either with its check-in or without,
    # never a half-undone day that could be paid.
    Assembly.objects.select_for_update().filter(pk=member.assembly_id).first()
    check_in = CheckIn.objects.select_for_update().filter(member=member, day=day).first()
    if check_in is None:
        return False
    allowance = (
        DayAllowance.objects.select_for_update(of=("self",))
        .select_related("payment__batch")
        .filter(member=member, day=day)
        .first()
    )
    check_check_in_undo(allowance=allowance)
    weekend_id = check_in.weekend_id
    if allowance is not None:
        allowance.delete()
    check_in.delete()
    audit_record(
        action="attendance.check_in_undone",
        assembly=member.assembly,
        actor=actor,
        target=member,
        detail={
            "member": member.pk,
            "weekend": weekend_id,
            "day": day.isoformat(),
            "allowance_removed": allowance is not None,
        },
    )
    logger.info("check-in undone member=%s day=%s", member.pk, day.isoformat())
    return True


def _check_within_programme(
    member: PanelMember, day: dt.date, arrived: dt.time | None, left: dt.time | None
) -> None:
    """Coming after the day's programme ended, or leaving before it began,
    is a typing error (23:00 for 13:00): it would count as a day present for
    no hours at all."""
    bounds = programme_day_bounds(assembly=member.assembly).get(day)
    if bounds is None:
        return
    start, end = bounds
    span = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    if arrived is not None and arrived >= end:
        raise AttendanceRefused(
            _(
                "Om %(time)s was het programma van die dag al voorbij (%(start)s – %(end)s). "
                "Kijk de tijd van komen na."
            )
            % {"time": arrived.strftime("%H:%M"), **span}
        )
    if left is not None and left <= start:
        raise AttendanceRefused(
            _(
                "Om %(time)s was het programma van die dag nog niet begonnen "
                "(%(start)s – %(end)s). Kijk de tijd van weggaan na."
            )
            % {"time": left.strftime("%H:%M"), **span}
        )


@transaction.atomic
def check_in_times_set(
    *,
    member: PanelMember,
    day: dt.date,
    arrived_late_at: dt.time | None,
    left_early_at: dt.time | None,
    note: str,
    actor: User | None,
    today: dt.date | None = None,
) -> CheckIn:
    """Note a late arrival, an early departure and a short note. Someone who
    came late was there: without a check-in yet, this checks them in."""
    if arrived_late_at and left_early_at and left_early_at <= arrived_late_at:
        raise AttendanceRefused(_("De tijd van weggaan moet na de tijd van komen liggen."))
    _check_within_programme(member, day, arrived_late_at, left_early_at)
    check_in, _created = check_in_record(member=member, day=day, actor=actor, today=today)
    # Another desk may take this check-in back in the meantime: its undo
    # holds the row, and once it commits the row is gone.
    locked = CheckIn.objects.select_for_update().filter(pk=check_in.pk).first()
    if locked is None:
        raise AttendanceRefused(
            _(
                "Deze aanmelding is net weggehaald door iemand anders. Uw tijden zijn niet "
                "opgeslagen. Is de deelnemer er toch? Meld de deelnemer dan opnieuw aan."
            )
        )
    check_in = locked
    check_in.arrived_late_at = arrived_late_at
    check_in.left_early_at = left_early_at
    check_in.note = note.strip()
    check_in.save(update_fields=["arrived_late_at", "left_early_at", "note"])
    audit_record(
        action="attendance.times_noted",
        assembly=member.assembly,
        actor=actor,
        target=member,
        detail={
            "member": member.pk,
            "day": day.isoformat(),
            "arrived_late_at": arrived_late_at.isoformat() if arrived_late_at else None,
            "left_early_at": left_early_at.isoformat() if left_early_at else None,
            # The note itself may name people or health: the log keeps only that there is one.
            "has_note": bool(check_in.note),
        },
    )
    return check_in


# ----------------------------------------------------------- absence flag


@dataclass(frozen=True)
class _Mail:
    subject: str
    body: str


def _absence_mail(
    assembly: Assembly, flagged_member: PanelMember, weekends: list[Weekend]
) -> _Mail:
    overview = settings.SITE_URL + reverse(
        "participants:attendance_overview", kwargs={"slug": assembly.slug}
    )
    panel = settings.SITE_URL + reverse("participants:panel_list", kwargs={"slug": assembly.slug})
    context = {
        "assembly": assembly,
        "name": flagged_member.registration.full_name,
        "first": weekends[0].number,
        "second": weekends[1].number,
        "first_day": formats.date_format(weekends[0].starts_on, "j F Y"),
        "second_day": formats.date_format(weekends[1].starts_on, "j F Y"),
        "overview_url": overview,
        "panel_url": panel,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(
            "participants/email/attendance_absence_subject.txt", context
        ).strip()
        body = render_to_string("participants/email/attendance_absence.txt", context)
    return _Mail(subject=subject, body=body)


def absence_flags_send(*, assembly_id: int, today: dt.date | None = None) -> int:
    """Tell the organisers about each member newly absent two weekends in a
    row: one e-mail per organiser per member, ever. Returns the number of
    members flagged by this call; a second run the same day flags none."""
    assembly = Assembly.objects.get(pk=assembly_id)
    flagged = absence_flagged(assembly=assembly, today=today)
    already = flagged_member_ids(member_ids=[f.member.pk for f in flagged])
    todo = [f for f in flagged if f.member.pk not in already]
    if not todo:
        return 0
    recipients = sorted(
        set(
            Role.objects.filter(assembly=assembly, kind=RoleKind.ORGANISER, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    count = 0
    for item in todo:
        with transaction.atomic():
            # The lock on the member row makes two runs at once take turns;
            # the second then sees the audit line of the first.
            member = (
                PanelMember.objects.select_for_update()
                .select_related("registration")
                .get(pk=item.member.pk)
            )
            if member.status != PanelMember.Status.CONFIRMED:
                continue
            if flagged_member_ids(member_ids=[member.pk]):
                continue
            audit_record(
                action=ABSENCE_FLAGGED,
                assembly=assembly,
                target=member,
                detail={"member": member.pk, "weekends": [item.first.pk, item.second.pk]},
            )
            mail = _absence_mail(assembly, member, [item.first, item.second])
            for address in recipients:
                outbox_queue(
                    to=address,
                    subject=mail.subject,
                    body=mail.body,
                    kind=ABSENCE_EMAIL_KIND,
                    ref=f"{PanelMember._meta.label}:{member.pk}",
                )
            count += 1
            logger.info(
                "absence flagged member=%s weekends=%s,%s", member.pk, item.first.pk, item.second.pk
            )
    return count


def absence_flags_send_all(*, today: dt.date | None = None) -> int:
    """The daily run over every assembly that has weekends."""
    total = 0
    ids = Assembly.objects.filter(weekends__isnull=False).distinct().values_list("pk", flat=True)
    for assembly_id in ids:
        total += absence_flags_send(assembly_id=assembly_id, today=today)
    return total
