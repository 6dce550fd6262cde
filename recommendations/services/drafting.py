"""Writes for drafting and the plenary: a table's draft and its versions,
submission, amendments and the plenary's decision on them, feedback, the
final text, withdrawal, merging and the order of the plenary.

Every change to a recommendation's text is a new RecommendationVersion; no
text is overwritten without one. Every write is atomic, locks the rows two
people can change at once, and leaves an audit line with ids and counts only
(never a text or a name). Who may call what is decided in
recommendations/access_drafting.py; these functions check the state.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly, User
from assembly.selectors import submitted_before
from assembly.services import audit_record
from participants.models import Table
from recommendations.models import Amendment, Ballot, PlenaryFeedback, Recommendation
from recommendations.models import RecommendationVersion as Version
from recommendations.selectors_drafting import amendment_outdated, latest_versions
from sessions.models import Session

Status = Recommendation.Status
IN_PLENARY = (Status.SUBMITTED, Status.AMENDED)
# The order of the plenary walk-through covers what the plenary still discusses
# and what is ready for the ballot.
ORDERED = (Status.SUBMITTED, Status.AMENDED, Status.FINAL)
WITHDRAWABLE = (Status.DRAFT, Status.SUBMITTED, Status.AMENDED, Status.FINAL)


class DraftingRefused(Exception):
    """The change cannot be made; the message says why, in words for the user."""


class OutdatedAmendment(DraftingRefused):
    """Accepting the amendment would undo a change made after it was proposed."""


class VersionConflict(DraftingRefused):
    """Another version was saved after the page was opened. `latest` is its
    number: a page shown again with it lets the person compare their text with
    that version and then send it again on purpose."""

    def __init__(self, message: str, *, latest: int) -> None:
        super().__init__(message)
        self.latest = latest


@dataclass(frozen=True)
class Counts:
    """A plenary count; all None when the plenary decided without counting."""

    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None

    @property
    def counted(self) -> bool:
        return self.votes_for is not None or self.votes_against is not None


@dataclass(frozen=True)
class MergeResult:
    """The recommendation a merge made or kept, and how many open amendments
    of the merged ones lapsed (the organiser is told)."""

    recommendation: Recommendation
    amendments_lapsed: int


# ---------------------------------------------------------------- helpers


def _locked(recommendation: Recommendation) -> Recommendation:
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    # The assembly does not change; reuse it rather than read it again.
    if Recommendation.assembly.is_cached(recommendation):
        locked.assembly = recommendation.assembly
    return locked


def _next_number(assembly: Assembly) -> int:
    """The next free number in the assembly; the caller holds the assembly's lock."""
    top = Recommendation.objects.filter(assembly=assembly).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _lock_assembly(assembly: Assembly) -> Assembly:
    """Serialise the writers that hand out numbers and places in one assembly."""
    list(Assembly.objects.select_for_update().filter(pk=assembly.pk).values_list("pk"))
    return assembly


def _version(
    recommendation: Recommendation,
    *,
    reason: str,
    actor: User | None,
    note: str = "",
    first: bool = False,
) -> Version:
    top = 0 if first else recommendation.versions.aggregate(top=Max("number"))["top"] or 0
    return Version.objects.create(
        recommendation=recommendation,
        number=top + 1,
        title=recommendation.title,
        text=recommendation.text,
        rationale=recommendation.rationale,
        reason=reason,
        note=note[:300],
        author=actor,
    )


def _lapse_open_amendments(recommendations: Sequence[Recommendation], *, actor: User | None) -> int:
    """Open amendments end with their recommendation (withdrawn, merged). They
    are marked withdrawn with the time and who ended them: a proposer who
    withdraws their own amendment leaves no decision time, so the pages can say
    that these lapsed and why (selectors_drafting.lapse_reason)."""
    return Amendment.objects.filter(
        recommendation__in=recommendations, status=Amendment.Status.PROPOSED
    ).update(status=Amendment.Status.WITHDRAWN, decided_at=timezone.now(), decided_by=actor)


def _latest_version_number(recommendation: Recommendation) -> int:
    return recommendation.versions.aggregate(top=Max("number"))["top"] or 0


def check_base_version(*, recommendation: Recommendation, base_version: int | None) -> None:
    """`base_version` is the version the page showed (None: not known, no
    check). If another version was saved since (an edit, an accepted
    amendment, a merge), the change is refused rather than silently written
    over it. The caller holds the recommendation's lock."""
    latest = _latest_version_number(recommendation)
    if base_version is not None and base_version != latest:
        raise VersionConflict(
            _(
                "Iemand anders heeft deze aanbeveling net aangepast (versie %(number)s). "
                "Bekijk eerst die versie en pas daarna aan."
            )
            % {"number": latest},
            latest=latest,
        )


def _clean(value: str) -> str:
    # NFC, as diff.tokens: the same word is stored the same way, however typed.
    return unicodedata.normalize("NFC", value.strip().replace("\r\n", "\n"))


def check_text(*, title: str, text: str) -> None:
    if not title.strip():
        raise DraftingRefused(_("Geef de aanbeveling een titel."))
    if not text.strip():
        raise DraftingRefused(_("Schrijf de tekst van de aanbeveling."))


def _end_of_plenary(assembly: Assembly) -> int:
    top = Recommendation.objects.filter(assembly=assembly, status__in=ORDERED).aggregate(
        top=Max("position")
    )["top"]
    return (top or 0) + 1


def check_session(*, session: Session | None, recommendation: Recommendation) -> None:
    if session is not None and session.weekend.assembly_id != recommendation.assembly_id:
        raise DraftingRefused(_("Deze bijeenkomst hoort niet bij dit burgerberaad."))


def _state_refused(recommendation: Recommendation) -> DraftingRefused:
    return DraftingRefused(
        _("Dat kan niet meer: aanbeveling %(number)s heeft de status “%(status)s”.")
        % {"number": recommendation.number, "status": recommendation.get_status_display()}
    )


# ---------------------------------------------------------------- drafting


@transaction.atomic
def recommendation_create(
    *,
    table: Table,
    title: str,
    text: str,
    rationale: str = "",
    topic: str = "",
    actor: User | None,
    submission: uuid.UUID | None = None,
) -> Recommendation:
    """A table's new draft, with its first version. The same form sent twice
    (``submission``, or the same text still in draft after the Back button)
    gives back the first draft."""
    check_text(title=title, text=text)
    weekend = table.round.weekend
    assembly = _lock_assembly(weekend.assembly)
    content = {
        "title": _clean(title),
        "text": _clean(text),
        "rationale": _clean(rationale),
        "topic": topic.strip(),
    }
    earlier = submitted_before(
        Recommendation.objects.filter(table=table),
        submission,
        same={**content, "status": Status.DRAFT},
    )
    if earlier is not None:
        return earlier
    number = _next_number(assembly)
    recommendation = Recommendation.objects.create(
        assembly=assembly,
        number=number,
        **content,
        table=table,
        weekend=weekend,
        position=0,
        created_by=actor,
        submission=submission,
    )
    _version(recommendation, reason=Version.Reason.DRAFTED, actor=actor, first=True)
    audit_record(
        action="recommendation.drafted",
        assembly=assembly,
        actor=actor,
        target=recommendation,
        detail={"number": number, "table": table.pk, "weekend": weekend.pk},
    )
    return recommendation


@transaction.atomic
def recommendation_edit(
    *,
    recommendation: Recommendation,
    title: str,
    text: str,
    rationale: str | None = None,
    topic: str | None = None,
    note: str = "",
    base_version: int | None = None,
    actor: User | None,
) -> Recommendation:
    """A new version of a draft (a rationale or topic of None stays as it is).
    `base_version` is the version the editor saw: if someone saved another one
    meanwhile, the edit is refused rather than silently overwriting theirs."""
    recommendation = _locked(recommendation)
    if recommendation.status != Status.DRAFT:
        raise _state_refused(recommendation)
    check_text(title=title, text=text)
    new = (
        _clean(title),
        _clean(text),
        recommendation.rationale if rationale is None else _clean(rationale),
        recommendation.topic if topic is None else topic.strip(),
    )
    old = (
        recommendation.title,
        recommendation.text,
        recommendation.rationale,
        recommendation.topic,
    )
    if (
        new == old
        and base_version is not None
        and base_version < _latest_version_number(recommendation)
    ):
        # The same form sent twice (a double click, a page sent again): the
        # first one saved exactly this text, so there is nothing to refuse.
        return recommendation
    check_base_version(recommendation=recommendation, base_version=base_version)
    if new == old:
        raise DraftingRefused(_("Er is niets veranderd. Pas de tekst aan of ga terug."))
    (
        recommendation.title,
        recommendation.text,
        recommendation.rationale,
        recommendation.topic,
    ) = new
    recommendation.save(update_fields=["title", "text", "rationale", "topic", "updated_at"])
    version = _version(recommendation, reason=Version.Reason.EDITED, actor=actor, note=note)
    audit_record(
        action="recommendation.edited",
        assembly=recommendation.assembly,
        actor=actor,
        target=recommendation,
        detail={"number": recommendation.number, "version": version.number},
    )
    return recommendation


@transaction.atomic
def recommendation_submit(*, recommendation: Recommendation, actor: User | None) -> Recommendation:
    """The table hands its draft to the plenary; it goes to the end of the order."""
    _lock_assembly(recommendation.assembly)
    recommendation = _locked(recommendation)
    if recommendation.status != Status.DRAFT:
        raise _state_refused(recommendation)
    recommendation.status = Status.SUBMITTED
    recommendation.submitted_at = timezone.now()
    recommendation.position = _end_of_plenary(recommendation.assembly)
    recommendation.save(update_fields=["status", "submitted_at", "position", "updated_at"])
    audit_record(
        action="recommendation.submitted",
        assembly=recommendation.assembly,
        actor=actor,
        target=recommendation,
        detail={"number": recommendation.number, "position": recommendation.position},
    )
    return recommendation


@transaction.atomic
def recommendation_withdraw(
    *, recommendation: Recommendation, reason: str, actor: User | None
) -> Recommendation:
    """Withdrawn with a reason, before its ballot; open amendments lapse with it."""
    recommendation = _locked(recommendation)
    if recommendation.status not in WITHDRAWABLE:
        raise _state_refused(recommendation)
    if not reason.strip():
        raise DraftingRefused(_("Schrijf waarom de aanbeveling wordt ingetrokken."))
    recommendation.status = Status.WITHDRAWN
    recommendation.withdrawn_reason = _clean(reason)
    recommendation.save(update_fields=["status", "withdrawn_reason", "updated_at"])
    lapsed = _lapse_open_amendments([recommendation], actor=actor)
    # A ballot prepared for it must not open any more (ballot_open checks too).
    cancelled = Ballot.objects.filter(
        recommendation=recommendation, status=Ballot.Status.PREPARED
    ).update(status=Ballot.Status.CANCELLED)
    audit_record(
        action="recommendation.withdrawn",
        assembly=recommendation.assembly,
        actor=actor,
        target=recommendation,
        detail={
            "number": recommendation.number,
            "amendments_lapsed": lapsed,
            "ballots_cancelled": cancelled,
        },
    )
    return recommendation


# ---------------------------------------------------------------- the plenary


@transaction.atomic
def feedback_record(
    *,
    recommendation: Recommendation,
    text: str,
    session: Session | None = None,
    actor: User | None,
    submission: uuid.UUID | None = None,
) -> PlenaryFeedback:
    """What the plenary said; the same form sent twice (or the same words for
    the same session sent again after the Back button) records it once."""
    recommendation = _locked(recommendation)
    earlier = submitted_before(
        recommendation.feedback.all(), submission, same={"text": _clean(text), "session": session}
    )
    if earlier is not None:
        return earlier
    if recommendation.status not in IN_PLENARY:
        raise _state_refused(recommendation)
    if not text.strip():
        raise DraftingRefused(_("Schrijf wat de plenaire vergadering zei."))
    check_session(session=session, recommendation=recommendation)
    feedback = PlenaryFeedback.objects.create(
        recommendation=recommendation,
        session=session,
        text=_clean(text),
        recorded_by=actor,
        submission=submission,
    )
    audit_record(
        action="recommendation.feedback",
        assembly=recommendation.assembly,
        actor=actor,
        target=recommendation,
        detail={"number": recommendation.number, "feedback": feedback.pk},
    )
    return feedback


@transaction.atomic
def amendment_propose(
    *,
    recommendation: Recommendation,
    proposed_text: str,
    rationale: str = "",
    table: Table | None = None,
    proposed_by: User | None = None,
    base_version: int | None = None,
    actor: User | None,
    submission: uuid.UUID | None = None,
) -> Amendment:
    """A proposal to replace the text, by a table or by one member. The same
    form sent twice (``submission``) gives back the first amendment; so does
    the same proposal from the same proposer sent again after the Back button
    while the first is still open.
    `base_version` is the version the proposer started from: an amendment
    written on a text that changed meanwhile (another amendment accepted)
    would undo that change without anyone seeing it, so it is refused."""
    recommendation = _locked(recommendation)
    earlier = submitted_before(
        recommendation.amendments.all(),
        submission,
        same={
            "status": Amendment.Status.PROPOSED,
            "table": table,
            "proposed_by": proposed_by,
            "proposed_text": _clean(proposed_text),
            "rationale": _clean(rationale),
        },
    )
    if earlier is not None:
        return earlier
    if recommendation.status not in IN_PLENARY:
        raise _state_refused(recommendation)
    check_base_version(recommendation=recommendation, base_version=base_version)
    if table is not None and table.round.weekend.assembly_id != recommendation.assembly_id:
        raise DraftingRefused(_("Deze tafel hoort niet bij dit burgerberaad."))
    text = _clean(proposed_text)
    if not text:
        raise DraftingRefused(_("Schrijf de nieuwe tekst die u voorstelt."))
    if text == recommendation.text:
        raise DraftingRefused(
            _("De voorgestelde tekst is gelijk aan de huidige tekst. Verander iets.")
        )
    top = recommendation.amendments.aggregate(top=Max("number"))["top"] or 0
    amendment = Amendment.objects.create(
        recommendation=recommendation,
        number=top + 1,
        table=table,
        proposed_by=proposed_by,
        proposed_text=text,
        rationale=_clean(rationale),
        submission=submission,
    )
    audit_record(
        action="amendment.proposed",
        assembly=recommendation.assembly,
        actor=actor,
        target=amendment,
        detail={
            "recommendation": recommendation.number,
            "amendment": amendment.number,
            "table": table.pk if table else None,
        },
    )
    return amendment


def check_counts(*, accepted: bool, counts: Counts, assembly: Assembly) -> None:
    """A count, when there is one, must be complete, possible and agree with the decision."""
    if not counts.counted:
        return
    if counts.votes_for is None or counts.votes_against is None:
        raise DraftingRefused(
            _("Vul de stemmen voor én tegen in. Of laat alle aantallen leeg als er niet is geteld.")
        )
    total = counts.votes_for + counts.votes_against + (counts.votes_abstain or 0)
    if assembly.members_target and total > assembly.members_target:
        raise DraftingRefused(
            _("Samen %(total)s stemmen: dat is meer dan de %(members)s deelnemers.")
            % {"total": total, "members": assembly.members_target}
        )
    if accepted and counts.votes_for <= counts.votes_against:
        raise DraftingRefused(
            _("Niet meer stemmen voor dan tegen: dan is het amendement niet aangenomen.")
        )
    if not accepted and counts.votes_for > counts.votes_against:
        raise DraftingRefused(_("Meer stemmen voor dan tegen: dan is het amendement aangenomen."))


@transaction.atomic
def amendment_decide(
    *,
    amendment: Amendment,
    accepted: bool,
    counts: Counts = Counts(),
    session: Session | None = None,
    replace_newer: bool = False,
    actor: User | None,
) -> Amendment:
    """The plenary's decision, once: an accepted amendment becomes the text
    (a new version); a decided amendment is never changed again. An amendment
    proposed before the text last changed replaces that change too: it is
    accepted only with `replace_newer`, the chair's explicit choice."""
    recommendation = _locked(amendment.recommendation)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != Amendment.Status.PROPOSED:
        raise DraftingRefused(
            _("Over amendement %(number)s is al besloten: %(status)s.")
            % {"number": amendment.number, "status": amendment.get_status_display()}
        )
    if recommendation.status not in IN_PLENARY:
        raise _state_refused(recommendation)
    check_counts(accepted=accepted, counts=counts, assembly=recommendation.assembly)
    check_session(session=session, recommendation=recommendation)
    if accepted and not replace_newer and amendment_outdated(amendment):
        raise OutdatedAmendment(
            _(
                "De tekst is veranderd nadat amendement %(number)s werd ingediend. Neemt u het "
                "aan, dan vervalt die verandering. Wil de plenaire vergadering dat? Vink dan "
                "aan dat de hele tekst vervangen wordt."
            )
            % {"number": amendment.number}
        )
    amendment.status = Amendment.Status.ACCEPTED if accepted else Amendment.Status.REJECTED
    amendment.votes_for = counts.votes_for
    amendment.votes_against = counts.votes_against
    amendment.votes_abstain = (
        (counts.votes_abstain or 0) if counts.counted else counts.votes_abstain
    )
    amendment.session = session
    amendment.decided_by = actor
    amendment.decided_at = timezone.now()
    amendment.save(
        update_fields=[
            "status",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "session",
            "decided_by",
            "decided_at",
        ]
    )
    version_number = None
    if accepted:
        recommendation.text = amendment.proposed_text
        recommendation.status = Status.AMENDED
        recommendation.save(update_fields=["text", "status", "updated_at"])
        version = _version(
            recommendation,
            reason=Version.Reason.AMENDED,
            actor=actor,
            note=_("Amendement %(number)s") % {"number": amendment.number},
        )
        version_number = version.number
    audit_record(
        action="amendment.decided",
        assembly=recommendation.assembly,
        actor=actor,
        target=amendment,
        detail={
            "recommendation": recommendation.number,
            "amendment": amendment.number,
            "accepted": accepted,
            "for": counts.votes_for,
            "against": counts.votes_against,
            "abstain": amendment.votes_abstain,
            "version": version_number,
        },
    )
    return amendment


@transaction.atomic
def amendment_withdraw(*, amendment: Amendment, actor: User | None) -> Amendment:
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != Amendment.Status.PROPOSED:
        raise DraftingRefused(
            _("Over amendement %(number)s is al besloten: %(status)s.")
            % {"number": amendment.number, "status": amendment.get_status_display()}
        )
    amendment.status = Amendment.Status.WITHDRAWN
    amendment.save(update_fields=["status"])
    recommendation = amendment.recommendation
    audit_record(
        action="amendment.withdrawn",
        assembly=recommendation.assembly,
        actor=actor,
        target=amendment,
        detail={"recommendation": recommendation.number, "amendment": amendment.number},
    )
    return amendment


@transaction.atomic
def recommendation_finalise(
    *,
    recommendation: Recommendation,
    title: str,
    text: str,
    rationale: str = "",
    base_version: int | None = None,
    actor: User | None,
) -> Recommendation:
    """The chair fixes the text the assembly will vote on. `base_version` is
    the version the chair's page showed: the text sent from it must not undo
    an amendment accepted (or a merge made) after the page was opened."""
    recommendation = _locked(recommendation)
    sent = (_clean(title), _clean(text), _clean(rationale))
    if (
        recommendation.status == Status.FINAL
        and base_version is not None
        and base_version < _latest_version_number(recommendation)
        and sent == (recommendation.title, recommendation.text, recommendation.rationale)
    ):
        # The same form sent twice: the first one made exactly this text final.
        return recommendation
    if recommendation.status not in IN_PLENARY:
        raise _state_refused(recommendation)
    check_text(title=title, text=text)
    check_base_version(recommendation=recommendation, base_version=base_version)
    open_amendments = list(
        recommendation.amendments.filter(status=Amendment.Status.PROPOSED).values_list(
            "number", flat=True
        )
    )
    if open_amendments:
        raise DraftingRefused(
            _(
                "Er is nog geen besluit over amendement %(numbers)s. "
                "Laat de plenaire vergadering eerst besluiten."
            )
            % {"numbers": ", ".join(str(n) for n in open_amendments)}
        )
    recommendation.title = _clean(title)
    recommendation.text = _clean(text)
    recommendation.rationale = _clean(rationale)
    recommendation.status = Status.FINAL
    recommendation.finalised_at = timezone.now()
    recommendation.save(
        update_fields=["title", "text", "rationale", "status", "finalised_at", "updated_at"]
    )
    version = _version(recommendation, reason=Version.Reason.FINALISED, actor=actor)
    audit_record(
        action="recommendation.finalised",
        assembly=recommendation.assembly,
        actor=actor,
        target=recommendation,
        detail={"number": recommendation.number, "version": version.number},
    )
    return recommendation


# ---------------------------------------------------------------- managing


@transaction.atomic
def recommendation_merge(
    *,
    sources: Sequence[Recommendation],
    into: Recommendation | None,
    title: str,
    text: str,
    rationale: str = "",
    seen_versions: Mapping[int, int] | None = None,
    actor: User | None,
) -> MergeResult:
    """Two or more similar recommendations in the plenary become one: a new
    recommendation, or `into` (one of `sources`) with the merged text. The
    others keep their history and point to the result (status MERGED).
    `seen_versions` (recommendation number → version number) is what the
    merge page showed: a source changed since (an amendment accepted) is
    refused, as its change would be missing from the merged text."""
    ids = sorted({source.pk for source in sources})
    if len(ids) < 2:
        raise DraftingRefused(_("Kies ten minste twee aanbevelingen om samen te voegen."))
    check_text(title=title, text=text)
    assembly = _lock_assembly(sources[0].assembly)
    locked = list(Recommendation.objects.select_for_update().filter(pk__in=ids).order_by("number"))
    if any(r.assembly_id != assembly.pk for r in locked) or len(locked) != len(ids):
        raise DraftingRefused(_("Deze aanbevelingen horen niet bij hetzelfde burgerberaad."))
    for recommendation in locked:
        if recommendation.status not in IN_PLENARY:
            raise _state_refused(recommendation)
    if into is not None and into.pk not in ids:
        raise DraftingRefused(_("Kies als doel een van de gekozen aanbevelingen."))
    if seen_versions is not None:
        latest = latest_versions(locked)
        changed = [r.number for r in locked if seen_versions.get(r.number) != latest[r.number]]
        if changed:
            raise DraftingRefused(
                _(
                    "Aanbeveling %(numbers)s is veranderd nadat u deze pagina opende. "
                    "Lees hieronder de nieuwe tekst. Pas de samengevoegde tekst zo nodig aan "
                    "en voeg dan opnieuw samen."
                )
                % {"numbers": ", ".join(str(n) for n in changed)}
            )
    numbers = [r.number for r in locked]
    if into is None:
        target = Recommendation.objects.create(
            assembly=assembly,
            number=_next_number(assembly),
            title=_clean(title),
            text=_clean(text),
            rationale=_clean(rationale),
            topic=locked[0].topic,
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
            weekend=max(
                (r.weekend for r in locked if r.weekend is not None),
                key=lambda w: w.starts_on,
                default=None,
            ),
            position=min(r.position for r in locked),
            created_by=actor,
        )
    else:
        target = next(r for r in locked if r.pk == into.pk)
        target.title, target.text, target.rationale = (
            _clean(title),
            _clean(text),
            _clean(rationale),
        )
        target.save(update_fields=["title", "text", "rationale", "updated_at"])
    merged = [r for r in locked if r.pk != target.pk]
    _version(
        target,
        reason=Version.Reason.MERGED,
        actor=actor,
        note=_("Samengevoegd uit aanbeveling %(numbers)s")
        % {"numbers": ", ".join(str(n) for n in numbers)},
    )
    for recommendation in merged:
        recommendation.status = Status.MERGED
        recommendation.merged_into = target
        recommendation.save(update_fields=["status", "merged_into", "updated_at"])
        _version(
            recommendation,
            reason=Version.Reason.MERGED,
            actor=actor,
            note=_("Samengevoegd in aanbeveling %(number)s") % {"number": target.number},
        )
    lapsed = _lapse_open_amendments(merged, actor=actor)
    audit_record(
        action="recommendation.merged",
        assembly=assembly,
        actor=actor,
        target=target,
        detail={
            "into": target.number,
            "merged": [r.number for r in merged],
            "new": into is None,
            "amendments_lapsed": lapsed,
        },
    )
    return MergeResult(recommendation=target, amendments_lapsed=lapsed)


def plenary_order(assembly: Assembly) -> list[Recommendation]:
    return list(
        Recommendation.objects.filter(assembly=assembly, status__in=ORDERED).order_by(
            "position", "number"
        )
    )


@transaction.atomic
def recommendation_move(
    *, recommendation: Recommendation, up: bool, actor: User | None
) -> Recommendation:
    """One place earlier or later on the plenary's walk-through; the order is
    renumbered 1..n so gaps and ties from merges disappear."""
    assembly = _lock_assembly(recommendation.assembly)
    order = plenary_order(assembly)
    index = next((i for i, r in enumerate(order) if r.pk == recommendation.pk), None)
    if index is None:
        raise DraftingRefused(
            _("Aanbeveling %(number)s staat niet op de agenda van de plenaire vergadering.")
            % {"number": recommendation.number}
        )
    other = index - 1 if up else index + 1
    if not 0 <= other < len(order):
        message = (
            _("Aanbeveling %(number)s staat al bovenaan.")
            if up
            else _("Aanbeveling %(number)s staat al onderaan.")
        )
        raise DraftingRefused(message % {"number": recommendation.number})
    order[index], order[other] = order[other], order[index]
    changed = []
    for position, item in enumerate(order, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    Recommendation.objects.bulk_update(changed, ["position"])
    audit_record(
        action="recommendation.moved",
        assembly=assembly,
        actor=actor,
        target=recommendation,
        detail={"number": recommendation.number, "position": other + 1},
    )
    return order[other]
