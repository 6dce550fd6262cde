"""Why an import, an invitation draw or a letter/e-mail run failed, in the
organiser's language.

The services store each failure in Dutch and English (``error``, ``error_en``,
assembly.models.both_languages); a row from before ``error_en`` shows its one
text. The failures here are made by the real services."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import (
    Invitation,
    InvitationDraw,
    InvitationRun,
    PopulationImport,
    Resident,
)
from participants.services import invitations as invitation_services
from participants.services import population as population_services
from tests.conftest import Cast
from tests.participants.population_files import csv_bytes, person
from tests.participants.test_invitations import make_residents
from tests.services.conftest import Mailbox, serving_smtp

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., Any]
PROVINCE = InvitationDraw.Stratification.PROVINCE


def _organiser(cast: Cast, language: str) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _report(client: Client, cast: Cast, record: PopulationImport) -> tuple[str, str]:
    """The import's report page and the label of its status (the progress bar's text)."""
    kwargs = {"slug": cast.assembly.slug, "pk": record.pk}
    page = client.get(reverse("participants:population_report", kwargs=kwargs))
    status = client.get(reverse("participants:population_import_status", kwargs=kwargs))
    return page.content.decode(), status.json()["label"]


def _upload(cast: Cast, language: str, on_commit: OnCommit, run_task: bool = True) -> None:
    ref = f"P{PopulationImport.objects.count()}"
    upload = SimpleUploadedFile("brp.csv", csv_bytes([person(ref)]))
    with on_commit(execute=run_task):
        _organiser(cast, language).post(
            reverse("participants:population", kwargs={"slug": cast.assembly.slug}),
            {"file": upload},
        )


def test_an_english_organiser_reads_why_the_import_failed_in_english(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(population_services, "_insert_residents", broken)
    _upload(cast, "en", django_capture_on_commit_callbacks)
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.FAILED
    assert "Probeer het opnieuw" in record.error  # the worker writes the site's language

    page, label = _report(_organiser(cast, "en"), cast, record)
    assert "Because of a system error the file was not imported." in page
    assert "Probeer het opnieuw" not in page
    assert "Because of a system error the file was not imported." in label

    page, label = _report(_organiser(cast, "nl"), cast, record)
    assert "Door een fout in het systeem is het bestand niet ingelezen." in page
    assert "Because of a system error" not in page and "Probeer het opnieuw" in label


def test_a_failure_stored_in_the_language_of_the_organisers_page_reads_in_each_readers(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants import tasks

    # The queue is down: the page that took the upload fails it, in its reader's language.
    def redis_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as down:
        down.setattr(tasks.population_import_task, "apply_async", redis_down)
        _upload(cast, "en", django_capture_on_commit_callbacks)
    waiting = PopulationImport.objects.get()
    # Stored in both languages, whatever the language of the page that failed it.
    assert waiting.error == (
        "Het inlezen kon niet beginnen. Probeer het over een paar minuten opnieuw."
    )
    assert waiting.error_en == "The import could not start. Please try again in a few minutes."

    # A worker died: the next upload, by a Dutch organiser, fails the stale import.
    _upload(cast, "nl", django_capture_on_commit_callbacks, run_task=False)
    stale = PopulationImport.objects.latest("pk")
    PopulationImport.objects.filter(pk=stale.pk).update(
        status=PopulationImport.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    _upload(cast, "nl", django_capture_on_commit_callbacks)
    stale.refresh_from_db()
    assert stale.status == PopulationImport.Status.FAILED
    assert "niet op tijd klaargekomen" in stale.error

    english, dutch = _organiser(cast, "en"), _organiser(cast, "nl")
    page, label = _report(dutch, cast, waiting)
    assert "Het inlezen kon niet beginnen." in page and "Het inlezen kon niet beginnen." in label
    page, label = _report(english, cast, stale)
    said = "The import did not finish in time. Nothing was imported."
    assert said in page and said in label


def test_an_older_or_unknown_text_is_shown_as_it_was_stored(cast: Cast) -> None:
    record = PopulationImport.objects.create(
        assembly=cast.assembly, file_name="oud.csv", status=PopulationImport.Status.FAILED,
        error="Het bestand was kapot (een oude melding).",
    )
    page, label = _report(_organiser(cast, "en"), cast, record)
    assert "Het bestand was kapot (een oude melding)." in page
    assert "Het bestand was kapot (een oude melding)." in label


def _hub(client: Client, cast: Cast, draw: InvitationDraw) -> tuple[str, str]:
    """The invitations page and the label of the draw's status."""
    slug = cast.assembly.slug
    page = client.get(reverse("participants:invitations", kwargs={"slug": slug}))
    status = client.get(
        reverse("participants:invitation_draw_status", kwargs={"slug": slug, "draw_id": draw.pk})
    )
    return page.content.decode(), status.json()["label"]


def test_an_english_organiser_reads_why_the_draw_failed_in_english(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_residents(cast.assembly, 10, per_household=1)
    draw = invitation_services.invitation_draw_queue(assembly=cast.assembly, count=3, seed="s")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(invitation_services, "_draw_write", broken)
    invitation_services.invitation_draw_execute(draw_id=draw.pk)
    draw.refresh_from_db()
    assert draw.status == InvitationDraw.Status.FAILED and "Probeer het opnieuw" in draw.error

    page, label = _hub(_organiser(cast, "en"), cast, draw)
    said = "The draw did not succeed because of an error in the system."
    assert said in page and said in label and "Probeer het opnieuw" not in page
    page, label = _hub(_organiser(cast, "nl"), cast, draw)
    assert "Door een fout in het systeem is de trekking niet gelukt." in page
    assert "The draw did not succeed" not in page


def test_a_stale_draw_failed_from_an_english_page_reads_in_dutch_for_a_dutch_organiser(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 10, per_household=1)
    stuck = invitation_services.invitation_draw_queue(assembly=cast.assembly, count=3, seed="weg")
    InvitationDraw.objects.filter(pk=stuck.pk).update(
        status=InvitationDraw.Status.RUNNING, started_at=timezone.now() - dt.timedelta(hours=2)
    )
    url = reverse("participants:invitation_draw", kwargs={"slug": cast.assembly.slug})
    with django_capture_on_commit_callbacks(execute=True):
        _organiser(cast, "en").post(url, {"count": "3", "seed": "nieuw", "stratify_by": ""})
    stuck.refresh_from_db()
    assert stuck.status == InvitationDraw.Status.FAILED
    assert stuck.error.startswith("De trekking is niet op tijd klaargekomen.")
    assert stuck.error_en.startswith("The draw did not finish in time.")

    _page, label = _hub(_organiser(cast, "nl"), cast, stuck)
    assert "De trekking is niet op tijd klaargekomen." in label


def test_a_refusal_found_by_the_worker_keeps_its_numbers_in_english(cast: Cast) -> None:
    make_residents(cast.assembly, 10, per_household=1)
    draw = invitation_services.invitation_draw_queue(assembly=cast.assembly, count=8, seed="laat")
    # Between the page and the worker, someone drew at the command line.
    invitation_services.invitation_draw(assembly=cast.assembly, count=5, seed="eerder")
    invitation_services.invitation_draw_execute(draw_id=draw.pk)
    draw.refresh_from_db()
    assert draw.error.startswith("U vraagt 8 uitnodigingen.")

    # The later draw is the page's latest: the status label tells of this one.
    _page, label = _hub(_organiser(cast, "en"), cast, draw)
    assert "You are asking for 8 invitations. Only 5 households" in label
    assert "U vraagt" not in label


def test_unknown_municipalities_are_named_as_stored_in_an_english_sentence(cast: Cast) -> None:
    make_residents(cast.assembly, 20, per_household=1, municipalities={"Ede": 12, "Epe": 8})
    draw = invitation_services.invitation_draw_queue(
        assembly=cast.assembly, count=5, seed="laat", stratify_by=PROVINCE
    )
    Resident.objects.filter(municipality="Epe").update(municipality="Eppe")
    Resident.objects.filter(municipality="Ede", pk__in=Resident.objects.filter(
        municipality="Ede").values("pk")[:1]).update(municipality="")
    invitation_services.invitation_draw_execute(draw_id=draw.pk)
    draw.refresh_from_db()
    assert "“Eppe”" in draw.error and "(geen gemeente)" in draw.error

    page, label = _hub(_organiser(cast, "en"), cast, draw)
    assert "We do not know these municipalities: (no municipality), “Eppe”." in label
    assert "This concerns 9 residents." in label
    assert "“Eppe”" in page and "Deze gemeenten kennen we niet" not in page


# --- letter and e-mail runs: the task that fails for good stores why --------------


UNREACHABLE = (
    "De mailserver was niet bereikbaar (na 9 pogingen). Vraag de technisch beheerder om de "
    "instellingen voor e-mail te controleren. Verstuur daarna de e-mails opnieuw met de knop "
    "‘E-mails versturen’ bij de trekking. Wie al een e-mail kreeg, krijgt er geen tweede."
)
UNREACHABLE_EN = "The mail server could not be reached (after 9 attempts)."


def _drawn(cast: Cast) -> InvitationDraw:
    make_residents(cast.assembly, 30, per_household=2, email_every=3)
    return invitation_services.invitation_draw(assembly=cast.assembly, count=12, seed="rondes")


def _chunk_task(kind: str) -> Any:
    from participants import tasks

    if kind == InvitationRun.Kind.LETTERS:
        return tasks.letter_batch_task
    return tasks.invitation_email_chunk_task


def _running(draw: InvitationDraw, kind: str, monkeypatch: pytest.MonkeyPatch) -> InvitationRun:
    """A started run whose chunks no worker has taken yet."""
    with monkeypatch.context() as no_queue:
        no_queue.setattr(invitation_services, "_ask_to_run", lambda _run_id: None)
        run = invitation_services.invitation_run_start(draw=draw, kind=kind)
    InvitationRun.objects.filter(pk=run.pk).update(status=InvitationRun.Status.RUNNING)
    return run


def _fail_run(
    draw: InvitationDraw, kind: str, raises: type[Exception], monkeypatch: pytest.MonkeyPatch,
    *, retries: int | None = None,
) -> InvitationRun:
    """Run a new run's first chunk as its try number ``retries`` (default: the
    last retry), which fails. In process Celery does not retry by itself: its
    Retry escapes the first try."""
    run = _running(draw, kind, monkeypatch)
    task = _chunk_task(kind)
    with pytest.raises(raises):
        task.apply(args=(run.pk, 0), retries=task.max_retries if retries is None else retries)
    run.refresh_from_db()
    assert run.status == InvitationRun.Status.FAILED
    return run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _use_smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False


def _runs_page(client: Client, cast: Cast) -> str:
    page = client.get(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    return page.content.decode()


def test_an_email_run_the_mail_server_never_answers_tells_why_in_both_languages(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    draw = _drawn(cast)
    _use_smtp(settings, _free_port())  # nobody listens there

    # Before the last retry the run goes on: the next try may reach the server.
    trying = _running(draw, InvitationRun.Kind.EMAILS, monkeypatch)
    with pytest.raises(Retry):
        _chunk_task(InvitationRun.Kind.EMAILS).apply(args=(trying.pk, 0), retries=3)
    trying.refresh_from_db()
    assert trying.status == InvitationRun.Status.RUNNING and trying.error == ""
    InvitationRun.objects.filter(pk=trying.pk).update(status=InvitationRun.Status.DONE)

    run = _fail_run(draw, InvitationRun.Kind.EMAILS, ConnectionRefusedError, monkeypatch)

    assert run.error == UNREACHABLE
    assert run.error_en.startswith(UNREACHABLE_EN)
    assert "Anyone who already received an e-mail will not get a second one." in run.error_en
    assert not Invitation.objects.filter(draw=draw, status=Invitation.Status.BOUNCED).exists()
    logged = [r.getMessage() for r in caplog.records if "invitation run failed" in r.getMessage()]
    assert logged == [f"invitation run failed id={run.pk} cause=ConnectionRefusedError"]

    english = _runs_page(_organiser(cast, "en"), cast)
    assert UNREACHABLE_EN in english and "De mailserver" not in english
    dutch = _runs_page(_organiser(cast, "nl"), cast)
    assert UNREACHABLE in dutch and UNREACHABLE_EN not in dutch
    with translation.override("en"):
        assert run.shown_error == run.error_en


def _refusing_login(*_args: Any, **_kwargs: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=False, handled=False)


def test_a_refused_login_fails_the_run_without_bouncing_anyone_and_a_new_run_sends_once(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """535 to the login is about our account, not an address: nobody is
    marked as bounced, and the new run the message points to sends to
    everyone once."""
    from aiosmtpd.controller import Controller

    draw = _drawn(cast)
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port,
        authenticator=_refusing_login, auth_require_tls=False,
    )
    controller.start()
    try:
        _use_smtp(settings, port)
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "burgerberaad", "fout"
        run = _fail_run(
            draw, InvitationRun.Kind.EMAILS, smtplib.SMTPAuthenticationError, monkeypatch
        )
    finally:
        controller.stop()
    assert run.error.startswith("De mailserver weigerde de inlog (na 9 pogingen).")
    assert run.error_en.startswith("The mail server refused the login (after 9 attempts).")
    assert not Invitation.objects.filter(draw=draw, status=Invitation.Status.BOUNCED).exists()
    assert mailbox.messages == []

    with serving_smtp(mailbox) as port:
        settings.EMAIL_PORT, settings.EMAIL_HOST_USER = port, ""
        with django_capture_on_commit_callbacks(execute=True):
            again = invitation_services.invitation_run_start(
                draw=draw, kind=InvitationRun.Kind.EMAILS
            )
    again.refresh_from_db()
    assert again.status == InvitationRun.Status.DONE
    received = [str(message["To"]) for message in mailbox.messages]
    assert len(received) == again.total > 0 and len(set(received)) == len(received)


def test_a_run_stopped_by_another_error_names_only_its_kind(
    cast: Cast, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path
    draw = _drawn(cast)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("no room for anouk.de.vries@example.nl")

    monkeypatch.setattr(invitation_services, "letters_pdf", broken)
    # Not worth a retry: the first try fails the run.
    letters = _fail_run(draw, InvitationRun.Kind.LETTERS, RuntimeError, monkeypatch, retries=0)
    assert letters.error.startswith(
        "Door een fout in het systeem is het maken van de brieven gestopt."
    )
    assert "noem deze melding: RuntimeError." in letters.error
    assert "alle brieven van deze trekking opnieuw" in letters.error
    assert "mention this message: RuntimeError." in letters.error_en

    monkeypatch.setattr(invitation_services, "invitation_email", broken)
    emails = _fail_run(draw, InvitationRun.Kind.EMAILS, RuntimeError, monkeypatch, retries=0)
    assert emails.error == (
        "Door een fout in het systeem is het versturen van de e-mails gestopt. De e-mails die "
        "al verstuurd zijn, blijven verstuurd. Neem contact op met de technisch beheerder en "
        "noem deze melding: RuntimeError."
    )
    assert emails.error_en.startswith("A system error stopped the sending of the e-mails.")
    for run in (letters, emails):
        assert "@" not in run.error + run.error_en and "anouk" not in run.error + run.error_en


def test_an_older_run_with_only_its_dutch_error_shows_it(cast: Cast) -> None:
    draw = _drawn(cast)
    InvitationRun.objects.create(
        assembly=cast.assembly, draw=draw, kind=InvitationRun.Kind.EMAILS,
        status=InvitationRun.Status.FAILED, error="SMTPServerDisconnected",
    )
    assert "Error: SMTPServerDisconnected" in _runs_page(_organiser(cast, "en"), cast)
    assert "Fout: SMTPServerDisconnected" in _runs_page(_organiser(cast, "nl"), cast)
