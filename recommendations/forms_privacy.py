"""Forms for requests under the AVG."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class SubjectLookupForm(forms.Form):
    """How the organiser finds the person who asks: one of three keys."""

    email = forms.EmailField(label=_("E-mailadres"), required=False)
    code = forms.CharField(label=_("Persoonlijke code uit de brief"), required=False, max_length=20)
    person_ref = forms.CharField(label=_("Persoonsnummer (BRP)"), required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [key for key in ("email", "code", "person_ref") if data.get(key)]
        if len(given) != 1:
            raise forms.ValidationError(
                _("Vul precies één van de drie in: e-mailadres, code of persoonsnummer.")
            )
        return data


class SubjectEraseForm(SubjectLookupForm):
    reason = forms.CharField(
        label=_("Waarom wist u deze gegevens?"),
        help_text=_(
            "Bijvoorbeeld: verzoek van de persoon per e-mail van 3 maart. Deze reden blijft"
            " bewaard: noem geen naam. De naam en het e-mailadres van deze persoon halen wij eruit."
        ),
        max_length=200,
    )
    confirm = forms.BooleanField(
        label=_("Ik begrijp dat dit niet ongedaan kan worden."), required=True
    )
