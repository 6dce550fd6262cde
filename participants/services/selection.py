"""Stage 2 of the lottery: selection runs on the engine, the commitment, and the public draw.

A run freezes the quota table and the pool (ids, quota values, hashed
households) when it is started, and the engine (participants/sortition/)
computes the LEXIMIN distribution and the ticket table in a Celery task.
The organiser then *commits* to the run: from that moment the run record and
its inputs are public and nothing about the run changes. Only then is the
public number drawn (dice, in public); the number picks the ticket, the
ticket the panel, and the number also orders the alternates. A second draw
is possible only with a reason, before anyone was told they were drawn; it is
a new row that supersedes the first, and both stay visible.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assembly.models import Assembly, User, both_languages
from assembly.queueing import REQUEUE_AFTER, queue_or_leave_to_sweep
from assembly.services import audit_record
from participants.models import (
    ERASED_EMAIL_PREFIX,
    PanelMember,
    Registration,
    Replacement,
    SelectionDraw,
    SelectionRun,
)
from participants.selectors_lottery import assembly_current_draw
from participants.selectors_selection import (
    HOUSEHOLD_COLUMN,
    ID_COLUMN,
    run_inputs,
    run_inputs_changed,
)
from participants.sortition import (
    Instance,
    SortitionError,
    read_pool,
    read_quotas,
    record_draw,
    run_selection,
)
from participants.sortition.io import check_instance

logger = logging.getLogger(__name__)

# The progress bar is written at most this often (seconds); each write also
# renews the run's claim (``claimed_at``), so it doubles as a heartbeat.
PROGRESS_EVERY = 1.0
# A running run whose claim was not renewed for this long belongs to a worker
# that died: a redelivered task may take it over.
CLAIM_LEASE = dt.timedelta(minutes=3)
# How often the claim is renewed while the engine computes (well inside the lease).
HEARTBEAT_EVERY = 30.0
MAX_TICKETS = 100_000
# The largest public number we accept: 12 digits is more than any dice throw.
MAX_NUMBER = 10**12 - 1
# Keys the engine adds for its trial draw with the seed; a run record has no
# draw until the public number is known, so they are not stored.
_TRIAL_DRAW_KEYS = ("public_number", "number_source", "ticket_drawn", "panel", "alternates")
_ACTIVE = (SelectionRun.Status.QUEUED, SelectionRun.Status.RUNNING)
# Replacements not yet decided: their seats are being filled.
OPEN_REPLACEMENT = (
    Replacement.Status.PENDING,
    Replacement.Status.DRAW,
    Replacement.Status.PROPOSED,
)
# Stored (and published, for a replacement whose tickets were public) when a
# new draw of the panel sets an open replacement aside.
REDRAWN_REASON = gettext_noop("Het panel is opnieuw getrokken.")
# The error code of a run whose frozen pool lost a respondent after it was
# started (see selection_runs_remove_respondent): its results no longer fit its
# pool, so it can be neither committed nor drawn.
POOL_CHANGED = "pool_changed"
POOL_CHANGED_MESSAGE = gettext_noop(
    "Na de start van deze loting heeft iemand zich afgemeld of liet iemand de gegevens"
    " wissen. Daarom kunt u deze loting niet meer gebruiken. Start een nieuwe loting."
)

# Why a finished run cannot be committed when the quotas, the respondents or
# the panel size changed after it was started: it would publish a lottery
# over inputs that are no longer the assembly's.
INPUTS_CHANGED_MESSAGE = gettext_noop(
    "Na de start van deze loting zijn de quota, de aanmelders of het aantal deelnemers"
    " veranderd. Deze loting past daar niet meer bij. Start een nieuwe loting."
)

# The error code of a run that was never committed when the pool was purged:
# its frozen pool and record were emptied (see selection_runs_forget_pools).
POOL_PURGED = "pool_purged"
POOL_PURGED_MESSAGE = gettext_noop(
    "De gegevens van de aanmelders zijn gewist. Daarom kunt u deze loting niet meer gebruiken."
)
# The reason recorded for a person the draw picked who had withdrawn, or had
# their data erased, after the run was committed. Stored like a reason the
# organiser types (in the site's language) and without ids, as
# WITHDRAWN_BY_LINK in participants.services.registration.
WITHDRAWN_BEFORE_DRAW = gettext_noop("Afgemeld voor de trekking")
ERASED_BEFORE_DRAW = gettext_noop("Gegevens gewist voor de trekking")


class SelectionRefused(Exception):
    """The lottery step cannot be taken now; the message says why, for the organiser."""


def public_number_parse(text: str) -> int:
    """The public number as the organiser typed it: digits, spaces allowed
    anywhere ("4 2 7", " 042 "). A point or a comma is refused rather than
    guessed at: "1.000" is a thousand in Dutch and one in English, and each
    gives another ticket."""
    digits = "".join(text.split())
    if not digits or not all("0" <= c <= "9" for c in digits):
        raise SelectionRefused(
            _("Typ alleen cijfers, zonder punt, komma of ander teken. Bijvoorbeeld: 042.")
        )
    number = int(digits)
    if number > MAX_NUMBER:
        raise SelectionRefused(
            _("Het getal is te groot. Gebruik hoogstens %(digits)s cijfers.")
            % {"digits": len(str(MAX_NUMBER))}
        )
    return number


# ------------------------------------------------------------------------ helpers


def household_columns(household_rule: bool) -> list[str]:
    return [HOUSEHOLD_COLUMN] if household_rule else []


def run_instance(run: SelectionRun) -> Instance:
    """The engine's instance from the run's frozen inputs."""
    quotas = read_quotas("quota.csv", text=run.quotas_csv)
    people = read_pool("pool.csv", quotas, household_columns(run.household_rule), text=run.pool_csv)
    instance = Instance(people, quotas, run.panel_size)
    check_instance(instance, "pool.csv")
    return instance


def error_dict(error: SortitionError) -> dict[str, str]:
    return {"code": error.code, "nl": error.message_nl, "en": error.message}


def legacy_summary(record: dict[str, Any], panel_size: int, seconds: float) -> dict[str, Any]:
    """What the organiser needs to compare the old method with LEXIMIN."""
    probabilities = list(record["probabilities"].values())
    fair_share = panel_size / len(probabilities)
    return {
        "min_probability": min(probabilities),
        "max_probability": max(probabilities),
        "below_tenth_of_share": sum(1 for p in probabilities if p < fair_share / 10),
        "never_selected": sum(1 for p in probabilities if p <= 0.0),
        "respondents": len(probabilities),
        "panels": len(record["distribution"]),
        "seconds": round(seconds, 2),
    }


# --------------------------------------------------------------------------- start


def check_selection_run_start(*, assembly: Assembly, algorithm: str, tickets: int) -> None:
    if algorithm not in SelectionRun.Algorithm.values:
        raise SelectionRefused(_("Deze methode bestaat niet."))
    if not 1 <= tickets <= MAX_TICKETS:
        raise SelectionRefused(
            _("Het aantal loten moet tussen 1 en %(max)s liggen.") % {"max": MAX_TICKETS}
        )
    if assembly.members_target < 1:
        raise SelectionRefused(_("Stel eerst in hoeveel deelnemers het burgerberaad heeft."))
    if SelectionRun.objects.filter(assembly=assembly, status__in=_ACTIVE).exists():
        raise SelectionRefused(
            _("Er loopt al een loting. Wacht tot die klaar is en start dan een nieuwe.")
        )


def selection_run_start(
    *,
    assembly: Assembly,
    actor: User | None,
    algorithm: str = SelectionRun.Algorithm.LEXIMIN,
    compare_legacy: bool = False,
    seed: int = 0,
    tickets: int = 1000,
    household_rule: bool = True,
) -> SelectionRun:
    """Freeze the quotas and the pool in a new run and queue the engine for it."""
    with transaction.atomic():
        # Two organisers pressing start at once would both pass the check.
        Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
        check_selection_run_start(assembly=assembly, algorithm=algorithm, tickets=tickets)
        # Someone whose answer fits no quota value (an age outside every band)
        # has no seat the quotas allow; the pool check shows how many.
        quotas_csv, pool_csv, left_out = run_inputs(assembly=assembly)
        run = SelectionRun.objects.create(
            assembly=assembly,
            kind=SelectionRun.Kind.PANEL,
            algorithm=algorithm,
            panel_size=assembly.members_target,
            alternates=assembly.alternates_target,
            seed=seed,
            tickets=tickets,
            household_rule=household_rule,
            compare_legacy=compare_legacy and algorithm == SelectionRun.Algorithm.LEXIMIN,
            quotas_csv=quotas_csv,
            pool_csv=pool_csv,
            progress_message=_("In de wachtrij."),
            created_by=actor,
        )
        audit_record(
            action="selection_run_start",
            assembly=assembly,
            actor=actor,
            target=run,
            detail={
                "algorithm": algorithm,
                "respondents": pool_csv.count("\n") - 1,
                "left_out_fitting_no_quota": left_out,
                "panel_size": run.panel_size,
                "alternates": run.alternates,
                "seed": seed,
                "tickets": tickets,
                "household_rule": household_rule,
                "compare_legacy": run.compare_legacy,
            },
        )
        run_id = run.pk
        transaction.on_commit(lambda: _ask_to_run(run_id))
    logger.info("selection run queued id=%s assembly=%s", run.pk, assembly.pk)
    return run


def _ask_to_run(run_id: int) -> None:
    from participants.tasks_selection import selection_run_task  # it imports this module

    # With the queue down the run stays queued; selection_runs_requeue sends it.
    queue_or_leave_to_sweep(selection_run_task, run_id, what="selection run")


def waiting_for_a_task(moment: dt.datetime, prefix: str = "") -> Q:
    """Runs no task works on: still queued after REQUEUE_AFTER, or running with
    a claim gone stale (the worker died, and its message with it when the
    broker lost it or the hard time limit acknowledged it). ``prefix`` is the
    path to the run in a related query ("run__")."""
    return Q(
        **{
            f"{prefix}status": SelectionRun.Status.QUEUED,
            f"{prefix}claimed_at__isnull": True,
            f"{prefix}created_at__lt": moment - REQUEUE_AFTER,
        }
    ) | Q(
        **{
            f"{prefix}status": SelectionRun.Status.RUNNING,
            f"{prefix}claimed_at__lte": moment - CLAIM_LEASE,
        }
    )


def selection_runs_requeue(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the runs no task works on (see :func:`waiting_for_a_task`);
    the claim makes a second task for the same run harmless. Returns their ids."""
    moment = now or timezone.now()
    ids = list(
        SelectionRun.objects.filter(
            waiting_for_a_task(moment),
            kind=SelectionRun.Kind.PANEL,  # a replacement's run has its own task and sweep
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for run_id in ids:
        _ask_to_run(run_id)
    if ids:
        logger.info("selection runs queued again ids=%s", ids)
    return ids


# ------------------------------------------------------------------------- execute


class ClaimLost(Exception):
    """Another task took the run over (this one was thought dead): stop working."""


@dataclass(frozen=True)
class Outcome:
    """What a call of :func:`selection_run_execute` did."""

    # "done", "failed", "finished-before" (nothing to do), "busy" (another
    # task holds a live claim: try again later), "lost" (claim taken over).
    state: str

    @property
    def retry_later(self) -> bool:
        return self.state == "busy"


def _claim(run_id: int, kind: str) -> dt.datetime | None:
    """Take the run: a queued one, or a running one whose claim went stale.

    The update is conditional on what was read, so of two tasks that read the
    same row only one takes it. Returns the claim (its timestamp) or None.
    Only a run of ``kind``: a replacement's run is never drawn as a panel.
    """
    now = timezone.now()
    taken = SelectionRun.objects.filter(
        pk=run_id, kind=kind, status=SelectionRun.Status.QUEUED
    ).update(status=SelectionRun.Status.RUNNING, claimed_at=now, started_at=now, progress=0)
    if taken == 1:
        return now
    row = SelectionRun.objects.filter(pk=run_id, kind=kind).values("status", "claimed_at").first()
    if row is None or row["status"] != SelectionRun.Status.RUNNING:
        return None
    old = row["claimed_at"]
    if old is not None and now - old < CLAIM_LEASE:
        return None
    taken = SelectionRun.objects.filter(
        pk=run_id, status=SelectionRun.Status.RUNNING, claimed_at=old
    ).update(claimed_at=now)
    if taken == 1:
        logger.warning("selection run taken over id=%s stale_claim=%s", run_id, old)
        return now
    return None


class ProgressWriter:
    """Writes the engine's progress at most every PROGRESS_EVERY seconds and
    renews the claim; notices when another task took the run over.

    The heartbeat thread renews the claim too, through the same lock, so the
    claim stays fresh while the engine is deep in one long computation.
    """

    def __init__(self, run_id: int, claim: dt.datetime) -> None:
        self.run_id = run_id
        self.claim = claim
        self.start = 0.0
        self.end = 1.0
        self.last = 0.0
        self.lost = False
        self.lock = threading.Lock()

    def span(self, start: float, end: float) -> None:
        self.start, self.end = start, end

    def __call__(self, message: str, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        share = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
        self.write(message, share)

    def renew(self, **fields: Any) -> bool:
        """Renew the claim (and write ``fields``); False once the claim is lost."""
        with self.lock:
            if self.lost:
                return False
            renewed = timezone.now()
            updated = SelectionRun.objects.filter(
                pk=self.run_id, status=SelectionRun.Status.RUNNING, claimed_at=self.claim
            ).update(claimed_at=renewed, **fields)
            if updated != 1:
                self.lost = True
                return False
            self.claim = renewed
            return True

    def write(self, message: str, share: float) -> None:
        # The engine counts again from 0 when it changes method, and a run
        # taken over starts afresh: the bar stays where it was instead.
        percent = min(99, max(0, int(share * 100)))
        fields = {
            "progress": Greatest(F("progress"), Value(percent)),
            "progress_message": message[:300],
        }
        if not self.renew(**fields):
            raise ClaimLost


class _Heartbeat:
    """Renews the claim every HEARTBEAT_EVERY seconds from a thread of its own."""

    def __init__(self, writer: ProgressWriter) -> None:
        self.writer = writer
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name="selection-heartbeat")

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY):
                if not self.writer.renew():
                    return
        except Exception:
            logger.exception("selection run heartbeat failed id=%s", self.writer.run_id)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)


def _out_of_time(run: SelectionRun, claim: dt.datetime) -> bool:
    """The run began (its first claim) at least the lottery's time limit before
    this claim. Runs from before ``started_at`` existed have none: not known."""
    if run.started_at is None:
        return False
    return (claim - run.started_at).total_seconds() >= settings.LOTTERY_TIME_LIMIT


def _finish(run_id: int, claim: dt.datetime, **fields: Any) -> bool:
    fields.setdefault("finished_at", timezone.now())
    updated = SelectionRun.objects.filter(
        pk=run_id, status=SelectionRun.Status.RUNNING, claimed_at=claim
    ).update(**fields)
    return updated == 1


def _compute(run: SelectionRun, writer: ProgressWriter) -> dict[str, Any]:
    """The run's record and, when asked, the legacy summary (as update fields)."""
    instance = run_instance(run)
    columns = household_columns(run.household_rule)
    writer.span(0.0, 0.9 if run.compare_legacy else 1.0)
    writer.write(
        _("%(n)s aanmelders, %(k)s deelnemers: de loting is bezig.")
        % {"n": len(instance.respondents), "k": instance.panel_size},
        0.0,
    )
    record = run_selection(
        instance,
        algorithm=run.algorithm,
        seed=run.seed,
        tickets=run.tickets,
        household_columns=columns,
        progress=writer,
        alternates=0,
    )
    record = record_without_trial_draw(record)
    fields: dict[str, Any] = {
        "record": record,
        "min_probability": record["min_probability"],
        "input_sha256": record["input_sha256"],
    }
    if run.compare_legacy:
        writer.write(_("Nu de oude methode, om te vergelijken."), 0.9)
        started = time.perf_counter()
        legacy = run_selection(
            instance,
            algorithm=SelectionRun.Algorithm.LEGACY,
            seed=run.seed,
            tickets=run.tickets,
            household_columns=columns,
        )
        fields["legacy_summary"] = legacy_summary(
            legacy, instance.panel_size, time.perf_counter() - started
        )
    return fields


def record_without_trial_draw(record: dict[str, Any]) -> dict[str, Any]:
    """The engine's record without the draw it made with the seed: until the
    public number is known there is no draw, so none is stored or published."""
    kept = {key: value for key, value in record.items() if key not in _TRIAL_DRAW_KEYS}
    kept["parameters"] = {
        key: value for key, value in record["parameters"].items() if key != "alternates"
    }
    return kept


def time_limit_error() -> dict[str, str]:
    """Why a run stopped at the lottery's time limit, and what helps.

    The engine is deterministic: "try again" would end the same way, so the
    message says what does help."""
    minutes = settings.LOTTERY_TIME_LIMIT // 60
    return {
        "code": "time_limit",
        "nl": _(
            "De loting is gestopt: zij duurde langer dan het maximum van %(minutes)s"
            " minuten. Opnieuw proberen helpt niet, want de loting rekent elke keer"
            " hetzelfde uit. Vraag de technisch beheerder om de tijdslimiet te"
            " verhogen (LOTTERY_TIME_LIMIT)."
        )
        % {"minutes": minutes},
        "en": f"The run stopped: it took longer than the limit of {minutes} minutes."
        " Trying again does not help: the run computes the same every time. Ask the"
        " technical administrator to raise the time limit (LOTTERY_TIME_LIMIT).",
    }


# The engine's work for one kind of run: the fields to store when it is done.
Compute = Callable[[SelectionRun, ProgressWriter], dict[str, Any]]
# What else a kind of run writes when it ends, in the same transaction as the
# run's end (so a run taken over by another task writes nothing).
Finished = Callable[[SelectionRun, dict[str, Any]], None]


def run_execute(
    *, run_id: int, kind: str, compute: Compute, finished: Finished | None = None
) -> Outcome:
    """Run the engine for a run, once: claim it, compute with a heartbeat, store the end.

    A duplicate task finds the run claimed and does nothing; a task redelivered
    after its worker died finds a stale claim and starts the run afresh (the
    engine is deterministic, so the result is the same). Panel draws and
    replacements share this; ``finished`` gets the stored fields.
    """
    claim = _claim(run_id, kind)
    if claim is None:
        status = (
            SelectionRun.objects.filter(pk=run_id, kind=kind)
            .values_list("status", flat=True)
            .first()
        )
        busy = status == SelectionRun.Status.RUNNING
        return Outcome("busy" if busy else "finished-before")
    run = SelectionRun.objects.get(pk=run_id)
    writer = ProgressWriter(run_id, claim)

    def end(state: str, **fields: Any) -> Outcome:
        with transaction.atomic():
            if not _finish(run_id, writer.claim, **fields):
                return Outcome("lost")
            if finished is not None:
                finished(run, fields)
        return Outcome(state)

    if _out_of_time(run, claim):
        # Taken over after its worker died, with the run's whole time used up:
        # most likely the worker was killed at the hard limit, and starting
        # afresh would be killed there again, without end.
        logger.error("selection run out of time after a takeover id=%s", run_id)
        return end("failed", status=SelectionRun.Status.FAILED, error=time_limit_error())

    try:
        with _Heartbeat(writer):
            fields = compute(run, writer)
        if writer.lost:
            raise ClaimLost
    except ClaimLost:
        logger.warning("selection run claim lost id=%s", run_id)
        return Outcome("lost")
    except SortitionError as error:
        logger.info("selection run failed id=%s code=%s", run_id, error.code)
        return end(
            "failed",
            status=SelectionRun.Status.FAILED,
            error=error_dict(error),
            progress_message=error.message_nl[:300],
        )
    except SoftTimeLimitExceeded:
        logger.error("selection run hit the time limit id=%s", run_id)
        return end("failed", status=SelectionRun.Status.FAILED, error=time_limit_error())
    except Exception as error:
        # A bug, not the organiser's doing: the page must not wait for ever.
        end(
            "failed",
            status=SelectionRun.Status.FAILED,
            error={
                "code": "internal",
                "nl": _("Er ging iets mis in het programma. Meld dit aan de beheerder."),
                "en": f"Internal error: {type(error).__name__}",
            },
        )
        logger.exception("selection run crashed id=%s", run_id)
        raise
    outcome = end(
        "done",
        status=SelectionRun.Status.DONE,
        progress=100,
        progress_message=_("Klaar."),
        **fields,
    )
    if outcome.state == "done":
        logger.info("selection run done id=%s kind=%s", run_id, kind)
    return outcome


def selection_run_execute(*, run_id: int) -> Outcome:
    """Draw a panel run's distribution, once (see :func:`run_execute`)."""
    return run_execute(run_id=run_id, kind=SelectionRun.Kind.PANEL, compute=_compute)


# -------------------------------------------------------------------------- commit


def check_selection_run_commit(*, run: SelectionRun) -> None:
    if pool_changed(run):
        raise SelectionRefused(_(POOL_CHANGED_MESSAGE))
    if run.committed_at is not None:
        raise SelectionRefused(_("Deze loting is al vastgelegd."))
    if run.status != SelectionRun.Status.DONE:
        raise SelectionRefused(_("Alleen een loting die klaar is, kunt u vastleggen."))
    if run.algorithm != SelectionRun.Algorithm.LEXIMIN:
        raise SelectionRefused(
            _("De oude methode is alleen om te vergelijken. Leg een LEXIMIN-loting vast.")
        )
    if run.kind != SelectionRun.Kind.PANEL:
        raise SelectionRefused(_("Alleen een loting van de deelnemers kunt u hier vastleggen."))
    if run_inputs_changed(run=run):
        raise SelectionRefused(_(INPUTS_CHANGED_MESSAGE))


def selection_run_commit(*, run: SelectionRun, actor: User | None) -> SelectionRun:
    """Freeze and publish the run before the public number is drawn."""
    with transaction.atomic():
        locked = SelectionRun.objects.select_for_update().get(pk=run.pk)
        check_selection_run_commit(run=locked)
        locked.committed_at = timezone.now()
        locked.committed_by = actor
        locked.save(update_fields=["committed_at", "committed_by"])
        record = locked.record or {}
        audit_record(
            action="selection_run_commit",
            assembly=locked.assembly,
            actor=actor,
            target=locked,
            detail={
                "input_sha256": str(record.get("input_sha256", "")),
                "ticket_table_sha256": str(record.get("ticket_table_sha256", "")),
            },
        )
    logger.info("selection run committed id=%s", locked.pk)
    return locked


# ---------------------------------------------------------------------------- draw


def check_selection_draw(
    *, run: SelectionRun, number: int, current: SelectionDraw | None, reason: str
) -> None:
    if pool_changed(run):
        raise SelectionRefused(_(POOL_CHANGED_MESSAGE))
    if run.committed_at is None or run.record is None:
        raise SelectionRefused(
            _("Leg de loting eerst vast. Pas daarna mag het openbare getal worden getrokken.")
        )
    if not 0 <= number <= MAX_NUMBER:
        raise SelectionRefused(_("Het getal moet een heel getal van 0 of meer zijn."))
    if current is None:
        return
    if not reason.strip():
        raise SelectionRefused(
            _("Er is al een trekking. Schrijf op waarom er een nieuwe trekking komt.")
        )
    notified = PanelMember.objects.filter(assembly=run.assembly, notified_at__isnull=False)
    if notified.exists():
        raise SelectionRefused(
            _(
                "De deelnemers van de vorige trekking hebben al bericht gekregen. "
                "Een nieuwe trekking kan nu niet meer."
            )
        )


def selection_draw(
    *,
    run: SelectionRun,
    number: int,
    how_drawn: str,
    actor: User | None,
    reason: str = "",
) -> SelectionDraw:
    """Apply the public number to a committed run: the ticket, the panel, the alternates.

    A second draw (for this run or another run of the assembly) needs a reason
    and is refused once anyone was told they were drawn; it supersedes the
    current draw and replaces its members and alternates, in one transaction.
    """
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=run.assembly_id).first()
        run = SelectionRun.objects.select_related("assembly").get(pk=run.pk)
        assembly = run.assembly
        current = assembly_current_draw(assembly=assembly)
        if current is not None and current.run_id == run.pk and current.number == number:
            # The same number for the same run again (a double click, the form
            # sent again): that draw is made; a new one would give the same.
            logger.info("selection draw repeated id=%s number=%s", current.pk, number)
            return current
        check_selection_draw(run=run, number=number, current=current, reason=reason)
        assert run.record is not None
        try:
            record = record_draw(
                run.record, run_instance(run), number, alternates=run.alternates, source="public"
            )
        except SortitionError as error:
            raise SelectionRefused(error.message_nl) from error
        now = timezone.now()
        if current is not None:
            # The new panel replaces every seat of the old one; a replacement
            # asked for a seat of the old panel has nothing left to fill.
            Replacement.objects.filter(assembly=assembly, status__in=OPEN_REPLACEMENT).update(
                status=Replacement.Status.DISCARDED,
                decided_by=actor,
                decided_at=timezone.now(),
                discard_reason=_(REDRAWN_REASON),
            )
            PanelMember.objects.filter(assembly=assembly).delete()
            current.superseded_at = now
            current.save(update_fields=["superseded_at"])
        draw = SelectionDraw.objects.create(
            run=run,
            number=number,
            how_drawn=how_drawn.strip()[:300],
            ticket=record["ticket_drawn"],
            panel=record["panel"],
            alternates=record["alternates"],
            record=record,
            reason=reason.strip() if current is not None else "",
            supersedes=current,
            drawn_by=actor,
        )
        left = _create_panel_members(assembly, draw, record["panel"], record["alternates"])
        audit_record(
            action="selection_redraw" if current is not None else "selection_draw",
            assembly=assembly,
            actor=actor,
            target=draw,
            detail={
                "run": run.pk,
                "number": number,
                "ticket": draw.ticket,
                "members": len(draw.panel),
                "alternates": len(draw.alternates),
                "supersedes": current.pk if current is not None else None,
                # Registration ids (public in the draw): drawn, but already left.
                "left_before_draw": left,
            },
        )
    logger.info(
        "selection draw id=%s run=%s ticket=%s supersedes=%s left_before_draw=%s",
        draw.pk,
        run.pk,
        draw.ticket,
        current.pk if current else None,
        len(left),
    )
    return draw


def _create_panel_members(
    assembly: Assembly, draw: SelectionDraw, panel: list[str], alternates: list[str]
) -> list[int]:
    """Create the seats of the draw. Returns the registration ids of the people
    drawn who had already left (see below)."""
    ids = [int(pid) for pid in [*panel, *alternates]]
    found = {
        pk: (status, email)
        for pk, status, email in Registration.objects.filter(
            assembly=assembly, pk__in=ids
        ).values_list("pk", "status", "email")
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        # The frozen pool names registrations that are gone: the panel cannot stand.
        raise SelectionRefused(
            _("%(n)s gelote aanmeldingen bestaan niet meer. Start een nieuwe loting.")
            % {"n": len(missing)}
        )
    # A committed run keeps everyone who withdrew or was erased after the
    # commitment (the published record must stay checkable), so the draw may
    # pick them. The draw stands as published; their seat is stopped at once,
    # so they are never told they were drawn, the organiser sees an open seat
    # (or a shorter reserve list) and a replacement can fill it.
    now = timezone.now()
    left: dict[int, str] = {}
    for pk, (status, email) in found.items():
        # Erased first: erasure of someone never drawn also withdraws them.
        if email.startswith(ERASED_EMAIL_PREFIX):
            left[pk] = ERASED_BEFORE_DRAW
        elif status == Registration.Status.WITHDRAWN:
            left[pk] = WITHDRAWN_BEFORE_DRAW

    def seat(pid: str, kind: str, status: str, rank: int | None = None) -> PanelMember:
        pk = int(pid)
        if pk in left:
            return PanelMember(
                assembly=assembly,
                registration_id=pk,
                draw=draw,
                kind=kind,
                status=PanelMember.Status.WITHDRAWN,
                alternate_rank=rank,
                withdrawn_at=now,
                withdrawn_reason=left[pk],
            )
        return PanelMember(
            assembly=assembly,
            registration_id=pk,
            draw=draw,
            kind=kind,
            status=status,
            alternate_rank=rank,
        )

    rows = [seat(pid, PanelMember.Kind.MEMBER, PanelMember.Status.SELECTED) for pid in panel]
    rows += [
        seat(pid, PanelMember.Kind.ALTERNATE, PanelMember.Status.WAITING, rank)
        for rank, pid in enumerate(alternates, start=1)
    ]
    PanelMember.objects.bulk_create(rows, batch_size=1_000)
    return sorted(left)


# --------------------------------------------------------------------- withdrawals


def pool_changed(run: SelectionRun) -> bool:
    """True when a respondent left the run's frozen pool after the run was started."""
    return (run.error or {}).get("code") == POOL_CHANGED


def _run_error(code: str, message: str) -> dict[str, str]:
    # Stored in both languages, whatever language the person who withdrew or
    # the purge ran in: the page shows it to whichever organiser opens it.
    dutch, english = both_languages(lambda: _(message))
    return {"code": code, "nl": dutch, "en": english}


def pool_changed_error() -> dict[str, str]:
    return _run_error(POOL_CHANGED, POOL_CHANGED_MESSAGE)


def _pool_without(pool_csv: str, respondent_id: str) -> str | None:
    """The frozen pool without the respondent's row; None when it has no such row."""
    rows = list(csv.reader(io.StringIO(pool_csv)))
    if not rows:
        return None
    header = [name.strip().casefold() for name in rows[0]]
    if ID_COLUMN not in header:
        return None
    column = header.index(ID_COLUMN)
    kept = [row for row in rows[1:] if not row or row[column].strip() != respondent_id]
    if len(kept) == len(rows) - 1:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows(kept)
    return out.getvalue()


def selection_runs_remove_respondent(
    *, assembly_id: int, registration_id: int, reason: str
) -> list[int]:
    """Take a respondent who withdrew (or whose data was erased) out of every
    panel run of the assembly that was never committed. Returns the ids of the
    runs that changed.

    Each such run loses the person's row in its frozen pool and its record
    (probabilities, panels and tickets by respondent id, which could lead back
    to the row and no longer fit the pool). A queued run has not read its pool
    yet: it stays queued and computes without the person. A running or
    finished run is marked with POOL_CHANGED, so it cannot be committed or
    drawn and the organiser is told to start a new one; a running run's task
    then loses its claim and stores nothing. A failed run keeps its error.

    A committed run stays as it is: it was published before its number was
    drawn, and changing its inputs would make the lottery unverifiable; the
    pool purge erases the registrations its ids refer to. Replacement runs are
    drawn from the committed run's pool and are left alone as well.

    Call it inside the transaction that withdraws or erases, so that both
    commit together or not at all.
    """
    respondent = str(registration_id)
    changed: list[int] = []
    with transaction.atomic():
        # The lock a run start takes: a run started at this moment either
        # waits and then no longer finds the person active, or was committed
        # first and is found below.
        assembly = Assembly.objects.select_for_update().filter(pk=assembly_id).first()
        runs = (
            SelectionRun.objects.select_for_update()
            .filter(
                assembly_id=assembly_id,
                kind=SelectionRun.Kind.PANEL,
                committed_at__isnull=True,
                # A row starts with its id: only runs that may hold the person
                # are read and parsed, each once.
                pool_csv__contains=f"\n{respondent},",
            )
            .defer("quotas_csv", "record", "legacy_summary")
            .order_by("pk")
        )
        for run in runs:
            pool = _pool_without(run.pool_csv, respondent)
            if pool is None:
                continue
            before = run.status
            run.pool_csv = pool
            run.record = None
            run.min_probability = None
            run.legacy_summary = None
            run.input_sha256 = ""
            fields = ["pool_csv", "record", "min_probability", "legacy_summary", "input_sha256"]
            if run.status in (SelectionRun.Status.RUNNING, SelectionRun.Status.DONE):
                run.status = SelectionRun.Status.FAILED
                run.error = pool_changed_error()
                run.progress_message = run.error["nl"][:300]
                run.finished_at = timezone.now()
                fields += ["status", "error", "progress_message", "finished_at"]
            run.save(update_fields=fields)
            audit_record(
                action="selection_run_respondent_removed",
                assembly=assembly,
                target=run,
                detail={"registration": registration_id, "reason": reason, "status": before},
            )
            changed.append(run.pk)
    if changed:
        logger.info(
            "selection runs without a respondent runs=%s registration=%s reason=%s",
            changed,
            registration_id,
            reason,
        )
    return changed


def pool_purged_error() -> dict[str, str]:
    return _run_error(POOL_PURGED, POOL_PURGED_MESSAGE)


def selection_runs_forget_pools(*, assembly_id: int) -> list[int]:
    """Empty the frozen pool and the record of every panel run of the assembly
    that was never committed (for the pool purge). Returns the ids of the runs
    that changed.

    Such a run's pool holds the quota values of people the purge erases, by
    registration id, and its record their chances. The rows stay rather than
    being deleted: nothing refers to them by foreign key (a draw needs a
    committed run), but the audit log names them and the organiser's list
    of runs shows them; and a task still computing a run that vanished would
    crash, while one that finds it failed loses its claim and stores nothing.
    A run that could still be used is marked failed, so it can be neither
    committed nor drawn. Committed runs are the published record and stay;
    replacement runs are drawn from a committed run's pool and stay too.

    Call it inside the purge's transaction.
    """
    changed: list[int] = []
    with transaction.atomic():
        runs = (
            SelectionRun.objects.select_for_update()
            .filter(
                assembly_id=assembly_id, kind=SelectionRun.Kind.PANEL, committed_at__isnull=True
            )
            .exclude(pool_csv="", record__isnull=True)
            .defer("quotas_csv", "record", "legacy_summary")
            .order_by("pk")
        )
        for run in runs:
            run.pool_csv = ""
            run.record = None
            run.min_probability = None
            run.legacy_summary = None
            run.input_sha256 = ""
            fields = ["pool_csv", "record", "min_probability", "legacy_summary", "input_sha256"]
            if run.status != SelectionRun.Status.FAILED:
                run.status = SelectionRun.Status.FAILED
                run.error = pool_purged_error()
                run.progress_message = run.error["nl"][:300]
                run.finished_at = timezone.now()
                fields += ["status", "error", "progress_message", "finished_at"]
            run.save(update_fields=fields)
            changed.append(run.pk)
    if changed:
        logger.info("selection run pools forgotten assembly=%s runs=%s", assembly_id, changed)
    return changed
