"""A member's contact details ("Mijn adres en telefoonnummer"): phone number
and postal address, checked as the registration checks a phone number
(forms_registration.check_phone) and as the population import checks an
address (participants.population). The e-mail address is the login and is
not changed here. The secretariat changes them for a member who phones in
with the same forms; only the words differ (``Organiser*`` below)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.forms_registration import AccessibleForm, NeedsForm, check_phone, phone_field
from participants.letters import postal_address
from participants.models import Registration
from participants.population import (
    MAX_ADDITION,
    addition_is_valid,
    normalise_addition,
    normalise_postcode,
    place_house_suffix,
    postcode_display,
    split_house_number,
)

HOUSE_NUMBER_EXAMPLE = _("Vul een huisnummer in zoals 12 of 12a.")
REQUIRED_MESSAGES = {
    "street": _("Vul uw straat in."),
    "house_number": _("Vul uw huisnummer in."),
    "postcode": _("Vul uw postcode in."),
    "city": _("Vul uw woonplaats in."),
}
# The same messages for the secretariat, who types someone else's address.
ORGANISER_REQUIRED_MESSAGES = {
    "street": _("Vul de straat in."),
    "house_number": _("Vul het huisnummer in."),
    "postcode": _("Vul de postcode in."),
    "city": _("Vul de woonplaats in."),
}


def _limit(name: str) -> int:
    field = Registration._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


class MemberPhoneForm(AccessibleForm):
    phone = phone_field(
        label=_("Telefoonnummer (niet verplicht)"),
        help_text=_("Dan kan het secretariaat u bellen als dat nodig is."),
    )

    def clean_phone(self) -> str:
        return check_phone(self.cleaned_data["phone"])


class MemberAddressForm(AccessibleForm):
    """The postal address: all of it, or (with no address on file) none."""

    required_messages = REQUIRED_MESSAGES

    street = forms.CharField(
        label=_("Straat"),
        required=False,
        max_length=_limit("street"),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    house_number = forms.CharField(
        label=_("Huisnummer"),
        help_text=_("Met de huisletter als u die hebt. Bijvoorbeeld: 12 of 12a."),
        required=False,
        max_length=20,
        error_messages={"max_length": HOUSE_NUMBER_EXAMPLE},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    house_number_addition = forms.CharField(
        label=_("Toevoeging (niet verplicht)"),
        help_text=_("Bijvoorbeeld: bis, 2 of III."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        help_text=_("Bijvoorbeeld: 1234 AB."),
        required=False,
        max_length=20,
        error_messages={"max_length": _("Vul een postcode in zoals 1234 AB.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}
        ),
    )
    city = forms.CharField(
        label=_("Woonplaats"),
        required=False,
        max_length=_limit("city"),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )

    def __init__(self, *args: Any, address_known: bool, **kwargs: Any) -> None:
        """``address_known``: there is an address on file, so it cannot be
        left empty (letters would have nowhere to go)."""
        super().__init__(*args, **kwargs)
        self.address_known = address_known
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message
            self.fields[name].required = address_known
        self.fields["street"].error_messages["max_length"] = _(
            "Deze straatnaam is te lang. Gebruik hoogstens %(limit_value)d tekens."
        )
        self.fields["city"].error_messages["max_length"] = _(
            "Deze woonplaats is te lang. Gebruik hoogstens %(limit_value)d tekens."
        )

    def clean_postcode(self) -> str:
        value: str = self.cleaned_data["postcode"].strip()
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if postcode is None:
            raise forms.ValidationError(
                _("Een postcode heeft 4 cijfers en 2 letters. Bijvoorbeeld: 1234 AB.")
            )
        return postcode

    def clean_street(self) -> str:
        return " ".join(self.cleaned_data["street"].split())

    def clean_city(self) -> str:
        return " ".join(self.cleaned_data["city"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.address_known:
            # No address on file: empty may stay empty, but a part is not enough.
            typed = {
                name for name in self.required_messages if str(self.data.get(name, "")).strip()
            }
            if typed:
                for name, message in self.required_messages.items():
                    if name not in typed and name not in self.errors:
                        self.add_error(name, message)
        self._clean_house_number(data)
        return data

    def _clean_house_number(self, data: dict[str, Any]) -> None:
        """12a → number 12, letter A; 12-2 or 12 bis → an addition; as the
        population import reads a house number (participants.population)."""
        raw = (data.get("house_number") or "").strip()
        addition = (data.get("house_number_addition") or "").strip()
        data["house_letter"] = ""
        if not raw:
            data["house_number"] = None
            data["house_number_addition"] = ""
            return
        split = split_house_number(raw)
        if split is None:
            self.add_error("house_number", HOUSE_NUMBER_EXAMPLE)
            return
        number, suffix = split
        letter = ""
        if suffix:
            placed = place_house_suffix(suffix, letter="", addition=addition)
            if placed is None:
                self.add_error(
                    "house_number",
                    _(
                        "Dit huisnummer heeft al een toevoeging. Zet de toevoeging "
                        "in het vak Toevoeging, of haal die daar weg."
                    ),
                )
                return
            letter, addition = placed
        cleaned = normalise_addition(addition)
        if cleaned and not addition_is_valid(cleaned):
            self.add_error(
                "house_number_addition",
                _(
                    "De toevoeging mag hoogstens %(max)s letters of cijfers hebben. "
                    "Bijvoorbeeld: bis of 2."
                )
                % {"max": MAX_ADDITION},
            )
            return
        data["house_number"] = number
        data["house_letter"] = letter.upper()
        data["house_number_addition"] = cleaned


class OrganiserPhoneForm(MemberPhoneForm):
    """The member's phone number, typed by the secretariat."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _(
            "Het nummer waarop het secretariaat deze deelnemer kan bellen."
        )


class OrganiserAddressForm(MemberAddressForm):
    """The member's postal address, typed by the secretariat."""

    required_messages = ORGANISER_REQUIRED_MESSAGES


class OrganiserNeedsForm(NeedsForm):
    """What the member needs, typed by the secretariat: the member's own
    questions ("Ik heb ...") said of the member."""

    LABELS = {
        "needs_mobility": _("Heeft hulp nodig bij lopen, of gebruikt een rolstoel."),
        "needs_childcare": _("Heeft opvang nodig voor de kinderen."),
        "needs_language_help": _("Heeft hulp nodig met de Nederlandse taal."),
        "diet": _("Wat eet deze deelnemer niet? (niet verplicht)"),
        "needs_other": _("Heeft deze deelnemer iets anders nodig? (niet verplicht)"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label


def member_address_initial(registration: Registration) -> dict[str, Any]:
    """The address letters go to now, as the member would type it."""
    initial: dict[str, Any] = {}
    address = postal_address(registration)
    if address is not None:
        initial.update(
            street=address.street,
            house_number=f"{address.house_number or ''}{address.house_letter}",
            house_number_addition=address.house_number_addition,
            postcode=postcode_display(address.postcode),
            city=address.city,
        )
    return initial
