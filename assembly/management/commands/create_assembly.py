from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assembly.models import Assembly
from assembly.services import assembly_create


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("Ongeldige datum %(value)s: gebruik JJJJ-MM-DD. / Invalid date: use YYYY-MM-DD.")
            % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = "Create an empty assembly (for scripting; organisers use the site)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--name-en", default="", help="The name for English readers.")
        parser.add_argument("--question", default="")
        parser.add_argument("--question-en", default="", help="The question for English readers.")
        parser.add_argument("--members", type=int, default=175)
        parser.add_argument("--alternates", type=int, default=25)
        parser.add_argument("--min-age", type=int, default=16)
        parser.add_argument("--first-weekend", required=True, type=_date)

    def handle(self, *args: Any, **options: Any) -> None:
        if Assembly.objects.filter(slug=options["slug"]).exists():
            raise CommandError(
                _("Er bestaat al een burgerberaad met de korte naam %(slug)s. "
                  "/ An assembly with this slug exists.") % {"slug": options["slug"]}
            )
        if options["members"] < 1:
            raise CommandError(_("--members moet 1 of meer zijn. / --members must be 1 or more."))
        assembly = assembly_create(
            slug=options["slug"],
            name=options["name"],
            name_en=options["name_en"],
            question=options["question"],
            question_en=options["question_en"],
            members_target=options["members"],
            alternates_target=options["alternates"],
            min_age=options["min_age"],
            first_weekend=options["first_weekend"],
        )
        self.stdout.write(f"{assembly.slug} (id {assembly.pk})")
