"""A backup made with pg_dump and restored into an empty database gives back
everything: every table's rows (compared by a hash over all rows) and every
sequence, so new rows after a restore do not collide with old ids."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.conftest import Cast
from tests.recommendations.test_privacy import member_with_everything

pytestmark = pytest.mark.services


def _dsn(database: str) -> str:
    settings = connection.settings_dict
    return (
        f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"user={settings['USER'] or 'postgres'} dbname={database}"
    )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (Debian package postgresql-client)")
    return path


def _contents(database: str) -> dict[str, tuple[int, str]]:
    """Per table: the row count and an MD5 over all rows in a fixed order.
    Per sequence: its value."""
    contents: dict[str, tuple[int, str]] = {}
    with psycopg.connect(_dsn(database)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                "FROM {} t"
            ).format(sql.Identifier(table))
            count, digest = conn.execute(query).fetchone() or (0, "")
            contents[table] = (count, digest)
        sequences = conn.execute(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = 'public'"
        ).fetchall()
        for (sequence,) in sequences:
            query = sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence))
            row = conn.execute(query).fetchone()
            contents[f"sequence {sequence}"] = (
                int(row[0]) if row else 0,
                str(row[1] if row else ""),
            )
    return contents


@pytest.fixture
def empty_database() -> Iterator[str]:
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_a_pg_dump_backup_restores_everything(
    cast: Cast, transactional_db: None, empty_database: str, tmp_path: Path
) -> None:
    member_with_everything(cast)
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "backup.dump"
    settings = connection.settings_dict
    common = [
        "--host",
        settings["HOST"] or "127.0.0.1",
        "--port",
        str(settings["PORT"] or 5432),
        "--username",
        settings["USER"] or "postgres",
        "--no-password",
    ]
    subprocess.run(
        [_tool("pg_dump"), *common, "--format=custom", "--no-owner", f"--file={dump}", source],
        check=True,
    )
    subprocess.run(
        [
            _tool("pg_restore"),
            *common,
            "--no-owner",
            "--exit-on-error",
            f"--dbname={empty_database}",
            str(dump),
        ],
        check=True,
    )

    before, after = _contents(source), _contents(empty_database)
    assert before == after
    # The comparison saw the data this test wrote, not just empty tables.
    for table in (
        "participants_registration",
        "participants_expenseclaim",
        "recommendations_votermark",
        "recommendations_electronicvote",
        "assembly_user",
        "django_migrations",
    ):
        assert before[table][0] > 0, table
