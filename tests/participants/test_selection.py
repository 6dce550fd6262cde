"""The lottery of the members: runs, the commitment, the public draw, redraws,
the published record and its verification with ``verify_selection``."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import Assembly, AuditEvent, OutboxEmail
from participants import selectors_lottery
from participants.models import (
    Invitation,
    InvitationDraw,
    PanelMember,
    Quota,
    Registration,
    Replacement,
    SelectionDraw,
    SelectionRun,
)
from participants.services import panel as panel_services
from participants.services import registration as registration_services
from participants.services import selection as services
from participants.services.erasure import registration_erase
from participants.sortition import record_draw
from tests.conftest import Cast
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents
from tests.participants.test_panel import draw_in_public

# --------------------------------------------------------------------- helpers

_GENDERS = ("vrouw", "man")
# Skewed on purpose: many more highly educated respondents, as in real pools,
# so the quotas make the probabilities differ.
_EDUCATION = ("hoog", "hoog", "hoog", "midden", "midden", "laag")


def make_pool(assembly: Assembly, count: int) -> list[Registration]:
    """``count`` active registrations, each in a household of its own, in bulk."""
    residents = make_residents(assembly, count, per_household=1)
    draw = InvitationDraw.objects.create(
        assembly=assembly,
        seed="pool",
        requested=count,
        eligible_households=count,
        eligible_residents=count,
        input_sha256="0" * 64,
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(
            assembly=assembly,
            draw=draw,
            resident=resident,
            code=f"P{assembly.pk}-{index:06d}",
            status=Invitation.Status.REGISTERED,
        )
        for index, resident in enumerate(residents)
    )
    now = timezone.now()
    return Registration.objects.bulk_create(
        (
            Registration(
                invitation=invitation,
                assembly=assembly,
                consent_at=now,
                consent_version="1",
                full_name=f"Aanmelder {index}",
                email=f"aanmelder{index}@example.org",
                birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=index * 7),
                gender=_GENDERS[index % 2],
                education=_EDUCATION[index % len(_EDUCATION)],
                province="Utrecht",
                urbanisation="sterk",
                migration_background="geen",
            )
            for index, invitation in enumerate(invitations)
        ),
        batch_size=2_000,
    )


def make_quotas(assembly: Assembly, panel_size: int) -> None:
    """Quotas close to the population, not to the skewed pool."""
    half = panel_size // 2
    third = panel_size // 3
    rows = [
        ("geslacht", "vrouw", half - 1, half + 1),
        ("geslacht", "man", half - 1, half + 1),
        ("opleiding", "laag", third - 1, third + 1),
        ("opleiding", "midden", third - 1, third + 1),
        ("opleiding", "hoog", third - 1, third + 1),
    ]
    Quota.objects.bulk_create(
        Quota(assembly=assembly, category=c, value=v, min=lo, max=hi, position=i)
        for i, (c, v, lo, hi) in enumerate(rows)
    )


def lottery_assembly(
    *, respondents: int = 90, panel: int = 12, alternates: int = 4, slug: str = "loting"
) -> Assembly:
    assembly = AssemblyFactory(slug=slug, members_target=panel, alternates_target=alternates)
    make_pool(assembly, respondents)
    make_quotas(assembly, panel)
    return assembly


OnCommit = Callable[..., Any]


def start_run(capture: OnCommit, assembly: Assembly, **options: Any) -> SelectionRun:
    with capture(execute=True):
        run = services.selection_run_start(assembly=assembly, actor=None, **options)
    run.refresh_from_db()
    return run


def export(tmp_path: Path, record: dict[str, Any], run: SelectionRun) -> dict[str, str]:
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "pool.csv").write_text(run.pool_csv, encoding="utf-8")
    (tmp_path / "quota.csv").write_text(run.quotas_csv, encoding="utf-8")
    return {
        "record": str(tmp_path / "record.json"),
        "respondents": str(tmp_path / "pool.csv"),
        "categories": str(tmp_path / "quota.csv"),
    }


def verify_files(files: dict[str, str], *extra: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "verify_selection",
        files["record"],
        "--respondents",
        files["respondents"],
        "--categories",
        files["categories"],
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def assembly(db: None) -> Assembly:
    return lottery_assembly()


@pytest.fixture
def done_run(assembly: Assembly, django_capture_on_commit_callbacks: OnCommit) -> SelectionRun:
    return start_run(django_capture_on_commit_callbacks, assembly, seed=7)


@pytest.fixture
def committed_run(done_run: SelectionRun) -> SelectionRun:
    return services.selection_run_commit(run=done_run, actor=None)


# ------------------------------------------------------------------------ runs


def test_it_runs_a_selection_to_the_end(done_run: SelectionRun) -> None:
    assert done_run.status == SelectionRun.Status.DONE
    assert done_run.progress == 100
    assert done_run.finished_at is not None and done_run.claimed_at is not None
    assert done_run.record is not None
    assert done_run.min_probability == pytest.approx(done_run.record["min_probability"])
    assert done_run.min_probability > 0
    assert done_run.input_sha256 == done_run.record["input_sha256"]
    assert (done_run.panel_size, done_run.alternates) == (12, 4)
    # The seed's trial draw is not a draw: it is not in the stored record.
    for key in ("public_number", "ticket_drawn", "panel", "alternates", "number_source"):
        assert key not in done_run.record
    assert len(done_run.record["tickets"]) == 1000
    assert sum(done_run.record["probabilities"].values()) == pytest.approx(12)


def test_it_freezes_ids_values_and_hashed_households_only(done_run: SelectionRun) -> None:
    header, first = done_run.pool_csv.splitlines()[:2]
    assert header == "id,geslacht,opleiding,huishouden"
    registration = Registration.objects.get(pk=int(first.split(",")[0]))
    assert registration.full_name not in done_run.pool_csv
    assert registration.invitation.resident.household_key not in done_run.pool_csv
    assert done_run.quotas_csv.startswith("category,name,min,max\n")


def test_it_writes_progress_while_it_runs(
    assembly: Assembly,
    django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, int, str]] = []
    original = services.ProgressWriter.write

    def spy(self: services.ProgressWriter, message: str, share: float) -> None:
        original(self, message, share)
        run = SelectionRun.objects.get(pk=self.run_id)
        seen.append((run.status, run.progress, run.progress_message))

    monkeypatch.setattr(services.ProgressWriter, "write", spy)
    run = start_run(django_capture_on_commit_callbacks, assembly, compare_legacy=True)

    assert seen, "the task wrote no progress"
    assert all(status == SelectionRun.Status.RUNNING for status, _p, _m in seen)
    assert "90 aanmelders" in seen[0][2]
    assert any(progress == 90 for _s, progress, _m in seen), "the legacy step is at 90 %"
    assert run.status == SelectionRun.Status.DONE


def test_it_writes_progress_at_most_once_a_second(done_run: SelectionRun) -> None:
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.RUNNING, progress=0
    )
    claim = SelectionRun.objects.get(pk=done_run.pk).claimed_at
    assert claim is not None
    writer = services.ProgressWriter(done_run.pk, claim)
    writer("first", 0.25)
    writer("second", 0.5)
    run = SelectionRun.objects.get(pk=done_run.pk)
    assert (run.progress, run.progress_message) == (25, "first")


def test_it_stops_when_another_task_took_the_run_over(done_run: SelectionRun) -> None:
    claim = timezone.now() - dt.timedelta(minutes=10)
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.RUNNING, claimed_at=claim
    )
    writer = services.ProgressWriter(done_run.pk, claim)
    assert writer.renew(), "the heartbeat renews a claim that is still ours"
    assert writer.claim > claim
    SelectionRun.objects.filter(pk=done_run.pk).update(claimed_at=timezone.now())

    with pytest.raises(services.ClaimLost):
        writer.write("too late", 0.5)
    assert writer.lost and not writer.renew()


def test_it_compares_with_the_legacy_method_when_asked(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    run = start_run(django_capture_on_commit_callbacks, assembly, compare_legacy=True)
    summary = run.legacy_summary
    assert summary is not None
    assert summary["respondents"] == 90
    assert 0 <= summary["min_probability"] <= summary["max_probability"]
    assert {"below_tenth_of_share", "never_selected", "panels", "seconds"} <= set(summary)
    # LEXIMIN's smallest chance is never below the old method's.
    assert run.min_probability is not None
    assert run.min_probability >= summary["min_probability"] - 1e-9


def test_it_stores_a_readable_error_when_the_quotas_cannot_be_met(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    Quota.objects.filter(assembly=assembly, value="vrouw").update(min=11, max=11)

    run = start_run(django_capture_on_commit_callbacks, assembly)

    assert run.status == SelectionRun.Status.FAILED
    assert run.error["code"] == "quota_sum_too_high"
    assert "Categorie geslacht" in run.error["nl"]
    assert "Category geslacht" in run.error["en"]
    assert run.record is None and run.finished_at is not None


def test_it_says_what_helps_when_a_run_hits_the_time_limit(
    assembly: Assembly,
    django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    # A very large pool can outlast the worker's soft time limit. The engine is
    # deterministic, so "try again" would fail the same way.
    settings.LOTTERY_TIME_LIMIT = 3300

    def too_slow(*_args: object, **_kwargs: object) -> dict[str, object]:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "run_selection", too_slow)

    run = start_run(django_capture_on_commit_callbacks, assembly)

    assert run.status == SelectionRun.Status.FAILED
    assert run.error["code"] == "time_limit"
    assert "langer dan het maximum van 55 minuten" in run.error["nl"]
    assert "Opnieuw proberen helpt niet" in run.error["nl"]
    assert "LOTTERY_TIME_LIMIT" in run.error["nl"]
    assert "longer than the limit of 55 minutes" in run.error["en"]
    assert run.finished_at is not None


def test_it_refuses_a_second_run_while_one_is_running(assembly: Assembly) -> None:
    SelectionRun.objects.create(
        assembly=assembly,
        panel_size=12,
        quotas_csv="",
        pool_csv="",
        status=SelectionRun.Status.RUNNING,
    )
    with pytest.raises(services.SelectionRefused):
        services.selection_run_start(assembly=assembly, actor=None)


def test_it_does_nothing_when_the_task_comes_twice(done_run: SelectionRun) -> None:
    before = done_run.record

    outcome = services.selection_run_execute(run_id=done_run.pk)

    assert outcome.state == "finished-before"
    done_run.refresh_from_db()
    assert done_run.record == before


def test_it_leaves_a_run_with_a_live_claim_alone(done_run: SelectionRun) -> None:
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.RUNNING, claimed_at=timezone.now(), record=None
    )

    outcome = services.selection_run_execute(run_id=done_run.pk)

    assert outcome.state == "busy" and outcome.retry_later
    assert SelectionRun.objects.get(pk=done_run.pk).record is None


def test_it_takes_over_a_run_whose_worker_died(done_run: SelectionRun) -> None:
    stale = timezone.now() - services.CLAIM_LEASE - dt.timedelta(seconds=5)
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.RUNNING, claimed_at=stale, record=None, progress=40
    )

    outcome = services.selection_run_execute(run_id=done_run.pk)

    assert outcome.state == "done"
    run = SelectionRun.objects.get(pk=done_run.pk)
    assert run.status == SelectionRun.Status.DONE and run.record is not None
    assert run.claimed_at is not None and run.claimed_at > stale


def test_it_logs_the_start_with_ids_and_counts_only(done_run: SelectionRun) -> None:
    event = AuditEvent.objects.get(action="selection_run_start")
    assert event.target == f"participants.SelectionRun:{done_run.pk}"
    assert event.detail["respondents"] == 90
    assert "Aanmelder" not in json.dumps(event.detail)


# ---------------------------------------------------------------------- commit


def test_it_commits_only_a_finished_leximin_run(done_run: SelectionRun) -> None:
    SelectionRun.objects.filter(pk=done_run.pk).update(status=SelectionRun.Status.RUNNING)
    with pytest.raises(services.SelectionRefused):
        services.selection_run_commit(run=done_run, actor=None)
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.DONE, algorithm=SelectionRun.Algorithm.LEGACY
    )
    with pytest.raises(services.SelectionRefused):
        services.selection_run_commit(run=done_run, actor=None)


def test_it_freezes_the_run_when_committed(committed_run: SelectionRun) -> None:
    assert committed_run.committed_at is not None
    frozen = SelectionRun.objects.values().get(pk=committed_run.pk)
    with pytest.raises(services.SelectionRefused):
        services.selection_run_commit(run=committed_run, actor=None)
    assert services.selection_run_execute(run_id=committed_run.pk).state == "finished-before"
    assert SelectionRun.objects.values().get(pk=committed_run.pk) == frozen
    assert AuditEvent.objects.filter(action="selection_run_commit").count() == 1


# ------------------------------------------------------------------------ draw


def test_it_refuses_to_draw_before_the_commitment(done_run: SelectionRun) -> None:
    with pytest.raises(services.SelectionRefused):
        services.selection_draw(run=done_run, number=417, how_drawn="dobbelstenen", actor=None)
    assert not SelectionDraw.objects.exists()


def test_it_draws_members_and_alternates_in_rank_order(committed_run: SelectionRun) -> None:
    draw = services.selection_draw(
        run=committed_run, number=1417, how_drawn="Drie dobbelstenen, in het openbaar", actor=None
    )

    assert draw.ticket == 417 and draw.number == 1417
    assert draw.record["public_number"] == 1417 and draw.record["ticket_drawn"] == 417
    assert draw.record["number_source"] == "public"
    assert len(draw.panel) == 12 and len(draw.alternates) == 4
    members = PanelMember.objects.filter(draw=draw, kind=PanelMember.Kind.MEMBER)
    assert sorted(m.respondent_id for m in members) == sorted(draw.panel)
    assert {m.status for m in members} == {PanelMember.Status.SELECTED}
    alternates = PanelMember.objects.filter(draw=draw, kind=PanelMember.Kind.ALTERNATE)
    ordered = alternates.order_by("alternate_rank")
    assert [m.respondent_id for m in ordered] == draw.alternates
    assert [m.alternate_rank for m in ordered] == [1, 2, 3, 4]
    assert {m.status for m in alternates} == {PanelMember.Status.WAITING}
    event = AuditEvent.objects.get(action="selection_draw")
    assert event.detail["ticket"] == 417 and event.detail["members"] == 12


def test_it_needs_a_reason_for_a_second_draw(committed_run: SelectionRun) -> None:
    first = services.selection_draw(run=committed_run, number=5, how_drawn="", actor=None)
    with pytest.raises(services.SelectionRefused, match="waarom"):
        services.selection_draw(run=committed_run, number=6, how_drawn="", actor=None, reason=" ")
    assert SelectionDraw.objects.get() == first


def test_it_supersedes_the_first_draw_and_logs_the_second(committed_run: SelectionRun) -> None:
    first = services.selection_draw(run=committed_run, number=5, how_drawn="", actor=None)

    second = services.selection_draw(
        run=committed_run,
        number=6,
        how_drawn="opnieuw gegooid",
        actor=None,
        reason="De dobbelsteen viel van de tafel.",
    )

    first.refresh_from_db()
    assert first.superseded_at is not None
    assert second.supersedes == first and second.superseded_at is None
    assert second.reason == "De dobbelsteen viel van de tafel."
    assert set(PanelMember.objects.values_list("draw_id", flat=True)) == {second.pk}
    assert PanelMember.objects.count() == 12 + 4
    event = AuditEvent.objects.get(action="selection_redraw")
    assert event.detail["supersedes"] == first.pk


def test_a_second_draw_sets_an_open_replacement_aside(committed_run: SelectionRun) -> None:
    first = services.selection_draw(run=committed_run, number=5, how_drawn="", actor=None)
    seat = PanelMember.objects.filter(draw=first, kind=PanelMember.Kind.MEMBER).first()
    assert seat is not None
    panel_services.panel_member_withdraw(member=seat, reason="ziek", actor=None)
    replacement = panel_services.replacement_propose(
        assembly=committed_run.assembly, dropped_members=[seat], actor=None
    )

    services.selection_draw(
        run=committed_run, number=6, how_drawn="", actor=None, reason="Opnieuw gegooid."
    )

    # Before, it stayed open with no seat left to fill, and could never be confirmed.
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DISCARDED
    assert replacement.discard_reason == "Het panel is opnieuw getrokken."
    assert not Replacement.objects.filter(
        assembly=committed_run.assembly, status__in=services.OPEN_REPLACEMENT
    ).exists()


def test_it_refuses_a_second_draw_once_someone_was_told(committed_run: SelectionRun) -> None:
    first = services.selection_draw(run=committed_run, number=5, how_drawn="", actor=None)
    PanelMember.objects.filter(draw=first).order_by("pk").update(notified_at=timezone.now())

    with pytest.raises(services.SelectionRefused, match="bericht"):
        services.selection_draw(
            run=committed_run, number=6, how_drawn="", actor=None, reason="Toch opnieuw."
        )
    first.refresh_from_db()
    assert first.superseded_at is None
    assert set(PanelMember.objects.values_list("draw_id", flat=True)) == {first.pk}


# ---------------------------------------------------------------- verification


def test_it_verifies_a_published_record(committed_run: SelectionRun, tmp_path: Path) -> None:
    draw = services.selection_draw(run=committed_run, number=42, how_drawn="", actor=None)
    files = export(tmp_path, selectors_lottery.public_record(run=committed_run), committed_run)

    output = verify_files(files)

    assert draw.record == selectors_lottery.public_record(run=committed_run)
    assert "FOUT" not in output
    assert output.count("OK ") == 7
    assert "Alles klopt" in output and "Everything matches" in output


def test_it_verifies_a_committed_run_before_the_draw(
    committed_run: SelectionRun, tmp_path: Path
) -> None:
    assert committed_run.record is not None
    files = export(tmp_path, committed_run.record, committed_run)

    output = verify_files(files, "--no-recompute")

    assert "Alles klopt" in output
    assert "nog geen openbaar getal" in output


def test_it_finds_a_tampered_record(committed_run: SelectionRun, tmp_path: Path) -> None:
    draw = services.selection_draw(run=committed_run, number=42, how_drawn="", actor=None)
    record = dict(draw.record)
    outsider = next(pid for pid in record["probabilities"] if pid not in record["panel"])
    record["panel"] = [outsider, *record["panel"][1:]]
    files = export(tmp_path, record, committed_run)

    with pytest.raises(CommandError, match="klopt NIET"):
        verify_files(files, "--no-recompute")


def test_it_finds_a_changed_pool(committed_run: SelectionRun, tmp_path: Path) -> None:
    draw = services.selection_draw(run=committed_run, number=42, how_drawn="", actor=None)
    files = export(tmp_path, draw.record, committed_run)
    lines = committed_run.pool_csv.splitlines()
    cells = lines[1].split(",")
    cells[1] = "man" if cells[1] == "vrouw" else "vrouw"
    Path(files["respondents"]).write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]))

    with pytest.raises(CommandError, match="klopt NIET"):
        verify_files(files, "--no-recompute")


def _verify_record_only(path: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_selection", path, stdout=out)
    return out.getvalue()


def test_anyone_checks_the_ticket_and_the_panel_from_the_record_alone(
    committed_run: SelectionRun, tmp_path: Path
) -> None:
    """The respondents file is not public: the record alone shows that the
    number picks the ticket and the ticket holds the panel."""
    services.selection_draw(run=committed_run, number=42, how_drawn="", actor=None)
    files = export(tmp_path, selectors_lottery.public_record(run=committed_run), committed_run)

    output = _verify_record_only(files["record"])

    assert "Alles klopt" in output and output.count("OK ") == 3
    assert output.count("niet gecontroleerd (daarvoor zijn de aanmelders nodig)") == 4


@pytest.mark.parametrize("tamper", ["panel", "ticket", "table"])
def test_the_record_alone_shows_a_tampered_draw(
    committed_run: SelectionRun, tmp_path: Path, tamper: str
) -> None:
    draw = services.selection_draw(run=committed_run, number=42, how_drawn="", actor=None)
    record = json.loads(json.dumps(draw.record))
    if tamper == "panel":  # someone swapped into the announced panel
        outsider = next(pid for pid in record["probabilities"] if pid not in record["panel"])
        record["panel"] = [outsider, *record["panel"][1:]]
    elif tamper == "ticket":  # another ticket announced for the number
        record["ticket_drawn"] = (record["ticket_drawn"] + 1) % len(record["tickets"])
    else:  # the table changed after its fingerprint was published
        record["tickets"] = list(reversed(record["tickets"]))
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")

    with pytest.raises(CommandError, match="klopt NIET"):
        _verify_record_only(str(path))


def test_the_record_alone_before_the_draw_says_there_is_nothing_to_check(
    committed_run: SelectionRun, tmp_path: Path
) -> None:
    assert committed_run.record is not None
    path = tmp_path / "record.json"
    path.write_text(json.dumps(committed_run.record), encoding="utf-8")
    with pytest.raises(CommandError, match="nog geen openbaar getal"):
        _verify_record_only(str(path))


def test_it_explains_bad_files_without_a_traceback(tmp_path: Path) -> None:
    missing = {
        "record": str(tmp_path / "nergens.json"),
        "respondents": str(tmp_path / "pool.csv"),
        "categories": str(tmp_path / "quota.csv"),
    }
    with pytest.raises(CommandError, match="bestaat niet"):
        verify_files(missing)
    (tmp_path / "kapot.json").write_text("{niet json")
    with pytest.raises(CommandError, match="geen geldig JSON"):
        verify_files({**missing, "record": str(tmp_path / "kapot.json")})
    (tmp_path / "leeg.json").write_text("{}")
    with pytest.raises(CommandError, match="geen verslag"):
        verify_files({**missing, "record": str(tmp_path / "leeg.json")})


# ----------------------------------------------------------------- withdrawals


def first_in_pool(run: SelectionRun) -> Registration:
    return Registration.objects.get(pk=int(run.pool_csv.splitlines()[1].split(",")[0]))


def holds(run: SelectionRun, registration: Registration) -> bool:
    """Whether the run still has the person: a row in its pool, or their id in its record."""
    ids = [line.split(",")[0] for line in run.pool_csv.splitlines()[1:]]
    record = json.dumps(run.record or {})
    return str(registration.pk) in ids or f'"{registration.pk}"' in record


def test_a_withdrawal_takes_the_person_out_of_a_finished_run_not_yet_committed(
    done_run: SelectionRun,
) -> None:
    person = first_in_pool(done_run)
    row = done_run.pool_csv.splitlines()[1]
    assert holds(done_run, person)

    registration_services.registration_withdraw(registration_id=person.pk)

    run = SelectionRun.objects.get(pk=done_run.pk)
    assert not holds(run, person)
    # Only that row went; everyone else's is as it was frozen.
    assert run.pool_csv.splitlines() == [
        line for line in done_run.pool_csv.splitlines() if line != row
    ]
    assert selectors_lottery.pool_size(run) == 89
    # The probabilities and panels were computed with the person: they go too.
    assert run.record is None and run.min_probability is None and run.input_sha256 == ""
    assert run.status == SelectionRun.Status.FAILED
    assert run.error["code"] == services.POOL_CHANGED
    assert "heeft iemand zich afgemeld" in run.error["nl"]
    assert "Start een nieuwe loting" in run.error["nl"]
    assert "Someone withdrew" in run.error["en"]
    event = AuditEvent.objects.get(action="selection_run_respondent_removed")
    assert event.target == f"participants.SelectionRun:{run.pk}"
    assert event.detail == {"registration": person.pk, "reason": "withdrawn", "status": "done"}


def test_a_run_whose_pool_changed_can_be_neither_committed_nor_drawn(
    done_run: SelectionRun,
) -> None:
    registration_services.registration_withdraw(registration_id=first_in_pool(done_run).pk)
    run = SelectionRun.objects.get(pk=done_run.pk)

    with pytest.raises(services.SelectionRefused, match="heeft iemand zich afgemeld"):
        services.selection_run_commit(run=run, actor=None)
    with pytest.raises(services.SelectionRefused, match="Start een nieuwe loting"):
        services.selection_draw(run=run, number=5, how_drawn="", actor=None)
    # The check says why even for a run that looks committed and drawable.
    run.committed_at = timezone.now()
    run.record = {"tickets": [0]}
    with pytest.raises(services.SelectionRefused, match="heeft iemand zich afgemeld"):
        services.check_selection_draw(run=run, number=5, current=None, reason="")
    assert SelectionRun.objects.get(pk=run.pk).committed_at is None
    assert not SelectionDraw.objects.exists()


def test_a_queued_run_computes_without_the_person_who_withdrew(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        run = services.selection_run_start(assembly=assembly, actor=None)
    run.refresh_from_db()
    person = first_in_pool(run)

    registration_services.registration_withdraw(registration_id=person.pk)

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.QUEUED and run.error == {}
    assert not holds(run, person) and selectors_lottery.pool_size(run) == 89
    assert services.selection_run_execute(run_id=run.pk).state == "done"
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE and run.record is not None
    assert not holds(run, person) and len(run.record["probabilities"]) == 89


def test_a_running_run_stores_nothing_once_someone_in_it_withdrew(
    assembly: Assembly,
    django_capture_on_commit_callbacks: OnCommit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        run = services.selection_run_start(assembly=assembly, actor=None)
    run.refresh_from_db()
    person = first_in_pool(run)
    engine = services.run_selection

    def withdraw_while_computing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        # The task has read the pool with the person in it.
        registration_services.registration_withdraw(registration_id=person.pk)
        return engine(*args, **kwargs)

    monkeypatch.setattr(services, "run_selection", withdraw_while_computing)

    assert services.selection_run_execute(run_id=run.pk).state == "lost"

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.FAILED
    assert run.error["code"] == services.POOL_CHANGED
    assert run.record is None and not holds(run, person)
    event = AuditEvent.objects.get(action="selection_run_respondent_removed")
    assert event.detail["status"] == "running"


def test_a_committed_run_stays_as_published_while_an_uncommitted_one_changes(
    committed_run: SelectionRun, django_capture_on_commit_callbacks: OnCommit
) -> None:
    later = start_run(django_capture_on_commit_callbacks, committed_run.assembly, seed=8)
    person = first_in_pool(committed_run)
    published = SelectionRun.objects.values().get(pk=committed_run.pk)

    registration_services.registration_withdraw(registration_id=person.pk)

    assert SelectionRun.objects.values().get(pk=committed_run.pk) == published
    later.refresh_from_db()
    assert not holds(later, person) and services.pool_changed(later)
    assert list(
        AuditEvent.objects.filter(action="selection_run_respondent_removed").values_list(
            "target", flat=True
        )
    ) == [f"participants.SelectionRun:{later.pk}"]
    # The published run is still drawn as it was committed.
    draw = services.selection_draw(run=committed_run, number=1417, how_drawn="", actor=None)
    assert draw.ticket == 417


def test_a_withdrawal_of_someone_not_in_the_run_changes_nothing(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    outside, inside = Registration.objects.filter(assembly=assembly).order_by("pk")[:2]
    # An answer that fits no quota value keeps the person out of the frozen pool.
    Registration.objects.filter(pk=outside.pk).update(gender="anders")
    run = start_run(django_capture_on_commit_callbacks, assembly, seed=7)
    assert not holds(run, outside) and holds(run, inside)
    frozen = SelectionRun.objects.values().get(pk=run.pk)

    registration_services.registration_withdraw(registration_id=outside.pk)

    assert SelectionRun.objects.values().get(pk=run.pk) == frozen
    assert not AuditEvent.objects.filter(action="selection_run_respondent_removed").exists()
    registration_services.registration_withdraw(registration_id=inside.pk)
    assert services.pool_changed(SelectionRun.objects.get(pk=run.pk))


def test_it_removes_only_the_row_with_that_exact_id_and_only_in_that_assembly(
    assembly: Assembly,
) -> None:
    pool = "id,geslacht,huishouden\n17,man,a\n7,vrouw,b\n70,man,c\n"

    def run_of(owner: Assembly) -> SelectionRun:
        return SelectionRun.objects.create(
            assembly=owner,
            panel_size=1,
            quotas_csv="",
            pool_csv=pool,
            status=SelectionRun.Status.DONE,
            record={"probabilities": {"17": 0.3, "7": 0.3, "70": 0.4}},
        )

    own, other = run_of(assembly), run_of(AssemblyFactory(slug="elders"))

    assert services.selection_runs_remove_respondent(
        assembly_id=assembly.pk, registration_id=7, reason="withdrawn"
    ) == [own.pk]
    assert services.selection_runs_remove_respondent(
        assembly_id=assembly.pk, registration_id=700, reason="withdrawn"
    ) == []

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.pool_csv == "id,geslacht,huishouden\n17,man,a\n70,man,c\n"
    assert (other.pool_csv, other.status) == (pool, SelectionRun.Status.DONE)


def test_a_failed_run_loses_the_row_and_keeps_its_own_error(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    Quota.objects.filter(assembly=assembly, value="vrouw").update(min=11, max=11)
    run = start_run(django_capture_on_commit_callbacks, assembly)
    person = first_in_pool(run)

    registration_services.registration_withdraw(registration_id=person.pk)

    run.refresh_from_db()
    assert not holds(run, person)
    assert run.status == SelectionRun.Status.FAILED and run.error["code"] == "quota_sum_too_high"


# ----------------------------------------------------------------------- pages


def _organiser_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def _prepare(cast: Cast) -> None:
    Assembly.objects.filter(pk=cast.assembly.pk).update(members_target=12, alternates_target=4)
    make_pool(cast.assembly, 90)
    make_quotas(cast.assembly, 12)


def test_it_takes_the_organiser_from_start_to_published_draw(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _prepare(cast)
    client = _organiser_client(cast)
    slug = cast.assembly.slug
    assert (
        client.get(reverse("participants:selection_list", kwargs={"slug": slug})).status_code == 200
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:selection_list", kwargs={"slug": slug}),
            {
                "algorithm": "leximin",
                "compare_legacy": "on",
                "seed": "3",
                "tickets": "1000",
                "household_rule": "on",
            },
        )
    run = SelectionRun.objects.get(assembly=cast.assembly)
    detail = reverse("participants:selection_detail", kwargs={"slug": slug, "pk": run.pk})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "<svg" in page and "Vergelijking met de oude methode" in page
    assert "style=" not in page and "<script>" not in page
    status = client.get(
        reverse("participants:selection_status", kwargs={"slug": slug, "pk": run.pk})
    ).json()
    assert status["status"] == "done" and status["done"] == 100

    public_record = reverse("participants:selection_record", kwargs={"slug": slug, "pk": run.pk})
    assert Client().get(public_record).status_code == 404

    client.post(reverse("participants:selection_commit", kwargs={"slug": slug, "pk": run.pk}))
    draw_url = reverse("participants:selection_draw", kwargs={"slug": slug, "pk": run.pk})
    response = client.post(draw_url, {"number": "2025", "how_drawn": "drie dobbelstenen"})
    assert response.status_code == 302
    draw = SelectionDraw.objects.get(run=run)
    assert draw.ticket == 25

    refused = client.post(draw_url, {"number": "7", "how_drawn": "nog eens"})
    assert refused.status_code == 400 and SelectionDraw.objects.count() == 1

    public = Client().get(reverse("participants:lottery_public", kwargs={"slug": slug}))
    text = public.content.decode()
    assert "Het openbare getal was 2025" in text and "lot 25" in text
    assert f"verify_selection loting-{slug}-{run.pk}.json</code>" in text
    record = Client().get(public_record)
    assert record.status_code == 200 and record.json()["ticket_drawn"] == 25
    # The respondents hold everyone's answers: not public, but for the organiser.
    pool_url = reverse("participants:selection_pool_file", kwargs={"slug": slug, "pk": run.pk})
    assert pool_url not in text
    assert Client().get(pool_url).status_code == 302  # to the login page
    assert pool_url in client.get(
        reverse("participants:lottery_public", kwargs={"slug": slug})
    ).content.decode()
    pool = client.get(pool_url)
    assert pool.content.decode() == run.pool_csv
    assert "Aanmelder" not in pool.content.decode()


def test_it_shows_the_error_of_a_failed_run(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _prepare(cast)
    Quota.objects.filter(assembly=cast.assembly, value="vrouw").update(min=11, max=11)
    cast.assembly.refresh_from_db()
    run = start_run(django_capture_on_commit_callbacks, cast.assembly)
    page = _organiser_client(cast).get(
        reverse("participants:selection_detail", kwargs={"slug": cast.assembly.slug, "pk": run.pk})
    )
    assert "De loting is mislukt" in page.content.decode()
    assert "Categorie geslacht" in page.content.decode()
    run.refresh_from_db()
    assert run.error is not None and run.error["en"] != run.error["nl"]
    # An organiser who reads the site in English reads the engine's English.
    english = _organiser_client(cast)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(
        reverse("participants:selection_detail", kwargs={"slug": cast.assembly.slug, "pk": run.pk})
    ).content.decode()
    assert html.escape(run.error["en"], quote=False) in page
    assert "Categorie geslacht" not in page


def test_the_organiser_reads_why_a_run_can_no_longer_be_used(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _prepare(cast)
    cast.assembly.refresh_from_db()
    run = start_run(django_capture_on_commit_callbacks, cast.assembly)
    assert run.status == SelectionRun.Status.DONE
    registration_services.registration_withdraw(registration_id=first_in_pool(run).pk)
    client = _organiser_client(cast)
    kwargs = {"slug": cast.assembly.slug, "pk": run.pk}

    page = client.get(reverse("participants:selection_detail", kwargs=kwargs)).content.decode()
    assert "heeft iemand zich afgemeld" in page and "Start een nieuwe loting" in page
    commit = client.post(reverse("participants:selection_commit", kwargs=kwargs), follow=True)
    assert "heeft iemand zich afgemeld" in commit.content.decode()
    assert SelectionRun.objects.get(pk=run.pk).committed_at is None


def test_it_keeps_other_assemblies_runs_out_of_reach(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    other = cast.other_assembly
    Assembly.objects.filter(pk=other.pk).update(members_target=12, alternates_target=4)
    other.refresh_from_db()
    make_pool(other, 90)
    make_quotas(other, 12)
    run = start_run(django_capture_on_commit_callbacks, other)
    client = _organiser_client(cast)
    own = {"slug": cast.assembly.slug, "pk": run.pk}
    theirs = {"slug": other.slug, "pk": run.pk}
    assert client.get(reverse("participants:selection_detail", kwargs=own)).status_code == 404
    assert client.get(reverse("participants:selection_detail", kwargs=theirs)).status_code == 403
    assert client.get(reverse("participants:selection_record", kwargs=theirs)).status_code == 404
    commit = client.post(reverse("participants:selection_commit", kwargs=own))
    assert commit.status_code == 404
    run.refresh_from_db()
    assert run.committed_at is None


def test_it_keeps_a_run_private_until_it_is_committed(cast: Cast, done_run: SelectionRun) -> None:
    SelectionRun.objects.filter(pk=done_run.pk).update(assembly=cast.assembly)
    kwargs = {"slug": cast.assembly.slug, "pk": done_run.pk}
    for name in ("selection_record", "selection_pool_file", "selection_quota_file"):
        url = reverse(f"participants:{name}", kwargs=kwargs)
        # The respondents are never public: anyone else is refused before the run is looked up.
        never_public = name == "selection_pool_file"
        for persona in ("member", "chair", "other_member"):
            client = Client()
            client.force_login(cast.users[persona])
            expected = 403 if never_public and persona != "chair" else 404
            assert client.get(url).status_code == expected, (name, persona)
        assert Client().get(url).status_code == (302 if never_public else 404)
        assert _organiser_client(cast).get(url).status_code == 200
    public = Client().get(
        reverse("participants:lottery_public", kwargs={"slug": cast.assembly.slug})
    )
    assert f"Loting {done_run.pk}," not in public.content.decode()


def test_a_run_whose_task_never_reached_the_queue_is_sent_again_by_the_sweep(
    db: None, django_capture_on_commit_callbacks: OnCommit
) -> None:
    assembly = lottery_assembly(slug="zonder-wachtrij")
    # The commit's callback is dropped, as when Redis was down at that moment.
    with django_capture_on_commit_callbacks(execute=False):
        run = services.selection_run_start(assembly=assembly, actor=None)
    assert SelectionRun.objects.get(pk=run.pk).status == SelectionRun.Status.QUEUED
    soon = run.created_at + dt.timedelta(minutes=1)
    assert services.selection_runs_requeue(now=soon) == []
    later = run.created_at + services.REQUEUE_AFTER + dt.timedelta(seconds=1)
    assert services.selection_runs_requeue(now=later) == [run.pk]
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE and run.min_probability
    # Done runs are left alone.
    assert services.selection_runs_requeue(now=later) == []


def test_the_lottery_tasks_have_a_time_limit_of_their_own(settings: Any) -> None:
    # A real pool (thousands) runs for longer than the general task limit.
    from participants.tasks_panel import panel_reminders_task, replacement_compute_task
    from participants.tasks_selection import selection_run_task

    for task in (selection_run_task, replacement_compute_task):
        assert task.soft_time_limit == settings.LOTTERY_TIME_LIMIT
        assert task.time_limit > task.soft_time_limit > settings.CELERY_TASK_TIME_LIMIT
        # a redelivered copy that finds the run busy waits as long as it may take
        assert task.max_retries * 60 >= settings.LOTTERY_TIME_LIMIT
    assert panel_reminders_task.soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT


# ------------------------------------------------- withdrawn between commit and draw


def _to_be_drawn(run: SelectionRun, number: int) -> dict[str, Any]:
    """The panel and alternates the number will draw (the published record says so)."""
    return record_draw(
        run.record or {}, services.run_instance(run), number, alternates=run.alternates
    )


def test_someone_who_withdrew_after_the_commitment_is_drawn_as_stopped_and_never_told(
    committed_run: SelectionRun,
) -> None:
    expected = _to_be_drawn(committed_run, 1417)
    member = Registration.objects.get(pk=int(expected["panel"][0]))
    alternate = Registration.objects.get(pk=int(expected["alternates"][0]))
    erased = Registration.objects.get(pk=int(expected["panel"][1]))
    registration_services.registration_withdraw(registration_id=member.pk)
    registration_services.registration_withdraw(registration_id=alternate.pk)
    registration_erase(erased, committed_run.assembly.first_weekend)

    draw = services.selection_draw(run=committed_run, number=1417, how_drawn="", actor=None)

    # The published draw is as the record says: the same ticket, the same people.
    assert (draw.ticket, draw.panel, draw.alternates) == (
        expected["ticket_drawn"],
        expected["panel"],
        expected["alternates"],
    )
    seats = {m.registration_id: m for m in PanelMember.objects.filter(draw=draw)}
    assert len(seats) == 16
    for person, kind, reason in (
        (member, PanelMember.Kind.MEMBER, services.WITHDRAWN_BEFORE_DRAW),
        (alternate, PanelMember.Kind.ALTERNATE, services.WITHDRAWN_BEFORE_DRAW),
        (erased, PanelMember.Kind.MEMBER, services.ERASED_BEFORE_DRAW),
    ):
        seat = seats[person.pk]
        assert (seat.kind, seat.status) == (kind, PanelMember.Status.WITHDRAWN)
        assert seat.withdrawn_at is not None and seat.withdrawn_reason == reason
        assert str(person.pk) not in seat.withdrawn_reason
    assert seats[alternate.pk].alternate_rank == 1
    others = [m for pk, m in seats.items() if pk not in (member.pk, alternate.pk, erased.pk)]
    assert {m.status for m in others} == {PanelMember.Status.SELECTED, PanelMember.Status.WAITING}
    # The organiser sees two open seats to fill.
    assert {m.registration_id for m in panel_services.open_seats(assembly=draw.run.assembly)} == {
        member.pk,
        erased.pk,
    }
    event = AuditEvent.objects.get(action="selection_draw")
    assert event.detail["left_before_draw"] == sorted([member.pk, alternate.pk, erased.pk])

    sent = panel_services.panel_notify_start(
        assembly=draw.run.assembly, actor=None, response_days=14
    )

    assert sent.people == 13
    # Those who withdrew have only the confirmation of their withdrawal.
    panel_mail = OutboxEmail.objects.filter(kind="panel.panel_notification")
    told = set(panel_mail.values_list("ref", flat=True))
    assert told == {f"participants.PanelMember:{m.pk}" for m in others}
    addresses = set(panel_mail.values_list("to", flat=True))
    assert member.email not in addresses and alternate.email not in addresses


def test_an_alternate_who_withdrew_before_the_draw_is_not_proposed_as_replacement(
    committed_run: SelectionRun,
) -> None:
    expected = _to_be_drawn(committed_run, 1417)
    gone = Registration.objects.get(pk=int(expected["alternates"][0]))
    registration_services.registration_withdraw(registration_id=gone.pk)
    draw = services.selection_draw(run=committed_run, number=1417, how_drawn="", actor=None)
    seat = PanelMember.objects.get(draw=draw, registration_id=int(expected["panel"][0]))
    panel_services.panel_member_withdraw(member=seat, reason="ziek", actor=None)

    replacement = panel_services.replacement_propose(
        assembly=draw.run.assembly, dropped_members=[seat], actor=None
    )

    if replacement.method == Replacement.Method.LEXIMIN:
        replacement = draw_in_public(replacement)
    assert replacement.status == Replacement.Status.PROPOSED
    assert str(gone.pk) not in [str(pid) for pid in replacement.proposed]


# ------------------------------------------------------- review: running and drawing


def _draw_post(client: Client, run: SelectionRun, number: str) -> Any:
    kwargs = {"slug": run.assembly.slug, "pk": run.pk}
    return client.post(
        reverse("participants:selection_draw", kwargs=kwargs),
        {"number": number, "how_drawn": "drie dobbelstenen"},
    )


def _committed_in_cast(cast: Cast, on_commit: OnCommit) -> SelectionRun:
    _prepare(cast)
    cast.assembly.refresh_from_db()
    run = start_run(on_commit, cast.assembly, seed=3)
    return services.selection_run_commit(run=run, actor=None)


@pytest.mark.parametrize(
    ("typed", "ticket"), [(" 042 ", 42), ("4 2 7", 427), ("1 000", 0), ("0001417", 417)]
)
def test_the_public_number_gives_the_ticket_the_published_rule_gives(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit, typed: str, ticket: int
) -> None:
    run = _committed_in_cast(cast, django_capture_on_commit_callbacks)

    response = _draw_post(_organiser_client(cast), run, typed)

    assert response.status_code == 302
    assert SelectionDraw.objects.get(run=run).ticket == ticket


@pytest.mark.parametrize("typed", ["1.000", "1,000", "42.0", "-3", "4e2", "twee"])
def test_a_public_number_with_a_point_or_comma_is_refused_not_read_otherwise(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit, typed: str
) -> None:
    # "1.000" is a thousand in Dutch; read as 1 it would pick ticket 1, not 0.
    run = _committed_in_cast(cast, django_capture_on_commit_callbacks)

    response = _draw_post(_organiser_client(cast), run, typed)

    assert response.status_code == 400
    assert "alleen cijfers" in response.content.decode()
    assert not SelectionDraw.objects.exists()


def test_the_same_number_sent_twice_is_one_draw_without_an_error(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # A double click, or the page sent again: the draw is done, not refused.
    run = _committed_in_cast(cast, django_capture_on_commit_callbacks)
    client = _organiser_client(cast)
    first = _draw_post(client, run, "2025")

    again = _draw_post(client, run, "2025")

    assert (first.status_code, again.status_code) == (302, 302)
    draw = SelectionDraw.objects.get()
    assert draw.ticket == 25 and draw.superseded_at is None
    assert AuditEvent.objects.filter(action__in=["selection_draw", "selection_redraw"]).count() == 1
    # Another number still needs a reason.
    refused = _draw_post(client, run, "7")
    assert refused.status_code == 400 and "waarom" in refused.content.decode()
    assert SelectionDraw.objects.count() == 1


def test_it_refuses_to_commit_a_run_whose_quotas_changed_since_it_started(
    done_run: SelectionRun,
) -> None:
    Quota.objects.filter(assembly=done_run.assembly, value="vrouw").update(max=8)

    with pytest.raises(services.SelectionRefused, match="veranderd"):
        services.selection_run_commit(run=done_run, actor=None)
    assert SelectionRun.objects.get(pk=done_run.pk).committed_at is None


def test_it_refuses_to_commit_a_run_whose_pool_changed_since_it_started(
    done_run: SelectionRun,
) -> None:
    # Someone's answer was corrected after the run froze the pool.
    person = first_in_pool(done_run)
    Registration.objects.filter(pk=person.pk).update(
        gender="man" if person.gender == "vrouw" else "vrouw"
    )

    with pytest.raises(services.SelectionRefused, match="veranderd"):
        services.selection_run_commit(run=done_run, actor=None)
    assert SelectionRun.objects.get(pk=done_run.pk).committed_at is None


def test_it_refuses_to_commit_a_run_for_another_panel_size(done_run: SelectionRun) -> None:
    Assembly.objects.filter(pk=done_run.assembly_id).update(members_target=13)
    run = SelectionRun.objects.get(pk=done_run.pk)

    with pytest.raises(services.SelectionRefused, match="veranderd"):
        services.selection_run_commit(run=run, actor=None)


def test_the_progress_bar_never_goes_back(done_run: SelectionRun) -> None:
    # The engine starts its count again when it changes method (and after a
    # worker died, the run starts afresh): the bar stays where it was.
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.RUNNING, progress=0
    )
    claim = SelectionRun.objects.get(pk=done_run.pk).claimed_at
    assert claim is not None
    writer = services.ProgressWriter(done_run.pk, claim)
    writer("stage 3", 0.6)
    writer.last = 0.0
    writer("stage by stage", 0.0)

    run = SelectionRun.objects.get(pk=done_run.pk)
    assert (run.progress, run.progress_message) == (60, "stage by stage")


def test_a_run_whose_worker_and_task_are_gone_is_taken_over_by_the_sweep(
    done_run: SelectionRun,
) -> None:
    # The worker died and its message is gone too (Redis restarted, or the
    # hard time limit acknowledged it): nothing else would ever finish the run,
    # and no new run could be started.
    stale = timezone.now() - services.CLAIM_LEASE - dt.timedelta(seconds=5)
    SelectionRun.objects.filter(pk=done_run.pk).update(
        status=SelectionRun.Status.RUNNING, claimed_at=stale, record=None, progress=40
    )
    assert services.selection_runs_requeue(now=stale + dt.timedelta(minutes=1)) == []

    assert services.selection_runs_requeue() == [done_run.pk]

    run = SelectionRun.objects.get(pk=done_run.pk)
    assert run.status == SelectionRun.Status.DONE and run.record is not None


def test_select_panel_reads_the_public_number_as_the_site_does(
    done_run: SelectionRun, tmp_path: Path
) -> None:
    assert done_run.record is not None
    files = export(tmp_path, done_run.record, done_run)
    args = [
        "select_panel",
        "--categories",
        files["categories"],
        "--respondents",
        files["respondents"],
        "--panel-size",
        "12",
        "--household-columns",
        "huishouden",
        "--json",
        str(tmp_path / "out.json"),
    ]
    with pytest.raises(CommandError, match="alleen cijfers"):
        call_command(*args, "--number", "1.000")
    with pytest.raises(CommandError, match="alleen cijfers"):
        call_command(*args, "--number", "-3")

    call_command(*args, "--number", "1 417")

    record = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert (record["public_number"], record["ticket_drawn"]) == (1417, 417)
