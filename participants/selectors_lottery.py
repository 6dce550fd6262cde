"""Reads for the lottery pages: runs, their results per quota category, the
chart of everyone's selection probability, the draws and the public record.

Everything here works on a run's frozen inputs and its record, never on the
registrations themselves: what the pages show is what anyone can recompute
from the published files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from assembly.models import Assembly
from participants.models import Replacement, SelectionDraw, SelectionRun
from participants.selectors_selection import HOUSEHOLD_COLUMN, ID_COLUMN, quota_labels

# Columns of the frozen pool that are not quota categories.
_NOT_CATEGORIES = {ID_COLUMN, HOUSEHOLD_COLUMN}
# The chart draws at most this many points: enough for a smooth line.
CHART_POINTS = 600
CHART_WIDTH = 640
CHART_HEIGHT = 260
HISTOGRAM_BINS = 10


def selection_run_list(*, assembly: Assembly) -> QuerySet[SelectionRun]:
    """The panel runs of an assembly, newest first, without the heavy columns."""
    return (
        SelectionRun.objects.filter(assembly=assembly, kind=SelectionRun.Kind.PANEL)
        .defer("quotas_csv", "pool_csv", "record")
        .order_by("-created_at", "-id")
    )


def selection_run_for_assembly(*, assembly: Assembly, pk: int) -> SelectionRun | None:
    return SelectionRun.objects.filter(assembly=assembly, pk=pk).first()


def in_published_lottery(*, assembly_id: int, registration_id: int) -> bool:
    """This respondent's row is in the frozen pool of a committed run (a panel
    run, or a replacement's, published when computed): it is public and stays
    there, under its number, after a withdrawal. Someone who registered after
    that run started is not in it (a row starts with its id, as
    selection_runs_remove_respondent reads it)."""
    return SelectionRun.objects.filter(
        assembly_id=assembly_id,
        committed_at__isnull=False,
        pool_csv__contains=f"\n{registration_id},",
    ).exists()


def has_active_run(*, assembly: Assembly) -> bool:
    return SelectionRun.objects.filter(
        assembly=assembly,
        status__in=[SelectionRun.Status.QUEUED, SelectionRun.Status.RUNNING],
    ).exists()


# ------------------------------------------------------------------ the results


@dataclass(frozen=True)
class CategoryRow:
    category: str
    value: str
    pool: int
    min: int
    max: int
    # Sum of the selection probabilities of the respondents with this value:
    # how many panel members with this value the lottery gives on average.
    expected: float
    category_label: str | Promise
    value_label: str | Promise


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def category_table(run: SelectionRun) -> list[CategoryRow]:
    """Per quota value: the pool, the quota and the expected panel."""
    probabilities: dict[str, float] = (run.record or {}).get("probabilities", {})
    pool = _rows(run.pool_csv)
    labels = quota_labels(assembly=run.assembly)
    rows: list[CategoryRow] = []
    for quota in _rows(run.quotas_csv):
        category, value = quota["category"], quota["name"]
        holders = [person[ID_COLUMN] for person in pool if person.get(category) == value]
        rows.append(
            CategoryRow(
                category=category,
                value=value,
                pool=len(holders),
                min=int(quota["min"]),
                max=int(quota["max"]),
                expected=sum(probabilities.get(pid, 0.0) for pid in holders),
                category_label=labels.category(category),
                value_label=labels.value(category, value),
            )
        )
    return rows


def pool_size(run: SelectionRun) -> int:
    return max(0, len([line for line in run.pool_csv.splitlines() if line.strip()]) - 1)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int

    @property
    def low_percent(self) -> float:
        return self.low * 100

    @property
    def high_percent(self) -> float:
        return self.high * 100


@dataclass(frozen=True)
class Chart:
    """Everyone's selection probability, sorted, as an SVG line, with the even share k/n."""

    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    share_y: float  # where the even share k/n is on the vertical axis
    share: float
    top: float  # the probability at the top of the vertical axis
    respondents: int
    ticks: list[tuple[float, float]]  # (y, probability) for the axis labels
    bins: list[Bin]
    below_share: int
    below_tenth_of_share: int
    never: int  # respondents with no chance at all
    median: float
    max: float
    min: float

    @property
    def share_percent(self) -> float:
        return self.share * 100

    @property
    def min_percent(self) -> float:
        return self.min * 100

    @property
    def median_percent(self) -> float:
        return self.median * 100

    @property
    def max_percent(self) -> float:
        return self.max * 100

    @property
    def tick_labels(self) -> list[tuple[float, float]]:
        """(y, probability in percent) for the vertical axis."""
        return [(y, p * 100) for y, p in self.ticks]


def _sample(values: list[float], count: int) -> list[tuple[int, float]]:
    """At most ``count`` (index, value) pairs spread over a sorted list, ends included."""
    if len(values) <= count:
        return list(enumerate(values))
    step = (len(values) - 1) / (count - 1)
    return [(round(i * step), values[round(i * step)]) for i in range(count)]


def probability_chart(run: SelectionRun) -> Chart | None:
    record = run.record or {}
    probabilities = sorted(float(p) for p in record.get("probabilities", {}).values())
    if not probabilities:
        return None
    n = len(probabilities)
    share = run.panel_size / n
    top = max(probabilities[-1], share) * 1.1 or 1.0
    last = max(n - 1, 1)

    def y_of(p: float) -> float:
        return round(CHART_HEIGHT - p / top * CHART_HEIGHT, 2)

    points = " ".join(
        f"{round(i / last * CHART_WIDTH, 2)},{y_of(p)}"
        for i, p in _sample(probabilities, CHART_POINTS)
    )
    ticks = [(y_of(top * f), top * f) for f in (0.0, 0.25, 0.5, 0.75, 1.0)]
    width = top / HISTOGRAM_BINS
    bins = []
    for b in range(HISTOGRAM_BINS):
        low, high = b * width, (b + 1) * width
        last_bin = b == HISTOGRAM_BINS - 1
        count = sum(1 for p in probabilities if low <= p < high or (last_bin and p >= high))
        bins.append(Bin(low=low, high=high, count=count))
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        points=points,
        share_y=y_of(share),
        share=share,
        top=top,
        respondents=n,
        ticks=ticks,
        bins=bins,
        below_share=sum(1 for p in probabilities if p < share - 1e-9),
        below_tenth_of_share=sum(1 for p in probabilities if p < share / 10),
        never=sum(1 for p in probabilities if p <= 0.0),
        median=probabilities[n // 2],
        max=probabilities[-1],
        min=probabilities[0],
    )


@dataclass(frozen=True)
class RunSummary:
    respondents: int
    panel_size: int
    share: float
    min_probability: float | None
    max_probability_change: float | None
    panels: int
    seconds: float | None
    input_sha256: str
    pool_sha256: str
    quotas_sha256: str
    ticket_table_sha256: str
    engine_version: str

    @property
    def share_percent(self) -> float:
        return self.share * 100

    @property
    def min_percent(self) -> float | None:
        return None if self.min_probability is None else self.min_probability * 100

    @property
    def max_change_percent(self) -> float | None:
        change = self.max_probability_change
        return None if change is None else change * 100


def run_summary(run: SelectionRun) -> RunSummary:
    record = run.record or {}
    respondents = pool_size(run)
    return RunSummary(
        respondents=respondents,
        panel_size=run.panel_size,
        share=run.panel_size / respondents if respondents else 0.0,
        min_probability=record.get("min_probability"),
        max_probability_change=record.get("max_probability_change"),
        panels=len(record.get("distribution", [])),
        seconds=record.get("seconds"),
        input_sha256=str(record.get("input_sha256", "")),
        pool_sha256=str(record.get("pool_sha256", "")),
        quotas_sha256=str(record.get("quotas_sha256", "")),
        ticket_table_sha256=str(record.get("ticket_table_sha256", "")),
        engine_version=str(record.get("engine_version", "")),
    )


# ------------------------------------------------------------------------ draws


def current_draw(*, run: SelectionRun) -> SelectionDraw | None:
    return run.draws.filter(superseded_at__isnull=True).first()


def run_draws(*, run: SelectionRun) -> list[SelectionDraw]:
    """All draws of a run, newest first (the current one and the superseded ones)."""
    return list(run.draws.order_by("-drawn_at", "-id"))


def assembly_current_draw(*, assembly: Assembly) -> SelectionDraw | None:
    """The draw the panel stands on: the latest draw of a panel run not superseded
    (None before the first draw)."""
    return (
        SelectionDraw.objects.filter(
            run__assembly=assembly,
            run__kind=SelectionRun.Kind.PANEL,
            superseded_at__isnull=True,
        )
        .select_related("run")
        .order_by("-drawn_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class PublicRun:
    run: SelectionRun
    summary: RunSummary
    current: SelectionDraw | None
    superseded: list[SelectionDraw]


def public_runs(*, assembly: Assembly) -> list[PublicRun]:
    """The committed runs of an assembly with their draws, newest first."""
    runs = (
        SelectionRun.objects.filter(
            assembly=assembly, kind=SelectionRun.Kind.PANEL, committed_at__isnull=False
        )
        .prefetch_related("draws")
        .order_by("-committed_at", "-id")
    )
    result = []
    for run in runs:
        draws = sorted(run.draws.all(), key=lambda d: (d.drawn_at, d.pk), reverse=True)
        current = next((d for d in draws if d.superseded_at is None), None)
        result.append(
            PublicRun(
                run=run,
                summary=run_summary(run),
                current=current,
                superseded=[d for d in draws if d.superseded_at is not None],
            )
        )
    return result


@dataclass(frozen=True)
class PublicReplacement:
    """A replacement's lottery as published: its ticket table from the moment
    it was computed, then the public number, then what became of it."""

    run: SelectionRun
    replacement: Replacement | None
    seats: int
    candidates: int
    min_probability: float | None
    ticket_table_sha256: str
    input_sha256: str
    draw: SelectionDraw | None

    @property
    def min_percent(self) -> float | None:
        return None if self.min_probability is None else self.min_probability * 100


def public_replacements(*, assembly: Assembly) -> list[PublicReplacement]:
    """The published replacement lotteries of an assembly, newest first."""
    runs = (
        SelectionRun.objects.filter(
            assembly=assembly, kind=SelectionRun.Kind.REPLACEMENT, committed_at__isnull=False
        )
        .exclude(record__isnull=True)
        .prefetch_related("draws")
        .order_by("-committed_at", "-id")
    )
    by_run = {
        replacement.run_id: replacement
        for replacement in Replacement.objects.filter(
            assembly=assembly, run__in=[run.pk for run in runs]
        )
    }
    result = []
    for run in runs:
        record = run.record or {}
        draws = list(run.draws.all())
        result.append(
            PublicReplacement(
                run=run,
                replacement=by_run.get(run.pk),
                seats=len(run.dropped),
                candidates=len(record.get("probabilities", {})),
                min_probability=record.get("min_probability"),
                ticket_table_sha256=str(record.get("ticket_table_sha256", "")),
                input_sha256=str(record.get("input_sha256", "")),
                draw=draws[0] if draws else None,
            )
        )
    return result


def public_record(*, run: SelectionRun) -> dict[str, Any]:
    """What is published: the record of the current draw, or the run's record before a draw."""
    draw = current_draw(run=run)
    if draw is not None:
        return dict(draw.record)
    return dict(run.record or {})


@dataclass(frozen=True)
class LegacyComparison:
    """LEXIMIN next to the old method, on the same pool and quotas."""

    leximin_min_percent: float
    legacy_min_percent: float
    leximin_below_tenth: int
    legacy_below_tenth: int
    leximin_never: int
    legacy_never: int
    leximin_max_percent: float
    legacy_max_percent: float


def legacy_comparison(run: SelectionRun, chart: Chart | None) -> LegacyComparison | None:
    summary = run.legacy_summary
    if not summary or chart is None:
        return None
    return LegacyComparison(
        leximin_min_percent=chart.min * 100,
        legacy_min_percent=float(summary["min_probability"]) * 100,
        leximin_below_tenth=chart.below_tenth_of_share,
        legacy_below_tenth=int(summary["below_tenth_of_share"]),
        leximin_never=chart.never,
        legacy_never=int(summary["never_selected"]),
        leximin_max_percent=chart.max * 100,
        legacy_max_percent=float(summary["max_probability"]) * 100,
    )
