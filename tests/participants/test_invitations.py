"""The invitation draw, letters, e-mails and reminders (in-process Celery, SQLite)."""

from __future__ import annotations

import datetime as dt
import io
import json
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pypdf import PdfReader

from assembly.models import Assembly
from participants.codes import code_display, code_passes_check
from participants.letters import contact_address
from participants.models import (
    Invitation,
    InvitationDraw,
    InvitationReminder,
    InvitationRun,
    PopulationImport,
    Resident,
)
from participants.services import invitations as services
from participants.services import reminders
from tests.conftest import Cast
from tests.factories import AssemblyFactory
from tests.services.conftest import Mailbox, serving_smtp

OnCommit = Callable[..., Any]


def make_residents(
    assembly: Assembly,
    households: int,
    *,
    per_household: int = 2,
    municipalities: dict[str, int] | None = None,
    email_every: int = 1,
) -> list[Resident]:
    """`households` addresses with `per_household` people each, straight into the database."""
    extract = PopulationImport.objects.create(
        assembly=assembly, file_name="brp.csv", file_sha256="0" * 64,
        status=PopulationImport.Status.IMPORTED,
    )
    places: list[str] = []
    for name, count in (municipalities or {"Utrecht": households}).items():
        places.extend([name] * count)
    assert len(places) == households
    rows = []
    for number, place in enumerate(places):
        postcode = f"{1000 + number // 50}AB"
        for person in range(per_household):
            index = number * per_household + person
            rows.append(Resident(
                assembly=assembly, population_import=extract, person_ref=f"P{index:06d}",
                given_names=f"Voornaam{index}", surname=f"Achternaam{index}", street="Dorpsstraat",
                house_number=number % 50 + 1, postcode=postcode, city=place.upper(),
                municipality=place, birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=index),
                email=f"inwoner{index}@example.org" if index % email_every == 0 else "",
                household_key=f"{postcode}{number % 50 + 1}",
            ))
    return Resident.objects.bulk_create(rows)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _drawn_refs(draw: InvitationDraw) -> list[str]:
    return sorted(
        Invitation.objects.filter(draw=draw).values_list("resident__person_ref", flat=True)
    )


# ---------------------------------------------------------------------------- draw


@pytest.mark.django_db
def test_it_invites_at_most_one_person_per_household() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 40, per_household=3)

    first = services.invitation_draw(assembly=assembly, count=25, seed="42")
    second = services.invitation_draw(assembly=assembly, count=15, seed="43")

    keys = Invitation.objects.filter(assembly=assembly).values_list(
        "resident__household_key", flat=True
    )
    assert len(keys) == 40
    assert max(Counter(keys).values()) == 1
    assert (first.eligible_households, second.eligible_households) == (40, 15)
    assert (first.eligible_residents, second.eligible_residents) == (120, 45)


@pytest.mark.django_db
def test_it_draws_the_same_people_from_the_same_seed() -> None:
    one, two = AssemblyFactory(slug="een"), AssemblyFactory(slug="twee")
    make_residents(one, 200, per_household=3)
    make_residents(two, 200, per_household=3)

    first = services.invitation_draw(assembly=one, count=30, seed="publiek-startgetal")
    again = services.invitation_draw(assembly=two, count=30, seed="publiek-startgetal")
    other = services.invitation_draw(assembly=two, count=30, seed="een-ander-getal")

    assert _drawn_refs(first) == _drawn_refs(again)
    assert first.input_sha256 == again.input_sha256
    assert len(first.input_sha256) == 64
    # The other seed drew from what was left, so its input and its people differ.
    assert other.input_sha256 != again.input_sha256
    assert set(_drawn_refs(other)).isdisjoint(_drawn_refs(again))


@pytest.mark.django_db
def test_it_records_the_seed_and_the_counts() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 12, per_household=2)
    draw = services.invitation_draw(assembly=assembly, count=5, seed="777")
    draw.refresh_from_db()
    assert (draw.seed, draw.requested, draw.eligible_households, draw.eligible_residents) == (
        "777", 5, 12, 24
    )
    assert draw.invitations.count() == 5


@pytest.mark.django_db
def test_it_divides_invitations_over_municipalities_in_proportion() -> None:
    assembly = AssemblyFactory()
    make_residents(
        assembly, 100, per_household=1,
        municipalities={"Amsterdam": 55, "Utrecht": 30, "Zwolle": 15},
    )

    draw = services.invitation_draw(
        assembly=assembly, count=20, seed="9",
        stratify_by=InvitationDraw.Stratification.MUNICIPALITY,
    )

    per_place = Counter(
        Invitation.objects.filter(draw=draw).values_list("resident__municipality", flat=True)
    )
    # Quotas 11, 6 and 3 exactly.
    assert per_place == {"Amsterdam": 11, "Utrecht": 6, "Zwolle": 3}


def test_it_gives_the_remaining_seats_to_the_largest_remainders() -> None:
    # Quotas 3.5, 2.1 and 1.4: floors 3, 2, 1; the one seat left goes to a (.5).
    assert services.apportion({"a": 5, "b": 3, "c": 2}, 7) == {"a": 4, "b": 2, "c": 1}
    assert sum(services.apportion({"x": 7, "y": 7, "z": 7}, 10).values()) == 10


@pytest.mark.django_db
def test_it_refuses_more_invitations_than_households_with_both_numbers() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 7, per_household=2)

    with pytest.raises(services.InvitationDrawRefused) as refusal:
        services.invitation_draw(assembly=assembly, count=12, seed="1")

    assert "12" in str(refusal.value)
    assert "7" in str(refusal.value)
    assert not InvitationDraw.objects.filter(assembly=assembly).exists()


@pytest.mark.django_db
def test_it_gives_unique_codes_that_pass_the_check() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 300, per_household=1)
    draw = services.invitation_draw(assembly=assembly, count=300, seed="codes")
    codes = list(Invitation.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 300
    assert all(code_passes_check(code) for code in codes)
    # The draw says so itself: its codes' typing errors are not guesses.
    draw.refresh_from_db()
    assert draw.codes_have_check_character is True


@pytest.mark.django_db
def test_it_prints_the_draw_record_from_the_command() -> None:
    assembly = AssemblyFactory(slug="commando")
    make_residents(assembly, 10, per_household=1, municipalities={"Ede": 6, "Epe": 4})
    out = io.StringIO()
    call_command(
        "draw_invitations", "--assembly", "commando", "--count", "5", "--seed", "2027",
        "--per-municipality", stdout=out,
    )
    text = out.getvalue()
    assert "seed:                2027" in text
    assert "eligible households: 10" in text
    draw = InvitationDraw.objects.get(assembly=assembly)
    assert draw.input_sha256 in text
    assert draw.stratify_by == InvitationDraw.Stratification.MUNICIPALITY


def _login(client: Client, cast: Cast) -> Client:
    client.force_login(cast.users["organiser"])
    return client


def test_it_draws_from_the_organiser_page(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 8, per_household=1)
    url = reverse("participants:invitation_draw", kwargs={"slug": cast.assembly.slug})
    page = _login(client, cast).get(url)
    assert page.status_code == 200
    seed = page.context["form"].initial["seed"]
    assert len(seed) == 12

    too_many = client.post(url, {"count": "9", "seed": seed, "stratify_by": ""})
    assert too_many.status_code == 200
    assert "9" in too_many.content.decode() and "8" in too_many.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"count": "3", "seed": seed, "stratify_by": ""})
    assert done.status_code == 302
    draw = InvitationDraw.objects.get(assembly=cast.assembly)
    assert (draw.status, draw.progress, draw.invitations.count()) == (
        InvitationDraw.Status.DONE, 100, 3
    )
    hub = client.get(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    assert seed in hub.content.decode()
    assert "data-progress-url" not in hub.content.decode()

    # Back in the browser, and the same form sent again: no second draw.
    again = client.post(url, {"count": "3", "seed": seed, "stratify_by": ""})
    assert again.status_code == 200
    page = again.content.decode()
    assert 'id="id_seed_error"' in page and "Dit startgetal is al gebruikt" in page
    assert InvitationDraw.objects.filter(assembly=cast.assembly).count() == 1


def _draw_url(cast: Cast, name: str = "participants:invitation_draw", **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": cast.assembly.slug, **kwargs})


def test_it_queues_the_draw_and_shows_its_progress(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 20, per_household=2)
    _login(client, cast)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(_draw_url(cast), {"count": "6", "seed": "77", "stratify_by": ""})
    assert queued.status_code == 302
    draw = InvitationDraw.objects.get(assembly=cast.assembly)
    assert (draw.status, draw.progress) == (InvitationDraw.Status.QUEUED, 0)
    assert not draw.invitations.exists()

    status_url = _draw_url(cast, "participants:invitation_draw_status", draw_id=draw.pk)
    hub = client.get(queued["Location"]).content.decode()
    assert f'data-progress-url="{status_url}"' in hub
    assert hub.count("js/progress.js") == 1
    assert client.get(status_url).json() == {
        "done": 0, "total": 100, "status": "queued", "label": "De trekking wacht op haar beurt.",
    }

    for callback in callbacks:
        callback()

    state = client.get(status_url).json()
    assert (state["done"], state["total"], state["status"]) == (100, 100, "done")
    assert "6 uitnodigingen" in state["label"]
    draw.refresh_from_db()
    assert (draw.eligible_households, draw.eligible_residents, draw.invitations.count()) == (
        20, 40, 6
    )
    hub = client.get(queued["Location"]).content.decode()
    assert draw.input_sha256 in hub and f'data-progress-url="{status_url}"' not in hub


def test_it_draws_the_same_in_the_task_as_at_once(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    other = AssemblyFactory(slug="direct")
    make_residents(cast.assembly, 60, per_household=3, municipalities={"Ede": 40, "Epe": 20})
    make_residents(other, 60, per_household=3, municipalities={"Ede": 40, "Epe": 20})
    options: dict[str, Any] = {
        "count": 15, "seed": "zelfde", "stratify_by": InvitationDraw.Stratification.MUNICIPALITY,
    }

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.invitation_draw_queue(assembly=cast.assembly, **options)
    at_once = services.invitation_draw(assembly=other, **options)

    queued.refresh_from_db()
    assert queued.status == InvitationDraw.Status.DONE
    assert _drawn_refs(queued) == _drawn_refs(at_once)
    assert (queued.input_sha256, queued.eligible_households, queued.eligible_residents) == (
        at_once.input_sha256, at_once.eligible_households, at_once.eligible_residents
    )


def test_it_refuses_a_second_draw_while_one_is_queued(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 20, per_household=1)
    _login(client, cast)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(_draw_url(cast), {"count": "5", "seed": "1", "stratify_by": ""})

    page = client.get(_draw_url(cast)).content.decode()
    assert "Er loopt al een trekking voor dit burgerberaad" in page
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(_draw_url(cast), {"count": "5", "seed": "2", "stratify_by": ""})

    assert second.status_code == 200
    assert "Er loopt al een trekking voor dit burgerberaad" in second.content.decode()
    assert InvitationDraw.objects.filter(assembly=cast.assembly).count() == 1
    assert not Invitation.objects.exists()

    InvitationDraw.objects.filter(assembly=cast.assembly).update(
        status=InvitationDraw.Status.RUNNING, started_at=dt.datetime.now(dt.UTC)
    )
    with pytest.raises(services.InvitationDrawBusy):
        services.invitation_draw_queue(assembly=cast.assembly, count=5, seed="3")


def test_it_draws_once_when_the_task_runs_twice(cast: Cast) -> None:
    from participants.tasks import invitation_draw_task

    make_residents(cast.assembly, 20, per_household=1)
    draw = services.invitation_draw_queue(assembly=cast.assembly, count=7, seed="twee")

    assert invitation_draw_task.apply(args=(draw.pk,)).get() is True
    codes = sorted(draw.invitations.values_list("code", flat=True))
    assert invitation_draw_task.apply(args=(draw.pk,)).get() is False

    assert sorted(Invitation.objects.values_list("code", flat=True)) == codes
    assert len(codes) == 7


def test_it_shows_a_failed_draw_and_lets_the_organiser_try_again(
    cast: Cast, client: Client, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    make_residents(cast.assembly, 20, per_household=1)
    _login(client, cast)
    real_write = services._draw_write

    def broken(draw: InvitationDraw, plan: Any) -> None:
        real_write(draw, plan)
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_draw_write", broken)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_draw_url(cast), {"count": "5", "seed": "1", "stratify_by": ""})

    failed = InvitationDraw.objects.get(assembly=cast.assembly)
    assert failed.status == InvitationDraw.Status.FAILED
    assert "Probeer het opnieuw" in failed.error
    assert not Invitation.objects.exists()  # the transaction took the invitations back
    status = client.get(
        _draw_url(cast, "participants:invitation_draw_status", draw_id=failed.pk)
    ).json()
    assert status["status"] == "failed" and "Probeer het opnieuw" in status["label"]
    hub = client.get(_draw_url(cast, "participants:invitations")).content.decode()
    assert "De laatste trekking is mislukt." in hub and "Probeer het opnieuw" in hub
    with pytest.raises(services.InvitationRunRefused):
        services.invitation_run_start(draw=failed, kind=InvitationRun.Kind.LETTERS)

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_draw_url(cast), {"count": "5", "seed": "1", "stratify_by": ""})
    assert again.status_code == 302
    assert Invitation.objects.count() == 5
    hub = client.get(_draw_url(cast, "participants:invitations")).content.decode()
    assert "De laatste trekking is mislukt." not in hub


def test_it_records_a_refusal_found_by_the_task(cast: Cast) -> None:
    make_residents(cast.assembly, 10, per_household=1)
    draw = services.invitation_draw_queue(assembly=cast.assembly, count=8, seed="laat")
    # Between the page and the worker, someone drew at the command line.
    services.invitation_draw(assembly=cast.assembly, count=5, seed="eerder")

    assert services.invitation_draw_execute(draw_id=draw.pk) is True

    draw.refresh_from_db()
    assert draw.status == InvitationDraw.Status.FAILED
    assert "8" in draw.error and "5" in draw.error
    assert not draw.invitations.exists()


def test_it_no_longer_waits_for_a_draw_whose_worker_died(cast: Cast) -> None:
    make_residents(cast.assembly, 10, per_household=1)
    stuck = services.invitation_draw_queue(assembly=cast.assembly, count=3, seed="weg")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    InvitationDraw.objects.filter(pk=stuck.pk).update(
        status=InvitationDraw.Status.RUNNING, started_at=long_ago
    )

    services.invitation_draw_queue(assembly=cast.assembly, count=3, seed="nieuw")

    stuck.refresh_from_db()
    assert stuck.status == InvitationDraw.Status.FAILED and stuck.error
    assert services.invitation_draw_execute(draw_id=stuck.pk) is False


def test_the_sweep_fails_a_draw_whose_worker_died_without_waiting_for_the_organiser(
    cast: Cast,
) -> None:
    make_residents(cast.assembly, 10, per_household=1)
    stuck = services.invitation_draw_queue(assembly=cast.assembly, count=3, seed="weg")
    InvitationDraw.objects.filter(pk=stuck.pk).update(
        status=InvitationDraw.Status.RUNNING, started_at=dt.datetime.now(dt.UTC)
    )
    services.invitations_requeue()  # running for a moment: left alone
    stuck.refresh_from_db()
    assert stuck.status == InvitationDraw.Status.RUNNING
    InvitationDraw.objects.filter(pk=stuck.pk).update(
        started_at=dt.datetime.now(dt.UTC) - services.DRAW_STALE_AFTER - dt.timedelta(minutes=1)
    )
    services.invitations_requeue()
    stuck.refresh_from_db()
    assert stuck.status == InvitationDraw.Status.FAILED
    assert "Probeer het opnieuw" in stuck.error


def test_it_keeps_another_assemblys_draw_status_hidden(cast: Cast, client: Client) -> None:
    foreign = InvitationDraw.objects.create(assembly=cast.other_assembly, seed="x", requested=1)
    url = _draw_url(cast, "participants:invitation_draw_status", draw_id=foreign.pk)
    assert _login(client, cast).get(url).status_code == 404


# ------------------------------------------------------------------------- letters


@pytest.fixture
def drawn(cast: Cast) -> InvitationDraw:
    make_residents(cast.assembly, 30, per_household=2, email_every=3)
    return services.invitation_draw(assembly=cast.assembly, count=12, seed="brieven")


def test_it_makes_a_pdf_with_the_personal_code(
    cast: Cast, drawn: InvitationDraw, media: Path, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.LETTERS)

    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (InvitationRun.Status.DONE, 12, 12)
    batch = run.batches.get()
    data = batch.pdf.read()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 12
    first = Invitation.objects.filter(draw=drawn).order_by("pk").first()
    assert first is not None and first.resident is not None
    page_text = reader.pages[0].extract_text()
    assert code_display(first.code) in page_text
    assert first.resident.surname in page_text
    produced = Invitation.objects.filter(draw=drawn, status=Invitation.Status.LETTER_PRODUCED)
    assert produced.count() == 12


def test_letters_made_again_for_a_draw_need_a_tick_and_the_page_says_when(
    cast: Cast, drawn: InvitationDraw, media: Path, client: Client,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    """The same letters posted twice confuse people; a lost PDF must still
    be made again, knowingly."""
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.LETTERS)
    with pytest.raises(services.InvitationRunNeedsConfirmation, match="al gemaakt op"):
        services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.LETTERS)
    assert InvitationRun.objects.filter(draw=drawn).count() == 1

    _login(client, cast)
    hub = client.get(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    page = hub.content.decode()
    assert 'name="again_confirmed"' in page and "Brieven opnieuw maken" in page
    start = reverse(
        "participants:invitation_run_start",
        kwargs={"slug": cast.assembly.slug, "draw_id": drawn.pk},
    )
    refused = client.post(start, {"kind": "letters"}, follow=True)
    assert "Zet dan een vinkje bij ‘Opnieuw maken’." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start, {"kind": "letters", "again_confirmed": "yes"})
    assert InvitationRun.objects.filter(draw=drawn, kind="letters").count() == 2


def test_it_does_not_make_a_batch_twice(
    cast: Cast, drawn: InvitationDraw, media: Path, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.LETTERS)
    InvitationRun.objects.filter(pk=run.pk).update(status=InvitationRun.Status.RUNNING)

    assert services.letter_batch_produce(run_id=run.pk, number=0) is False
    assert run.batches.count() == 1
    assert len(list(media.rglob("*.pdf"))) == 1


def test_it_lets_the_organiser_download_the_batch_and_the_csv(
    cast: Cast, drawn: InvitationDraw, media: Path, client: Client,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.LETTERS)
    batch = run.batches.get()
    _login(client, cast)
    slug = cast.assembly.slug

    pdf = client.get(reverse("participants:letter_batch_pdf", kwargs={"slug": slug,
                                                                      "batch_id": batch.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    export = client.get(reverse("participants:invitation_export", kwargs={"slug": slug}))
    text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = text.strip().splitlines()
    assert len(lines) == 13
    code = Invitation.objects.filter(draw=drawn).first()
    assert code is not None
    assert code.code in text and "/aanmelden/?code=" in text

    status = client.get(reverse("participants:invitation_run_status",
                                kwargs={"slug": slug, "run_id": run.pk}))
    assert status.json()["done"] == 12 and status.json()["status"] == "done"

    hub = client.get(reverse("participants:invitations", kwargs={"slug": slug})).content.decode()
    assert "Stapel 1 (12 brieven, PDF)" in hub
    assert reverse("participants:letter_batch_pdf", kwargs={"slug": slug,
                                                            "batch_id": batch.pk}) in hub


# -------------------------------------------------------------------------- e-mail


def _email_run(draw: InvitationDraw, on_commit: OnCommit) -> InvitationRun:
    with on_commit(execute=True):
        return services.invitation_run_start(draw=draw, kind=InvitationRun.Kind.EMAILS)


def test_it_emails_each_invitee_with_an_address_once(
    cast: Cast, drawn: InvitationDraw, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with_email = Invitation.objects.filter(draw=drawn).exclude(resident__email="")
    expected = sorted(with_email.values_list("resident__email", flat=True))
    assert 0 < len(expected) < 12

    run = _email_run(drawn, django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == expected
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (InvitationRun.Status.DONE, len(expected),
                                                 len(expected))
    message = mail.outbox[0]
    invitation = Invitation.objects.get(resident__email=message.to[0])
    assert code_display(invitation.code) in message.body
    assert f"/aanmelden/?code={invitation.code}" in message.body
    assert invitation.status == Invitation.Status.EMAILED
    assert invitation.emailed_at is not None and invitation.email_claimed_at is not None
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    contact = contact_address()
    assert f'<a href="mailto:{contact}">{contact}</a>' in html


def test_a_second_email_run_counts_only_the_emails_it_will_send(
    cast: Cast, drawn: InvitationDraw, django_capture_on_commit_callbacks: OnCommit
) -> None:
    first = _email_run(drawn, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.total == len(mail.outbox) > 1
    # Someone without an address gave one later: the second run sends them one e-mail.
    late = Invitation.objects.filter(draw=drawn, resident__email="").first()
    assert late is not None
    Resident.objects.filter(pk=late.resident_id).update(email="later@example.org")

    with django_capture_on_commit_callbacks(execute=False):
        second = services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.EMAILS)

    # The progress bar: 0 of 1, not 0 of everyone with an address.
    assert (second.done, second.total) == (0, 1)
    from participants.tasks import invitation_run_task

    invitation_run_task.apply(args=(second.pk,))
    second.refresh_from_db()
    assert (second.status, second.done, second.total) == (InvitationRun.Status.DONE, 1, 1)
    assert mail.outbox[-1].to == ["later@example.org"]


def test_it_sends_once_when_the_run_runs_twice(
    cast: Cast, drawn: InvitationDraw, django_capture_on_commit_callbacks: OnCommit
) -> None:
    run = _email_run(drawn, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)

    # As if the message had been delivered again, and a second worker took it too.
    InvitationRun.objects.filter(pk=run.pk).update(status=InvitationRun.Status.RUNNING)
    from participants.tasks import invitation_email_chunk_task, invitation_run_task

    invitation_run_task.apply(args=(run.pk,))
    assert invitation_email_chunk_task.apply(args=(run.pk, 0)).get() == 0
    assert len(mail.outbox) == sent


def test_a_draw_and_a_run_asked_for_while_redis_is_down_go_out_with_the_sweep(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants import tasks

    def redis_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("Redis is down")

    make_residents(cast.assembly, 30, per_household=2, email_every=3)
    with monkeypatch.context() as down:
        down.setattr(tasks.invitation_draw_task, "apply_async", redis_down)
        # No error for the organiser: the draw is written down, and waits.
        with django_capture_on_commit_callbacks(execute=True):
            draw = services.invitation_draw_queue(assembly=cast.assembly, count=12, seed="s")
    draw.refresh_from_db()
    assert draw.status == InvitationDraw.Status.QUEUED
    later = draw.created_at + services.REQUEUE_AFTER + dt.timedelta(seconds=1)
    assert services.invitations_requeue(now=draw.created_at) == ([], [])
    assert services.invitations_requeue(now=later) == ([draw.pk], [])
    draw.refresh_from_db()
    assert draw.status == InvitationDraw.Status.DONE and draw.invitations.count() == 12

    with monkeypatch.context() as down:
        down.setattr(tasks.invitation_run_task, "apply_async", redis_down)
        with django_capture_on_commit_callbacks(execute=True):
            run = services.invitation_run_start(draw=draw, kind=InvitationRun.Kind.EMAILS)
    run.refresh_from_db()
    assert run.status == InvitationRun.Status.QUEUED and mail.outbox == []
    later = run.created_at + services.REQUEUE_AFTER + dt.timedelta(seconds=1)
    assert services.invitations_requeue(now=later) == ([], [run.pk])
    run.refresh_from_db()
    assert run.status == InvitationRun.Status.DONE
    sent = sorted(message.to[0] for message in mail.outbox)
    assert len(sent) == run.total > 0 and len(set(sent)) == len(sent)
    # Nothing is left waiting, so the next sweep sends nothing again.
    assert services.invitations_requeue(now=later) == ([], [])
    assert len(mail.outbox) == len(sent)


class _ServerAnswering:
    """A mail server that answers some addresses with an SMTP reply code at
    DATA (prepare) or at the final dot (finish), and takes the rest."""

    def __init__(self, at_data: dict[str, int], at_dot: dict[str, int]) -> None:
        self.at_data, self.at_dot = at_data, at_dot
        self.messages: list[Any] = []
        self.delivered: list[str] = []

    def prepare(self, messages: Any) -> list[Exception | None]:
        self.messages = list(messages)
        return [self._reply(m.to[0], self.at_data) for m in self.messages]

    def finish(self, indices: Any) -> list[Exception | None]:
        outcomes = [self._reply(self.messages[i].to[0], self.at_dot) for i in indices]
        pairs = zip(indices, outcomes, strict=True)
        self.delivered += [self.messages[i].to[0] for i, outcome in pairs if outcome is None]
        return outcomes

    @staticmethod
    def _reply(address: str, codes: dict[str, int]) -> Exception | None:
        import smtplib

        return smtplib.SMTPDataError(codes[address], b"no") if address in codes else None

    def close(self) -> None:
        pass


def test_a_permanent_refusal_is_a_bounce_and_a_temporary_one_is_tried_again(
    cast: Cast, drawn: InvitationDraw
) -> None:
    import smtplib

    from participants.letters import letter_text

    targets = list(
        Invitation.objects.filter(draw=drawn).exclude(resident__email="").order_by("pk")
    )
    assert len(targets) >= 3
    first, second, third = (t.resident.email for t in targets[:3])
    server = _ServerAnswering(at_data={first: 554}, at_dot={second: 550, third: 451})
    text = letter_text(cast.assembly)
    messages = {t.pk: services.invitation_email(t, text) for t in targets}

    # 5xx is final: those two are bounces, not a reason to fail the whole run;
    # the 451 is raised, so the task is retried for that one only.
    with pytest.raises(smtplib.SMTPResponseException) as raised:
        services.invitation_emails_send_once(messages=messages, sender=server)
    assert raised.value.smtp_code == 451
    assert "@" not in "".join(traceback.format_exception(raised.value))
    status = dict(Invitation.objects.filter(draw=drawn).values_list("resident__email", "status"))
    assert status[first] == status[second] == Invitation.Status.BOUNCED
    assert status[third] != Invitation.Status.BOUNCED
    assert sorted(server.delivered) == sorted(t.resident.email for t in targets[3:])

    # The retry sends only the one refused for now.
    retry = _ServerAnswering(at_data={}, at_dot={})
    assert services.invitation_emails_send_once(messages=messages, sender=retry) == 1
    assert retry.delivered == [third]


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even an except Exception)."""


class _DiesAtTheDot(_ServerAnswering):
    """The worker dies after the claim's commit, before the server answered."""

    def finish(self, indices: Any) -> list[Exception | None]:
        raise _WorkerKilled


def test_an_email_cut_off_at_the_dot_is_uncertain_for_the_organiser_and_not_sent_again(
    cast: Cast, drawn: InvitationDraw, client: Client
) -> None:
    from participants.letters import letter_text

    targets = list(
        Invitation.objects.filter(draw=drawn).exclude(resident__email="").order_by("pk")
    )
    text = letter_text(cast.assembly)
    messages = {t.pk: services.invitation_email(t, text) for t in targets}
    cut_off = dict(list(messages.items())[:2])
    with pytest.raises(_WorkerKilled):
        services.invitation_emails_send_once(
            messages=cut_off, sender=_DiesAtTheDot(at_data={}, at_dot={})
        )
    # Claimed and committed, never answered: not sent again by the next worker.
    server = _ServerAnswering(at_data={}, at_dot={})
    assert services.invitation_emails_send_once(messages=messages, sender=server) == len(
        targets
    ) - 2
    delivered = dict(
        Invitation.objects.filter(pk__in=messages).values_list("pk", "email_delivered")
    )
    assert [pk for pk, ok in delivered.items() if not ok] == sorted(cut_off)

    InvitationRun.objects.create(
        assembly=cast.assembly, draw=drawn, kind=InvitationRun.Kind.EMAILS,
        status=InvitationRun.Status.DONE, total=len(targets), done=len(targets) - 2,
    )
    hub_url = reverse("participants:invitations", kwargs={"slug": cast.assembly.slug})
    organiser = _login(client, cast)
    # Just cut off may still be on its way: not counted yet.
    assert "onzeker" not in organiser.get(hub_url).content.decode()
    Invitation.objects.filter(pk__in=cut_off).update(
        email_claimed_at=timezone.now() - dt.timedelta(minutes=5)
    )
    hub = organiser.get(hub_url).content.decode()
    assert "2 e-mails zijn onzeker" in hub


def test_it_refuses_a_second_run_of_the_same_kind_while_one_runs(
    cast: Cast, drawn: InvitationDraw, client: Client
) -> None:
    run = services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.EMAILS)
    with pytest.raises(services.InvitationRunRefused):
        services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.EMAILS)

    hub = _login(client, cast).get(
        reverse("participants:invitations", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    status_url = reverse(
        "participants:invitation_run_status", kwargs={"slug": cast.assembly.slug, "run_id": run.pk}
    )
    assert f'data-progress-url="{status_url}"' in hub
    assert "js/progress.js" in hub


def test_it_does_not_email_someone_who_already_registered(
    cast: Cast, drawn: InvitationDraw, django_capture_on_commit_callbacks: OnCommit
) -> None:
    registered = Invitation.objects.filter(draw=drawn).exclude(resident__email="").first()
    assert registered is not None and registered.resident is not None
    Invitation.objects.filter(pk=registered.pk).update(status=Invitation.Status.REGISTERED)
    _email_run(drawn, django_capture_on_commit_callbacks)
    assert registered.resident.email not in [message.to[0] for message in mail.outbox]


# ------------------------------------------------------------------------ reminders


@pytest.fixture
def invited(cast: Cast, django_capture_on_commit_callbacks: OnCommit) -> Iterator[list[str]]:
    deadline = dt.date(2027, 1, 20)
    Assembly.objects.filter(pk=cast.assembly.pk).update(registration_deadline=deadline)
    make_residents(cast.assembly, 6, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=6, seed="herinnering")
    _email_run(draw, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    yield sorted(Invitation.objects.values_list("resident__email", flat=True))


def test_it_sends_each_reminder_once(cast: Cast, invited: list[str]) -> None:
    week_before = dt.date(2027, 1, 13)
    assert reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=week_before) == 6
    assert reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=week_before) == 0
    # The next day the 7-day reminder is still the due one: nothing new.
    next_day = dt.date(2027, 1, 14)
    assert reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=next_day) == 0
    assert sorted(message.to[0] for message in mail.outbox) == invited
    assert "7 dagen" in mail.outbox[0].body
    assert InvitationReminder.objects.filter(days_before=7).count() == 6


def test_it_sends_nothing_before_the_first_reminder_day(cast: Cast, invited: list[str]) -> None:
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 12)
    ) == 0
    assert mail.outbox == []


def test_a_late_reminder_states_the_days_that_are_really_left(
    cast: Cast, invited: list[str]
) -> None:
    # The 7-day reminder goes out two days late (a beat that missed days):
    # the deadline, 20 January, is then 5 days away.
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 15)
    ) == 6
    message = mail.outbox[0]
    said = "U kunt zich nog aanmelden tot en met woensdag 20 januari 2027. Dat is over 5 dagen."
    assert said in message.body
    html = message.alternatives[0][0]
    assert isinstance(html, str) and said in html
    # In the HTML part, whom to ask is a link to write to.
    contact = contact_address()
    assert f'<a href="mailto:{contact}">{contact}</a>' in html
    assert InvitationReminder.objects.filter(days_before=7).count() == 6


def test_a_reminder_on_the_deadline_day_says_it_is_the_last_day(
    cast: Cast, invited: list[str]
) -> None:
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 20)
    ) == 6
    assert "Vandaag is de laatste dag om u aan te melden." in mail.outbox[0].body
    assert "nog 0 dagen" not in mail.outbox[0].body


def _deadline_sentence(body: str) -> str:
    return next(line for line in body.splitlines() if "melden" in line and "20 januari" in line)


def test_a_reminder_the_day_before_the_deadline_says_tomorrow_is_the_last_day(
    cast: Cast, invited: list[str]
) -> None:
    # "Nog 1 dag, tot en met morgen" left unclear whether today still counts.
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 19)
    ) == 6
    said = "Morgen is de laatste dag om u aan te melden: woensdag 20 januari 2027."
    assert _deadline_sentence(mail.outbox[0].body) == said
    html = mail.outbox[0].alternatives[0][0]
    assert isinstance(html, str) and said in html


def test_a_reminder_two_days_before_the_deadline_names_the_day_and_the_days_to_go(
    cast: Cast, invited: list[str]
) -> None:
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 18)
    ) == 6
    said = "U kunt zich nog aanmelden tot en met woensdag 20 januari 2027. Dat is over 2 dagen."
    assert _deadline_sentence(mail.outbox[0].body) == said


def test_it_does_not_remind_someone_whose_invitation_is_less_than_two_days_old(
    cast: Cast, invited: list[str]
) -> None:
    first, second, third, *_rest = Invitation.objects.order_by("pk")
    yesterday_evening = timezone.make_aware(dt.datetime(2027, 1, 14, 22, 0))
    two_days_ago = timezone.make_aware(dt.datetime(2027, 1, 13, 23, 0))
    Invitation.objects.filter(pk=first.pk).update(emailed_at=yesterday_evening)
    # A letter made yesterday is still in the post, whenever the e-mail went.
    Invitation.objects.filter(pk=second.pk).update(letter_produced_at=yesterday_evening)
    Invitation.objects.filter(pk=third.pk).update(
        emailed_at=two_days_ago, letter_produced_at=None
    )

    sent = reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 15))

    assert sent == 4
    assert not InvitationReminder.objects.filter(invitation__in=[first, second]).exists()
    # They get it once the invitation is two days old, while it is still due.
    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 16)
    ) == 2


def test_it_stops_reminding_after_registration(cast: Cast, invited: list[str]) -> None:
    reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 13))
    registered, declined = Invitation.objects.order_by("pk")[:2]
    registered.status = Invitation.Status.REGISTERED
    registered.save(update_fields=["status"])
    declined.status = Invitation.Status.DECLINED
    declined.save(update_fields=["status"])
    mail.outbox.clear()

    sent = reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 18))

    assert sent == 4
    received = {message.to[0] for message in mail.outbox}
    assert registered.resident is not None and declined.resident is not None
    assert registered.resident.email not in received
    assert declined.resident.email not in received


def test_it_releases_the_claim_when_a_reminder_fails(
    cast: Cast, invited: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.mail import EmailMultiAlternatives

    def broken(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        raise OSError("the mail server is away")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", broken)
        with pytest.raises(OSError):
            reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 13))
    assert not InvitationReminder.objects.exists()

    assert reminders.reminders_send_due(
        assembly_id=cast.assembly.pk, today=dt.date(2027, 1, 13)
    ) == 6


def test_a_reminder_whose_connection_broke_is_not_sent_again(
    cast: Cast, invited: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    def cut_off(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        # The server may have had the whole message when the line went.
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    today = dt.date(2027, 1, 13)
    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", cut_off)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=today)
    (kept,) = InvitationReminder.objects.all()
    assert kept.delivered is False
    # The task's retry sends the other five, not that one.
    assert reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=today) == 5
    assert kept.invitation.resident.email not in [m.to[0] for m in mail.outbox]


def test_a_reminder_cut_off_mid_send_is_counted_as_uncertain_and_not_sent_again(
    cast: Cast, invited: list[str], client: Client
) -> None:
    """A worker that died between its claim and the server's answer leaves the
    claim undelivered (tests/services/test_reminders_worker_killed.py does it
    for real); the organiser sees it, and no later run sends it twice."""
    first = Invitation.objects.order_by("pk").first()
    assert first is not None
    InvitationReminder.objects.create(
        invitation=first, days_before=7, due_on=dt.date(2027, 1, 13), delivered=False
    )

    today = dt.date(2027, 1, 13)
    assert reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=today) == 5
    lines = {line.days_before: line for line in reminders.reminder_sent_counts(
        assembly=cast.assembly)}
    assert (lines[7].sent, lines[7].uncertain) == (5, 1)
    url = reverse("participants:reminder_schedule", kwargs={"slug": cast.assembly.slug})
    assert "1 onzeker" in _login(client, cast).get(url).content.decode()


@dataclass
class RefusingMailbox(Mailbox):
    """A real SMTP server that refuses some addresses at RCPT, with the reply
    a real one gives (it names the address)."""

    refuse: dict[str, int] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return f"{self.refuse[address]} 4.2.2 <{address}>: Mailbox full or unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_one_refused_address_does_not_stop_the_others_or_reach_the_log(
    cast: Cast, invited: list[str], settings: Any
) -> None:
    """A full mailbox (4xx) and an unknown address (5xx) among the invitees:
    everyone else gets the reminder; the unknown address counts as bounced and
    is not tried again; the full one is tried again by the task's retry; and
    the exception the task raises (Celery logs it, with its traceback) names
    no address."""
    full, unknown = invited[1], invited[3]
    mailbox = RefusingMailbox(refuse={full: 452, unknown: 550})
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS = "127.0.0.1", False
    today = dt.date(2027, 1, 13)
    with serving_smtp(mailbox) as port:
        settings.EMAIL_PORT = port
        with pytest.raises(reminders.RemindersDeferred) as raised:
            reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=today)
        assert isinstance(raised.value, OSError)  # so the task retries it
        assert "@" not in "".join(traceback.format_exception(raised.value))
        received = sorted(str(m["To"]) for m in mailbox.messages)
        assert received == sorted(set(invited) - {full, unknown})
        status = dict(Invitation.objects.values_list("resident__email", "status"))
        assert status[unknown] == Invitation.Status.BOUNCED
        assert status[full] != Invitation.Status.BOUNCED
        assert not InvitationReminder.objects.filter(
            invitation__resident__email__in=[full, unknown]
        ).exists()

        # The mailbox has room again: the retry sends that one, and only it.
        del mailbox.refuse[full]
        mailbox.messages.clear()
        assert reminders.reminders_send_due(assembly_id=cast.assembly.pk, today=today) == 1
        assert [str(m["To"]) for m in mailbox.messages] == [full]


def test_a_refusal_raised_for_a_retry_names_no_address() -> None:
    import smtplib

    from assembly.mail_sending import without_addresses

    refused = smtplib.SMTPRecipientsRefused(
        {"anouk@example.nl": (452, b"4.2.2 <anouk@example.nl>: mailbox full")}
    )
    clean = without_addresses(refused)
    assert isinstance(clean, smtplib.SMTPResponseException) and clean.smtp_code == 452
    assert "@" not in repr(clean) and b"mailbox full" in clean.smtp_error
    at_dot = without_addresses(smtplib.SMTPDataError(451, "try <a.b@c.nl> later"))
    assert (at_dot.smtp_code, at_dot.smtp_error) == (451, b"try <address> later")  # type: ignore[attr-defined]
    other = ConnectionRefusedError(111, "refused")
    assert without_addresses(other) is other


def test_it_shows_and_saves_the_reminder_schedule(cast: Cast, client: Client) -> None:
    url = reverse("participants:reminder_schedule", kwargs={"slug": cast.assembly.slug})
    page = _login(client, cast).get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["days_before"] == "7, 2"

    saved = client.post(url, {"registration_deadline": "2027-01-20", "days_before": "10; 3",
                              "hour": "8", "enabled": "on"})

    assert saved.status_code == 302
    task = PeriodicTask.objects.get(task="participants.tasks.reminders_send_task")
    assert json.loads(task.kwargs) == {"assembly_id": cast.assembly.pk, "days_before": [10, 3]}
    assert task.crontab is not None and task.crontab.hour == "8"
    assert task.enabled
    cast.assembly.refresh_from_db()
    assert cast.assembly.registration_deadline == dt.date(2027, 1, 20)
    again = client.get(url).content.decode()
    assert "10 januari 2027" in again  # 10 days before the deadline

    wrong = client.post(url, {"days_before": "zeven", "hour": "8"})
    assert wrong.status_code == 200
    assert json.loads(PeriodicTask.objects.get(pk=task.pk).kwargs)["days_before"] == [10, 3]


def test_it_creates_the_default_schedule_when_emails_go_out(
    cast: Cast, drawn: InvitationDraw
) -> None:
    services.invitation_run_start(draw=drawn, kind=InvitationRun.Kind.EMAILS)
    task = PeriodicTask.objects.get(task="participants.tasks.reminders_send_task")
    assert json.loads(task.kwargs)["days_before"] == [7, 2]
