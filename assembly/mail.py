"""The development mailbox: an e-mail backend that stores messages in the database.

Used when no SMTP server is configured, so the demo needs no mail server and
an organiser can read, for example, a member's login code in the site.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend


class DevMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from assembly.models import MailboxMessage

        stored = []
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                for content, mimetype in message.alternatives:
                    if mimetype == "text/html":
                        html = str(content)
            stored.append(
                MailboxMessage(
                    to=", ".join(message.to + message.cc + message.bcc),
                    subject=str(message.subject)[:300],
                    body=str(message.body),
                    html_body=html,
                )
            )
        MailboxMessage.objects.bulk_create(stored)
        return len(stored)
