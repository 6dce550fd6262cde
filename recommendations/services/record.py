"""Writes for the chair's record: minutes (drafted, approved, published),
minority statements on a recommendation, and the government's responses.

Approval publishes minutes. Changing approved minutes takes them off the
public page until the chair approves the new text: what the public reads is
always a text the chair approved. Every write leaves an audit line (ids and a
hash of the approved text, never the text itself).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assembly.models import Assembly, AuditEvent, User
from assembly.selectors import submitted_before
from assembly.services import audit_record
from participants.models import PanelMember
from participants.names import identifying_words
from recommendations.models import (
    Ballot,
    BallotResult,
    GovernmentResponse,
    MinorityStatement,
    Minutes,
    Recommendation,
)
from sessions.models import Session, Weekend

logger = logging.getLogger(__name__)

RESPONSE_OPEN_TO = frozenset({Recommendation.Status.ADOPTED, Recommendation.Status.NOT_ADOPTED})


class RecordRefused(Exception):
    """The change cannot be made; the message says why, for the chair or organiser.
    ``field``: the form field the message is about, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ChangedMeanwhile(RecordRefused):
    """Someone else saved a change after the writer opened the page: nothing
    was saved. The page shows the newer text beside the typed one; saving
    again replaces it, a choice made with the newer text in view."""


def _body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------- minutes


_ALREADY_MINUTES = gettext_noop("Er is al een verslag van dit onderdeel. Pas dat verslag aan.")


def check_minutes_session(
    *, weekend: Weekend, session: Session | None, minutes_id: int | None
) -> None:
    if session is None:
        return
    if session.weekend_id != weekend.pk:
        raise RecordRefused(_("Dit onderdeel hoort niet bij dit weekend."))
    others = Minutes.objects.filter(session=session)
    if minutes_id is not None:
        others = others.exclude(pk=minutes_id)
    if others.exists():
        raise RecordRefused(_(_ALREADY_MINUTES))


@transaction.atomic
def minutes_create(
    *,
    assembly: Assembly,
    weekend: Weekend,
    session: Session | None,
    title: str,
    body: str,
    actor: User,
) -> Minutes:
    if weekend.assembly_id != assembly.pk:
        raise RecordRefused(_("Dit weekend hoort niet bij dit burgerberaad."))
    if session is None:
        # No constraint covers minutes of the whole weekend. The weekend's lock
        # makes a second request (a double click) wait for the first, then
        # find its minutes: the same text twice is one set of minutes.
        Weekend.objects.select_for_update().filter(pk=weekend.pk).first()
        same = Minutes.objects.filter(
            assembly=assembly, weekend=weekend, session=None, title=title.strip(), body=body
        ).first()
        if same is not None:
            return same
    check_minutes_session(weekend=weekend, session=session, minutes_id=None)
    try:
        with transaction.atomic():
            minutes = Minutes.objects.create(
                assembly=assembly,
                weekend=weekend,
                session=session,
                title=title.strip(),
                body=body,
                written_by=actor,
            )
    except IntegrityError:
        # Another request made this session's minutes after our check.
        raise RecordRefused(_(_ALREADY_MINUTES)) from None
    audit_record(
        action="record.minutes_created",
        assembly=assembly,
        actor=actor,
        target=minutes,
        detail={"weekend": weekend.pk, "session": session.pk if session else None},
    )
    logger.info("minutes created id=%s assembly=%s", minutes.pk, assembly.pk)
    return minutes


@transaction.atomic
def minutes_update(
    *,
    minutes: Minutes,
    session: Session | None,
    title: str,
    body: str,
    actor: User,
    seen: dt.datetime | None = None,
) -> Minutes:
    """Save a new text. Approved minutes go back to draft: a changed text
    needs a new approval before the public sees it.

    ``seen``: the minutes' updated_at when the writer opened them. If someone
    else saved a text since, the save is refused rather than wiping theirs."""
    locked = Minutes.objects.select_for_update().select_related("weekend").get(pk=minutes.pk)
    if seen is not None and locked.updated_at != seen:
        raise ChangedMeanwhile(
            _(
                "Iemand anders heeft het verslag intussen gewijzigd. Uw tekst is nog niet "
                "bewaard. Hieronder staat de nieuwe tekst naast de uwe. Bewaart u opnieuw? "
                "Dan komt uw tekst in de plaats van de nieuwe."
            )
        )
    check_minutes_session(weekend=locked.weekend, session=session, minutes_id=locked.pk)
    was_approved = locked.approved_at is not None
    changed = locked.body != body or locked.title != title.strip() or locked.session != session
    if not changed:
        return locked
    locked.title = title.strip()
    locked.body = body
    locked.session = session
    locked.written_by = actor
    fields = ["title", "body", "session", "written_by", "updated_at"]
    if was_approved:
        locked.approved_at = None
        locked.approved_by = None
        fields += ["approved_at", "approved_by"]
    locked.save(update_fields=fields)
    audit_record(
        action="record.minutes_updated",
        assembly=locked.assembly,
        actor=actor,
        target=locked,
        detail={"was_approved": was_approved, "session": session.pk if session else None},
    )
    return locked


@transaction.atomic
def minutes_approve(*, minutes: Minutes, actor: User, seen: dt.datetime | None) -> Minutes:
    """The chair approves the text they read (``seen`` is its updated_at then);
    approval publishes it."""
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if locked.approved_at is not None:
        raise RecordRefused(_("Dit verslag is al goedgekeurd."))
    if seen is not None and locked.updated_at != seen:
        raise RecordRefused(
            _("Het verslag is intussen gewijzigd. Lees de nieuwe tekst en keur die dan goed.")
        )
    if not locked.body.strip():
        raise RecordRefused(_("Het verslag is leeg. Schrijf eerst de tekst."))
    again = _was_approved_before(locked)
    locked.approved_at = timezone.now()
    locked.approved_by = actor
    # update_fields leaves updated_at alone: it marks text changes, not approvals.
    locked.save(update_fields=["approved_at", "approved_by"])
    audit_record(
        action="record.minutes_approved",
        assembly=locked.assembly,
        actor=actor,
        target=locked,
        detail={"again": again, "body_sha256": _body_hash(locked.body)},
    )
    logger.info("minutes approved id=%s again=%s", locked.pk, again)
    return locked


def _was_approved_before(minutes: Minutes) -> bool:
    return AuditEvent.objects.filter(
        action="record.minutes_approved", target=f"{Minutes._meta.label}:{minutes.pk}"
    ).exists()


# ------------------------------------------------------- minority statements


def check_minority_statement(*, recommendation: Recommendation, supporters: int | None) -> None:
    result = (
        BallotResult.objects.filter(
            ballot__recommendation=recommendation,
            ballot__status=Ballot.Status.CLOSED,
            superseded_by__isnull=True,
        )
        .order_by("-ballot__number")
        .first()
    )
    if result is None:
        raise RecordRefused(
            _("Er is nog niet gestemd. Een minderheidsstandpunt kan pas na de stemming.")
        )
    not_for = result.votes_against + result.votes_abstain
    if supporters is not None and supporters > not_for:
        raise RecordRefused(
            _(
                "Aantal deelnemers: meer dan het aantal stemmen tegen en onthoudingen "
                "(%(count)s). Kijk het aantal na."
            )
            % {"count": not_for}
        )


@transaction.atomic
def minority_statement_add(
    *,
    recommendation: Recommendation,
    text: str,
    supporters: int | None,
    actor: User,
    submission: uuid.UUID | None = None,
) -> MinorityStatement:
    """A minority position on a voted recommendation; the same form sent twice
    (``submission``, or the same statement sent again after the Back button)
    adds it once."""
    # The recommendation's lock makes a second request wait for the first.
    list(Recommendation.objects.select_for_update().filter(pk=recommendation.pk).values("pk"))
    earlier = submitted_before(
        recommendation.minority_statements.all(),
        submission,
        same={"text": text.strip(), "supporters": supporters, "removed_at__isnull": True},
    )
    if earlier is not None:
        return earlier
    check_minority_statement(recommendation=recommendation, supporters=supporters)
    statement = MinorityStatement.objects.create(
        recommendation=recommendation,
        text=text.strip(),
        supporters=supporters,
        recorded_by=actor,
        submission=submission,
    )
    audit_record(
        action="record.minority_added",
        assembly=recommendation.assembly,
        actor=actor,
        target=statement,
        detail={"recommendation": recommendation.pk},
    )
    return statement


@transaction.atomic
def minority_statement_remove(*, statement: MinorityStatement, actor: User, reason: str) -> None:
    """Take a statement out of the record. Its text no longer shows; the
    public record says that one was removed, when and why."""
    if not reason.strip():
        raise RecordRefused(
            _("Schrijf op waarom u dit standpunt verwijdert. Die reden wordt openbaar.")
        )
    statement = MinorityStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.removed_at is not None:
        return
    recommendation = statement.recommendation
    statement.removed_at = timezone.now()
    statement.removed_reason = reason.strip()
    statement.removed_by = actor
    statement.save(update_fields=["removed_at", "removed_reason", "removed_by"])
    audit_record(
        action="record.minority_removed",
        assembly=recommendation.assembly,
        actor=actor,
        target=statement,
        detail={"recommendation": recommendation.pk},
    )


# ------------------------------------------------------ government responses


def check_government_response(
    *,
    recommendation: Recommendation,
    responded_on: dt.date,
    source_title: str,
    source_url: str,
    today: dt.date,
) -> None:
    if recommendation.status not in RESPONSE_OPEN_TO:
        raise RecordRefused(
            _("Over deze aanbeveling is nog niet gestemd. Een reactie kan pas na de stemming.")
        )
    if responded_on > today:
        raise RecordRefused(_("Datum van de reactie: die ligt in de toekomst."))
    # The government answers a result: a date before the vote is a typing error.
    voted = (
        BallotResult.objects.filter(ballot__recommendation=recommendation)
        .order_by("recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    if voted is not None and responded_on < timezone.localdate(voted):
        raise RecordRefused(
            _("Datum van de reactie: die ligt vóór de stemming (%(date)s).")
            % {"date": formats.date_format(timezone.localdate(voted), "j F Y")}
        )
    if source_url and not source_title.strip():
        raise RecordRefused(_("Bron: geef de bron een naam, bijvoorbeeld de titel van de brief."))


@transaction.atomic
def government_response_record(
    *,
    recommendation: Recommendation,
    status: str,
    text: str,
    responded_on: dt.date,
    source_title: str,
    source_url: str,
    actor: User,
    submission: uuid.UUID | None = None,
) -> GovernmentResponse:
    """A new row: the answer as it stands now. Earlier rows stay as its history.
    The same form sent again (``submission``: a double click, or the page sent
    again after the response was corrected) gives back the first response; the
    same answer sent again without a form number is recorded once too."""
    # The recommendation's lock makes a second request wait for the first.
    list(Recommendation.objects.select_for_update().filter(pk=recommendation.pk).values("pk"))
    earlier = submitted_before(
        GovernmentResponse.objects.filter(recommendation=recommendation), submission
    )
    if earlier is not None:
        return earlier
    same = GovernmentResponse.objects.filter(
        recommendation=recommendation,
        withdrawn_at__isnull=True,
        status=status,
        text=text.strip(),
        responded_on=responded_on,
        source_title=source_title.strip(),
        source_url=source_url.strip(),
    ).first()
    if same is not None:
        return same
    check_government_response(
        recommendation=recommendation,
        responded_on=responded_on,
        source_title=source_title,
        source_url=source_url,
        today=timezone.localdate(),
    )
    response = GovernmentResponse.objects.create(
        recommendation=recommendation,
        status=GovernmentResponse.Status(status),
        text=text.strip(),
        responded_on=responded_on,
        source_title=source_title.strip(),
        source_url=source_url.strip(),
        recorded_by=actor,
        submission=submission,
    )
    audit_record(
        action="record.response_recorded",
        assembly=recommendation.assembly,
        actor=actor,
        target=response,
        detail={"recommendation": recommendation.pk, "status": response.status},
    )
    return response


def _member_names(recommendation: Recommendation) -> list[str]:
    """The words that identify the assembly's members and alternates."""
    return identifying_words(
        PanelMember.objects.filter(assembly_id=recommendation.assembly_id).values_list(
            "registration__full_name", flat=True
        )
    )


def check_response_change_reason(*, recommendation: Recommendation, reason: str) -> None:
    """The reason for correcting or withdrawing a response is published on
    the tracker: it must be there, and it may not name the assembly's members
    (the tracker names no one of them). Ministers and the cabinet may be named:
    the response is theirs."""
    if not reason.strip():
        raise RecordRefused(
            _("Reden: schrijf op waarom. Die reden komt op de openbare pagina."), field="reason"
        )
    for name in _member_names(recommendation):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", reason, flags=re.IGNORECASE):
            raise RecordRefused(
                _(
                    "Reden: er staat de naam van een deelnemer in. De reden komt op de "
                    "openbare pagina. Schrijf hem op zonder namen."
                ),
                field="reason",
            )


def _locked_response(response: GovernmentResponse) -> GovernmentResponse:
    # The recommendation's lock first, as government_response_record takes it.
    list(
        Recommendation.objects.select_for_update()
        .filter(pk=response.recommendation_id)
        .values("pk")
    )
    return (
        # Lock the response only, not the assembly row it is read with.
        GovernmentResponse.objects.select_for_update(of=("self",))
        .select_related("recommendation__assembly")
        .get(pk=response.pk)
    )


@transaction.atomic
def government_response_correct(
    *,
    response: GovernmentResponse,
    status: str,
    text: str,
    responded_on: dt.date,
    source_title: str,
    source_url: str,
    reason: str,
    actor: User,
    seen: dt.datetime | None,
    submission: uuid.UUID | None = None,
) -> GovernmentResponse:
    """Correct a response that was entered wrongly (a typo, the wrong status).
    The row holds the right answer from now on; the tracker says publicly
    that it was corrected, when and why. Not for a new answer of the
    government: that is a new response, and the old one stays in the history.

    ``seen``: when the row last changed as the writer opened it; a correction
    over someone else's change is refused. The same form sent twice
    (``submission``) is one correction."""
    locked = _locked_response(response)
    if submission is not None and locked.correction_submission == submission:
        return locked
    if locked.withdrawn_at is not None:
        raise RecordRefused(_("Deze reactie is ingetrokken. U kunt haar niet meer verbeteren."))
    if seen is not None and locked.changed_at != seen:
        raise ChangedMeanwhile(
            _(
                "Iemand anders heeft deze reactie intussen veranderd. Uw verbetering is nog "
                "niet bewaard. Hieronder staat de nieuwe reactie naast de uwe. Bewaart u "
                "opnieuw? Dan komt uw verbetering in de plaats van de nieuwe reactie."
            )
        )
    recommendation = locked.recommendation
    check_response_change_reason(recommendation=recommendation, reason=reason)
    new = {
        "status": GovernmentResponse.Status(status),
        "text": text.strip(),
        "responded_on": responded_on,
        "source_title": source_title.strip(),
        "source_url": source_url.strip(),
    }
    if all(getattr(locked, name) == value for name, value in new.items()):
        raise RecordRefused(
            _("U heeft niets veranderd. Verbeter de reactie, of ga terug zonder te bewaren.")
        )
    check_government_response(
        recommendation=recommendation,
        responded_on=responded_on,
        source_title=source_title,
        source_url=source_url,
        today=timezone.localdate(),
    )
    changed = sorted(name for name, value in new.items() if getattr(locked, name) != value)
    for name, value in new.items():
        setattr(locked, name, value)
    locked.corrected_at = timezone.now()
    locked.corrections = [
        *locked.corrections,
        {"at": locked.corrected_at.isoformat(), "reason": reason.strip()},
    ]
    locked.correction_submission = submission
    locked.save(update_fields=[*new, "corrected_at", "corrections", "correction_submission"])
    audit_record(
        action="record.response_corrected",
        assembly=recommendation.assembly,
        actor=actor,
        target=locked,
        # Which fields changed, not their text: the reason is on the public page.
        detail={"recommendation": recommendation.pk, "status": locked.status, "fields": changed},
    )
    logger.info("response corrected id=%s recommendation=%s", locked.pk, recommendation.pk)
    return locked


@transaction.atomic
def government_response_withdraw(
    *,
    response: GovernmentResponse,
    reason: str,
    actor: User,
    seen: dt.datetime | None,
) -> GovernmentResponse:
    """Take out a response entered for the wrong recommendation. It no longer
    counts (the recommendation is without response again, unless an earlier
    one stands); the tracker says publicly that one was withdrawn, when and
    why, without its text. Withdrawing twice is withdrawing once.

    ``seen``: when the row last changed as the writer opened it; withdrawing
    over someone else's change is refused, as a correction is."""
    locked = _locked_response(response)
    if locked.withdrawn_at is not None:
        return locked
    if seen is not None and locked.changed_at != seen:
        raise ChangedMeanwhile(
            _(
                "Iemand anders heeft deze reactie intussen veranderd. De reactie is nog niet "
                "ingetrokken. Bovenaan deze pagina staat de nieuwe reactie. Trekt u opnieuw "
                "in? Dan trekt u de nieuwe reactie in."
            )
        )
    recommendation = locked.recommendation
    check_response_change_reason(recommendation=recommendation, reason=reason)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason.strip()
    locked.withdrawn_by = actor
    locked.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by"])
    audit_record(
        action="record.response_withdrawn",
        assembly=recommendation.assembly,
        actor=actor,
        target=locked,
        detail={"recommendation": recommendation.pk},
    )
    logger.info("response withdrawn id=%s recommendation=%s", locked.pk, recommendation.pk)
    return locked
