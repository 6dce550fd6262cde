"""Seed the demo assembly. Running it twice gives the same demo, not a second copy.

It lives in the last app of the chain because the demo spans every app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assembly.demo import DEMO_PEOPLE
from assembly.models import Assembly, Phase, Role, User
from participants.demo_pool import seed_pool
from participants.models import AttitudeQuestion
from participants.selectors_selection import quota_list
from participants.services.quotas import quota_propose, quota_table_replace
from sessions.models import Weekend

DEMO_SLUG = "drugsbeleid"
# The demo's panel, as in a real assembly. LEXIMIN on the demo pool of 600
# (participants/demo_pool.py) takes about 6 s on a 2-core machine (measured
# with participants.sortition.run_selection, November 2026).
DEMO_PANEL = 175
# Quota on these categories, from the shipped CBS shares, within 25 %.
DEMO_QUOTA_CATEGORIES = ("leeftijd", "geslacht", "opleiding", "provincie", "woonomgeving")
DEMO_QUOTA_TOLERANCE = 0.25

# Seven weekends over about nine months of 2027.
WEEKENDS = [
    (dt.date(2027, 2, 13), "Kennismaken en de vraag", "Jaarbeurs", "Utrecht"),
    (dt.date(2027, 3, 20), "Zorg en gezondheid", "De Eenhoorn", "Amersfoort"),
    (dt.date(2027, 4, 24), "Veiligheid en criminaliteit", "Jaarbeurs", "Utrecht"),
    (dt.date(2027, 6, 5), "Ervaringen en preventie", "Spoorwegmuseum", "Utrecht"),
    (dt.date(2027, 7, 3), "Modellen voor beleid", "De Eenhoorn", "Amersfoort"),
    (dt.date(2027, 9, 11), "Aanbevelingen schrijven", "Jaarbeurs", "Utrecht"),
    (dt.date(2027, 10, 16), "Stemmen over de aanbevelingen", "Tweede Kamer", "Den Haag"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo assembly with one login per role."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo is for the demo only; it refuses to run in production.")
        assembly, _created = Assembly.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": "Nationaal Burgerberaad Drugsbeleid",
                "question": (
                    "Is een drugsbeleid mogelijk met minder criminaliteit en minder "
                    "gezondheidsrisico's?"
                ),
                "mandate": (
                    "De Tweede Kamer vraagt een groep inwoners, gekozen door loting, om advies "
                    "over het drugsbeleid. Het burgerberaad hoort deskundigen uit de zorg, de "
                    "veiligheid, de wetenschap en mensen met ervaring. Het kabinet reageert "
                    "binnen zes maanden op elke aanbeveling."
                ),
                "commissioned_by": "Tweede Kamer der Staten-Generaal",
                "members_target": DEMO_PANEL,
                "alternates_target": 25,
                "min_age": 16,
                "first_weekend": WEEKENDS[0][0],
                "registration_deadline": dt.date(2027, 1, 10),
                "period_end": WEEKENDS[-1][0] + dt.timedelta(days=1),
                "phase": Phase.SETUP,
                "is_public": True,
            },
        )
        for number, (saturday, title, venue, city) in enumerate(WEEKENDS, start=1):
            Weekend.objects.update_or_create(
                assembly=assembly,
                number=number,
                defaults={
                    "title": title,
                    "starts_on": saturday,
                    "ends_on": saturday + dt.timedelta(days=1),
                    "venue_name": venue,
                    "city": city,
                },
            )
        AttitudeQuestion.objects.update_or_create(
            assembly=assembly,
            key="houding",
            defaults={
                "text": "Wat vindt u van het drugsbeleid in Nederland nu?",
                "choices": "\n".join(
                    [
                        "Het moet strenger",
                        "Het kan zo blijven",
                        "Het mag soepeler",
                        "Ik weet het niet",
                    ]
                ),
                "position": 1,
            },
        )
        pool = seed_pool(assembly)
        self._seed_quotas(assembly)
        lines = []
        for email, name, kind, password, secret in DEMO_PEOPLE:
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    assert secret is not None
                    TOTP.activate(user, secret)
            Role.objects.get_or_create(user=user, assembly=assembly, kind=kind)
            lines.append((Role(kind=kind).get_kind_display(), email, password))
        admin, created = User.objects.get_or_create(
            email="beheer@burgerberaad.example",
            defaults={"full_name": "Technisch beheer", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password("demo-beheer-2027")
            admin.save(update_fields=["password"])

        self.stdout.write(self.style.SUCCESS(f"Demo: {assembly.name} (/b/{assembly.slug}/)"))
        self.stdout.write(
            f"Pool: {pool} aanmeldingen / registrations; panel {assembly.members_target}; "
            f"quota: /b/{assembly.slug}/beheer/quota/"
        )
        self.stdout.write("Logins (one per role):")
        shown: set[str] = set()
        for label, email, password in lines:
            if label in shown:
                continue
            shown.add(label)
            if password:
                self.stdout.write(
                    f"  {label:<15} {email}  wachtwoord/password: {password}  "
                    f"TOTP: python manage.py demo_totp {email}"
                )
            else:
                self.stdout.write(
                    f"  {label:<15} {email}  inlogcode per e-mail / login code by e-mail "
                    "(read it in the Testpostbus, logged in as the organiser)"
                )

    def _seed_quotas(self, assembly: Assembly) -> None:
        """The demo quota table; rewritten only when it differs (so a rerun restores it)."""
        proposal = quota_propose(
            assembly=assembly,
            categories=DEMO_QUOTA_CATEGORIES,
            tolerance=DEMO_QUOTA_TOLERANCE,
        )
        wanted = [(r.category, r.value, r.min, r.max) for r in proposal.rows]
        current = [(q.category, q.value, q.min, q.max) for q in quota_list(assembly=assembly)]
        if current != wanted:
            quota_table_replace(assembly=assembly, rows=proposal.as_rows(), actor=None)
