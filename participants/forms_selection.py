"""The form for the public number: a panel's draw and a replacement's draw."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from participants.services.selection import SelectionRefused, public_number_parse


class DrawForm(forms.Form):
    """The number drawn in public and how; the reason only for a second draw."""

    # Text, not an integer field: that one reads "1.000" as 1 (see
    # public_number_parse).
    number = forms.CharField(
        label=gettext_lazy("Openbaar getal"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Het getal dat in het openbaar is getrokken, bijvoorbeeld met dobbelstenen."
        ),
    )
    how_drawn = forms.CharField(
        label=gettext_lazy("Hoe is het getal getrokken?"),
        max_length=300,
        help_text=gettext_lazy(
            "Bijvoorbeeld: drie dobbelstenen, in het openbaar, op 12 januari om 14.00 uur."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Waarom een nieuwe trekking?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Deze reden staat op de openbare pagina, bij de oude trekking."),
    )

    def __init__(self, *args: Any, redraw: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redraw = redraw
        if not redraw:
            del self.fields["reason"]
        # Even with a draw made, the reason is not required here: the same
        # number sent twice needs none; the service asks for it otherwise.

    def clean_number(self) -> int:
        try:
            return public_number_parse(self.cleaned_data["number"])
        except SelectionRefused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
