"""Invitation codes: the check character catches every typing error of one
character and every swap of two, and the random part keeps 40+ bits."""

from __future__ import annotations

import math

from participants.codes import (
    ALPHABET,
    LENGTH,
    RANDOM_LENGTH,
    code_check_character,
    code_display,
    code_generate,
    code_is_old_shaped,
    code_normalise,
    code_passes_check,
)


def test_generated_codes_pass_the_check_and_keep_the_old_codes_49_bits() -> None:
    codes = {code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(code_passes_check(code) and len(code) == LENGTH for code in codes)
    # As many random characters as the codes without a check character had.
    assert RANDOM_LENGTH * math.log2(len(ALPHABET)) > 49
    # The check character is spread over the whole alphabet, not stuck on a few.
    assert {code[-1] for code in codes} == set(ALPHABET)


def test_every_change_of_one_character_and_every_swap_fails_the_check() -> None:
    for _ in range(50):
        code = code_generate()
        for position in range(LENGTH):
            for other in ALPHABET.replace(code[position], ""):
                assert not code_passes_check(code[:position] + other + code[position + 1 :])
            for later in range(position + 1, LENGTH):
                if code[position] != code[later]:
                    swapped = list(code)
                    swapped[position], swapped[later] = swapped[later], swapped[position]
                    assert not code_passes_check("".join(swapped))


def test_the_check_character_completes_exactly_one_code() -> None:
    body = "ABCD23EFGH"
    completing = [ch for ch in ALPHABET if code_passes_check(body + ch)]
    assert completing == [code_check_character(body)] == ["F"]
    assert not code_passes_check(body)  # too short: the shape of an old code
    assert code_is_old_shaped(body) and not code_is_old_shaped(body + "F")
    assert not code_passes_check("ABCD23EFGH0")  # not of the alphabet


def test_codes_are_shown_in_the_groups_of_their_letter() -> None:
    assert code_display("ABCD23EFGHF") == "ABCD-23EF-GHF"
    assert code_display("ABCD23EFGH") == "ABCD-23E-FGH"  # a letter from an old draw
    assert code_normalise(" abcd-23ef ghf ") == "ABCD23EFGHF"
    assert code_normalise("ＡＢＣＤ－２３ＥＦ") == "ABCD23EF"
