"""Helpers for the storage and service tests: a clock to turn by hand, a bounded
``asyncio.run``, sessions, and a plain look at every table of a database file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Coroutine
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import pytest

from bot.engine import Event, Phrase, Reply, Session, Turn
from bot.flows.model import Content
from bot.storage import Store, Usage
from bot.storage.sqlite import SqliteStore

T = TypeVar("T")

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SECRET = b"s" * 32
DAY = timedelta(days=1)


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 4.0) -> T:
    """``asyncio.run`` with a deadline, so a deadlock fails the test instead of hanging it."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def session(
    step: str = "home.menu", *, at: datetime = T0, locale: str = "sv", **variables: str
) -> Session:
    return Session(
        step=step, version="v1", started=at, updated=at, variables=variables, locale=locale
    )


async def open_store(path: Path, clock: Clock | None = None, ttl: timedelta = DAY) -> SqliteStore:
    """A SQLite store on ``path``, for tests of SQLite itself (its files, pragmas, locks); the
    behaviour every store shares is tested through ``bot.storage.open_store`` in
    ``tests/test_storage_contract.py``."""
    return await SqliteStore.open(path, session_ttl=ttl, clock=clock or Clock())


async def a_person_with_everything(store: Store, key: str) -> None:
    """Give ``key`` a row of every kind a person has: a processed update, a session marked
    ``Marker-7e3a91``, a counter and a ledger entry in the chat ``chat-ref-31337``."""
    async with store.conversation(key, "telegram") as conv:
        await conv.seen_update("u-" + key[:4])
        await conv.save(session("home.age", marker="Marker-7e3a91"))
        await conv.count(Usage(T0.date(), "home", "age", "sv", "telegram"))
    await store.record_messages(key, "chat-ref-31337", ["m1"], T0)


async def forget(store: Store, key: str) -> None:
    """What ``/forget`` does to the store: a turn that deletes the person."""
    async with store.conversation(key, "telegram") as conv:
        await conv.delete()


def counting_step(content: Content, old: Session | None, event: Event, now: datetime) -> Turn:
    """A stand-in engine: adds one to the variable ``n`` and says the new value."""
    n = int(old.variables.get("n", "0")) + 1 if old is not None else 1
    base = old or session(at=now)
    new = replace(base, updated=now, variables={**base.variables, "n": str(n)})
    return Turn(new, (Reply(Phrase(str(n))),))


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read without the store (so without its locks or filters)."""
    with closing(sqlite3.connect(path)) as db:
        names = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: list(db.execute(f'SELECT * FROM "{name}"')) for name in names}


def rows_mentioning(path: Path, needle: str) -> list[tuple[str, tuple[Any, ...]]]:
    return [
        (name, row)
        for name, rows in tables(path).items()
        for row in rows
        if any(needle in str(value) for value in row)
    ]


def raw_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log and shared-memory files, as on disk."""
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def count_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of each function run on aiosqlite's thread, one per trip."""
    trips: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: object) -> object:
        trips.append(getattr(fn, "__name__", "?"))
        return await execute(self, fn, *args)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return trips
