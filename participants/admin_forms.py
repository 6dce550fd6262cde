"""Admin import forms shared by the imports that belong to one assembly
(population extracts, quota tables): the organiser picks the assembly."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from assembly.models import Assembly


class AssemblyImportForm(ImportForm):  # type: ignore[misc]
    assembly = forms.ModelChoiceField(
        queryset=Assembly.objects.all(), label=_("Burgerberaad"), required=True
    )


class AssemblyConfirmImportForm(ConfirmImportForm):  # type: ignore[misc]
    assembly = forms.ModelChoiceField(
        queryset=Assembly.objects.all(), widget=forms.HiddenInput(), required=True
    )
