"""Payment batches: fill from approved money, export (locks), files, paid,
confirmation files, and the organiser's pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from openpyxl import load_workbook

from assembly.models import AllowanceYear, Assembly, AuditEvent, User
from participants.iban import example_iban
from participants.models import (
    BankAccount,
    CheckIn,
    DayAllowance,
    ExpenseClaim,
    PanelMember,
    PaymentBatch,
    PaymentItem,
    PaymentState,
)
from participants.resources_payments import read_confirmations
from participants.selectors_payments import batch_sepa_xml, ready_to_pay
from participants.sepa import NAMESPACE, schema_errors
from participants.services import allowances as allowance_services
from participants.services import attendance as attendance_services
from participants.services import payments as services
from participants.services.payments import Confirmation
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import AssemblyFactory, UserFactory, WeekendFactory
from tests.participants.test_allowances import attend, weekend_on
from tests.participants.test_attendance import confirmed_members
from tests.participants.test_panel import make_panel

TODAY = dt.date(2027, 6, 1)


def panel_members(assembly: Assembly, count: int = 3) -> list[PanelMember]:
    panel = make_panel(assembly, size=count, panel=tuple(range(count)), alternates=())
    PanelMember.objects.filter(assembly=assembly).update(status=PanelMember.Status.CONFIRMED)
    return [panel.member(n) for n in range(count)]


def allowance_rules(year: int, **changes: str) -> AllowanceYear:
    """Rules for ``year`` that pay 40 euro a day with the caps far away, unless
    a test changes them (then it sets them before approving its allowances)."""
    values = {
        "day_allowance": Decimal("40.00"),
        "hourly_cap": Decimal("20.00"),
        "hourly_cap_under_21": Decimal("20.00"),
        "monthly_cap": Decimal("1000.00"),
        "yearly_cap": Decimal("10000.00"),
        "km_rate": Decimal("0.23"),
    }
    if changes:
        values.update({name: Decimal(value) for name, value in changes.items()})
        row, _created = AllowanceYear.objects.update_or_create(year=year, defaults=values)
    else:
        row, _created = AllowanceYear.objects.get_or_create(year=year, defaults=values)
    return row


def approve_allowance(
    member: PanelMember,
    *,
    day_offset: int = 0,
    amount: str = "40.00",
    gross: str | None = None,
    capped_by: str = "",
    weekend_number: int = 1,
) -> DayAllowance:
    """An approved allowance with its check-in and rules for its year: filling a
    batch recomputes first, so the amount must be what the rules give (the
    default rules give 40 euro a day)."""
    weekend = Weekend.objects.get(assembly=member.assembly, number=weekend_number)
    day = weekend.starts_on + dt.timedelta(days=day_offset)
    CheckIn.objects.get_or_create(member=member, day=day, defaults={"weekend": weekend})
    allowance_rules(day.year)
    return DayAllowance.objects.create(
        member=member,
        weekend=weekend,
        day=day,
        gross=Decimal(gross or amount),
        amount=Decimal(amount),
        capped_by=capped_by,
        status=PaymentState.APPROVED,
    )


def approve_claim(
    member: PanelMember, amount: str = "12.35", day: dt.date | None = None
) -> ExpenseClaim:
    weekend = Weekend.objects.get(assembly=member.assembly, number=1)
    return ExpenseClaim.objects.create(
        member=member,
        weekend=weekend,
        day=day or weekend.starts_on,
        kind=ExpenseClaim.Kind.PUBLIC_TRANSPORT,
        amount=Decimal(amount),
        status=ExpenseClaim.Status.APPROVED,
    )


def give_account(member: PanelMember, number: int | None = None, holder: str = "") -> BankAccount:
    return BankAccount.objects.create(
        member=member,
        iban=example_iban(number if number is not None else member.pk),
        holder_name=holder or member.registration.full_name,
    )


def exported_batch(
    assembly: Assembly, members: list[PanelMember], *, approve: bool = True
) -> PaymentBatch:
    """Every member with an account and (unless `approve` is off) an approved
    allowance for the first day of weekend 1, in an exported batch."""
    for member in members:
        if not BankAccount.objects.filter(member=member).exists():
            give_account(member)
        if approve:
            approve_allowance(member)
    result = services.payment_batch_fill(assembly=assembly, actor=None)
    assert result.batch is not None
    return services.payment_batch_export(
        batch=result.batch, actor=None, execution_date=timezone.localdate()
    )


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _url(name: str, cast: Cast, **kwargs: Any) -> str:
    return reverse(f"participants:{name}", kwargs={"slug": cast.assembly.slug, **kwargs})


# Filling a batch


def test_it_makes_one_payment_per_member_summing_allowances_and_claims(cast: Cast) -> None:
    first, second, without = panel_members(cast.assembly)
    give_account(first)
    give_account(second)
    allowance_rules(2027, monthly_cap="70.00")
    a1 = approve_allowance(first, day_offset=0)
    a2 = approve_allowance(first, day_offset=1, amount="30.00", gross="40.00", capped_by="monthly")
    c1 = approve_claim(first, "12.35")
    approve_allowance(second)
    left = approve_allowance(without)

    result = services.payment_batch_fill(assembly=cast.assembly, actor=cast.users["organiser"])

    assert result.batch is not None and result.batch.number == 1
    assert (result.members, result.allowances, result.claims) == (2, 3, 1)
    assert result.left_out == [without]
    item = PaymentItem.objects.get(batch=result.batch, member=first)
    assert item.amount == Decimal("82.35")
    assert item.iban == example_iban(first.pk)
    assert item.end_to_end_id == f"BB{cast.assembly.pk}B1M{first.pk}"
    for row in (a1, a2, c1):
        row.refresh_from_db()
        assert row.payment == item
    a1.refresh_from_db()
    c1.refresh_from_db()
    assert a1.status == PaymentState.BATCHED
    assert c1.status == ExpenseClaim.Status.BATCHED
    left.refresh_from_db()
    assert (left.status, left.payment) == (PaymentState.APPROVED, None)
    result.batch.refresh_from_db()
    assert result.batch.total == Decimal("122.35")
    event = AuditEvent.objects.get(action="payments.batch_filled")
    assert event.detail["left_out"] == [without.pk]


def test_it_adds_later_approvals_to_the_open_batch_and_never_batches_twice(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    first = services.payment_batch_fill(assembly=cast.assembly, actor=None)
    approve_allowance(member, day_offset=1)

    second = services.payment_batch_fill(assembly=cast.assembly, actor=None)

    assert first.batch == second.batch
    assert PaymentItem.objects.get().amount == Decimal("80.00")
    with pytest.raises(services.PaymentsRefused, match="niets om te betalen"):
        services.payment_batch_fill(assembly=cast.assembly, actor=None)


@pytest.mark.django_db
def test_a_day_whose_check_in_was_undone_is_not_batched() -> None:
    assembly = AssemblyFactory()
    organiser = UserFactory()
    weekend, member = _one_weekend_attended(assembly)
    allowance_services.allowances_compute(assembly=assembly, actor=organiser)
    allowance_services.allowances_approve(assembly=assembly, weekend=weekend, actor=organiser)

    attendance_services.check_in_undo(member=member, day=weekend.ends_on, actor=organiser)
    result = services.payment_batch_fill(assembly=assembly, actor=organiser)

    item = PaymentItem.objects.get(batch=result.batch, member=member)
    assert list(item.allowances.values_list("day", flat=True)) == [weekend.starts_on]
    assert item.amount == Decimal("35.00")


@pytest.mark.django_db
def test_an_approved_day_without_its_check_in_is_removed_not_batched() -> None:
    """A check-in removed another way (the admin) still keeps its day out of the batch."""
    assembly = AssemblyFactory()
    weekend, member = _one_weekend_attended(assembly)
    allowance_services.allowances_compute(assembly=assembly, actor=None)
    allowance_services.allowances_approve(assembly=assembly, weekend=weekend, actor=UserFactory())
    CheckIn.objects.filter(member=member, day=weekend.ends_on).delete()

    result = services.payment_batch_fill(assembly=assembly, actor=None)

    assert result.allowances == 1
    assert list(DayAllowance.objects.values_list("day", flat=True)) == [weekend.starts_on]


def _one_weekend_attended(assembly: Assembly) -> tuple[Weekend, PanelMember]:
    """A member with a bank account present on both days of a weekend in March 2025."""
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    member = confirmed_members(assembly, 1)[0]
    give_account(member)
    attend(member, weekend)
    return weekend, member


def _two_weekends_in_march() -> tuple[Assembly, User, PanelMember, list[Weekend]]:
    """A member with a bank account present on both days of two weekends in
    March 2025 (the seeded rules: 35 a day, 4 days, under the monthly cap)."""
    assembly = AssemblyFactory()
    organiser = UserFactory()
    member = confirmed_members(assembly, 1)[0]
    give_account(member)
    weekends = [
        weekend_on(assembly, 1, dt.date(2025, 3, 8)),
        weekend_on(assembly, 2, dt.date(2025, 3, 22)),
    ]
    for weekend in weekends:
        attend(member, weekend)
    return assembly, organiser, member, weekends


@pytest.mark.django_db
def test_a_lowered_monthly_cap_is_what_gets_batched() -> None:
    assembly, organiser, member, weekends = _two_weekends_in_march()
    allowance_services.allowances_compute(assembly=assembly, actor=organiser)  # 4 x 35 = 140
    allowance_services.allowance_year_save(
        year=2025, values={"monthly_cap": Decimal("100.00")}, actor=organiser
    )

    for weekend in weekends:
        allowance_services.allowances_approve(assembly=assembly, weekend=weekend, actor=organiser)
    result = services.payment_batch_fill(assembly=assembly, actor=organiser)

    assert PaymentItem.objects.get(batch=result.batch, member=member).amount == Decimal("100.00")
    assert not DayAllowance.objects.filter(payment=None).exists()


@pytest.mark.django_db
def test_a_cap_lowered_after_approval_keeps_the_changed_days_out_of_the_batch() -> None:
    assembly, organiser, _member, weekends = _two_weekends_in_march()
    allowance_services.allowances_compute(assembly=assembly, actor=organiser)
    for weekend in weekends:
        allowance_services.allowances_approve(assembly=assembly, weekend=weekend, actor=organiser)
    allowance_services.allowance_year_save(
        year=2025, values={"monthly_cap": Decimal("100.00")}, actor=organiser
    )

    result = services.payment_batch_fill(assembly=assembly, actor=organiser)

    # The first weekend is as approved; the second was recomputed (30 and 0)
    # and waits for a new approval.
    assert PaymentItem.objects.get(batch=result.batch).amount == Decimal("70.00")
    waiting = DayAllowance.objects.filter(payment=None).order_by("day")
    assert [(r.amount, r.status) for r in waiting] == [
        (Decimal("30.00"), PaymentState.EARNED),
        (Decimal("0.00"), PaymentState.EARNED),
    ]


def test_it_refuses_a_batch_when_nobody_has_a_bank_account(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    approve_allowance(member)
    with pytest.raises(services.PaymentsRefused, match="geldige bankrekening"):
        services.payment_batch_fill(assembly=cast.assembly, actor=None)
    assert not PaymentBatch.objects.exists()


def test_a_member_whose_approved_day_was_capped_to_nothing_is_not_said_to_lack_an_account(
    cast: Cast,
) -> None:
    """A day capped to 0 euro has nothing to transfer: the member is not told
    apart as someone without a valid bank account, here or on the overview."""
    capped, other = panel_members(cast.assembly, 2)
    give_account(capped)
    give_account(other)
    first = approve_allowance(capped)
    services.payment_batch_fill(assembly=cast.assembly, actor=None)
    allowance_rules(first.day.year, monthly_cap="40.00")
    approve_allowance(capped, day_offset=1, amount="0.00", gross="40.00", capped_by="monthly")

    with pytest.raises(services.PaymentsRefused, match="niets om te betalen"):
        services.payment_batch_fill(assembly=cast.assembly, actor=None)
    assert ready_to_pay(assembly=cast.assembly).without_account == []

    approve_allowance(other)
    result = services.payment_batch_fill(assembly=cast.assembly, actor=None)
    assert (result.members, result.left_out) == (1, [])


def test_it_leaves_out_an_account_with_an_invalid_iban(cast: Cast) -> None:
    good, bad = panel_members(cast.assembly, 2)
    give_account(good)
    BankAccount.objects.create(member=bad, iban="NL00ABNA0000000001", holder_name="X")
    approve_allowance(good)
    approve_allowance(bad)
    result = services.payment_batch_fill(assembly=cast.assembly, actor=None)
    assert result.left_out == [bad]


def test_it_starts_a_new_batch_after_an_export(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    exported_batch(cast.assembly, members[:1])
    approve_allowance(members[0], day_offset=1)
    result = services.payment_batch_fill(assembly=cast.assembly, actor=None)
    assert result.batch is not None and result.batch.number == 2


def test_it_takes_a_payment_out_of_an_open_batch(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    allowance = approve_allowance(member)
    claim = approve_claim(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None

    item = PaymentItem.objects.get()
    services.payment_item_remove(item=item, actor=None)
    # A double click: the second request found the item before the first removed it.
    services.payment_item_remove(item=item, actor=None)

    allowance.refresh_from_db()
    claim.refresh_from_db()
    assert (allowance.status, allowance.payment) == (PaymentState.APPROVED, None)
    assert (claim.status, claim.payment) == (ExpenseClaim.Status.APPROVED, None)
    batch.refresh_from_db()
    assert batch.total == 0


# Export


def test_export_locks_the_batch_and_snapshots_the_bank_details(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    account = give_account(member, 1)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    # A change before the export is what the bank gets.
    account.iban = example_iban(2)
    account.holder_name = "Jürgen Çelik"
    account.save()

    batch = services.payment_batch_export(
        batch=batch, actor=cast.users["organiser"], execution_date=timezone.localdate()
    )

    assert batch.status == PaymentBatch.Status.EXPORTED
    assert batch.message_id and batch.exported_at is not None
    item = PaymentItem.objects.get()
    assert item.iban == example_iban(2)
    assert item.holder_name == "Jurgen Celik"
    with pytest.raises(services.PaymentsRefused, match="al geëxporteerd"):
        services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())
    with pytest.raises(services.PaymentsRefused, match="ligt vast"):
        services.payment_item_remove(item=item, actor=None)


def test_export_gives_the_same_valid_sepa_file_every_time(cast: Cast) -> None:
    members = panel_members(cast.assembly, 3)
    batch = exported_batch(cast.assembly, members)

    first = batch_sepa_xml(batch=batch)
    again = batch_sepa_xml(batch=PaymentBatch.objects.get(pk=batch.pk))

    assert first == again
    assert schema_errors(first) == []
    tree = etree.fromstring(first)
    ns = {"p": NAMESPACE}
    assert tree.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    assert tree.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "120.00"
    assert (
        tree.findtext(".//p:Ustrd", namespaces=ns) == f"Burgerberaad {cast.assembly.slug} batch 1"
    )


def test_export_refuses_a_date_in_the_past_and_changes_nothing(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    with pytest.raises(services.PaymentsRefused, match="verleden"):
        services.payment_batch_export(
            batch=batch, actor=None, execution_date=timezone.localdate() - dt.timedelta(days=1)
        )
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.OPEN and not batch.message_id


def test_export_refuses_an_invalid_file_and_rolls_back(cast: Cast, settings: Any) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    settings.SEPA_DEBTOR_IBAN = "NL00ABNA0000000000"
    with pytest.raises(services.PaymentsRefused, match="SEPA_DEBTOR_IBAN"):
        services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.OPEN
    assert PaymentItem.objects.get().iban  # snapshot from filling, unchanged


def test_export_refuses_a_file_the_schema_rejects_and_rolls_back(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants import selectors_payments
    from participants.sepa import SepaInvalid

    def broken(**kwargs: Any) -> bytes:
        raise SepaInvalid("line 1: not valid")

    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    monkeypatch.setattr(selectors_payments, "credit_transfer_xml", broken)
    with pytest.raises(services.PaymentsRefused, match="SEPA-bestand"):
        services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())
    batch.refresh_from_db()
    assert (batch.status, batch.message_id, batch.exported_at) == (
        PaymentBatch.Status.OPEN,
        "",
        None,
    )


def test_export_refuses_a_member_whose_account_went_invalid(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    account = give_account(member)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    BankAccount.objects.filter(pk=account.pk).update(iban="NL00XXXX")
    with pytest.raises(services.PaymentsRefused, match="geen geldige bankrekening"):
        services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())


def _erase(member: PanelMember) -> None:
    from recommendations.privacy import DataSubject
    from recommendations.services.privacy import subject_erase

    subject_erase(
        subject=DataSubject(
            assembly=member.assembly, member=member, registration=member.registration
        ),
        actor=None,
        reason="verzoek",
    )


def test_the_sepa_file_of_a_batch_with_erased_bank_details_is_refused_in_words(
    cast: Cast,
) -> None:
    members = panel_members(cast.assembly, 2)
    exported_batch(cast.assembly, members)
    _erase(members[0])

    client = _client(cast, "organiser")
    response = client.get(_url("payments_batch_sepa", cast, number=1), follow=True)
    page = response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0] == _url(
        "payments_batch", cast, number=1
    )
    assert "kan niet opnieuw gemaakt worden" in page
    assert "van 1 deelnemer zijn de bankgegevens gewist" in page


def test_export_names_an_erased_member_in_words(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    _erase(member)
    with pytest.raises(services.PaymentsRefused) as refused:
        services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())
    assert str(refused.value).startswith("Een deelnemer van wie de gegevens gewist zijn heeft")


# Paid


def test_marking_the_batch_paid_settles_items_allowances_and_claims(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    claim = approve_claim(members[0])
    give_account(members[0])
    batch = exported_batch(cast.assembly, members)

    changed = services.payment_batch_mark_paid(
        batch=batch, actor=None, paid_on=timezone.localdate()
    )

    assert changed == 2
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID
    assert not PaymentItem.objects.filter(paid_at=None).exists()
    assert set(DayAllowance.objects.values_list("status", flat=True)) == {PaymentState.PAID}
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.PAID
    assert list(claim.events.values_list("action", flat=True)) == ["batched", "paid"]
    assert (
        services.payment_batch_mark_paid(batch=batch, actor=None, paid_on=timezone.localdate()) == 0
    )


def test_paid_is_refused_for_an_open_batch_or_a_future_date(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    with pytest.raises(services.PaymentsRefused, match="nog niet geëxporteerd"):
        services.payment_batch_mark_paid(batch=batch, actor=None, paid_on=timezone.localdate())
    services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())
    with pytest.raises(services.PaymentsRefused, match="toekomst"):
        services.payment_batch_mark_paid(
            batch=batch, actor=None, paid_on=timezone.localdate() + dt.timedelta(days=1)
        )


def test_one_item_paid_at_a_time_closes_the_batch_at_the_last(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    batch = exported_batch(cast.assembly, members)
    first, second = PaymentItem.objects.order_by("pk")
    assert services.payment_item_mark_paid(item=first, actor=None, paid_on=timezone.localdate())
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.EXPORTED
    services.payment_item_mark_paid(item=second, actor=None, paid_on=timezone.localdate())
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID


# Confirmation files


def test_a_confirmation_file_marks_its_payments_paid(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    batch = exported_batch(cast.assembly, members)
    first = PaymentItem.objects.order_by("pk").first()
    assert first is not None
    today = timezone.localdate()
    data = f"end_to_end_id;paid_on\n{first.end_to_end_id};{today:%d-%m-%Y}\n".encode()

    changed = services.payment_confirmations_import(
        assembly=cast.assembly, actor=None, rows=read_confirmations(data, "bank.csv")
    )

    assert changed == 1
    first.refresh_from_db()
    assert first.paid_at is not None and timezone.localtime(first.paid_at).date() == today
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.EXPORTED


def test_a_confirmation_file_dated_before_the_export_is_refused_as_the_paid_button_is(
    cast: Cast,
) -> None:
    """A typo in the year ("2026" for "2027") would mark money paid before the
    batch was even exported; the page's button refuses that date, so does the file."""
    batch = exported_batch(cast.assembly, panel_members(cast.assembly, 1))
    item = PaymentItem.objects.get()
    assert batch.exported_at is not None
    before = timezone.localtime(batch.exported_at).date() - dt.timedelta(days=365)
    with pytest.raises(services.PaymentsRefused, match="vóór de export"):
        services.payment_item_mark_paid(item=item, actor=None, paid_on=before)

    with pytest.raises(services.ConfirmationsRefused) as refused:
        services.payment_confirmations_import(
            assembly=cast.assembly,
            actor=None,
            rows=[Confirmation(2, item.end_to_end_id, before.isoformat())],
        )

    assert refused.value.problems == [
        f"Rij 2: de betaaldatum ligt vóór de export van batch {batch.number}."
    ]
    item.refresh_from_db()
    assert item.paid_at is None


def test_a_confirmation_file_with_one_bad_row_marks_nothing_and_names_the_row(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    exported_batch(cast.assembly, members)
    good = PaymentItem.objects.order_by("pk").first()
    assert good is not None
    rows = [
        Confirmation(2, good.end_to_end_id, timezone.localdate().isoformat()),
        Confirmation(3, "BB999B9M9", "2027-01-01"),
        Confirmation(4, good.end_to_end_id, "morgen"),
    ]
    with pytest.raises(services.ConfirmationsRefused) as refused:
        services.payment_confirmations_import(assembly=cast.assembly, actor=None, rows=rows)
    assert refused.value.problems[0].startswith("Rij 3:")
    assert "BB999B9M9" in refused.value.problems[0]
    assert refused.value.problems[1].startswith("Rij 4:")
    assert not PaymentItem.objects.exclude(paid_at=None).exists()


def test_the_exported_csv_comes_back_as_a_confirmation_file(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    batch = exported_batch(cast.assembly, members)
    client = _client(cast, "organiser")
    exported = client.get(_url("payments_batch_csv", cast, number=batch.number)).content.decode()
    header, *lines = exported.strip().splitlines()
    # The byte order mark for Excel stays in the file finance sends back.
    assert header.split(";")[:3] == ["\ufeffbatch", "end_to_end_id", "member_id"]
    filled = "\n".join([header, *(line + timezone.localdate().isoformat() for line in lines)])
    upload = io.BytesIO(filled.encode())
    upload.name = "terug.csv"

    response = client.post(_url("payments_confirmations", cast), {"file": upload})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID


@pytest.mark.parametrize(
    "raw",
    [
        "2026-11-30",
        "30-11-2026",
        "30/11/2026",
        "2026-11-30 00:00:00",
        "2026-11-30T00:00:00",
        " 2026-11-30T00:00 ",
    ],
)
def test_a_payment_date_is_read_with_or_without_a_time(raw: str) -> None:
    assert services.parse_paid_on(raw) == dt.date(2026, 11, 30)


def test_the_exported_xlsx_with_typed_dates_comes_back_as_a_confirmation_file(
    cast: Cast,
) -> None:
    members = panel_members(cast.assembly, 2)
    batch = exported_batch(cast.assembly, members)
    client = _client(cast, "organiser")
    exported = client.get(_url("payments_batch_xlsx", cast, number=batch.number)).content
    book = load_workbook(io.BytesIO(exported))
    sheet = book.active
    assert sheet is not None
    column = [cell.value for cell in sheet[1]].index("paid_on") + 1
    today = timezone.localdate()
    # Excel stores a typed date as a date cell, read back as a datetime at midnight.
    sheet.cell(row=2, column=column, value=dt.datetime.combine(today, dt.time()))
    sheet.cell(row=3, column=column, value=today)
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    filled.name = "terug.xlsx"

    response = client.post(_url("payments_confirmations", cast), {"file": filled})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID
    paid = {timezone.localtime(item.paid_at).date() for item in batch.items.all() if item.paid_at}
    assert paid == {today}


def test_the_upload_page_shows_every_problem(cast: Cast) -> None:
    exported_batch(cast.assembly, panel_members(cast.assembly, 1))
    upload = io.BytesIO(b"end_to_end_id,paid_on\nONBEKEND,2027-01-01\n")
    upload.name = "bank.csv"
    response = _client(cast, "organiser").post(
        _url("payments_confirmations", cast), {"file": upload}
    )
    assert response.status_code == 400
    assert "Rij 2: betalingskenmerk ONBEKEND bestaat niet" in response.content.decode()
    assert not PaymentItem.objects.exclude(paid_at=None).exists()


def test_a_confirmation_file_without_the_columns_is_refused_on_the_field(cast: Cast) -> None:
    upload = io.BytesIO(b"kenmerk,datum\nX,2027-01-01\n")
    upload.name = "bank.csv"
    response = _client(cast, "organiser").post(
        _url("payments_confirmations", cast), {"file": upload}
    )
    assert response.status_code == 400
    assert "De kolom &#x27;end_to_end_id&#x27; ontbreekt" in response.content.decode()


# Pages


def test_the_organiser_makes_exports_and_pays_a_batch_through_the_pages(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    give_account(members[0])
    approve_allowance(members[0])
    approve_allowance(members[1])
    client = _client(cast, "organiser")

    overview = client.get(_url("payments_overview", cast)).content.decode()
    assert members[1].registration.full_name in overview  # no bank account: listed

    response = client.post(_url("payments_batch_fill", cast), follow=True)
    page = response.content.decode()
    assert "Niet meegenomen" in page
    account = BankAccount.objects.get(member=members[0])
    assert account.iban not in page and account.iban[-4:] in page.replace(" ", "")
    assert "NL** ****" in page

    response = client.post(
        _url("payments_batch_export", cast, number=1),
        {"execution_date": timezone.localdate().isoformat(), "confirm": "on"},
    )
    assert response.status_code == 302
    sepa = client.get(_url("payments_batch_sepa", cast, number=1))
    assert sepa["Content-Type"] == "application/xml"
    assert schema_errors(sepa.content) == []
    xlsx = client.get(_url("payments_batch_xlsx", cast, number=1))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(1, 2).value == "end_to_end_id"

    client.post(
        _url("payments_batch_paid", cast, number=1), {"paid_on": timezone.localdate().isoformat()}
    )
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.PAID


def test_the_export_form_needs_the_confirmation_and_a_date(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    services.payment_batch_fill(assembly=cast.assembly, actor=None)
    response = _client(cast, "organiser").post(
        _url("payments_batch_export", cast, number=1), {"execution_date": "2001-01-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_execution_date_error"' in page and "verleden" in page
    assert 'id="id_confirm_error"' in page
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.OPEN


def test_files_of_an_open_batch_do_not_exist(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member)
    approve_allowance(member)
    services.payment_batch_fill(assembly=cast.assembly, actor=None)
    client = _client(cast, "organiser")
    assert client.get(_url("payments_batch_sepa", cast, number=1)).status_code == 404
    assert client.get(_url("payments_batch_csv", cast, number=1)).status_code == 404


def test_another_assemblys_batch_is_not_found(cast: Cast) -> None:
    WeekendFactory(assembly=cast.other_assembly, number=1)
    exported_batch(cast.other_assembly, panel_members(cast.other_assembly, 1))
    response = _client(cast, "organiser").get(_url("payments_batch", cast, number=1))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["chair", "griffie", "facilitator", "member", "expert"])
def test_only_organisers_see_batches(cast: Cast, persona: str) -> None:
    batch = exported_batch(cast.assembly, panel_members(cast.assembly, 1))
    client = _client(cast, persona)
    for name in (
        "payments_overview",
        "payments_batch",
        "payments_batch_sepa",
        "payments_batch_csv",
    ):
        kwargs = {} if name == "payments_overview" else {"number": batch.number}
        assert client.get(_url(name, cast, **kwargs)).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_organisers_filling_at_once_batch_each_allowance_once(cast: Cast) -> None:
    """Both press "Zet in een betaalbatch" at the same moment: the lock on the
    assembly lets one fill the batch; the other then finds nothing left."""
    import threading

    from django.db import close_old_connections, connection

    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        # SQLite answers a second writer with "table is locked": row locks need PostgreSQL.
        skip_or_fail("needs PostgreSQL (DATABASE_URL) for row locks", "REQUIRE_SERVICES")
    members = panel_members(cast.assembly, 4)
    for member in members:
        give_account(member)
        approve_allowance(member)
        approve_allowance(member, day_offset=1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def organiser() -> None:
        barrier.wait()
        try:
            services.payment_batch_fill(assembly=cast.assembly, actor=None)
            outcomes.append("filled")
        except services.PaymentsRefused:
            outcomes.append("nothing left")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=organiser) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["filled", "nothing left"]
    assert PaymentBatch.objects.count() == 1
    assert PaymentItem.objects.count() == 4
    assert {item.amount for item in PaymentItem.objects.all()} == {Decimal("80.00")}
    assert not DayAllowance.objects.filter(payment=None).exists()


def test_a_payment_of_another_assembly_cannot_be_touched_through_this_one(cast: Cast) -> None:
    WeekendFactory(assembly=cast.other_assembly, number=1)
    (foreign,) = panel_members(cast.other_assembly, 1)
    give_account(foreign)
    approve_allowance(foreign)
    services.payment_batch_fill(assembly=cast.other_assembly, actor=None)
    (mine,) = panel_members(cast.assembly, 1)
    give_account(mine)
    approve_allowance(mine)
    services.payment_batch_fill(assembly=cast.assembly, actor=None)
    item = PaymentItem.objects.get(member=foreign)
    response = _client(cast, "organiser").post(
        _url("payments_item_remove", cast, number=1), {"item": item.pk}
    )
    assert response.status_code == 404
    assert PaymentItem.objects.filter(pk=item.pk).exists()


def _needs_row_locks() -> None:
    from django.db import connection

    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (DATABASE_URL) for row locks", "REQUIRE_SERVICES")


def _run_in_threads(*jobs: Any) -> list[str]:
    """Run each (name, job) in its own thread, the first one started first;
    returns per job "ok" or the name of the exception it raised."""
    import threading

    from django.db import close_old_connections

    outcomes: dict[str, str] = {}

    def run(name: str, job: Any) -> None:
        try:
            job()
            outcomes[name] = "ok"
        except Exception as error:  # the test reports what went wrong
            outcomes[name] = type(error).__name__
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(name, job), name=name) for name, job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [outcomes.get(name, "hung") for name, _job in jobs]


@pytest.mark.django_db(transaction=True)
def test_marking_a_batch_paid_while_its_confirmation_file_is_imported_does_not_deadlock(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finance uploads the bank's file while an organiser presses "Betaald" on
    the same batch: they take turns on the assembly's lock, so neither gets a
    database error and each payment is settled once."""
    import threading

    _needs_row_locks()
    members = panel_members(cast.assembly, 2)
    batch = exported_batch(cast.assembly, members)
    first = PaymentItem.objects.order_by("pk").first()
    assert first is not None
    paid_on = timezone.localdate()
    rows = [Confirmation(row=2, end_to_end_id=first.end_to_end_id, paid_on=paid_on.isoformat())]
    settled = threading.Event()
    real_settle = services._settle

    def settle(*args: Any, **kwargs: Any) -> int:
        changed = real_settle(*args, **kwargs)
        settled.set()
        # The moment the organiser's click comes in.
        _wait_for_a_blocked_query()
        return changed

    def click() -> None:
        settled.wait(timeout=10)
        services.payment_batch_mark_paid(batch=batch, actor=None, paid_on=paid_on)

    monkeypatch.setattr(services, "_settle", settle)

    outcomes = _run_in_threads(
        (
            "file",
            lambda: services.payment_confirmations_import(
                assembly=cast.assembly, actor=None, rows=rows
            ),
        ),
        ("click", click),
    )

    assert outcomes == ["ok", "ok"]
    assert not PaymentItem.objects.filter(paid_at=None).exists()
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID


@pytest.mark.django_db(transaction=True)
def test_taking_a_payment_out_while_another_organiser_fills_does_not_deadlock(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One organiser fills the open batch while another takes a member's
    payment out of it: they take turns on the assembly's lock instead of one
    of them getting a database error."""
    import threading

    _needs_row_locks()
    members = panel_members(cast.assembly, 2)
    for member in members:
        give_account(member)
        approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None
    approve_allowance(members[0], day_offset=1)
    item = PaymentItem.objects.get(member=members[1])
    filling = threading.Event()
    real_recompute = services._recompute_approved

    def recompute(**kwargs: Any) -> None:
        real_recompute(**kwargs)
        filling.set()
        # The moment the other organiser's click comes in.
        _wait_for_a_blocked_query()

    def remove() -> None:
        filling.wait(timeout=10)
        services.payment_item_remove(item=item, actor=None)

    monkeypatch.setattr(services, "_recompute_approved", recompute)

    outcomes = _run_in_threads(
        ("fill", lambda: services.payment_batch_fill(assembly=cast.assembly, actor=None)),
        ("remove", remove),
    )

    assert outcomes == ["ok", "ok"]
    assert not PaymentItem.objects.filter(member=members[1]).exists()
    assert PaymentItem.objects.get(member=members[0]).amount == Decimal("80.00")


def _wait_for_a_blocked_query(seconds: float = 3) -> None:
    """Until another connection waits for a row lock (or ``seconds`` passed)."""
    import time

    from django.db import connection

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
