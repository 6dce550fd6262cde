"""Reads about experts, materials and the balance between perspectives, and the
access rules for them (each ``get_*`` returns the object or raises).

Every list is read in a fixed number of queries, whatever the number of
sessions, experts and materials (tests/sessions_materials/test_queries.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import TAKING_PART, Assembly, AuditEvent, RoleKind, User
from assembly.selectors import role_kinds_for
from sessions.models import Expert, Material, MaterialVersion, Perspective, Session, Weekend

BRIEFING_KINDS = (Session.Kind.BRIEFING, Session.Kind.QUESTIONS)
# A perspective with more than this share of a topic's briefings dominates it.
DOMINANT_SHARE = 0.6
VISIBLE_TO_MEMBERS = (Material.Status.RELEASED, Material.Status.PUBLIC)
# How long the organisers' list of materials mentions one an expert withdrew.
WITHDRAWN_NOTE_DAYS = 30


# --- perspectives and experts --------------------------------------------------


def perspective_list(*, assembly: Assembly) -> QuerySet[Perspective]:
    return Perspective.objects.filter(assembly=assembly).annotate(expert_count=Count("experts"))


def expert_list(*, assembly: Assembly) -> QuerySet[Expert]:
    return (
        Expert.objects.filter(assembly=assembly)
        .select_related("perspective")
        .annotate(
            session_count=Count("sessions", filter=Q(sessions__cancelled_at=None), distinct=True)
        )
        .order_by("name", "pk")
    )


def expert_public_list(*, assembly: Assembly) -> QuerySet[Expert]:
    """What the public may know: no contact details, no account; and only the
    experts on the published programme. An expert the organiser has entered
    but not (yet) put on a published weekend may not have agreed to come:
    their name is not made public before that. A cancelled session does not
    count: the expert is not coming for it."""
    return (
        Expert.objects.filter(
            assembly=assembly,
            sessions__weekend__published_at__isnull=False,
            sessions__cancelled_at__isnull=True,
        )
        .distinct()
        .select_related("perspective")
        .only(
            "pk",
            "name",
            "organisation",
            "role_title",
            "interests",
            "perspective",
            "perspective__name",
            "perspective__name_en",
            "perspective__position",
        )
        .order_by("perspective__position", "perspective__id", "name", "pk")
    )


def on_public_record() -> Q:
    """Experts who are part of the public record of the assembly: on a session
    of a published programme that was not cancelled (the public expert page
    and the report to the Kamer name them, with their declaration of
    interests), or named on material released to the members (it becomes
    public after the weekend, and members read it with the expert's name).

    An erasure (recommendations.services.privacy) keeps what these experts
    said publicly and who they are; everyone else goes altogether.
    """
    briefed = Session.objects.filter(
        experts=OuterRef("pk"),
        weekend__published_at__isnull=False,
        cancelled_at__isnull=True,
    )
    released = Material.objects.filter(expert=OuterRef("pk"), status__in=VISIBLE_TO_MEMBERS)
    return Q(Exists(briefed)) | Q(Exists(released))


def expert_is_on_public_record(*, expert: Expert) -> bool:
    return Expert.objects.filter(on_public_record(), pk=expert.pk).exists()


def expert_for_user(*, assembly: Assembly, user: User) -> Expert | None:
    if not user.is_authenticated:
        return None
    return Expert.objects.filter(assembly=assembly, user=user).select_related("perspective").first()


def briefing_sessions(*, assembly: Assembly) -> QuerySet[Session]:
    return (
        Session.objects.filter(weekend__assembly=assembly, kind__in=BRIEFING_KINDS)
        .select_related("weekend")
        .order_by("weekend__starts_on", "starts_at", "position", "pk")
    )


def sessions_of_expert(*, expert: Expert) -> QuerySet[Session]:
    return (
        Session.objects.filter(experts=expert)
        .select_related("weekend")
        .order_by("weekend__starts_on", "starts_at", "pk")
    )


def sessions_for_expert_material(*, expert: Expert, material: Material) -> QuerySet[Session]:
    """The sessions an expert may put their material under: their own, and the
    one it is under now (the secretariat may have chosen another)."""
    return (
        Session.objects.filter(Q(experts=expert) | Q(pk=material.session_id))
        .distinct()
        .select_related("weekend")
        .order_by("weekend__starts_on", "starts_at", "pk")
    )


def weekends_of(*, assembly: Assembly) -> QuerySet[Weekend]:
    return Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number")


# --- materials -----------------------------------------------------------------


@dataclass
class MaterialRow:
    material: Material
    versions: list[MaterialVersion]

    @property
    def current(self) -> MaterialVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def update(self) -> MaterialVersion | None:
        return _update_of(self.material, self.current)


def _update_of(material: Material, current: MaterialVersion | None) -> MaterialVersion | None:
    """The newest version if it came after the release: whoever read the material
    before that day read an older version."""
    if current is None or material.released_at is None or current.number == 1:
        return None
    return current if current.created_at > material.released_at else None


@dataclass
class ReadingItem:
    material: Material
    update: MaterialVersion | None


def reading_list(materials: Sequence[Material]) -> list[ReadingItem]:
    """The materials with, for each, the version that came after its release (if
    any). One query, whatever the number of materials."""
    newest: dict[int, MaterialVersion] = {}
    versions = MaterialVersion.objects.filter(material_id__in=[m.pk for m in materials])
    for version in versions.order_by("material_id", "-number"):
        newest.setdefault(version.material_id, version)
    return [ReadingItem(material=m, update=_update_of(m, newest.get(m.pk))) for m in materials]


@dataclass
class WeekendGroup:
    weekend: Weekend | None
    rows: list[MaterialRow] = field(default_factory=list)


def _materials(assembly: Assembly) -> QuerySet[Material]:
    return (
        Material.objects.filter(assembly=assembly)
        .select_related("weekend", "session", "expert")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=MaterialVersion.objects.order_by("-number"),
            )
        )
        .order_by("weekend__starts_on", "weekend__number", "title", "pk")
    )


def _rows(materials: Iterable[Material]) -> list[MaterialRow]:
    return [MaterialRow(material=m, versions=list(m.versions.all())) for m in materials]


def group_by_weekend(rows: Sequence[MaterialRow]) -> list[WeekendGroup]:
    """Rows grouped per weekend in the order given; material without a weekend last."""
    groups: dict[int | None, WeekendGroup] = {}
    for row in rows:
        key = row.material.weekend_id
        if key not in groups:
            groups[key] = WeekendGroup(weekend=row.material.weekend)
        groups[key].rows.append(row)
    ordered = [group for key, group in groups.items() if key is not None]
    if None in groups:
        ordered.append(groups[None])
    return ordered


def material_rows_for_organiser(
    *, assembly: Assembly, weekend: Weekend | None = None, status: str = ""
) -> list[MaterialRow]:
    materials = _materials(assembly)
    if weekend is not None:
        materials = materials.filter(weekend=weekend)
    if status:
        materials = materials.filter(status=status)
    return _rows(materials)


@dataclass(frozen=True)
class WithdrawnMaterial:
    at: dt.datetime
    kind_label: str
    expert_name: str
    session: Session | None


def _logged_id(value: object) -> int | None:
    return value if isinstance(value, int) else None


def recently_withdrawn(
    *, assembly: Assembly, days: int = WITHDRAWN_NOTE_DAYS
) -> list[WithdrawnMaterial]:
    """Materials experts withdrew lately, newest first, from the audit log:
    the material is gone, so the log's ids say who, what kind and for which
    session. An expert erased since then is no longer named. Three queries."""
    events = list(
        AuditEvent.objects.filter(
            assembly=assembly,
            action="material.withdrawn",
            created_at__gte=timezone.now() - dt.timedelta(days=days),
        ).order_by("-created_at", "-id")
    )
    details = [(event, event.detail if isinstance(event.detail, dict) else {}) for event in events]
    expert_ids = {_logged_id(detail.get("expert")) for _event, detail in details} - {None}
    session_ids = {_logged_id(detail.get("session")) for _event, detail in details} - {None}
    experts = Expert.objects.filter(assembly=assembly).in_bulk(list(expert_ids))
    sessions = (
        Session.objects.filter(weekend__assembly=assembly)
        .select_related("weekend")
        .in_bulk(list(session_ids))
    )
    kinds = dict(Material.Kind.choices)
    withdrawn = []
    for event, detail in details:
        expert = experts.get(_logged_id(detail.get("expert")) or 0)
        kind = detail.get("kind")
        withdrawn.append(
            WithdrawnMaterial(
                at=event.created_at,
                kind_label=str(kinds.get(kind, _("Stuk"))) if isinstance(kind, str) else _("Stuk"),
                expert_name=expert.name if expert else _("een deskundige die niet meer bekend is"),
                session=sessions.get(_logged_id(detail.get("session")) or 0),
            )
        )
    return withdrawn


def material_rows_for_members(*, assembly: Assembly) -> list[MaterialRow]:
    return _rows(_materials(assembly).filter(status__in=VISIBLE_TO_MEMBERS))


def material_rows_public(*, assembly: Assembly) -> list[MaterialRow]:
    return _rows(_materials(assembly).filter(status=Material.Status.PUBLIC))


def material_rows_of_expert(*, expert: Expert) -> list[MaterialRow]:
    return _rows(_materials(expert.assembly).filter(expert=expert))


def material_status_counts(*, assembly: Assembly) -> dict[str, int]:
    counts = dict.fromkeys(Material.Status.values, 0)
    rows = Material.objects.filter(assembly=assembly).values("status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def material_get(*, assembly: Assembly, pk: int) -> Material:
    return get_object_or_404(
        Material.objects.select_related("weekend", "session", "expert", "assembly"),
        pk=pk,
        assembly=assembly,
    )


def material_versions(*, material: Material) -> list[MaterialVersion]:
    return list(material.versions.select_related("created_by").order_by("-number"))


def get_version_for_download(
    *, user: User, slug: str, material_id: int, number: int
) -> MaterialVersion:
    """A version of a material, if the user may read it.

    Draft: the organisers and the expert it belongs to. Released: everyone who
    takes part in the assembly (every role but the desk). Public: everyone (of
    a visible assembly).
    """
    assembly = get_object_or_404(Assembly, slug=slug)
    version = get_object_or_404(
        MaterialVersion.objects.select_related(
            "material", "material__expert", "material__assembly"
        ),
        material__assembly=assembly,
        material_id=material_id,
        number=number,
    )
    material = version.material
    kinds = set() if not user.is_authenticated else role_kinds_for(user=user, assembly=assembly)
    if user.is_superuser:
        return version
    if material.status == Material.Status.PUBLIC:
        if assembly.is_public or kinds:
            return version
        raise Http404
    # Released: for those who take part, not the desk (balie).
    if material.status == Material.Status.RELEASED and kinds & TAKING_PART:
        return version
    if RoleKind.ORGANISER in kinds:
        return version
    if (
        material.status == Material.Status.DRAFT
        and RoleKind.EXPERT in kinds
        and material.expert is not None
        and material.expert.user_id == user.pk
    ):
        return version
    raise PermissionDenied


def get_expert_for_organiser(*, assembly: Assembly, pk: int) -> Expert:
    return get_object_or_404(
        Expert.objects.select_related("perspective", "user"), pk=pk, assembly=assembly
    )


def get_own_expert(*, user: User, assembly: Assembly) -> Expert | None:
    """The expert profile of a user with the role "expert" in the assembly.

    Raises PermissionDenied for anyone without that role (organisers included:
    this is the expert's own page). None when the secretariat has not linked a
    profile to the account yet.
    """
    if RoleKind.EXPERT not in role_kinds_for(user=user, assembly=assembly):
        raise PermissionDenied
    return expert_for_user(assembly=assembly, user=user)


def get_own_material(*, user: User, assembly: Assembly, pk: int) -> tuple[Expert, Material]:
    """A material of the expert's own profile, with that profile.

    PermissionDenied for anyone without the role "expert" (get_own_expert);
    not found for a material of another expert or of another assembly, so an
    expert cannot tell which numbers exist.
    """
    expert = get_own_expert(user=user, assembly=assembly)
    if expert is None:
        raise Http404
    material = get_object_or_404(
        Material.objects.select_related("weekend", "session", "expert", "assembly"),
        pk=pk,
        assembly=assembly,
        expert=expert,
    )
    return expert, material


# --- balance between perspectives ----------------------------------------------


@dataclass
class TopicBalance:
    topic: str
    counts: list[int]
    briefings: int
    without_perspective: int
    dominant: str = ""
    dominant_share: int = 0  # percent
    single: str = ""

    @property
    def warning(self) -> bool:
        return bool(self.dominant or self.single)


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass
class Chart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


@dataclass
class BalanceScope:
    weekend: Weekend | None
    perspectives: list[Perspective]
    totals: list[int]
    briefings: int
    topics: list[TopicBalance]
    chart: Chart

    @property
    def warnings(self) -> list[TopicBalance]:
        return [topic for topic in self.topics if topic.warning]


@dataclass
class WeekendLine:
    weekend: Weekend
    totals: list[int]
    briefings: int
    warnings: int


@dataclass
class Balance:
    perspectives: list[Perspective]
    scope: BalanceScope
    weekends: list[WeekendLine]
    threshold: int  # percent


# (session, weekend, topic, perspective or None): one row per expert of a briefing.
_Link = tuple[int, int, str, int | None]

CHART_WIDTH = 640
CHART_LABEL_WIDTH = 240
CHART_BAR_HEIGHT = 28
CHART_GAP = 12


def _links(assembly: Assembly) -> list[_Link]:
    through = Session.experts.through
    return list(
        through.objects.filter(
            session__weekend__assembly=assembly,
            session__kind__in=BRIEFING_KINDS,
            # A cancelled briefing is not heard: it does not count for the balance.
            session__cancelled_at=None,
        )
        .values_list(
            "session_id", "session__weekend_id", "session__topic", "expert__perspective_id"
        )
        .distinct()
        .order_by("session_id")
    )


def _scope(
    links: list[_Link], perspectives: list[Perspective], weekend: Weekend | None
) -> BalanceScope:
    index = {p.pk: n for n, p in enumerate(perspectives)}
    by_topic: dict[str, dict[int | None, set[int]]] = defaultdict(lambda: defaultdict(set))
    sessions_by_topic: dict[str, set[int]] = defaultdict(set)
    for session_id, weekend_id, topic, perspective_id in links:
        if weekend is not None and weekend_id != weekend.pk:
            continue
        label = topic.strip() or _("(geen onderwerp)")
        by_topic[label][perspective_id].add(session_id)
        sessions_by_topic[label].add(session_id)
    topics = []
    totals = [0] * len(perspectives)
    for label in sorted(by_topic, key=str.casefold):
        counts = [0] * len(perspectives)
        for perspective_id, sessions in by_topic[label].items():
            if perspective_id is not None and perspective_id in index:
                counts[index[perspective_id]] = len(sessions)
        for n, count in enumerate(counts):
            totals[n] += count
        line = TopicBalance(
            topic=label,
            counts=counts,
            briefings=len(sessions_by_topic[label]),
            without_perspective=len(by_topic[label].get(None, set())),
        )
        heard = sum(counts)
        present = [n for n, count in enumerate(counts) if count]
        if len(present) == 1:
            line.single = perspectives[present[0]].name
        elif heard:
            top = max(range(len(counts)), key=lambda n: counts[n])
            share = counts[top] / heard
            if share > DOMINANT_SHARE:
                line.dominant = perspectives[top].name
                line.dominant_share = round(share * 100)
        topics.append(line)
    briefings = len({s for sessions in sessions_by_topic.values() for s in sessions})
    return BalanceScope(
        weekend=weekend,
        perspectives=perspectives,
        totals=totals,
        briefings=briefings,
        topics=topics,
        chart=_chart(perspectives, totals),
    )


def _chart(perspectives: list[Perspective], totals: list[int]) -> Chart:
    """Horizontal bars, one per perspective, drawn on the server as SVG."""
    most = max(totals, default=0) or 1
    room = CHART_WIDTH - CHART_LABEL_WIDTH - 40
    bars = []
    for n, (perspective, total) in enumerate(zip(perspectives, totals, strict=True)):
        y = CHART_GAP + n * (CHART_BAR_HEIGHT + CHART_GAP)
        width = round(room * total / most)
        bars.append(
            Bar(
                label=perspective.shown_name,
                value=total,
                y=y,
                width=width,
                text_y=y + CHART_BAR_HEIGHT // 2 + 5,
                value_x=CHART_LABEL_WIDTH + width + 6,
            )
        )
    height = CHART_GAP + len(bars) * (CHART_BAR_HEIGHT + CHART_GAP)
    return Chart(width=CHART_WIDTH, height=height, label_width=CHART_LABEL_WIDTH, bars=bars)


def balance_for(*, assembly: Assembly, weekend: Weekend | None = None) -> Balance:
    """Briefings per perspective and topic, for one weekend or the whole programme,
    plus a line per weekend. Three queries, whatever the size of the programme."""
    perspectives = list(Perspective.objects.filter(assembly=assembly))
    weekends = list(weekends_of(assembly=assembly))
    links = _links(assembly)
    lines = []
    for item in weekends:
        scope = _scope(links, perspectives, item)
        lines.append(
            WeekendLine(
                weekend=item,
                totals=scope.totals,
                briefings=scope.briefings,
                warnings=len(scope.warnings),
            )
        )
    return Balance(
        perspectives=perspectives,
        scope=_scope(links, perspectives, weekend),
        weekends=lines,
        threshold=round(DOMINANT_SHARE * 100),
    )
