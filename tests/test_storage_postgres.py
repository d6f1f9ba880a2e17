"""What only the PostgreSQL store has: its migrations, its locks across instances, its
purge lock, its URL options and how it reports a server that is down. The behaviour every
store shares is in tests/test_storage_contract.py, which runs against PostgreSQL too."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from bot.storage import PurgeResult, StorageError, TransientStoreError, open_store
from bot.storage.postgres import PURGE_LOCK, PostgresStore, split_url
from bot.storage.postgres_migrations import MIGRATION_LOCK, migrations
from tests.postgres_fixtures import SERVER, drop, fresh_database, schema_of
from tests.storage_fixtures import DAY, T0, Clock, run, session

KEY = "a" * 64
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def url() -> Iterator[str]:
    made = fresh_database(pool_size=4)
    yield made
    drop(made)


def sql(url: str, statement: str) -> list[tuple[object, ...]]:
    """One statement in the test's schema, on a connection of its own."""
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'SET search_path = "{schema_of(url)}"'.encode())
        cur = conn.execute(statement.encode())
        return cur.fetchall() if cur.description else []


def test_instances_starting_together_migrate_once(url: str) -> None:
    async def main() -> None:
        stores = await asyncio.gather(*(open_store(url) for _ in range(5)))
        for store in stores:
            await store.close()

    run(main())
    assert sql(url, "SELECT version FROM lotsen_schema") == [(len(migrations()),)]
    tables = sql(
        url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " ORDER BY table_name",
    )
    assert [t for (t,) in tables] == [
        "health",
        "ledger",
        "lotsen_schema",
        "owed",
        "processed_updates",
        "sessions",
        "usage",
    ]


def test_a_database_with_a_newer_schema_is_refused(url: str) -> None:
    run(_open_and_close(url))
    sql(url, "UPDATE lotsen_schema SET version = 99")
    with pytest.raises(StorageError, match="newer than this Lotsen knows") as refused:
        run(_open_and_close(url))
    assert refused.value.reason == "newer_schema"


def test_a_command_on_a_database_lotsen_never_used_makes_nothing(url: str) -> None:
    with pytest.raises(StorageError) as missing:
        run(open_store(url, create=False))
    assert missing.value.reason == "missing"
    assert sql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") == [(0,)]


def test_a_server_that_does_not_answer_is_a_transient_error_naming_no_password() -> None:
    with pytest.raises(TransientStoreError) as down:
        run(open_store("postgresql://lotsen:hunter2@127.0.0.1:1/lotsen?pool_timeout=1"), 10)
    assert down.value.reason in ("unreachable", "connection")
    assert "hunter2" not in str(down.value)


def test_one_person_s_turns_on_two_instances_never_overlap(url: str) -> None:
    """Two stores stand for two instances: the advisory lock serialises the person."""

    async def main() -> str:
        one, two = await open_store(url), await open_store(url)
        try:

            async def bump(store: PostgresStore) -> None:
                async with store.conversation(KEY, "web") as conv:
                    n = int(conv.session.variables["n"]) if conv.session else 0
                    await asyncio.sleep(0.001)
                    await conv.save(session(n=str(n + 1)))

            assert isinstance(one, PostgresStore) and isinstance(two, PostgresStore)
            await asyncio.gather(*(bump(store) for store in [one, two] * 20))
            async with one.conversation(KEY, "web") as conv:
                assert conv.session is not None
                return conv.session.variables["n"]
        finally:
            await one.close()
            await two.close()

    assert run(main(), 20) == "40"


def test_one_instance_purges_at_a_time(url: str) -> None:
    async def main() -> tuple[PurgeResult, PurgeResult]:
        store = await open_store(url, session_ttl=DAY, clock=Clock())
        try:
            async with store.conversation(KEY, "web") as conv:
                await conv.save(session(at=T0))
            with psycopg.connect(SERVER, autocommit=True) as other:
                other.execute(b"SELECT pg_advisory_lock(%s)", (PURGE_LOCK,))  # another purges
                held = await store.purge(T0 + timedelta(days=2))
                # Released here, not by closing: the server ends a closed connection's
                # session (and frees its locks) a moment after the client has gone.
                other.execute(b"SELECT pg_advisory_unlock(%s)", (PURGE_LOCK,))
            return held, await store.purge(T0 + timedelta(days=2))
        finally:
            await store.close()

    held, after = run(main())
    assert held == PurgeResult(0, 0, 0)
    assert after == PurgeResult(1, 0, 0)


def test_purge_leaves_a_session_whose_turn_is_running(url: str) -> None:
    """An idle session a turn on another instance is answering right now is not purged
    under it; that turn makes it fresh."""

    async def main() -> tuple[PurgeResult, bool]:
        one = await open_store(url, session_ttl=DAY, clock=Clock())
        two = await open_store(url, session_ttl=DAY, clock=Clock())
        try:
            async with one.conversation(KEY, "web") as conv:
                await conv.save(session(at=T0))
            async with one.conversation(KEY, "web") as conv:
                purged = await two.purge(T0 + timedelta(days=2))
                await conv.save(session(at=T0 + timedelta(days=2)))
            async with one.conversation(KEY, "web") as conv:
                return purged, conv.session is not None
        finally:
            await one.close()
            await two.close()

    assert run(main(), 10) == (PurgeResult(0, 0, 0), True)


def test_a_statement_that_waits_too_long_is_a_transient_timeout() -> None:
    url = fresh_database(pool_size=2, statement_timeout=200)
    try:
        run(_open_and_close(url))
        with psycopg.connect(SERVER) as locker:  # another transaction holds the table
            locker.execute(
                f'LOCK TABLE "{schema_of(url)}".sessions IN ACCESS EXCLUSIVE MODE'.encode()
            )

            async def turn() -> None:
                store = await open_store(url)
                try:
                    async with store.conversation(KEY, "web") as conv:
                        await conv.save(session())
                finally:
                    await store.close()

            with pytest.raises(TransientStoreError) as waited:
                run(turn(), 10)
            locker.rollback()
        assert waited.value.reason == "timeout"
    finally:
        drop(url)


def test_a_connection_lost_mid_turn_leaves_nothing_and_the_next_turn_works(url: str) -> None:
    async def main() -> bool:
        store = await open_store(url)
        try:
            with pytest.raises(TransientStoreError) as lost:
                async with store.conversation(KEY, "web") as conv:
                    await conv.save(session())
                    with psycopg.connect(SERVER, autocommit=True) as other:
                        other.execute(
                            b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            b" WHERE state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
                        )
                    await conv.seen_update("after-the-loss")
            assert lost.value.reason in ("connection", "unavailable")  # 57P01 or 08006
            async with store.conversation(KEY, "web") as conv:
                return conv.session is None
        finally:
            await store.close()

    assert run(main(), 10) is True


def test_the_url_s_own_options_are_lotsen_s_and_the_rest_libpq_s() -> None:
    conninfo, settings, options = split_url(
        "postgresql://u:p@db:5432/lotsen?sslmode=require&pool_size=3&statement_timeout=900"
        "&options=-c%20search_path%3Dx"
    )
    assert conninfo == "postgresql://u:p@db:5432/lotsen?sslmode=require"
    assert (settings.pool_size, settings.statement_timeout_ms) == (3, 900)
    assert options == "-c search_path=x"
    with pytest.raises(StorageError) as bad:
        split_url("postgresql://db/lotsen?pool_size=zero")
    assert bad.value.reason == "bad_url"


def test_the_commands_work_against_postgresql(url: str) -> None:
    run(_open_and_close(url))
    env = {**os.environ, "LOTSEN_DATABASE": url, "LOTSEN_SECRET_KEY": "k" * 40}
    for command in (["stats", "--since", "7"], ["purge"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    assert "purged 0 session(s)" in done.stdout + done.stderr


async def _open_and_close(url: str) -> None:
    store = await open_store(url)
    await store.close()


def test_migration_and_purge_locks_are_lotsen_s_own() -> None:
    """Fixed keys, far from where a person's hashed key would likely fall by chance."""
    assert MIGRATION_LOCK != PURGE_LOCK


def test_a_hold_keeps_a_person_across_instances_and_its_turns_use_its_connection() -> None:
    """While one instance answers and sends to a person, another waits for them; inside the
    hold the turn runs on the held connection, so one connection per store is enough."""
    url = fresh_database(pool_size=1)

    async def main() -> list[str]:
        one, two = await open_store(url), await open_store(url)
        events: list[str] = []
        try:

            async def answer(store: PostgresStore, name: str, wait: float) -> None:
                async with store.hold(KEY):
                    events.append(f"{name} holds")
                    async with store.conversation(KEY, "telegram") as conv:
                        await conv.save(session(n=name))
                    await asyncio.sleep(wait)  # the sending, outside any transaction
                    await store.record_messages(KEY, "", ["m-" + name], T0)
                    events.append(f"{name} done")

            assert isinstance(one, PostgresStore) and isinstance(two, PostgresStore)
            first = asyncio.create_task(answer(one, "one", 0.3))
            await asyncio.sleep(0.1)
            await answer(two, "two", 0.0)
            await first
            return events
        finally:
            await one.close()
            await two.close()

    try:
        assert run(main(), 10) == ["one holds", "one done", "two holds", "two done"]
    finally:
        drop(url)
