"""Stage 1 of the lottery and the invitations it produces.

The draw picks households reproducibly from a recorded seed. A run then turns a
draw's invitations into print-ready letters or sends them by e-mail. Runs are
split into chunks (a batch of letters, a slice of e-mails); each chunk is a
Celery task that can run twice, or be cut off by a killed worker and run again,
without producing a batch twice or sending anyone a second e-mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, QuerySet, Value, When
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assembly.mail_sending import (
    EMAIL_BATCH_SIZE,
    MailSender,
    mail_sender,
    refused_for_good,
    without_addresses,
)
from assembly.models import Assembly, User, both_languages
from assembly.queueing import REQUEUE_AFTER, queue_or_leave_to_sweep
from assembly.services import audit_record
from participants.codes import code_generate
from participants.letters import (
    LetterText,
    invitee_context,
    letter_fits,
    letter_text,
    letters_pdf,
)
from participants.models import (
    Invitation,
    InvitationDraw,
    InvitationRun,
    LetterBatch,
    Resident,
)
from participants.municipalities import province_of
from participants.services.background import stale_job_ids

logger = logging.getLogger(__name__)

LETTER_BATCH_SIZE = 500
EMAIL_CHUNK_SIZE = 250
# How often an e-mail chunk adds its count to the run's progress.
PROGRESS_EVERY = 50

# Statuses after which an invitee gets no more e-mail from us.
_NO_MORE_MAIL = (
    Invitation.Status.BOUNCED,
    Invitation.Status.REGISTERED,
    Invitation.Status.DECLINED,
)


class InvitationDrawRefused(Exception):
    """The draw cannot be made as asked; the message says why, for the organiser.

    Made with a function that writes the message, so that a refusal the worker
    meets can be stored in both languages (``both_languages(refusal.say)``);
    ``str()`` gives it in the active language."""

    def __init__(self, say: Callable[[], str]) -> None:
        super().__init__()
        self.say = say

    def __str__(self) -> str:
        return self.say()


class InvitationDrawBusy(InvitationDrawRefused):
    """Another draw of the assembly is queued or running."""


class InvitationDrawUnknownMunicipalities(InvitationDrawRefused):
    """A draw per province, but some residents' municipality is not in the list."""


class InvitationDrawSeedUsed(InvitationDrawRefused):
    """The seed of an earlier draw of the assembly: the form sent again."""


def check_seed_unused(*, assembly: Assembly, seed: str) -> None:
    """Each draw has a seed of its own. The same seed again is nearly always
    the draw form sent a second time (the browser's Back button keeps what was
    typed): it would invite more households than the organiser meant."""
    earlier = (
        InvitationDraw.objects.filter(assembly=assembly, seed=seed)
        .exclude(status=InvitationDraw.Status.FAILED)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        when = earlier.created_at
        raise InvitationDrawSeedUsed(
            lambda: _(
                "Dit startgetal is al gebruikt, bij de trekking van %(date)s. Er is geen "
                "nieuwe trekking gedaan. Wilt u echt meer mensen uitnodigen? Kies dan een "
                "nieuw startgetal."
            )
            % {"date": formats.date_format(timezone.localtime(when), "j F Y H:i")}
        )


class InvitationRunRefused(Exception):
    """A run cannot be started now; the message says why, for the organiser."""


class InvitationRunNeedsConfirmation(InvitationRunRefused):
    """Letters made now may arrive after the deadline: the organiser must say
    that they know, and want them anyway."""


# --------------------------------------------------------------------------- draw


@dataclass(frozen=True)
class _Household:
    key: str
    municipality: str
    # (person_ref, resident id), sorted by person_ref.
    residents: tuple[tuple[str, int], ...]


def _birth_date_cutoff(assembly: Assembly) -> dt.date:
    """The latest birth date of someone who is old enough on the first weekend."""
    day = assembly.first_weekend
    try:
        return day.replace(year=day.year - assembly.min_age)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year - assembly.min_age, day=28)


def _eligible_households(
    assembly: Assembly,
    *,
    cutoff: dt.date | None = None,
    residents_up_to: int | None = None,
    invitations_up_to: int | None = None,
) -> list[_Household]:
    """Households of which nobody has been invited yet, in canonical order (by key).

    With the bounds a draw recorded: the households it chose from, although
    extracts were read and draws made after it."""
    invitations = Invitation.objects.filter(assembly=assembly, resident__isnull=False)
    residents = Resident.objects.filter(
        assembly=assembly, birth_date__lte=cutoff or _birth_date_cutoff(assembly)
    )
    if invitations_up_to is not None:
        invitations = invitations.filter(pk__lte=invitations_up_to)
    if residents_up_to is not None:
        residents = residents.filter(pk__lte=residents_up_to)
    invited = set(invitations.values_list("resident__household_key", flat=True))
    rows = residents.values_list("household_key", "person_ref", "pk", "municipality")
    members: dict[str, list[tuple[str, int]]] = {}
    municipalities: dict[str, set[str]] = {}
    for key, person_ref, pk, municipality in rows.iterator(chunk_size=10_000):
        if key in invited:
            continue
        members.setdefault(key, []).append((person_ref, pk))
        municipalities.setdefault(key, set()).add(municipality)
    return [
        _Household(key=key, municipality=min(municipalities[key]), residents=tuple(sorted(people)))
        for key, people in sorted(members.items())
    ]


def _input_sha256(households: Sequence[_Household], stratify_by: str) -> str:
    """The hash of what the draw chose from.

    A draw per province also hashes each household's province: the list of
    municipalities is updated every year, and a changed province changes the
    draw, so it must change the record too.
    """
    per_province = stratify_by == InvitationDraw.Stratification.PROVINCE
    digest = hashlib.sha256()
    for household in households:
        refs = ",".join(ref for ref, _pk in household.residents)
        line = f"{household.key}\t{household.municipality}\t{refs}"
        if per_province:
            line += f"\t{province_of(household.municipality)}"
        digest.update(f"{line}\n".encode())
    return digest.hexdigest()


def apportion(sizes: dict[str, int], count: int) -> dict[str, int]:
    """Largest-remainder (Hamilton) apportionment of `count` over groups of `sizes`.

    Ties in the remainder go to the group whose name sorts first, so the result
    depends on nothing but the input.
    """
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    quotas = {name: Fraction(count * size, total) for name, size in sizes.items()}
    seats = {name: floor(quota) for name, quota in quotas.items()}
    left = count - sum(seats.values())
    by_remainder = sorted(sizes, key=lambda name: (-(quotas[name] - seats[name]), name))
    for name in by_remainder[:left]:
        seats[name] += 1
    return seats


def _group_of(household: _Household, stratify_by: str) -> str:
    if stratify_by == InvitationDraw.Stratification.MUNICIPALITY:
        return household.municipality
    province = province_of(household.municipality)
    if province is None:
        # _draw_plan refuses such a draw before it gets here; this guards the order.
        raise _unknown_refusal({household.municipality: len(household.residents)})
    return province


def _choose(
    households: list[_Household], count: int, seed: str, stratify_by: str
) -> list[tuple[_Household, int]]:
    """The chosen households and, for each, the chosen resident's id.

    Stratified, the count is apportioned over the groups (municipalities or
    provinces) by their number of households, and each group is drawn from in
    the order of its name, so that the seed decides everything else.
    """
    rng = random.Random(seed)
    if stratify_by in (
        InvitationDraw.Stratification.MUNICIPALITY,
        InvitationDraw.Stratification.PROVINCE,
    ):
        groups: dict[str, list[_Household]] = {}
        for household in households:
            groups.setdefault(_group_of(household, stratify_by), []).append(household)
        seats = apportion({name: len(group) for name, group in groups.items()}, count)
        chosen: list[_Household] = []
        for name in sorted(groups):
            chosen.extend(rng.sample(groups[name], seats[name]))
    else:
        chosen = rng.sample(households, count)
    chosen.sort(key=lambda household: household.key)
    return [(h, h.residents[rng.randrange(len(h.residents))][1]) for h in chosen]


def _fresh_codes(count: int) -> list[str]:
    """`count` codes unique among themselves and not yet used by any invitation."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        candidates = {code_generate() for _ in range(wanted)} - codes
        taken: set[str] = set()
        pending = list(candidates)
        for start in range(0, len(pending), 5_000):
            taken.update(
                Invitation.objects.filter(code__in=pending[start : start + 5_000]).values_list(
                    "code", flat=True
                )
            )
        codes |= candidates - taken
    return list(codes)


def check_invitation_draw(*, assembly: Assembly, count: int, eligible: int) -> None:
    if count < 1:
        raise InvitationDrawRefused(lambda: _("Vraag om minstens één uitnodiging."))
    if count > eligible:
        raise InvitationDrawRefused(
            lambda: _(
                "U vraagt %(requested)s uitnodigingen. Er zijn maar %(available)s huishoudens "
                "die nog geen uitnodiging hebben. Vraag om minder uitnodigingen, of lees eerst "
                "meer inwoners in."
            )
            % {"requested": count, "available": eligible}
        )


def _eligible_residents(assembly: Assembly) -> QuerySet[Resident]:
    """The residents _eligible_households groups, as a query for the database to count."""
    invited = Invitation.objects.filter(assembly=assembly, resident__isnull=False).values(
        "resident__household_key"
    )
    return Resident.objects.filter(
        assembly=assembly, birth_date__lte=_birth_date_cutoff(assembly)
    ).exclude(household_key__in=invited)


def eligible_household_count(*, assembly: Assembly) -> int:
    """How many households _eligible_households would give, counted by the database."""
    return _eligible_residents(assembly).values("household_key").distinct().count()


# How many unknown municipality names a refusal lists before "and N more".
UNKNOWN_SHOWN = 10


def unknown_municipalities(*, assembly: Assembly) -> dict[str, int]:
    """Municipality names of eligible residents that are not in the list, with how many each."""
    rows = (
        _eligible_residents(assembly)
        .order_by()
        .values_list("municipality")
        .annotate(residents=Count("pk"))
    )
    return {name: residents for name, residents in rows if province_of(name) is None}


def _unknown_refusal(unknown: Mapping[str, int]) -> InvitationDrawUnknownMunicipalities:
    residents = sum(unknown.values())

    def say() -> str:
        names = [f"“{name}”" if name.strip() else _("(geen gemeente)") for name in sorted(unknown)]
        shown = ", ".join(names[:UNKNOWN_SHOWN])
        if len(names) > UNKNOWN_SHOWN:
            shown = _("%(names)s en %(more)s meer") % {
                "names": shown, "more": len(names) - UNKNOWN_SHOWN
            }
        return ngettext(
            "Voor een verdeling per provincie moeten we van elke gemeente weten in welke "
            "provincie ze ligt. Deze gemeenten kennen we niet: %(names)s. Het gaat om "
            "%(residents)s inwoner. Verbeter de naam van de gemeente in het bestand en lees het "
            "opnieuw in. Of kies een andere verdeling.",
            "Voor een verdeling per provincie moeten we van elke gemeente weten in welke "
            "provincie ze ligt. Deze gemeenten kennen we niet: %(names)s. Het gaat om "
            "%(residents)s inwoners. Verbeter de naam van de gemeente in het bestand en lees het "
            "opnieuw in. Of kies een andere verdeling.",
            residents,
        ) % {"names": shown, "residents": residents}

    return InvitationDrawUnknownMunicipalities(say)


def check_provinces_known(*, assembly: Assembly, stratify_by: str) -> None:
    """A draw per province needs the province of every eligible resident's municipality."""
    if stratify_by != InvitationDraw.Stratification.PROVINCE:
        return
    unknown = unknown_municipalities(assembly=assembly)
    if unknown:
        raise _unknown_refusal(unknown)


# Residents: how many, the last id; invitations: how many, the last id.
_Snapshot = tuple[int, int | None, int, int | None]


@dataclass(frozen=True)
class _DrawPlan:
    households: list[_Household]
    chosen: list[tuple[_Household, int]]
    # What the plan was made from; if it changed, the plan is made again.
    snapshot: _Snapshot
    cutoff: dt.date


def _snapshot(assembly: Assembly) -> _Snapshot:
    residents = Resident.objects.filter(assembly=assembly)
    invitations = Invitation.objects.filter(assembly=assembly, resident__isnull=False)
    return (
        residents.count(),
        residents.order_by("-pk").values_list("pk", flat=True).first(),
        invitations.count(),
        invitations.order_by("-pk").values_list("pk", flat=True).first(),
    )


def _draw_plan(*, assembly: Assembly, count: int, seed: str, stratify_by: str) -> _DrawPlan:
    snapshot = _snapshot(assembly)
    cutoff = _birth_date_cutoff(assembly)
    households = _eligible_households(assembly, cutoff=cutoff)
    check_invitation_draw(assembly=assembly, count=count, eligible=len(households))
    check_provinces_known(assembly=assembly, stratify_by=stratify_by)
    return _DrawPlan(
        households, _choose(households, count, seed, stratify_by), snapshot, cutoff
    )


def _draw_write(draw: InvitationDraw, plan: _DrawPlan) -> None:
    """Record the plan's counts on the draw and create its invitations with fresh codes."""
    households = plan.households
    draw.eligible_households = len(households)
    draw.eligible_residents = sum(len(h.residents) for h in households)
    draw.input_sha256 = _input_sha256(households, draw.stratify_by)
    _count, last_resident, _invitations, last_invitation = plan.snapshot
    draw.residents_up_to = last_resident or 0
    draw.invitations_up_to = last_invitation or 0
    draw.born_on_or_before = plan.cutoff
    draw.codes_have_check_character = True  # _fresh_codes: code_generate()
    draw.save(update_fields=[
        "eligible_households", "eligible_residents", "input_sha256",
        "residents_up_to", "invitations_up_to", "born_on_or_before",
        "codes_have_check_character",
    ])
    for attempt in range(5):
        codes = _fresh_codes(len(plan.chosen))
        rows = [
            Invitation(assembly=draw.assembly, draw=draw, resident_id=resident_id, code=code)
            for (_household, resident_id), code in zip(plan.chosen, codes, strict=True)
        ]
        try:
            with transaction.atomic():
                Invitation.objects.bulk_create(rows, batch_size=2_000)
            break
        except IntegrityError:
            # Another draw took one of these codes in the meantime: draw new codes.
            logger.warning("invitation code collision draw=%s attempt=%s", draw.pk, attempt)
    else:
        raise IntegrityError("could not find unused invitation codes")
    logger.info(
        "invitation draw id=%s assembly=%s count=%s households=%s",
        draw.pk, draw.assembly_id, draw.requested, len(households),
    )


@transaction.atomic
def invitation_draw(
    *,
    assembly: Assembly,
    count: int,
    seed: str,
    stratify_by: str = "",
    created_by: User | None = None,
) -> InvitationDraw:
    """Draw `count` households, one resident each, and give each an invitation code.

    Reproducible: the same residents and the same seed give the same households
    and the same residents. The input hash records which residents it drew from.
    Runs at once (the management command); the organiser's page queues
    invitation_draw_queue instead.
    """
    # Two draws at once could both pick a household; the lock makes them take turns.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    check_seed_unused(assembly=assembly, seed=seed)
    plan = _draw_plan(assembly=assembly, count=count, seed=seed, stratify_by=stratify_by)
    draw = InvitationDraw.objects.create(
        assembly=assembly,
        seed=seed,
        requested=count,
        stratify_by=stratify_by,
        created_by=created_by,
        status=InvitationDraw.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    _draw_write(draw, plan)
    return draw


@dataclass(frozen=True)
class DrawReplay:
    """The draw made again from its seed and the input it recorded."""

    # False: the draw is older than the recorded bounds and cannot be made again.
    recorded: bool
    # The input hash of the households it chose from matches the recorded one.
    input_matches: bool
    # The same residents came out as the draw's invitations hold.
    chosen_matches: bool
    households: int


def invitation_draw_replay(*, draw: InvitationDraw) -> DrawReplay:
    """Make a finished draw again from its seed, as anyone with the extract can.

    Later extracts and later draws do not count: the draw recorded up to which
    resident and which invitation it looked, and the birth date it used. A
    changed input (an extract taken back, a municipality moved to another
    province, purged personal data) shows as ``input_matches`` False.
    """
    bounds = (draw.residents_up_to, draw.invitations_up_to, draw.born_on_or_before)
    if draw.status != InvitationDraw.Status.DONE or None in bounds:
        return DrawReplay(recorded=False, input_matches=False, chosen_matches=False,
                          households=0)
    households = _eligible_households(
        draw.assembly,
        cutoff=draw.born_on_or_before,
        residents_up_to=draw.residents_up_to,
        invitations_up_to=draw.invitations_up_to,
    )
    input_matches = _input_sha256(households, draw.stratify_by) == draw.input_sha256
    chosen_matches = False
    if input_matches and draw.requested <= len(households):
        drawn = sorted(resident_id for _household, resident_id in
                       _choose(households, draw.requested, draw.seed, draw.stratify_by))
        # A purged invitation (resident None) no longer says whom it was for.
        recorded = [
            resident_id or 0
            for resident_id in Invitation.objects.filter(draw=draw).values_list(
                "resident_id", flat=True
            )
        ]
        chosen_matches = drawn == sorted(recorded)
    logger.info(
        "invitation draw replayed id=%s input=%s chosen=%s", draw.pk, input_matches, chosen_matches
    )
    return DrawReplay(recorded=True, input_matches=input_matches,
                      chosen_matches=chosen_matches, households=len(households))


_ACTIVE_DRAW = (InvitationDraw.Status.QUEUED, InvitationDraw.Status.RUNNING)
# A draw of 70,000 takes seconds; one still waiting or running after this long
# lost its message or its worker, and must not block the organiser for good.
DRAW_STALE_AFTER = dt.timedelta(minutes=30)


def _fail_stale_draws(draws: QuerySet[InvitationDraw]) -> None:
    for draw_id in stale_job_ids(draws, after=DRAW_STALE_AFTER):
        invitation_draw_fail(
            draw_id=draw_id,
            say=lambda: _(
                "De trekking is niet op tijd klaargekomen. Er zijn geen uitnodigingen "
                "gemaakt. Probeer het opnieuw."
            ),
        )


def invitation_draw_queue(
    *,
    assembly: Assembly,
    count: int,
    seed: str,
    stratify_by: str = "",
    created_by: User | None = None,
) -> InvitationDraw:
    """Check the draw and queue it for Celery (invitation_draw_execute) on commit.

    A large draw takes longer than a web request may; the organiser follows it
    on the invitations page. Refused while another draw of the assembly waits
    or runs, since both would draw from the same households.
    """
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
        _fail_stale_draws(InvitationDraw.objects.filter(assembly=assembly))
        if InvitationDraw.objects.filter(assembly=assembly, status__in=_ACTIVE_DRAW).exists():
            raise InvitationDrawBusy(
                lambda: _(
                    "Er loopt al een trekking voor dit burgerberaad. Wacht tot die klaar is. "
                    "Daarna kunt u een nieuwe trekking doen."
                )
            )
        check_seed_unused(assembly=assembly, seed=seed)
        check_invitation_draw(
            assembly=assembly, count=count, eligible=eligible_household_count(assembly=assembly)
        )
        check_provinces_known(assembly=assembly, stratify_by=stratify_by)
        draw = InvitationDraw.objects.create(
            assembly=assembly,
            seed=seed,
            requested=count,
            stratify_by=stratify_by,
            created_by=created_by,
            status=InvitationDraw.Status.QUEUED,
            progress=0,
        )
        draw_id = draw.pk
        transaction.on_commit(lambda: _ask_to_draw(draw_id))
    logger.info("invitation draw queued id=%s assembly=%s count=%s", draw.pk, assembly.pk, count)
    return draw


def _ask_to_draw(draw_id: int) -> None:
    from participants.tasks import invitation_draw_task  # it imports this module

    queue_or_leave_to_sweep(invitation_draw_task, draw_id, what="invitation draw")


def _ask_to_run(run_id: int) -> None:
    from participants.tasks import invitation_run_task  # it imports this module

    queue_or_leave_to_sweep(invitation_run_task, run_id, what="invitation run")


def invitations_requeue(*, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """Queue again the draws and the letter/e-mail runs still waiting for a task
    after REQUEUE_AFTER (run every few minutes by celery beat). A second task
    is harmless: a draw is claimed (queued → running) once, and a run's
    chunks do their work once. Returns the ids of the draws and of the runs."""
    moment = now or timezone.now()
    # A draw takes seconds: one still running after DRAW_STALE_AFTER lost its
    # worker. Failed, it tells the organiser to try again instead of spinning.
    _fail_stale_draws(InvitationDraw.objects.filter(status=InvitationDraw.Status.RUNNING))
    draws = list(
        InvitationDraw.objects.filter(
            status=InvitationDraw.Status.QUEUED, created_at__lt=moment - REQUEUE_AFTER
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    runs = list(
        InvitationRun.objects.filter(
            status=InvitationRun.Status.QUEUED, created_at__lt=moment - REQUEUE_AFTER
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for draw_id in draws:
        _ask_to_draw(draw_id)
    for run_id in runs:
        _ask_to_run(run_id)
    if draws or runs:
        logger.info("invitations queued again draws=%s runs=%s", draws, runs)
    return draws, runs


class _DrawTakenOver(Exception):
    """The draw was marked failed (stale) while this task still worked on it."""


def invitation_draw_execute(*, draw_id: int) -> bool:
    """Make a queued draw. Returns False if another task has claimed it already.

    The claim (queued → running) is a check-and-update, so a redelivered
    message or a second worker does not draw twice. The households are chosen
    before the lock is taken, so that the progress shows; under the lock the
    plan is made again only if residents or invitations changed in the
    meantime. The invitations and the status "done" are written in one
    transaction: a draw that fails leaves no invitations.
    """
    claimed = InvitationDraw.objects.filter(pk=draw_id, status=InvitationDraw.Status.QUEUED).update(
        status=InvitationDraw.Status.RUNNING, progress=10, started_at=timezone.now()
    )
    if claimed != 1:
        return False
    draw = InvitationDraw.objects.select_related("assembly").get(pk=draw_id)
    assembly = draw.assembly

    def plan() -> _DrawPlan:
        return _draw_plan(
            assembly=assembly, count=draw.requested, seed=draw.seed, stratify_by=draw.stratify_by
        )

    # The refusals are stored in both languages (invitation_draw_fail); the
    # worker's own texts in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            chosen = plan()
            InvitationDraw.objects.filter(pk=draw_id).update(progress=50)
            with transaction.atomic():
                Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
                if _snapshot(assembly) != chosen.snapshot:
                    chosen = plan()
                _draw_write(draw, chosen)
                closed = InvitationDraw.objects.filter(
                    pk=draw_id, status=InvitationDraw.Status.RUNNING
                ).update(status=InvitationDraw.Status.DONE, progress=100,
                         finished_at=timezone.now())
                if closed != 1:
                    raise _DrawTakenOver
        except InvitationDrawRefused as refusal:
            invitation_draw_fail(draw_id=draw_id, say=refusal.say)
        except _DrawTakenOver:
            logger.warning("invitation draw given up as stale id=%s", draw_id)
        except Exception:
            # Logged with its traceback for the administrator; the organiser
            # reads what happened and can try again.
            logger.exception("invitation draw failed id=%s", draw_id)
            invitation_draw_fail(
                draw_id=draw_id,
                say=lambda: _(
                    "Door een fout in het systeem is de trekking niet gelukt. Er zijn geen "
                    "uitnodigingen gemaakt. Probeer het opnieuw. Lukt het weer niet? Neem dan "
                    "contact op met de beheerder."
                ),
            )
    return True


def invitation_draw_fail(*, draw_id: int, say: Callable[[], str]) -> None:
    """``say`` gives the reason; it is stored in Dutch and English, for
    whichever organiser opens the page."""
    error, error_en = both_languages(say)
    InvitationDraw.objects.filter(pk=draw_id, status__in=_ACTIVE_DRAW).update(
        status=InvitationDraw.Status.FAILED, error=error, error_en=error_en,
        finished_at=timezone.now(),
    )
    logger.error("invitation draw failed id=%s", draw_id)


# ---------------------------------------------------------------------------- runs


def _email_targets(draw: InvitationDraw) -> QuerySet[Invitation]:
    return Invitation.objects.filter(draw=draw, resident__isnull=False).exclude(resident__email="")


def _letter_count(draw: InvitationDraw) -> int:
    return Invitation.objects.filter(draw=draw).count()


def letter_batch_count(run: InvitationRun) -> int:
    return ceil(_letter_count(run.draw) / LETTER_BATCH_SIZE)


def email_chunk_count(run: InvitationRun) -> int:
    return ceil(Invitation.objects.filter(draw=run.draw).count() / EMAIL_CHUNK_SIZE)


# The print house needs a few days for a run of letters, and PostNL delivers
# in one to three working days (no post on Sunday and Monday): together about
# a week before the letter is on the doormat. Letters made closer to the
# deadline than this may arrive after the registration closed.
LETTER_DELIVERY_DAYS = 7


def letters_may_arrive_late(*, assembly: Assembly, today: dt.date | None = None) -> bool:
    """The deadline is still to come, but fewer than LETTER_DELIVERY_DAYS away."""
    deadline = assembly.registration_deadline
    if deadline is None:
        return False
    days_left = (deadline - (today or timezone.localdate())).days
    return 0 <= days_left < LETTER_DELIVERY_DAYS


def letters_late_warning(*, assembly: Assembly) -> str:
    """For the organiser, on the page and in the refusal."""
    assert assembly.registration_deadline is not None
    return _(
        "Let op: de aanmelding sluit al op %(date)s. De drukker en de post hebben samen "
        "ongeveer %(days)s dagen nodig. Brieven die u nu maakt, komen misschien pas na die "
        "datum aan."
    ) % {
        "date": formats.date_format(assembly.registration_deadline, "j F Y"),
        "days": LETTER_DELIVERY_DAYS,
    }


def invitation_run_start(
    *,
    draw: InvitationDraw,
    kind: str,
    created_by: User | None = None,
    late_letters_confirmed: bool = False,
    again_confirmed: bool = False,
) -> InvitationRun:
    """Start making letters or sending e-mails for a draw; the work runs in Celery.

    Letters close to the deadline need ``late_letters_confirmed``: they may
    arrive too late, which the organiser may accept (a late letter still
    reaches someone who can ask for more time), but not by accident. Letters
    made again for a draw need ``again_confirmed``: the same letters posted
    twice would confuse people, but a lost PDF must be made again."""
    with transaction.atomic():
        locked = InvitationDraw.objects.select_for_update().filter(pk=draw.pk).first()
        if locked is None or locked.status != InvitationDraw.Status.DONE:
            raise InvitationRunRefused(
                _("Deze trekking is niet klaar. Er zijn nog geen uitnodigingen om te versturen.")
            )
        deadline = draw.assembly.registration_deadline
        if deadline is not None and deadline < timezone.localdate():
            # The letter and the e-mail say "Meld u aan vóór het einde van <deadline>".
            raise InvitationRunRefused(
                _(
                    "De aanmelding sloot op %(date)s. Die datum staat in de brief en de e-mail. "
                    "Wilt u toch nog mensen uitnodigen? Kies dan eerst een nieuwe datum bij "
                    "‘Schema voor herinneringen’."
                )
                % {"date": formats.date_format(deadline, "j F Y")}
            )
        if kind == InvitationRun.Kind.LETTERS and not letter_fits(letter_text(draw.assembly)):
            raise InvitationRunRefused(
                _(
                    "De brief past niet op één bladzijde, ook niet met kleinere letters. Maak "
                    "de vraag of de namen van de plaatsen korter bij ‘Instellingen’ en "
                    "‘Programma’. Probeer het daarna opnieuw."
                )
            )
        if (
            kind == InvitationRun.Kind.LETTERS
            and not late_letters_confirmed
            and letters_may_arrive_late(assembly=draw.assembly)
        ):
            raise InvitationRunNeedsConfirmation(
                " ".join((
                    letters_late_warning(assembly=draw.assembly),
                    _(
                        "Wilt u de brieven toch maken? Zet dan een vinkje bij ‘Ik weet dat "
                        "de brieven misschien te laat aankomen’."
                    ),
                ))
            )
        active = InvitationRun.objects.filter(
            draw=draw,
            kind=kind,
            status__in=[InvitationRun.Status.QUEUED, InvitationRun.Status.RUNNING],
        )
        if active.exists():
            raise InvitationRunRefused(
                _("Deze ronde loopt al voor deze trekking. Wacht tot ze klaar is.")
            )
        made = InvitationRun.objects.filter(
            draw=draw, kind=InvitationRun.Kind.LETTERS, status=InvitationRun.Status.DONE
        ).order_by("-created_at").first()
        if kind == InvitationRun.Kind.LETTERS and made is not None and not again_confirmed:
            raise InvitationRunNeedsConfirmation(
                _(
                    "De brieven van deze trekking zijn al gemaakt op %(date)s. Opnieuw maken "
                    "geeft dezelfde brieven. Stuur ze niet nog een keer op de post. Wilt u ze "
                    "toch opnieuw maken? Zet dan een vinkje bij ‘Opnieuw maken’."
                )
                % {"date": formats.date_format(timezone.localtime(made.created_at), "j F Y H:i")}
            )
        if kind == InvitationRun.Kind.LETTERS:
            total = _letter_count(draw)
        elif kind == InvitationRun.Kind.EMAILS:
            # What this run will send: a second run skips whoever has had an
            # e-mail (or said no), so counting them would leave its bar low
            # until the end jumps it to 100 %.
            total = _unsent(draw).count()
        else:
            raise InvitationRunRefused(_("Deze soort ronde bestaat niet."))
        run = InvitationRun.objects.create(
            assembly=draw.assembly, draw=draw, kind=kind, total=total, created_by=created_by
        )
        if kind == InvitationRun.Kind.EMAILS:
            from participants.services.reminders import reminder_schedule_ensure

            reminder_schedule_ensure(assembly=draw.assembly)
        run_id = run.pk
        transaction.on_commit(lambda: _ask_to_run(run_id))
    logger.info("invitation run queued id=%s kind=%s draw=%s", run.pk, kind, draw.pk)
    return run


def invitation_run_dispatch(*, run_id: int) -> int:
    """Mark the run as running and queue its chunks. Returns how many were queued.

    Safe to run again (a redelivered message): the chunks themselves are
    idempotent, so queueing one twice does its work once.
    """
    InvitationRun.objects.filter(pk=run_id, status=InvitationRun.Status.QUEUED).update(
        status=InvitationRun.Status.RUNNING
    )
    run = InvitationRun.objects.select_related("draw").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING:
        return 0
    from participants.tasks import invitation_email_chunk_task, letter_batch_task

    if run.kind == InvitationRun.Kind.LETTERS:
        chunks = letter_batch_count(run)
        for number in range(chunks):
            letter_batch_task.delay(run_id, number)
    else:
        chunks = email_chunk_count(run)
        for number in range(chunks):
            invitation_email_chunk_task.delay(run_id, number)
    if chunks == 0:
        invitation_run_finish_if_complete(run_id=run_id)
    logger.info("invitation run dispatched id=%s chunks=%s", run_id, chunks)
    return chunks


def _chunk_ids(draw_id: int, number: int, size: int) -> list[int]:
    ids = Invitation.objects.filter(draw_id=draw_id).order_by("pk").values_list("pk", flat=True)
    return list(ids[number * size : (number + 1) * size])


def invitation_run_finish_if_complete(*, run_id: int) -> bool:
    """Close the run once every chunk's work is done. Returns True if this call closed it."""
    run = InvitationRun.objects.select_related("draw").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING:
        return False
    if run.kind == InvitationRun.Kind.LETTERS:
        if run.batches.count() < letter_batch_count(run):
            return False
    elif _unsent(run.draw).exists():
        return False
    closed = InvitationRun.objects.filter(pk=run_id, status=InvitationRun.Status.RUNNING).update(
        status=InvitationRun.Status.DONE, done=F("total"), finished_at=timezone.now()
    )
    if closed == 1:
        logger.info("invitation run done id=%s", run_id)
    return closed == 1


def _mail_server_trouble(error: BaseException, attempts: int) -> str | None:
    """What the mail server did, in words an organiser knows; None if the
    error did not come from the connection to the mail server."""
    # SMTPException is an OSError, and the login and connect errors are SMTP
    # replies: the most specific first.
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return ngettext(
            "De mailserver weigerde de inlog (na %(count)s poging).",
            "De mailserver weigerde de inlog (na %(count)s pogingen).",
            attempts,
        ) % {"count": attempts}
    unreachable = (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPServerDisconnected)
    if isinstance(error, smtplib.SMTPException) and not isinstance(error, unreachable):
        # A 4xx reply to the sender, the addresses or the message (5xx ones
        # are bounces and do not stop the run).
        return ngettext(
            "De mailserver nam de e-mails niet aan (na %(count)s poging).",
            "De mailserver nam de e-mails niet aan (na %(count)s pogingen).",
            attempts,
        ) % {"count": attempts}
    if isinstance(error, OSError):
        return ngettext(
            "De mailserver was niet bereikbaar (na %(count)s poging).",
            "De mailserver was niet bereikbaar (na %(count)s pogingen).",
            attempts,
        ) % {"count": attempts}
    return None


def invitation_run_failure(
    *, kind: str, error: BaseException, attempts: int
) -> Callable[[], str]:
    """Why a run stopped, for ``invitation_run_fail``: the mail server's
    trouble, or else a general text with the exception's class name only
    (its message may hold e-mail addresses).

    What it promises is what starting again does: a new e-mail run sends only
    to whoever has no e-mail yet (``_unsent``), a new letters run makes every
    letter of the draw again (``letter_batch_produce``)."""
    cause = type(error).__name__

    def say() -> str:
        if kind == InvitationRun.Kind.EMAILS:
            trouble = _mail_server_trouble(error, attempts)
            if trouble is not None:
                return " ".join((trouble, _(
                    "Vraag de technisch beheerder om de instellingen voor e-mail te controleren. "
                    "Verstuur daarna de e-mails opnieuw met de knop ‘E-mails versturen’ bij de "
                    "trekking. Wie al een e-mail kreeg, krijgt er geen tweede."
                )))
            return _(
                "Door een fout in het systeem is het versturen van de e-mails gestopt. De "
                "e-mails die al verstuurd zijn, blijven verstuurd. Neem contact op met de "
                "technisch beheerder en noem deze melding: %(cause)s."
            ) % {"cause": cause}
        return _(
            "Door een fout in het systeem is het maken van de brieven gestopt. De stapels "
            "brieven die al klaar zijn, kunt u nog downloaden. Neem contact op met de "
            "technisch beheerder en noem deze melding: %(cause)s. Maakt u daarna de brieven "
            "opnieuw? Dan maakt het systeem alle brieven van deze trekking opnieuw. Stuur de "
            "drukker dan alleen de stapels van de nieuwe ronde."
        ) % {"cause": cause}

    return say


def invitation_run_fail(*, run_id: int, say: Callable[[], str], cause: str) -> None:
    """``say`` gives the reason (see ``invitation_run_failure``); it is stored
    in Dutch and English, for whichever organiser opens the page. ``cause``,
    an exception's class name, is for the log: ids and class names only."""
    error, error_en = both_languages(say)
    InvitationRun.objects.filter(
        pk=run_id, status__in=[InvitationRun.Status.QUEUED, InvitationRun.Status.RUNNING]
    ).update(
        status=InvitationRun.Status.FAILED, error=error, error_en=error_en,
        finished_at=timezone.now(),
    )
    logger.error("invitation run failed id=%s cause=%s", run_id, cause)


def letter_batch_produce(*, run_id: int, number: int) -> bool:
    """Make batch `number` of a letters run. Returns False if it exists already.

    The batch row, the invitations' status and the run's progress are written in
    one transaction, after the PDF is made; the unique (run, number) makes a
    second producer of the same batch give up.
    """
    run = InvitationRun.objects.select_related("draw", "assembly").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING or run.kind != InvitationRun.Kind.LETTERS:
        return False
    if LetterBatch.objects.filter(run=run, number=number).exists():
        return False
    ids = _chunk_ids(run.draw_id, number, LETTER_BATCH_SIZE)
    invitations = (
        Invitation.objects.filter(pk__in=ids).select_related("resident").order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        pdf, letters = letters_pdf(invitations, letter_text(run.assembly))
    batch = LetterBatch(run=run, number=number, letters=letters)
    batch.pdf.save(f"uitnodigingen-{run.pk}-{number + 1:04d}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            batch.save()
            now = timezone.now()
            Invitation.objects.filter(pk__in=ids, letter_produced_at=None).update(
                letter_produced_at=now
            )
            Invitation.objects.filter(pk__in=ids, status=Invitation.Status.DRAWN).update(
                status=Invitation.Status.LETTER_PRODUCED
            )
            InvitationRun.objects.filter(pk=run.pk).update(done=F("done") + len(ids))
    except IntegrityError:
        batch.pdf.delete(save=False)
        return False
    logger.info("letter batch produced run=%s number=%s letters=%s", run.pk, number, letters)
    invitation_run_finish_if_complete(run_id=run.pk)
    return True


def invitation_letter_reprint(*, invitation: Invitation, actor: User | None) -> bytes:
    """One invitee's letter again, as a PDF: for someone who lost it and calls.
    Same code, same text, in Dutch as the batches; the status does not change."""
    if invitation.resident is None:
        raise ValueError("a purged invitation has no letter")
    with translation.override(settings.LANGUAGE_CODE):
        pdf, _letters = letters_pdf([invitation], letter_text(invitation.assembly))
    audit_record(
        action="invitations.letter_reprinted",
        assembly=invitation.assembly,
        actor=actor,
        target=invitation,
        detail={"invitation": invitation.pk},
    )
    return pdf


# --------------------------------------------------------------------------- e-mail


def invitation_email(invitation: Invitation, text: LetterText) -> EmailMultiAlternatives:
    context = {"text": text, **invitee_context(invitation)}
    subject = render_to_string("participants/email/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject,
        render_to_string("participants/email/invitation.txt", context),
        None,
        [str(context["email"])],
        # The page behind it has the button ‘Ik doe niet mee’: then no reminders follow.
        headers={"List-Unsubscribe": f"<{context['url']}>"},
    )
    message.attach_alternative(
        render_to_string("participants/email/invitation.html", context), "text/html"
    )
    return message


def _mark_bounced(ids: Sequence[int]) -> None:
    if ids:
        Invitation.objects.filter(pk__in=ids).update(
            emailed_at=None, email_delivered=True, status=Invitation.Status.BOUNCED
        )
        logger.warning("invitation e-mails refused invitations=%s", list(ids))


def _emailed_status() -> Case:
    return Case(
        When(
            status__in=[Invitation.Status.DRAWN, Invitation.Status.LETTER_PRODUCED],
            then=Value(Invitation.Status.EMAILED),
        ),
        default=F("status"),
    )


def _release(ids: Sequence[int]) -> None:
    """Undo a claim: the e-mail did not reach the server, so a retry may send it."""
    Invitation.objects.filter(pk__in=ids).update(
        email_claimed_at=None,
        emailed_at=None,
        email_delivered=True,
        status=Case(
            When(letter_produced_at__isnull=False, then=Value(Invitation.Status.LETTER_PRODUCED)),
            default=Value(Invitation.Status.DRAWN),
        ),
    )


def invitation_emails_send_once(
    *, messages: Mapping[int, EmailMessage], sender: MailSender
) -> int:
    """Send invitation e-mails (invitation id → message), each unless it was sent already.

    Returns how many this call sent. The claim (email_claimed_at, emailed_at,
    status) is taken under a row lock on invitations nobody has claimed; the
    commit happens when the server has each whole message except its final
    dot. A second sender skips the locked rows and finds the committed ones
    claimed. Raises the first temporary error after the rest went out, so
    the task is retried for those. Each e-mail the server accepted is then
    marked delivered; one whose worker died between the commit and the
    server's answer stays undelivered: uncertain, and never sent again.
    """
    try:
        with transaction.atomic():
            ids = list(
                Invitation.objects.filter(pk__in=list(messages), email_claimed_at=None,
                                          emailed_at=None)
                .exclude(status__in=_NO_MORE_MAIL)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                return 0
            now = timezone.now()
            Invitation.objects.filter(pk__in=ids).update(
                email_claimed_at=now, emailed_at=now, email_delivered=False,
                status=_emailed_status(),
            )
            errors = sender.prepare([messages[pk] for pk in ids])
            refusals = [(pk, e) for pk, e in zip(ids, errors, strict=True) if e is not None]
            bounced = [pk for pk, e in refusals if refused_for_good(e)]
            failed = [pk for pk, e in refusals if not refused_for_good(e)]
            _mark_bounced(bounced)
            if failed:
                _release(failed)
    except BaseException:
        # Messages may be half-way on their connections: start afresh.
        sender.close()
        raise
    ready = [index for index, error in enumerate(errors) if error is None]
    outcomes = sender.finish(ready)
    answered = [(ids[ready[n]], e) for n, e in enumerate(outcomes)
                if isinstance(e, smtplib.SMTPResponseException)]
    refused = [pk for pk, e in answered if not refused_for_good(e)]
    unconfirmed = [ids[ready[n]] for n, e in enumerate(outcomes)
                   if e is not None and not isinstance(e, smtplib.SMTPResponseException)]
    # The server refused these at the dot: not delivered. For good (5xx): a
    # bounce, like a refused address; for now (4xx): a retry may send them.
    _mark_bounced([pk for pk, e in answered if refused_for_good(e)])
    if refused:
        _release(refused)
    delivered = [ids[ready[n]] for n, e in enumerate(outcomes) if e is None]
    if delivered:
        Invitation.objects.filter(pk__in=delivered).update(email_delivered=True)
    if unconfirmed:
        # The connection broke after the dot was written: the server may have
        # these. Sending them again could mean a second e-mail; we do not.
        # They stay undelivered, counted as uncertain for the organiser.
        logger.warning("invitation e-mails unconfirmed invitations=%s", unconfirmed)
    temporary = [e for e in errors if e is not None and not refused_for_good(e)] + [
        e for _pk, e in answered if not refused_for_good(e)
    ]
    if temporary:
        # The others went out and are recorded; a retry of the task sends these.
        raise without_addresses(temporary[0])
    return len(ready) - len(answered)


def _unsent(draw: InvitationDraw) -> QuerySet[Invitation]:
    return _email_targets(draw).filter(emailed_at=None).exclude(status__in=_NO_MORE_MAIL)


def invitation_email_chunk_send(
    *, run_id: int, number: int, sender_factory: Callable[[], MailSender] = mail_sender
) -> int:
    """Send the e-mails of chunk `number` of a run. Returns how many this call sent."""
    run = InvitationRun.objects.select_related("draw", "assembly").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING or run.kind != InvitationRun.Kind.EMAILS:
        return 0
    ids = _chunk_ids(run.draw_id, number, EMAIL_CHUNK_SIZE)
    pending = list(
        _unsent(run.draw).filter(pk__in=ids).select_related("resident").order_by("pk")
    )
    sent = 0
    unflushed = 0
    if pending:
        sender = sender_factory()
        try:
            with translation.override(settings.LANGUAGE_CODE):
                text = letter_text(run.assembly)
                for start in range(0, len(pending), EMAIL_BATCH_SIZE):
                    batch = pending[start : start + EMAIL_BATCH_SIZE]
                    messages = {invitation.pk: invitation_email(invitation, text)
                                for invitation in batch}
                    count = invitation_emails_send_once(messages=messages, sender=sender)
                    sent += count
                    unflushed += count
                    if unflushed >= PROGRESS_EVERY:
                        InvitationRun.objects.filter(pk=run_id).update(done=F("done") + unflushed)
                        unflushed = 0
        finally:
            if unflushed:
                InvitationRun.objects.filter(pk=run_id).update(done=F("done") + unflushed)
            sender.close()
    logger.info("invitation e-mail chunk run=%s number=%s sent=%s", run_id, number, sent)
    invitation_run_finish_if_complete(run_id=run_id)
    return sent
