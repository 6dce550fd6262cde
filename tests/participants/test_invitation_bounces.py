"""E-mails that came back after sending: the organiser's bounce list marks
those invitations, so no reminder goes to a dead address."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from assembly.models import AuditEvent
from participants.models import Invitation
from participants.resources_bounces import read_bounces
from participants.resources_quotas import QuotaFileError
from participants.services import bounces, reminders
from participants.services.bounces import BounceRow, BouncesRefused
from participants.services.invitations import invitation_draw
from tests.conftest import Cast
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents


def _emailed(cast: Cast, households: int = 4) -> list[Invitation]:
    """Invitations whose e-mail went out a week ago (old enough for a reminder)."""
    make_residents(cast.assembly, households, per_household=1)
    draw = invitation_draw(assembly=cast.assembly, count=households, seed="7")
    week_ago = timezone.now() - dt.timedelta(days=7)
    Invitation.objects.filter(draw=draw).update(
        status=Invitation.Status.EMAILED, emailed_at=week_ago
    )
    return list(Invitation.objects.filter(draw=draw).select_related("resident").order_by("pk"))


def _rows(*emails: str) -> list[BounceRow]:
    return [BounceRow(row=number, email=email) for number, email in enumerate(emails, start=2)]


def _status(invitation: Invitation) -> str:
    invitation.refresh_from_db()
    return invitation.status


def test_it_marks_the_invitations_of_the_bounced_addresses_whatever_the_case(
    cast: Cast,
) -> None:
    first, second, third, fourth = _emailed(cast)
    result = bounces.invitation_bounces_import(
        assembly=cast.assembly,
        actor=cast.users["organiser"],
        rows=_rows(first.resident.email.upper(), f"  {second.resident.email}  ".strip()),
    )
    assert result == bounces.BounceResult(marked=2, already=0, kept=0, unknown=0)
    assert [_status(i) for i in (first, second, third, fourth)] == [
        Invitation.Status.BOUNCED, Invitation.Status.BOUNCED,
        Invitation.Status.EMAILED, Invitation.Status.EMAILED,
    ]


def test_no_reminder_goes_to_a_bounced_address(cast: Cast) -> None:
    invitations = _emailed(cast)
    deadline = timezone.localdate() + dt.timedelta(days=7)
    cast.assembly.registration_deadline = deadline
    cast.assembly.save(update_fields=["registration_deadline"])
    due = {i.pk for i in reminders.reminder_recipients(assembly=cast.assembly, days_before=7)}
    assert due == {i.pk for i in invitations}

    bounces.invitation_bounces_import(
        assembly=cast.assembly, actor=None, rows=_rows(invitations[0].resident.email)
    )
    due = {i.pk for i in reminders.reminder_recipients(assembly=cast.assembly, days_before=7)}
    assert due == {i.pk for i in invitations[1:]}


def test_a_sign_up_or_a_no_keeps_its_status_and_is_counted(cast: Cast) -> None:
    registered, declined, emailed, _other = _emailed(cast)
    Invitation.objects.filter(pk=registered.pk).update(status=Invitation.Status.REGISTERED)
    Invitation.objects.filter(pk=declined.pk).update(status=Invitation.Status.DECLINED)
    result = bounces.invitation_bounces_import(
        assembly=cast.assembly, actor=None,
        rows=_rows(registered.resident.email, declined.resident.email, emailed.resident.email),
    )
    assert result == bounces.BounceResult(marked=1, already=0, kept=2, unknown=0)
    assert _status(registered) == Invitation.Status.REGISTERED
    assert _status(declined) == Invitation.Status.DECLINED


def test_the_same_list_twice_changes_nothing_the_second_time(cast: Cast) -> None:
    first, *_rest = _emailed(cast)
    rows = _rows(first.resident.email)
    bounces.invitation_bounces_import(assembly=cast.assembly, actor=None, rows=rows)
    again = bounces.invitation_bounces_import(assembly=cast.assembly, actor=None, rows=rows)
    assert again == bounces.BounceResult(marked=0, already=1, kept=0, unknown=0)


def test_addresses_of_another_assembly_are_counted_not_marked(cast: Cast) -> None:
    ours = _emailed(cast)
    other = AssemblyFactory(slug="ander-beraad")
    make_residents(other, 2, per_household=1)
    invitation_draw(assembly=other, count=2, seed="8")
    theirs = Invitation.objects.filter(assembly=other).select_related("resident").first()
    assert theirs is not None
    # make_residents numbers its people the same way in both assemblies, so the
    # other assembly's invitee has an address of ours: only ours is marked.
    shared = theirs.resident.email
    result = bounces.invitation_bounces_import(
        assembly=cast.assembly, actor=None, rows=_rows(shared, "niemand@example.org")
    )
    assert result.unknown == 1
    assert _status(theirs) == Invitation.Status.DRAWN
    assert [i.pk for i in ours if _status(i) == Invitation.Status.BOUNCED] == [
        i.pk for i in ours if i.resident.email == shared
    ]


def test_a_list_with_a_wrong_row_marks_nothing_and_names_every_wrong_row(cast: Cast) -> None:
    first, *_rest = _emailed(cast)
    # The messages are in the active language; a page request before may have left English.
    with translation.override("nl"), pytest.raises(BouncesRefused) as refused:
        bounces.invitation_bounces_import(
            assembly=cast.assembly, actor=None,
            rows=_rows(first.resident.email, "geen-adres", "ook@", "x@example.org"),
        )
    assert refused.value.problems == [
        "Regel 3: ‘geen-adres’ is geen e-mailadres.",
        "Regel 4: ‘ook@’ is geen e-mailadres.",
    ]
    assert _status(first) == Invitation.Status.EMAILED
    assert not AuditEvent.objects.filter(action="invitations.bounces_imported").exists()


def test_an_empty_list_is_refused(cast: Cast) -> None:
    with pytest.raises(BouncesRefused):
        bounces.invitation_bounces_import(assembly=cast.assembly, actor=None, rows=[])


def test_the_audit_log_holds_counts_not_addresses(cast: Cast) -> None:
    first, *_rest = _emailed(cast)
    bounces.invitation_bounces_import(
        assembly=cast.assembly, actor=cast.users["organiser"], rows=_rows(first.resident.email)
    )
    event = AuditEvent.objects.get(action="invitations.bounces_imported")
    assert event.detail == {"rows": 1, "marked": 1, "already": 0, "kept": 0, "unknown": 0}
    assert first.resident.email not in str(event.detail)


# ------------------------------------------------------------------ the file


def test_it_reads_a_provider_export_with_a_bom_and_semicolons() -> None:
    data = "\ufeffEmail Address;Reason\r\nA@Example.org;mailbox full\r\n\r\n".encode()
    assert read_bounces(data, "bounces.csv") == [BounceRow(row=2, email="A@Example.org")]


def test_it_reads_a_list_of_addresses_without_a_header() -> None:
    data = b"a@example.org\nb@example.org\n"
    assert read_bounces(data, "lijst.csv") == [
        BounceRow(row=1, email="a@example.org"), BounceRow(row=2, email="b@example.org")
    ]


def test_it_reads_an_excel_file_with_a_dutch_column_name() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Datum", "E-mailadres"])
    sheet.append(["2026-11-20", "a@example.org"])
    out = io.BytesIO()
    book.save(out)
    assert read_bounces(out.getvalue(), "terug.xlsx") == [BounceRow(row=2, email="a@example.org")]


def test_a_file_without_an_address_column_names_the_columns_it_found() -> None:
    with pytest.raises(QuotaFileError) as refused:
        read_bounces(b"naam,reden\nJan,vol\n", "terug.csv")
    assert "Gevonden kolommen: naam, reden." in refused.value.nl
    assert "Columns found: naam, reden." in refused.value.en


# ------------------------------------------------------------------ the page


def _upload(client: Client, cast: Cast, content: bytes, language: str = "nl") -> Any:
    client.force_login(cast.users["organiser"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("participants:invitation_bounces", kwargs={"slug": cast.assembly.slug})
    return client.post(
        url, {"file": SimpleUploadedFile("terug.csv", content, content_type="text/csv")},
        follow=True,
    )


def test_the_organiser_uploads_a_list_and_reads_what_changed(cast: Cast, client: Client) -> None:
    first, second, *_rest = _emailed(cast)
    content = f"email\n{first.resident.email}\nonbekend@example.org\n".encode()
    response = _upload(client, cast, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 uitnodiging staat nu op ‘E-mail kwam terug’" in page
    assert "1 adres hoort niet bij een uitnodiging van dit burgerberaad" in page
    assert "Nu staat 1 uitnodiging op ‘E-mail kwam terug’." in page
    assert _status(first) == Invitation.Status.BOUNCED
    assert _status(second) == Invitation.Status.EMAILED


def test_a_wrong_file_gets_every_problem_in_english_and_changes_nothing(
    cast: Cast, client: Client
) -> None:
    first, *_rest = _emailed(cast)
    content = f"email\n{first.resident.email}\nnot-an-address\n".encode()
    response = _upload(client, cast, content, language="en")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 3: ‘not-an-address’ is not an e-mail address." in page
    assert "Nothing was changed." in page
    assert _status(first) == Invitation.Status.EMAILED


def test_the_invitations_page_links_to_the_bounce_list(cast: Cast, client: Client) -> None:
    client.force_login(cast.users["organiser"])
    hub = client.get(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    assert reverse(
        "participants:invitation_bounces", kwargs={"slug": cast.assembly.slug}
    ) in hub.content.decode()


def test_a_list_that_changes_nothing_says_so(cast: Cast, client: Client) -> None:
    _emailed(cast)
    page = _upload(client, cast, b"email\nniemand@example.org\n").content.decode()
    assert "Er is geen uitnodiging veranderd." in page
    assert "0 uitnodigingen staan nu op" not in page
