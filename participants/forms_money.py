"""Forms for allowances and expense claims: the rules of a year, an
assembly's allowance settings, a member's claim (two short steps on a
phone), and an organiser's decision.

Amounts are typed as people write them ("12,50" or "12.50"); a thousands
separator is refused rather than guessed, because "1.250" can mean either.
Each error is tied to its field (AccessibleForm).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from assembly.models import AllowanceMode, AllowanceYear
from participants.forms_registration import AccessibleForm
from participants.models import ExpenseClaim
from participants.receipts import CheckedReceipt, UploadRefused, receipt_check
from participants.selectors_money import ClaimDay

NUMBER = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")
# "1.250" or "2,500": a group of thousands, or three decimals? Refused, not guessed.
THOUSANDS = re.compile(r"^([1-9][0-9]{0,2})[.,]([0-9]{3})$")
DECIMAL_INPUT = {"inputmode": "decimal", "autocomplete": "off"}


def parse_number(text: str, *, places: int) -> Decimal:
    """A positive number with at most ``places`` decimals, from "12,50" or "12.50".
    "1.250" is refused: it could be 1250 or 1,25."""
    cleaned = text.strip().replace("€", "").replace(" ", "")
    if not cleaned:
        raise ValidationError(_("Vul dit in."), code="required")
    if ("," in cleaned and "." in cleaned) or not NUMBER.match(cleaned):
        raise ValidationError(
            _("Schrijf alleen cijfers, met een komma voor de centen. Bijvoorbeeld: 12,50."),
            code="invalid",
        )
    thousands = THOUSANDS.match(cleaned)
    if thousands:
        whole = thousands.group(1) + thousands.group(2)
        if places >= 2:
            message = _(
                "Schrijf grote getallen zonder punt of komma. Bedoelt u %(whole)s? Schrijf dan "
                "%(whole)s of %(whole)s,00. Bedoelt u een bedrag met centen? Schrijf dan twee "
                "cijfers achter de komma, bijvoorbeeld 12,50."
            )
        else:
            message = _(
                "Schrijf grote getallen zonder punt of komma. Bedoelt u %(whole)s? Schrijf dan "
                "%(whole)s."
            )
        raise ValidationError(message % {"whole": whole}, code="thousands")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError(_("Dit is geen getal."), code="invalid") from error
    if value <= 0:
        raise ValidationError(_("Dit moet meer dan 0 zijn."), code="min_value")
    try:
        rounded = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation as error:
        # More digits than a decimal holds (28): no amount or distance is that long.
        raise ValidationError(_("Dit getal is te groot."), code="max_value") from error
    if value != rounded:
        if places == 1:
            message = _("Gebruik hoogstens één cijfer achter de komma.")
        else:
            message = _("Gebruik hoogstens twee cijfers achter de komma.")
        raise ValidationError(message, code="max_decimal_places")
    return value


class NumberField(forms.CharField):
    """A positive amount or count, written the Dutch or the English way."""

    def __init__(self, *, places: int = 2, max_value: Decimal | None = None, **kwargs: Any) -> None:
        self.places = places
        self.max_value = max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={**DECIMAL_INPUT, "maxlength": "20"}))
        kwargs.setdefault("error_messages", {"required": _("Vul dit in.")})
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return formats.number_format(value, self.places)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        number = parse_number(text, places=self.places)
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(
                _("Dit is te hoog: hoogstens %(max)s.")
                % {"max": formats.number_format(self.max_value, self.places)},
                code="max_value",
            )
        return number


def _euro(label: Any, help_text: Any = "", **kwargs: Any) -> NumberField:
    return NumberField(label=label, help_text=help_text, max_value=Decimal("999999.99"), **kwargs)


# ------------------------------------------------------------------ rules


class AllowanceYearForm(AccessibleForm):
    year = forms.IntegerField(
        label=_("Jaar"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("Vul het jaar in."),
            "invalid": _("Vul een jaar in, bijvoorbeeld 2026."),
            "min_value": _("Vul een jaar in vanaf 2000."),
            "max_value": _("Vul een jaar in tot en met 2100."),
        },
    )
    day_allowance = _euro(
        _("Dagvergoeding (euro)"),
        _("Wat een deelnemer krijgt voor een dag dat hij of zij er was."),
    )
    hourly_cap = _euro(_("Maximum per uur, 21 jaar en ouder (euro)"))
    hourly_cap_under_21 = _euro(_("Maximum per uur, jonger dan 21 (euro)"))
    monthly_cap = _euro(_("Maximum per maand (euro)"))
    yearly_cap = _euro(_("Maximum per jaar (euro)"))
    km_rate = _euro(_("Vergoeding per kilometer met de auto (euro)"))
    source = forms.CharField(
        label=_("Bron"),
        help_text=_("Waar komen de bedragen vandaan? Bijvoorbeeld: Belastingdienst, 2026."),
        max_length=300,
        required=False,
    )

    def __init__(self, *args: Any, existing_year: int | None = None, **kwargs: Any) -> None:
        self.existing_year = existing_year
        super().__init__(*args, **kwargs)
        if existing_year is not None:
            self.fields["year"].disabled = True

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if self.existing_year is None and AllowanceYear.objects.filter(year=year).exists():
            raise ValidationError(
                _("Voor %(year)s zijn er al regels. Wijzig die in de lijst.") % {"year": year}
            )
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        under, adult = data.get("hourly_cap_under_21"), data.get("hourly_cap")
        if under is not None and adult is not None and under > adult:
            self.add_error(
                "hourly_cap_under_21",
                _("Het maximum onder 21 jaar kan niet hoger zijn dan vanaf 21 jaar."),
            )
        month, year = data.get("monthly_cap"), data.get("yearly_cap")
        if month is not None and year is not None and month > year:
            self.add_error(
                "monthly_cap", _("Het maximum per maand kan niet hoger zijn dan per jaar.")
            )
        return data

    def values(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "year"}


class AllowanceSettingsForm(AccessibleForm):
    allowance_mode = forms.ChoiceField(
        label=_("Hoe krijgen de deelnemers hun vergoeding?"),
        choices=AllowanceMode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Vrijwilligersvergoeding: onbelast, maar nooit meer dan de maxima van het jaar. "
            "Honorarium: een vast bedrag per dag. Dat is belast inkomen en kan een uitkering "
            "verlagen."
        ),
        error_messages={"required": _("Kies een antwoord.")},
    )
    fee_per_day = _euro(
        _("Honorarium per dag (euro)"),
        _("Alleen nodig bij een honorarium."),
        required=False,
    )
    allowance_hours_per_day = NumberField(
        label=_("Uren per dag voor de vergoeding"),
        help_text=_(
            "Het maximum per uur geldt voor deze uren. Een weekenddag van 9.30 tot 17.00 uur "
            "is ongeveer 7 uur. Kwam iemand later of ging iemand eerder weg? Dan telt een "
            "deel van deze uren, naar de tijden die bij de ingang zijn genoteerd."
        ),
        max_value=Decimal("24"),
    )
    second_approval_above = _euro(
        _("Tweede goedkeuring nodig boven (euro)"),
        _(
            "Een declaratie boven dit bedrag moet door twee verschillende mensen van de "
            "organisatie worden goedgekeurd."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fee_missing = not data.get("fee_per_day") and "fee_per_day" not in self.errors
        if data.get("allowance_mode") == AllowanceMode.FEE and fee_missing:
            self.add_error("fee_per_day", _("Vul het honorarium per dag in."))
        return data


# ------------------------------------------------------------------ claims


def _day_choices(days: list[ClaimDay]) -> list[tuple[str, str]]:
    choices = []
    for item in days:
        label = formats.date_format(item.day, "l j F Y")
        if not item.attended:
            label = f"{label} ({_('niet aangemeld')})"
        choices.append((item.day.isoformat(), label))
    return choices


class ClaimStartForm(AccessibleForm):
    """Step 1: what kind of costs, and for which day."""

    kind = forms.ChoiceField(
        label=_("Wat voor kosten?"),
        choices=ExpenseClaim.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies wat voor kosten het zijn.")},
    )
    day = forms.ChoiceField(
        label=_("Voor welke dag?"),
        widget=forms.RadioSelect,
        help_text=_("U kunt kosten declareren voor een dag waarop u bij het burgerberaad was."),
        error_messages={
            "required": _("Kies de dag."),
            "invalid_choice": _("Kies een dag uit de lijst."),
        },
    )

    def __init__(self, *args: Any, days: list[ClaimDay], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days = {d.day.isoformat(): d for d in days}
        day_field = self.fields["day"]
        assert isinstance(day_field, forms.ChoiceField)
        day_field.choices = _day_choices(days)

    def clean_day(self) -> dt.date:
        value: str = self.cleaned_data["day"]
        item = self.days[value]
        if not item.attended:
            raise ValidationError(
                _(
                    "Op deze dag was u niet aangemeld bij het burgerberaad. U kunt alleen kosten "
                    "declareren voor een dag waarop u er was. Klopt dit niet? Vraag het aan de "
                    "organisatie."
                )
            )
        return item.day


class ClaimForm(ClaimStartForm):
    """Step 2 (and changing a claim): the amount or the kilometres, the receipt."""

    amount = _euro(
        _("Bedrag (euro)"),
        _("Bijvoorbeeld 12,50. Het bedrag op de bon."),
        required=False,
    )
    kilometres = NumberField(
        label=_("Aantal kilometers, heen en terug"),
        help_text=_("Bijvoorbeeld 84. Het bedrag rekenen wij uit."),
        places=1,
        max_value=Decimal("9999.9"),
        required=False,
    )
    description = forms.CharField(
        label=_("Omschrijving"),
        help_text=_("Kort: waarvoor zijn de kosten? Bij 'Anders' is dit nodig."),
        max_length=300,
        required=False,
    )
    # One number per form shown (see ExpenseClaim.submission).
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)
    receipt = forms.FileField(
        label=_("Foto of PDF van de bon of het bewijs"),
        help_text=_("Een foto (JPG of PNG) of een PDF."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(
        self,
        *args: Any,
        days: list[ClaimDay],
        hidden_start: bool = False,
        max_bytes: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, days=days, **kwargs)
        self.checked_receipt: CheckedReceipt | None = None
        if hidden_start:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["day"].widget = forms.HiddenInput()
            # Step 2 asks only what this kind needs: kilometres or an amount.
            kind = self.data.get("kind") if self.is_bound else self.initial.get("kind")
            del self.fields["amount" if kind == ExpenseClaim.Kind.CAR else "kilometres"]
        if max_bytes is not None:
            from django.template.defaultfilters import filesizeformat

            self.fields["receipt"].help_text = _(
                "Een foto (JPG of PNG) of een PDF, hoogstens %(max)s."
            ) % {"max": filesizeformat(max_bytes)}

    def clean_receipt(self) -> object:
        upload = self.cleaned_data.get("receipt")
        if not upload:
            return None
        try:
            self.checked_receipt = receipt_check(upload)
        except UploadRefused as refused:
            raise ValidationError(str(refused)) from refused
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ExpenseClaim.Kind.CAR:
            if data.get("kilometres") is None and "kilometres" not in self.errors:
                self.add_error("kilometres", _("Vul het aantal kilometers in."))
        elif kind and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Vul het bedrag in."))
        if self.checked_receipt is not None and set(self.errors) - {"receipt"}:
            # A file field comes back empty with the page that shows the other
            # errors: without a word here the member fixes the amount, sends
            # again, and is told the receipt is missing.
            self.add_error(
                "receipt",
                _("Kies de foto of PDF opnieuw. Na een fout moet u die nog een keer kiezen."),
            )
        return data


class ReasonForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Reden van afwijzen"),
        help_text=_("De deelnemer krijgt deze reden in een e-mail. Schrijf kort en duidelijk."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Schrijf de reden voor de deelnemer.")},
    )


class AskForm(AccessibleForm):
    message = forms.CharField(
        label=_("Uw vraag aan de deelnemer"),
        help_text=_("Bijvoorbeeld: stuur een duidelijkere foto van de bon."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Schrijf uw vraag voor de deelnemer.")},
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Alle")), *ExpenseClaim.Status.choices],
        required=False,
    )
