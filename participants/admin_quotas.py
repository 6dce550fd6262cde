"""Technical administration of quota tables (Django admin, for is_staff users).

Import replaces one assembly's whole table with the same checks as the
organiser page; export gives the Sortition Foundation's ``category,name,min,max``.
Imported from participants/admin.py so that Django's admin autodiscovery finds it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from participants.admin_forms import AssemblyConfirmImportForm, AssemblyImportForm
from participants.models import Quota
from participants.resources_quotas import QuotaResource


@admin.register(Quota)
class QuotaAdmin(ImportExportModelAdmin):  # type: ignore[misc]
    resource_classes = [QuotaResource]
    import_form_class = AssemblyImportForm
    confirm_form_class = AssemblyConfirmImportForm
    list_display = ["assembly", "category", "value", "min", "max", "position"]
    list_filter = ["assembly", "category"]
    list_select_related = ["assembly"]
    ordering = ["assembly", "position", "id"]

    def get_import_formats(self) -> list[type[Any]]:
        return [base_formats.CSV, base_formats.XLSX]

    def get_export_formats(self) -> list[type[Any]]:
        return [base_formats.CSV, base_formats.XLSX]

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
