"""``manage.py select_panel``: draw a panel from CSV files, no database needed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from participants.sortition import SortitionError, load_instance, run_selection


def public_number(text: str) -> int:
    """The public number read as the site reads it: digits and spaces only."""
    # Imported here: the command needs no database, the service module's models
    # load without one.
    from participants.services.selection import SelectionRefused, public_number_parse

    try:
        return public_number_parse(text)
    except SelectionRefused as refusal:
        raise argparse.ArgumentTypeError(str(refusal)) from refusal


class Command(BaseCommand):
    help = _(
        "Draw a panel by lot from a quota table and a pool (LEXIMIN, transparent draw) "
        "and write the run record as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--categories", required=True, help=_("Quota table (CSV)."))
        parser.add_argument("--respondents", required=True, help=_("Pool (CSV)."))
        parser.add_argument("--panel-size", type=int, required=True, help=_("Panel size."))
        parser.add_argument(
            "--algorithm",
            choices=["leximin", "legacy"],
            default="leximin",
            help=_("leximin (default) or legacy (comparison only)."),
        )
        parser.add_argument(
            "--household-columns",
            default="",
            help=_("Comma-separated address columns; at most one person per household."),
        )
        parser.add_argument("--tickets", type=int, default=1000, help=_("Number of tickets."))
        parser.add_argument("--seed", type=int, default=0, help=_("Seed for the solver."))
        parser.add_argument(
            "--number",
            type=public_number,
            default=None,
            help=_("The public number that picks the ticket (ticket = number mod tickets)."),
        )
        parser.add_argument("--json", required=True, help=_("Where to write the run record."))

    def handle(self, *args: Any, **options: Any) -> None:
        columns = [c.strip() for c in options["household_columns"].split(",") if c.strip()]

        def progress(line: str, _fraction: float = 0.0) -> None:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

        try:
            instance = load_instance(
                options["categories"], options["respondents"], options["panel_size"], columns
            )
            progress(
                _("%(n)d respondents, panel of %(k)d: drawing...")
                % {"n": len(instance.respondents), "k": instance.panel_size}
            )
            record = run_selection(
                instance,
                algorithm=options["algorithm"],
                seed=options["seed"],
                tickets=options["tickets"],
                number=options["number"],
                household_columns=columns,
                progress=progress,
            )
        except SortitionError as error:
            raise CommandError(f"{error.message_nl}\n{error.message}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        Path(options["json"]).write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        progress(
            _("Done in %(s).1f s: minimum probability %(p).6f, ticket %(t)d.")
            % {"s": record["seconds"], "p": record["min_probability"], "t": record["ticket_drawn"]}
        )
