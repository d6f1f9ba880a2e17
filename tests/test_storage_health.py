"""The store's own errors and its readiness check: whatever the driver says, a caller sees a
StorageError with a reason, transient (retry later) or not."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import StorageError, TransientStoreError
from bot.storage.sqlite import as_store_error
from tests.storage_fixtures import Clock, open_store, run, session


def driver_error(kind: type[sqlite3.Error], name: str) -> sqlite3.Error:
    error = kind("what SQLite said")
    error.sqlite_errorname = name
    return error


@pytest.mark.parametrize(
    ("kind", "name", "transient", "reason"),
    [
        (sqlite3.OperationalError, "SQLITE_BUSY", True, "locked"),
        (sqlite3.OperationalError, "SQLITE_LOCKED", True, "locked"),
        (sqlite3.OperationalError, "SQLITE_FULL", True, "full"),
        (sqlite3.OperationalError, "SQLITE_READONLY_DBMOVED", True, "readonly"),
        (sqlite3.OperationalError, "SQLITE_IOERR_WRITE", True, "io"),
        (sqlite3.OperationalError, "SQLITE_CANTOPEN", True, "cannot_open"),
        (sqlite3.DatabaseError, "SQLITE_NOTADB", False, "not_a_database"),
        (sqlite3.DatabaseError, "SQLITE_CORRUPT", False, "corrupt"),
        (sqlite3.OperationalError, "", True, "error"),
        (sqlite3.IntegrityError, "SQLITE_CONSTRAINT", False, "error"),
    ],
)
def test_driver_errors_become_the_stores_own(
    kind: type[sqlite3.Error], name: str, transient: bool, reason: str
) -> None:
    error = as_store_error(driver_error(kind, name))
    assert isinstance(error, StorageError)
    assert isinstance(error, TransientStoreError) is transient
    assert error.reason == reason


def test_a_file_that_is_not_a_database_is_refused_on_open(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("not a database " * 200)
    with pytest.raises(StorageError) as refused:
        run(open_store(tmp_path / "notes"))
    assert refused.value.reason == "not_a_database"


def test_a_failed_turn_is_remembered_by_the_check_until_a_commit_or_30_seconds(
    tmp_path: Path,
) -> None:
    clock = Clock()

    async def main() -> list[str]:
        seen: list[str] = []
        store = await open_store(tmp_path / "db", clock)
        try:
            await store.check()
            seen.append("ready")
            db = store._db  # a real SQLITE_FULL: the file may not grow by one page
            pages = await db.execute_fetchall("PRAGMA page_count")
            await db.execute(f"PRAGMA max_page_count = {next(iter(pages))[0]}")
            with pytest.raises(TransientStoreError):
                for n in range(200):
                    async with store.conversation(f"{n:064d}", "web") as conv:
                        await conv.save(session())
            for seconds in (0, 29, 2):
                clock.advance(seconds=seconds)
                try:
                    await store.check()
                    seen.append("ready")
                except TransientStoreError as exc:
                    seen.append(exc.reason)
        finally:
            await store.close()
        return seen

    assert run(main()) == ["ready", "full", "full", "ready"]
