"""Storage: sessions saved and loaded a second with 100,000 sessions in the database, and
the file's size per session.

    python bench/storage_bench.py [--sessions 100000] [--turns 5000]

The database is filled with the store's own statement (the one ``sqlite_rows.save`` runs),
5,000 sessions a transaction. Then, through the Store protocol as a turn uses it:

- save: open a conversation (key lock, BEGIN IMMEDIATE, load), mark the update processed,
  save the session, count the step, commit; one turn after another, keys spread over the
  whole table;
- load: open a conversation and read the session (an empty transaction commits).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bot.engine.session import Session
from bot.storage import sqlite_rows as rows
from bot.storage.keys import session_key
from bot.storage.protocol import Usage
from bot.storage.sqlite import SqliteStore

SECRET = b"bench-secret-key-0123456789abcdef"
BATCH = 5_000
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SAVE = (  # as in sqlite_rows.save
    "INSERT INTO sessions (key, channel, data, updated) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE"
    " SET channel = excluded.channel, data = excluded.data, updated = excluded.updated"
)


def _session(index: int) -> Session:
    """A session as a person mid-walk leaves it: a step, a short back-stack, a choice."""
    return Session(
        step="social.what_happens",
        version="1a2b3c4d5e6f7a8b",
        started=NOW - timedelta(minutes=10),
        updated=NOW - timedelta(seconds=index % 3600),
        back=("home.welcome", "home.menu", "social.intro"),
        variables={"municipality": "0480"} if index % 3 == 0 else {},
        locale="sv",
        locale_chosen=index % 5 == 0,
    )


def _data(session: Session) -> str:
    return json.dumps(session.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _key(index: int) -> str:
    return session_key(SECRET, "telegram", str(880_000_000 + index))


async def fill(store: SqliteStore, count: int) -> float:
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        batch = [
            (_key(index), "telegram", _data(_session(index)), rows.epoch(_session(index).updated))
            for index in range(first, min(first + BATCH, count))
        ]
        await store._commit(
            rows.transaction, lambda conn, rows_=batch: conn.executemany(SAVE, rows_)
        )
    return time.perf_counter() - started


async def saves(store: SqliteStore, count: int, keys: list[int]) -> float:
    started = time.perf_counter()
    for turn in range(count):
        index = keys[turn]
        async with store.conversation(_key(index), "telegram") as conv:
            await conv.seen_update(f"u{turn}")
            assert conv.session is not None
            session = replace(conv.session, updated=NOW)
            await conv.save(session)
            await conv.count(Usage.of(session, channel="telegram", day=NOW.date()))
    return time.perf_counter() - started


async def loads(store: SqliteStore, count: int, keys: list[int]) -> float:
    started = time.perf_counter()
    for turn in range(count):
        async with store.conversation(_key(keys[turn]), "telegram") as conv:
            assert conv.session is not None
    return time.perf_counter() - started


async def run(sessions: int, turns: int, directory: Path) -> dict[str, object]:
    path = directory / "storage.sqlite3"
    store = await SqliteStore.open(path, session_ttl=timedelta(days=1))
    try:
        fill_seconds = await fill(store, sessions)
        await store._checkpoint()
        size = path.stat().st_size
        rng = random.Random(9)
        keys = [rng.randrange(sessions) for _ in range(turns)]
        save_seconds = await saves(store, turns, keys)
        load_seconds = await loads(store, turns, keys)
        data = list(await store._db.execute_fetchall("SELECT avg(length(data)) FROM sessions"))
    finally:
        await store.close()
    return {
        "sessions": sessions,
        "fill_seconds": round(fill_seconds, 2),
        "saves_per_second": round(turns / save_seconds),
        "loads_per_second": round(turns / load_seconds),
        "file_bytes": size,
        "bytes_per_session": round(size / sessions),
        "session_json_bytes": round(float(data[0][0])),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        result = asyncio.run(run(args.sessions, args.turns, Path(directory)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
