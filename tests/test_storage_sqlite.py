from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.storage import StorageError, Usage, UsageCount
from bot.storage.sqlite import SqliteStore
from tests.storage_fixtures import (
    T0,
    Clock,
    open_store,
    raw_bytes,
    rows_mentioning,
    run,
    session,
    tables,
)

KEY = "a" * 64
OTHER = "b" * 64


def test_a_saved_session_is_loaded_in_the_next_conversation(tmp_path: Path) -> None:
    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None
                await conv.save(session("home.age", age="child"))
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session == session("home.age", age="child")
            async with store.conversation(OTHER, "telegram") as conv:
                assert conv.session is None

    run(main())


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


def test_an_error_inside_a_conversation_rolls_everything_back(tmp_path: Path) -> None:
    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            with pytest.raises(RuntimeError):
                async with store.conversation(KEY, "telegram") as conv:
                    assert not await conv.seen_update("u1")
                    await conv.save(session())
                    await conv.count(Usage(T0.date(), "home", "menu", "sv", "telegram"))
                    raise RuntimeError("boom")
            # The update was not marked processed without its effect:
            assert not await store.seen_update("telegram", "u1")

    run(main())
    found = tables(tmp_path / "db")
    assert found["sessions"] == [] and found["usage"] == []


def test_a_cancelled_turn_leaves_no_transaction_open(tmp_path: Path) -> None:
    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            entered = asyncio.Event()

            async def stuck() -> None:
                async with store.conversation(KEY, "telegram") as conv:
                    await conv.save(session())
                    entered.set()
                    await asyncio.sleep(10)

            task = asyncio.create_task(stuck())
            await entered.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None
                await conv.save(session("home.age"))
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is not None and conv.session.step == "home.age"

    run(main())


def test_a_conversation_cannot_be_used_after_it_ends(tmp_path: Path) -> None:
    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            async with store.conversation(KEY, "telegram") as conv:
                pass
            with pytest.raises(StorageError, match="after its transaction ended"):
                await conv.save(session())

    run(main())


def test_turns_on_one_key_through_two_connections_are_serialised(tmp_path: Path) -> None:
    """Two stores on one file stand for two processes: BEGIN IMMEDIATE keeps them apart."""

    async def bump(store: SqliteStore) -> None:
        async with store.conversation(KEY, "telegram") as conv:
            n = int(conv.session.variables["n"]) if conv.session else 0
            await asyncio.sleep(0)  # give the other connection every chance to interleave
            await conv.save(session(n=str(n + 1)))

    async def main() -> str:
        one = await open_store(tmp_path / "db")
        two = await open_store(tmp_path / "db")
        try:
            await asyncio.gather(*(bump(store) for store in [one, two] * 15))
            async with one.conversation(KEY, "telegram") as conv:
                assert conv.session is not None
                return conv.session.variables["n"]
        finally:
            await one.close()
            await two.close()

    assert run(main()) == "30"


def test_key_locks_are_dropped_when_unused(tmp_path: Path) -> None:
    async def main() -> int:
        async with await open_store(tmp_path / "db") as store:
            for index in range(10):
                async with store.conversation(f"{index:064x}", "telegram"):
                    pass
            return len(store._keys)

    assert run(main()) == 0


def test_an_update_id_is_seen_once_per_channel(tmp_path: Path) -> None:
    async def main() -> list[bool]:
        async with await open_store(tmp_path / "db") as store:
            return [
                await store.seen_update("telegram", "42"),
                await store.seen_update("telegram", "42"),
                await store.seen_update("web", "42"),
                await store.seen_update("telegram", "43"),
            ]

    assert run(main()) == [False, True, False, False]


def test_the_ledger_lists_a_persons_messages_oldest_first(tmp_path: Path) -> None:
    async def main() -> None:
        async with await open_store(tmp_path / "db") as store:
            await store.record_message(KEY, "chat", "2", T0 + timedelta(minutes=1))
            await store.record_message(KEY, "chat", "1", T0)
            await store.record_message(KEY, "chat", "1", T0)  # recorded twice, kept once
            await store.record_message(OTHER, "chat2", "9", T0)
            listed = await store.list_messages(KEY)
            assert [(e.chat_ref, e.message_id, e.at) for e in listed] == [
                ("chat", "1", T0),
                ("chat", "2", T0 + timedelta(minutes=1)),
            ]

    run(main())


async def _a_person_with_everything(store: SqliteStore, key: str) -> None:
    async with store.conversation(key, "telegram") as conv:
        await conv.seen_update("u-" + key[:4])
        await conv.save(session("home.age", marker="Marker-7e3a91"))
        await conv.count(Usage(T0.date(), "home", "age", "sv", "telegram"))
    await store.record_message(key, "chat-ref-31337", "m1", T0)


def test_forget_deletes_everything_keyed_to_the_person(tmp_path: Path) -> None:
    path = tmp_path / "db"

    async def main() -> None:
        async with await open_store(path) as store:
            await _a_person_with_everything(store, KEY)
            await _a_person_with_everything(store, OTHER)
            forgotten = await store.forget(KEY)
            assert [(e.chat_ref, e.message_id) for e in forgotten] == [("chat-ref-31337", "m1")]
            assert await store.list_messages(KEY) == ()
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None

    run(main())
    # Every table, present and future: no row mentions the key any more...
    assert rows_mentioning(path, KEY) == []
    # ...while the other person is untouched.
    assert {name for name, _ in rows_mentioning(path, OTHER)} == {"sessions", "ledger"}


def test_forget_leaves_no_copy_in_the_database_files(tmp_path: Path) -> None:
    path = tmp_path / "db"

    async def main() -> None:
        async with await open_store(path) as store:
            await _a_person_with_everything(store, KEY)
            assert KEY.encode() in raw_bytes(path)
            await store.forget(KEY)
            # Still open, WAL mode: the log was checkpointed and freed space zeroed.
            found = raw_bytes(path)
            assert KEY.encode() not in found
            assert b"Marker-7e3a91" not in found
            assert b"chat-ref-31337" not in found

    run(main())


def test_a_forgotten_or_expired_conversation_counts_where_it_ended(tmp_path: Path) -> None:
    async def main() -> tuple[UsageCount, ...]:
        async with await open_store(tmp_path / "db") as store:
            await _a_person_with_everything(store, KEY)
            async with store.conversation(OTHER, "web") as conv:
                await conv.save(session("social.intro", locale="ar"))
            await store.forget(KEY)
            await store.purge(T0 + timedelta(days=2))
            return await store.counts(T0.date())

    ended = {(c.usage, c.count) for c in run(main()) if c.ended}
    assert ended == {
        (Usage(T0.date(), "home", "age", "sv", "telegram"), 1),
        (Usage(T0.date(), "social", "intro", "ar", "web"), 1),
    }


def test_purge_deletes_idle_sessions_old_ledger_rows_and_old_update_ids(
    tmp_path: Path,
) -> None:
    clock = Clock()

    async def main() -> None:
        async with await open_store(tmp_path / "db", clock) as store:
            async with store.conversation(KEY, "telegram") as conv:
                await conv.seen_update("old")
                await conv.save(session(at=T0))
            await store.record_message(OTHER, "chat", "old", T0)
            async with store.conversation(OTHER, "telegram") as conv:
                await conv.save(session(at=T0 + timedelta(hours=47)))

            assert (await store.purge(T0 + timedelta(days=1))).sessions == 0  # idle 24 h: kept
            result = await store.purge(T0 + timedelta(days=1, seconds=1))
            assert (result.sessions, result.messages, result.updates) == (1, 0, 0)
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None

            result = await store.purge(T0 + timedelta(hours=48, seconds=1))
            assert (result.sessions, result.messages, result.updates) == (0, 1, 0)
            assert await store.list_messages(OTHER) == ()

            result = await store.purge(T0 + timedelta(hours=72))
            assert (result.sessions, result.messages, result.updates) == (1, 0, 0)  # OTHER's
            result = await store.purge(T0 + timedelta(hours=72, seconds=1))
            assert (result.sessions, result.messages, result.updates) == (0, 0, 1)
            assert not await store.seen_update("telegram", "old")

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


def test_counters_add_up_per_day_flow_step_locale_and_channel(tmp_path: Path) -> None:
    menu = Usage(T0.date(), "home", "menu", "sv", "telegram")
    tomorrow = Usage(T0.date() + timedelta(days=1), "home", "menu", "sv", "telegram")

    async def main() -> tuple[UsageCount, ...]:
        async with await open_store(tmp_path / "db") as store:
            for usage in [menu, menu, menu, tomorrow]:
                async with store.conversation(KEY, "telegram") as conv:
                    await conv.count(usage)
            return await store.counts(T0.date())

    assert run(main()) == (UsageCount(menu, False, 3), UsageCount(tomorrow, False, 1))
    [columns] = [
        [row[1] for row in sqlite3.connect(tmp_path / "db").execute("PRAGMA table_info(usage)")]
    ]
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


def test_counts_before_a_day_are_left_out(tmp_path: Path) -> None:
    async def main() -> list[date]:
        async with await open_store(tmp_path / "db") as store:
            for day in [T0.date() - timedelta(days=1), T0.date()]:
                async with store.conversation(KEY, "web") as conv:
                    await conv.count(Usage(day, "home", "menu", "", "web"))
            return [c.usage.day for c in await store.counts(T0.date())]

    assert run(main()) == [T0.date()]
