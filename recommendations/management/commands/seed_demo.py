"""Seed the demo. Running it twice on a day gives the same demo, not a second copy.

Two assemblies:

- ``drugsbeleid``, the Nationaal Burgerberaad Drugsbeleid, half-way: its
  lottery is drawn (a real LEXIMIN run on the demo pool and a public number),
  the members have said yes, two weekends are behind it, the third is on
  today (on a weekday too, so members can be checked in and vote) and four
  are ahead, with full programmes, experts across perspectives, released
  materials, check-ins for the past weekends and for the demo member logins
  today, and balanced tables. The dates move with the day the seed runs.
- ``oefenloting``, the same assembly before its lottery: a pool and quotas,
  for practising the whole draw (pool check, run, commit, public number,
  notifications, replacements).
- ``afgerond``, the same assembly when it is over: all seven weekends behind
  it (the last one about seven months ago, so the cabinet has answered),
  phase "report", with its programme of
  about a hundred briefings, attendance, tables, the recommendations, the
  secretariat's progress reports for every weekend and a few members who
  agreed to be named: what the griffie downloads the final report of.

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
from participants.demo_allowances import demo_allowances_seed
from participants.demo_attendance import demo_attendance_seed
from participants.demo_panel import DemoPanelError, seed_panel
from participants.demo_payments import demo_payments_seed
from participants.demo_pool import seed_pool
from participants.demo_registration import seed_registration_demo
from participants.demo_tables import demo_tables_seed
from participants.models import AttitudeQuestion, PanelMember
from participants.selectors_selection import quota_list
from participants.services.attendance import check_in_record
from participants.services.quotas import quota_propose, quota_table_replace
from recommendations.demo_ballots import demo_ballots_seed
from recommendations.demo_drafting import demo_drafting_seed
from recommendations.demo_record import demo_record_seed
from recommendations.models import ProgressReport
from sessions.demo_experts import seed_demo_experts
from sessions.demo_programme import EXTRA_POSITION, programme_demo_fill
from sessions.models import Expert, Session, Weekend

DEMO_SLUG = "drugsbeleid"
PRACTICE_SLUG = "oefenloting"
COMPLETED_SLUG = "afgerond"
REGISTRATION_SLUG = "oefenaanmelding"
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
# English readers of the demo see the assembly's own texts in English too.
QUESTION_EN = "Is a drug policy possible with less crime and fewer health risks?"
MANDATE_EN = (
    "The House of Representatives asks a group of residents, chosen by lot, for advice on "
    "drug policy. The citizens' assembly hears experts from care, safety and science, and "
    "people with lived experience. The cabinet responds to each recommendation within six "
    "months."
)

# Seven weekends, six weeks apart (about eight months): titles and venues.
WEEKEND_PLAN = [
    (
        "Kennismaken en de vraag",
        "Getting to know each other and the question",
        "Jaarbeurs",
        "Utrecht",
    ),
    ("Zorg en gezondheid", "Care and health", "De Eenhoorn", "Amersfoort"),
    ("Veiligheid en criminaliteit", "Safety and crime", "Jaarbeurs", "Utrecht"),
    ("Ervaringen en preventie", "Lived experience and prevention", "Spoorwegmuseum", "Utrecht"),
    ("Modellen voor beleid", "Models for policy", "De Eenhoorn", "Amersfoort"),
    ("Aanbevelingen schrijven", "Writing recommendations", "Jaarbeurs", "Utrecht"),
    ("Stemmen over de aanbevelingen", "Voting on the recommendations", "Tweede Kamer", "Den Haag"),
]
WEEKS_APART = 6
# The running demo's weekend that is on now (0-based): the third.
CURRENT_WEEKEND = 2


# The completed assembly's last weekend is this long ago: longer than the
# six months in which the cabinet answers and then updates its answers
# (recommendations/demo_record.py), so its report has the responses.
COMPLETED_AGO = dt.timedelta(weeks=30)


def completed_saturdays(today: dt.date) -> list[dt.date]:
    """Seven Saturdays six weeks apart, the last about seven months ago."""
    last = today - COMPLETED_AGO
    last -= dt.timedelta(days=(last.weekday() - 5) % 7)
    return [last - dt.timedelta(weeks=WEEKS_APART * i) for i in range(len(WEEKEND_PLAN))][::-1]


# Parallel deep-dive briefings on top of the standard programme, so the
# completed assembly has about a hundred briefings, as real ones do (Ireland
# 2023: ~120 presentations).
DEEP_DIVES = [
    # (title, title in English, topic)
    (
        "Verdieping: cannabis en de coffeeshop",
        "Deep dive: cannabis and the coffee shop",
        "Cannabis",
    ),
    ("Verdieping: xtc en het uitgaansleven", "Deep dive: ecstasy and nightlife", "Uitgaan"),
    (
        "Verdieping: jonge aanwas in de drugscriminaliteit",
        "Deep dive: young people drawn into drug crime",
        "Criminaliteit",
    ),
    ("Verdieping: verslavingszorg in de praktijk", "Deep dive: addiction care in practice", "Zorg"),
    ("Verdieping: preventie op school", "Deep dive: prevention at school", "Preventie"),
    ("Verdieping: testen van drugs", "Deep dive: testing drugs", "Schade beperken"),
    (
        "Verdieping: ondermijning in de wijk",
        "Deep dive: organised crime in the neighbourhood",
        "Criminaliteit",
    ),
    ("Verdieping: ervaringen van ouders", "Deep dive: what parents experience", "Ervaring"),
    (
        "Verdieping: regulering in andere landen",
        "Deep dive: regulation in other countries",
        "Regulering",
    ),
    ("Verdieping: de rol van de gemeente", "Deep dive: the role of the municipality", "Bestuur"),
    ("Verdieping: kosten voor de samenleving", "Deep dive: the costs for society", "Kosten"),
    ("Verdieping: wat zegt het onderzoek?", "Deep dive: what does research say?", "Onderzoek"),
]
DEEP_DIVES_TOTAL = 79

PROGRESS_WORDS = {
    1: (
        "De deelnemers leerden elkaar kennen en hoorden wat de vraag van de Kamer is. "
        "Deskundigen legden de feiten over drugs in Nederland uit.",
        "Weekend 2 gaat over zorg en gezondheid. De deelnemers krijgen vooraf de stukken.",
    ),
    2: (
        "Deskundigen uit de verslavingszorg en de GGD vertelden over zorg en preventie. "
        "De tafels bespraken wat goed gaat en wat beter kan.",
        "Weekend 3 gaat over veiligheid. Er komen sprekers van politie, OM en gemeente.",
    ),
    3: (
        "Politie, Openbaar Ministerie en burgemeesters vertelden over criminaliteit rond drugs. "
        "Twee deelnemers stopten; reserves namen hun plaats in.",
        "Weekend 4 gaat over ervaringen en preventie.",
    ),
    4: (
        "Mensen met eigen ervaring en ouders vertelden hun verhaal. De deelnemers vonden dit "
        "een belangrijk weekend.",
        "Weekend 5: modellen voor beleid, van verbieden tot reguleren.",
    ),
    5: (
        "De deelnemers vergeleken modellen voor drugsbeleid en wogen voor- en nadelen.",
        "Weekend 6: de tafels schrijven de aanbevelingen.",
    ),
    6: (
        "De tafels schreven de aanbevelingen. De plenaire vergadering gaf feedback en "
        "stemde over amendementen.",
        "Weekend 7: de stemmingen over de aanbevelingen in de Tweede Kamer.",
    ),
    7: (
        "Het burgerberaad stemde over alle aanbevelingen. De voorzitter sloot het beraad af.",
        "Het secretariaat schrijft het eindrapport. De overdracht aan de Kamer volgt.",
    ),
}
# Panel members (by position in the panel) who agreed to be named in the report.
NAMED_MEMBERS = (0, 7, 19, 42, 88)


def demo_login(users: dict[str, User], kind: str) -> User:
    """The first demo login with this role (DEMO_PEOPLE, in order)."""
    return next(users[email] for email, _n, role, *_ in DEMO_PEOPLE if role == kind)


def demo_saturdays(today: dt.date) -> list[dt.date]:
    """Seven Saturdays six weeks apart: the third is the Saturday of the week
    of ``today`` (a Sunday belongs to the Saturday before it), so two are
    behind it and four ahead."""
    current = today - dt.timedelta(days=1) if today.weekday() == 6 else today
    saturday = current + dt.timedelta(days=(5 - current.weekday()) % 7)
    return [
        saturday + dt.timedelta(weeks=WEEKS_APART * (i - CURRENT_WEEKEND))
        for i in range(len(WEEKEND_PLAN))
    ]


def demo_weekend_starts(today: dt.date) -> list[dt.date]:
    """The first days of the running demo's weekends: its third weekend holds
    ``today``. A vote needs a check-in today, and a check-in needs a weekend
    today; so on a weekday the demo holds its third weekend on the day it is
    seeded and the next (the others stay on Saturdays)."""
    starts = demo_saturdays(today)
    starts[CURRENT_WEEKEND] = today - dt.timedelta(days=1) if today.weekday() == 6 else today
    return starts


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
            "National Citizens' Assembly on Drug Policy",
            demo_weekend_starts(today),
            registration_deadline=saturdays[0] - dt.timedelta(weeks=8),
            phase=Phase.DELIBERATION,
        )
        practice = self._assembly(
            PRACTICE_SLUG,
            "Oefenberaad: de loting",
            "Practice assembly: the lottery",
            [day + dt.timedelta(weeks=52) for day in saturdays],
            registration_deadline=today - dt.timedelta(days=1),
            phase=Phase.SELECTION,
        )
        completed_days = completed_saturdays(today)
        completed = self._assembly(
            COMPLETED_SLUG,
            "Burgerberaad Drugsbeleid (afgerond)",
            "Citizens' Assembly on Drug Policy (completed)",
            completed_days,
            registration_deadline=completed_days[0] - dt.timedelta(weeks=8),
            phase=Phase.REPORTING,
        )
        registering = self._assembly(
            REGISTRATION_SLUG,
            "Oefenberaad: uitnodigen en aanmelden",
            "Practice assembly: invitations and registration",
            [day + dt.timedelta(weeks=26) for day in saturdays],
            registration_deadline=today + dt.timedelta(weeks=3),
            phase=Phase.REGISTRATION,
        )
        pools = {a.slug: seed_pool(a) for a in (running, practice, completed)}
        for assembly in (running, practice, completed, registering):
            self._seed_quotas(assembly)
        codes = seed_registration_demo(registering)
        lines, users = self._people(running, (practice, completed, registering))
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
        organiser = demo_login(users, RoleKind.ORGANISER)
        self._check_in_demo_members(running, users, today=today, organiser=organiser)
        chair = demo_login(users, RoleKind.CHAIR)
        demo_tables_seed(running, today=today, actor=organiser, steps_per_person=150)
        demo_allowances_seed(running, today=today, organiser=organiser)
        demo_payments_seed(running, today=today, organiser=organiser)
        demo_drafting_seed(running, today=today)
        demo_ballots_seed(running, today=today, chair=chair, second=organiser)
        demo_record_seed(running, today=today, chair=chair, organiser=organiser)
        self._completed(completed, users, today=today)
        self._report(running, practice, pools, members, lines)
        self._report_registration(registering, codes)
        self.stdout.write(
            self.style.SUCCESS(
                f"Afgerond / Completed: {completed.name}; eindrapport / final report: "
                f"/b/{completed.slug}/rapport/ (griffie, organisatie, voorzitter)"
            )
        )

    def _assembly(
        self,
        slug: str,
        name: str,
        name_en: str,
        saturdays: list[dt.date],
        *,
        registration_deadline: dt.date,
        phase: str,
    ) -> Assembly:
        assembly, _created = Assembly.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "question": QUESTION,
                "question_en": QUESTION_EN,
                "mandate": MANDATE,
                "mandate_en": MANDATE_EN,
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
        for number, (saturday, (title, title_en, venue, city)) in enumerate(
            zip(saturdays, WEEKEND_PLAN, strict=True), start=1
        ):
            Weekend.objects.update_or_create(
                assembly=assembly,
                number=number,
                defaults={
                    "title": title,
                    "title_en": title_en,
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
                "text_en": "What do you think of the drug policy in the Netherlands now?",
                "choices_en": "\n".join(
                    [
                        "It should be stricter",
                        "It can stay as it is",
                        "It may be less strict",
                        "I do not know",
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

    def _completed(self, assembly: Assembly, users: dict[str, User], *, today: dt.date) -> None:
        """The completed assembly: everything up to the report."""
        organiser = demo_login(users, RoleKind.ORGANISER)
        chair = demo_login(users, RoleKind.CHAIR)
        try:
            seed_panel(assembly, member_users=[], organiser=organiser)
        except DemoPanelError as error:
            raise CommandError(f"The demo lottery did not finish: {error}") from error
        seed_demo_experts(assembly)
        programme_demo_fill(assembly=assembly)
        self._deep_dives(assembly)
        demo_attendance_seed(assembly=assembly, today=today)
        # Fewer improvement steps than the running demo: seven weekends of
        # tables, and nobody looks at their fine balance here.
        demo_tables_seed(assembly, today=today, actor=organiser, steps_per_person=30)
        demo_allowances_seed(assembly, today=today, organiser=organiser)
        demo_payments_seed(assembly, today=today, organiser=organiser)
        demo_drafting_seed(assembly, today=today)
        # The chair counts the paper ballots; the organiser is the second pair of eyes.
        demo_ballots_seed(assembly, today=today, chair=chair, second=organiser)
        demo_record_seed(assembly, today=today, chair=chair, organiser=organiser)
        self._progress_reports(assembly, organiser)
        members = list(
            PanelMember.objects.filter(assembly=assembly, kind=PanelMember.Kind.MEMBER)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        named = [members[i] for i in NAMED_MEMBERS if i < len(members)]
        PanelMember.objects.filter(pk__in=named, named_publicly=False).update(
            named_publicly=True, named_publicly_at=timezone.now()
        )

    def _check_in_demo_members(
        self, assembly: Assembly, users: dict[str, User], *, today: dt.date, organiser: User
    ) -> None:
        """The demo member logins are checked in for today, as the desk would:
        the open ballot takes only votes of members checked in today."""
        logins = [users[e] for e, _n, kind, *_ in DEMO_PEOPLE if kind == RoleKind.MEMBER]
        for member in PanelMember.objects.filter(
            assembly=assembly,
            user__in=logins,
            kind=PanelMember.Kind.MEMBER,
            status=PanelMember.Status.CONFIRMED,
        ):
            check_in_record(member=member, day=today, actor=organiser, today=today)

    def _deep_dives(self, assembly: Assembly) -> None:
        """Extra parallel briefings on Saturday afternoon, in rooms of their own.

        Each is found again by weekend and position (after the programme's,
        which programme_demo_fill leaves alone), so a rerun keeps their ids."""
        experts = list(Expert.objects.filter(assembly=assembly).order_by("pk"))
        weekends = list(Weekend.objects.filter(assembly=assembly).order_by("number"))
        for index in range(DEEP_DIVES_TOTAL):
            weekend = weekends[index % len(weekends)]
            slot = index // len(weekends)
            title, title_en, topic = DEEP_DIVES[slot % len(DEEP_DIVES)]
            starts = timezone.make_aware(
                dt.datetime.combine(weekend.starts_on, dt.time(14 + slot % 2, 0))
            )
            session, _created = Session.objects.update_or_create(
                weekend=weekend,
                position=EXTRA_POSITION + slot,
                defaults={
                    "title": title,
                    "title_en": title_en,
                    "kind": Session.Kind.BRIEFING,
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(minutes=45),
                    "room": f"Verdieping {slot + 1}",
                    "topic": topic,
                },
            )
            session.experts.set([experts[index % len(experts)]] if experts else [])

    def _progress_reports(self, assembly: Assembly, organiser: User) -> None:
        for weekend in Weekend.objects.filter(assembly=assembly).order_by("number"):
            summary, next_steps = PROGRESS_WORDS.get(weekend.number, ("", ""))
            published = timezone.make_aware(
                dt.datetime.combine(weekend.ends_on + dt.timedelta(days=3), dt.time(10))
            )
            ProgressReport.objects.update_or_create(
                weekend=weekend,
                defaults={
                    "summary": summary,
                    "next_steps": next_steps,
                    "written_by": organiser,
                    "published_at": published,
                },
            )

    def _people(
        self, running: Assembly, staff_only: tuple[Assembly, ...]
    ) -> tuple[list[tuple[str, str, str | None]], dict[str, User]]:
        """The demo logins: every role in the running assembly; the staff in the
        others too."""
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
                for other in staff_only:
                    Role.objects.get_or_create(user=user, assembly=other, kind=kind)
            elif user.has_usable_password():
                # Login by e-mailed code only, as for real members: an empty
                # password counts as usable and puts "Password" and "Two-step
                # verification" in their menu.
                user.set_unusable_password()
                user.save(update_fields=["password"])
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

    def _report_registration(self, assembly: Assembly, codes: list[str]) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Uitnodigen en aanmelden oefenen / Practise invitations and registration: "
                f"{assembly.name} (/b/{assembly.slug}/beheer/uitnodigingen/)"
            )
        )
        if codes:
            self.stdout.write(
                "  Aanmelden met een code uit de brief / Sign up with a code from the letter: "
                f"http://127.0.0.1:8000/aanmelden/?code={codes[0]}"
                + (f"  (meer codes / more codes: {', '.join(codes[1:])})" if codes[1:] else "")
            )

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
