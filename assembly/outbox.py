"""The outbox: e-mails that commit with the change they report, sent once.

``outbox_queue`` writes the e-mail inside the caller's transaction and asks
for a send right after the commit. If the queue is down, nothing is lost: the
sweep (celery beat, every minute, see settings.CELERY_BEAT_SCHEDULE) sends
every e-mail still waiting. Sending locks the rows it takes and records them
as sent before the mail server gets the final dot (assembly.mail_sending), so
a task run twice, a sweep racing a task, or a worker killed half-way never
sends an e-mail twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assembly.mail_sending import (
    EMAIL_BATCH_SIZE,
    MailSender,
    mail_sender,
    refused_for_good,
)
from assembly.models import MailboxMessage, OutboxEmail
from assembly.queueing import queue_or_leave_to_sweep

logger = logging.getLogger(__name__)

# A temporary failure (the mail server is down or answers 4xx) is tried again
# at every sweep; an e-mail is given up on only when it is this old. Counting
# attempts instead would drop every waiting e-mail after a short outage (the
# sweep runs every minute).
GIVE_UP_AFTER = dt.timedelta(days=1)

# Erasure replaces a person's address with one at this reserved domain
# (RFC 2606; participants.services.erasure, recommendations.services.privacy).
# Nothing is queued for it: an erased member may still hold a seat, and every
# reminder about it would go to a mail server only to bounce.
ERASED_DOMAIN = "invalid.example"


def erased_address(address: str) -> bool:
    return address.lower().endswith("@" + ERASED_DOMAIN)


def outbox_queue(
    *, to: str, subject: str, body: str, kind: str, ref: str = "", html_body: str = ""
) -> OutboxEmail | None:
    """Put one e-mail in the outbox; it goes out after the current transaction
    commits. None, and nothing queued, for an erased address."""
    if erased_address(to):
        logger.info("outbox: not queued for an erased address kind=%s ref=%s", kind, ref)
        return None
    email = OutboxEmail.objects.create(
        to=to, subject=subject, body=body, html_body=html_body, kind=kind, ref=ref
    )
    transaction.on_commit(lambda: _ask_to_send(email.pk))
    return email


# Rows per DELETE ... IN (...): well under SQLite's limit on parameters.
_FORGET_CHUNK = 5_000


def mail_forget(*, addresses: Iterable[str] = (), refs: Iterable[str] = ()) -> int:
    """Delete what the outbox and the development mailbox still hold for these
    addresses, or about these objects (``ref``): a waiting or refused e-mail
    keeps its text, with the person's name and links, and every e-mail keeps
    its address. For erasure and the pool purge. Returns how many went."""
    deleted = 0
    for field, values in (("to", sorted(set(addresses))), ("ref", sorted(set(refs)))):
        for start in range(0, len(values), _FORGET_CHUNK):
            chunk = values[start : start + _FORGET_CHUNK]
            deleted += OutboxEmail.objects.filter(**{f"{field}__in": chunk}).delete()[0]
            if field == "to":
                deleted += MailboxMessage.objects.filter(to__in=chunk).delete()[0]
    return deleted


def _ask_to_send(email_id: int) -> None:
    from assembly.tasks import outbox_send_task  # the task module imports this one

    queue_or_leave_to_sweep(outbox_send_task, email_id, what="outbox e-mail")


def _message(email: OutboxEmail) -> EmailMessage:
    message = EmailMultiAlternatives(
        email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def outbox_send(
    *, ids: Sequence[int], sender_factory: Callable[[], MailSender] = mail_sender
) -> int:
    """Send the waiting e-mails among ``ids``; returns how many this call sent."""
    sent = 0
    for start in range(0, len(ids), EMAIL_BATCH_SIZE):
        batch = list(ids[start : start + EMAIL_BATCH_SIZE])
        sender = sender_factory()
        try:
            sent += _send_batch(batch, sender)
        finally:
            sender.close()
    return sent


def _send_batch(ids: list[int], sender: MailSender) -> int:
    try:
        with transaction.atomic():
            emails = list(
                OutboxEmail.objects.filter(pk__in=ids, sent_at=None, failed_at=None)
                .select_for_update(skip_locked=True)
                .order_by("pk")
            )
            if not emails:
                return 0
            OutboxEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            errors = sender.prepare([_message(e) for e in emails])
            for email, error in zip(emails, errors, strict=True):
                if error is not None:
                    _record_failure(email.pk, error)
    except BaseException:
        sender.close()
        raise
    ready = [i for i, error in enumerate(errors) if error is None]
    outcomes = sender.finish(ready)
    delivered = []
    for n, outcome in zip(ready, outcomes, strict=True):
        email = emails[n]
        if isinstance(outcome, smtplib.SMTPResponseException):
            _record_failure(email.pk, outcome)  # refused at the dot: not delivered
        else:
            # None, or a connection broken after the dot: the server may have
            # it, and sending again could mean a second e-mail; we do not.
            delivered.append(email.pk)
    OutboxEmail.objects.filter(pk__in=delivered).update(body="", html_body="")
    logger.info("outbox: sent %s of %s", len(delivered), len(emails))
    return len(delivered)


def _record_failure(email_id: int, error: Exception) -> None:
    if refused_for_good(error):
        OutboxEmail.objects.filter(pk=email_id).update(
            sent_at=None, failed_at=timezone.now(), last_error=type(error).__name__
        )
        logger.warning("outbox: refused email=%s", email_id)
        return
    OutboxEmail.objects.filter(pk=email_id).update(sent_at=None, last_error=type(error).__name__)
    now = timezone.now()
    OutboxEmail.objects.filter(pk=email_id, created_at__lt=now - GIVE_UP_AFTER).update(
        failed_at=now
    )
    logger.warning("outbox: temporary failure email=%s", email_id)


def outbox_waiting_ids(limit: int = 500) -> list[int]:
    return list(
        OutboxEmail.objects.filter(sent_at=None, failed_at=None)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep() -> int:
    """Send everything still waiting (run every minute by celery beat)."""
    return outbox_send(ids=outbox_waiting_ids())
