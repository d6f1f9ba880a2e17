"""PostgreSQL's schema, as ordered plain SQL files and a version table.

``postgres_schema/0001_initial.sql``, ``0002_...sql``: file ``n`` takes the database from
version ``n - 1`` to ``n``. Each runs in one transaction with the version row, under a
session advisory lock, so several instances starting together migrate once: the others wait
for the lock, then find the version already there. An instance refuses a database whose
schema is newer than the files it has. Never edit a released file: add the next number.
"""

from __future__ import annotations

import logging
import re
from importlib import resources

from psycopg import AsyncConnection

from bot.storage.protocol import StorageError

logger = logging.getLogger(__name__)

# pg_advisory_lock keys of Lotsen's own (persons' turn locks are hashes of their keys).
MIGRATION_LOCK = 0x4C6F7473656E0001  # "Lotsen" and 1
_FILE = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


def migrations() -> list[str]:
    """The SQL of every migration file, in order; their numbers must run 1, 2, 3 ..."""
    folder = resources.files("bot.storage") / "postgres_schema"
    found = sorted(
        (int(match.group(1)), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if (match := _FILE.fullmatch(entry.name))
    )
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise StorageError(f"the PostgreSQL migrations are numbered {numbers}, not 1, 2, 3 ...")
    return [sql for _, sql in found]


async def version(conn: AsyncConnection) -> int:
    """The schema version; 0 for a database Lotsen has not touched."""
    cur = await conn.execute("SELECT to_regclass('lotsen_schema') IS NOT NULL")
    exists = await cur.fetchone()
    if not exists or not exists[0]:
        return 0
    cur = await conn.execute("SELECT version FROM lotsen_schema")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: AsyncConnection, files: list[str] | None = None) -> int:
    """Bring the database to the latest version (``conn`` in autocommit); returns it."""
    files = migrations() if files is None else files
    latest = len(files)
    await conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        found = await version(conn)
        if found > latest:
            raise StorageError(
                f"the database is at schema version {found}, newer than this Lotsen knows "
                f"({latest}); upgrade Lotsen",
                reason="newer_schema",
            )
        for target in range(found + 1, latest + 1):
            async with conn.transaction():
                if target == 1:
                    await conn.execute(
                        "CREATE TABLE lotsen_schema (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE"
                        " CHECK (only_row), version INTEGER NOT NULL)"
                    )
                    await conn.execute("INSERT INTO lotsen_schema (version) VALUES (0)")
                await conn.execute(files[target - 1].encode())
                await conn.execute("UPDATE lotsen_schema SET version = %s", (target,))
        if found < latest:
            logger.info("database schema migrated from version %d to %d", found, latest)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return latest
