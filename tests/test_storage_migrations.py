from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import StorageError
from bot.storage.migrations import MIGRATIONS, Migration, migrate, version
from bot.storage.sqlite import SqliteStore
from tests.storage_fixtures import open_store, run, session, tables

LATEST = len(MIGRATIONS)
KEY = "c" * 64


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def _migrate(path: Path, migrations: tuple[Migration, ...]) -> int:
    async with aiosqlite.connect(path, isolation_level=None) as db:
        return await migrate(db, migrations)


def test_a_new_database_gets_every_table(tmp_path: Path) -> None:
    run(_open_and_close(tmp_path / "db"))
    assert _user_version(tmp_path / "db") == LATEST
    assert set(tables(tmp_path / "db")) == {
        "sessions",
        "ledger",
        "processed_updates",
        "usage",
        "owed",
        "health",
    }


async def _open_and_close(path: Path) -> None:
    store = await open_store(path)
    await store.close()


def test_an_empty_version_0_database_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE unrelated (x)")  # a file some earlier tool left
        db.commit()
    run(_open_and_close(path))
    assert _user_version(path) == LATEST
    assert "sessions" in tables(path)


def test_a_database_of_version_1_gains_the_owed_table(tmp_path: Path) -> None:
    path = tmp_path / "db"
    assert run(_migrate(path, MIGRATIONS[:1])) == 1
    assert "owed" not in tables(path)
    assert run(_migrate(path, MIGRATIONS)) == LATEST == 3
    assert "owed" in tables(path)


def test_an_old_database_runs_only_the_newer_migrations_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db"

    async def at_version_1() -> None:
        async with await open_store(path) as store, store.conversation(KEY, "web") as conv:
            await conv.save(session("home.age"))

    run(at_version_1())
    assert _user_version(path) == LATEST
    later = (*MIGRATIONS, ("ALTER TABLE sessions ADD COLUMN extra TEXT NOT NULL DEFAULT ''",))
    assert run(_migrate(path, later)) == LATEST + 1
    assert _user_version(path) == LATEST + 1
    [row] = tables(path)["sessions"]
    assert row[0] == KEY and row[-1] == ""
    assert run(_migrate(path, later)) == LATEST + 1  # running again changes nothing


def test_a_failing_migration_leaves_the_old_version_and_no_half_schema(tmp_path: Path) -> None:
    path = tmp_path / "db"
    broken = (*MIGRATIONS, ("CREATE TABLE half (x)", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        run(_migrate(path, broken))
    assert _user_version(path) == LATEST
    assert "half" not in tables(path)


def test_a_database_from_a_newer_lotsen_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db"
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(StorageError, match=f"schema version {LATEST + 1}, newer"):
        run(SqliteStore.open(path))


def test_version_reads_user_version(tmp_path: Path) -> None:
    async def main() -> int:
        async with aiosqlite.connect(tmp_path / "db") as db:
            return await version(db)

    assert run(main()) == 0
