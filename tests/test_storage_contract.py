"""The contract every store keeps, whatever its database: written once, run against each
backend in :data:`BACKENDS` through the ``url`` fixture, and only through
:func:`bot.storage.open_store` and the ``Store`` protocol.

A new backend joins by adding a :class:`Backend` to :data:`BACKENDS`: the URL of a fresh
database for one test, how to make that database refuse writes and accept them again (so
the transient-failure rules can be seen), and whether two stores opened on one URL share
the database (then the person's lock must hold across them, as across two instances). What
only one backend has (SQLite's files, pragmas and migrations) is tested in its own files.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import (
    PurgeResult,
    StorageError,
    Store,
    TransientStoreError,
    Usage,
    UsageCount,
    open_store,
)
from bot.storage.postgres import PostgresStore
from bot.storage.protocol import UPDATES_KEPT
from bot.storage.sqlite import SqliteStore
from tests.postgres_fixtures import drop, fresh_database
from tests.storage_fixtures import (
    DAY,
    T0,
    Clock,
    a_person_with_everything,
    forget,
    run,
    session,
)

KEY = "a" * 64
OTHER = "b" * 64


@dataclass(frozen=True)
class Backend:
    """How the contract reaches one kind of store."""

    name: str
    database: Callable[[Path], str]  # the URL of a fresh, empty database in the test's folder
    set_writable: Callable[[Store, bool], Awaitable[None]]  # refuse writes (False), or accept
    shared: bool  # two stores opened on one URL use one database
    drop: Callable[[str], None] | None = None  # after the test: remove what it made


async def _sqlite_writable(store: Store, writable: bool) -> None:
    """``query_only`` makes SQLite answer every write with SQLITE_READONLY, on any file."""
    assert isinstance(store, SqliteStore)
    await store._db.execute(f"PRAGMA query_only = {'OFF' if writable else 'ON'}")


async def _postgres_writable(store: Store, writable: bool) -> None:
    """``default_transaction_read_only`` makes PostgreSQL refuse every write with
    read_only_sql_transaction, as a replica does after a failover."""
    assert isinstance(store, PostgresStore)
    async with store._pool.connection() as conn:
        value = "off" if writable else "on"
        await conn.execute(f"SET default_transaction_read_only = {value}".encode())


BACKENDS = [
    # sqlite:// + an absolute path: the four-slash form.
    Backend(
        "sqlite-file",
        lambda folder: f"sqlite:///{folder / 'lotsen.sqlite3'}",
        _sqlite_writable,
        True,
    ),
    Backend("sqlite-memory", lambda folder: ":memory:", _sqlite_writable, False),
    # A schema of its own in the `test` database. One connection per store, so a session
    # setting reaches every statement of the store (see _postgres_writable).
    Backend(
        "postgresql",
        lambda folder: fresh_database(pool_size=1),
        _postgres_writable,
        True,
        drop,
    ),
]


@pytest.fixture(params=BACKENDS, ids=[backend.name for backend in BACKENDS])
def backend(request: pytest.FixtureRequest) -> Backend:
    found: Backend = request.param
    return found


@pytest.fixture
def url(backend: Backend, tmp_path: Path) -> Iterator[str]:
    made = backend.database(tmp_path)
    yield made
    if backend.drop is not None:
        backend.drop(made)


@asynccontextmanager
async def opened(url: str, clock: Clock | None = None) -> AsyncIterator[Store]:
    store = await open_store(url, session_ttl=DAY, clock=clock or Clock())
    try:
        yield store
    finally:
        await store.close()


async def bump(store: Store) -> None:
    """One turn that reads ``n`` and writes ``n + 1``: lost updates show as a smaller total."""
    async with store.conversation(KEY, "telegram") as conv:
        n = int(conv.session.variables["n"]) if conv.session else 0
        await asyncio.sleep(0)  # give every other turn the chance to interleave
        await conv.save(session(n=str(n + 1)))


async def final_n(store: Store) -> str:
    async with store.conversation(KEY, "telegram") as conv:
        assert conv.session is not None
        return conv.session.variables["n"]


# --- a turn is one transaction ----------------------------------------------------------------


def test_a_saved_session_is_loaded_in_the_next_turn_and_only_for_its_key(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None
                await conv.save(session("home.age", age="child"))
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session == session("home.age", age="child")
            async with store.conversation(OTHER, "telegram") as conv:
                assert conv.session is None

    run(main())


def test_a_turn_that_raises_leaves_nothing_behind(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            with pytest.raises(RuntimeError):
                async with store.conversation(KEY, "telegram") as conv:
                    assert not await conv.seen_update("u1")
                    await conv.save(session())
                    await conv.count(Usage(T0.date(), "home", "menu", "sv", "telegram"))
                    await conv.owe("u1", "payload")
                    raise RuntimeError("boom")
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None
                assert await conv.owed("u1") is None
            assert await store.counts(T0.date()) == ()
            # The update was not marked processed without its effect:
            assert not await store.seen_update("telegram", "u1")

    run(main())


def test_a_cancelled_turn_leaves_no_transaction_open(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
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


def test_a_conversation_cannot_be_used_after_it_ends(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram") as conv:
                pass
            with pytest.raises(StorageError, match="after its transaction ended"):
                await conv.save(session())

    run(main())


# --- the person's lock ------------------------------------------------------------------------


def test_turns_on_one_key_run_one_after_the_other(url: str) -> None:
    async def main() -> str:
        async with opened(url) as store:
            await asyncio.gather(*(bump(store) for _ in range(30)))
            return await final_n(store)

    assert run(main()) == "30"


def test_turns_on_one_key_through_two_stores_on_one_database_run_one_after_the_other(
    backend: Backend, url: str
) -> None:
    """Two stores on one database stand for two processes or instances. A turn either waits
    for the other one (PostgreSQL's row lock) or, having read a session the other one has
    changed since, writes nothing and fails transiently (SQLite's check at commit), as a
    platform's redelivery then answers it again: no update is ever lost."""
    if not backend.shared:
        pytest.skip(f"{backend.name}: each store has a database of its own")

    async def bump_until_done(store: Store) -> None:
        while True:
            try:
                return await bump(store)
            except TransientStoreError as exc:
                assert exc.reason == "changed"

    async def main() -> str:
        async with opened(url) as one, opened(url) as two:
            await asyncio.gather(*(bump_until_done(store) for store in [one, two] * 15))
            return await final_n(one)

    assert run(main()) == "30"


# --- processed updates ------------------------------------------------------------------------


def test_an_update_id_is_seen_once_per_channel(url: str) -> None:
    async def main() -> list[bool]:
        async with opened(url) as store:
            return [
                await store.seen_update("telegram", "42"),
                await store.seen_update("telegram", "42"),
                await store.seen_update("web", "42"),
                await store.seen_update("telegram", "43"),
            ]

    assert run(main()) == [False, True, False, False]


def test_a_turn_marks_its_update_seen_in_its_own_transaction(url: str) -> None:
    async def main() -> list[bool]:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram") as conv:
                seen = [await conv.seen_update("7"), await conv.seen_update("7")]
            async with store.conversation(OTHER, "telegram") as conv:
                seen.append(await conv.seen_update("7"))  # per channel, not per person
            async with store.conversation(OTHER, "web") as conv:
                seen.append(await conv.seen_update("7"))
            return [*seen, await store.seen_update("telegram", "7")]

    assert run(main()) == [False, True, True, False, True]


def test_an_update_id_given_with_the_turn_is_read_ahead_and_still_recorded(url: str) -> None:
    """``conversation(..., update_id=...)`` may read the update with the session (SQLite
    does, in one trip): the answers are the same as asking ``seen_update`` alone."""

    async def main() -> list[bool]:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram", update_id="8") as conv:
                seen = [await conv.seen_update("8"), await conv.seen_update("8")]
            async with store.conversation(OTHER, "telegram", update_id="8") as conv:
                seen.append(await conv.seen_update("8"))  # recorded by the first turn
            async with store.conversation(OTHER, "web", update_id="8") as conv:
                seen.append(await conv.seen_update("8"))
            async with store.conversation(KEY, "telegram", update_id="9") as conv:
                pass  # read ahead but never asked: not recorded
            return [*seen, await store.seen_update("telegram", "9")]

    assert run(main()) == [False, True, True, False, False]


# --- what a turn owes, and the ledger ----------------------------------------------------------


def test_a_later_turn_settles_what_an_earlier_one_owes_in_its_own_transaction(
    url: str,
) -> None:
    async def main() -> None:
        async with opened(url) as store:
            async with store.conversation(KEY, "web") as conv:
                await conv.owe("e1", "first answer")
            with pytest.raises(RuntimeError):
                async with store.conversation(KEY, "web") as conv:
                    await conv.settle("e1")
                    raise RuntimeError("the turn failed: nothing of it is kept")
            async with store.conversation(KEY, "telegram") as conv:
                await conv.settle("e1")  # another channel's update of that id: not this one
            async with store.conversation(KEY, "web") as conv:
                assert await conv.owed("e1") == "first answer"
                await conv.owe("e2", "second answer")
                await conv.settle("e1")
                assert await conv.owed("e1") is None
            async with store.conversation(KEY, "web") as conv:
                assert (await conv.owed("e1"), await conv.owed("e2")) == (None, "second answer")

    run(main())


def test_what_a_turn_owes_is_kept_per_channel_until_settled_with_its_ledger(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram") as conv:
                await conv.owe("7", "rendered replies")
                await conv.owe("8", "more replies")
            async with store.conversation(KEY, "web") as conv:
                assert await conv.owed("7") is None
            async with store.conversation(KEY, "telegram") as conv:
                assert await conv.owed("7") == "rendered replies"
            await store.record_messages(KEY, "chat", ["m1", "m2"], T0, settle=("telegram", "7"))
            await store.record_messages(KEY, "chat", [], T0, settle=("telegram", "8"))
            async with store.conversation(KEY, "telegram") as conv:
                assert (await conv.owed("7"), await conv.owed("8")) == (None, None)
                assert [entry.message_id for entry in await conv.delete()] == ["m1", "m2"]

    run(main())


def test_the_ledger_is_the_persons_own_oldest_first_each_message_once(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            await store.record_messages(KEY, "chat", ["2"], T0 + timedelta(minutes=1))
            await store.record_messages(KEY, "chat", ["1"], T0)
            await store.record_messages(KEY, "chat", ["1"], T0)  # recorded twice, kept once
            await store.record_messages(OTHER, "chat2", ["9"], T0)
            async with store.conversation(KEY, "telegram") as conv:
                listed = await conv.delete()
            assert [(e.chat_ref, e.message_id, e.at) for e in listed] == [
                ("chat", "1", T0),
                ("chat", "2", T0 + timedelta(minutes=1)),
            ]

    run(main())


# --- forget -----------------------------------------------------------------------------------


def test_forget_returns_the_ledger_and_deletes_everything_keyed_to_the_person(url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            await a_person_with_everything(store, KEY)
            await a_person_with_everything(store, OTHER)
            async with store.conversation(KEY, "telegram") as conv:
                forgotten = await conv.delete()
            assert [(e.chat_ref, e.message_id) for e in forgotten] == [("chat-ref-31337", "m1")]
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None
                assert await conv.delete() == ()  # the ledger went too
            async with store.conversation(OTHER, "telegram") as conv:  # the other is untouched
                assert conv.session is not None
                assert len(await conv.delete()) == 1

    run(main())


def test_a_forgotten_or_expired_conversation_counts_where_it_ended(url: str) -> None:
    async def main() -> tuple[UsageCount, ...]:
        async with opened(url) as store:
            await a_person_with_everything(store, KEY)
            async with store.conversation(OTHER, "web") as conv:
                await conv.save(session("social.intro", locale="ar"))
            await forget(store, KEY)
            await store.purge(T0 + timedelta(days=2))
            return await store.counts(T0.date())

    ended = {(c.usage, c.count) for c in run(main()) if c.ended}
    assert ended == {
        (Usage(T0.date(), "home", "age", "sv", "telegram"), 1),
        (Usage(T0.date(), "social", "intro", "ar", "web"), 1),
    }


# --- purge ------------------------------------------------------------------------------------


def test_purge_deletes_idle_sessions_ledgers_after_48_hours_and_update_ids_after_8_days(
    url: str,
) -> None:
    async def main() -> None:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram") as conv:
                await conv.seen_update("old")
                await conv.owe("old", "payload")
                await conv.save(session(at=T0))
            await store.record_messages(OTHER, "chat", ["old"], T0)
            async with store.conversation(OTHER, "telegram") as conv:
                await conv.save(session(at=T0 + timedelta(hours=47)))

            assert (await store.purge(T0 + DAY)).sessions == 0  # idle exactly the TTL: kept
            assert await store.purge(T0 + timedelta(days=1, seconds=1)) == PurgeResult(1, 0, 0)
            async with store.conversation(KEY, "telegram") as conv:
                assert conv.session is None
            assert await store.purge(T0 + timedelta(hours=48)) == PurgeResult(0, 0, 0)
            assert await store.purge(T0 + timedelta(hours=48, seconds=1)) == PurgeResult(0, 1, 0)
            assert await store.purge(T0 + timedelta(hours=72)) == PurgeResult(1, 0, 0)  # OTHER
            assert timedelta(days=8) == UPDATES_KEPT  # a WhatsApp webhook comes for 7 days
            assert await store.purge(T0 + UPDATES_KEPT) == PurgeResult(0, 0, 0)
            async with store.conversation(KEY, "telegram") as conv:
                assert await conv.owed("old") == "payload"  # owed goes with its update id
            assert await store.purge(T0 + UPDATES_KEPT + timedelta(seconds=1)) == PurgeResult(
                0, 0, 1
            )
            async with store.conversation(KEY, "telegram") as conv:
                assert await conv.owed("old") is None
            assert not await store.seen_update("telegram", "old")

    run(main())


# --- counters ---------------------------------------------------------------------------------


def test_counters_add_up_per_day_flow_step_locale_and_channel(url: str) -> None:
    menu = Usage(T0.date(), "home", "menu", "sv", "telegram")
    tomorrow = Usage(T0.date() + timedelta(days=1), "home", "menu", "sv", "telegram")
    in_arabic = Usage(T0.date(), "home", "menu", "ar", "telegram")
    on_the_web = Usage(T0.date(), "home", "menu", "sv", "web")

    async def main() -> set[UsageCount]:
        async with opened(url) as store:
            for usage in [menu, menu, menu, tomorrow, in_arabic, on_the_web]:
                async with store.conversation(KEY, "telegram") as conv:
                    await conv.count(usage)
            return set(await store.counts(T0.date()))

    assert run(main()) == {
        UsageCount(menu, False, 3),
        UsageCount(tomorrow, False, 1),
        UsageCount(in_arabic, False, 1),
        UsageCount(on_the_web, False, 1),
    }


def test_counts_before_the_day_asked_for_are_left_out(url: str) -> None:
    async def main() -> list[object]:
        async with opened(url) as store:
            for day in [T0.date() - timedelta(days=1), T0.date()]:
                async with store.conversation(KEY, "web") as conv:
                    await conv.count(Usage(day, "home", "menu", "", "web"))
            return [c.usage.day for c in await store.counts(T0.date())]

    assert run(main()) == [T0.date()]


# --- readiness and failures -------------------------------------------------------------------


def test_a_store_that_cannot_commit_says_so_transiently_until_it_can_again(
    backend: Backend, url: str
) -> None:
    async def main() -> list[str]:
        reasons: list[str] = []
        async with opened(url) as store:
            await store.check()
            await backend.set_writable(store, False)
            with pytest.raises(TransientStoreError) as failed:
                async with store.conversation(KEY, "web") as conv:
                    await conv.save(session())
            reasons.append(failed.value.reason)
            with pytest.raises(TransientStoreError) as unready:
                await store.check()  # readiness reports what turns meet
            reasons.append(unready.value.reason)
            await backend.set_writable(store, True)
            async with store.conversation(KEY, "web") as conv:
                assert conv.session is None  # the failed turn left nothing
                await conv.save(session())
            await store.check()
        return reasons

    assert run(main()) == ["readonly", "readonly"]


def test_a_ledger_that_cannot_be_recorded_leaves_the_turn_owing(backend: Backend, url: str) -> None:
    async def main() -> None:
        async with opened(url) as store:
            async with store.conversation(KEY, "telegram") as conv:
                await conv.owe("7", "payload")
            await backend.set_writable(store, False)
            with pytest.raises(TransientStoreError):
                await store.record_messages(KEY, "chat", ["m1"], T0, settle=("telegram", "7"))
            await backend.set_writable(store, True)
            async with store.conversation(KEY, "telegram") as conv:
                assert await conv.owed("7") == "payload"
                assert await conv.delete() == ()

    run(main())
