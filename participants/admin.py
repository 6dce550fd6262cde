"""Technical administration of the participants app (Django admin, for is_staff users)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from assembly.forms import MANY_TO_MANY_IN_RANGE
from assembly.spreadsheets import DutchCSV
from participants import (
    admin_money,  # noqa: F401  (registers the allowance rules and claims)
    admin_payments,  # noqa: F401  (registers the payment admin)
    admin_quotas,  # noqa: F401  (registers the quota admin)
)
from participants.admin_forms import AssemblyConfirmImportForm, AssemblyImportForm
from participants.models import (
    AttitudeQuestion,
    Invitation,
    InvitationDraw,
    InvitationReminder,
    InvitationRun,
    LetterBatch,
    PopulationImport,
    Registration,
    Resident,
)
from participants.resources import BrpFile, ResidentResource


@admin.register(PopulationImport)
class PopulationImportAdmin(admin.ModelAdmin[PopulationImport]):
    list_display = [
        "file_name",
        "assembly",
        "status",
        "created_at",
        "rows_total",
        "rows_imported",
        "rows_skipped",
        "rows_underage",
    ]
    list_filter = ["status", "assembly"]
    readonly_fields = [
        "assembly",
        "file_name",
        "file_sha256",
        "uploaded_by",
        "created_at",
        "status",
        "skip_invalid",
        "rows_total",
        "rows_imported",
        "rows_skipped",
        "rows_underage",
        "problems",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An import is made by reading a file, never by hand.
        return False


@admin.register(Resident)
class ResidentAdmin(ImportExportModelAdmin):  # type: ignore[misc]
    resource_classes = [ResidentResource]
    import_form_class = AssemblyImportForm
    confirm_form_class = AssemblyConfirmImportForm
    list_display = [
        "person_ref",
        "assembly",
        "postcode",
        "house_number",
        "house_letter",
        "house_number_addition",
        "municipality",
        "birth_date",
    ]
    list_filter = ["assembly", "municipality"]
    search_fields = ["person_ref", "postcode", "household_key"]
    readonly_fields = ["assembly", "population_import", "household_key"]
    list_select_related = ["assembly"]
    # Django's admin log would keep each person number (object_repr) for
    # good; the PopulationImport row records the import instead.
    skip_admin_log = True

    def get_import_formats(self) -> list[type[Any]]:
        return [BrpFile]

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().import_action(request, **kwargs)
        # The preview keeps a copy of the extract in the temporary folder for
        # the confirmation. A file with errors gets no confirmation, so nothing
        # would ever remove that copy of everyone's name and address.
        stored = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        context = getattr(response, "context_data", None) or {}
        if stored and "confirm_form" not in context:
            storage = self.get_tmp_storage_class()(
                name=stored, **self.get_tmp_storage_class_kwargs()
            )
            storage.remove()
        return response

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


@admin.register(InvitationDraw)
class InvitationDrawAdmin(admin.ModelAdmin[InvitationDraw]):
    list_display = [
        "assembly",
        "requested",
        "seed",
        "stratify_by",
        "eligible_households",
        "created_at",
    ]
    list_filter = ["assembly"]
    readonly_fields = [
        "assembly",
        "seed",
        "requested",
        "stratify_by",
        "eligible_households",
        "eligible_residents",
        "input_sha256",
        "created_by",
        "created_at",
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["pk", "assembly", "status", "letter_produced_at", "emailed_at", "created_at"]
    list_filter = ["assembly", "status"]
    raw_id_fields = ["resident", "draw"]
    readonly_fields = ["code", "letter_produced_at", "email_claimed_at", "emailed_at", "created_at"]


@admin.register(InvitationReminder)
class InvitationReminderAdmin(admin.ModelAdmin[InvitationReminder]):
    list_display = ["invitation", "days_before", "due_on", "sent_at"]
    raw_id_fields = ["invitation"]
    readonly_fields = ["sent_at"]


class LetterBatchInline(admin.TabularInline[LetterBatch, InvitationRun]):
    model = LetterBatch
    extra = 0
    readonly_fields = ["number", "pdf", "letters", "created_at"]


@admin.register(InvitationRun)
class InvitationRunAdmin(admin.ModelAdmin[InvitationRun]):
    list_display = [
        "pk",
        "assembly",
        "kind",
        "status",
        "done",
        "total",
        "created_at",
        "finished_at",
    ]
    list_filter = ["assembly", "kind", "status"]
    readonly_fields = ["created_by", "created_at", "finished_at"]
    inlines = [LetterBatchInline]


@admin.register(LetterBatch)
class LetterBatchAdmin(admin.ModelAdmin[LetterBatch]):
    list_display = ["run", "number", "letters", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(AttitudeQuestion)
class AttitudeQuestionAdmin(admin.ModelAdmin[AttitudeQuestion]):
    list_display = ["text", "assembly", "key", "position"]
    list_filter = ["assembly"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    formfield_overrides = MANY_TO_MANY_IN_RANGE
    list_display = ["pk", "assembly", "status", "created_at", "withdrawn_at"]
    list_filter = ["assembly", "status"]
    raw_id_fields = ["invitation"]
    readonly_fields = ["consent_at", "consent_version", "created_at", "updated_at", "withdrawn_at"]
