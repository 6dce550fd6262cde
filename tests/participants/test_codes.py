"""Invitation codes: the check character catches every typing error of one
character and every swap of two, and the random part keeps 40+ bits."""

from __future__ import annotations

import math

from participants.codes import (
    ALPHABET,
    LENGTH,
    RANDOM_LENGTH,
    code_check_character,
    code_generate,
    code_is_well_formed,
    code_passes_check,
)


def test_generated_codes_pass_the_check_and_keep_at_least_40_bits() -> None:
    codes = {code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(code_passes_check(code) and code_is_well_formed(code) for code in codes)
    assert RANDOM_LENGTH * math.log2(len(ALPHABET)) >= 40
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
    body = "ABCD23EFG"
    completing = [ch for ch in ALPHABET if code_passes_check(body + ch)]
    assert completing == [code_check_character(body)] == ["P"]
    assert not code_passes_check(body)  # too short
    assert not code_passes_check("ABCD23EFG0")  # not of the alphabet
