"""After the draw: notifications, answers, reminders, drop-outs and replacements.

The pool in these tests: people with one quota category, gender; the panel
has 2 women and 2 men (min = max = 2 each), so a replacement keeps the quotas
only if it brings in someone of the same gender as the one who left.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from assembly.models import Assembly, AuditEvent, Role, RoleKind
from participants.letters import contact_address
from participants.models import (
    Invitation,
    InvitationDraw,
    PanelMember,
    PopulationImport,
    Registration,
    Replacement,
    Resident,
    SelectionDraw,
    SelectionRun,
)
from participants.services import panel as services
from tests.conftest import Cast
from tests.factories import AssemblyFactory, UserFactory

# Alternating genders: p0 vrouw, p1 man, p2 vrouw, ...
GENDERS = ("vrouw", "man")
QUOTAS_CSV = "category,name,min,max\ngeslacht,vrouw,2,2\ngeslacht,man,2,2\n"


@dataclass
class Panel:
    assembly: Assembly
    people: list[Registration]  # index = person number
    draw: SelectionDraw

    def member(self, number: int) -> PanelMember:
        return PanelMember.objects.get(registration=self.people[number])

    def pid(self, number: int) -> str:
        return str(self.people[number].pk)


def make_panel(
    assembly: Assembly | None = None,
    *,
    size: int = 12,
    genders: Sequence[str] | None = None,
    panel: Sequence[int] = (0, 1, 2, 3),
    alternates: Sequence[int] = (4, 5),
    quotas_csv: str = QUOTAS_CSV,
    extra_residents: int = 0,
) -> Panel:
    """A frozen pool of `size` respondents, a committed run, its draw, and the
    PanelMember rows the draw service would make (members selected, alternates
    waiting in rank order). Each respondent has a resident, an invitation and a
    registration; `extra_residents` residents were never invited."""
    assembly = assembly or AssemblyFactory()
    genders = list(genders or [GENDERS[n % 2] for n in range(size)])
    extract = PopulationImport.objects.create(
        assembly=assembly,
        file_name="brp.csv",
        file_sha256="0" * 64,
        status=PopulationImport.Status.IMPORTED,
    )
    invitation_draw = InvitationDraw.objects.create(
        assembly=assembly,
        seed="1",
        requested=size,
        eligible_households=size,
        eligible_residents=size,
        input_sha256="0" * 64,
    )
    offset = Resident.objects.count()
    people: list[Registration] = []
    for number, gender in enumerate(genders):
        index = offset + number
        resident = Resident.objects.create(
            assembly=assembly,
            population_import=extract,
            person_ref=f"R{index:06d}",
            given_names=f"Voornaam{index}",
            surname=f"Achternaam{index}",
            street="Dorpsstraat",
            house_number=number + 1,
            postcode="1234AB",
            city="UTRECHT",
            municipality="Utrecht",
            birth_date=dt.date(1980, 1, 1),
            household_key=f"1234AB{number + 1}",
        )
        invitation = Invitation.objects.create(
            assembly=assembly,
            draw=invitation_draw,
            resident=resident,
            code=f"PNL{index:07d}",
            status=Invitation.Status.REGISTERED,
        )
        people.append(
            Registration.objects.create(
                invitation=invitation,
                assembly=assembly,
                consent_at=timezone.now(),
                consent_version="test",
                full_name=f"Persoon Nummer{number}",
                email=f"persoon{index}@example.org",
                phone=f"06-0000{index:04d}",
                birth_date=dt.date(1980, 1, 1),
                gender=gender,
                education="midden",
                province="Utrecht",
                urbanisation="sterk",
                migration_background="geen",
            )
        )
    for number in range(extra_residents):
        index = offset + size + number
        Resident.objects.create(
            assembly=assembly,
            population_import=extract,
            person_ref=f"R{index:06d}",
            given_names="Niet",
            surname=f"Uitgenodigd{index}",
            street="Laan",
            house_number=1,
            postcode="9999ZZ",
            city="ERGENS",
            municipality="Ergens",
            birth_date=dt.date(1970, 1, 1),
            household_key=f"9999ZZ{number}",
        )
    pool_csv = "id,geslacht,huishouden\n" + "".join(
        f"{registration.pk},{registration.gender},h{registration.pk}\n" for registration in people
    )
    run = SelectionRun.objects.create(
        assembly=assembly,
        kind=SelectionRun.Kind.PANEL,
        status=SelectionRun.Status.DONE,
        panel_size=len(panel),
        alternates=len(alternates),
        quotas_csv=quotas_csv,
        pool_csv=pool_csv,
        committed_at=timezone.now(),
    )
    draw = SelectionDraw.objects.create(
        run=run,
        number=1,
        ticket=0,
        panel=[str(people[n].pk) for n in panel],
        alternates=[str(people[n].pk) for n in alternates],
        record={},
    )
    for number in panel:
        PanelMember.objects.create(
            assembly=assembly,
            registration=people[number],
            draw=draw,
            kind=PanelMember.Kind.MEMBER,
            status=PanelMember.Status.SELECTED,
        )
    for rank, number in enumerate(alternates, start=1):
        PanelMember.objects.create(
            assembly=assembly,
            registration=people[number],
            draw=draw,
            kind=PanelMember.Kind.ALTERNATE,
            status=PanelMember.Status.WAITING,
            alternate_rank=rank,
        )
    return Panel(assembly=assembly, people=people, draw=draw)


def answer_by(assembly: Assembly, days: int = 14) -> dt.date:
    """The date to answer by, as sending the messages sets it (without the
    messages): the letters by post need it."""
    deadline = timezone.localdate() + dt.timedelta(days=days)
    PanelMember.objects.filter(
        assembly=assembly, kind=PanelMember.Kind.MEMBER, response_deadline__isnull=True
    ).update(response_deadline=deadline)
    return deadline


OnCommit = Callable[..., Any]


def _notify(panel: Panel, on_commit: OnCommit, days: int = 14) -> int:
    with on_commit(execute=True):
        notified = services.panel_notify_start(
            assembly=panel.assembly, actor=None, response_days=days
        )
    return notified.people


def _no_names(detail: object, panel: Panel) -> None:
    text = str(detail)
    for person in panel.people:
        assert person.full_name not in text
        assert person.email not in text


# ----------------------------------------------------------------- notifications


@pytest.mark.django_db
def test_it_notifies_each_member_and_alternate_once_even_when_run_twice(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    assert _notify(panel, django_capture_on_commit_callbacks) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        panel.people[n].email for n in (0, 1, 2, 3, 4, 5)
    )
    # The same tasks again (a redelivered message) and the start again: nothing new.
    for member in PanelMember.objects.all():
        assert services.panel_member_notify(member_id=member.pk) is False
    assert _notify(panel, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 6
    member_mail = next(m for m in mail.outbox if m.to == [panel.people[0].email])
    alternate_mail = next(m for m in mail.outbox if m.to == [panel.people[5].email])
    assert "ingeloot" in member_mail.subject
    assert "reservelijst" in alternate_mail.subject
    assert "nummer 2" in str(alternate_mail.body)
    deadline = timezone.localdate() + dt.timedelta(days=14)
    assert panel.member(0).response_deadline == deadline
    assert panel.member(4).response_deadline is None
    assert all(m.notified_at for m in PanelMember.objects.all())
    token = re.search(r"/deelnemen/([^/\s]+)/", str(member_mail.body))
    assert token is not None
    assert services.panel_member_id_from_token(token.group(1)) == panel.member(0).pk


def registered_in_english(member: PanelMember) -> None:
    member.registration.language = "en"
    member.registration.save(update_fields=["language"])


@pytest.mark.django_db
def test_it_writes_the_outcome_in_the_language_the_person_registered_in(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    registered_in_english(panel.member(0))

    _notify(panel, django_capture_on_commit_callbacks)

    to_english = next(m for m in mail.outbox if m.to == [panel.people[0].email])
    to_dutch = next(m for m in mail.outbox if m.to == [panel.people[1].email])
    assert "selected" in to_english.subject.lower() and "ingeloot" not in to_english.subject
    assert "ingeloot" in to_dutch.subject


@pytest.mark.django_db
def test_a_notification_waits_in_the_outbox_until_it_can_be_sent(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from assembly.models import OutboxEmail
    from assembly.outbox import outbox_sweep

    panel = make_panel()
    member = panel.member(0)
    # The claim and the e-mail commit together; the send after the commit is
    # lost here, as when Redis or the mail server is down.
    with django_capture_on_commit_callbacks(execute=False):
        assert services.panel_member_notify(member_id=member.pk) is True
    member.refresh_from_db()
    assert member.notified_at is not None and mail.outbox == []
    waiting = OutboxEmail.objects.get(ref=f"participants.PanelMember:{member.pk}")
    assert waiting.kind == "panel.panel_notification" and waiting.html_body
    # A redelivered task adds nothing; the sweep sends it, once.
    assert services.panel_member_notify(member_id=member.pk) is False
    assert outbox_sweep() == 1 and outbox_sweep() == 0
    assert [m.to for m in mail.outbox] == [[panel.people[0].email]]
    assert "ingeloot" in mail.outbox[0].subject
    contact = contact_address()
    assert f'<a href="mailto:{contact}">{contact}</a>' in waiting.html_body


@pytest.mark.django_db
def test_it_makes_one_letter_per_member_and_alternate() -> None:
    from io import BytesIO

    from pypdf import PdfReader

    panel = make_panel()
    registered_in_english(panel.member(1))
    deadline = answer_by(panel.assembly)
    pdf, pages = services.panel_letters_pdf(assembly=panel.assembly)
    assert pages == 6
    reader = PdfReader(BytesIO(pdf))
    text = reader.pages[4].extract_text()
    assert "reservelijst" in text
    assert "Persoon Nummer4" in text
    # Each letter in the language the person reads, as their e-mails are.
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Beste Persoon Nummer0," in first
    assert f"vóór het einde van {formats.date_format(deadline, 'l j F Y')}" in first
    english = reader.pages[1].extract_text()
    assert "Dear Persoon Nummer1," in english and "Good news" in english


def test_the_letters_wait_until_the_messages_give_a_date_to_answer_by(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    """Before "Berichten versturen" no one has a date to answer by: a letter
    then would ask for an answer "as soon as possible", while the reminders
    and "no answer" count from a date the person never heard of."""
    panel = make_panel(cast.assembly)
    organiser = _client(cast, "organiser")
    letters = reverse("participants:panel_letters", kwargs={"slug": cast.assembly.slug})
    listing = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    with pytest.raises(services.PanelRefused):
        services.panel_letters_pdf(assembly=cast.assembly)
    page = organiser.get(listing).content.decode()
    assert letters not in page
    assert "nadat u de berichten hebt verstuurd" in page
    refused = organiser.get(letters, follow=True)
    assert refused.redirect_chain == [(listing, 302)]
    assert "Daarna staat die datum in de brieven." in refused.content.decode()

    _notify(panel, django_capture_on_commit_callbacks, days=10)

    assert letters in organiser.get(listing).content.decode()
    response = organiser.get(letters)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_the_personal_link_in_a_letter_stays_inside_the_margins(settings: Any) -> None:
    """Printers leave the paper's edge blank: a link that runs past the margin
    is lost. A long site address still prints whole, over more lines."""
    from io import BytesIO

    from pypdf import PdfReader
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    settings.SITE_URL = "https://www.burgerberaad-drugsbeleid.tweedekamer.example"
    panel = make_panel()
    answer_by(panel.assembly)
    pdf, _pages = services.panel_letters_pdf(assembly=panel.assembly)
    right_margin = 210 * mm - 20 * mm
    pieces: list[str] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        name = font.get("/BaseFont", "") if font else ""
        if "Courier" in str(name):
            pieces.append(text.strip())
            width = stringWidth(text, "Courier", size)
            assert tm[4] + width <= right_margin + 0.01, text

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    # The whole link, over more than one line. Its token is signed with the
    # second it was made in, so compare where it leads, not its characters.
    printed = "".join(pieces)
    url = services.panel_respond_url(panel.member(0))
    assert len(pieces) > 1 and printed.rsplit("/", 2)[0] == url.rsplit("/", 2)[0]
    assert services.panel_member_id_from_token(printed.rsplit("/", 2)[1]) == panel.member(0).pk


# ------------------------------------------------------------------------- answers


@pytest.mark.django_db
def test_a_member_who_registered_in_english_gets_an_account_that_reads_english(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    registered_in_english(panel.member(0))
    with django_capture_on_commit_callbacks(execute=True):
        member = services.panel_member_respond(member=panel.member(0), accept=True)
    assert member.user is not None and member.user.language == "en"
    assert member.user.mail_language == "en"
    # From now on the account decides: the language switch changes it.
    member.user.language = "nl"
    assert member.mail_language == "nl"


@pytest.mark.django_db
def test_it_grants_the_member_role_when_the_member_says_yes(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    with django_capture_on_commit_callbacks(execute=True):
        member = services.panel_member_respond(member=panel.member(0), accept=True)
    assert member.status == PanelMember.Status.CONFIRMED
    assert member.responded_at is not None
    assert member.user is not None and member.user.email == panel.people[0].email
    assert Role.objects.filter(
        user=member.user, assembly=panel.assembly, kind=RoleKind.MEMBER
    ).exists()
    # The role e-mail tells how to log in with a code.
    assert [m.to for m in mail.outbox] == [[panel.people[0].email]]
    event = AuditEvent.objects.get(action="panel.confirmed")
    _no_names(event.detail, panel)
    with pytest.raises(services.PanelRefused):
        services.panel_member_respond(member=member, accept=False)


@pytest.mark.django_db
def test_a_no_makes_the_seat_a_drop_out_waiting_for_a_replacement() -> None:
    panel = make_panel()
    member = services.panel_member_respond(member=panel.member(1), accept=False)
    assert member.status == PanelMember.Status.DECLINED
    assert not Role.objects.filter(assembly=panel.assembly, kind=RoleKind.MEMBER).exists()
    assert services.open_seats(assembly=panel.assembly) == [member]


@pytest.mark.django_db
def test_an_alternate_can_leave_the_list_but_not_confirm() -> None:
    panel = make_panel()
    with pytest.raises(services.PanelRefused):
        services.panel_member_respond(member=panel.member(4), accept=True)
    left = services.panel_member_respond(member=panel.member(4), accept=False)
    assert left.status == PanelMember.Status.DECLINED
    assert services.open_seats(assembly=panel.assembly) == []


@pytest.mark.django_db
def test_the_respond_page_confirms_through_the_signed_link(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    member = panel.member(2)
    url = reverse(
        "participants:panel_respond",
        kwargs={
            "slug": panel.assembly.slug,
            "token": services.panel_respond_token(member_id=member.pk),
        },
    )
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert "Persoon Nummer2" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"answer": "yes"})
    assert answer.status_code == 302
    member.refresh_from_db()
    assert member.status == PanelMember.Status.CONFIRMED
    assert "U doet mee" in client.get(url).content.decode()
    assert client.get(url + "x").status_code == 404


# ----------------------------------------------------------------------- reminders


@pytest.mark.django_db
def test_reminders_and_the_no_response_rule_on_exact_dates(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    _notify(panel, django_capture_on_commit_callbacks)
    deadline = dt.date(2027, 1, 20)
    PanelMember.objects.filter(kind=PanelMember.Kind.MEMBER).update(response_deadline=deadline)
    services.panel_member_respond(member=panel.member(3), accept=False)  # answered: no mail
    sent_before = len(mail.outbox)
    waiting = {panel.people[n].email for n in (0, 1, 2)}

    def run(day: dt.date) -> services.ReminderResult:
        with django_capture_on_commit_callbacks(execute=True):
            return services.panel_reminders_send_due(assembly_id=panel.assembly.pk, today=day)

    def new_mail() -> list[str]:
        nonlocal sent_before
        fresh = mail.outbox[sent_before:]
        sent_before = len(mail.outbox)
        return [m.to[0] for m in fresh]

    assert run(deadline - dt.timedelta(days=4)) == services.ReminderResult()
    assert new_mail() == []
    assert run(deadline - dt.timedelta(days=3)).reminded == 3
    assert set(new_mail()) == waiting
    assert run(deadline - dt.timedelta(days=3)) == services.ReminderResult()
    assert run(deadline - dt.timedelta(days=1)) == services.ReminderResult()
    services.panel_member_respond(member=panel.member(0), accept=True)
    new_mail()  # the role e-mail is not queued here (no on-commit), nothing else
    assert run(deadline).final == 2
    finals = mail.outbox[sent_before:]
    assert {m.to[0] for m in finals} == {panel.people[1].email, panel.people[2].email}
    assert all("Laatste herinnering" in m.subject for m in finals)
    new_mail()
    assert run(deadline) == services.ReminderResult()
    assert panel.member(1).status == PanelMember.Status.SELECTED
    assert run(deadline + dt.timedelta(days=1)).no_response == 2
    assert new_mail() == []
    assert panel.member(1).status == PanelMember.Status.NO_RESPONSE
    assert panel.member(2).status == PanelMember.Status.NO_RESPONSE
    assert panel.member(0).status == PanelMember.Status.CONFIRMED
    assert panel.member(3).status == PanelMember.Status.DECLINED
    assert AuditEvent.objects.filter(action="panel.no_response").count() == 2


@pytest.mark.django_db
def test_a_late_last_reminder_still_gives_a_day_to_answer(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    _notify(panel, django_capture_on_commit_callbacks)
    deadline = dt.date(2027, 1, 20)
    PanelMember.objects.filter(kind=PanelMember.Kind.MEMBER).update(response_deadline=deadline)
    # The daily task did not run on the deadline day; the day after, the last reminder goes out.
    assert services.panel_reminders_send_due(
        assembly_id=panel.assembly.pk, today=deadline + dt.timedelta(days=1)
    ) == services.ReminderResult(final=4)
    assert panel.member(0).status == PanelMember.Status.SELECTED
    PanelMember.objects.filter(kind=PanelMember.Kind.MEMBER).update(
        final_reminder_at=timezone.make_aware(dt.datetime(2027, 1, 21, 9))
    )
    assert (
        services.panel_reminders_send_due(
            assembly_id=panel.assembly.pk, today=deadline + dt.timedelta(days=1)
        ).no_response
        == 0
    )
    assert (
        services.panel_reminders_send_due(
            assembly_id=panel.assembly.pk, today=deadline + dt.timedelta(days=2)
        ).no_response
        == 4
    )


@pytest.mark.django_db
def test_notifying_sets_up_the_daily_reminder_task(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from django_celery_beat.models import PeriodicTask

    panel = make_panel()
    _notify(panel, django_capture_on_commit_callbacks)
    task = PeriodicTask.objects.get(name=f"deelnemers-herinneringen-{panel.assembly.pk}")
    assert task.task == services.REMINDER_TASK
    assert task.crontab is not None and task.crontab.hour == str(services.REMINDER_HOUR)


# -------------------------------------------------------------------- replacements


def draw_in_public(replacement: Replacement, number: int = 417) -> Replacement:
    """What the organiser does once a LEXIMIN replacement's ticket table is
    published: type the number drawn in public."""
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DRAW, replacement.problem
    assert replacement.proposed == []
    services.replacement_draw(
        replacement=replacement, number=number, how_drawn="drie dobbelstenen", actor=None
    )
    replacement.refresh_from_db()
    return replacement


def _quotas_hold(replacement: Replacement) -> None:
    lines = services.replacement_quota_lines(replacement=replacement)
    assert lines
    assert all(line.holds for line in lines), lines


@pytest.mark.django_db
def test_a_withdrawal_is_replaced_from_the_alternates_keeping_every_quota() -> None:
    panel = make_panel()
    organiser = UserFactory()
    # p0 (woman) stops. Alternate 1 is p4 (woman), alternate 2 is p5 (man).
    services.panel_member_withdraw(member=panel.member(0), reason="verhuisd", actor=organiser)
    member = panel.member(0)
    assert member.status == PanelMember.Status.WITHDRAWN
    assert member.withdrawn_reason == "verhuisd"
    event = AuditEvent.objects.get(action="panel.withdrawn")
    # The reason may be about health; the log cannot be erased, the member's row can.
    assert event.actor == organiser and "verhuisd" not in json.dumps(event.detail)
    _no_names(event.detail, panel)

    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[member], actor=organiser
    )
    assert replacement.status == Replacement.Status.PROPOSED
    assert replacement.method == Replacement.Method.ALTERNATES
    assert replacement.proposed == [panel.pid(4)]
    _quotas_hold(replacement)
    assert AuditEvent.objects.filter(action="replacement.proposed", actor=organiser).exists()


@pytest.mark.django_db
def test_the_alternates_are_skipped_in_order_when_they_break_a_quota() -> None:
    panel = make_panel()
    services.panel_member_withdraw(member=panel.member(1), reason="ziek", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )
    # A man left: alternate 1 (a woman) would break the quota, so alternate 2.
    assert replacement.proposed == [panel.pid(5)]
    _quotas_hold(replacement)


@pytest.mark.django_db
def test_it_falls_back_to_leximin_over_the_rest_of_the_pool() -> None:
    # Both alternates are women; a man leaves.
    panel = make_panel(alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="geen tijd", actor=None)
    # p7 withdrew their registration; p9 declined earlier as... nobody: p9 stays eligible.
    Registration.objects.filter(pk=panel.people[7].pk).update(status=Registration.Status.WITHDRAWN)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )
    assert replacement.method == Replacement.Method.LEXIMIN
    replacement = draw_in_public(replacement)
    assert replacement.status == Replacement.Status.PROPOSED
    assert replacement.run is not None
    assert replacement.run.kind == SelectionRun.Kind.REPLACEMENT
    assert replacement.run.status == SelectionRun.Status.DONE
    assert len(replacement.proposed) == 1
    chosen = replacement.proposed[0]
    assert chosen in {panel.pid(5), panel.pid(9), panel.pid(11)}  # the men still available
    _quotas_hold(replacement)
    assert panel.pid(7) not in replacement.run.pool_csv


@pytest.mark.django_db
def test_an_impossible_replacement_names_the_quota_in_words() -> None:
    # Only two men in the pool, both on the panel: when one leaves, no man can follow.
    genders = ["vrouw", "man", "vrouw", "man", "vrouw", "vrouw", "vrouw", "vrouw"]
    panel = make_panel(size=8, genders=genders, alternates=(4, 5))
    services.panel_member_withdraw(member=panel.member(3), reason="verhuisd", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(3)], actor=None
    )
    assert replacement.status == Replacement.Status.IMPOSSIBLE
    assert replacement.problem["code"] == "infeasible_quotas"
    assert "geslacht man" in replacement.problem["nl"]
    assert "Geen enkel panel" in replacement.problem["nl"]
    # The seat is open again for a new try.
    assert services.open_seats(assembly=panel.assembly) == [panel.member(3)]
    page_problem = AuditEvent.objects.get(action="replacement.impossible")
    _no_names(page_problem.detail, panel)


@pytest.mark.django_db
def test_confirming_makes_the_alternate_a_member_and_notifies_them(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    panel = make_panel()
    organiser = UserFactory()
    services.panel_member_withdraw(member=panel.member(0), reason="verhuisd", actor=organiser)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(0)], actor=organiser
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.replacement_confirm(replacement=replacement, actor=organiser)
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.CONFIRMED
    assert replacement.decided_by == organiser and replacement.decided_at is not None
    newcomer = panel.member(4)
    assert newcomer.kind == PanelMember.Kind.MEMBER
    assert newcomer.status == PanelMember.Status.SELECTED
    assert newcomer.alternate_rank is None
    assert newcomer.replaces == panel.member(0)
    assert newcomer.response_deadline == timezone.localdate() + dt.timedelta(days=14)
    assert panel.member(0).status == PanelMember.Status.WITHDRAWN
    assert [m.to for m in mail.outbox] == [[panel.people[4].email]]
    assert "ingeloot" in mail.outbox[0].subject
    event = AuditEvent.objects.get(action="replacement.confirmed")
    assert event.actor == organiser
    assert event.detail["members"] == [newcomer.pk]
    _no_names(event.detail, panel)
    with pytest.raises(services.PanelRefused):
        services.replacement_confirm(replacement=replacement, actor=organiser)


@pytest.mark.django_db
def test_confirming_applies_all_or_nothing() -> None:
    panel = make_panel(alternates=(4, 6))
    for number in (0, 2):
        services.panel_member_withdraw(member=panel.member(number), reason="stop", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(0), panel.member(2)], actor=None
    )
    assert replacement.proposed == [panel.pid(4), panel.pid(6)]
    # The second person withdraws their registration before the organiser confirms.
    Registration.objects.filter(pk=panel.people[6].pk).update(status=Registration.Status.WITHDRAWN)
    with pytest.raises(services.PanelRefused):
        services.replacement_confirm(replacement=replacement, actor=None)
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED
    first = panel.member(4)
    assert first.kind == PanelMember.Kind.ALTERNATE
    assert first.status == PanelMember.Status.WAITING
    assert first.replaces is None
    assert not AuditEvent.objects.filter(action="replacement.confirmed").exists()
    services.replacement_discard(replacement=replacement, actor=None)
    assert len(services.open_seats(assembly=panel.assembly)) == 2


@pytest.mark.django_db
def test_a_seat_cannot_be_asked_for_twice() -> None:
    panel = make_panel()
    services.panel_member_withdraw(member=panel.member(0), reason="stop", actor=None)
    services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(0)], actor=None
    )
    with pytest.raises(services.PanelRefused):
        services.replacement_propose(
            assembly=panel.assembly, dropped_members=[panel.member(0)], actor=None
        )
    with pytest.raises(services.PanelRefused):
        services.panel_member_withdraw(member=panel.member(0), reason="stop", actor=None)


# p0, p1 old men; p2, p3 old women (the panel); alternates p4 young man, p5 young woman.
AGE_GENDERS = ["man", "man", "vrouw", "vrouw", "man", "vrouw"]
AGES = ["oud", "oud", "oud", "oud", "jong", "jong"]
AGE_QUOTAS_CSV = (
    "category,name,min,max\n"
    "geslacht,man,1,3\ngeslacht,vrouw,1,3\n"
    "leeftijd,jong,0,1\nleeftijd,oud,0,4\n"
)


def _panel_with_ages() -> Panel:
    panel = make_panel(
        size=6,
        genders=AGE_GENDERS,
        panel=(0, 1, 2, 3),
        alternates=(4, 5),
        quotas_csv=AGE_QUOTAS_CSV,
    )
    pool = "id,geslacht,leeftijd,huishouden\n" + "".join(
        f"{r.pk},{g},{a},h{r.pk}\n" for r, g, a in zip(panel.people, AGE_GENDERS, AGES, strict=True)
    )
    SelectionRun.objects.filter(pk=panel.draw.run_id).update(pool_csv=pool)
    return panel


def _young_members(panel: Panel) -> int:
    young = {panel.people[n].pk for n, age in enumerate(AGES) if age == "jong"}
    return PanelMember.objects.filter(
        assembly=panel.assembly,
        kind=PanelMember.Kind.MEMBER,
        status__in=services.ACTIVE_MEMBER,
        registration_id__in=young,
    ).count()


def _next_replacement(panel: Panel) -> Replacement:
    return services.replacement_propose(
        assembly=panel.assembly,
        dropped_members=services.open_seats(assembly=panel.assembly),
        actor=None,
    )


@pytest.mark.django_db
def test_a_second_open_replacement_counts_the_first_ones_proposal_as_seated() -> None:
    panel = _panel_with_ages()
    services.panel_member_respond(member=panel.member(2), accept=False)
    first = _next_replacement(panel)
    assert first.proposed == [panel.pid(4)]  # the young man: one young member, allowed
    # Before the organiser confirms, the other woman stops too.
    services.panel_member_withdraw(member=panel.member(3), reason="stop", actor=None)
    second = _next_replacement(panel)
    # The young woman would make two young members once both are confirmed,
    # and nobody else is left: no proposal.
    assert panel.pid(5) not in second.proposed
    assert second.status == Replacement.Status.IMPOSSIBLE
    services.replacement_confirm(replacement=first, actor=None)
    assert _young_members(panel) == 1


@pytest.mark.django_db
def test_confirming_refuses_a_proposal_that_no_longer_keeps_a_quota() -> None:
    panel = _panel_with_ages()
    services.panel_member_respond(member=panel.member(2), accept=False)
    first = _next_replacement(panel)
    services.panel_member_withdraw(member=panel.member(3), reason="stop", actor=None)
    second = _next_replacement(panel)
    # A proposal made without the first one's newcomer (as a draw computed on
    # a worker meanwhile can be): the young woman.
    Replacement.objects.filter(pk=second.pk).update(
        status=Replacement.Status.PROPOSED, proposed=[panel.pid(5)]
    )
    services.replacement_confirm(replacement=first, actor=None)
    with pytest.raises(services.PanelRefused) as refused:
        services.replacement_confirm(replacement=second, actor=None)
    assert "leeftijd jong" in str(refused.value)
    second.refresh_from_db()
    assert second.status == Replacement.Status.PROPOSED
    assert panel.member(5).kind == PanelMember.Kind.ALTERNATE
    assert _young_members(panel) == 1


@pytest.mark.django_db
def test_confirming_one_of_two_open_replacements_leaves_room_for_the_other() -> None:
    # Both women leave, one at a time; each seat goes to a woman from the pool.
    panel = make_panel(alternates=(4, 6))  # p4 and p6 are women
    services.panel_member_withdraw(member=panel.member(0), reason="stop", actor=None)
    first = _next_replacement(panel)
    services.panel_member_withdraw(member=panel.member(2), reason="stop", actor=None)
    second = _next_replacement(panel)
    assert (first.proposed, second.proposed) == ([panel.pid(4)], [panel.pid(6)])
    # While the second seat is empty the panel has one woman too few; that is
    # not a reason to refuse the first.
    services.replacement_confirm(replacement=first, actor=None)
    services.replacement_confirm(replacement=second, actor=None)
    _quotas_hold(second)


@pytest.mark.django_db
def test_a_withdrawn_member_loses_the_member_role() -> None:
    panel = make_panel()
    member = services.panel_member_respond(member=panel.member(0), accept=True)
    organiser = UserFactory()
    services.panel_member_withdraw(member=member, reason="stop", actor=organiser)
    assert not Role.objects.filter(user=member.user, kind=RoleKind.MEMBER).exists()


@pytest.mark.django_db
def test_the_organiser_pages_walk_through_a_replacement(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from tests.factories import RoleFactory, give_totp

    panel = make_panel()
    organiser = UserFactory()
    RoleFactory(user=organiser, assembly=panel.assembly, kind=RoleKind.ORGANISER)
    give_totp(organiser)
    client = Client()
    client.force_login(organiser)
    slug = panel.assembly.slug
    member = panel.member(1)
    response = client.post(
        reverse("participants:panel_member_withdraw", kwargs={"slug": slug, "pk": member.pk}),
        {"reason": "geen tijd"},
    )
    assert response.status_code == 302
    response = client.post(reverse("participants:replacement_request", kwargs={"slug": slug}))
    replacement = Replacement.objects.get()
    assert response["Location"] == reverse(
        "participants:replacement_detail", kwargs={"slug": slug, "pk": replacement.pk}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Persoon Nummer1" in page and "Persoon Nummer5" in page
    assert "Blijven de quota kloppen?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("participants:replacement_confirm", kwargs={"slug": slug, "pk": replacement.pk})
        )
    assert panel.member(5).kind == PanelMember.Kind.MEMBER


# ----------------------------------------------------------- who sees what on the pages


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    return client


def test_the_chair_sees_names_and_statuses_but_no_contact_details_or_quota_values(
    cast: Cast,
) -> None:
    panel = make_panel(cast.assembly)
    url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    page = _client(cast, "chair").get(url).content.decode()
    assert "Persoon Nummer0" in page and "Persoon Nummer5" in page
    assert "Ingeloot, nog geen antwoord" in page
    for person in panel.people[:6]:
        assert person.email not in page
        assert person.phone not in page
    assert "geslacht" not in page
    assert "vrouw" not in page
    assert "Stoppen" not in page
    assert "brieven.pdf" not in page


def test_the_organiser_sees_contact_details_and_quota_values(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    page = _client(cast, "organiser").get(url).content.decode()
    assert panel.people[0].email in page and panel.people[0].phone in page
    assert ">Geslacht<" in page and ">Vrouw<" in page
    assert "Stoppen" in page


def test_a_member_sees_only_their_own_page(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    client = _client(cast, "member")
    list_url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    assert client.get(list_url).status_code == 403
    token = services.panel_respond_token(member_id=panel.member(0).pk)
    own = reverse("participants:panel_respond", kwargs={"slug": cast.assembly.slug, "token": token})
    page = client.get(own).content.decode()
    assert "Persoon Nummer0" in page
    for person in panel.people[1:]:
        assert person.full_name not in page
    for person in panel.people:
        assert person.email not in page
    assert "geslacht" not in page and "vrouw" not in page
    # The link works only under its own assembly, and only as signed.
    elsewhere = reverse(
        "participants:panel_respond", kwargs={"slug": cast.other_assembly.slug, "token": token}
    )
    assert client.get(elsewhere).status_code == 404
    forged = reverse(
        "participants:panel_respond",
        kwargs={
            "slug": cast.assembly.slug,
            "token": f"{panel.member(1).pk}:{token.split(':', 1)[1]}",
        },
    )
    assert client.get(forged).status_code == 404


def _replacement_when_the_engine_raises(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> tuple[Panel, Replacement]:
    """Member 1 leaves, the alternates cannot keep the quotas, and the LEXIMIN
    replacement raises ``error``."""
    panel = make_panel(alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="stop", actor=None)

    def raising(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(services, "replace_dropouts", raising)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )
    return panel, replacement


@pytest.mark.django_db
def test_a_failed_computation_says_so_instead_of_waiting_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel, replacement = _replacement_when_the_engine_raises(
        monkeypatch, RuntimeError("solver crashed")
    )
    assert replacement.status == Replacement.Status.IMPOSSIBLE
    assert replacement.problem["code"] == "error"
    assert "Er ging iets mis" in replacement.problem["nl"]
    assert replacement.run is not None
    assert replacement.run.status == SelectionRun.Status.FAILED
    assert services.open_seats(assembly=panel.assembly) == [panel.member(1)]


@pytest.mark.django_db
def test_a_replacement_stopped_by_the_time_limit_says_what_helps(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    settings.LOTTERY_TIME_LIMIT = 7200
    _panel, replacement = _replacement_when_the_engine_raises(monkeypatch, SoftTimeLimitExceeded())
    # Not "try again": the calculation is the same every time.
    assert replacement.status == Replacement.Status.IMPOSSIBLE
    assert replacement.problem["code"] == "time_limit"
    assert "langer dan het maximum van 120 minuten" in replacement.problem["nl"]
    assert "LOTTERY_TIME_LIMIT" in replacement.problem["en"]
    assert replacement.run is not None
    assert replacement.run.status == SelectionRun.Status.FAILED
    assert replacement.run.error["code"] == "time_limit"


@pytest.mark.django_db
def test_someone_who_stopped_before_the_task_ran_gets_no_message() -> None:
    panel = make_panel()
    services.panel_member_withdraw(member=panel.member(0), reason="stop", actor=None)
    assert services.panel_member_notify(member_id=panel.member(0).pk) is False
    assert mail.outbox == []


def _replacement_without_its_task(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[Panel, Replacement]:
    """A LEXIMIN replacement asked for on the worker whose task never ran: the
    commit's callback is dropped, as when Redis was down at that moment."""
    monkeypatch.setattr(services, "INLINE_POOL_LIMIT", 0)
    panel = make_panel(alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="geen tijd", actor=None)
    with django_capture_on_commit_callbacks(execute=False):
        replacement = services.replacement_propose(
            assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
        )
    return panel, replacement


def test_a_replacement_whose_task_never_reached_the_queue_is_computed_by_the_sweep(
    db: None, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants.services import selection

    panel, replacement = _replacement_without_its_task(
        django_capture_on_commit_callbacks, monkeypatch
    )
    assert replacement.status == Replacement.Status.PENDING
    run = replacement.run
    assert run is not None and run.status == SelectionRun.Status.QUEUED
    later = run.created_at + selection.REQUEUE_AFTER + dt.timedelta(seconds=1)
    # The lottery's sweep leaves a replacement's run alone: it is not a panel
    # draw (before, it drew a whole new panel from the rest of the pool).
    assert selection.selection_runs_requeue(now=later) == []
    # Nor does a lottery task that reaches it by mistake touch it.
    assert selection.selection_run_execute(run_id=run.pk).state == "finished-before"
    assert SelectionRun.objects.get(pk=run.pk).status == SelectionRun.Status.QUEUED
    assert services.replacement_runs_requeue(now=run.created_at) == []
    assert services.replacement_runs_requeue(now=later) == [replacement.pk]
    replacement = draw_in_public(replacement)
    assert replacement.status == Replacement.Status.PROPOSED
    assert len(replacement.proposed) == 1
    assert replacement.proposed[0] in {panel.pid(5), panel.pid(7), panel.pid(9), panel.pid(11)}
    _quotas_hold(replacement)
    assert services.replacement_runs_requeue(now=later) == []


def test_a_replacement_that_cannot_be_queued_still_saves_the_request(
    db: None, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants import tasks_panel

    monkeypatch.setattr(services, "INLINE_POOL_LIMIT", 0)

    def redis_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks_panel.replacement_compute_task, "apply_async", redis_down)
    panel = make_panel(alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="geen tijd", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        replacement = services.replacement_propose(
            assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
        )
    # No error for the organiser: the request is stored and the sweep sends it.
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PENDING
    assert replacement.run is not None
    assert replacement.run.status == SelectionRun.Status.QUEUED


def test_a_replacement_cut_off_with_its_worker_is_taken_over_once_its_claim_is_stale(
    db: None, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants.services import selection

    _panel, replacement = _replacement_without_its_task(
        django_capture_on_commit_callbacks, monkeypatch
    )
    assert replacement.run is not None
    # A worker took it and died: the run is running, its heartbeat stopped.
    now = timezone.now()
    SelectionRun.objects.filter(pk=replacement.run.pk).update(
        status=SelectionRun.Status.RUNNING, claimed_at=now
    )
    # While the claim is fresh, a second task leaves it alone and looks again later.
    outcome = services.replacement_compute(replacement_id=replacement.pk)
    assert outcome.state == "busy" and outcome.retry_later
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PENDING
    # Once it is stale, a redelivered task starts it afresh.
    SelectionRun.objects.filter(pk=replacement.run.pk).update(
        claimed_at=now - selection.CLAIM_LEASE - dt.timedelta(seconds=1)
    )
    assert services.replacement_compute(replacement_id=replacement.pk).state == "done"
    replacement = draw_in_public(replacement)
    assert replacement.status == Replacement.Status.PROPOSED
    _quotas_hold(replacement)
    # And a task that comes later does nothing.
    assert services.replacement_compute(replacement_id=replacement.pk).state == "finished-before"


def test_a_replacement_whose_worker_and_task_are_gone_is_taken_over_by_the_sweep(
    db: None, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants.services import selection

    _panel, replacement = _replacement_without_its_task(
        django_capture_on_commit_callbacks, monkeypatch
    )
    assert replacement.run is not None
    # A worker took it and died, and its message is gone: only the sweep is left.
    stale = timezone.now() - selection.CLAIM_LEASE - dt.timedelta(seconds=1)
    SelectionRun.objects.filter(pk=replacement.run.pk).update(
        status=SelectionRun.Status.RUNNING, claimed_at=stale
    )
    assert services.replacement_runs_requeue(now=stale + dt.timedelta(minutes=1)) == []

    assert services.replacement_runs_requeue() == [replacement.pk]

    replacement = draw_in_public(replacement)
    assert replacement.status == Replacement.Status.PROPOSED
    _quotas_hold(replacement)


# ------------------------------------------- an answer by phone, post or in person


def _answer_url(cast: Cast, member: PanelMember) -> str:
    return reverse(
        "participants:panel_member_answer", kwargs={"slug": cast.assembly.slug, "pk": member.pk}
    )


def test_the_organiser_notes_a_yes_by_phone_and_the_member_gets_the_login_e_mail(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    panel = make_panel(cast.assembly)
    member = panel.member(0)
    client = _client(cast, "organiser")
    page = client.get(_answer_url(cast, member)).content.decode()
    assert "Persoon Nummer0" in page and "Aan de telefoon" in page
    listing = client.get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    assert _answer_url(cast, member) in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_answer_url(cast, member), {"answer": "yes", "channel": "phone"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == PanelMember.Status.CONFIRMED and member.user is not None
    assert Role.objects.filter(user=member.user, kind=RoleKind.MEMBER).exists()
    assert [m.to for m in mail.outbox] == [[panel.people[0].email]]
    # The log says who noted it and how it came, and names nobody.
    event = AuditEvent.objects.get(action="panel.confirmed")
    assert event.actor == cast.users["organiser"]
    assert event.detail == {"member": member.pk, "kind": "member", "channel": "phone"}
    _no_names(event.detail, panel)
    # Once answered, there is nothing left to note, and no link to it.
    listing = client.get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    assert _answer_url(cast, member) not in listing.content.decode()
    again = client.post(
        _answer_url(cast, member), {"answer": "no", "channel": "post", "sure": "on"}, follow=True
    )
    assert "Deze persoon heeft al geantwoord" in again.content.decode()
    member.refresh_from_db()
    assert member.status == PanelMember.Status.CONFIRMED


def test_the_organiser_notes_a_no_by_post_and_the_seat_opens(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    member = panel.member(1)
    client = _client(cast, "organiser")
    # One wrong click must not give the seat away: a no is asked twice.
    unsure = client.post(_answer_url(cast, member), {"answer": "no", "channel": "post"})
    assert unsure.status_code == 400
    assert 'id="id_sure_error"' in unsure.content.decode()
    member.refresh_from_db()
    assert member.status == PanelMember.Status.SELECTED
    response = client.post(
        _answer_url(cast, member), {"answer": "no", "channel": "post", "sure": "on"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == PanelMember.Status.DECLINED
    assert services.open_seats(assembly=panel.assembly) == [member]
    event = AuditEvent.objects.get(action="panel.declined")
    assert (event.actor, event.detail["channel"]) == (cast.users["organiser"], "post")


def test_an_answer_without_its_way_in_is_refused_naming_the_field(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    member = panel.member(0)
    response = _client(cast, "organiser").post(_answer_url(cast, member), {"answer": "yes"})
    assert response.status_code == 400
    assert "Hoe kreeg u het antwoord?" in response.content.decode()
    member.refresh_from_db()
    assert member.status == PanelMember.Status.SELECTED


def test_an_alternate_has_no_answer_to_note(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    alternate = panel.member(4)
    assert alternate.kind == PanelMember.Kind.ALTERNATE
    assert _client(cast, "organiser").get(_answer_url(cast, alternate)).status_code == 404
