"""Expense claims: filing one from a phone in two steps (kind and day, then
the amount or kilometres and a receipt), bad input refused on its field with
nothing saved, receipts checked by content and served only to the member and
the organisers, and the organisers' approve / reject / ask with four eyes
above the limit, every step logged and e-mailed."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from reportlab.pdfgen import canvas

from assembly.models import AuditEvent, OutboxEmail, RoleKind
from participants import receipts
from participants.forms_money import parse_number
from participants.models import ClaimEvent, ExpenseClaim, PanelMember
from participants.services import claims as services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory, give_totp
from tests.participants.test_allowances import attend, own_member, rules_for
from tests.participants.test_attendance import confirmed_members

D = Decimal
Status = ExpenseClaim.Status
PAST_SATURDAY = dt.date(2025, 3, 8)


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), (10, 90, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "NS reisoverzicht: Utrecht Centraal - Amersfoort, 8,40 euro")
    page.save()
    return buffer.getvalue()


def upload(data: bytes, name: str = "bon.png", content_type: str = "image/png") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


@pytest.fixture
def member(cast: Cast) -> PanelMember:
    """The member persona's seat, checked in on both days of weekend 1, which
    is moved to March 2025 (in the past, with the seeded rules of 2025)."""
    Weekend.objects.filter(assembly=cast.assembly, number=1).update(
        starts_on=PAST_SATURDAY, ends_on=PAST_SATURDAY + dt.timedelta(days=1)
    )
    member = own_member(cast)
    attend(member, first_weekend(cast))
    return member


def first_weekend(cast: Cast) -> Weekend:
    return Weekend.objects.get(assembly=cast.assembly, number=1)


def claim_url(cast: Cast) -> str:
    return reverse("participants:my_claim_new", kwargs={"slug": cast.assembly.slug})


def step_two(cast: Cast, **fields: Any) -> dict[str, Any]:
    return {
        "step": "2",
        "kind": "public_transport",
        "day": first_weekend(cast).starts_on.isoformat(),
        "amount": "8,40",
        "description": "Trein Utrecht – Amersfoort",
        **fields,
    }


def make_claim(
    member: PanelMember, amount: str = "20.00", kind: str = "other", day: dt.date | None = None
) -> ExpenseClaim:
    weekend = Weekend.objects.get(assembly=member.assembly, number=1)
    return services.claim_submit(
        member=member,
        data=services.ClaimInput(
            kind=kind,
            day=day or weekend.starts_on,
            amount=D(amount),
            kilometres=None,
            description="Parkeren",
            receipt=receipts.receipt_check_bytes(png_bytes()),
        ),
        actor=member.user,
    )


# ------------------------------------------------------------------ filing a claim


@pytest.mark.django_db
def test_a_member_files_a_claim_with_a_receipt_in_two_steps(
    cast: Cast, member: PanelMember
) -> None:
    client = _client(cast, "member")
    step_one = client.get(claim_url(cast)).content.decode()
    assert "Stap 1 van 2" in step_one
    saturday = first_weekend(cast).starts_on

    details = client.post(
        claim_url(cast), {"step": "1", "kind": "public_transport", "day": saturday.isoformat()}
    )
    page = details.content.decode()
    assert "Stap 2 van 2" in page and "Openbaar vervoer" in page
    assert 'name="kilometres"' not in page and 'name="amount"' in page

    response = client.post(claim_url(cast), {**step_two(cast), "receipt": upload(png_bytes())})

    assert response.status_code == 302
    claim = ExpenseClaim.objects.get(member=member)
    assert (claim.kind, claim.day, claim.amount, claim.status) == (
        "public_transport",
        saturday,
        D("8.40"),
        Status.SUBMITTED,
    )
    assert claim.weekend == first_weekend(cast)
    assert claim.receipt.name.startswith("receipts/") and claim.receipt.name.endswith(".png")
    assert "bon" not in claim.receipt.name  # the member's file name is not kept
    assert len(claim.receipt_sha256) == 64
    assert list(claim.events.values_list("action", "actor")) == [
        ("submitted", cast.users["member"].pk)
    ]
    event = AuditEvent.objects.get(action="claims.submitted")
    assert event.detail == {"claim": claim.pk, "member": member.pk, "status": "submitted"}
    page = client.get(response["Location"]).content.decode()
    assert "Openbaar vervoer: € 8,40" in page and "Ingediend" in page


@pytest.mark.django_db
def test_the_same_form_sent_twice_makes_one_claim(cast: Cast, member: PanelMember) -> None:
    import re

    client = _client(cast, "member")
    saturday = first_weekend(cast).starts_on
    details = client.post(
        claim_url(cast), {"step": "1", "kind": "public_transport", "day": saturday.isoformat()}
    ).content.decode()
    number = re.search(r'name="submission" value="([0-9a-f-]+)"', details)
    assert number is not None
    # A double click on "Declaratie indienen": the same form, twice.
    form = {**step_two(cast), "submission": number.group(1)}
    first = client.post(claim_url(cast), {**form, "receipt": upload(png_bytes())})
    second = client.post(claim_url(cast), {**form, "receipt": upload(png_bytes())})
    assert first.status_code == second.status_code == 302
    (claim,) = ExpenseClaim.objects.filter(member=member)
    assert claim.amount == D("8.40")
    assert claim.events.count() == 1
    # A new form (a second, real claim for the same day) is a new claim.
    again = client.post(
        claim_url(cast), {"step": "1", "kind": "public_transport", "day": saturday.isoformat()}
    ).content.decode()
    other = re.search(r'name="submission" value="([0-9a-f-]+)"', again)
    assert other is not None and other.group(1) != number.group(1)
    client.post(
        claim_url(cast),
        {**step_two(cast), "submission": other.group(1), "receipt": upload(png_bytes())},
    )
    assert ExpenseClaim.objects.filter(member=member).count() == 2


@pytest.mark.django_db
def test_a_form_sent_twice_at_the_same_moment_makes_one_claim(
    cast: Cast, member: PanelMember
) -> None:
    import uuid

    # The second request's insert meets the first one's unique number.
    number = uuid.uuid4()
    weekend = first_weekend(cast)
    data = services.ClaimInput(
        kind="other", day=weekend.starts_on, amount=D("20.00"), kilometres=None,
        description="Parkeren", receipt=receipts.receipt_check_bytes(png_bytes()),
        submission=number,
    )
    first = services.claim_submit(member=member, data=data, actor=member.user)
    original_filter = ExpenseClaim.objects.filter

    def not_yet_visible(*args: Any, **kwargs: Any) -> Any:
        # The look-up before the insert ran before the first request committed.
        if kwargs.get("submission") == number and "pk" not in kwargs:
            ExpenseClaim.objects.filter = original_filter  # type: ignore[method-assign]
            return original_filter(pk=-1)
        return original_filter(*args, **kwargs)

    ExpenseClaim.objects.filter = not_yet_visible  # type: ignore[method-assign]
    try:
        second = services.claim_submit(member=member, data=data, actor=member.user)
    finally:
        ExpenseClaim.objects.filter = original_filter  # type: ignore[method-assign]
    assert second.pk == first.pk
    assert ExpenseClaim.objects.filter(member=member).count() == 1


@pytest.mark.django_db
def test_a_car_claim_is_kilometres_times_the_rate_of_the_year(
    cast: Cast, member: PanelMember
) -> None:
    rules_for(2025, km_rate="0.25")
    response = _client(cast, "member").post(
        claim_url(cast),
        {**step_two(cast, kind="car", amount=""), "kilometres": "84,5"},
    )
    assert response.status_code == 302
    claim = ExpenseClaim.objects.get(member=member)
    assert claim.kilometres == D("84.5") and claim.amount == D("21.13")  # 21.125 → 21.13
    assert not claim.receipt


@pytest.mark.django_db
def test_a_pdf_receipt_is_accepted(cast: Cast, member: PanelMember) -> None:
    response = _client(cast, "member").post(
        claim_url(cast),
        {**step_two(cast), "receipt": upload(pdf_bytes(), "ov.pdf", "application/pdf")},
    )
    assert response.status_code == 302
    assert ExpenseClaim.objects.get(member=member).receipt.name.endswith(".pdf")


def _refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ExpenseClaim.objects.exists()
    assert not ClaimEvent.objects.exists()


@pytest.mark.django_db
def test_a_day_the_member_was_absent_is_refused_on_the_day_field(
    cast: Cast, member: PanelMember
) -> None:
    Weekend.objects.filter(assembly=cast.assembly, number=2).update(
        starts_on=first_weekend(cast).starts_on + dt.timedelta(days=7),
        ends_on=first_weekend(cast).starts_on + dt.timedelta(days=8),
    )
    absent = first_weekend(cast).starts_on + dt.timedelta(days=7)
    client = _client(cast, "member")
    step_one = client.get(claim_url(cast)).content.decode()
    assert "(niet aangemeld)" in step_one
    response = client.post(
        claim_url(cast), {"step": "1", "kind": "childcare", "day": absent.isoformat()}
    )
    _refused(response, "day", "Op deze dag was u niet aangemeld")
    # A forged second step with the absent day is refused too.
    forged = client.post(
        claim_url(cast),
        {**step_two(cast, day=absent.isoformat()), "receipt": upload(png_bytes())},
    )
    _refused(forged, "day", "Op deze dag was u niet aangemeld")


@pytest.mark.django_db
def test_the_service_refuses_a_day_without_a_check_in(member: PanelMember) -> None:
    with pytest.raises(services.ClaimRefused) as refused:
        make_claim(member, day=dt.date(2027, 1, 1))
    assert refused.value.field == "day"
    assert not ExpenseClaim.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Dit moet meer dan 0 zijn."),
        ("0", "Dit moet meer dan 0 zijn."),
        ("8,4055", "Gebruik hoogstens twee cijfers achter de komma."),
        ("0,125", "Gebruik hoogstens twee cijfers achter de komma."),
        ("1.250", "Schrijf dan 1250 of 1250,00"),
        ("1.250,00", "Schrijf alleen cijfers"),
        ("acht", "Schrijf alleen cijfers"),
        ("2600", "Het bedrag is te hoog"),
        ("", "Vul het bedrag in."),
    ],
)
@pytest.mark.django_db
def test_a_bad_amount_is_refused_on_the_amount_field(
    cast: Cast, member: PanelMember, amount: str, message: str
) -> None:
    response = _client(cast, "member").post(
        claim_url(cast), {**step_two(cast, amount=amount), "receipt": upload(png_bytes())}
    )
    _refused(response, "amount", message)


@pytest.mark.parametrize(
    ("text", "whole"), [("1.250", "1250"), ("2,500", "2500"), ("12.000", "12000")]
)
def test_a_thousands_separator_is_refused_and_says_what_to_write(text: str, whole: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_number(text, places=2)
    assert f"Schrijf dan {whole} of {whole},00." in refused.value.messages[0]
    with pytest.raises(ValidationError) as kilometres:
        parse_number(text, places=1)
    assert f"Schrijf dan {whole}." in kilometres.value.messages[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("12,50", "12.50"), ("12.5", "12.5"), ("1250", "1250"), ("€ 1250,00", "1250.00")],
)
def test_decimals_and_whole_numbers_are_read_as_written(text: str, value: str) -> None:
    assert parse_number(text, places=2) == D(value)


@pytest.mark.parametrize("text", ["1" * 40, "1" * 30 + ",5"])
def test_a_number_longer_than_a_decimal_holds_is_an_error_not_a_crash(text: str) -> None:
    """Found by the form fuzzer: the page's maxlength does not bind a POST."""
    with pytest.raises(ValidationError) as refused:
        parse_number(text, places=2)
    assert refused.value.messages == ["Dit getal is te groot."]


@pytest.mark.django_db
def test_a_receipt_is_required_for_public_transport(cast: Cast, member: PanelMember) -> None:
    response = _client(cast, "member").post(claim_url(cast), step_two(cast))
    _refused(response, "receipt", "Voeg een foto of PDF van de bon")


@pytest.mark.django_db
def test_a_good_receipt_sent_with_another_error_asks_to_choose_it_again(
    cast: Cast, member: PanelMember
) -> None:
    # The page with the amount's error cannot keep the chosen file.
    response = _client(cast, "member").post(
        claim_url(cast), {**step_two(cast, amount="abc"), "receipt": upload(png_bytes())}
    )
    _refused(response, "receipt", "Kies de foto of PDF opnieuw.")
    assert "amount" in response.context["form"].errors


@pytest.mark.django_db
def test_a_form_without_other_errors_does_not_ask_for_the_receipt_again(
    cast: Cast, member: PanelMember
) -> None:
    response = _client(cast, "member").post(
        claim_url(cast), {**step_two(cast), "receipt": upload(b"geen foto", "bon.jpg")}
    )
    errors = response.context["form"].errors["receipt"]
    assert not any("opnieuw" in error for error in errors), errors


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Dit is geen foto maar tekst.", "bon.jpg", "geen foto (JPG of PNG) en geen PDF"),
        (b"GIF89a" + b"\x00" * 40, "bon.gif", "geen foto (JPG of PNG) en geen PDF"),
        (png_bytes()[:60], "bon.png", "De foto is beschadigd"),
        (b"%PDF-1.4\n kapot", "bon.pdf", "De PDF is beschadigd"),
    ],
)
@pytest.mark.django_db
def test_a_receipt_of_the_wrong_type_is_refused_by_its_content(
    cast: Cast, member: PanelMember, data: bytes, name: str, message: str
) -> None:
    response = _client(cast, "member").post(
        claim_url(cast), {**step_two(cast), "receipt": upload(data, name, "image/jpeg")}
    )
    _refused(response, "receipt", message)


@pytest.mark.django_db
def test_a_receipt_that_is_too_large_is_refused(
    cast: Cast, member: PanelMember, settings: Any
) -> None:
    settings.RECEIPT_MAX_UPLOAD_BYTES = 2000
    big = png_bytes((400, 400)) + b"\x00" * 3000
    response = _client(cast, "member").post(
        claim_url(cast), {**step_two(cast), "receipt": upload(big)}
    )
    _refused(response, "receipt", "Het bestand is te groot")


def test_a_jpeg_passes_the_content_check() -> None:
    checked = receipts.receipt_check_bytes(jpeg_bytes())
    assert checked.extension == "jpg" and checked.content_type == "image/jpeg"


def test_a_picture_claiming_huge_dimensions_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(receipts, "MAX_PIXELS", 100)
    with pytest.raises(receipts.UploadRefused, match="te groot"):
        receipts.receipt_check_bytes(png_bytes((20, 20)))


@pytest.mark.django_db
def test_other_costs_need_a_description(cast: Cast, member: PanelMember) -> None:
    response = _client(cast, "member").post(
        claim_url(cast),
        {**step_two(cast, kind="other", description=" "), "receipt": upload(png_bytes())},
    )
    _refused(response, "description", "Schrijf kort waarvoor")


@pytest.mark.django_db
def test_someone_without_a_seat_cannot_file_a_claim(cast: Cast) -> None:
    assert _client(cast, "member").get(claim_url(cast)).status_code == 403


# ------------------------------------------------------------------ decisions


def organiser_client(cast: Cast) -> Client:
    return _client(cast, "organiser")


def second_organiser(cast: Cast) -> Client:
    user = UserFactory(email="tweede.organisator@example.org")
    RoleFactory(user=user, assembly=cast.assembly, kind=RoleKind.ORGANISER)
    give_totp(user)  # organisers log in with a second factor
    client = Client()
    client.force_login(user)
    return client


def decide(client: Client, cast: Cast, claim: ExpenseClaim, action: str, **data: str) -> Any:
    return client.post(
        reverse(
            f"participants:claim_{action}", kwargs={"slug": cast.assembly.slug, "pk": claim.pk}
        ),
        data,
        follow=True,
    )


@pytest.mark.django_db
def test_the_member_is_told_in_their_own_language(
    cast: Cast, member: PanelMember, django_capture_on_commit_callbacks: Any
) -> None:
    # A member with an account is written to in the account's language (set from
    # the registration, then by the language switch).
    assert member.user is not None
    member.user.language = "en"
    member.user.save(update_fields=["language"])
    claim = make_claim(member, "20.00")
    with django_capture_on_commit_callbacks(execute=False):
        decide(organiser_client(cast), cast, claim, "approve")
    mail = OutboxEmail.objects.get(kind="claims.decision")
    assert mail.subject == "Your claim has been approved"


@pytest.mark.django_db
def test_an_organiser_approves_a_claim_and_the_member_is_told(
    cast: Cast, member: PanelMember, django_capture_on_commit_callbacks: Any
) -> None:
    claim = make_claim(member, "20.00")
    with django_capture_on_commit_callbacks(execute=False):
        response = decide(organiser_client(cast), cast, claim, "approve")
    assert "De declaratie is goedgekeurd." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert claim.approved_by == cast.users["organiser"] and claim.approved_at is not None
    assert list(claim.events.values_list("action", flat=True)) == ["submitted", "approved"]
    mail = OutboxEmail.objects.get(kind="claims.decision")
    assert mail.to == cast.users["member"].email
    assert "Uw declaratie is goedgekeurd" in mail.subject and "20,00 euro" in mail.body
    assert AuditEvent.objects.filter(
        action="claims.approved", actor=cast.users["organiser"]
    ).exists()


@pytest.mark.django_db
def test_above_the_limit_a_different_organiser_must_approve_second(
    cast: Cast, member: PanelMember
) -> None:
    claim = make_claim(member, "300.00", kind="overnight")
    first = organiser_client(cast)

    page = first.get(
        reverse("participants:claim_detail", kwargs={"slug": cast.assembly.slug, "pk": claim.pk})
    ).content.decode()
    assert "Eerste goedkeuring geven" in page

    decide(first, cast, claim, "approve")
    claim.refresh_from_db()
    assert claim.status == Status.FIRST_APPROVAL
    assert claim.first_approved_by == cast.users["organiser"]
    assert not OutboxEmail.objects.filter(kind="claims.decision").exists()

    again = decide(first, cast, claim, "approve")
    assert "Een andere organisator moet de tweede goedkeuring geven." in again.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.FIRST_APPROVAL

    decide(second_organiser(cast), cast, claim, "approve")
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.approved_by is not None
    assert claim.approved_by.email == "tweede.organisator@example.org"
    assert list(claim.events.values_list("action", flat=True)) == [
        "submitted",
        "first_approved",
        "approved",
    ]


@pytest.mark.django_db
def test_at_the_limit_one_approval_is_enough(cast: Cast, member: PanelMember) -> None:
    claim = make_claim(member, "250.00", kind="overnight")
    decide(organiser_client(cast), cast, claim, "approve")
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


@pytest.mark.django_db
def test_nobody_decides_on_their_own_claim(cast: Cast, member: PanelMember) -> None:
    RoleFactory(user=cast.users["member"], assembly=cast.assembly, kind=RoleKind.ORGANISER)
    claim = make_claim(member)
    with pytest.raises(services.ClaimRefused, match="eigen declaratie"):
        services.claim_approve(claim=claim, actor=cast.users["member"])


@pytest.mark.django_db
def test_rejecting_needs_a_reason_which_the_member_gets(cast: Cast, member: PanelMember) -> None:
    claim = make_claim(member)
    client = organiser_client(cast)

    empty = decide(client, cast, claim, "reject", reason="  ")
    assert "Schrijf de reden voor de deelnemer." in empty.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED

    decide(client, cast, claim, "reject", reason="Parkeren wordt niet vergoed.")
    claim.refresh_from_db()
    assert claim.status == Status.REJECTED and claim.message == "Parkeren wordt niet vergoed."
    event = claim.events.get(action="rejected")
    assert event.actor == cast.users["organiser"] and event.message == claim.message
    mail = OutboxEmail.objects.get(kind="claims.decision")
    assert "afgewezen" in mail.subject and "Parkeren wordt niet vergoed." in mail.body
    # The audit holds ids, never the reason (it may name people).
    assert "Parkeren" not in str(AuditEvent.objects.get(action="claims.rejected").detail)
    again = decide(client, cast, claim, "approve")
    assert "Over deze declaratie is al besloten" in again.content.decode()


@pytest.mark.django_db
def test_asking_for_more_lets_the_member_change_and_resubmit(
    cast: Cast, member: PanelMember
) -> None:
    claim = make_claim(member, "300.00", kind="overnight")
    decide(organiser_client(cast), cast, claim, "approve")  # the first of two
    decide(second_organiser(cast), cast, claim, "ask", message="Stuur de factuur van het hotel.")
    claim.refresh_from_db()
    assert claim.status == Status.NEEDS_INFO and claim.first_approved_by is None
    mail = OutboxEmail.objects.get(kind="claims.decision")
    assert "Stuur de factuur van het hotel." in mail.body

    member_client = _client(cast, "member")
    mine = member_client.get(
        reverse("participants:my_allowance", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    assert "Stuur de factuur van het hotel." in mine and "Aanpassen en opnieuw indienen" in mine
    edit = reverse(
        "participants:my_claim_edit", kwargs={"slug": cast.assembly.slug, "pk": claim.pk}
    )
    form = member_client.get(edit).content.decode()
    assert 'value="300,00"' in form

    bad = member_client.post(
        edit,
        {"kind": "overnight", "day": claim.day.isoformat(), "amount": "-1", "description": "Hotel"},
    )
    assert "Dit moet meer dan 0 zijn." in bad.context["form"].errors["amount"]
    claim.refresh_from_db()
    assert claim.amount == D("300.00") and claim.status == Status.NEEDS_INFO

    response = member_client.post(
        edit,
        {
            "kind": "overnight",
            "day": claim.day.isoformat(),
            "amount": "289,50",
            "description": "Hotel",
            "receipt": upload(pdf_bytes(), "factuur.pdf", "application/pdf"),
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED and claim.amount == D("289.50")
    assert claim.receipt.name.endswith(".pdf")
    assert list(claim.events.values_list("action", flat=True)) == [
        "submitted",
        "first_approved",
        "asked",
        "resubmitted",
    ]
    # Approved or pending claims cannot be changed by the member any more.
    assert member_client.get(edit).status_code == 302


@pytest.mark.django_db
def test_the_queue_filters_by_status(cast: Cast, member: PanelMember) -> None:
    waiting = make_claim(member, "10.00")
    done = make_claim(member, "11.00")
    services.claim_approve(claim=done, actor=cast.users["organiser"])
    url = reverse("participants:claims_queue", kwargs={"slug": cast.assembly.slug})
    client = organiser_client(cast)

    everything = client.get(url)
    only_new = client.get(url, {"status": "submitted"})

    assert [c.pk for c in everything.context["claims"]] == [waiting.pk, done.pk]
    assert [c.pk for c in only_new.context["claims"]] == [waiting.pk]
    assert member.registration.full_name in only_new.content.decode()


# ------------------------------------------------------------------ receipts


@pytest.mark.django_db
def test_the_receipt_is_served_to_the_member_and_organisers_only(
    cast: Cast, member: PanelMember
) -> None:
    claim = make_claim(member)
    url = reverse("participants:claim_receipt", kwargs={"slug": cast.assembly.slug, "pk": claim.pk})

    for persona in ("member", "organiser"):
        response = _client(cast, persona).get(url)
        assert response.status_code == 200, persona
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-store"
        # The browser's own photo page may style itself; nothing may run.
        policy = response["Content-Security-Policy"]
        assert "style-src 'unsafe-inline'" in policy and "sandbox" in policy.split("; ")
        assert b"".join(response.streaming_content) == png_bytes()  # type: ignore[attr-defined]
    for persona in ("chair", "griffie", "facilitator", "expert", "other_member"):
        assert _client(cast, persona).get(url).status_code == 403, persona

    # Another member of the same assembly sees nobody else's receipt.
    other_seat = PanelMember.objects.exclude(pk=member.pk).filter(assembly=cast.assembly).first()
    neighbour = UserFactory(email="buurman@example.org")
    RoleFactory(user=neighbour, assembly=cast.assembly, kind=RoleKind.MEMBER)
    if other_seat is not None:
        PanelMember.objects.filter(pk=other_seat.pk).update(user=neighbour)
    client = Client()
    client.force_login(neighbour)
    assert client.get(url).status_code == 403


def _neighbour_client(cast: Cast) -> Client:
    """Logged in as another member of the same assembly, with a seat of their own."""
    neighbour = UserFactory(email="buurvrouw@example.org")
    RoleFactory(user=neighbour, assembly=cast.assembly, kind=RoleKind.MEMBER)
    seat = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=seat.pk).update(user=neighbour)
    client = Client()
    client.force_login(neighbour)
    return client


@pytest.mark.django_db
def test_a_member_sees_only_their_own_claims(cast: Cast, member: PanelMember) -> None:
    claim = make_claim(member, "17.25")
    client = _neighbour_client(cast)
    slug = cast.assembly.slug

    page = client.get(reverse("participants:my_allowance", kwargs={"slug": slug}))
    edit = client.get(reverse("participants:my_claim_edit", kwargs={"slug": slug, "pk": claim.pk}))

    assert page.status_code == 200 and "17,25" not in page.content.decode()
    assert edit.status_code == 404


@pytest.mark.django_db
def test_the_organiser_sees_when_the_same_receipt_was_sent_twice(
    cast: Cast, member: PanelMember
) -> None:
    """The same bill in two claims would be paid twice: the page says so."""
    first = make_claim(member, amount="20.00")
    second = make_claim(member, amount="20.00")  # the very same photo
    client = organiser_client(cast)

    def page(claim: ExpenseClaim) -> str:
        kwargs = {"slug": cast.assembly.slug, "pk": claim.pk}
        return client.get(reverse("participants:claim_detail", kwargs=kwargs)).content.decode()

    assert "deze bon is ook bij een andere declaratie gestuurd" in page(second)
    assert f"Declaratie {first.pk}, € 20,00" in page(second)
    ExpenseClaim.objects.filter(pk=first.pk).update(receipt_sha256="0" * 64)
    assert "deze bon is ook bij een andere declaratie gestuurd" not in page(second)


@pytest.mark.django_db
def test_the_same_costs_claimed_twice_are_pointed_out_to_the_organiser(
    cast: Cast, member: PanelMember
) -> None:
    """Same day, kind and amount from the same member, even with another photo:
    a warning on the claim and in the queue (two equal taxi rides do happen)."""
    first = make_claim(member, amount="20.00")
    second = make_claim(member, amount="20.00")
    ExpenseClaim.objects.filter(pk=first.pk).update(receipt_sha256="1" * 64)
    other_amount = make_claim(member, amount="21.00")
    client = organiser_client(cast)

    def page(claim: ExpenseClaim) -> str:
        kwargs = {"slug": cast.assembly.slug, "pk": claim.pk}
        return client.get(reverse("participants:claim_detail", kwargs=kwargs)).content.decode()

    warning = "deze persoon heeft voor dezelfde dag dezelfde soort kosten met hetzelfde bedrag"
    assert warning in page(second) and f"Declaratie {first.pk}, € 20,00" in page(second)
    assert warning in page(first)
    assert warning not in page(other_amount)
    queue = client.get(reverse("participants:claims_queue", kwargs={"slug": cast.assembly.slug}))
    assert queue.content.decode().count("Let op: misschien dubbel") == 2
    # A rejected twin is no longer a risk.
    ExpenseClaim.objects.filter(pk=first.pk).update(status=Status.REJECTED)
    assert warning not in page(second)


@pytest.mark.django_db
def test_the_member_is_told_when_a_claim_looks_like_one_sent_before(
    cast: Cast, member: PanelMember
) -> None:
    client = _client(cast, "member")
    first = client.post(claim_url(cast), {**step_two(cast), "receipt": upload(png_bytes())})
    after_first = client.get(first["Location"]).content.decode()
    assert "al een declaratie met dezelfde dag" not in after_first
    second = client.post(
        claim_url(cast),
        {**step_two(cast), "receipt": upload(png_bytes((41, 30)))},
        follow=True,
    )
    assert ExpenseClaim.objects.filter(member=member).count() == 2
    assert "Let op: u hebt al een declaratie met dezelfde dag, soort en bedrag." in (
        second.content.decode()
    )


# ------------------------------------------- a claim on paper, typed in by an organiser


def _member_without_account(cast: Cast) -> PanelMember:
    from participants.models import Registration

    Weekend.objects.filter(assembly=cast.assembly, number=1).update(
        starts_on=PAST_SATURDAY, ends_on=PAST_SATURDAY + dt.timedelta(days=1)
    )
    seated = confirmed_members(cast.assembly, 1)[0]
    Registration.objects.filter(pk=seated.registration_id).update(email="")
    attend(seated, first_weekend(cast))
    return seated


@pytest.mark.django_db
def test_an_organiser_types_in_a_paper_claim_and_another_decides(cast: Cast) -> None:
    seated = _member_without_account(cast)
    url = reverse(
        "participants:member_claim_by_organiser",
        kwargs={"slug": cast.assembly.slug, "member": seated.pk},
    )
    client = organiser_client(cast)
    listing = client.get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    assert url in listing.content.decode()
    page = client.get(url).content.decode()
    assert 'name="kilometres"' in page and 'name="amount"' in page
    number = re.search(r'name="submission" value="([0-9a-f-]+)"', page)
    assert number is not None
    form = {
        "kind": "car", "day": PAST_SATURDAY.isoformat(), "kilometres": "84",
        "description": "", "submission": number.group(1),
    }
    response = client.post(url, form)
    assert response.status_code == 302
    assert client.post(url, form).status_code == 302  # sent twice: still one claim
    claim = ExpenseClaim.objects.get(member=seated)
    assert claim.kilometres == D("84.0") and claim.status == Status.SUBMITTED
    assert list(claim.events.values_list("action", "actor")) == [
        ("submitted", cast.users["organiser"].pk)
    ]
    # The one who typed it in does not decide; another organiser does.
    refused = decide(client, cast, claim, "approve")
    assert "U hebt deze declaratie zelf ingevuld." in refused.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    approved = decide(second_organiser(cast), cast, claim, "approve")
    assert "Deze deelnemer heeft geen e-mailadres" in approved.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert mail.outbox == []  # no address: no e-mail about the decision


@pytest.mark.django_db
def test_a_member_with_an_account_files_their_own_claims(cast: Cast, member: PanelMember) -> None:
    url = reverse(
        "participants:member_claim_by_organiser",
        kwargs={"slug": cast.assembly.slug, "member": member.pk},
    )
    assert organiser_client(cast).get(url).status_code == 404


# ------------------------------------------------------------ withdrawing a claim


def withdraw_url(cast: Cast, claim: ExpenseClaim) -> str:
    return reverse(
        "participants:my_claim_withdraw", kwargs={"slug": cast.assembly.slug, "pk": claim.pk}
    )


def my_url(cast: Cast) -> str:
    return reverse("participants:my_allowance", kwargs={"slug": cast.assembly.slug})


@pytest.mark.django_db
def test_a_member_withdraws_a_claim_after_a_confirmation_step(
    cast: Cast, member: PanelMember
) -> None:
    from participants.selectors_money import open_claims_count

    claim = make_claim(member, "17.25")
    client = _client(cast, "member")
    mine = client.get(my_url(cast)).content.decode()
    assert withdraw_url(cast, claim) in mine
    assert open_claims_count(cast.assembly) == 1

    confirm = client.get(withdraw_url(cast, claim))
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Ja, declaratie intrekken" in page
    assert "€ 17,25" in page
    # The confirmation page itself changes nothing.
    assert ExpenseClaim.objects.get(pk=claim.pk).status == Status.SUBMITTED

    response = client.post(withdraw_url(cast, claim), follow=True)
    assert "Uw declaratie is ingetrokken." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.WITHDRAWN
    assert list(claim.events.values_list("action", "actor")) == [
        ("submitted", cast.users["member"].pk),
        ("withdrawn", cast.users["member"].pk),
    ]
    event = AuditEvent.objects.get(action="claims.withdrawn")
    assert event.detail == {"claim": claim.pk, "member": member.pk, "status": "withdrawn"}
    # No longer waiting for the organisers, and nothing left to decide.
    assert open_claims_count(cast.assembly) == 0
    organiser = organiser_client(cast)
    overview = organiser.get(
        reverse("participants:allowances_overview", kwargs={"slug": cast.assembly.slug})
    )
    assert overview.context["open_claims"] == 0
    detail = organiser.get(
        reverse("participants:claim_detail", kwargs={"slug": cast.assembly.slug, "pk": claim.pk})
    ).content.decode()
    assert "ingetrokken door de deelnemer" in detail and "Goedkeuren" not in detail
    decide(organiser, cast, claim, "approve")
    assert ExpenseClaim.objects.get(pk=claim.pk).status == Status.WITHDRAWN
    assert withdraw_url(cast, claim) not in client.get(my_url(cast)).content.decode()


@pytest.mark.parametrize("status", [Status.NEEDS_INFO, Status.FIRST_APPROVAL])
@pytest.mark.django_db
def test_a_claim_not_yet_approved_can_be_withdrawn(
    cast: Cast, member: PanelMember, status: str
) -> None:
    claim = make_claim(member)
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=status)
    _client(cast, "member").post(withdraw_url(cast, claim))
    assert ExpenseClaim.objects.get(pk=claim.pk).status == Status.WITHDRAWN


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (Status.APPROVED, "Neem dan contact op met het secretariaat."),
        (Status.BATCHED, "Neem dan contact op met het secretariaat."),
        (Status.PAID, "Neem dan contact op met het secretariaat."),
        (Status.REJECTED, "Deze declaratie is afgewezen."),
        (Status.WITHDRAWN, "U hebt deze declaratie al ingetrokken."),
    ],
)
@pytest.mark.django_db
def test_an_approved_or_paid_claim_cannot_be_withdrawn_and_the_page_says_whom_to_ask(
    cast: Cast, member: PanelMember, status: str, says: str
) -> None:
    claim = make_claim(member)
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=status)
    client = _client(cast, "member")
    assert withdraw_url(cast, claim) not in client.get(my_url(cast)).content.decode()

    page = client.get(withdraw_url(cast, claim))
    assert page.status_code == 200
    assert says in page.content.decode()
    assert "Ja, declaratie intrekken" not in page.content.decode()
    sent = client.post(withdraw_url(cast, claim))
    assert sent.status_code == 409 and says in sent.content.decode()
    assert ExpenseClaim.objects.get(pk=claim.pk).status == status
    assert not AuditEvent.objects.filter(action="claims.withdrawn").exists()


@pytest.mark.django_db
def test_the_service_refuses_a_claim_just_approved_and_anyone_but_the_member(
    cast: Cast, member: PanelMember
) -> None:
    claim = make_claim(member)
    with pytest.raises(services.ClaimRefused, match="Alleen de deelnemer zelf"):
        services.claim_withdraw(claim=claim, actor=cast.users["organiser"])
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=Status.APPROVED)
    with pytest.raises(services.ClaimRefused, match="contact op met het secretariaat"):
        services.claim_withdraw(claim=claim, actor=cast.users["member"])
    assert ExpenseClaim.objects.get(pk=claim.pk).status == Status.APPROVED


@pytest.mark.django_db
def test_another_member_cannot_see_or_withdraw_someone_elses_claim(
    cast: Cast, member: PanelMember
) -> None:
    claim = make_claim(member, "17.25")
    client = _neighbour_client(cast)

    assert client.get(withdraw_url(cast, claim)).status_code == 404
    assert client.post(withdraw_url(cast, claim)).status_code == 404
    assert ExpenseClaim.objects.get(pk=claim.pk).status == Status.SUBMITTED


@pytest.mark.django_db
def test_after_withdrawing_the_member_claims_the_same_costs_again_without_a_twin_warning(
    cast: Cast, member: PanelMember
) -> None:
    client = _client(cast, "member")
    client.post(claim_url(cast), {**step_two(cast), "receipt": upload(png_bytes())})
    first = ExpenseClaim.objects.get(member=member)
    client.post(withdraw_url(cast, first))

    again = client.post(
        claim_url(cast),
        {**step_two(cast), "receipt": upload(png_bytes((41, 30)))},
        follow=True,
    )
    page = again.content.decode()
    assert "Uw declaratie van 8,40 euro is ingediend." in page
    assert "al een declaratie met dezelfde dag" not in page
    second = ExpenseClaim.objects.exclude(pk=first.pk).get(member=member)
    assert (second.status, second.weekend) == (Status.SUBMITTED, first.weekend)
    queue = organiser_client(cast).get(
        reverse("participants:claims_queue", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    assert "Let op: misschien dubbel" not in queue and "Ingetrokken" in queue


# --------------------------------------------------- step 2 back to step 1 and on


@pytest.mark.django_db
def test_going_back_to_step_one_keeps_the_choices_and_what_was_typed(
    cast: Cast, member: PanelMember
) -> None:
    client = _client(cast, "member")
    saturday = first_weekend(cast).starts_on.isoformat()
    details = client.post(claim_url(cast), {"step": "1", "kind": "other", "day": saturday})
    submission = details.context["form"].initial["submission"]
    typed = {
        "step": "2",
        "kind": "other",
        "day": saturday,
        "amount": "12,50",
        "description": 'Parkeren "P+R" <Noord>',
        "submission": str(submission),
        "back": "1",
    }

    back = client.post(claim_url(cast), typed)
    page = back.content.decode()
    assert back.status_code == 200 and "Stap 1 van 2" in page
    assert re.search(r'<input[^>]*value="other"[^>]*checked', page)
    assert re.search(rf'<input[^>]*value="{saturday}"[^>]*checked', page)
    # What step 2 held travels along, escaped, in hidden fields.
    assert '<input type="hidden" name="amount" value="12,50">' in page
    assert 'value="Parkeren &quot;P+R&quot; &lt;Noord&gt;"' in page
    assert not ExpenseClaim.objects.exists()

    # The member changes the kind only: step 2 shows what was typed.
    forward = client.post(
        claim_url(cast),
        {
            "step": "1",
            "kind": "public_transport",
            "day": saturday,
            "amount": "12,50",
            "description": 'Parkeren "P+R" <Noord>',
            "submission": str(submission),
        },
    )
    again = forward.content.decode()
    assert "Stap 2 van 2" in again and "Openbaar vervoer" in again
    assert 'name="amount" value="12,50"' in again
    assert "Parkeren &quot;P+R&quot; &lt;Noord&gt;" in again
    assert forward.context["form"].initial["submission"] == str(submission)


@pytest.mark.django_db
def test_going_back_with_a_chosen_receipt_says_to_choose_it_again(
    cast: Cast, member: PanelMember
) -> None:
    back = _client(cast, "member").post(
        claim_url(cast),
        {**step_two(cast), "receipt": upload(png_bytes()), "back": "1"},
    )
    page = back.content.decode()
    assert "Stap 1 van 2" in page
    assert "Alleen de foto of PDF van de bon moet u bij stap 2 opnieuw kiezen." in page
    assert not ExpenseClaim.objects.exists()
