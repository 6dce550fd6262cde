"""Bank details as people type them, as banks want them, and as organisers may see them.

An IBAN is checked by schwifty (country, length, structure, check digits) and
must be in the SEPA zone: the payment file is a SEPA credit transfer. It is
stored without spaces in capitals, shown in groups of four, and masked for
pages where the full number is not needed.

A SEPA file only carries the Latin characters of the SEPA set. Names with
accents (Müller, Çelik, Ørsted) are written without them for the bank; a name
with characters that have no such form is refused with a message that names
them, so a member never learns at payment time that their name did not fit.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)

HOLDER_MAX_LENGTH = 70
# The SEPA (EPC) basic Latin character set for names and remittance text.
SEPA_CHARACTERS = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]*")
# Letters that Unicode does not decompose into a base letter plus accents.
_SPECIAL = {
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Þ": "Th",
    "þ": "th",
    "ı": "i",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "–": "-",
    "—": "-",
}


def normalise_iban(raw: str) -> str:
    """Capitals, no spaces or dots: how the IBAN is stored and sent."""
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def check_iban(raw: str) -> str:
    """The IBAN, normalised; a ValidationError in plain words when it is not valid."""
    value = normalise_iban(raw)
    if not value:
        raise ValidationError(_("Vul uw IBAN in."), code="required")
    try:
        iban = IBAN(value)
    except InvalidCountryCode as error:
        raise ValidationError(
            _("Een IBAN begint met de code van een land, bijvoorbeeld NL."), code="country"
        ) from error
    except InvalidLength as error:
        raise ValidationError(
            _(
                "Dit IBAN heeft niet het goede aantal tekens. Een Nederlands IBAN heeft "
                "18 tekens, bijvoorbeeld NL91 ABNA 0417 1643 00."
            ),
            code="length",
        ) from error
    except InvalidChecksumDigits as error:
        raise ValidationError(
            _("Dit IBAN klopt niet. Misschien staat er een tikfout in. Kijk het goed na."),
            code="checksum",
        ) from error
    except InvalidStructure as error:
        raise ValidationError(
            _("Een IBAN bestaat alleen uit letters en cijfers. Kijk het goed na."),
            code="structure",
        ) from error
    except SchwiftyException as error:
        raise ValidationError(
            _("Dit IBAN klopt niet. Kijk het goed na."), code="invalid"
        ) from error
    if not iban.in_sepa_zone:
        raise ValidationError(
            _("Wij kunnen alleen geld overmaken naar een rekening in Europa (SEPA)."),
            code="sepa",
        )
    return str(iban.compact)


def is_valid_iban(raw: str) -> bool:
    try:
        check_iban(raw)
    except ValidationError:
        return False
    return True


def format_iban(iban: str) -> str:
    """NL91 ABNA 0417 1643 00: groups of four, as on a bank card."""
    compact = normalise_iban(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def mask_iban(iban: str) -> str:
    """NL** **** **** **43 00: the country and the last four characters only."""
    compact = normalise_iban(iban)
    if len(compact) <= 6:
        return "*" * len(compact)
    masked = compact[:2] + "*" * (len(compact) - 6) + compact[-4:]
    return format_iban(masked)


def sepa_text(text: str) -> str:
    """The text in the SEPA character set, accents dropped; unknown characters stay
    (check_sepa_text names them)."""
    replaced = "".join(_SPECIAL.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFKD", replaced)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def sepa_refused_characters(text: str) -> list[str]:
    """The characters of `text` that have no form in the SEPA set, each once."""
    refused: list[str] = []
    for char in sepa_text(text):
        if not SEPA_CHARACTERS.fullmatch(char) and char not in refused:
            refused.append(char)
    return refused


def check_holder_name(raw: str) -> str:
    """The account holder's name, spaces tidied; refused when empty, too long,
    or with characters a SEPA file cannot carry."""
    # Composed ("é" as one character, not "e" and an accent mark): the length
    # the member sees is the length the database keeps.
    value = unicodedata.normalize("NFC", " ".join((raw or "").split()))
    if not value:
        raise ValidationError(_("Vul de naam in die bij de rekening hoort."), code="required")
    if len(sepa_text(value)) > HOLDER_MAX_LENGTH:
        raise ValidationError(
            _("De naam mag hoogstens %(max)s tekens hebben. Kort de naam in, zoals op uw bankpas.")
            % {"max": HOLDER_MAX_LENGTH},
            code="max_length",
        )
    refused = sepa_refused_characters(value)
    if refused:
        raise ValidationError(
            _(
                "Deze tekens kan de bank niet verwerken: %(chars)s. Schrijf de naam zoals "
                "op uw bankpas, met gewone letters."
            )
            % {"chars": " ".join(refused)},
            code="characters",
        )
    return value


def holder_for_bank(name: str) -> str:
    """The name as it goes into the SEPA file."""
    return sepa_text(" ".join(name.split()))[:HOLDER_MAX_LENGTH]


def example_iban(number: int, bank_code: str = "ABNA") -> str:
    """A valid Dutch IBAN for demos and tests (a made-up account number)."""
    return str(IBAN.generate("NL", bank_code=bank_code, account_code=f"{number:010d}").compact)
