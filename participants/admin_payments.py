"""Technical administration of payments (Django admin, for is_staff users).

Finance exports a batch's payments (CSV/XLSX) and imports the bank's
confirmation (``end_to_end_id,paid_on``) through django-import-export; the
import goes through the same service as the organiser page, so a file with
one bad row marks nothing paid. Batches, payments and bank accounts are read
only here: every change goes through the services, which keep the batch lock
and the audit log. Lists show masked IBANs only.
Imported from participants/admin.py so that Django's admin autodiscovery finds it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from assembly.spreadsheets import DutchCSV
from participants.admin_forms import AssemblyConfirmImportForm, AssemblyImportForm
from participants.iban import mask_iban
from participants.models import BankAccount, PaymentBatch, PaymentItem
from participants.resources_payments import PaymentConfirmationResource, PaymentItemResource


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["assembly", "number", "status", "total", "execution_date", "exported_at"]
    list_filter = ["assembly", "status"]
    list_select_related = ["assembly"]
    fields = [
        "assembly",
        "number",
        "status",
        "total",
        "execution_date",
        "message_id",
        "created_at",
        "exported_at",
        "paid_at",
    ]
    readonly_fields = [
        "assembly",
        "number",
        "status",
        "total",
        "execution_date",
        "message_id",
        "created_at",
        "exported_at",
        "paid_at",
    ]


@admin.register(PaymentItem)
class PaymentItemAdmin(_ReadOnly, ImportExportModelAdmin):  # type: ignore[misc]
    resource_classes = [PaymentItemResource]
    import_form_class = AssemblyImportForm
    confirm_form_class = AssemblyConfirmImportForm
    list_display = ["end_to_end_id", "batch", "member_id", "amount", "masked_iban", "paid_at"]
    list_filter = ["batch__assembly", "batch__status"]
    list_select_related = ["batch__assembly"]
    search_fields = ["end_to_end_id"]
    fields = ["batch", "member", "amount", "masked_iban", "end_to_end_id", "paid_at"]
    readonly_fields = ["batch", "member", "amount", "masked_iban", "end_to_end_id", "paid_at"]

    @admin.display(description=_("IBAN"))
    def masked_iban(self, item: PaymentItem) -> str:
        return mask_iban(item.iban) if item.iban else ""

    def get_import_resource_classes(self, request: HttpRequest) -> list[type[Any]]:
        return [PaymentConfirmationResource]

    def get_export_resource_classes(self, request: HttpRequest) -> list[type[Any]]:
        return [PaymentItemResource]

    def get_export_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_export_queryset(request)
            .select_related("batch__assembly", "member__registration")
        )

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_import_formats(self) -> list[type[Any]]:
        return [DutchCSV, base_formats.XLSX]

    def get_export_formats(self) -> list[type[Any]]:
        return [DutchCSV, base_formats.XLSX]

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = super().get_import_resource_kwargs(request, **kwargs)
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        if cleaned.get("assembly") is not None:
            result["assembly"] = cleaned["assembly"]
        return result

    def get_confirm_form_initial(self, request: HttpRequest, import_form: Any) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["assembly"] = import_form.cleaned_data["assembly"].pk
        return initial


@admin.register(BankAccount)
class BankAccountAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    # The full IBAN is never listed: the member's own page and the locked
    # payment file are the only places it is needed.
    list_display = ["member_id", "masked_iban", "has_pending_change", "updated_at"]
    list_filter = ["member__assembly"]
    fields = ["member", "masked_iban", "has_pending_change", "updated_at"]
    readonly_fields = ["member", "masked_iban", "has_pending_change", "updated_at"]

    @admin.display(description=_("IBAN"))
    def masked_iban(self, account: BankAccount) -> str:
        return mask_iban(account.iban)

    @admin.display(description=_("wijziging wacht op bevestiging"), boolean=True)
    def has_pending_change(self, account: BankAccount) -> bool:
        return bool(account.pending_token_hash)
