"""The "Overzicht" page: how the assembly is doing, in counts only.

Organisers, the chair and the griffie all see the same figures; none of them
names or describes a person, so the page needs no per-role filtering. The
number of queries is fixed, whatever the size of the assembly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly
from participants.models import (
    Invitation,
    InvitationDraw,
    PanelMember,
    PoolPurge,
    Registration,
)
from participants.selectors_attendance import attendance_per_weekend
from participants.selectors_money import open_claims_count
from recommendations.models import Recommendation

# Chart geometry (SVG user units); the SVG scales to the width of the screen.
# Each label has a line of its own above its bar, so a long label ("Beschikbaar
# voor de loting", or its English) is shown whole instead of cut off at the
# left edge, and the bars keep the whole width.
CHART_WIDTH = 640
LABEL_LINE = 20
BAR_HEIGHT = 22
BAR_GAP = 12
VALUE_ROOM = 90
ROW_HEIGHT = LABEL_LINE + BAR_HEIGHT + BAR_GAP


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the value as shown next to the bar
    label_y: int
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]


def bar_chart(items: list[tuple[str, int, str]], *, top: int | None = None) -> BarChart:
    """Horizontal bars for (label, value, shown text); ``top`` is the value of a full bar."""
    biggest = top if top else max((value for _l, value, _t in items), default=0)
    room = CHART_WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value, text) in enumerate(items):
        row_top = index * ROW_HEIGHT
        y = row_top + LABEL_LINE
        width = round(room * value / biggest) if biggest else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                text=text,
                label_y=row_top + LABEL_LINE - 6,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT // 2 + 5,
                value_x=width + 6,
            )
        )
    height = len(items) * ROW_HEIGHT
    return BarChart(width=CHART_WIDTH, height=height, bars=tuple(bars))


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    percent_of_previous: float | None


@dataclass(frozen=True)
class WeekendBar:
    number: int
    title: str
    starts_on: dt.date
    present: int
    expected: int
    is_past: bool
    recorded: bool

    @property
    def percent(self) -> float | None:
        return 100 * self.present / self.expected if self.expected else None


@dataclass(frozen=True)
class Overview:
    funnel: tuple[FunnelStep, ...]
    funnel_chart: BarChart
    weekends: tuple[WeekendBar, ...]
    attendance_chart: BarChart
    open_claims: int
    recommendations: tuple[tuple[str, str, int], ...]  # status, label, count
    recommendations_total: int


def _funnel(assembly: Assembly, attending: int) -> tuple[FunnelStep, ...]:
    invitations = Invitation.objects.filter(assembly=assembly).aggregate(
        drawn=Count("id"), invited=Count("id", filter=~Q(status=Invitation.Status.DRAWN))
    )
    letters = (
        InvitationDraw.objects.filter(
            assembly=assembly, status=InvitationDraw.Status.DONE
        ).aggregate(n=Sum("requested"))["n"]
        or 0
    )
    purged = (
        PoolPurge.objects.filter(assembly=assembly).aggregate(n=Sum("registrations_erased"))["n"]
        or 0
    )
    registered = Registration.objects.filter(assembly=assembly).count() + purged
    panel = PanelMember.objects.filter(assembly=assembly).aggregate(
        selected=Count("id", filter=Q(kind=PanelMember.Kind.MEMBER)),
        confirmed=Count("id", filter=Q(status=PanelMember.Status.CONFIRMED)),
    )
    # After the pool is purged the invitation rows of others are gone; the draw keeps the count.
    drawn = max(invitations["drawn"], int(letters))
    invited = max(invitations["invited"], int(letters) if invitations["drawn"] < letters else 0)
    steps = [
        ("drawn", _("Getrokken adressen"), drawn),
        ("invited", _("Uitgenodigd"), invited),
        ("registered", _("Aangemeld"), registered),
        ("selected", _("Ingeloot"), panel["selected"]),
        ("confirmed", _("Doet mee"), panel["confirmed"]),
        ("attending", _("Aanwezig op het laatste weekend"), attending),
    ]
    result = []
    previous: int | None = None
    for key, label, count in steps:
        percent = 100 * count / previous if previous else None
        result.append(FunnelStep(key=key, label=label, count=count, percent_of_previous=percent))
        previous = count
    return tuple(result)


def overview(*, assembly: Assembly, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    weekends = tuple(
        WeekendBar(
            number=a.weekend.number,
            title=a.weekend.title,
            starts_on=a.weekend.starts_on,
            present=a.present,
            expected=a.expected,
            is_past=a.is_past,
            recorded=a.recorded,
        )
        for a in attendance_per_weekend(assembly=assembly, today=today)
    )
    recorded = [w for w in weekends if w.recorded]
    attending = recorded[-1].present if recorded else 0
    funnel = _funnel(assembly, attending)
    counts = {
        row["status"]: row["n"]
        for row in Recommendation.objects.filter(assembly=assembly)
        .values("status")
        .annotate(n=Count("id"))
    }
    recommendations = tuple(
        (value, str(label), counts.get(value, 0))
        for value, label in Recommendation.Status.choices
        if counts.get(value)
    )
    top = max((w.expected for w in weekends), default=0)
    attendance_chart = bar_chart(
        [
            (
                _("Weekend %(number)s") % {"number": w.number},
                w.present,
                f"{w.present} / {w.expected}" if w.recorded else _("nog niet"),
            )
            for w in weekends
        ],
        top=top,
    )
    funnel_chart = bar_chart([(s.label, s.count, str(s.count)) for s in funnel])
    return Overview(
        funnel=funnel,
        funnel_chart=funnel_chart,
        weekends=weekends,
        attendance_chart=attendance_chart,
        open_claims=open_claims_count(assembly),
        recommendations=recommendations,
        recommendations_total=sum(counts.values()),
    )
