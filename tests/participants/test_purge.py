"""The purge of the pool once the panel stands: a dry run, the purge, the refusal, the command."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, MailboxMessage, OutboxEmail, RoleKind
from assembly.outbox import outbox_queue
from participants.models import (
    Invitation,
    PanelMember,
    PoolPurge,
    PopulationImport,
    Registration,
    Replacement,
    Resident,
    SelectionRun,
)
from participants.services import panel as panel_services
from participants.services import selection as selection_services
from participants.services.purge import PurgeRefused, pool_purge, pool_purge_plan
from participants.services.registration import registration_send_manage_link
from tests.factories import RoleFactory, UserFactory, give_totp
from tests.participants.test_panel import Panel, make_panel

SELECTED = (0, 1, 2, 3, 4, 5)  # members 0-3, alternates 4-5 (make_panel's defaults)
NO_ANSWER = 1  # the member who gave no answer (_standing_panel)
STAYING = tuple(n for n in SELECTED if n != NO_ANSWER)


def _standing_panel() -> Panel:
    """Everyone answered: three said yes, one gave no answer (an open seat)."""
    panel = make_panel(extra_residents=5)
    for number in (0, 2, 3):
        panel_services.panel_member_respond(member=panel.member(number), accept=True)
    PanelMember.objects.filter(pk=panel.member(1).pk).update(status=PanelMember.Status.NO_RESPONSE)
    return panel


def _snapshot() -> tuple[int, int, int, int]:
    return (
        Registration.objects.count(),
        Resident.objects.count(),
        Invitation.objects.count(),
        Invitation.objects.filter(resident__isnull=True).count(),
    )


@pytest.mark.django_db
def test_the_dry_run_shows_what_goes_and_changes_nothing() -> None:
    panel = _standing_panel()
    before = _snapshot()
    plan = pool_purge_plan(assembly=panel.assembly)
    assert plan.stands
    assert plan.registrations == 12 - len(SELECTED)
    assert plan.not_taking_part == 1
    assert plan.residents == 12 - len(STAYING) + 5
    assert plan.invitations == 12 - len(STAYING)
    assert plan.kept_registrations == len(STAYING)
    assert plan.pool_counts == {"geslacht": {"vrouw": 6, "man": 6}}
    assert _snapshot() == before
    assert not PoolPurge.objects.exists()


@pytest.mark.django_db
def test_the_purge_erases_exactly_the_people_who_were_not_selected() -> None:
    panel = _standing_panel()
    organiser = UserFactory()
    purge = pool_purge(assembly=panel.assembly, actor=organiser)
    kept = {panel.people[n].pk for n in SELECTED}
    assert set(Registration.objects.values_list("pk", flat=True)) == kept
    kept_residents = {panel.people[n].invitation.resident_id for n in STAYING}
    assert set(Resident.objects.values_list("pk", flat=True)) == kept_residents
    # Every invitation stays, for the counts; the purged ones without a resident.
    assert Invitation.objects.count() == 12
    assert Invitation.objects.filter(resident__isnull=True).count() == 12 - len(STAYING)
    assert Invitation.objects.filter(status=Invitation.Status.REGISTERED).count() == 12
    assert PanelMember.objects.count() == len(SELECTED)
    assert purge.registrations_erased == 6
    assert purge.residents_erased == 12
    assert purge.purged_by == organiser
    assert purge.pool_counts == {"geslacht": {"vrouw": 6, "man": 6}}
    event = AuditEvent.objects.get(action="pool.purged")
    assert event.actor == organiser
    assert event.detail == {
        "registrations": 6, "residents": 12, "letter_batches": 0, "not_taking_part": 1,
        "emails": 0, "runs_emptied": [],
    }
    # A second purge finds nothing more to erase.
    again = pool_purge(assembly=panel.assembly, actor=organiser)
    assert (again.registrations_erased, again.residents_erased) == (0, 0)


@pytest.mark.django_db
def test_a_member_who_never_joined_keeps_only_the_quota_answers() -> None:
    """Said no or gave no answer: the panel's history keeps the row, the
    purge takes the name, the contact details, the needs and the address."""
    panel = _standing_panel()
    gone = panel.people[NO_ANSWER]
    Registration.objects.filter(pk=gone.pk).update(
        needs_mobility=True, diet="glutenvrij", needs_other="rolstoel"
    )
    gone.available_weekends.add(*panel.assembly.weekends.all())
    resident_id = gone.invitation.resident_id
    confirmed = panel.people[0]

    pool_purge(assembly=panel.assembly, actor=None)

    gone.refresh_from_db()
    assert gone.full_name == "" and gone.phone == "" and gone.email.startswith("gewist-")
    assert (gone.needs_mobility, gone.diet, gone.needs_other) == (False, "", "")
    assert not gone.available_weekends.exists()
    assert gone.gender in ("vrouw", "man")  # for the counts
    assert not Resident.objects.filter(pk=resident_id).exists()
    confirmed.refresh_from_db()
    assert confirmed.full_name == "Persoon Nummer0"  # taking part: untouched
    # A second purge finds nothing more to erase.
    assert pool_purge(assembly=panel.assembly, actor=None).residents_erased == 0
    latest = AuditEvent.objects.filter(action="pool.purged").order_by("pk").last()
    assert latest is not None and latest.detail["not_taking_part"] == 0


@pytest.mark.django_db
def test_the_purge_empties_the_pools_of_runs_never_committed() -> None:
    """Their pools hold quota values by the ids of people the purge erases."""
    panel = _standing_panel()
    committed = panel.draw.run
    published = SelectionRun.objects.values().get(pk=committed.pk)

    def uncommitted(status: str) -> SelectionRun:
        return SelectionRun.objects.create(
            assembly=panel.assembly,
            kind=SelectionRun.Kind.PANEL,
            status=status,
            panel_size=4,
            quotas_csv=committed.quotas_csv,
            pool_csv=committed.pool_csv,
            record={"probabilities": {panel.pid(8): 0.5}},
            min_probability=0.5,
            input_sha256="a" * 64,
        )

    done = uncommitted(SelectionRun.Status.DONE)
    queued = uncommitted(SelectionRun.Status.QUEUED)

    pool_purge(assembly=panel.assembly, actor=None)

    for run in (done, queued):
        run.refresh_from_db()
        assert (run.pool_csv, run.record, run.min_probability, run.input_sha256) == (
            "", None, None, ""
        )
        # Neither can be committed, drawn or computed any more.
        assert run.status == SelectionRun.Status.FAILED
    # The member erased by the purge (no answer) had already failed the finished run.
    assert done.error["code"] == selection_services.POOL_CHANGED
    assert queued.error["code"] == selection_services.POOL_PURGED
    for run in (done, queued):
        assert run.quotas_csv == committed.quotas_csv  # no personal data
    with pytest.raises(selection_services.SelectionRefused):
        selection_services.selection_run_commit(run=done, actor=None)
    assert selection_services.selection_run_execute(run_id=queued.pk).state == "finished-before"
    # The published run stays exactly as it was.
    assert SelectionRun.objects.values().get(pk=committed.pk) == published
    event = AuditEvent.objects.get(action="pool.purged")
    assert event.detail["runs_emptied"] == [done.pk, queued.pk]


@pytest.mark.django_db
def test_the_purge_erases_someone_drawn_after_withdrawing() -> None:
    """Withdrew after the commitment, drawn as stopped, never told: never joined."""
    panel = _standing_panel()
    gone = panel.people[5]
    resident_id = gone.invitation.resident_id
    Registration.objects.filter(pk=gone.pk).update(status=Registration.Status.WITHDRAWN)
    PanelMember.objects.filter(registration=gone).update(
        status=PanelMember.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawn_reason=selection_services.WITHDRAWN_BEFORE_DRAW,
    )

    pool_purge(assembly=panel.assembly, actor=None)

    gone.refresh_from_db()
    assert gone.full_name == "" and gone.email.startswith("gewist-")
    assert not Resident.objects.filter(pk=resident_id).exists()
    assert PanelMember.objects.filter(registration=gone).exists()


@pytest.mark.django_db
def test_the_purge_erases_the_emails_to_people_who_were_not_selected() -> None:
    """The outbox keeps a waiting or refused e-mail's text (name, private
    link) and every e-mail's address; the development mailbox keeps both."""
    panel = _standing_panel()
    gone, member = panel.people[8], panel.people[0]
    # A housemate who was not selected shares the member's address.
    housemate = panel.people[9]
    Registration.objects.filter(pk=housemate.pk).update(email=member.email)
    assert registration_send_manage_link(invitation_id=gone.invitation_id)
    OutboxEmail.objects.filter(to=gone.email).update(failed_at=timezone.now())
    outbox_queue(to=gone.email, subject="Herinnering", body="Beste", kind="reminder")
    MailboxMessage.objects.create(to=gone.email, subject="Uw code", body="Beste Persoon")
    outbox_queue(to=member.email, subject="Welkom", body="Beste", kind="panel")
    MailboxMessage.objects.create(to=member.email, subject="Uw code", body="Beste lid")
    members_mail = OutboxEmail.objects.filter(to=member.email).count()  # theirs and the role's

    pool_purge(assembly=panel.assembly, actor=None)

    assert not OutboxEmail.objects.filter(to=gone.email).exists()
    assert not OutboxEmail.objects.filter(ref=f"participants.Registration:{gone.pk}").exists()
    assert not MailboxMessage.objects.filter(to=gone.email).exists()
    # The member's e-mails stay, also where a housemate had the same address.
    assert OutboxEmail.objects.filter(to=member.email).count() == members_mail
    assert MailboxMessage.objects.filter(to=member.email).count() == 1
    # The link and the reminder in the outbox, the code in the mailbox.
    assert AuditEvent.objects.get(action="pool.purged").detail["emails"] == 3


@pytest.mark.django_db
def test_the_purge_erases_what_the_extracts_imports_quote(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A problem list quotes the cells it complains about; an import whose
    worker died still has the whole extract on disk."""
    panel = _standing_panel()
    quoted = PopulationImport.objects.create(
        assembly=panel.assembly,
        file_name="brp.csv",
        file_sha256="1" * 64,
        status=PopulationImport.Status.IMPORTED,
        rows_skipped=1,
        problems=[{"row": 3, "column": "email", "message": "anouk@@example is geen e-mail"}],
    )
    stale = PopulationImport.objects.create(
        assembly=panel.assembly,
        file_name="brp2.csv",
        file_sha256="2" * 64,
        status=PopulationImport.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(days=3),
    )
    stale.upload.save("extract.csv", ContentFile(b"persoonsnummer;voornamen\nX1;Anouk\n"))
    stored = Path(stale.upload.path)
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        pool_purge(assembly=panel.assembly, actor=None)

    quoted.refresh_from_db()
    assert quoted.problems == [] and quoted.rows_skipped == 1
    stale.refresh_from_db()
    assert stale.status == PopulationImport.Status.FAILED and not stale.upload
    assert not stored.exists()


@pytest.mark.django_db
def test_the_purge_is_refused_before_the_panel_stands() -> None:
    panel = make_panel()
    before = _snapshot()
    plan = pool_purge_plan(assembly=panel.assembly)
    assert not plan.stands
    assert any("nog niet geantwoord" in reason for reason in plan.reasons)
    with pytest.raises(PurgeRefused):
        pool_purge(assembly=panel.assembly, actor=None)
    assert _snapshot() == before
    assert not PoolPurge.objects.exists()


@pytest.mark.django_db
def test_the_purge_waits_for_an_open_replacement() -> None:
    panel = _standing_panel()
    panel_services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )
    assert not pool_purge_plan(assembly=panel.assembly).stands
    with pytest.raises(PurgeRefused):
        pool_purge(assembly=panel.assembly, actor=None)


@pytest.mark.django_db
def test_the_purge_is_refused_without_a_draw() -> None:
    from tests.factories import AssemblyFactory

    assembly = AssemblyFactory()
    assert pool_purge_plan(assembly=assembly).reasons == ["Er is nog geen trekking."]
    with pytest.raises(PurgeRefused):
        pool_purge(assembly=assembly, actor=None)


@pytest.mark.django_db
def test_the_command_has_a_dry_run_and_then_purges() -> None:
    panel = _standing_panel()
    before = _snapshot()
    out = io.StringIO()
    call_command("purge_pool", "--assembly", panel.assembly.slug, "--dry-run", stdout=out)
    assert "registrations to erase:   6" in out.getvalue()
    assert "dry run" in out.getvalue()
    assert _snapshot() == before
    out = io.StringIO()
    call_command("purge_pool", "--assembly", panel.assembly.slug, stdout=out)
    assert "purged: 6 registrations, 12 residents" in out.getvalue()
    assert Registration.objects.count() == len(SELECTED)
    with pytest.raises(CommandError):
        call_command("purge_pool", "--assembly", "bestaat-niet")


@pytest.mark.django_db
def test_the_command_refuses_before_the_panel_stands() -> None:
    panel = make_panel()
    with pytest.raises(CommandError):
        call_command("purge_pool", "--assembly", panel.assembly.slug, stdout=io.StringIO())
    assert Registration.objects.count() == 12


@pytest.mark.django_db
def test_the_purge_takes_the_names_it_deletes_out_of_published_reasons() -> None:
    panel = _standing_panel()
    purged = panel.people[8]
    assert purged.pk not in {panel.people[n].pk for n in SELECTED}
    Registration.objects.filter(pk=purged.pk).update(full_name="Pietje Puk")
    reason = Replacement.objects.create(
        assembly=panel.assembly,
        status=Replacement.Status.DISCARDED,
        discard_reason="Pietje Puk was er niet; de post kwam te laat.",
    )

    pool_purge(assembly=panel.assembly, actor=None)

    reason.refresh_from_db()
    assert reason.discard_reason == "[…] was er niet; de post kwam te laat."


@pytest.mark.django_db
def test_the_purge_page_names_the_remaining_counts_in_words() -> None:
    panel = _standing_panel()
    organiser = UserFactory()
    RoleFactory(user=organiser, assembly=panel.assembly, kind=RoleKind.ORGANISER)
    give_totp(organiser)  # staff pages need the second step
    client = Client()
    client.force_login(organiser)
    page = client.get(
        reverse("participants:pool_purge", kwargs={"slug": panel.assembly.slug})
    ).content.decode()
    assert '<td>Geslacht</td><th scope="row">Vrouw <span class="muted">(vrouw)</span></th>' in (
        page
    )
