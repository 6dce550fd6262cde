"""Writes for the citizen's registration: sign up, change, withdraw, decline.

A registration holds special-category data (opinions) under the AVG: logs name
ids only, and the e-mails never repeat the answers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from assembly.client_address import ip_block
from assembly.models import Assembly, User, offered_language
from assembly.outbox import outbox_queue
from assembly.services import audit_record
from participants.letters import contact_address
from participants.models import (
    AttitudeQuestion,
    Invitation,
    PanelMember,
    Registration,
    SelectionRun,
)
from participants.selectors_lottery import in_published_lottery
from participants.selectors_registration import CLOSED_PHASES
from participants.services.panel import ACTIVE_MEMBER, panel_member_withdraw
from participants.services.selection import selection_runs_remove_respondent

logger = logging.getLogger(__name__)

# Stored with each registration: which text of the explanation the person agreed
# to. Change it whenever templates/participants/registration/consent.html changes
# what it says about storing or using the data (v2: the answers stay, under a
# number, in a lottery already made public).
CONSENT_VERSION = "2026-11-v2"

# Wrong codes per IP address (an IPv6 /64) per hour, and tries of one code per hour (any IP).
WRONG_CODES_PER_IP = 10
TRIES_PER_CODE = 20
# Typing errors (codes that fail the check: participants/codes.py) per IP
# address per hour. They tell a guesser nothing, so the limit is far above
# what the people behind one address (a mobile network, a library's help
# desk) type; it only stops a flood.
TYPING_ERRORS_PER_IP = 200
# E-mails with a private link per registration per hour.
LINKS_PER_REGISTRATION = 3
RATE_WINDOW_SECONDS = 3600

# A private link works this long; changing stops at the deadline anyway, and
# withdrawing must stay possible for the whole period of the assembly.
MANAGE_LINK_MAX_AGE = dt.timedelta(days=550)
_MANAGE_SALT = "participants.registration.manage"

# The reason recorded for a drawn person who withdraws through the private
# link. Stored like a reason the organiser types: in the site's language.
WITHDRAWN_BY_LINK = gettext_noop("Afgemeld via de persoonlijke link")
WITHDRAWN_BY_SECRETARIAT = gettext_noop("Afgemeld via het secretariaat")

# What a respondent may change afterwards; consent and the code are not among it.
CHANGEABLE_FIELDS = frozenset(
    {
        "full_name",
        "email",
        "phone",
        "birth_date",
        "gender",
        "education",
        "province",
        "urbanisation",
        "migration_background",
        "attitude_answers",
        "needs_mobility",
        "needs_childcare",
        "needs_language_help",
        "diet",
        "needs_other",
    }
)


class RegistrationRefused(Exception):
    """The registration cannot be written; `reason` says why, for the page to explain."""

    ALREADY_USED = "used"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def registration_is_open(
    *, assembly: Assembly, today: dt.date | None = None, published: bool | None = None
) -> bool:
    """Until the deadline, if there is one; never once the lottery is
    published (its pool is frozen: a new sign-up could not be in it, and a
    changed answer would no longer match it) or the assembly is past it.
    ``published``: already read (see ``lottery_published``), else read here."""
    if assembly.phase in CLOSED_PHASES:
        return False
    if published is None:
        published = SelectionRun.objects.filter(
            assembly=assembly, kind=SelectionRun.Kind.PANEL, committed_at__isnull=False
        ).exists()
    if published:
        return False
    deadline = assembly.registration_deadline
    return deadline is None or (today or timezone.localdate()) <= deadline


# --- rate limits -------------------------------------------------------------


def _bump(key: str) -> int:
    # A fixed window: the first try starts the hour, add() does not extend it.
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        return 1


def _ip_key(ip: str) -> str:
    return f"registration:wrong-code:ip:{ip_block(ip)}"


def _typing_error_key(ip: str) -> str:
    return f"registration:typing-error:ip:{ip_block(ip)}"


def _code_key(code: str) -> str:
    return f"registration:tries:code:{code}"


def code_entry_is_locked(*, ip: str, code: str = "") -> bool:
    """True if this address typed too many wrong codes or typing errors, or
    this code was tried too often."""
    # One round trip to the cache for all counters (Redis in production).
    keys = [_ip_key(ip), _typing_error_key(ip)] + ([_code_key(code)] if code else [])
    counts = cache.get_many(keys)
    return (
        int(counts.get(_ip_key(ip), 0)) >= WRONG_CODES_PER_IP
        or int(counts.get(_typing_error_key(ip), 0)) >= TYPING_ERRORS_PER_IP
        or (bool(code) and int(counts.get(_code_key(code), 0)) >= TRIES_PER_CODE)
    )


def code_entry_record_typing_error(*, ip: str) -> None:
    if _bump(_typing_error_key(ip)) == TYPING_ERRORS_PER_IP:
        logger.warning("registration code entry locked for an address after typing errors")


def code_entry_record(*, ip: str, code: str, wrong: bool) -> None:
    if code:
        _bump(_code_key(code))
    if wrong:
        count = _bump(_ip_key(ip))
        if count == WRONG_CODES_PER_IP:
            logger.warning("registration code entry locked for an address after %s tries", count)


# --- private links -------------------------------------------------------------


def registration_manage_token(*, registration_id: int) -> str:
    return signing.TimestampSigner(salt=_MANAGE_SALT).sign(str(registration_id))


def registration_id_from_token(token: str) -> int | None:
    try:
        value = signing.TimestampSigner(salt=_MANAGE_SALT).unsign(
            token, max_age=MANAGE_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def _manage_url(registration_id: int) -> str:
    token = registration_manage_token(registration_id=registration_id)
    return settings.SITE_URL + reverse("participants:register_manage", kwargs={"token": token})


def _send_after_commit(*, registration_id: int, template: str) -> None:
    """Put the e-mail in the outbox: it commits with the registration and goes
    out after the commit, also when the queue or the mail server is down now."""
    registration = Registration.objects.select_related("assembly").get(pk=registration_id)
    if not registration.email:
        # Signed up by the secretariat for someone without e-mail: the
        # secretariat tells them on the phone, and later news comes by post.
        logger.info(
            "registration mail %s skipped, no address registration=%s", template, registration_id
        )
        return
    context = {
        "registration": registration,
        "assembly": registration.assembly,
        "manage_url": _manage_url(registration_id),
        "deadline": registration.assembly.registration_deadline,
        "contact": contact_address(),
    }
    if template == "withdrawn":
        # A committed run keeps the answers in its public pool: the e-mail says so.
        context["lottery_published"] = in_published_lottery(
            assembly_id=registration.assembly_id, registration_id=registration_id
        )
    subject = render_to_string(
        f"participants/email/registration_{template}_subject.txt", context
    ).strip()
    body = render_to_string(f"participants/email/registration_{template}.txt", context)
    outbox_queue(
        to=registration.email,
        subject=subject,
        body=body,
        kind=f"registration_{template}",
        ref=f"participants.Registration:{registration_id}",
    )
    logger.info("registration mail %s queued registration=%s", template, registration_id)


# --- writes --------------------------------------------------------------------


def _check_attitude_answers(assembly: Assembly, answers: dict[str, str]) -> dict[str, str]:
    questions = {q.key: q.choice_list() for q in AttitudeQuestion.objects.filter(assembly=assembly)}
    return {key: value for key, value in answers.items() if value in questions.get(key, [])}


@transaction.atomic
def registration_create(
    *,
    invitation_id: int,
    consent_version: str,
    answers: dict[str, Any],
    weekend_ids: Iterable[int],
    language: str = "",
    made_by: User | None = None,
) -> Registration:
    """Write the registration and mark the invitation, in one transaction.

    ``language`` is the site language the person used (later e-mails use it);
    anything the site does not offer counts as Dutch.

    ``made_by``: an organiser who signed the person up on the phone or at a
    desk, after reading the explanation out and hearing their consent. The
    audit log keeps who did (ids only).

    The row lock on the invitation makes a second tab (or a second person with
    the same letter) wait, then find the invitation registered and be refused.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("assembly").get(pk=invitation_id)
    )
    if (
        invitation.status == Invitation.Status.REGISTERED
        or Registration.objects.filter(invitation=invitation).exists()
    ):
        raise RegistrationRefused(RegistrationRefused.ALREADY_USED)
    if not registration_is_open(assembly=invitation.assembly):
        raise RegistrationRefused(RegistrationRefused.CLOSED)
    fields = {name: value for name, value in answers.items() if name in CHANGEABLE_FIELDS}
    fields["attitude_answers"] = _check_attitude_answers(
        invitation.assembly, fields.get("attitude_answers", {})
    )
    registration = Registration.objects.create(
        invitation=invitation,
        assembly=invitation.assembly,
        consent_at=timezone.now(),
        consent_version=consent_version,
        language=offered_language(language),
        **fields,
    )
    registration.available_weekends.set(
        invitation.assembly.weekends.filter(pk__in=list(weekend_ids))
    )
    invitation.status = Invitation.Status.REGISTERED
    invitation.save(update_fields=["status"])
    if made_by is not None:
        detail: dict[str, Any] = {"registration": registration.pk, "invitation": invitation.pk}
        resident = invitation.resident
        born = registration.birth_date
        if resident is not None and born is not None and born != resident.birth_date:
            # The organiser ticked that the caller gave this date twice (the
            # form asks): the log says so, without either date.
            detail["birth_date_unlike_register"] = True
        audit_record(
            action="registration.made_by_secretariat",
            assembly=invitation.assembly,
            actor=made_by,
            target=registration,
            detail=detail,
        )
    logger.info("registration created id=%s invitation=%s", registration.pk, invitation.pk)
    _send_after_commit(registration_id=registration.pk, template="confirmation")
    return registration


@transaction.atomic
def registration_update(
    *,
    registration_id: int,
    fields: dict[str, Any],
    weekend_ids: Iterable[int] | None = None,
) -> Registration:
    """Change answers, until the registration deadline, while the registration is active."""
    registration = (
        Registration.objects.select_for_update().select_related("assembly").get(pk=registration_id)
    )
    if registration.status != Registration.Status.ACTIVE:
        raise RegistrationRefused(RegistrationRefused.WITHDRAWN)
    if not registration_is_open(assembly=registration.assembly):
        raise RegistrationRefused(RegistrationRefused.CLOSED)
    unknown = set(fields) - CHANGEABLE_FIELDS
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    if "attitude_answers" in fields:
        fields = {
            **fields,
            "attitude_answers": _check_attitude_answers(
                registration.assembly, fields["attitude_answers"]
            ),
        }
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=[*fields, "updated_at"])
    if weekend_ids is not None:
        registration.available_weekends.set(
            registration.assembly.weekends.filter(pk__in=list(weekend_ids))
        )
        Registration.objects.filter(pk=registration.pk).update(updated_at=timezone.now())
    logger.info("registration changed id=%s", registration.pk)
    return registration


def registration_leave_pool(*, registration: Registration, reason: str) -> None:
    """Take a registration out of the lottery pool, as consent is withdrawn:
    status withdrawn, the special-category answers (opinion, health-related
    needs) and the availability cleared, the invitation declined (so no
    reminders follow), and out of the frozen pool of every run not yet
    committed (``reason`` is recorded there: "withdrawn" or "erased").

    Shared by a withdrawal and by erasure of someone never drawn. Sends
    nothing. The caller runs it in its transaction, holding the assembly's
    lock and then the registration's: the order of a run start and the pool
    purge, so that two of these for one person cannot deadlock.
    """
    registration.status = Registration.Status.WITHDRAWN
    registration.withdrawn_at = timezone.now()
    cleared = {
        "attitude_answers": {},
        "needs_mobility": False,
        "needs_childcare": False,
        "needs_language_help": False,
        "diet": "",
        "needs_other": "",
        "phone": "",
    }
    for name, value in cleared.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", "withdrawn_at", "updated_at", *cleared])
    registration.available_weekends.clear()
    Invitation.objects.filter(pk=registration.invitation_id).update(
        status=Invitation.Status.DECLINED
    )
    selection_runs_remove_respondent(
        assembly_id=registration.assembly_id, registration_id=registration.pk, reason=reason
    )


@transaction.atomic
def registration_withdraw(*, registration_id: int, made_by: User | None = None) -> Registration:
    """Withdraw at any time; the invitation becomes declined, so no reminders follow.

    ``made_by``: an organiser who withdraws the person on their word (on the
    phone, by letter), for someone without e-mail and so without the link.

    Someone the lottery drew also leaves the panel or the reserve list, as when
    the organiser records it: the seat opens for a replacement, a member loses
    the member role, and a later "yes" is refused.

    The person also leaves the frozen pool of every lottery run not yet
    committed (see ``selection_runs_remove_respondent``); a committed run is
    published and stays as it is.
    """
    assembly_id = (
        Registration.objects.filter(pk=registration_id).values_list("assembly_id", flat=True).get()
    )
    # The assembly before the registration, in the order a run start, the
    # pool purge and an erasure (recommendations.services.privacy) take their
    # locks: a run being started waits or is found, and an erasure of the same
    # person at the same moment waits instead of deadlocking.
    Assembly.objects.select_for_update().filter(pk=assembly_id).first()
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    if registration.status == Registration.Status.WITHDRAWN:
        return registration
    # Locked, so an answer given at this moment cannot slip in between.
    drawn = (
        PanelMember.objects.select_for_update()
        .filter(registration=registration, status__in=[*ACTIVE_MEMBER, PanelMember.Status.WAITING])
        .first()
    )
    if drawn is not None:
        reason = WITHDRAWN_BY_SECRETARIAT if made_by is not None else WITHDRAWN_BY_LINK
        panel_member_withdraw(member=drawn, reason=reason, actor=made_by)
    # Consent is withdrawn: the special-category answers go at once; name and
    # e-mail stay until the pool is purged, so that the invitation is not used again.
    registration_leave_pool(registration=registration, reason="withdrawn")
    if made_by is not None:
        audit_record(
            action="registration.withdrawn_by_secretariat",
            assembly=registration.assembly,
            actor=made_by,
            target=registration,
            detail={"registration": registration.pk},
        )
    logger.info("registration withdrawn id=%s", registration.pk)
    # (A member erased on request keeps a working private link; the outbox
    # queues nothing for their erased address.)
    _send_after_commit(registration_id=registration.pk, template="withdrawn")
    return registration


@transaction.atomic
def invitation_decline(*, invitation_id: int) -> Invitation:
    """ "Ik doe niet mee": the invitation is declined, so reminders stop.

    Someone who already registered withdraws through the private link instead.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    if invitation.status == Invitation.Status.REGISTERED:
        raise RegistrationRefused(RegistrationRefused.ALREADY_USED)
    if invitation.status != Invitation.Status.DECLINED:
        invitation.status = Invitation.Status.DECLINED
        invitation.save(update_fields=["status"])
        logger.info("invitation declined id=%s", invitation.pk)
    return invitation


def registration_send_manage_link(*, invitation_id: int) -> bool:
    """E-mail the private link to the address given at registration.

    Returns False when nothing was sent (no registration, or too many links this
    hour). The page says the same either way, so it tells nothing about the data.
    """
    registration = Registration.objects.filter(invitation_id=invitation_id).only("pk").first()
    if registration is None:
        return False
    if _bump(f"registration:links:{registration.pk}") > LINKS_PER_REGISTRATION:
        logger.warning("manage link refused: too many this hour registration=%s", registration.pk)
        return False
    _send_after_commit(registration_id=registration.pk, template="link")
    return True


# --- the organiser's attitude questions ------------------------------------------


def attitude_question_save(
    *, assembly: Assembly, question: AttitudeQuestion, fields: dict[str, Any]
) -> AttitudeQuestion:
    """Create (question without pk) or change an attitude question of `assembly`."""
    question.assembly = assembly
    for name, value in fields.items():
        setattr(question, name, value)
    if question.pk is None:
        question.save()
        logger.info("attitude question created id=%s assembly=%s", question.pk, assembly.pk)
    else:
        question.save(update_fields=list(fields))
        logger.info("attitude question changed id=%s", question.pk)
    return question
