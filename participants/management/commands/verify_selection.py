"""``manage.py verify_selection``: check a published lottery record against its inputs.

Anyone can run it on the public record: it checks that the ticket table is
the one published before the draw, that the public number picks the announced
ticket and that ticket holds the announced panel, and that the probabilities
add up. With the respondents file and the quota table as well (the chair, the
griffie and the organisers can download the respondents: it holds everyone's
answers, so it is not public) it also recomputes the input hash, checks every
panel on the tickets and the alternates, and (unless told not to) computes
the LEXIMIN distribution afresh. No database is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from participants.sortition import (
    Instance,
    SortitionError,
    read_pool,
    read_quotas,
    record_draw,
    replacement_instance,
    verify,
    verify_draw,
)
from participants.sortition.io import check_instance

# The checks the engine makes, each with the start of the English problem
# text(s) that verify() reports for it: a line per check, passed or not.
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "input",
        "The pool and quotas are the ones the record was made with",
        ("the pool or quotas differ",),
    ),
    (
        "tickets",
        "The ticket table matches its published hash",
        ("the ticket table does not match",),
    ),
    (
        "panels",
        "Every panel on the tickets meets the quotas and the household rule",
        ("unknown respondent", "panel "),
    ),
    (
        "draw",
        "The public number gives the announced ticket and panel",
        ("number ", "the announced panel"),
    ),
    ("alternates", "The alternates are the ones the number gives", ("the announced alternates",)),
    (
        "sums",
        "The probabilities add up (to the panel size, and to 1 over the tickets)",
        ("the probabilities do not add up", "the ticket probabilities"),
    ),
    ("leximin", "A fresh LEXIMIN computation gives the same probabilities", ("a fresh LEXIMIN",)),
)

# What reading a record with a missing or wrong field raises.
MALFORMED = (KeyError, TypeError, ValueError, IndexError)


def _malformed(error: Exception) -> CommandError:
    return CommandError(
        _("Het verslag is niet compleet of klopt niet: %(error)s") % {"error": error}
        + f"\nThe record is incomplete or malformed: {error}"
    )


# Checks that need the respondents file, which is not public (it holds answers).
NEED_THE_POOL = frozenset({"input", "panels", "alternates", "leximin"})


def _dutch(key: str) -> str:
    return {
        "input": _("De aanmelders en quota zijn dezelfde als bij de loting"),
        "tickets": _("De tabel met loten past bij het gepubliceerde controlegetal"),
        "panels": _("Elk panel op de loten voldoet aan de quota en de regel voor huishoudens"),
        "draw": _("Het openbare getal geeft het gemelde lot en panel"),
        "alternates": _("De reserves zijn de reserves die het getal geeft"),
        "sums": _("De kansen tellen goed op"),
        "leximin": _("Opnieuw rekenen met LEXIMIN geeft dezelfde kansen"),
    }[key]


class Command(BaseCommand):
    help = _(
        "Controleer het verslag van een loting: rekent de kansen, het lot en het panel "
        "opnieuw uit en zegt of alles klopt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record", help=_("Het verslag van de loting (JSON)."))
        parser.add_argument(
            "--respondents",
            help=_(
                "De aanmelders (CSV). Zonder dit bestand worden alleen het lot en het panel "
                "gecontroleerd."
            ),
        )
        parser.add_argument("--categories", help=_("De quota (CSV); nodig met --respondents."))
        parser.add_argument(
            "--household-columns",
            default=None,
            help=_(
                "Kolommen voor het huishouden, met komma's ertussen. "
                "Standaard: de kolommen uit het verslag."
            ),
        )
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help=_("Reken LEXIMIN niet opnieuw uit (sneller)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        record = self._read_record(options["record"])
        if options["respondents"] is None:
            self._check_draw_only(record)
            return
        if options["categories"] is None:
            raise CommandError(
                _("Geef ook de quota (--categories) bij de aanmelders.")
                + "\nGive the quotas (--categories) with the respondents too."
            )
        parameters = record["parameters"]
        if options["household_columns"] is None:
            columns = [str(c) for c in parameters.get("household_columns", [])]
        else:
            columns = [c.strip() for c in options["household_columns"].split(",") if c.strip()]
        try:
            quotas = read_quotas(options["categories"])
            people = read_pool(options["respondents"], quotas, columns)
            if "panel_before" in record:
                # A replacement's lottery: the stayers are fixed, the quotas
                # reduced by them, their households left out.
                before = [str(pid) for pid in record["panel_before"]]
                whole = Instance(people, quotas, len(before))
                instance, _stayers = replacement_instance(
                    whole, before, [str(pid) for pid in record["dropped"]]
                )
            else:
                instance = Instance(people, quotas, int(parameters["panel_size"]))
            check_instance(instance, options["respondents"])
        except SortitionError as error:
            raise CommandError(f"{error.message_nl}\n{error.message}") from error
        drawn = "public_number" in record
        recompute = not options["no_recompute"]
        try:
            checked = record if drawn else self._without_draw(record, instance)
            problems = verify(checked, instance, recompute=recompute)
        except MALFORMED as error:
            raise _malformed(error) from error
        failed = self._report(problems, drawn=drawn, recompute=recompute, pool=True)
        if not drawn:
            self.stdout.write(
                _(
                    "Er is nog geen openbaar getal getrokken. "
                    "Het lot en het panel staan nog niet vast."
                )
                + " / No public number yet."
            )
        self._conclude(failed, record)

    def _check_draw_only(self, record: dict[str, Any]) -> None:
        """What anyone can check without the respondents file."""
        if "public_number" not in record:
            raise CommandError(
                _(
                    "Er is nog geen openbaar getal getrokken. Zonder de aanmelders valt er "
                    "nog niets te controleren."
                )
                + "\nNo public number yet: without the respondents there is nothing to check."
            )
        try:
            problems = verify_draw(record)
        except MALFORMED as error:
            raise _malformed(error) from error
        failed = self._report(problems, drawn=True, recompute=False, pool=False)
        self._conclude(failed, record)

    def _conclude(self, failed: bool, record: dict[str, Any]) -> None:
        if failed:
            raise CommandError(
                _("De loting klopt NIET met deze bestanden.")
                + " / The lottery does NOT match these files."
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Alles klopt.")
                + " / Everything matches."
                + f" (ticket {record.get('ticket_drawn', '-')})"
            )
        )

    def _read_record(self, path: str) -> dict[str, Any]:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError as error:
            raise CommandError(
                _("%(file)s: dit bestand bestaat niet.") % {"file": path}
                + f"\n{path}: file not found."
            ) from error
        except (UnicodeDecodeError, OSError) as error:
            raise CommandError(
                _("%(file)s: dit bestand kan niet gelezen worden.") % {"file": path}
                + f"\n{path}: cannot read the file ({error})."
            ) from error
        try:
            record: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                _("%(file)s: dit is geen geldig JSON-bestand (regel %(line)s).")
                % {"file": path, "line": error.lineno}
                + f"\n{path}: not valid JSON (line {error.lineno})."
            ) from error
        needed = ("parameters", "distribution", "tickets", "probabilities", "input_sha256")
        missing = [key for key in needed if not isinstance(record, dict) or key not in record]
        if missing or "panel_size" not in record.get("parameters", {}):
            raise CommandError(
                _("%(file)s: dit is geen verslag van een loting (%(missing)s ontbreekt).")
                % {"file": path, "missing": ", ".join(missing) or "panel_size"}
                + f"\n{path}: not a lottery record ({', '.join(missing) or 'panel_size'} missing)."
            )
        return record

    @staticmethod
    def _without_draw(record: dict[str, Any], instance: Instance) -> dict[str, Any]:
        """The record with a stand-in draw, so every check but the draw's can run."""
        return record_draw(record, instance, 0, alternates=0, source="check")

    def _report(self, problems: list[str], *, drawn: bool, recompute: bool, pool: bool) -> bool:
        remaining = list(problems)
        failed = False
        for key, english, starts in CHECKS:
            if key == "draw" and not drawn:
                continue
            if key in NEED_THE_POOL and not pool:
                self.stdout.write(
                    f"--    {_dutch(key)} / {english}: "
                    + _("niet gecontroleerd (daarvoor zijn de aanmelders nodig)")
                    + " (not checked: needs the respondents)"
                )
                continue
            if key == "leximin" and not recompute:
                self.stdout.write(
                    f"--    {_dutch(key)} / {english}: "
                    + _("niet gecontroleerd")
                    + " (not checked, --no-recompute)"
                )
                continue
            mine = [p for p in remaining if p.startswith(starts)]
            remaining = [p for p in remaining if p not in mine]
            if mine:
                failed = True
                self.stdout.write(self.style.ERROR(f"FOUT  {_dutch(key)} / {english}"))
                for problem in mine[:10]:
                    self.stdout.write(f"      {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"OK    {_dutch(key)} / {english}"))
        for problem in remaining:
            failed = True
            self.stdout.write(self.style.ERROR(f"FOUT  {problem}"))
        return failed
