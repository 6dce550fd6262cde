"""IBAN and account holder checks: what a member may type, what the bank gets."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from participants.iban import (
    check_holder_name,
    check_iban,
    example_iban,
    format_iban,
    holder_for_bank,
    is_valid_iban,
    mask_iban,
    normalise_iban,
)


def test_it_normalises_spaces_dots_and_case() -> None:
    assert normalise_iban(" nl91 abna.0417 1643-00 ") == "NL91ABNA0417164300"
    assert check_iban("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("NL91ABNA0417164301", "checksum"),
        ("NL92ABNA0417164300", "checksum"),
        ("NL91ABNA041716430", "length"),
        ("NL91ABNA04171643000", "length"),
        ("XX91ABNA0417164300", "country"),
        ("NL91ABNA041716430!", "structure"),
        ("", "required"),
        ("BR9700360305000010009795493P1", "sepa"),
    ],
)
def test_it_refuses_a_wrong_iban_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_iban(raw)
    assert error.value.code == code
    assert not is_valid_iban(raw)


@pytest.mark.parametrize(
    "iban", ["DE89370400440532013000", "BE68539007547034", "GB82WEST12345698765432"]
)
def test_it_accepts_other_sepa_countries(iban: str) -> None:
    assert check_iban(iban) == iban


def test_it_shows_groups_of_four_and_masks_all_but_the_end() -> None:
    assert format_iban("NL91ABNA0417164300") == "NL91 ABNA 0417 1643 00"
    assert mask_iban("NL91ABNA0417164300") == "NL** **** **** **43 00"
    assert mask_iban("nl91 abna 0417 1643 00") == "NL** **** **** **43 00"


def test_example_ibans_are_valid_and_differ() -> None:
    ibans = {example_iban(n) for n in range(50)}
    assert len(ibans) == 50
    assert all(is_valid_iban(iban) and iban.startswith("NL") for iban in ibans)


def test_a_holder_name_with_accents_is_kept_and_written_plainly_for_the_bank() -> None:
    assert check_holder_name("  Jürgen   Çelik-Øster ") == "Jürgen Çelik-Øster"
    assert holder_for_bank("Jürgen Çelik-Øster ß") == "Jurgen Celik-Oster ss"
    assert holder_for_bank("Zoë d’Hondt") == "Zoe d'Hondt"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "required"),
        ("Анна", "characters"),
        ("Jan & Piet", "characters"),
        ("A" * 71, "max_length"),
    ],
)
def test_a_holder_name_the_bank_cannot_take_is_refused(name: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_holder_name(name)
    assert error.value.code == code


def test_the_refusal_names_the_characters() -> None:
    with pytest.raises(ValidationError) as error:
        check_holder_name("Jan & Piet @ home")
    assert "& @" in error.value.messages[0]


def test_a_holder_name_typed_with_separate_accent_marks_fits_the_stored_field() -> None:
    """Some keyboards and pasted text send "é" as "e" plus an accent mark: two
    characters. A name of 70 letters must still fit the 70 the database keeps."""
    import unicodedata

    composed = "Éloïse Hélène Françoise Zoë Müller-Çelik de la Rivière-Brontë Ötzürk"
    assert len(composed) <= 70
    typed = unicodedata.normalize("NFD", composed)
    assert len(typed) > 70
    assert check_holder_name(typed) == composed
