"""Forms for the reports: the secretariat's words and a member's consent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from recommendations.services.report import MAX_WORDS_LENGTH


class ProgressWordsForm(forms.Form):
    summary = forms.CharField(
        label=_("Wat er gebeurde"),
        help_text=_("Een korte samenvatting van het weekend voor de griffie."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_WORDS_LENGTH,
        required=False,
    )
    next_steps = forms.CharField(
        label=_("Volgende stappen"),
        help_text=_("Wat gebeurt er voor en op het volgende weekend?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_WORDS_LENGTH,
        required=False,
    )


class NameConsentForm(forms.Form):
    named = forms.BooleanField(
        label=_("Ja, mijn naam mag in het rapport staan."),
        required=False,
    )
