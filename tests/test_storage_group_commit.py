"""The SQLite store's group commit: the writes of turns that end while a commit is under way
go to the database together, one transaction and one trip, and each caller still hears only
its own outcome, after the transaction holding its writes has committed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.storage import sqlite_rows as rows
from bot.storage.protocol import TransientStoreError
from bot.storage.sqlite_group import GroupCommit
from tests.storage_fixtures import count_trips, open_store, run, session, tables

KEYS = [f"{n:064x}" for n in range(1, 6)]


def test_a_lone_write_goes_at_once_and_writes_that_arrive_meanwhile_go_next_together() -> None:
    groups: list[list[str]] = []
    release = asyncio.Event()

    async def fake_run(work: Any, works: list[Any]) -> list[object]:
        assert work is rows.commit_group
        groups.append([w.__name__ for w in works])
        if len(groups) == 1:
            await release.wait()  # the first commit is on the thread a while
        return [w.__name__.upper() for w in works]

    def named(name: str) -> rows.Write:
        def work(conn: sqlite3.Connection) -> str:
            raise AssertionError("the fake runs nothing")

        work.__name__ = name
        return work

    async def main() -> list[str]:
        group = GroupCommit(fake_run)
        first = asyncio.create_task(group.commit(named("a")))
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        later = [asyncio.create_task(group.commit(named(n))) for n in "bcd"]
        await asyncio.sleep(0)
        release.set()
        answers = await asyncio.gather(first, *later)
        await group.settled()
        return list(answers)

    assert run(main()) == ["A", "B", "C", "D"]  # each caller gets its own result
    assert groups == [["a"], ["b", "c", "d"]]


def test_in_one_group_a_failing_write_is_undone_alone(tmp_path: Path) -> None:
    path = tmp_path / "db"
    run(_make(path))
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        outcomes = rows.commit_group(
            conn,
            [
                lambda c: rows.save(c, KEYS[0], "web", session("home.age")),
                lambda c: c.execute("INSERT INTO no_such_table VALUES (1)"),
                lambda c: rows.apply_turn(c, KEYS[1], "not what is stored", []),
                lambda c: rows.save(c, KEYS[2], "web", session("home.age")),
            ],
        )
    assert outcomes[0] is None and outcomes[3] is None
    assert isinstance(outcomes[1], sqlite3.OperationalError)
    assert isinstance(outcomes[2], rows.Changed)
    assert sorted(key for key, *_ in tables(path)["sessions"]) == [KEYS[0], KEYS[2]]


async def _make(path: Path) -> None:
    async with await open_store(path):
        pass


def test_turns_that_end_together_commit_in_one_trip_and_a_changed_one_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five people's turns end while the database thread is busy: one trip commits all
    five. Meanwhile another process answered one of them
    (its session row changed): that turn fails transiently and writes nothing; the rest of
    its group is committed."""
    path = tmp_path / "db"
    trips: list[str] = []

    async def main() -> list[object]:
        async with await open_store(path) as store:
            for key in KEYS:
                async with store.conversation(key, "web") as conv:
                    await conv.save(session())
            counted = count_trips(monkeypatch)
            loaded = asyncio.Event()
            go = asyncio.Event()
            ready = 0

            async def turn(key: str) -> None:
                nonlocal ready
                async with store.conversation(key, "web") as conv:
                    await conv.save(session("home.age"))
                    ready += 1
                    if ready == len(KEYS):
                        loaded.set()
                    await go.wait()

            tasks = [asyncio.create_task(turn(key)) for key in KEYS]
            await asyncio.wait_for(loaded.wait(), 3)
            with closing(sqlite3.connect(path, isolation_level=None)) as other:
                other.execute("UPDATE sessions SET data = '{}' WHERE key = ?", (KEYS[3],))
            busy = asyncio.create_task(store._run(lambda conn: time.sleep(0.2)))
            await asyncio.sleep(0.05)  # the thread is in the sleep
            counted.clear()
            go.set()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            await busy
            trips.extend(counted)
            return outcomes

    outcomes = run(main())
    assert trips.count("commit_group") == 1  # all five in one transaction
    failed = [i for i, outcome in enumerate(outcomes) if outcome is not None]
    assert failed == [3]
    assert isinstance(outcomes[3], TransientStoreError) and outcomes[3].reason == "changed"
    stored = {key: data for key, _, data, _ in tables(path)["sessions"]}
    assert stored[KEYS[3]] == "{}"  # the other process's row stands
    assert all('"home.age"' in stored[key] for key in KEYS if key != KEYS[3])


def test_closing_the_store_waits_for_the_writes_already_queued(tmp_path: Path) -> None:
    path = tmp_path / "db"

    async def main() -> list[bool]:
        store = await open_store(path)
        busy = asyncio.create_task(store._run(lambda conn: time.sleep(0.1)))
        await asyncio.sleep(0.02)  # the thread is busy: the writes below queue
        writes = [asyncio.create_task(store.seen_update("web", str(n))) for n in range(3)]
        await asyncio.sleep(0)
        await store.close()  # while they wait
        await busy
        return [write.result() for write in writes]

    assert run(main()) == [False, False, False]
    assert sorted(row[1] for row in tables(path)["processed_updates"]) == ["0", "1", "2"]
