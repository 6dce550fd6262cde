"""Forms for bank details and payment batches. Each error is tied to its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from assembly.forms import DatePicker
from assembly.numbers import LARGEST
from participants.forms_registration import AccessibleForm
from participants.iban import HOLDER_MAX_LENGTH, check_holder_name, check_iban


def _holder_help() -> str:
    return _("De naam die bij de rekening hoort. Hoogstens %(max)s tekens.") % {
        "max": HOLDER_MAX_LENGTH
    }


# The largest upload a confirmation file may be (a few thousand rows fit easily).
MAX_CONFIRMATION_BYTES = 2 * 1024 * 1024


class BankAccountForm(AccessibleForm):
    iban = forms.CharField(
        label=_("IBAN (rekeningnummer)"),
        max_length=50,
        help_text=_("Zo staat het op uw bankpas, bijvoorbeeld NL91 ABNA 0417 1643 00."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    holder_name = forms.CharField(
        label=_("Naam van de rekeninghouder"),
        # Longer than the rule: spaces are tidied and the rule measured after
        # that, by check_holder_name, which says what is wrong in plain words.
        max_length=200,
        # Lazy as a whole: formatted when the class is made, the text would
        # be frozen in the language of that moment (Dutch).
        help_text=lazy(_holder_help, str)(),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_iban(self) -> str:
        return check_iban(self.cleaned_data.get("iban", ""))

    def clean_holder_name(self) -> str:
        return check_holder_name(self.cleaned_data.get("holder_name", ""))


class BankAccountOnPaperForm(BankAccountForm):
    given_by_the_member = forms.BooleanField(
        label=_(
            "De deelnemer heeft dit rekeningnummer zelf gegeven: op papier of aan de balie."
        ),
        error_messages={
            "required": _("Zet een vinkje: alleen de deelnemer zelf geeft dit op.")
        },
    )


class ExportForm(AccessibleForm):
    execution_date = forms.DateField(
        label=_("Uitvoerdatum bij de bank"),
        help_text=_("De dag waarop de bank het geld overmaakt. Vandaag of later."),
        widget=DatePicker(),
    )
    confirm = forms.BooleanField(
        label=_("Ik begrijp dat de batch hierna vastligt en niet meer kan veranderen."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The next working day: what most banks can still execute.
        day = timezone.localdate() + dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        self.fields["execution_date"].initial = day

    def clean_execution_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["execution_date"]
        if day < timezone.localdate():
            raise ValidationError(_("Deze datum ligt in het verleden. Kies vandaag of later."))
        return day


class PaidForm(AccessibleForm):
    paid_on = forms.DateField(
        label=_("Betaald op"),
        help_text=_("De dag waarop de bank het geld heeft overgemaakt."),
        widget=DatePicker(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["paid_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Deze datum ligt in de toekomst."))
        return day


class ItemForm(forms.Form):
    item = forms.IntegerField(min_value=1, max_value=LARGEST)


class ConfirmationUploadForm(AccessibleForm):
    file = forms.FileField(
        label=_("Bestand van de bank of van financiën (CSV of Excel)"),
        help_text=_(
            "Met de kolommen end_to_end_id en paid_on. U kunt het geëxporteerde bestand "
            "gebruiken: vul bij paid_on de betaaldatum in. Rijen zonder datum slaan we over."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CONFIRMATION_BYTES:
            raise ValidationError(_("Het bestand is te groot (hoogstens 2 MB)."))
        return upload


class StatementYearForm(forms.Form):
    jaar = forms.IntegerField(min_value=2000, max_value=2100, required=False)
