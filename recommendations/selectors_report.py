"""The content of the report to the Tweede Kamer, gathered once into plain
dataclasses that the HTML page, the PDF and the open-data ZIP all render.

Everything here is public once the report is published: aggregates, the
programme, the experts (name, organisation, perspective, declared interests:
what the public expert page already shows), public materials, the results,
and the names of the members who opted in to be named (PanelMember.named_publicly).
Nothing else about a member is ever read into these dataclasses, so no renderer
can leak it.

The number of queries does not grow with the assembly: every list is one
query (or one query plus a fixed number of prefetches).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone

from assembly.models import Assembly, Role, RoleKind
from participants.models import (
    CheckIn,
    InvitationDraw,
    PanelMember,
    PoolPurge,
    Registration,
)
from participants.selectors_attendance import attendance_per_weekend, members_taking_part_on
from participants.selectors_lottery import assembly_current_draw
from participants.selectors_money import money_totals_per_weekend
from participants.selectors_selection import (
    pool_check,
    quota_categories,
    quota_list,
    quota_table,
    respondent_features,
)
from participants.services.quotas import shares_read
from recommendations.models import Minutes, ProgressReport, Recommendation, VotingRule
from recommendations.models.ballots import Threshold
from recommendations.selectors_results import (
    RecommendationResult,
    assembly_results,
    percentage,
)
from sessions.models import Expert, Material, MaterialVersion, Session, Weekend

# A recommendation belongs in the report once its text is final.
REPORTED_STATUSES = (
    Recommendation.Status.FINAL,
    Recommendation.Status.BALLOTED,
    Recommendation.Status.ADOPTED,
    Recommendation.Status.NOT_ADOPTED,
)
# Members who stayed on the panel or left it after taking part.
TAKING_PART = (PanelMember.Status.CONFIRMED, PanelMember.Status.WITHDRAWN)


def rounded(value: float | Decimal, digits: int = 1) -> Decimal:
    """A percentage as the report shows it in every format (HTML, PDF, ZIP):
    rounded half up to ``digits`` decimals, so the three never differ."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class SessionLine:
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    kind: str
    kind_label: str
    topic: str
    experts: tuple[str, ...]


@dataclass(frozen=True)
class WeekendLine:
    number: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    city: str
    present: int
    expected: int
    is_past: bool
    sessions: tuple[SessionLine, ...]

    @property
    def briefings(self) -> int:
        return sum(1 for s in self.sessions if s.kind == Session.Kind.BRIEFING)

    @property
    def attendance_percent(self) -> float | None:
        return 100 * self.present / self.expected if self.expected else None


@dataclass(frozen=True)
class ExpertLine:
    name: str
    organisation: str
    role_title: str
    perspective: str
    interests: str
    briefings: int


@dataclass(frozen=True)
class MaterialLine:
    title: str
    kind_label: str
    weekend: int | None
    expert: str
    summary: str
    url: str


@dataclass(frozen=True)
class CompositionRow:
    category: str
    category_label: str
    value: str
    value_label: str
    population_share: float | None  # 0..1, None when no share is known
    target_min: int
    target_max: int
    pool: int
    members: int

    @property
    def population_percent(self) -> float | None:
        return None if self.population_share is None else 100 * self.population_share


@dataclass(frozen=True)
class CompositionCategory:
    key: str
    label: str
    rows: tuple[CompositionRow, ...]
    members_total: int

    def member_percent(self, row: CompositionRow) -> float:
        return 100 * row.members / self.members_total if self.members_total else 0.0

    @property
    def rows_with_percent(self) -> tuple[tuple[CompositionRow, Decimal], ...]:
        """Each row with its share of the members, rounded as everywhere in the report."""
        return tuple((row, rounded(self.member_percent(row))) for row in self.rows)


@dataclass(frozen=True)
class Lottery:
    letters_sent: int
    registrations: int
    pool_size: int
    panel_size: int
    min_probability: float | None
    draw_number: int | None
    ticket: int | None
    how_drawn: str
    drawn_at: dt.datetime | None
    input_sha256: str
    engine_version: str
    verify_url: str
    # The draw's complete public record (as on the lottery's public page): with
    # the pool and quota files anyone can recompute the draw.
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def response_percent(self) -> float | None:
        return 100 * self.registrations / self.letters_sent if self.letters_sent else None

    @property
    def min_probability_percent(self) -> float | None:
        return None if self.min_probability is None else 100 * self.min_probability


@dataclass(frozen=True)
class MinorityLine:
    text: str
    supporters: int | None


@dataclass(frozen=True)
class RemovedMinorityLine:
    """That the chair took a minority statement out, when and why; never its
    text (the public results page says the same)."""

    removed_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class ResponseChangeLine:
    """That the recorded response of the government was corrected or
    withdrawn, when and why (the tracker says the same)."""

    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class RecommendationLine:
    number: int
    title: str
    text: str
    rationale: str
    topic: str
    status: str
    status_label: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    support_percent: float | None  # rounded down to one decimal, as on the results page
    threshold_label: str
    abstentions_count: bool
    adopted: bool | None
    counts_hash: str
    minority: tuple[MinorityLine, ...]
    response_status: str
    response_text: str
    removed_minority: tuple[RemovedMinorityLine, ...] = ()
    # As on the public results page: a later correction of the count and its
    # reason, and the invalid ballots that did not count.
    corrected: bool = False
    correction_reason: str = ""
    votes_invalid: int = 0
    # The current response's corrections, and responses withdrawn as entered
    # for the wrong recommendation (not their text).
    response_corrections: tuple[ResponseChangeLine, ...] = ()
    responses_withdrawn: tuple[ResponseChangeLine, ...] = ()

    @property
    def voted(self) -> bool:
        return self.votes_for is not None

    @property
    def support_label(self) -> str:
        """'85,7%' in the reader's number format; '–' when nobody voted for or against."""
        if self.support_percent is None:
            return "–"
        return f"{formats.number_format(self.support_percent, 1)}%"


@dataclass(frozen=True)
class SetAsideLine:
    """A recommendation the plenary saw that was withdrawn or merged into
    another: no vote, but the public results page lists it, so the report does."""

    number: int
    title: str
    status: str
    status_label: str
    withdrawn_reason: str
    merged_into_number: int | None


@dataclass(frozen=True)
class RoundLine:
    number: int
    counts: tuple[tuple[str, int], ...]
    eliminated: tuple[str, ...]
    # Ballots with no option left in the count: with these, every round adds up.
    exhausted: int = 0

    def with_exhausted(self, label: str) -> tuple[tuple[str, int], ...]:
        """The counts, and the exhausted ballots as one more row where there are any."""
        return self.counts + (((label, self.exhausted),) if self.exhausted else ())


@dataclass(frozen=True)
class RankedLine:
    number: int
    title: str
    question: str
    options: tuple[str, ...]
    rounds: tuple[RoundLine, ...]
    winner: str


@dataclass(frozen=True)
class CostLine:
    weekend: int | None
    title: str
    allowances: Decimal
    expenses: Decimal

    @property
    def total(self) -> Decimal:
        return self.allowances + self.expenses


@dataclass(frozen=True)
class MinutesLine:
    weekend: int
    title: str
    body: str


@dataclass(frozen=True)
class FinalReport:
    slug: str
    name: str
    question: str
    mandate: str
    commissioned_by: str
    organisers: tuple[str, ...]
    chairs: tuple[str, ...]
    first_weekend: dt.date
    period_end: dt.date | None
    generated_at: dt.datetime
    weekends: tuple[WeekendLine, ...]
    experts: tuple[ExpertLine, ...]
    materials: tuple[MaterialLine, ...]
    composition: tuple[CompositionCategory, ...]
    lottery: Lottery
    members_total: int
    recommendations: tuple[RecommendationLine, ...]
    ranked: tuple[RankedLine, ...]
    costs: tuple[CostLine, ...]
    minutes: tuple[MinutesLine, ...]
    named_members: tuple[str, ...]
    threshold_label: str
    set_aside: tuple[SetAsideLine, ...] = ()

    @property
    def adopted(self) -> int:
        return sum(1 for r in self.recommendations if r.adopted)

    @property
    def not_adopted(self) -> int:
        return sum(1 for r in self.recommendations if r.adopted is False)

    @property
    def briefings(self) -> int:
        return sum(w.briefings for w in self.weekends)

    @property
    def cost_total(self) -> CostLine:
        return CostLine(
            weekend=None,
            title="",
            allowances=sum((c.allowances for c in self.costs), Decimal("0")),
            expenses=sum((c.expenses for c in self.costs), Decimal("0")),
        )


# ------------------------------------------------------------------ helpers


def _person(user: Any) -> str:
    return str(getattr(user, "full_name", "") or "").strip()


def _staff_names(assembly: Assembly) -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    roles = (
        Role.objects.filter(assembly=assembly, kind__in=(RoleKind.ORGANISER, RoleKind.CHAIR))
        .select_related("user")
        .order_by("kind", "user__full_name", "pk")
    )
    for role in roles:
        name = _person(role.user)
        if name and name not in names[role.kind]:
            names[role.kind].append(name)
    return names


def _weekends(
    assembly: Assembly, today: dt.date, *, public: bool = False
) -> tuple[WeekendLine, ...]:
    """``public``: for the final report, which the Kamer publishes: an expert
    is named only on a published programme, as on the public pages."""
    attendance = {a.weekend.pk: a for a in attendance_per_weekend(assembly=assembly, today=today)}
    weekends = Weekend.objects.filter(assembly=assembly).prefetch_related(
        Prefetch(
            "sessions",
            # A cancelled session did not take place: not in the programme, not a briefing.
            queryset=Session.objects.filter(cancelled_at__isnull=True)
            .order_by("starts_at", "position", "pk")
            .prefetch_related("experts"),
        )
    )
    lines = []
    for weekend in weekends.order_by("number"):
        seen = attendance.get(weekend.pk)
        lines.append(
            WeekendLine(
                number=weekend.number,
                title=weekend.title,
                starts_on=weekend.starts_on,
                ends_on=weekend.ends_on,
                venue=weekend.venue_name,
                city=weekend.city,
                present=seen.present if seen else 0,
                expected=seen.expected if seen else 0,
                is_past=weekend.ends_on < today,
                sessions=tuple(
                    SessionLine(
                        starts_at=s.starts_at,
                        ends_at=s.ends_at,
                        title=s.title,
                        kind=s.kind,
                        kind_label=str(s.get_kind_display()),
                        topic=s.topic,
                        experts=tuple(e.name for e in s.experts.all())
                        if weekend.published_at is not None or not public
                        else (),
                    )
                    for s in weekend.sessions.all()
                ),
            )
        )
    return tuple(lines)


def _experts(assembly: Assembly) -> tuple[ExpertLine, ...]:
    """The experts of the published programme, as on the public expert page
    (sessions.selectors_materials.expert_public_list): one the organiser
    entered but never put on a published weekend may not have agreed to come,
    and the Kamer publishes this report."""
    on_programme = Session.objects.filter(
        weekend__assembly=assembly,
        weekend__published_at__isnull=False,
        cancelled_at__isnull=True,
    ).values("experts")
    experts = (
        Expert.objects.filter(assembly=assembly, pk__in=on_programme)
        .select_related("perspective")
        .annotate(
            briefings=Count(
                "sessions",
                filter=Q(
                    sessions__kind=Session.Kind.BRIEFING, sessions__cancelled_at__isnull=True
                ),
                distinct=True,
            )
        )
        .order_by("perspective__position", "perspective__id", "name", "pk")
    )
    return tuple(
        ExpertLine(
            name=e.name,
            organisation=e.organisation,
            role_title=e.role_title,
            perspective=e.perspective.name if e.perspective else "",
            interests=e.interests,
            briefings=e.briefings,
        )
        for e in experts
    )


def material_public_url(material: Material, version: MaterialVersion | None) -> str:
    if version is None:
        return ""
    if version.url and not version.file:
        return version.url
    path = reverse(
        "programme:material_download",
        kwargs={"slug": material.assembly.slug, "pk": material.pk, "number": version.number},
    )
    return f"{settings.SITE_URL}{path}"


def _materials(assembly: Assembly) -> tuple[MaterialLine, ...]:
    materials = (
        Material.objects.filter(assembly=assembly, status=Material.Status.PUBLIC)
        .select_related("weekend", "expert", "assembly")
        .prefetch_related(
            Prefetch("versions", queryset=MaterialVersion.objects.order_by("-number"))
        )
        .order_by("weekend__number", "title", "pk")
    )
    lines = []
    for material in materials:
        versions = list(material.versions.all())
        lines.append(
            MaterialLine(
                title=material.title,
                kind_label=str(material.get_kind_display()),
                weekend=material.weekend.number if material.weekend else None,
                expert=material.expert.name if material.expert else "",
                summary=material.summary,
                url=material_public_url(material, versions[0] if versions else None),
            )
        )
    return tuple(lines)


def _pool_counts(assembly: Assembly) -> dict[str, dict[str, int]]:
    """Respondents per quota value: from the pool, or from the purge record once
    the pool's personal data is gone."""
    purge = PoolPurge.objects.filter(assembly=assembly).order_by("-purged_at").first()
    if purge is not None and purge.pool_counts:
        return {
            k: {v: int(n) for v, n in values.items()} for k, values in purge.pool_counts.items()
        }
    return {c.key: {v.value: v.count for v in c.values} for c in pool_check(assembly=assembly)}


def took_part_ids(assembly: Assembly) -> set[int]:
    """Members checked in at least once; before any check-in, the confirmed members."""
    attended = set(
        CheckIn.objects.filter(member__assembly=assembly).values_list("member_id", flat=True)
    )
    if attended:
        return attended
    return set(
        PanelMember.objects.filter(
            assembly=assembly, status=PanelMember.Status.CONFIRMED
        ).values_list("pk", flat=True)
    )


def _composition(assembly: Assembly, ids: set[int]) -> tuple[tuple[CompositionCategory, ...], int]:
    quotas = list(quota_list(assembly=assembly))
    table = quota_table(quotas)
    labels = {c.key: c for c in quota_categories(assembly=assembly)}
    shares = {(s.category, s.value): s.share for s in shares_read()}
    pool = _pool_counts(assembly)
    members_by: dict[str, dict[str, int]] = {category: defaultdict(int) for category in table}
    registrations = Registration.objects.filter(panel_member__pk__in=ids).only(
        "birth_date",
        "gender",
        "education",
        "province",
        "urbanisation",
        "migration_background",
        "attitude_answers",
    )
    for registration in registrations:
        features = respondent_features(registration, table, assembly.first_weekend)
        for category, value in features.items():
            members_by[category][value] += 1
    categories = []
    for key in table:
        known = labels.get(key)
        value_labels = dict(known.values) if known else {}
        rows = tuple(
            CompositionRow(
                category=key,
                category_label=str(known.label) if known else key,
                value=q.value,
                value_label=str(value_labels.get(q.value, q.value)),
                population_share=shares.get((key, q.value)),
                target_min=q.min,
                target_max=q.max,
                pool=pool.get(key, {}).get(q.value, 0),
                members=members_by[key].get(q.value, 0),
            )
            for q in quotas
            if q.category == key
        )
        categories.append(
            CompositionCategory(
                key=key,
                label=str(known.label) if known else key,
                rows=rows,
                members_total=len(ids),
            )
        )
    return tuple(categories), len(ids)


def _lottery(assembly: Assembly) -> Lottery:
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
    registrations = Registration.objects.filter(assembly=assembly).count() + purged
    draw = assembly_current_draw(assembly=assembly)
    record: dict[str, Any] = dict(draw.record) if draw else {}
    run_record: dict[str, Any] = dict(draw.run.record or {}) if draw else {}
    pool_size = int(record.get("respondents") or run_record.get("respondents") or 0)
    if not pool_size and draw is not None:
        pool_size = len(run_record.get("probabilities", {}))
    verify = reverse("participants:lottery_public", kwargs={"slug": assembly.slug}) if draw else ""
    return Lottery(
        letters_sent=int(letters),
        registrations=registrations,
        pool_size=pool_size,
        panel_size=draw.run.panel_size if draw else 0,
        min_probability=record.get("min_probability", run_record.get("min_probability")),
        draw_number=draw.number if draw else None,
        ticket=draw.ticket if draw else None,
        how_drawn=draw.how_drawn if draw else "",
        drawn_at=draw.drawn_at if draw else None,
        input_sha256=str(record.get("input_sha256", run_record.get("input_sha256", ""))),
        engine_version=str(record.get("engine_version", run_record.get("engine_version", ""))),
        verify_url=f"{settings.SITE_URL}{verify}" if verify else "",
        record=record,
    )


def _threshold_label(value: str) -> str:
    return str(dict(Threshold.choices).get(value, value)) if value else ""


def _recommendation_line(result: RecommendationResult) -> RecommendationLine:
    ballot = result.ballot
    adopted = ballot.adopted if ballot else None
    if ballot is None and result.status == Recommendation.Status.ADOPTED:
        adopted = True
    elif ballot is None and result.status == Recommendation.Status.NOT_ADOPTED:
        adopted = False
    support = percentage(ballot.share_for) if ballot else None
    response = result.response
    return RecommendationLine(
        number=result.number,
        title=result.title,
        text=result.text,
        rationale=result.rationale,
        topic=result.topic,
        status=result.status,
        status_label=result.status_label,
        votes_for=ballot.votes_for if ballot else None,
        votes_against=ballot.votes_against if ballot else None,
        votes_abstain=ballot.votes_abstain if ballot else None,
        support_percent=float(support) if support is not None else None,
        threshold_label=ballot.threshold_label if ballot else "",
        abstentions_count=ballot.abstentions_count if ballot else False,
        adopted=adopted,
        counts_hash=ballot.counts_hash if ballot else "",
        minority=tuple(
            MinorityLine(text=m.text, supporters=m.supporters) for m in result.minority_statements
        ),
        removed_minority=tuple(
            RemovedMinorityLine(removed_at=m.removed_at, reason=m.reason)
            for m in result.removed_minority_statements
        ),
        response_status=response.status_label if response else "",
        response_text=response.text if response else "",
        corrected=ballot.corrected if ballot else False,
        correction_reason=ballot.correction_reason if ballot else "",
        votes_invalid=ballot.invalid if ballot else 0,
        response_corrections=tuple(
            ResponseChangeLine(at=c.corrected_at, reason=c.reason)
            for c in (response.corrections if response else ())
        ),
        responses_withdrawn=tuple(
            ResponseChangeLine(at=w.withdrawn_at, reason=w.reason)
            for w in result.withdrawn_responses
        ),
    )


def _results(
    assembly: Assembly,
) -> tuple[tuple[RecommendationLine, ...], tuple[RankedLine, ...], tuple[SetAsideLine, ...]]:
    """Reuses the record's reading of results (recommendations/selectors_results.py),
    so the report and the public results page can never disagree."""
    results = assembly_results(assembly=assembly, decided_only=False)
    ordered = sorted(results.recommendations, key=lambda r: r.number)
    lines = tuple(
        _recommendation_line(r)
        for r in ordered
        if r.ballot is not None or r.status in REPORTED_STATUSES
    )
    set_aside = tuple(
        SetAsideLine(
            number=r.number,
            title=r.title,
            status=r.status,
            status_label=r.status_label,
            withdrawn_reason=r.withdrawn_reason,
            merged_into_number=r.merged_into_number,
        )
        for r in ordered
        if r.ballot is None and r.set_aside
    )
    ranked = tuple(
        RankedLine(
            number=b.number,
            title=b.title,
            question=b.question,
            options=tuple(b.options),
            rounds=tuple(
                RoundLine(
                    number=rnd.number,
                    counts=tuple(sorted(rnd.counts, key=lambda pair: (-pair[1], pair[0]))),
                    eliminated=tuple(rnd.eliminated),
                    exhausted=rnd.exhausted,
                )
                for rnd in b.rounds
            ),
            winner=b.winner,
        )
        for b in results.ranked
    )
    return lines, ranked, set_aside


def costs_per_weekend(assembly: Assembly) -> tuple[CostLine, ...]:
    """Allowances and approved expenses per weekend, from the money helper
    (participants/selectors_money.py); never per member."""
    return tuple(
        CostLine(
            weekend=line.weekend.number,
            title=line.weekend.title,
            allowances=line.allowances,
            expenses=line.expenses,
        )
        for line in money_totals_per_weekend(assembly)
    )


def _minutes(assembly: Assembly) -> tuple[MinutesLine, ...]:
    minutes = (
        Minutes.objects.filter(assembly=assembly, approved_at__isnull=False)
        .select_related("weekend", "session")
        .order_by("weekend__number", "session__starts_at", "pk")
    )
    return tuple(MinutesLine(weekend=m.weekend.number, title=m.title, body=m.body) for m in minutes)


def _named_members(assembly: Assembly, took_part: set[int]) -> tuple[str, ...]:
    """Named as members who took part: only those who did (someone who opted in
    and stopped before the first weekend was never a member of the assembly)."""
    members = (
        PanelMember.objects.filter(
            assembly=assembly, named_publicly=True, status__in=TAKING_PART, pk__in=took_part
        )
        .select_related("registration")
        .only("registration__full_name")
        .order_by("registration__full_name", "pk")
    )
    return tuple(m.registration.full_name for m in members if m.registration.full_name)


def _assembly_threshold(assembly: Assembly) -> str:
    rule = VotingRule.objects.filter(assembly=assembly).first()
    return _threshold_label(rule.threshold if rule else Threshold.THREE_QUARTERS)


# ------------------------------------------------------------------ the report


def final_report(*, assembly: Assembly, today: dt.date | None = None) -> FinalReport:
    """Everything the final report shows, read in a fixed number of queries."""
    today = today or timezone.localdate()
    staff = _staff_names(assembly)
    took_part = took_part_ids(assembly)
    composition, members_total = _composition(assembly, took_part)
    recommendations, ranked, set_aside = _results(assembly)
    return FinalReport(
        slug=assembly.slug,
        name=assembly.name,
        question=assembly.question,
        mandate=assembly.mandate,
        commissioned_by=assembly.commissioned_by,
        organisers=tuple(staff.get(RoleKind.ORGANISER, [])),
        chairs=tuple(staff.get(RoleKind.CHAIR, [])),
        first_weekend=assembly.first_weekend,
        period_end=assembly.period_end,
        generated_at=timezone.now(),
        weekends=_weekends(assembly, today, public=True),
        experts=_experts(assembly),
        materials=_materials(assembly),
        composition=composition,
        lottery=_lottery(assembly),
        members_total=members_total,
        recommendations=recommendations,
        ranked=ranked,
        costs=costs_per_weekend(assembly),
        minutes=_minutes(assembly),
        named_members=_named_members(assembly, took_part),
        threshold_label=_assembly_threshold(assembly),
        set_aside=set_aside,
    )


# ------------------------------------------------------------ progress report


@dataclass(frozen=True)
class ProgressContent:
    slug: str
    name: str
    weekend: WeekendLine
    summary: str
    next_steps: str
    published_at: dt.datetime | None
    dropped: int  # members who stopped since the previous weekend
    replaced: int  # alternates who joined since the previous weekend
    members_now: int  # members taking part on members_on, the weekend's last day
    members_on: dt.date
    next_weekend: WeekendLine | None
    recommendations_by_status: tuple[tuple[str, int], ...]
    generated_at: dt.datetime = field(default_factory=timezone.now)


def progress_report_get(*, weekend: Weekend) -> ProgressReport | None:
    return ProgressReport.objects.filter(weekend=weekend).first()


def progress_content(
    *, assembly: Assembly, number: int, today: dt.date | None = None
) -> ProgressContent:
    """The progress report after weekend ``number``: the secretariat's words and
    the figures from the data."""
    today = today or timezone.localdate()
    weekends = _weekends(assembly, today)
    line = next(w for w in weekends if w.number == number)
    following = next((w for w in weekends if w.number == number + 1), None)
    weekend = Weekend.objects.get(assembly=assembly, number=number)
    previous_end = next((w.ends_on for w in weekends if w.number == number - 1), None)
    window = Q(withdrawn_at__date__lte=weekend.ends_on)
    if previous_end is not None:
        window &= Q(withdrawn_at__date__gt=previous_end)
    dropped = PanelMember.objects.filter(
        window, assembly=assembly, kind=PanelMember.Kind.MEMBER
    ).count()
    joined = Q(replaces__isnull=False, responded_at__date__lte=weekend.ends_on)
    if previous_end is not None:
        joined &= Q(responded_at__date__gt=previous_end)
    replaced = PanelMember.objects.filter(joined, assembly=assembly, status__in=TAKING_PART).count()
    # At the end of the weekend the report is about, not on the day it is read.
    members_now = len(members_taking_part_on(assembly=assembly, day=weekend.ends_on))
    labels = dict(Recommendation.Status.choices)
    by_status = tuple(
        (str(labels.get(row["status"], row["status"])), row["n"])
        for row in Recommendation.objects.filter(assembly=assembly)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    report = progress_report_get(weekend=weekend)
    return ProgressContent(
        slug=assembly.slug,
        name=assembly.name,
        weekend=line,
        summary=report.summary if report else "",
        next_steps=report.next_steps if report else "",
        published_at=report.published_at if report else None,
        dropped=dropped,
        replaced=replaced,
        members_now=members_now,
        members_on=weekend.ends_on,
        next_weekend=following,
        recommendations_by_status=by_status,
    )
