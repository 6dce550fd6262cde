"""Age in whole years: one definition for the population extract, the
registration form, the lottery and the allowance caps. Pure Python, no Django,
so the pure modules (allowance_caps) can use it too."""

from __future__ import annotations

import datetime as dt


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (someone born on 29 February turns a year
    older on 1 March in other years)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
