"""Finance through django-import-export: a batch's payments out, the bank's
confirmation back in (all rows or none), and admin lists without full IBANs."""

from __future__ import annotations

import csv
import io

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import User
from participants import admin_payments  # noqa: F401  (registers the payment admin)
from participants.iban import format_iban
from participants.models import BankAccount, PaymentItem
from participants.resources_payments import (
    PaymentConfirmationResource,
    PaymentItemResource,
    export_file,
)
from tests.conftest import Cast
from tests.factories import give_totp
from tests.participants.test_payments import exported_batch, panel_members


def _dataset(rows: list[tuple[str, str]]) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=["end_to_end_id", "paid_on"])


def test_the_export_has_the_columns_finance_needs(cast: Cast) -> None:
    members = panel_members(cast.assembly, 2)
    exported_batch(cast.assembly, members)
    dataset = PaymentItemResource().export(
        queryset=PaymentItem.objects.select_related("batch__assembly", "member__registration")
    )
    assert dataset.headers == [
        "batch",
        "end_to_end_id",
        "member_id",
        "name",
        "holder_name",
        "iban",
        "amount",
        "currency",
        "execution_date",
        "remittance",
        "paid_on",
    ]
    first = dataset.dict[0]
    item = PaymentItem.objects.get(end_to_end_id=first["end_to_end_id"])
    assert first["iban"] == format_iban(item.iban)
    assert first["currency"] == "EUR"
    assert first["execution_date"] == timezone.localdate().isoformat()
    assert first["paid_on"] == ""


def test_the_import_marks_paid_in_one_go(cast: Cast) -> None:
    exported_batch(cast.assembly, panel_members(cast.assembly, 2))
    today = timezone.localdate().isoformat()
    rows = [(item.end_to_end_id, today) for item in PaymentItem.objects.all()]
    resource = PaymentConfirmationResource(assembly=cast.assembly)

    dry = resource.import_data(_dataset(rows), dry_run=True)
    assert not dry.has_errors()
    assert not PaymentItem.objects.exclude(paid_at=None).exists()

    result = resource.import_data(_dataset(rows), dry_run=False)
    assert not result.has_errors()
    assert not PaymentItem.objects.filter(paid_at=None).exists()


def test_the_import_with_a_bad_row_marks_nothing_and_names_the_row(cast: Cast) -> None:
    exported_batch(cast.assembly, panel_members(cast.assembly, 1))
    item = PaymentItem.objects.get()
    rows = [(item.end_to_end_id, timezone.localdate().isoformat()), ("ONBEKEND", "2027-01-01")]
    result = PaymentConfirmationResource(assembly=cast.assembly).import_data(
        _dataset(rows), dry_run=False, raise_errors=False
    )
    assert result.has_errors()
    assert "Rij 3" in str(result.base_errors[0].error)
    assert not PaymentItem.objects.exclude(paid_at=None).exists()


def test_admin_lists_show_masked_ibans_only(cast: Cast) -> None:
    exported_batch(cast.assembly, panel_members(cast.assembly, 1))
    account = BankAccount.objects.get()
    admin = User.objects.create_superuser("beheer@example.org", "een-lang-wachtwoord-2027")
    give_totp(admin)
    client = Client()
    client.force_login(admin)
    for name in ("participants_bankaccount", "participants_paymentitem"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200
        page = response.content.decode()
        assert account.iban not in page and format_iban(account.iban) not in page
        assert "NL** ****" in page
    for name, pk in (
        ("participants_bankaccount", account.pk),
        ("participants_paymentitem", PaymentItem.objects.get().pk),
    ):
        response = client.get(reverse(f"admin:{name}_change", args=[pk]))
        assert response.status_code == 200
        assert account.iban not in response.content.decode()


def _admin(cast: Cast) -> Client:
    admin = User.objects.create_superuser("beheer@example.org", "een-lang-wachtwoord-2027")
    give_totp(admin)
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_reads_the_exported_file_back_with_semicolons_or_commas(cast: Cast) -> None:
    """The export has semicolons (for Dutch Excel); finance may send the file
    back saved by Excel, or by a program that writes commas: both are read."""
    exported_batch(cast.assembly, panel_members(cast.assembly, 2))
    today = timezone.localdate().isoformat()
    exported = export_file(PaymentItem.objects.all(), "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    filled = [rows[0], *([*row[:-1], today] for row in rows[1:])]
    files = []
    for separator, bom in ((";", "\ufeff"), (",", "")):
        out = io.StringIO()
        csv.writer(out, delimiter=separator).writerows(filled)
        files.append((bom + out.getvalue()).encode("utf-8"))
    client = _admin(cast)
    for data in files:
        response = client.post(
            reverse("admin:participants_paymentitem_import"),
            {
                "import_file": SimpleUploadedFile("betaald.csv", data),
                "format": "0",
                "resource": "0",
                "assembly": cast.assembly.pk,
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert 'name="import_file_name"' in page, page[:2000]  # no errors: it can be confirmed
    assert not PaymentItem.objects.exclude(paid_at=None).exists()  # a preview marks nothing
