"""The demo's standing panel: the lottery run on the demo pool, drawn with a
fixed public number, and every member's answer in, so the programme,
attendance and tables have members to show. Idempotent: a second call finds
the draw and changes nothing.

The demo member logins (deelnemer@..., deelnemer2@...) take the first seats,
so they see their own table and check-in code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly, Role, RoleKind, User
from participants.models import PanelMember, Registration, SelectionDraw, SelectionRun
from participants.selectors_lottery import assembly_current_draw
from participants.services.selection import (
    selection_draw,
    selection_run_commit,
    selection_run_execute,
    selection_run_start,
)
from sessions.models import Weekend

# Three ten-sided dice, thrown in the demo's imaginary public ceremony.
DEMO_NUMBER = 417
# The last seats went to people the secretariat signed up by phone, without
# an e-mail address: they take part on paper (letters, the desk, a bank
# account typed in), so the organiser's pages for that have someone to show.
ON_PAPER_IN_DEMO = 2


class DemoPanelError(RuntimeError):
    """The demo lottery did not finish (the quotas cannot be met by the pool)."""


@transaction.atomic
def seed_panel(assembly: Assembly, *, member_users: Sequence[User], organiser: User | None) -> int:
    """Draw the demo panel once; returns the number of members."""
    if assembly_current_draw(assembly=assembly) is None:
        run = selection_run_start(assembly=assembly, actor=organiser)
        # The task queued on commit would run after the seed; run it now. (The
        # queued task then finds the run finished and does nothing.)
        selection_run_execute(run_id=run.pk)
        run.refresh_from_db()
        if run.status != SelectionRun.Status.DONE:
            raise DemoPanelError(str(run.error.get("en", run.status)))
        selection_run_commit(run=run, actor=organiser)
        selection_draw(
            run=run,
            number=DEMO_NUMBER,
            how_drawn="Drie dobbelstenen, in het openbaar (demo).",
            actor=organiser,
        )
        _date_before_first_weekend(run)
    members = list(
        PanelMember.objects.filter(assembly=assembly, kind=PanelMember.Kind.MEMBER)
        .select_related("registration")
        .order_by("pk")
    )
    _confirm_everyone(assembly, members, member_users)
    return len(members)


def _date_before_first_weekend(run: SelectionRun) -> None:
    """The draw as it would have happened: four weeks before the first weekend
    (a week before the members said yes), not on the day the demo is seeded,
    which for the completed assembly is long after it ended."""
    first = Weekend.objects.filter(assembly=run.assembly).order_by("starts_on").first()
    if first is None:
        return
    drawn = dt.datetime.combine(first.starts_on - dt.timedelta(days=28), dt.time(11), tzinfo=dt.UTC)
    if drawn >= timezone.now():
        return
    minute = dt.timedelta(minutes=1)
    SelectionRun.objects.filter(pk=run.pk).update(
        created_at=drawn - 5 * minute,
        claimed_at=drawn - 5 * minute,
        started_at=drawn - 5 * minute,
        finished_at=drawn - 4 * minute,
        committed_at=drawn - 2 * minute,
    )
    SelectionDraw.objects.filter(run=run).update(drawn_at=drawn)
    PanelMember.objects.filter(draw__run=run).update(created_at=drawn)


def _name_after(member: PanelMember, user: User) -> None:
    """The seat's registration (and the resident behind it) get the demo
    login's name: one person, whether the site shows the account, the
    registration, the check-in code or the bank account."""
    registration = member.registration
    registration.full_name = user.full_name
    registration.save(update_fields=["full_name"])
    resident = registration.invitation.resident
    if resident is None:
        return
    resident.given_names, _space, resident.surname = user.full_name.partition(" ")
    resident.name_prefix = ""
    resident.save(update_fields=["given_names", "name_prefix", "surname"])


def _confirm_everyone(
    assembly: Assembly, members: list[PanelMember], member_users: Sequence[User]
) -> None:
    """As if every member said yes: an account with the member role each, but
    for the few who take part on paper."""
    waiting = [m for m in members if m.status == PanelMember.Status.SELECTED]
    if not waiting:
        return
    # Never the seats of the demo logins, which come first.
    on_paper = (
        waiting[-ON_PAPER_IN_DEMO:] if len(waiting) > len(member_users) + ON_PAPER_IN_DEMO else []
    )
    for member in on_paper:
        member.registration.email = ""
    Registration.objects.bulk_update([m.registration for m in on_paper], ["email"])
    now = timezone.now()
    # They said yes well before the first weekend: attendance counts a member
    # as expected only from the day they said yes.
    first = Weekend.objects.filter(assembly=assembly).order_by("starts_on").first()
    answered = now
    if first is not None:
        before_first = dt.datetime.combine(
            first.starts_on - dt.timedelta(days=21), dt.time(12), tzinfo=dt.UTC
        )
        answered = min(now, before_first)
    emails = {m.registration.email.lower() for m in waiting if m not in on_paper}
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    User.objects.bulk_create(
        [
            # No password (login by code), as create_user makes them.
            User(
                email=m.registration.email.lower(),
                full_name=m.registration.full_name,
                password=make_password(None),
            )
            for m in waiting
            if m not in on_paper and m.registration.email.lower() not in existing
        ],
        ignore_conflicts=True,
    )
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    for index, member in enumerate(waiting):
        if member not in on_paper:
            user = users[member.registration.email.lower()]
            if index < len(member_users):
                user = member_users[index]  # the demo logins take the first seats
                _name_after(member, user)
            member.user = user
        member.status = PanelMember.Status.CONFIRMED
        member.notified_at = member.notify_claimed_at = member.responded_at = answered
    PanelMember.objects.bulk_update(
        waiting, ["user", "status", "notified_at", "notify_claimed_at", "responded_at"]
    )
    Role.objects.bulk_create(
        [
            Role(user=m.user, assembly=assembly, kind=RoleKind.MEMBER, notified_at=now)
            for m in waiting
            if m.user is not None
        ],
        ignore_conflicts=True,
    )
