"""Allowances and claims for the demo assembly: the rules of the current
year (copied from 2025 and marked as such when missing), the day allowances
computed from the demo check-ins, those of earlier weekends approved, and a
handful of claims in every status from the demo members (one with a small
PNG receipt, one with a PDF, one above the four-eyes limit waiting for a
second organiser).

Deterministic and idempotent: a second run adds no claims and recomputes
nothing that changed.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db import transaction

from assembly.models import AllowanceYear, Assembly, User
from participants.models import CheckIn, ExpenseClaim, PanelMember
from participants.receipts import CheckedReceipt, receipt_check_bytes
from participants.services import allowances as allowance_services
from participants.services import claims as services
from sessions.models import Weekend

DEMO_RULES_SOURCE = "Demo: bedragen van 2025 overgenomen — controleer de regels van 2026"
COPIED_FROM = 2025


def _rules_for(year: int) -> None:
    if AllowanceYear.objects.filter(year=year).exists():
        return
    base = AllowanceYear.objects.filter(year=COPIED_FROM).first()
    if base is None:
        return
    AllowanceYear.objects.create(
        year=year,
        day_allowance=base.day_allowance,
        hourly_cap=base.hourly_cap,
        hourly_cap_under_21=base.hourly_cap_under_21,
        monthly_cap=base.monthly_cap,
        yearly_cap=base.yearly_cap,
        km_rate=base.km_rate,
        source=DEMO_RULES_SOURCE.replace("2026", str(year)),
    )


def _png_receipt() -> CheckedReceipt:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), "NS - Utrecht Centraal", fill=(0, 0, 0))
    draw.text((10, 40), "Enkele reis 2e klas", fill=(0, 0, 0))
    draw.text((10, 70), "EUR 8,40", fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return receipt_check_bytes(buffer.getvalue())


def _pdf_receipt() -> CheckedReceipt:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    page.drawString(72, 760, "Kinderopvang De Vlinder - factuur")
    page.drawString(72, 740, "Opvang op zaterdag, 8 uur: EUR 64,00")
    page.save()
    return receipt_check_bytes(buffer.getvalue())


def _attended_day(member: PanelMember, weekend: Weekend) -> dt.date | None:
    return (
        CheckIn.objects.filter(member=member, weekend=weekend)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )


@transaction.atomic
def demo_allowances_seed(assembly: Assembly, *, today: dt.date, organiser: User) -> None:
    """Seed the demo's allowances and claims; see the module docstring."""
    years = set(
        CheckIn.objects.filter(member__assembly=assembly).values_list("day__year", flat=True)
    ) | {today.year}
    for year in sorted(years):
        _rules_for(year)
    allowance_services.allowances_compute(assembly=assembly, actor=organiser)
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    past = [w for w in weekends if w.ends_on < today]
    # The latest weekend that is over waits for approval, so the page has work.
    for weekend in past[:-1]:
        allowance_services.allowances_approve(assembly=assembly, weekend=weekend, actor=organiser)
    if ExpenseClaim.objects.filter(member__assembly=assembly).exists() or not past:
        return
    _seed_claims(assembly, past, organiser)


def _seed_claims(assembly: Assembly, past: list[Weekend], organiser: User) -> None:
    # Members with a login first: they can see their own claims in the demo.
    members = list(
        PanelMember.objects.filter(
            assembly=assembly, kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.CONFIRMED
        ).order_by("registration_id")
    )
    # The demo's member logins were made before the rest of the panel: their
    # users come first, so they can open their own claims.
    members.sort(key=lambda m: (m.user_id is None, m.user_id or 0, m.registration_id))
    latest, earlier = past[-1], past[0]
    plan = [
        # (weekend, kind, amount, kilometres, receipt, description, outcome)
        (latest, "public_transport", "12.10", None, "png", "Bus en trein", "needs_info"),
        (latest, "public_transport", "8.40", None, "png", "Trein heen", "submitted"),
        (latest, "car", None, "84", None, "", "approved"),
        (latest, "overnight", "289.00", None, "pdf", "Hotel bij de Jaarbeurs", "first_approval"),
        (earlier, "childcare", "64.00", None, "pdf", "Oppas zaterdag", "approved"),
        (latest, "other", "4.50", None, "png", "Parkeren", "rejected"),
    ]
    receipts = {"png": _png_receipt(), "pdf": _pdf_receipt()}
    used = 0
    for weekend, kind, amount, km, receipt, description, outcome in plan:
        member, day = None, None
        while used < len(members):
            candidate = members[used]
            used += 1
            day = _attended_day(candidate, weekend)
            if day is not None:
                member = candidate
                break
        if member is None or day is None:
            return
        claim = services.claim_submit(
            member=member,
            data=services.ClaimInput(
                kind=kind,
                day=day,
                amount=Decimal(amount) if amount else None,
                kilometres=Decimal(km) if km else None,
                description=description,
                receipt=receipts[receipt] if receipt else None,
            ),
            actor=member.user,
        )
        if outcome in ("approved", "first_approval"):
            # The demo has one organiser login: a claim above the limit waits
            # for the second approver (another organiser).
            services.claim_approve(claim=claim, actor=organiser)
        elif outcome == "rejected":
            services.claim_reject(
                claim=claim,
                actor=organiser,
                reason="Parkeerkosten vergoeden wij niet. U kunt gratis parkeren bij de locatie.",
            )
        elif outcome == "needs_info":
            services.claim_ask(
                claim=claim,
                actor=organiser,
                message="Op de foto kunnen wij het bedrag niet lezen. Stuurt u een scherpere foto?",
            )
