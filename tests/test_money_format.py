"""Amounts in euros are written the Dutch way everywhere: € 11.464,60, with
the thousands point, as on the payments page and in the PDFs (statements.euro).
Django's floatformat groups thousands only when asked ("2g")."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from participants.statements import euro

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
UNGROUPED = re.compile(r"floatformat:2\b(?!g)")


def test_no_template_writes_an_amount_in_euros_without_the_thousands_point() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "€" in line and UNGROUPED.search(line)
    ]
    assert found == []


def test_grouped_amounts_read_as_on_the_payments_page() -> None:
    template = Template('€ {{ amount|floatformat:"2g" }}')
    with translation.override("nl"):
        shown = template.render(Context({"amount": Decimal("11464.6")}))
        assert shown == "€ 11.464,60" == euro(Decimal("11464.6"))
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("11464.6")})) == "€ 11,464.60"
