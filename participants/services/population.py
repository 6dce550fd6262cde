"""Writes for the population extract: one import, all or nothing.

The command and the admin import call population_import and wait for it. The
organiser's page stores the file and queues it (population_import_queue); a
Celery task then reads it (population_import_execute) while the page shows how
far it is. Either way the residents go in within one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assembly.models import Assembly, User, both_languages
from assembly.queueing import queue_or_leave_to_sweep
from assembly.services import audit_record
from participants.ages import age_on
from participants.models import Invitation, PopulationImport, Resident
from participants.population import ParseResult, ResidentRow, parse_population
from participants.services.background import stale_job_ids

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000


def _batches(rows: Iterable[ResidentRow], size: int) -> Iterator[list[ResidentRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _resident(row: ResidentRow, *, assembly: Assembly, record: PopulationImport) -> Resident:
    return Resident(
        assembly=assembly,
        population_import=record,
        person_ref=row.person_ref,
        given_names=row.given_names,
        name_prefix=row.name_prefix,
        surname=row.surname,
        street=row.street,
        house_number=row.house_number,
        house_letter=row.house_letter,
        house_number_addition=row.house_number_addition,
        postcode=row.postcode,
        city=row.city,
        municipality=row.municipality,
        birth_date=row.birth_date,
        email=row.email,
        household_key=row.household_key,
    )


def population_import(
    *,
    assembly: Assembly,
    file_name: str,
    data: bytes,
    uploaded_by: User | None,
    skip_invalid: bool,
) -> PopulationImport:
    """Import a BRP extract for an assembly.

    Any invalid row rejects the whole file, unless `skip_invalid`: then the valid
    rows go in and the report names each skipped row. A rejected file still
    leaves a PopulationImport with every problem, so the organiser sees why.
    People below the assembly's minimum age on its first weekend are left out
    and counted."""
    sha256 = hashlib.sha256(data).hexdigest()
    parsed = parse_population(data, file_name=file_name, today=timezone.localdate())
    with transaction.atomic():
        parsed = _against_earlier_imports(assembly, parsed)
        outcome = _outcome(assembly, parsed, skip_invalid=skip_invalid)
        record = PopulationImport.objects.create(
            assembly=assembly,
            file_name=file_name[:255],
            file_sha256=sha256,
            uploaded_by=uploaded_by,
            skip_invalid=skip_invalid,
            **outcome.fields,
        )
        if not outcome.rejected:
            _insert_residents(outcome.eligible, assembly=assembly, record=record)
    _log_result(record)
    return record


def _against_earlier_imports(assembly: Assembly, parsed: ParseResult) -> ParseResult:
    """Lock the assembly and mark the people it already has as invalid rows.

    One import at a time per assembly, so the duplicate check sees every person
    imported before (a no-op on SQLite, which has one writer). Call inside the
    transaction that inserts the residents."""
    Assembly.objects.select_for_update().filter(pk=assembly.pk).values_list("pk").first()
    existing = set(Resident.objects.filter(assembly=assembly).values_list("person_ref", flat=True))
    return parsed.with_existing(existing)


@dataclass(frozen=True)
class _Outcome:
    rejected: bool
    # The residents to insert: valid and old enough.
    eligible: list[ResidentRow]
    # The import's status, counts and problems.
    fields: dict[str, Any]


def _outcome(assembly: Assembly, parsed: ParseResult, *, skip_invalid: bool) -> _Outcome:
    rejected = parsed.fatal or (bool(parsed.invalid_rows) and not skip_invalid)
    reference_day = assembly.first_weekend
    eligible = [row for row in parsed.residents
                if age_on(row.birth_date, reference_day) >= assembly.min_age]
    return _Outcome(
        rejected=rejected,
        eligible=[] if rejected else eligible,
        fields={
            "status": (
                PopulationImport.Status.REJECTED if rejected else PopulationImport.Status.IMPORTED
            ),
            "rows_total": parsed.rows_total,
            "rows_imported": 0 if rejected else len(eligible),
            "rows_skipped": 0 if rejected else len(parsed.invalid_rows),
            "rows_underage": len(parsed.residents) - len(eligible),
            "problems": [problem.as_dict() for problem in parsed.problems],
        },
    )


def _log_result(record: PopulationImport) -> None:
    logger.info(
        "population import id=%s assembly=%s status=%s rows=%s imported=%s skipped=%s "
        "underage=%s problems=%s",
        record.pk, record.assembly_id, record.status, record.rows_total, record.rows_imported,
        record.rows_skipped, record.rows_underage, len(record.problems),
    )


# ------------------------------------------------------------ queued imports

_ACTIVE = (PopulationImport.Status.QUEUED, PopulationImport.Status.RUNNING)
# 200,000 rows take well under a minute; an import still waiting or running
# after this long lost its message or its worker.
IMPORT_STALE_AFTER = dt.timedelta(minutes=30)
# Where the progress bar stands after each step (percent).
_PROGRESS_STARTED, _PROGRESS_READ, _PROGRESS_CHECKED, _PROGRESS_WRITTEN = 1, 3, 40, 97


def population_import_queue(
    *,
    assembly: Assembly,
    upload: File[bytes],
    file_name: str,
    uploaded_by: User | None,
    skip_invalid: bool,
) -> PopulationImport:
    """Store an uploaded extract and queue it for Celery (population_import_execute).

    A large file takes longer to read than a web request may last; the
    organiser follows it on the report page. The stored file gets a random
    name (the original one is kept in `file_name`) and is deleted once the
    import has finished or failed."""
    suffix = PurePath(file_name).suffix.lower()[:8]
    record = PopulationImport(
        assembly=assembly,
        file_name=file_name[:255],
        uploaded_by=uploaded_by,
        status=PopulationImport.Status.QUEUED,
        skip_invalid=skip_invalid,
        progress=0,
    )
    record.upload.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    try:
        with transaction.atomic():
            _fail_stale_imports(assembly)
            record.save()
    except BaseException:
        record.upload.storage.delete(record.upload.name or "")
        raise
    import_id = record.pk
    transaction.on_commit(lambda: _ask_to_import(import_id))
    logger.info("population import queued id=%s assembly=%s", record.pk, assembly.pk)
    return record


def _ask_to_import(import_id: int) -> None:
    from participants.tasks import population_import_task  # the task module imports this one

    # With the queue down the organiser should not wait, and no sweep picks an
    # upload up: the import fails with a message to try again.
    if not queue_or_leave_to_sweep(population_import_task, import_id, what="population import"):
        population_import_fail(
            import_id=import_id,
            say=lambda: _(
                "Het inlezen kon niet beginnen. Probeer het over een paar minuten opnieuw."
            ),
        )


def _fail_stale_imports(assembly: Assembly) -> None:
    population_imports_fail_stale(assembly=assembly)


def population_imports_fail_stale(*, assembly: Assembly | None = None) -> list[int]:
    """Fail the imports (of one assembly, or all) whose message or worker was
    lost; returns their ids.

    Without this an import whose worker died shows its progress bar for good,
    and keeps its file (names, addresses) on disk. A beat task runs it for all
    assemblies; the organiser's pages run it too, so whoever comes to look
    sees at once that it failed."""
    imports = PopulationImport.objects.all()
    if assembly is not None:
        imports = imports.filter(assembly=assembly)
    ids = stale_job_ids(imports, after=IMPORT_STALE_AFTER)
    for import_id in ids:
        population_import_fail(
            import_id=import_id,
            say=lambda: _(
                "Het inlezen is niet op tijd klaargekomen. Er is niets ingelezen. "
                "Lees het bestand opnieuw in."
            ),
        )
    if ids:
        logger.warning("population imports failed as stale ids=%s", ids)
    return ids


def population_imports_forget(*, assembly: Assembly) -> int:
    """For the pool purge: what the extract's imports still hold about people.
    Their problem lists quote the cells (an e-mail address, a birth date, a
    person number), and an import whose worker died still has its file. The
    counts stay. Returns how many imports lost their problem list."""
    _fail_stale_imports(assembly)
    return (
        PopulationImport.objects.filter(assembly=assembly)
        .exclude(status__in=_ACTIVE)
        .exclude(problems=[])
        .update(problems=[])
    )


class _ImportTakenOver(Exception):
    """The import was marked failed (stale) while this task still worked on it."""


def population_import_execute(*, import_id: int) -> bool:
    """Read a queued import. Returns False if another task has claimed it already.

    The claim (queued → running) is a check-and-update, so a redelivered
    message or a second worker does not import twice. The residents and the
    final status are written in one transaction: an import that fails leaves
    no residents. The stored file is deleted at the end, whatever happened."""
    claimed = PopulationImport.objects.filter(
        pk=import_id, status=PopulationImport.Status.QUEUED
    ).update(
        status=PopulationImport.Status.RUNNING, progress=_PROGRESS_STARTED,
        started_at=timezone.now(),
    )
    if claimed != 1:
        return False
    record = PopulationImport.objects.select_related("assembly").get(pk=import_id)
    stored_name = record.upload.name
    progress = _Progress(import_id)
    # The error messages are stored for the organiser, in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _execute(record, progress)
        except _ImportTakenOver:
            logger.warning("population import given up as stale id=%s", import_id)
        except Exception as error:
            # The administrator reads what failed and where; the organiser
            # reads what happened and can try again.
            logger.error("population import failed id=%s %s", import_id, _described(error))
            population_import_fail(
                import_id=import_id,
                say=lambda: _(
                    "Door een fout in het systeem is het bestand niet ingelezen. Er is niets "
                    "opgeslagen. Probeer het opnieuw. Lukt het weer niet? Neem dan contact "
                    "op met de beheerder."
                ),
            )
        finally:
            progress.close()
            if stored_name:
                record.upload.storage.delete(stored_name)
    return True


def _described(error: BaseException) -> str:
    """An error's kind and where it was raised, never its message: a database
    error quotes the row it could not store (COPY ..., column surname: "...")."""
    cause = error.__cause__
    kinds = [type(error).__qualname__, *([type(cause).__qualname__] if cause else [])]
    sqlstate = getattr(cause, "sqlstate", None) or getattr(error, "sqlstate", None)
    frames = traceback.extract_tb(error.__traceback__)[-8:]
    where = " < ".join(
        f"{PurePath(frame.filename).name}:{frame.lineno}" for frame in reversed(frames)
    )
    return f"error={'/'.join(kinds)} sqlstate={sqlstate or '-'} at={where}"


def _execute(record: PopulationImport, progress: _Progress) -> None:
    assembly = record.assembly
    with record.upload.open("rb") as stored:
        data = stored.read()
    progress(_PROGRESS_READ)
    parsed = parse_population(
        data, file_name=record.file_name, today=timezone.localdate(),
        on_progress=lambda part: progress(_between(_PROGRESS_READ, _PROGRESS_CHECKED, part)),
    )
    progress(_PROGRESS_CHECKED)
    with transaction.atomic():
        parsed = _against_earlier_imports(assembly, parsed)
        outcome = _outcome(assembly, parsed, skip_invalid=record.skip_invalid)
        if not outcome.rejected:
            total = max(1, len(outcome.eligible))
            _insert_residents(
                outcome.eligible, assembly=assembly, record=record,
                on_batch=lambda done: progress(
                    _between(_PROGRESS_CHECKED, _PROGRESS_WRITTEN, done / total)
                ),
            )
        closed = PopulationImport.objects.filter(
            pk=record.pk, status=PopulationImport.Status.RUNNING
        ).update(
            **outcome.fields, file_sha256=hashlib.sha256(data).hexdigest(), progress=100,
            finished_at=timezone.now(), upload="",
        )
        if closed != 1:
            raise _ImportTakenOver
    record.refresh_from_db()
    _log_result(record)


def _between(start: int, end: int, part: float) -> int:
    return start + int((end - start) * part)


class PopulationUndoRefused(Exception):
    """The import cannot be taken back; the message says why."""


def check_population_import_undo(*, record: PopulationImport) -> None:
    if record.status != PopulationImport.Status.IMPORTED:
        raise PopulationUndoRefused(_("Alleen een ingelezen uittreksel kunt u ongedaan maken."))
    if Invitation.objects.filter(resident__population_import=record).exists():
        raise PopulationUndoRefused(
            _(
                "Uit dit uittreksel zijn al mensen uitgenodigd. Daarom kunt u het niet meer"
                " ongedaan maken."
            )
        )


def population_import_undo(*, record: PopulationImport, actor: User | None) -> int:
    """Take back a wrong extract before anyone in it was invited: its residents
    (names, addresses) are deleted; the import stays, marked undone, as the
    record that it happened. Returns how many residents were deleted.

    Under the assembly's lock, as an invitation draw writes: a draw being
    computed meanwhile sees the residents changed and plans again."""
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=record.assembly_id).first()
        record = PopulationImport.objects.select_for_update().get(pk=record.pk)
        check_population_import_undo(record=record)
        deleted = Resident.objects.filter(population_import=record).delete()[1].get(
            Resident._meta.label, 0
        )
        record.status = PopulationImport.Status.UNDONE
        record.save(update_fields=["status"])
        audit_record(
            action="population.undone",
            assembly=record.assembly,
            actor=actor,
            target=record,
            detail={"import": record.pk, "residents": deleted},
        )
    logger.info("population import undone id=%s residents=%s", record.pk, deleted)
    return deleted


def population_import_fail(*, import_id: int, say: Callable[[], str]) -> None:
    """Mark a queued or running import failed and delete its stored file.
    ``say`` gives the reason; it is stored in Dutch and English, for whichever
    organiser opens the page."""
    error, error_en = both_languages(say)
    active = PopulationImport.objects.filter(pk=import_id, status__in=_ACTIVE)
    stored_name = active.values_list("upload", flat=True).first()
    failed = active.update(
        status=PopulationImport.Status.FAILED, error=error, error_en=error_en, progress=100,
        finished_at=timezone.now(), upload="",
    )
    if failed and stored_name:
        storage = PopulationImport._meta.get_field("upload").storage
        transaction.on_commit(lambda: storage.delete(stored_name))
    logger.error("population import failed id=%s", import_id)


class _Progress:
    """Writes a running import's percentage where the organiser's page reads it.

    The residents go in within one transaction (all or nothing), and an UPDATE
    on that transaction's connection stays unseen until it commits. On
    PostgreSQL the percentage therefore goes through a second connection, in
    autocommit mode; it changes no key column, so it does not wait on the locks
    that the residents' foreign keys take. SQLite has one writer: there the
    page sees the percentage only between the steps."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.percent = 0
        self._side: BaseDatabaseWrapper | None = None

    def __call__(self, percent: int) -> None:
        # 100 comes only with the final status, in the same UPDATE.
        percent = min(percent, 99)
        if percent <= self.percent:
            return
        self.percent = percent
        alias = router.db_for_write(PopulationImport)
        connection = connections[alias]
        if not connection.in_atomic_block or connection.vendor != "postgresql":
            PopulationImport.objects.filter(
                pk=self.import_id, status=PopulationImport.Status.RUNNING
            ).update(progress=percent)
            return
        if self._side is None:
            self._side = connections.create_connection(alias)
        quote = self._side.ops.quote_name
        table = quote(PopulationImport._meta.db_table)
        # Table and column names come from the model, values go as parameters.
        sql = (
            f"UPDATE {table} SET {quote('progress')} = %s "  # noqa: S608
            f"WHERE {quote('id')} = %s AND {quote('status')} = %s"
        )
        with self._side.cursor() as cursor:
            cursor.execute(sql, [percent, self.import_id, PopulationImport.Status.RUNNING.value])

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


_COLUMNS: tuple[str, ...] = (
    "person_ref", "given_names", "name_prefix", "surname", "street", "house_number",
    "house_letter", "house_number_addition", "postcode", "city", "municipality", "birth_date",
    "email", "household_key",
)


def _insert_residents(
    rows: list[ResidentRow],
    *,
    assembly: Assembly,
    record: PopulationImport,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Write the residents in batches; `on_batch` hears the number written so far.

    Django's bulk_create compiles every value through the field machinery, about
    half a millisecond a row on this hardware: 200,000 rows would miss the 60 s
    target on insert alone. The rows are already checked and normalised, so on
    PostgreSQL they go in with COPY and on SQLite with executemany; other
    databases get bulk_create."""
    connection = connections[router.db_for_write(Resident)]
    meta = Resident._meta
    columns = [_column(name) for name in ("assembly", "population_import", *_COLUMNS)]
    table = connection.ops.quote_name(meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        # One COPY per batch: the connection is free between them for on_batch.
        with connection.cursor() as cursor:
            for number, batch in enumerate(_batches(rows, BATCH_SIZE)):
                with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(_values(row, assembly.pk, record.pk))
                if on_batch is not None:
                    on_batch(number * BATCH_SIZE + len(batch))
    elif connection.vendor == "sqlite":
        # Table and column names come from the model, values go as parameters.
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            for number, batch in enumerate(_batches(rows, BATCH_SIZE)):
                cursor.executemany(sql, [_values(row, assembly.pk, record.pk, iso=True)
                                         for row in batch])
                if on_batch is not None:
                    on_batch(number * BATCH_SIZE + len(batch))
    else:
        for number, batch in enumerate(_batches(rows, BATCH_SIZE)):
            Resident.objects.bulk_create(
                [_resident(row, assembly=assembly, record=record) for row in batch]
            )
            if on_batch is not None:
                on_batch(number * BATCH_SIZE + len(batch))


def _column(name: str) -> str:
    field = Resident._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.column)


def _values(
    row: ResidentRow, assembly_id: int, import_id: int, *, iso: bool = False
) -> tuple[Any, ...]:
    return (
        assembly_id, import_id, row.person_ref, row.given_names, row.name_prefix, row.surname,
        row.street, row.house_number, row.house_letter, row.house_number_addition, row.postcode,
        row.city, row.municipality, row.birth_date.isoformat() if iso else row.birth_date,
        row.email, row.household_key,
    )
