"""Seed the demo. Running it twice on a day gives the same demo, not a second copy.

Two assemblies:

- ``drugsbeleid``, the Nationaal Burgerberaad Drugsbeleid, half-way: its
  lottery is drawn (a real LEXIMIN run on the demo pool and a public number),
  the members have said yes, two weekends are behind it and five ahead, with
  full programmes, experts across perspectives, released materials, check-ins
  for the past weekends and balanced tables. The dates move with the day the
  seed runs, so the demo always has a past and a next weekend.
- ``oefenloting``, the same assembly before its lottery: a pool and quotas,
  for practising the whole draw (pool check, run, commit, public number,
  notifications, replacements).

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
from django.utils import timezone

from assembly.demo import DEMO_PEOPLE
from assembly.models import Assembly, Phase, Role, RoleKind, User
from participants.demo_attendance import demo_attendance_seed
from participants.demo_panel import DemoPanelError, seed_panel
from participants.demo_pool import seed_pool
from participants.demo_tables import demo_tables_seed
from participants.models import AttitudeQuestion
from participants.selectors_selection import quota_list
from participants.services.quotas import quota_propose, quota_table_replace
from sessions.demo_experts import seed_demo_experts
from sessions.demo_programme import programme_demo_fill
from sessions.models import Weekend

DEMO_SLUG = "drugsbeleid"
PRACTICE_SLUG = "oefenloting"
# The demo's panel, as in a real assembly. LEXIMIN on the demo pool of 600
# (participants/demo_pool.py) takes about 6 s on a 2-core machine (measured
# with participants.sortition.run_selection, November 2026).
DEMO_PANEL = 175
# Quota on these categories, from the shipped CBS shares, within 25 %.
DEMO_QUOTA_CATEGORIES = ("leeftijd", "geslacht", "opleiding", "provincie", "woonomgeving")
DEMO_QUOTA_TOLERANCE = 0.25
QUESTION = "Is een drugsbeleid mogelijk met minder criminaliteit en minder gezondheidsrisico's?"
MANDATE = (
    "De Tweede Kamer vraagt een groep inwoners, gekozen door loting, om advies over het "
    "drugsbeleid. Het burgerberaad hoort deskundigen uit de zorg, de veiligheid, de "
    "wetenschap en mensen met ervaring. Het kabinet reageert binnen zes maanden op elke "
    "aanbeveling."
)

# Seven weekends, six weeks apart (about eight months): titles and venues.
WEEKEND_PLAN = [
    ("Kennismaken en de vraag", "Jaarbeurs", "Utrecht"),
    ("Zorg en gezondheid", "De Eenhoorn", "Amersfoort"),
    ("Veiligheid en criminaliteit", "Jaarbeurs", "Utrecht"),
    ("Ervaringen en preventie", "Spoorwegmuseum", "Utrecht"),
    ("Modellen voor beleid", "De Eenhoorn", "Amersfoort"),
    ("Aanbevelingen schrijven", "Jaarbeurs", "Utrecht"),
    ("Stemmen over de aanbevelingen", "Tweede Kamer", "Den Haag"),
]
WEEKS_APART = 6


def demo_saturdays(today: dt.date) -> list[dt.date]:
    """Seven Saturdays: the first about eight weeks ago, the second two weeks
    ago, the third four weeks ahead, and so on."""
    start = today - dt.timedelta(weeks=8)
    start -= dt.timedelta(days=(start.weekday() - 5) % 7)  # back to a Saturday
    return [start + dt.timedelta(weeks=WEEKS_APART * i) for i in range(len(WEEKEND_PLAN))]


class Command(BaseCommand):
    help = "Create or refresh the demo assemblies with one login per role."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo is for the demo only; it refuses to run in production.")
        today = timezone.localdate()
        saturdays = demo_saturdays(today)
        running = self._assembly(
            DEMO_SLUG,
            "Nationaal Burgerberaad Drugsbeleid",
            saturdays,
            registration_deadline=saturdays[0] - dt.timedelta(weeks=8),
            phase=Phase.DELIBERATION,
        )
        practice = self._assembly(
            PRACTICE_SLUG,
            "Oefenberaad: de loting",
            [day + dt.timedelta(weeks=52) for day in saturdays],
            registration_deadline=today - dt.timedelta(days=1),
            phase=Phase.SELECTION,
        )
        pools = {a.slug: seed_pool(a) for a in (running, practice)}
        for assembly in (running, practice):
            self._seed_quotas(assembly)
        lines, users = self._people(running, practice)
        try:
            members = seed_panel(
                running,
                member_users=[
                    users[e] for e, _n, kind, *_ in DEMO_PEOPLE if kind == RoleKind.MEMBER
                ],
                organiser=users[DEMO_PEOPLE[0][0]],
            )
        except DemoPanelError as error:
            raise CommandError(f"The demo lottery did not finish: {error}") from error
        # Experts first: the programme puts the experts that exist on its briefings.
        seed_demo_experts(running)
        programme_demo_fill(assembly=running)
        demo_attendance_seed(assembly=running, today=today)
        demo_tables_seed(running, today=today, actor=users[DEMO_PEOPLE[0][0]], steps_per_person=150)
        self._report(running, practice, pools, members, lines)

    def _assembly(
        self,
        slug: str,
        name: str,
        saturdays: list[dt.date],
        *,
        registration_deadline: dt.date,
        phase: str,
    ) -> Assembly:
        assembly, _created = Assembly.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "question": QUESTION,
                "mandate": MANDATE,
                "commissioned_by": "Tweede Kamer der Staten-Generaal",
                "members_target": DEMO_PANEL,
                "alternates_target": 25,
                "min_age": 16,
                "first_weekend": saturdays[0],
                "registration_deadline": registration_deadline,
                "period_end": saturdays[-1] + dt.timedelta(days=1),
                "phase": phase,
                "is_public": True,
            },
        )
        for number, (saturday, (title, venue, city)) in enumerate(
            zip(saturdays, WEEKEND_PLAN, strict=True), start=1
        ):
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
        return assembly

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

    def _people(
        self, running: Assembly, practice: Assembly
    ) -> tuple[list[tuple[str, str, str | None]], dict[str, User]]:
        """The demo logins: every role in the running assembly; the staff in the
        practice one too."""
        lines = []
        users: dict[str, User] = {}
        for email, name, kind, password, secret in DEMO_PEOPLE:
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
            users[email] = user
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    assert secret is not None
                    TOTP.activate(user, secret)
                Role.objects.get_or_create(user=user, assembly=practice, kind=kind)
            Role.objects.get_or_create(user=user, assembly=running, kind=kind)
            lines.append((Role(kind=kind).get_kind_display(), email, password))
        admin, created = User.objects.get_or_create(
            email="beheer@burgerberaad.example",
            defaults={"full_name": "Technisch beheer", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password("demo-beheer-2027")
            admin.save(update_fields=["password"])
        return lines, users

    def _report(
        self,
        running: Assembly,
        practice: Assembly,
        pools: dict[str, int],
        members: int,
        lines: list[tuple[str, str, str | None]],
    ) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo: {running.name} (/b/{running.slug}/)"))
        self.stdout.write(
            f"  {members} deelnemers / members, gekozen uit / drawn from {pools[running.slug]} "
            f"aanmeldingen / registrations; lottery: /b/{running.slug}/loting/"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Oefenen met de loting / Practise the lottery: {practice.name} "
                f"(/b/{practice.slug}/)"
            )
        )
        self.stdout.write(
            f"  Pool: {pools[practice.slug]} aanmeldingen / registrations; panel "
            f"{practice.members_target}; quota: /b/{practice.slug}/beheer/quota/"
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
