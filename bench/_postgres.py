"""Shared by the benchmarks: make sure their PostgreSQL database exists."""

from __future__ import annotations


def create_database(url: str) -> None:
    """Create the database named at the end of a postgres:// URL, if it is missing."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
