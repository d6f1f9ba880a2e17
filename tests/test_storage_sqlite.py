"""What only the SQLite store does: the rows it writes, its per-key locks, its files on disk
(WAL, owner-only, no copy left after a forget) and its batches. The behaviour every store
shares is in ``tests/test_storage_contract.py``, which runs against SQLite too."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from tests.storage_fixtures import (
    T0,
    a_person_with_everything,
    count_trips,
    forget,
    open_store,
    raw_bytes,
    rows_mentioning,
    run,
    session,
    tables,
)

KEY = "a" * 64
OTHER = "b" * 64


def test_the_stored_row_is_the_sessions_dict_and_nothing_more(tmp_path: Path) -> None:
    async def main() -> None:
        async with (
            await open_store(tmp_path / "db") as store,
            store.conversation(KEY, "web") as conv,
        ):
            await conv.save(session("home.age", age="child"))

    run(main())
    [(key, channel, data, updated)] = tables(tmp_path / "db")["sessions"]
    assert (key, channel, updated) == (KEY, "web", int(T0.timestamp()))
    assert json.loads(data) == session("home.age", age="child").to_dict()


def test_a_turn_is_two_trips_to_the_database_thread_and_holds_no_transaction_while_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each trip to aiosqlite's thread waits a turn of the event loop, and a transaction
    left open across one would make every other person wait too: a turn reads the session
    and whether its update was seen in one trip, then commits its writes in one more."""

    async def main() -> list[str]:
        async with await open_store(tmp_path / "db") as store:
            trips = count_trips(monkeypatch)
            inside = asyncio.Event()
            other_done = asyncio.Event()

            async def slow_turn() -> None:
                async with store.conversation(KEY, "telegram", update_id="41") as conv:
                    assert not await conv.seen_update("41")
                    await conv.save(session("home.age"))
                    inside.set()
                    await asyncio.wait_for(other_done.wait(), 5)  # another person meanwhile

            async def other_turn() -> None:
                await inside.wait()
                async with store.conversation(OTHER, "telegram") as conv:
                    await conv.save(session())
                other_done.set()

            trips.clear()
            await asyncio.gather(slow_turn(), other_turn())
            both = list(trips)
            trips.clear()
            async with store.conversation(KEY, "telegram") as conv:
                assert await conv.seen_update("41")  # the first turn committed it
            return both

    assert run(main()) == ["load_turn", "load_turn", "commit_group", "commit_group"]


def test_key_locks_are_dropped_when_unused(tmp_path: Path) -> None:
    async def main() -> int:
        async with await open_store(tmp_path / "db") as store:
            for index in range(10):
                async with store.conversation(f"{index:064x}", "telegram"):
                    pass
            return len(store._keys)

    assert run(main()) == 0


def test_forget_leaves_no_row_that_mentions_the_person(tmp_path: Path) -> None:
    path = tmp_path / "db"

    async def main() -> None:
        async with await open_store(path) as store:
            await a_person_with_everything(store, KEY)
            await a_person_with_everything(store, OTHER)
            await forget(store, KEY)

    run(main())
    # Every table, present and future: no row mentions the key any more...
    assert rows_mentioning(path, KEY) == []
    # ...while the other person is untouched.
    assert {name for name, _ in rows_mentioning(path, OTHER)} == {"sessions", "ledger"}


def test_forget_leaves_no_copy_in_the_database_files(tmp_path: Path) -> None:
    path = tmp_path / "db"

    async def main() -> None:
        async with await open_store(path) as store:
            await a_person_with_everything(store, KEY)
            assert KEY.encode() in raw_bytes(path)
            await forget(store, KEY)
            # Still open, WAL mode: the log was checkpointed and freed space zeroed.
            found = raw_bytes(path)
            assert KEY.encode() not in found
            assert b"Marker-7e3a91" not in found
            assert b"chat-ref-31337" not in found

    run(main())


def test_purge_works_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.storage.sqlite.PURGE_BATCH", 3)

    async def main() -> int:
        async with await open_store(tmp_path / "db") as store:
            for index in range(7):
                async with store.conversation(f"{index:064x}", "telegram") as conv:
                    await conv.save(session())
            return (await store.purge(T0 + timedelta(days=2))).sessions

    assert run(main()) == 7
    assert tables(tmp_path / "db")["sessions"] == []


def test_the_usage_table_has_no_column_for_a_person(tmp_path: Path) -> None:
    run(_save_and_close(tmp_path / "db"))
    with closing(sqlite3.connect(tmp_path / "db")) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(usage)")]
    assert columns == ["day", "flow", "step", "locale", "channel", "ended", "count"]


def test_an_unreadable_session_starts_the_person_afresh(tmp_path: Path) -> None:
    path = tmp_path / "db"
    run(_save_and_close(path))
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE sessions SET data = '{\"step\": 1}'")
        db.commit()

    async def main() -> None:
        async with await open_store(path) as store, store.conversation(KEY, "telegram") as conv:
            assert conv.session is None

    run(main())


async def _save_and_close(path: Path) -> None:
    async with await open_store(path) as store, store.conversation(KEY, "telegram") as conv:
        await conv.save(session())


def test_the_database_is_wal_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lotsen.sqlite3"

    async def main() -> None:
        async with await open_store(path) as store:
            async with store.conversation(KEY, "telegram") as conv:
                await conv.save(session())
            for file in [path, Path(f"{path}-wal"), Path(f"{path}-shm")]:
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
            assert [tuple(r) for r in await store._db.execute_fetchall("PRAGMA journal_mode")] == [
                ("wal",)
            ]

    run(main())
