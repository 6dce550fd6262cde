"""Reads for drafting and the plenary. Each read runs a fixed number of
queries, whatever the number of recommendations, versions or amendments.

People are named as little as the page needs: staff and gespreksleiders by
name; a member by first name only (as on "Mijn tafel"), and only to the
people at that table, the organisation and the chair; to everyone else "a
member"; the viewer as "u".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly, Role, RoleKind, User
from participants.models import Table
from recommendations.access_drafting import IN_PLENARY, Viewer
from recommendations.diff import SideBySide, compare
from recommendations.models import Amendment, PlenaryFeedback, Recommendation
from recommendations.models import RecommendationVersion as Version
from sessions.models import Session

Status = Recommendation.Status
ORDERED = (Status.SUBMITTED, Status.AMENDED, Status.FINAL)
VOTED = (Status.BALLOTED, Status.ADOPTED, Status.NOT_ADOPTED)
CLOSED = (Status.WITHDRAWN, Status.MERGED)


def _with_counts(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return queryset.select_related("table__round__weekend", "weekend").annotate(
        open_amendments=Count("amendments", filter=Q(amendments__status="proposed"), distinct=True),
        version_count=Count("versions", distinct=True),
    )


@dataclass
class Overview:
    """The list page, in the order a person looks for things."""

    my_drafts: list[Recommendation] = field(default_factory=list)
    other_drafts: list[Recommendation] = field(default_factory=list)  # staff only
    plenary: list[Recommendation] = field(default_factory=list)
    voted: list[Recommendation] = field(default_factory=list)
    closed: list[Recommendation] = field(default_factory=list)


def overview(*, viewer: Viewer) -> Overview:
    everything = _with_counts(Recommendation.objects.filter(assembly=viewer.assembly))
    result = Overview()
    for recommendation in everything.order_by("position", "number"):
        if not viewer.can_see(recommendation):
            continue
        if recommendation.status == Status.DRAFT:
            if viewer.at_table(recommendation):
                result.my_drafts.append(recommendation)
            else:
                result.other_drafts.append(recommendation)
        elif recommendation.status in ORDERED:
            result.plenary.append(recommendation)
        elif recommendation.status in VOTED:
            result.voted.append(recommendation)
        else:
            result.closed.append(recommendation)
    for group in (result.my_drafts, result.other_drafts, result.voted, result.closed):
        group.sort(key=lambda r: r.number)
    return result


def plenary_order(*, assembly: Assembly) -> list[Recommendation]:
    """The plenary's walk-through: submitted, amended and final recommendations, in order."""
    return list(
        _with_counts(Recommendation.objects.filter(assembly=assembly, status__in=ORDERED)).order_by(
            "position", "number"
        )
    )


def final_recommendations(*, assembly: Assembly) -> list[Recommendation]:
    """Ready for the ballot, in plenary order."""
    return list(
        Recommendation.objects.filter(assembly=assembly, status=Status.FINAL).order_by(
            "position", "number"
        )
    )


def plenary_neighbours(
    *, recommendation: Recommendation
) -> tuple[Recommendation | None, Recommendation | None, int, int]:
    """The previous and next item on the walk-through, this item's place and the total."""
    order = list(
        Recommendation.objects.filter(
            assembly_id=recommendation.assembly_id, status__in=ORDERED
        ).order_by("position", "number")
    )
    ids = [r.pk for r in order]
    if recommendation.pk not in ids:
        return None, None, 0, len(order)
    index = ids.index(recommendation.pk)
    previous = order[index - 1] if index > 0 else None
    following = order[index + 1] if index + 1 < len(order) else None
    return previous, following, index + 1, len(order)


def merge_candidates(*, assembly: Assembly) -> list[Recommendation]:
    """With `open_amendments`: the merge page says which lapse in a merge."""
    return list(
        Recommendation.objects.filter(assembly=assembly, status__in=IN_PLENARY)
        .select_related("table")
        .annotate(open_amendments=Count("amendments", filter=Q(amendments__status="proposed")))
        .order_by("number")
    )


def draftable_tables(*, viewer: Viewer) -> list[Table]:
    """The tables the viewer may draft for: where they sit or lead, once the
    organisation has published that weekend's tables; latest weekend first."""
    return list(
        Table.objects.filter(pk__in=viewer.tables, round__published_at__isnull=False)
        .select_related("round__weekend")
        .order_by("-round__weekend__starts_on", "number")
    )


def amendment_tables(*, assembly: Assembly) -> list[Table]:
    """Tables of the latest weekend with tables, for the chair to name who proposes."""
    latest = (
        Table.objects.filter(round__weekend__assembly=assembly)
        .order_by("-round__weekend__starts_on")
        .values_list("round_id", flat=True)
        .first()
    )
    if latest is None:
        return []
    return list(Table.objects.filter(round_id=latest).select_related("round__weekend"))


def plenary_sessions(*, assembly: Assembly) -> list[Session]:
    """The plenary and voting parts of the programme, where feedback and
    amendment decisions are recorded; not a cancelled one (it did not take place)."""
    return list(
        Session.objects.filter(
            weekend__assembly=assembly,
            kind__in=[Session.Kind.PLENARY, Session.Kind.VOTE],
            cancelled_at__isnull=True,
        )
        .select_related("weekend")
        .order_by("starts_at", "pk")
    )


def current_session(sessions: list[Session]) -> Session | None:
    """The session under way, else the last one that began: what the chair is in."""
    now = timezone.now()
    begun = [s for s in sessions if s.starts_at <= now]
    running = [s for s in begun if s.ends_at >= now]
    if running:
        return running[-1]
    return begun[-1] if begun else None


# ------------------------------------------------------------------ people


def people_labels(
    *,
    assembly: Assembly,
    viewer: User,
    user_ids: Iterable[int | None],
    name_members: bool = True,
) -> dict[int, str]:
    """How a page names each person: the viewer "u", a member by first name,
    anyone else (organisation, chair, gespreksleider) by full name."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return {}
    not_only_members = set(
        Role.objects.filter(assembly=assembly, user_id__in=ids)
        .exclude(kind=RoleKind.MEMBER)
        .values_list("user_id", flat=True)
    )
    labels: dict[int, str] = {}
    for user in User.objects.filter(pk__in=ids).only("pk", "full_name"):
        if user.pk == viewer.pk:
            labels[user.pk] = _("u")
        elif user.pk in not_only_members:
            labels[user.pk] = user.full_name or _("iemand van de organisatie")
        else:
            first = user.full_name.split()[0] if user.full_name.split() else ""
            labels[user.pk] = (
                _("%(name)s (deelnemer)") % {"name": first}
                if first and name_members
                else _("een deelnemer")
            )
    return labels


# ------------------------------------------------------------------ detail


@dataclass(frozen=True)
class VersionRow:
    version: Version
    author: str


@dataclass(frozen=True)
class AmendmentRow:
    amendment: Amendment
    proposer: str
    diff: SideBySide
    # The text changed after this amendment was proposed: the plenary should know.
    outdated: bool
    # Why it ended without a decision, when its recommendation ended (see lapse_reason).
    lapsed: str = ""


@dataclass(frozen=True)
class FeedbackRow:
    feedback: PlenaryFeedback
    recorded_by: str


@dataclass
class Detail:
    recommendation: Recommendation
    versions: list[VersionRow]
    amendments: list[AmendmentRow]
    feedback: list[FeedbackRow]
    merged_from: list[Recommendation]

    @property
    def open_amendments(self) -> list[AmendmentRow]:
        return [row for row in self.amendments if row.amendment.status == "proposed"]

    @property
    def latest_version(self) -> int:
        return self.versions[-1].version.number if self.versions else 0


def proposer_label(amendment: Amendment, labels: dict[int, str]) -> str:
    if amendment.table is not None:
        return _("Tafel %(number)s") % {"number": amendment.table.number}
    if amendment.proposed_by_id is not None:
        return labels.get(amendment.proposed_by_id, _("een deelnemer"))
    return _("vanuit de zaal")


def lapse_reason(amendment: Amendment, recommendation: Recommendation) -> str:
    """Why an amendment ended with its recommendation, in words; "" when it did
    not (services.drafting._lapse_open_amendments gives a lapsed one a time,
    a proposer's own withdrawal does not)."""
    if amendment.status != Amendment.Status.WITHDRAWN or amendment.decided_at is None:
        return ""
    if recommendation.status == Status.MERGED and recommendation.merged_into is not None:
        return _("Vervallen door samenvoegen met aanbeveling %(number)s") % {
            "number": recommendation.merged_into.number
        }
    if recommendation.status == Status.WITHDRAWN:
        return _("Vervallen, want de aanbeveling is ingetrokken")
    return ""


def detail(*, recommendation: Recommendation, viewer: Viewer) -> Detail:
    versions = list(Version.objects.filter(recommendation=recommendation).order_by("number"))
    amendments = list(
        Amendment.objects.filter(recommendation=recommendation)
        .select_related("table", "session")
        .order_by("number")
    )
    feedback = list(
        PlenaryFeedback.objects.filter(recommendation=recommendation)
        .select_related("session")
        .order_by("created_at", "pk")
    )
    merged_from = list(Recommendation.objects.filter(merged_into=recommendation).order_by("number"))
    labels = people_labels(
        assembly=recommendation.assembly,
        viewer=viewer.user,
        name_members=viewer.is_staff or viewer.at_table(recommendation),
        user_ids=[v.author_id for v in versions]
        + [a.proposed_by_id for a in amendments]
        + [f.recorded_by_id for f in feedback],
    )
    unknown = _("onbekend")
    last_change = versions[-1].created_at if versions else None
    return Detail(
        recommendation=recommendation,
        versions=[
            VersionRow(v, labels.get(v.author_id, unknown) if v.author_id else unknown)
            for v in versions
        ],
        amendments=[
            AmendmentRow(
                amendment=a,
                proposer=proposer_label(a, labels),
                diff=compare(recommendation.text, a.proposed_text),
                outdated=(
                    a.status == Amendment.Status.PROPOSED
                    and last_change is not None
                    and last_change > a.created_at
                ),
                lapsed=lapse_reason(a, recommendation),
            )
            for a in amendments
        ],
        feedback=[
            FeedbackRow(f, labels.get(f.recorded_by_id, unknown) if f.recorded_by_id else unknown)
            for f in feedback
        ],
        merged_from=merged_from,
    )


@dataclass(frozen=True)
class Comparison:
    old: Version
    new: Version
    title: SideBySide
    text: SideBySide
    rationale: SideBySide


def version_pair(*, recommendation: Recommendation, old: int, new: int) -> Comparison:
    versions = {
        v.number: v
        for v in Version.objects.filter(recommendation=recommendation, number__in=[old, new])
    }
    if old not in versions or new not in versions:
        raise Http404
    first, second = versions[old], versions[new]
    return Comparison(
        old=first,
        new=second,
        title=compare(first.title, second.title),
        text=compare(first.text, second.text),
        rationale=compare(first.rationale, second.rationale),
    )


def version_numbers(*, recommendation: Recommendation) -> list[int]:
    return list(
        Version.objects.filter(recommendation=recommendation)
        .order_by("number")
        .values_list("number", flat=True)
    )


def latest_versions(recommendations: Sequence[Recommendation]) -> dict[int, int]:
    """Recommendation number → its latest version number, in one query."""
    rows = (
        Version.objects.filter(recommendation__in=recommendations)
        .values("recommendation__number")
        .annotate(top=Max("number"))
        .values_list("recommendation__number", "top")
    )
    found = dict(rows)
    return {r.number: found.get(r.number, 0) for r in recommendations}


def amendment_outdated(amendment: Amendment) -> bool:
    """The text changed after this amendment was proposed (another amendment
    accepted, a merge): accepted as it is, it would undo that change."""
    return Version.objects.filter(
        recommendation_id=amendment.recommendation_id, created_at__gt=amendment.created_at
    ).exists()
