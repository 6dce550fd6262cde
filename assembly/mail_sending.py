"""Sending prepared e-mails over SMTP so that a killed worker never sends one twice."""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger(__name__)

# E-mails claimed in one transaction and sent side by side, one SMTP connection each.
EMAIL_BATCH_SIZE = 10


class MailSender(Protocol):
    """Sends messages in two steps, so the database can record them in between."""

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        """Everything up to the point where the server takes each message.

        Returns, per message, None (ready to hand over) or why it cannot go.
        """

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        """Hand over the prepared messages at `indices` (for SMTP: the final dot)."""

    def close(self) -> None: ...


class _BackendSender:
    """Any Django mail backend (the development mailbox, the test outbox): sends in prepare()."""

    def __init__(self) -> None:
        self.connection = get_connection()
        self.connection.open()

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        errors: list[Exception | None] = []
        for message in messages:
            message.connection = self.connection
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                errors.append(error)
            else:
                errors.append(None)
        return errors

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        return [None for _index in indices]

    def close(self) -> None:
        self.connection.close()


_EOL = re.compile(rb"(?:\r\n|\n|\r(?!\n))")
_LEADING_DOT = re.compile(rb"(?m)^\.")


# Refusals of the login, the greeting or HELO: their class tells the organiser
# what went wrong, so without_addresses keeps it (they all take code, reply).
_KEEPS_ITS_KIND = (smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError, smtplib.SMTPHeloError)
# ... and with a refused sender: about our connection, never one e-mail.
_ABOUT_THE_CONNECTION = (*_KEEPS_ITS_KIND, smtplib.SMTPSenderRefused)


def refused_for_good(error: Exception | None) -> bool:
    """The server refused this e-mail for good (a 5xx reply, for the address,
    at DATA or at the final dot): sending it again gets the same answer. A 4xx
    reply (a full mailbox, greylisting) is worth another try.

    A refused login, greeting or sender is about our connection, not this
    e-mail: every e-mail would get it. Counted as a bounce, it would mark
    everyone as unreachable; as a failure for now, the task retries and then
    tells the organiser that the mail server said no."""
    if isinstance(error, _ABOUT_THE_CONNECTION):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _reply in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


class MailRefused(smtplib.SMTPResponseException):
    """A refusal with the e-mail addresses taken out of it."""


_ANY_ADDRESS = re.compile(rb"<?[^\s<>@]+@[^\s<>]+>?")


def without_addresses(error: Exception) -> Exception:
    """The same refusal (code and reply) without e-mail addresses: an
    exception a task raises ends up in Celery's log, and logs hold ids, never
    addresses. A server's reply often names the address too ("<a@b.nl>: mailbox
    full")."""
    reply: bytes | str
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (0, b""))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, reply = error.smtp_code, error.smtp_error
    else:
        return error
    raw = reply.encode("utf-8", "replace") if isinstance(reply, str) else reply
    clean = _ANY_ADDRESS.sub(b"<address>", raw)
    if isinstance(error, _KEEPS_ITS_KIND):
        # The kind tells the organiser what went wrong (a refused login).
        return type(error)(code, clean)
    return MailRefused(code, clean)


def _address(sender: str) -> str:
    return sender.rsplit("<", 1)[-1].rstrip(">").strip()


class SmtpSender:
    """SMTP over a few connections at once, stopping each message just before its final dot.

    A server takes a message only when it reads the final dot of DATA.
    Recording the e-mails as sent in between makes the only window for a crash
    the moment between the commit and writing three bytes: a worker killed
    before the commit never delivered them (so they are sent again), one killed
    after it did (so they are not). Each message of a batch has its own
    connection, and every step goes out on all of them before the replies are
    read, so the server works on the whole batch at once.
    """

    def __init__(self, connections: int = 10) -> None:
        self.size = connections
        self.pool: list[smtplib.SMTP | None] = [None] * connections

    def _open(self) -> smtplib.SMTP:
        timeout = settings.EMAIL_TIMEOUT or 30
        smtp: smtplib.SMTP
        if settings.EMAIL_USE_SSL:
            smtp = smtplib.SMTP_SSL(
                settings.EMAIL_HOST,
                settings.EMAIL_PORT,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        smtp.ehlo_or_helo_if_needed()
        if smtp.sock is not None:
            # The final dot is a small write right after the message: without
            # this, Nagle's algorithm holds it back until the server's delayed ACK.
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return smtp

    def _connection(self, index: int) -> smtplib.SMTP:
        smtp = self.pool[index]
        if smtp is None:
            smtp = self.pool[index] = self._open()
        return smtp

    def _drop(self, index: int) -> None:
        smtp = self.pool[index]
        self.pool[index] = None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                logger.debug("closing an SMTP connection failed")

    def _step(
        self,
        live: list[int],
        errors: list[Exception | None],
        command: Callable[[smtplib.SMTP, int], None],
        check: Callable[[int, int, bytes], Exception | None],
    ) -> None:
        """Send one command on every live connection, then read every reply."""
        sent: list[int] = []
        for index in live:
            if errors[index] is not None:
                continue
            try:
                command(self._connection(index), index)
                sent.append(index)
            except OSError as error:
                errors[index] = error
                self._drop(index)
        for index in sent:
            smtp = self.pool[index]
            assert smtp is not None
            try:
                code, reply = smtp.getreply()
            except OSError as error:
                errors[index] = error
                self._drop(index)
                continue
            errors[index] = check(index, code, reply)
            if errors[index] is not None:
                try:
                    smtp.rset()
                except OSError:
                    self._drop(index)

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        if len(messages) > self.size:
            raise ValueError("more messages than connections")
        errors: list[Exception | None] = [None] * len(messages)
        live = list(range(len(messages)))
        senders = [_address(m.from_email or settings.DEFAULT_FROM_EMAIL) for m in messages]
        recipients = [m.recipients() for m in messages]

        def mail(smtp: smtplib.SMTP, index: int) -> None:
            smtp.putcmd("mail", f"FROM:<{senders[index]}>")

        def mail_ok(index: int, code: int, reply: bytes) -> Exception | None:
            return None if code == 250 else smtplib.SMTPSenderRefused(code, reply, senders[index])

        self._step(live, errors, mail, mail_ok)
        for position in range(max((len(r) for r in recipients), default=0)):
            with_recipient = [i for i in live if position < len(recipients[i])]

            def rcpt(smtp: smtplib.SMTP, index: int, position: int = position) -> None:
                smtp.putcmd("rcpt", f"TO:<{recipients[index][position]}>")

            def rcpt_ok(
                index: int, code: int, reply: bytes, position: int = position
            ) -> Exception | None:
                if code in (250, 251):
                    return None
                return smtplib.SMTPRecipientsRefused({recipients[index][position]: (code, reply)})

            self._step(with_recipient, errors, rcpt, rcpt_ok)

        def data(smtp: smtplib.SMTP, index: int) -> None:
            smtp.putcmd("data")

        def data_ok(index: int, code: int, reply: bytes) -> Exception | None:
            return None if code == 354 else smtplib.SMTPDataError(code, reply)

        self._step(live, errors, data, data_ok)
        for index in live:
            if errors[index] is not None:
                continue
            raw = messages[index].message().as_bytes()
            payload = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", raw))
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            try:
                self._connection(index).send(payload)
            except OSError as error:
                errors[index] = error
                self._drop(index)
        return errors

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        errors: list[Exception | None] = [None] * len(indices)
        written: list[int] = []
        for position, index in enumerate(indices):
            smtp = self.pool[index]
            try:
                assert smtp is not None
                smtp.send(b".\r\n")
                written.append(position)
            except (OSError, AssertionError) as error:
                errors[position] = OSError(str(error))
                self._drop(index)
        for position in written:
            index = indices[position]
            smtp = self.pool[index]
            assert smtp is not None
            try:
                code, reply = smtp.getreply()
            except OSError as error:
                errors[position] = error
                self._drop(index)
                continue
            if code != 250:
                errors[position] = smtplib.SMTPDataError(code, reply)
        return errors

    def close(self) -> None:
        for index, smtp in enumerate(self.pool):
            if smtp is None:
                continue
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._drop(index)
            self.pool[index] = None


def mail_sender() -> MailSender:
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return SmtpSender(connections=EMAIL_BATCH_SIZE)
    return _BackendSender()
