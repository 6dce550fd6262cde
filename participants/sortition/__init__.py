"""Burgerberaad's lottery engine: LEXIMIN-fair stratified selection with a
transparent, verifiable draw. Pure Python (numpy, HiGHS); no Django.

Public API::

    instance = load_instance("categories.csv", "respondents.csv", 50, ["address", "postcode"])
    record = run_selection(instance, seed=1, tickets=1000, number=417)
    problems = verify(record, instance)        # [] when everything checks out
    record = record_draw(record, instance, number=417, alternates=20)  # draw later
    record = replace_dropouts(instance, panel, dropped, number=52)

Errors an organiser can fix are :class:`SortitionError` (code, params, English
and Dutch message); infeasible quotas come with a diagnosis.
"""

# 1.1: the LEXIMIN point is written as panels by peeling (same probabilities,
# other panels and weights than 1.0 found by column generation)
ENGINE_VERSION = "1.1.0"

from .alternates import alternates_order, replace_from_alternates  # noqa: E402
from .errors import SortitionError  # noqa: E402
from .io import load_instance, read_pool, read_quotas  # noqa: E402
from .model import Instance, Quota, Respondent  # noqa: E402
from .record import (  # noqa: E402
    panel_problems,
    record_draw,
    run_selection,
    verify,
    verify_draw,
)
from .replace import replace_dropouts, replacement_instance  # noqa: E402

__all__ = [
    "ENGINE_VERSION",
    "Instance",
    "Quota",
    "Respondent",
    "SortitionError",
    "alternates_order",
    "load_instance",
    "panel_problems",
    "read_pool",
    "read_quotas",
    "record_draw",
    "replace_dropouts",
    "replace_from_alternates",
    "replacement_instance",
    "run_selection",
    "verify",
    "verify_draw",
]
