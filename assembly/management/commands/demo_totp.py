from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assembly.demo import DEMO_PEOPLE


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff login (demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Not available in production.")
        secrets = {email: secret for email, _n, _r, _p, secret in DEMO_PEOPLE if secret}
        secret = secrets.get(options["email"].lower())
        if secret is None:
            raise CommandError(f"No demo TOTP for {options['email']}; choose: {', '.join(secrets)}")
        self.stdout.write(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
