"""Requests under the AVG: a person's full export (JSON and PDF), erasure that
keeps the counts, and retention after the final report with a dry run."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assembly.models import AuditEvent, OutboxEmail, Role, User
from participants.models import (
    AttitudeQuestion,
    BankAccount,
    CheckIn,
    DayAllowance,
    ExpenseClaim,
    Invitation,
    PanelMember,
    PaymentState,
    Registration,
    Resident,
    SelectionRun,
)
from participants.selectors_selection import pool_registrations
from participants.services.registration import registration_withdraw
from recommendations.models import Ballot, ElectronicVote, VoterMark
from recommendations.privacy import subject_export, subject_find, subject_for_user
from recommendations.privacy_pdf import subject_export_pdf
from recommendations.services.privacy import retention_erase, retention_plan, subject_erase
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_panel import make_panel

pytestmark = pytest.mark.django_db


def member_with_everything(cast: Cast) -> PanelMember:
    """The cast's member account on a panel seat, with attendance, money and a vote."""
    panel = make_panel(cast.assembly, size=6, panel=(0, 1, 2), alternates=(3,))
    member = panel.member(0)
    member.user = cast.users["member"]
    member.status = PanelMember.Status.CONFIRMED
    member.save(update_fields=["user", "status"])
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    CheckIn.objects.create(
        member=member, weekend=weekend, day=weekend.starts_on, note="Rolstoel, diabetes"
    )
    DayAllowance.objects.create(
        member=member,
        weekend=weekend,
        day=weekend.starts_on,
        gross=Decimal("35.00"),
        amount=Decimal("35.00"),
    )
    claim = ExpenseClaim.objects.create(
        member=member,
        weekend=weekend,
        day=weekend.starts_on,
        kind=ExpenseClaim.Kind.PUBLIC_TRANSPORT,
        description="Trein Zwolle-Utrecht",
        amount=Decimal("24.10"),
    )
    claim.receipt.save("bon.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    BankAccount.objects.create(
        member=member, iban="NL91ABNA0417164300", holder_name="Persoon Nummer0"
    )
    ballot = Ballot.objects.create(
        assembly=cast.assembly,
        number=1,
        kind=Ballot.Kind.RECOMMENDATION,
        method=Ballot.Method.ELECTRONIC,
        title="Stemming 1",
    )
    VoterMark.objects.create(ballot=ballot, member=member)
    ElectronicVote.objects.create(ballot=ballot, choice="for", receipt_hash="a" * 64)
    OutboxEmail.objects.create(
        to=member.registration.email, subject="Welkom", body="Hallo", kind="test"
    )
    return member


def test_it_finds_a_person_by_email_code_or_person_number(cast: Cast) -> None:
    member = member_with_everything(cast)
    registration = member.registration
    by_email = subject_find(assembly=cast.assembly, email=registration.email.upper())
    by_code = subject_find(assembly=cast.assembly, code=registration.invitation.code.lower())
    resident = registration.invitation.resident
    assert resident is not None
    by_ref = subject_find(assembly=cast.assembly, person_ref=resident.person_ref)
    for subject in (by_email, by_code, by_ref):
        assert subject.registration == registration
        assert subject.member == member
        assert subject.resident == resident
    assert subject_find(assembly=cast.assembly, email="niemand@example.org").is_empty
    # Another assembly's people are not found from this one.
    assert subject_find(assembly=cast.other_assembly, email=registration.email).is_empty


def test_it_exports_everything_about_a_member_but_not_their_vote(cast: Cast) -> None:
    member = member_with_everything(cast)
    subject = subject_for_user(assembly=cast.assembly, user=cast.users["member"])
    export = subject_export(subject=subject, now=timezone.now())
    text = json.dumps(export.as_json(), ensure_ascii=False)
    titles = [title for title, _rows in export.sections]
    for expected in (
        "Uittreksel BRP",
        "Uitnodiging",
        "Aanmelding",
        "Deelname",
        "Aanwezigheid",
        "Dagvergoedingen",
        "Onkostendeclaraties",
        "Bankrekening",
        "Account",
    ):
        assert expected in titles
    assert member.registration.full_name in text
    assert "NL91ABNA0417164300" in text
    assert "Trein Zwolle-Utrecht" in text
    assert "Rolstoel, diabetes" in text  # the note at the check-in desk
    assert "Stemming 1" in text  # that they voted…
    assert '"for"' not in text and "a" * 64 not in text  # …never what

    pdf = PdfReader(io.BytesIO(subject_export_pdf(export)))
    pdf_text = "".join(page.extract_text() for page in pdf.pages)
    assert member.registration.full_name in pdf_text
    assert pdf.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    assert "NL91ABNA0417164300" in pdf_text


def test_erasure_removes_the_person_and_keeps_the_counts(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]
) -> None:
    member = member_with_everything(cast)
    registration = member.registration
    resident = registration.invitation.resident
    assert resident is not None
    user = cast.users["member"]
    receipt_path = ExpenseClaim.objects.get(member=member).receipt.path
    Registration.objects.filter(pk=registration.pk).update(needs_mobility=True)
    subject = subject_find(assembly=cast.assembly, email=registration.email)

    with django_capture_on_commit_callbacks(execute=True):
        counts = subject_erase(subject=subject, actor=cast.users["organiser"], reason="verzoek")

    registration.refresh_from_db()
    member.refresh_from_db()
    user.refresh_from_db()
    assert counts.receipts == 1 and counts.bank_accounts == 1
    assert registration.full_name == "" and registration.phone == ""
    assert not registration.needs_mobility  # access needs may be about health
    assert registration.email.startswith("gewist-")
    assert registration.gender  # quota answers stay for the composition counts
    assert not Resident.objects.filter(pk=resident.pk).exists()
    assert Invitation.objects.get(pk=registration.invitation_id).resident is None
    assert member.user is None and member.status == PanelMember.Status.CONFIRMED
    # Present that day (the allowance's basis) stays; the desk's note goes.
    assert list(CheckIn.objects.filter(member=member).values_list("note", flat=True)) == [""]
    assert DayAllowance.objects.get(member=member).amount == Decimal("35.00")
    claim = ExpenseClaim.objects.get(member=member)
    assert claim.receipt.name == "" and claim.description == ""
    assert not BankAccount.objects.filter(member=member).exists()
    assert not OutboxEmail.objects.filter(to__contains="persoon").exists()
    assert not user.is_active and user.email.startswith("gewist-") and user.full_name == ""
    assert not Role.objects.filter(user=user).exists()
    assert VoterMark.objects.filter(member=member).count() == 1
    assert ElectronicVote.objects.count() == 1
    event = AuditEvent.objects.get(action="privacy.erased")
    assert event.target == f"participants.PanelMember:{member.pk}"
    assert "Persoon" not in json.dumps(event.detail)
    assert not os.path.exists(receipt_path)


def test_the_reason_kept_in_the_audit_log_does_not_name_the_person(cast: Cast) -> None:
    member = member_with_everything(cast)
    registration = member.registration
    resident = registration.invitation.resident
    assert resident is not None
    subject = subject_find(assembly=cast.assembly, email=registration.email)
    reason = (
        f"Verzoek van {registration.full_name.upper()} ({registration.email}), "
        f"per brief aan {resident.surname}, code {registration.invitation.code}, 3 maart"
    )

    subject_erase(subject=subject, actor=cast.users["organiser"], reason=reason)

    kept = AuditEvent.objects.get(action="privacy.erased").detail["reason"]
    for value in (
        registration.full_name,
        registration.email,
        resident.surname,
        registration.invitation.code,
        *registration.full_name.split(),
    ):
        assert value.casefold() not in kept.casefold(), value
    assert kept.startswith("Verzoek van [") and kept.endswith("3 maart")


def test_erasure_keeps_the_age_on_the_first_weekend(cast: Cast) -> None:
    member = member_with_everything(cast)
    registration = member.registration
    first = cast.assembly.first_weekend
    registration.birth_date = first.replace(year=first.year - 30) + dt.timedelta(days=1)
    registration.save(update_fields=["birth_date"])  # turns 30 the day after: still 29
    subject_erase(
        subject=subject_find(assembly=cast.assembly, email=registration.email),
        actor=None,
        reason="verzoek",
    )
    registration.refresh_from_db()
    born = registration.birth_date
    age = first.year - born.year - ((first.month, first.day) < (born.month, born.day))
    assert age == 29


def test_erasure_of_someone_never_drawn_takes_them_out_of_the_pool_without_mail(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]
) -> None:
    panel = make_panel(cast.assembly, size=6, panel=(0, 1, 2), alternates=(3,))
    person, other = panel.people[4], panel.people[5]
    Registration.objects.filter(pk=person.pk).update(
        attitude_answers={"drugsbeleid": "Veel strenger"}, needs_childcare=True
    )
    person.available_weekends.set(Weekend.objects.filter(assembly=cast.assembly))
    published = SelectionRun.objects.get(assembly=cast.assembly)
    later = SelectionRun.objects.create(
        assembly=cast.assembly,
        status=SelectionRun.Status.DONE,
        panel_size=4,
        quotas_csv=published.quotas_csv,
        pool_csv=published.pool_csv,
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        subject_erase(
            subject=subject_find(assembly=cast.assembly, email=person.email),
            actor=cast.users["organiser"],
            reason="verzoek",
        )

    person.refresh_from_db()
    assert person.email.startswith("gewist-") and person.full_name == ""
    # Out of the pool as on a withdrawal: nobody could reach them if drawn.
    assert person.status == Registration.Status.WITHDRAWN and person.withdrawn_at is not None
    assert person.attitude_answers == {} and not person.needs_childcare
    assert person.available_weekends.count() == 0
    assert Invitation.objects.get(pk=person.invitation_id).status == Invitation.Status.DECLINED
    pool = pool_registrations(assembly=cast.assembly)
    assert person not in pool and other in pool
    later.refresh_from_db()
    assert f"\n{person.pk}," not in later.pool_csv and f"\n{other.pk}," in later.pool_csv
    # No "you have withdrawn" to an address that is being erased.
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []
    assert not PanelMember.objects.filter(registration=person).exists()


def test_erasure_of_a_member_keeps_the_seat_and_the_answers_the_counts_need(cast: Cast) -> None:
    member = member_with_everything(cast)
    Registration.objects.filter(pk=member.registration_id).update(
        attitude_answers={"drugsbeleid": "Veel strenger"}
    )
    registration = Registration.objects.get(pk=member.registration_id)

    subject_erase(
        subject=subject_find(assembly=cast.assembly, email=registration.email),
        actor=None,
        reason="verzoek",
    )

    erased = Registration.objects.get(pk=registration.pk)
    assert erased.email.startswith("gewist-")
    assert erased.status == Registration.Status.ACTIVE
    assert (erased.gender, erased.education, erased.attitude_answers) == (
        registration.gender,
        registration.education,
        {"drugsbeleid": "Veel strenger"},
    )
    assert Invitation.objects.get(pk=erased.invitation_id).status == Invitation.Status.REGISTERED
    assert PanelMember.objects.get(pk=member.pk).status == PanelMember.Status.CONFIRMED


def test_a_member_erased_then_withdrawing_by_the_link_gets_no_mail(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]
) -> None:
    member = member_with_everything(cast)
    subject_erase(
        subject=subject_find(assembly=cast.assembly, email=member.registration.email),
        actor=None,
        reason="verzoek",
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_withdraw(registration_id=member.registration_id)

    assert PanelMember.objects.get(pk=member.pk).status == PanelMember.Status.WITHDRAWN
    assert not OutboxEmail.objects.filter(kind="registration_withdrawn").exists()
    assert mail.outbox == []


def test_retention_erases_after_the_period_and_the_dry_run_changes_nothing(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    member = member_with_everything(cast)
    cast.assembly.report_delivered_on = dt.date(2026, 1, 31)
    cast.assembly.retention_months = 12
    cast.assembly.save(update_fields=["report_delivered_on", "retention_months"])

    assert retention_plan(today=dt.date(2027, 1, 30)) == []
    plans = retention_plan(today=dt.date(2027, 1, 31))
    assert [(p.assembly, p.ended_on, p.people) for p in plans] == [
        (cast.assembly, dt.date(2027, 1, 31), 6)
    ]
    call_command("privacy_retention", "--dry-run", "--today", "2027-02-01")
    assert "Dry run" in capsys.readouterr().out
    assert Registration.objects.filter(email__startswith="persoon").count() == 6

    call_command("privacy_retention", "--today", "2027-02-01")
    assert Registration.objects.filter(email__startswith="persoon").count() == 0
    assert not Resident.objects.filter(assembly=cast.assembly).exists()
    assert PanelMember.objects.filter(assembly=cast.assembly).count() == 4
    member.refresh_from_db()
    assert member.user is None
    # A second run finds nobody left and erases nothing twice.
    assert retention_erase(today=dt.date(2027, 2, 2)) == 0


def test_retention_of_a_31st_ends_on_the_last_day_of_a_short_month(cast: Cast) -> None:
    cast.assembly.report_delivered_on = dt.date(2026, 3, 31)
    cast.assembly.retention_months = 11
    cast.assembly.save(update_fields=["report_delivered_on", "retention_months"])
    make_panel(cast.assembly, size=2, panel=(0,), alternates=())
    assert retention_plan(today=dt.date(2027, 2, 27)) == []
    assert retention_plan(today=dt.date(2027, 2, 28))[0].ended_on == dt.date(2027, 2, 28)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_organiser_looks_up_downloads_and_erases_without_the_address_in_a_url(
    cast: Cast,
) -> None:
    member = member_with_everything(cast)
    email = member.registration.email
    client = _client(cast.users["organiser"])
    slug = cast.assembly.slug
    page = client.post(
        reverse("recommendations:privacy_requests", kwargs={"slug": slug}), {"email": email}
    )
    assert page.status_code == 200
    assert "Aanmelding" in page.content.decode()
    assert AuditEvent.objects.filter(action="privacy.looked_up").count() == 1

    download = client.post(
        reverse("recommendations:privacy_request_download", kwargs={"slug": slug, "fmt": "json"}),
        {"email": email},
    )
    assert download["Content-Type"].startswith("application/json")
    assert email not in download["Content-Disposition"]
    assert member.registration.full_name in download.content.decode()

    refused = client.post(
        reverse("recommendations:privacy_request_erase", kwargs={"slug": slug}),
        {"email": email, "reason": "verzoek"},
    )
    assert refused.status_code == 302
    assert Registration.objects.filter(email=email).exists()  # no confirmation: nothing erased

    client.post(
        reverse("recommendations:privacy_request_erase", kwargs={"slug": slug}),
        {"email": email, "reason": "verzoek per e-mail", "confirm": "on"},
    )
    assert not Registration.objects.filter(email=email).exists()


def test_the_erase_form_warns_that_a_members_seat_stays_taken(cast: Cast) -> None:
    member = member_with_everything(cast)
    client = _client(cast.users["organiser"])
    url = reverse("recommendations:privacy_requests", kwargs={"slug": cast.assembly.slug})
    warning = "Wissen laat die plaats bezet"

    page = client.post(url, {"email": member.registration.email}).content.decode()
    assert warning in page
    assert reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}) in page

    PanelMember.objects.filter(pk=member.pk).update(status=PanelMember.Status.WITHDRAWN)
    page = client.post(url, {"email": member.registration.email}).content.decode()
    assert "Gegevens wissen" in page and warning not in page


def test_the_lookup_form_asks_for_exactly_one_key(cast: Cast) -> None:
    client = _client(cast.users["organiser"])
    url = reverse("recommendations:privacy_requests", kwargs={"slug": cast.assembly.slug})
    both = client.post(url, {"email": "a@example.org", "code": "ABC"})
    assert "precies één" in both.content.decode()


def test_a_member_downloads_their_own_copy(cast: Cast) -> None:
    member = member_with_everything(cast)
    client = _client(cast.users["member"])
    response = client.get(
        reverse(
            "recommendations:my_data_download",
            kwargs={"slug": cast.assembly.slug, "fmt": "pdf"},
        )
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert member.registration.full_name in text
    # A facilitator without a seat gets an export with only their account.
    other = _client(cast.users["facilitator"])
    own = other.get(
        reverse(
            "recommendations:my_data_download",
            kwargs={"slug": cast.assembly.slug, "fmt": "json"},
        )
    )
    sections = json.loads(own.content)["sections"]
    # Only their account, and the log line of this very download (ids only).
    assert [s["title"] for s in sections] == ["Account", "Logboek over u"]
    # The JSON keeps the log's code, for computers ...
    assert [row["handeling"] for row in sections[1]["rows"]] == ["privacy.exported_own"]
    # ... the PDF says it in words (the AVG asks for plain language).
    pdf = other.get(
        reverse(
            "recommendations:my_data_download",
            kwargs={"slug": cast.assembly.slug, "fmt": "pdf"},
        )
    )
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Eigen gegevens gedownload" in pdf_text
    assert "privacy.exported_own" not in pdf_text


def test_the_organiser_sets_the_report_date_that_starts_the_retention_clock(cast: Cast) -> None:
    client = _client(cast.users["organiser"])
    settings_url = reverse("assembly:settings", kwargs={"slug": cast.assembly.slug})
    form = client.get(settings_url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["is_public"] = "on" if data.get("is_public") else ""
    data["report_delivered_on"] = "2026-12-15"
    assert client.post(settings_url, data).status_code == 302
    page = client.get(
        reverse("recommendations:privacy_requests", kwargs={"slug": cast.assembly.slug})
    )
    assert "15 december 2027" in page.content.decode()  # 12 months later


def test_the_page_about_my_data_says_where_to_ask_for_erasure(cast: Cast, settings: Any) -> None:
    """"Send an e-mail to the secretariat" without the address left the member
    to find it somewhere else."""
    settings.INVITATION_CONTACT_EMAIL = "secretariaat@burgerberaad.example"
    member_with_everything(cast)
    page = _client(cast.users["member"]).get(
        reverse("recommendations:my_data", kwargs={"slug": cast.assembly.slug})
    )
    assert 'href="mailto:secretariaat@burgerberaad.example"' in page.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (
            "nl",
            [
                "Geboortedatum",
                "Toestemming gegeven op",
                "24 november 2026, 09:16",  # 08:16 UTC, on the clock in Amsterdam
                "Betaald",
                "Hulp bij bewegen of rolstoel",
                "Nee",
                "Strenger?: Veel strenger",
                "€ 35,00",
                "Nederlands",
            ],
            ["Paid", "Date of birth"],
        ),
        (
            "en",
            [
                "Date of birth",
                "Consent given on",
                "24 November 2026, 09:16",
                "Paid",
                "Help with mobility or wheelchair",
                "No",
                "Stricter?: Much stricter",
                "€ 35.00",
                "Dutch",
            ],
            ["Geboortedatum", "Toestemming", "Betaald", "a.m.."],
        ),
    ],
)
def test_the_readable_copy_is_in_the_members_language_without_codes(
    cast: Cast, language: str, shown: list[str], not_shown: list[str]
) -> None:
    """The PDF showed stored codes ("paid", "no"), UTC times in ISO, the opinion
    answers as JSON and Dutch labels in English. The JSON copy keeps them: it
    is for computers."""
    member = member_with_everything(cast)
    AttitudeQuestion.objects.create(
        assembly=cast.assembly,
        key="houding",
        text="Strenger?",
        choices="Veel strenger\nVeel soepeler",
        text_en="Stricter?",
        choices_en="Much stricter\nMuch more lenient",
    )
    registration = member.registration
    registration.attitude_answers = {"houding": "Veel strenger"}
    registration.consent_at = dt.datetime(2026, 11, 24, 8, 16, 52, 666018, tzinfo=dt.UTC)
    registration.needs_mobility = False
    registration.save(update_fields=["attitude_answers", "consent_at", "needs_mobility"])
    DayAllowance.objects.filter(member=member).update(status=PaymentState.PAID)
    client = _client(cast.users["member"])
    client.cookies["django_language"] = language

    def download(fmt: str) -> Any:
        return client.get(
            reverse(
                "recommendations:my_data_download",
                kwargs={"slug": cast.assembly.slug, "fmt": fmt},
            )
        )

    pdf = PdfReader(io.BytesIO(download("pdf").content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for expected in shown:
        assert expected in text
    for unexpected in not_shown:
        assert unexpected not in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)  # no ISO times
    assert "{" not in text and "houding" not in text  # no JSON, no keys of answers
    assert not re.search(r"\b(paid|earned|nee|no|nl)\b", text)  # no stored codes
    assert ".." not in text

    flat = json.dumps(download("json").json(), ensure_ascii=False)
    assert '"status": "paid"' in flat
    assert '"antwoorden_mening": {"houding": "Veel strenger"}' in flat
    assert '"toestemming_op": "2026-11-24T08:16:52.666018+00:00"' in flat
    assert '"hulp_bewegen": false' in flat
    assert '"bedrag": "35.00"' in flat
    assert '"taal": "nl"' in flat
